// SPDX-License-Identifier: MIT
//! \file host/estimator_accelerator.cpp
#include "estimator_accelerator.hpp"

#include "backend.hpp"
#include "cuda/estimators_cuda.hpp"

namespace memlif {

const EstimatorAccelerator* estimator_accelerator_for(const std::string& backend) {
    if (choose_backend(backend, CpuOptions{}).kind != BackendKind::cuda) return nullptr;
    static const EstimatorAccelerator cuda = [] {
        EstimatorAccelerator a;
        a.permutation_null = [](const ConditionCounts& c, const std::vector<double>& p,
                                const std::vector<std::uint32_t>& n, const PermutationNullOptions& o,
                                PointEstimator e, const RtotSpec& r) { return permutation_null_cuda(c, p, n, o, e, r); };
        a.bootstrap = [](const ConditionCounts& c, const std::vector<double>& p, const std::vector<std::uint32_t>& n,
                         const BootstrapOptions& o) { return bootstrap_cuda(c, p, n, o); };
        a.quadratic_extrapolation = [](const ConditionCounts& c, const std::vector<double>& p, const QeOptions& o) {
            return quadratic_extrapolation_cuda(c, p, o);
        };
        return a;
    }();
    return &cuda;
}

} // namespace memlif
