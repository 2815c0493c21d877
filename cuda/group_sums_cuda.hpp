// SPDX-License-Identifier: MIT
//! \file cuda/group_sums_cuda.hpp
//! The replicate tables of the resampling estimators on the GPU (information.md §4.4 QE
//! subsamplings, §4.6 permutation null, §4.7 stratified bootstrap): plain C++, no CUDA types.
//! group_sums_cuda draws exactly the host's replicates (memlif/core/group_sums.hpp) and returns
//! their plain per-group sums; host/information/accelerated_resampling.hpp turns them into the
//! estimators' results. Without a device (or in a CPU-only build) it throws CudaError before
//! touching device memory or looking at its inputs.
#pragma once

#include "memlif/core/counts.hpp"
#include "memlif/core/errors.hpp"
#include "memlif/core/group_sums.hpp"

#include <cstddef>

namespace memlif {

//! Device and memory settings of group_sums_cuda.
struct GroupSumsCudaOptions {
    int device = 0;
    //! Device bytes one batch of replicates may use; 0 = half the free device memory. Tests set a
    //! small value to force several batches; results never depend on it.
    std::size_t max_batch_bytes = 0;
};

//! The group sums of `request` on `counts` (memlif/core/group_sums.hpp), computed on the device.
//! Sums over the words of one stimulus and over stimuli follow the host's order and roundings;
//! H(R) and the pooled BayesCount sums are block trees (deterministic, not the host's sequential
//! order), and log/log2/pow are CUDA's, so values agree with the host to the last few bits.
//! Throws CudaError without a device or on a device failure, std::invalid_argument when the
//! request does not fit the counts (p(s) rows, CSR sizes) or a 32-bit device index.
GroupSums group_sums_cuda(const ConditionCounts& counts, const GroupSumsRequest& request,
                          const GroupSumsCudaOptions& options = {});

} // namespace memlif
