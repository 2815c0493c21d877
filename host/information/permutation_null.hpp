// SPDX-License-Identifier: MIT
//! \file host/information/permutation_null.hpp
//! Permutation null distribution of an MI estimator (ibTB "bootstrap"), information.md §4.6.
#pragma once

#include "bayes_count.hpp"
#include "memlif/core/counts.hpp"
#include "resampling.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace memlif {

struct PermutationNullOptions {
    std::uint32_t replicates = 100; //!< M label permutations
    std::uint64_t seed = 0;
    std::vector<double> quantile_levels{0.05, 0.5, 0.95};
};

struct PermutationNullResult {
    double observed = 0;                 //!< estimator on the real labels, bits
    double null_mean = 0;                //!< <I_null>, the residual-bias estimate, bits
    double null_sd = 0;                  //!< SD of the null replicates
    std::vector<double> quantile_levels; //!< as requested
    std::vector<double> quantiles;       //!< null quantiles at those levels (type 7)
    double p_value = 1;                  //!< (1 + #{I_null >= I_obs}) / (1 + M)
    double corrected = 0;                //!< observed - null_mean
    std::uint32_t replicates = 0;
};

//! The MI estimator evaluated on observed and permuted data.
using MiStatistic = std::function<double(const ConditionCounts&, const std::vector<double>& p_s)>;

//! Permutation null (information.md §4.6; ibTB opts.btsp): M seeded permutations of all trials
//! across stimuli preserving every N_s (so p(s) is unchanged), recomputing the statistic.
//! Caveat from the spec: subtracting the null mean over-corrects when information is high, since
//! under the null every stimulus uses the full repertoire; it is primarily a significance test.
//! Replicates run in parallel (OpenMP), each on its own stream, so `statistic` must be safe to
//! call from several threads at once (a pure function of its arguments, as every estimator is).
PermutationNullResult compute_permutation_null(const ConditionCounts& counts,
                                               const std::vector<double>& p_s,
                                               const MiStatistic& statistic,
                                               const PermutationNullOptions& options = {});

namespace detail {

//! compute_permutation_null with statistic = point_estimate(., ., n_spk, estimator, rt).mi, rt
//! = `rtot` resolved on the observed data for PT (what compute_estimators asks for), computed
//! without building the permuted tables: the same values, bit for bit.
PermutationNullResult permutation_null_point(const ConditionCounts& counts,
                                             const std::vector<double>& p_s,
                                             const std::vector<std::uint32_t>& n_spk,
                                             const PermutationNullOptions& options,
                                             PointEstimator estimator, const RtotSpec& rtot);

//! Summarises the null replicates `null` (in replicate order) of the statistic `observed`:
//! mean, SD, quantiles, p-value and corrected value; shared by the host and the accelerated null
//! so both report identically.
PermutationNullResult summarise_permutation_null(double observed, std::vector<double> null,
                                                 const PermutationNullOptions& options);

} // namespace detail

} // namespace memlif
