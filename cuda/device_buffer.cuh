// SPDX-License-Identifier: MIT
//! \file cuda/device_buffer.cuh
//! RAII device memory shared by the CUDA sources. The destructor never throws: after a sticky
//! kernel fault every free fails, and the original CudaError is the one the user must see.
#pragma once

#include "check.cuh"

#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>

namespace memlif {
namespace detail {

template <class T> class DeviceBuffer {
  public:
    DeviceBuffer() = default;
    explicit DeviceBuffer(std::size_t n) { reset(n); }
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    ~DeviceBuffer() { release(); }
    //! Exactly n elements (none for n = 0); the contents are not kept.
    void reset(std::size_t n) {
        release();
        if (n > 0) MEMLIF_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&p_), n * sizeof(T)));
        n_ = n;
    }
    //! Grows to at least max(n, 1) elements, reusing the allocation when it is large enough.
    void ensure(std::size_t n) {
        if (n <= n_ && p_ != nullptr) return;
        reset(std::max<std::size_t>(n, 1));
    }
    T* get() const { return p_; }
    std::size_t size() const { return n_; }

  private:
    void release() {
        if (p_) (void)cudaFree(p_);
        p_ = nullptr;
        n_ = 0;
    }
    T* p_ = nullptr;
    std::size_t n_ = 0;
};

} // namespace detail
} // namespace memlif
