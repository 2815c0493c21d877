// SPDX-License-Identifier: MIT
//! \file cuda/device.cpp
//! Device discovery. Compiled by the host compiler against the CUDA runtime only: it must work (and
//! report 0) on machines with the toolkit but no driver, where cudaGetDeviceCount fails with
//! cudaErrorInsufficientDriver (architecture.md §3.2 check 7). It never allocates device memory.
#include "check.cuh"
#include "cuda_backend.hpp"

#include <cuda_runtime_api.h>

#include <cstdlib>
#include <cstring>

namespace memlif {

namespace {

//! MEMLIF_DISABLE_DEVICE set to anything but "" or "0" hides every device (Celeritas precedent).
bool device_disabled_by_env() {
    const char* v = std::getenv("MEMLIF_DISABLE_DEVICE");
    return v != nullptr && v[0] != '\0' && std::strcmp(v, "0") != 0;
}

} // namespace

int device_count() {
    if (device_disabled_by_env()) return 0;
    int n = 0;
    const cudaError_t err = cudaGetDeviceCount(&n);
    if (err != cudaSuccess) {
        // No driver, a driver too old for this runtime, or no device at all: all mean "no GPU".
        // Clear the (non-sticky) error so later runtime calls do not report it again.
        (void)cudaGetLastError();
        return 0;
    }
    return n;
}

std::string device_name(int device) {
    if (device < 0 || device >= device_count()) return {};
    cudaDeviceProp prop{};
    MEMLIF_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
    return prop.name;
}

} // namespace memlif
