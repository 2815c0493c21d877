// SPDX-License-Identifier: MIT
//! \file host/estimator_accelerator.cpp
#include "estimator_accelerator.hpp"

#include "backend.hpp"
#include "cuda/group_sums_cuda.hpp"
#include "information/accelerated_resampling.hpp"

namespace memlif {

const EstimatorAccelerator* estimator_accelerator_for(const std::string& backend) {
    if (choose_backend(backend, CpuOptions{}).kind != BackendKind::cuda) return nullptr;
    // The replicate tables are built and reduced on the GPU; host/information combines the sums.
    static const EstimatorAccelerator cuda = make_estimator_accelerator(
        [](const ConditionCounts& c, const GroupSumsRequest& q) { return group_sums_cuda(c, q); });
    return &cuda;
}

} // namespace memlif
