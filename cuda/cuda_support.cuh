// SPDX-License-Identifier: MIT
//! \file cuda/cuda_support.cuh
//! The CUDA runtime plumbing every source of cuda/ shares: RAII holders of device memory,
//! page-locked memory, streams and events; host <-> device copies; launch geometry and the
//! grid-stride loop; the "is there a device" checks that come before any allocation.
//! Only the runtime API header is needed, so host-compiled sources (sweep_pipeline.cpp) include it
//! as well; MEMLIF_GRID_STRIDE is for device code.
//!
//! Destructors never throw: after a sticky kernel fault every free fails, and the original
//! CudaError is the one the user must see.
#pragma once

#include "check.cuh"
#include "cuda_backend.hpp"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace memlif {
namespace detail {

//! Threads per block of every kernel of cuda/ (the trial kernel's __launch_bounds__ too).
constexpr int k_block = 256;

//! Blocks for n items in a grid-stride kernel: enough for one item per thread, at least 1, at most
//! 2^30 (each thread then strides).
inline unsigned grid_for(std::uint64_t n) {
    const std::uint64_t blocks = (n + k_block - 1) / k_block;
    return static_cast<unsigned>(
        std::max<std::uint64_t>(1, std::min<std::uint64_t>(blocks, 1u << 30)));
}

//! n rounded up to 256 bytes (the alignment of every device allocation the memory plans count).
inline std::size_t align_up(std::size_t n) { return (n + 255) & ~std::size_t(255); }

//! Throws CudaError("<what>: no CUDA device available ...") when there is none. Called before any
//! allocation: without a driver the first cudaMalloc would fail with a less telling runtime error
//! (architecture.md §3.2 #7).
inline void require_device(const char* what) {
    if (device_count() == 0)
        throw CudaError(std::string(what) + ": no CUDA device available (no driver, no GPU, or "
                                            "MEMLIF_DISABLE_DEVICE=1)");
}

//! Throws CudaError("<what>: no CUDA device N") unless `device` is a usable device index.
inline void require_device_index(const char* what, int device) {
    if (device < 0 || device >= device_count())
        throw CudaError(std::string(what) + ": no CUDA device " + std::to_string(device));
}

//! require_device, require_device_index, then makes `device` current on this thread.
inline void select_device(const char* what, int device) {
    require_device(what);
    require_device_index(what, device);
    MEMLIF_CUDA_CHECK(cudaSetDevice(device));
}

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

//! Page-locked host memory, for copies that overlap with kernels.
template <class T> class PinnedBuffer {
  public:
    PinnedBuffer() = default;
    PinnedBuffer(const PinnedBuffer&) = delete;
    PinnedBuffer& operator=(const PinnedBuffer&) = delete;
    ~PinnedBuffer() { release(); }
    void reset(std::size_t n) {
        release();
        if (n > 0) MEMLIF_CUDA_CHECK(cudaMallocHost(reinterpret_cast<void**>(&p_), n * sizeof(T)));
        n_ = n;
    }
    T* get() const { return p_; }
    std::size_t size() const { return n_; }

  private:
    void release() {
        if (p_) (void)cudaFreeHost(p_);
        p_ = nullptr;
        n_ = 0;
    }
    T* p_ = nullptr;
    std::size_t n_ = 0;
};

class Stream {
  public:
    Stream() { MEMLIF_CUDA_CHECK(cudaStreamCreateWithFlags(&s_, cudaStreamNonBlocking)); }
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
    ~Stream() { (void)cudaStreamDestroy(s_); }
    cudaStream_t get() const { return s_; }

  private:
    cudaStream_t s_ = nullptr;
};

class Event {
  public:
    explicit Event(bool timing = false) {
        MEMLIF_CUDA_CHECK(
            cudaEventCreateWithFlags(&e_, timing ? cudaEventDefault : cudaEventDisableTiming));
    }
    Event(const Event&) = delete;
    Event& operator=(const Event&) = delete;
    ~Event() { (void)cudaEventDestroy(e_); }
    cudaEvent_t get() const { return e_; }

  private:
    cudaEvent_t e_ = nullptr;
};

//! n elements host -> device (synchronous); nothing for n = 0.
template <class T> void upload(T* dst, const T* src, std::size_t n) {
    if (n > 0) MEMLIF_CUDA_CHECK(cudaMemcpy(dst, src, n * sizeof(T), cudaMemcpyHostToDevice));
}

//! The whole vector into d, grown to hold it.
template <class T> void upload(DeviceBuffer<T>& d, const std::vector<T>& h) {
    d.ensure(h.size());
    upload(d.get(), h.data(), h.size());
}

//! n elements device -> host (synchronous); nothing for n = 0.
template <class T> void download(T* dst, const T* src, std::size_t n) {
    if (n > 0) MEMLIF_CUDA_CHECK(cudaMemcpy(dst, src, n * sizeof(T), cudaMemcpyDeviceToHost));
}

//! n elements of device memory into h, resized to n.
template <class T> void download(std::vector<T>& h, const T* d, std::size_t n) {
    h.resize(n);
    download(h.data(), d, n);
}

//! n elements device -> host, ordered on `stream` (dst should be page-locked to overlap).
template <class T> void download_async(T* dst, const T* src, std::size_t n, cudaStream_t stream) {
    if (n > 0)
        MEMLIF_CUDA_CHECK(cudaMemcpyAsync(dst, src, n * sizeof(T), cudaMemcpyDeviceToHost, stream));
}

} // namespace detail
} // namespace memlif

//! for (u64 i = this thread's first item; i < n; i += all threads of the grid): the loop of every
//! element-wise kernel, so that any grid size covers any n.
#define MEMLIF_GRID_STRIDE(i, n)                                                                   \
    for (std::uint64_t i = blockIdx.x * static_cast<std::uint64_t>(blockDim.x) + threadIdx.x;      \
         i < (n); i += static_cast<std::uint64_t>(gridDim.x) * blockDim.x)
