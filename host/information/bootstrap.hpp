// SPDX-License-Identifier: MIT
//! \file host/information/bootstrap.hpp
//! Stratified bootstrap spread and percentile intervals, information.md §4.7.
#pragma once

#include "bayes_count.hpp"
#include "memlif/core/counts.hpp"
#include "resampling.hpp"

#include <cstdint>
#include <vector>

namespace memlif {

struct BootstrapOptions {
    std::uint32_t replicates = 200; //!< B
    std::uint64_t seed = 0;
    double confidence = 0.95; //!< central percentile interval
    PointEstimator estimator = PointEstimator::plugin;
    RtotSpec rtot; //!< for PointEstimator::pt
};

//! Percentile interval and SD of one quantity over the bootstrap replicates.
struct Interval {
    double sd = 0;
    double lo = 0;
    double hi = 0;
};

struct BootstrapResult {
    Interval mi, h_r, h_rs;
    std::vector<Interval> sss; //!< per stimulus; NaN fields where undefined (N_s = 0)
    std::vector<Interval> sps; //!< per stimulus; NaN fields where n_spk = 0 or N_s = 0
    std::uint32_t replicates = 0;
    double confidence = 0;
};

//! Stratified bootstrap (Efron & Tibshirani 1993): resample N_s trials with replacement within
//! each stimulus, B times (seeded Philox stream per replicate), recompute the point estimator and
//! report SD and the central percentile interval for MI, H(R), H(R|S), SSS(s) and SpS(s).
//! Per the spec the bootstrap gives spread only; its replicates are more biased than the data
//! (fewer distinct words), so it is never used to correct the mean.
BootstrapResult compute_bootstrap(const ConditionCounts& counts, const std::vector<double>& p_s,
                                  const std::vector<std::uint32_t>& n_spk,
                                  const BootstrapOptions& options = {});

namespace detail {

//! Summarises bootstrap replicates (SD and central percentile interval of each quantity); shared
//! by the host and the CUDA bootstrap so both report identically. `sss[s][b]` is replicate b of
//! stimulus s.
BootstrapResult summarise_bootstrap(const std::vector<double>& mi, const std::vector<double>& h_r,
                                    const std::vector<double>& h_rs,
                                    const std::vector<std::vector<double>>& sss,
                                    const std::vector<std::vector<double>>& sps,
                                    std::uint32_t replicates, double confidence);

} // namespace detail

} // namespace memlif
