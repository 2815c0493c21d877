// SPDX-License-Identifier: MIT
//! \file host/information/accelerated_resampling.hpp
//! The three costly resampling estimators (permutation null §4.6, stratified bootstrap §4.7, QE
//! subsamplings §4.4) with their replicate tables evaluated elsewhere, e.g. on the GPU
//! (cuda/group_sums_cuda.hpp): a GroupSumsFunction draws the host's replicates and returns plain
//! per-group sums (memlif/core/group_sums.hpp); this file combines them into the host estimators'
//! results with the host's arithmetic, in the host's order. Given exact group sums each function
//! returns what its host counterpart returns for the same seeds; a device's sums differ from the
//! host's only in the last bits of log/pow and of the tree-summed H(R) and pooled BayesCount.
#pragma once

#include "bootstrap.hpp"
#include "estimators.hpp"
#include "memlif/core/counts.hpp"
#include "memlif/core/group_sums.hpp"
#include "permutation_null.hpp"
#include "quadratic_extrapolation.hpp"
#include "resampling.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace memlif {

//! Evaluates the replicate tables of a request on one condition's counts. It may assume valid
//! inputs (the callers below validate them first) and throws what it throws (CudaError, ...).
using GroupSumsFunction = std::function<GroupSums(const ConditionCounts&, const GroupSumsRequest&)>;

//! The functions below request the replicates in chunks of at most this many (group, stimulus)
//! sums (32 bytes each), which bounds their memory whatever the numbers of stimuli and replicates;
//! at least one replicate per chunk. Results never depend on it.
constexpr std::size_t k_default_max_sums_per_call = std::size_t(1) << 22;

//! compute_permutation_null(counts, p_s, stat, options) with stat = detail::point_estimate(.,
//! ., n_spk, estimator, rt).mi, rt being `rtot` resolved on the observed counts (as
//! compute_estimators does), so every permutation sees the same response space. Throws what the
//! host throws on bad inputs or options (std::invalid_argument, SamplingError).
PermutationNullResult
accelerated_permutation_null(const ConditionCounts& counts, const std::vector<double>& p_s,
                             const std::vector<std::uint32_t>& n_spk,
                             const PermutationNullOptions& options, PointEstimator estimator,
                             const RtotSpec& rtot, const GroupSumsFunction& sums,
                             std::size_t max_sums_per_call = k_default_max_sums_per_call);

//! compute_bootstrap(counts, p_s, n_spk, options).
BootstrapResult accelerated_bootstrap(const ConditionCounts& counts, const std::vector<double>& p_s,
                                      const std::vector<std::uint32_t>& n_spk,
                                      const BootstrapOptions& options,
                                      const GroupSumsFunction& sums,
                                      std::size_t max_sums_per_call = k_default_max_sums_per_call);

//! compute_quadratic_extrapolation(counts, p_s, options).
QeResult
accelerated_quadratic_extrapolation(const ConditionCounts& counts, const std::vector<double>& p_s,
                                    const QeOptions& options, const GroupSumsFunction& sums,
                                    std::size_t max_sums_per_call = k_default_max_sums_per_call);

//! The accelerator of compute_estimators whose three members are the functions above on `sums`.
EstimatorAccelerator make_estimator_accelerator(GroupSumsFunction sums);

} // namespace memlif
