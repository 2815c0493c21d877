// SPDX-License-Identifier: MIT
//! \file cuda/estimators_cuda.hpp
//! The resampling estimators on the GPU (information.md §4.4 shuffled/block QE, §4.6 permutation
//! null, §4.7 stratified bootstrap): plain C++, no CUDA types. Each function returns the struct of
//! its host counterpart and draws exactly the host's Philox streams (host/information/
//! random_stream.hpp), so one seed gives the same replicates on both. Every replicate table is
//! counted on the device by sorting (group, stimulus, word) keys; the per-stimulus sums and the
//! final combination follow the host's summation order, the sum over words of H(R) is a fixed
//! block tree (deterministic, not the host's sequential order). Without a device (or in a CPU-only
//! build) every function throws CudaError before touching device memory.
#pragma once

#include "cuda_backend.hpp"
#include "memlif/core/counts.hpp"
#include "host/information/bayes_count.hpp"
#include "host/information/bootstrap.hpp"
#include "host/information/permutation_null.hpp"
#include "host/information/quadratic_extrapolation.hpp"
#include "host/information/resampling.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace memlif {

//! Device and memory settings of the GPU estimators.
struct EstimatorCudaOptions {
    int device = 0;
    //! Device bytes one batch of replicates may use; 0 = half the free device memory. Tests set a
    //! small value to force several batches; results never depend on it.
    std::size_t max_batch_bytes = 0;
};

//! Permutation null of a point estimator (information.md §4.6). Equals
//! compute_permutation_null(counts, p_s, stat, options) with
//! stat = point_estimate(., ., n_spk, estimator, rt).mi, where rt is `rtot` resolved on the
//! observed counts (RtotMode::user, as compute_estimators does), so every permutation sees the
//! same response space. Throws std::invalid_argument on bad inputs or options (as the host),
//! CudaError on a device failure or without a device.
PermutationNullResult permutation_null_cuda(const ConditionCounts& counts,
                                            const std::vector<double>& p_s,
                                            const std::vector<std::uint32_t>& n_spk,
                                            const PermutationNullOptions& options,
                                            PointEstimator estimator = PointEstimator::plugin,
                                            const RtotSpec& rtot = {},
                                            const EstimatorCudaOptions& cuda = {});

//! Stratified bootstrap (information.md §4.7); equals compute_bootstrap(counts, p_s, n_spk,
//! options).
BootstrapResult bootstrap_cuda(const ConditionCounts& counts, const std::vector<double>& p_s,
                               const std::vector<std::uint32_t>& n_spk,
                               const BootstrapOptions& options,
                               const EstimatorCudaOptions& cuda = {});

//! Quadratic extrapolation (information.md §4.4), both partitions, both targets, plug-in or PT
//! inner estimator; equals compute_quadratic_extrapolation(counts, p_s, options).
QeResult quadratic_extrapolation_cuda(const ConditionCounts& counts, const std::vector<double>& p_s,
                                      const QeOptions& options,
                                      const EstimatorCudaOptions& cuda = {});

} // namespace memlif
