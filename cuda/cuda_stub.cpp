// SPDX-License-Identifier: MIT
//! \file cuda/cuda_stub.cpp
//! CPU-only builds: no device, and a clear error if the CUDA backend is asked for.
#include "cuda_backend.hpp"
#include "group_sums_cuda.hpp"

namespace memlif {

namespace {

[[noreturn]] void not_configured() {
    throw CudaError("CUDA backend not configured: this memlif was built without nvcc");
}

} // namespace

int device_count() { return 0; }

std::string device_name(int) { return {}; }

void run_sweep_cuda(const SweepSpec&, ConditionSink&, const CudaOptions&) { not_configured(); }

std::vector<std::uint64_t> simulate_words_cuda(const SimParams&, const SynapseDrive&, std::uint32_t,
                                               const std::vector<std::uint16_t>&, std::uint32_t) {
    not_configured();
}

std::vector<std::uint64_t> simulate_exact_words_cuda(const ExactParams&, const ExactDrive&,
                                                     std::uint32_t,
                                                     const std::vector<std::uint16_t>&,
                                                     std::uint32_t) {
    not_configured();
}

ConditionCounts counts_from_words_cuda(const std::vector<std::uint64_t>&, std::size_t,
                                       std::uint32_t, std::uint32_t) {
    not_configured();
}

PluginMeasures compute_plugin_cuda(const ConditionCounts&, const std::vector<double>&,
                                   const std::vector<std::uint32_t>&) {
    not_configured();
}

GroupSums group_sums_cuda(const ConditionCounts&, const GroupSumsRequest&,
                          const GroupSumsCudaOptions&) {
    not_configured();
}

} // namespace memlif
