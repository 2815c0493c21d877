// SPDX-License-Identifier: MIT
//! \file cuda/check.cuh
//! MEMLIF_CUDA_CHECK(expr): turns a failed CUDA runtime call into memlif::CudaError whose message
//! names the call and its file:line, so a user sees which step failed (exit code 1 in main).
//! Only the runtime API header is needed, so device.cpp (host compiler) can use it as well.
#pragma once

#include "cuda_backend.hpp"

#include <cuda_runtime_api.h>

#include <string>

namespace memlif {
namespace detail {

[[noreturn]] inline void throw_cuda_error(cudaError_t err, const char* call, const char* file,
                                          int line) {
    // Generic: the sweep adds its own out-of-memory hint (sweep_pipeline.cpp), where there is a
    // run file to resume; analyze and the device protocols have none.
    throw CudaError(std::string("CUDA error in `") + call + "` at " + file + ":" +
                        std::to_string(line) + ": " + cudaGetErrorName(err) + ": " +
                        cudaGetErrorString(err),
                    err == cudaErrorMemoryAllocation);
}

inline void cuda_check(cudaError_t err, const char* call, const char* file, int line) {
    if (err != cudaSuccess) throw_cuda_error(err, call, file, line);
}

} // namespace detail
} // namespace memlif

#define MEMLIF_CUDA_CHECK(expr) ::memlif::detail::cuda_check((expr), #expr, __FILE__, __LINE__)

//! After a <<<...>>> launch: a bad configuration shows up in cudaGetLastError, a fault inside the
//! kernel only at the next synchronising call, which is checked with MEMLIF_CUDA_CHECK as well.
#define MEMLIF_CUDA_CHECK_LAUNCH(name)                                                             \
    ::memlif::detail::cuda_check(cudaGetLastError(), "launch of " name, __FILE__, __LINE__)
