// SPDX-License-Identifier: MIT
//! \file cuda/cuda_stub.cpp
//! CPU-only builds: no device, and a clear error if the CUDA backend is asked for.
#include "cuda_backend.hpp"
#include "estimators_cuda.hpp"

namespace memlif {

int device_count() { return 0; }

std::string device_name(int) { return {}; }

void run_sweep_cuda(const SweepSpec&, ConditionSink&, const CudaOptions&) {
    throw CudaError("CUDA backend not configured: this memlif was built without nvcc");
}

std::vector<std::uint64_t> simulate_words_cuda(const SimParams&, const SynapseDrive&, std::uint32_t,
                                               const std::vector<std::uint16_t>&, std::uint32_t) {
    throw CudaError("CUDA backend not configured: this memlif was built without nvcc");
}

ConditionCounts counts_from_words_cuda(const std::vector<std::uint64_t>&, std::size_t,
                                       std::uint32_t, std::uint32_t) {
    throw CudaError("CUDA backend not configured: this memlif was built without nvcc");
}

PluginMeasures compute_plugin_cuda(const ConditionCounts&, const std::vector<double>&,
                                 const std::vector<std::uint32_t>&) {
    throw CudaError("CUDA backend not configured: this memlif was built without nvcc");
}

PermutationNullResult permutation_null_cuda(const ConditionCounts&, const std::vector<double>&,
                                            const std::vector<std::uint32_t>&,
                                            const PermutationNullOptions&, PointEstimator,
                                            const RtotSpec&, const EstimatorCudaOptions&) {
    throw CudaError("CUDA backend not configured: this memlif was built without nvcc");
}

BootstrapResult bootstrap_cuda(const ConditionCounts&, const std::vector<double>&,
                               const std::vector<std::uint32_t>&, const BootstrapOptions&,
                               const EstimatorCudaOptions&) {
    throw CudaError("CUDA backend not configured: this memlif was built without nvcc");
}

QeResult quadratic_extrapolation_cuda(const ConditionCounts&, const std::vector<double>&,
                                      const QeOptions&, const EstimatorCudaOptions&) {
    throw CudaError("CUDA backend not configured: this memlif was built without nvcc");
}

} // namespace memlif
