// SPDX-License-Identifier: MIT
//! \file cuda/cuda_backend.cu
//! The CUDA backend: one thread per trial calling the same kernels/ physics as the CPU backend,
//! per-stimulus counts n(r|s) and the plug-in measures reduced on the device with CUB, and a
//! two-slot pipeline that simulates chunk k+1 while chunk k is reduced and copied back, while the
//! caller's thread hands finished conditions to the sink (HDF5 writing) in condition order.
//!
//! Only counts, a few scalars and per-stimulus results cross to the host (plus the raw words when
//! SweepSpec::keep_trial_words asks for them).
#include "check.cuh"
#include "cuda_backend.hpp"
#include "device_buffer.cuh"
#include "trial_launch.hpp"

#include "memlif/kernels/entropy.hpp"
#include "memlif/kernels/trial.hpp"
#include "memlif/kernels/trial_id.hpp"

#include <cub/block/block_reduce.cuh>
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_reduce.cuh>
#include <cub/device/device_scan.cuh>
#include <cub/device/device_segmented_sort.cuh>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/iterator/transform_iterator.h>

#include <cuda_runtime.h>
#include <math_constants.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

namespace memlif {
namespace {

constexpr int k_block = 256;
//! Minimum resident blocks per SM for the trial kernel. 6 x 256 threads caps it at 40 registers,
//! which ptxas meets without spills (75 % occupancy); 8 forces 32 registers but spills a few
//! bytes. Override with -DMEMLIF_CUDA_MIN_BLOCKS=N (CMake option of the same name) to compare.
#ifndef MEMLIF_CUDA_MIN_BLOCKS
#define MEMLIF_CUDA_MIN_BLOCKS 6
#endif
//! Upper bound on trials per chunk: ~0.2 s of kernel at the H100 goal, so two slots overlap well
//! while pinned staging stays a few hundred MB.
constexpr std::uint64_t k_default_chunk_cap = 1ull << 23;

// ---------------------------------------------------------------------------------------------
// RAII holders. Destructors never throw: after a sticky kernel fault every free fails, and the
// original CudaError is the one the user must see.

using detail::DeviceBuffer;


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

std::size_t align_up(std::size_t n) { return (n + 255) & ~std::size_t(255); }

std::uint64_t word_mask(std::uint32_t n_bins) {
    return n_bins >= 64 ? ~0ull : ((1ull << n_bins) - 1ull);
}

unsigned grid_for(std::uint64_t n) {
    const std::uint64_t blocks = (n + k_block - 1) / k_block;
    return static_cast<unsigned>(
        std::max<std::uint64_t>(1, std::min<std::uint64_t>(blocks, 1u << 30)));
}

void require_device(const char* what) {
    // Checked before any cudaMalloc: without a driver even a device_vector would throw (§3.2 #7).
    if (device_count() == 0)
        throw CudaError(
            std::string(what) +
            ": no CUDA device available (no driver, no GPU, or MEMLIF_DISABLE_DEVICE=1)");
}

// ---------------------------------------------------------------------------------------------
// Trial kernel.

//! One thread = one trial. The kernel is specialised on back-spikes (as run_trial dispatches on
//! p.backspike.enabled) so that the default path does not pay the registers of the double-precision
//! back-spike interval draw. SimParams is passed by value (kernel parameter space).
template <bool Backspikes>
__global__ void __launch_bounds__(k_block, MEMLIF_CUDA_MIN_BLOCKS)
    trial_kernel(const SimParams p, const SynapseDrive d, std::uint32_t condition,
                 const std::uint16_t* __restrict__ codes, std::uint32_t n_repeats,
                 std::uint64_t n_trials, std::uint64_t* __restrict__ words,
                 unsigned long long* __restrict__ spike_sum) {
    const std::uint64_t t = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    unsigned spikes = 0;
    if (t < n_trials) {
        const std::uint64_t s = t / n_repeats;
        const auto repeat = static_cast<std::uint32_t>(t - s * n_repeats);
        const std::uint32_t code = codes[s];
        const TrialResult r =
            detail::run_trial_impl<Backspikes>(p, d, code, make_trial_id(condition, code, repeat));
        words[t] = r.word;
        spikes = r.n_spikes;
    }
    // One atomic per warp, not per trial: the spike total is only for the mean-rate diagnostic.
    for (int off = 16; off > 0; off >>= 1) spikes += __shfl_down_sync(0xFFFFFFFFu, spikes, off);
    if ((threadIdx.x & 31u) == 0 && spikes != 0) atomicAdd(spike_sum, spikes);
}

void launch_trials(const SimParams& p, const SynapseDrive& d, std::uint32_t condition,
                   const std::uint16_t* d_codes, std::uint32_t n_repeats, std::uint64_t n_trials,
                   std::uint64_t* d_words, unsigned long long* d_spike_sum, cudaStream_t stream) {
    if (n_trials == 0) return;
    const std::uint64_t blocks = (n_trials + k_block - 1) / k_block;
    if (blocks > 0x7FFFFFFFull)
        throw CudaError("launch of trial_kernel: too many trials in one launch");
    if (p.backspike.enabled) {
        trial_kernel<true><<<static_cast<unsigned>(blocks), k_block, 0, stream>>>(
            p, d, condition, d_codes, n_repeats, n_trials, d_words, d_spike_sum);
    } else {
        trial_kernel<false><<<static_cast<unsigned>(blocks), k_block, 0, stream>>>(
            p, d, condition, d_codes, n_repeats, n_trials, d_words, d_spike_sum);
    }
    MEMLIF_CUDA_CHECK_LAUNCH("trial_kernel");
}

// ---------------------------------------------------------------------------------------------
// Per-chunk reduction: words (stimulus-major, n_repeats each) -> CSR (word, count) per stimulus.

struct SegmentBegin {
    std::int64_t n_repeats;
    __host__ __device__ std::int64_t operator()(std::int64_t s) const { return s * n_repeats; }
};

using SegmentIter =
    thrust::transform_iterator<SegmentBegin, thrust::counting_iterator<std::int64_t>>;

SegmentIter segment_begins(std::uint32_t n_repeats) {
    return thrust::make_transform_iterator(thrust::make_counting_iterator<std::int64_t>(0),
                                           SegmentBegin{n_repeats});
}

struct ChunkScalars {
    unsigned int m;            //!< distinct (stimulus, word) entries in the chunk
    unsigned long long spikes; //!< output spikes of the chunk
};

//! A run starts at every segment start and wherever the sorted word changes.
__global__ void run_heads_kernel(const std::uint64_t* __restrict__ sorted, std::uint32_t n_repeats,
                                 std::uint64_t n, std::uint32_t* __restrict__ flags) {
    for (std::uint64_t i = blockIdx.x * std::uint64_t(blockDim.x) + threadIdx.x; i < n;
         i += std::uint64_t(gridDim.x) * blockDim.x) {
        flags[i] = (i % n_repeats == 0 || sorted[i] != sorted[i - 1]) ? 1u : 0u;
    }
}

//! Compacts the run heads: entry j = pos[i] gets the word, its first index and its stimulus.
__global__ void run_scatter_kernel(
    const std::uint64_t* __restrict__ sorted, const std::uint32_t* __restrict__ flags,
    const std::uint32_t* __restrict__ pos, std::uint32_t n_repeats, std::uint64_t n,
    std::uint32_t s0, std::uint64_t* __restrict__ out_words, std::uint32_t* __restrict__ start,
    std::uint32_t* __restrict__ out_stim, std::uint32_t* __restrict__ local_off, ChunkScalars* cs) {
    for (std::uint64_t i = blockIdx.x * std::uint64_t(blockDim.x) + threadIdx.x; i < n;
         i += std::uint64_t(gridDim.x) * blockDim.x) {
        const std::uint64_t s = i / n_repeats;
        if (flags[i]) {
            const std::uint32_t j = pos[i];
            out_words[j] = sorted[i];
            start[j] = static_cast<std::uint32_t>(i);
            out_stim[j] = s0 + static_cast<std::uint32_t>(s);
        }
        if (i - s * n_repeats == 0) local_off[s] = pos[i];
        if (i == n - 1) {
            const std::uint32_t m = pos[i] + flags[i];
            cs->m = m;
            local_off[s + 1] = m;
        }
    }
}

//! count(j) = first index of the next run - first index of this run. Segment starts are always
//! heads, so a run never reaches into the next stimulus.
__global__ void run_counts_kernel(const std::uint32_t* __restrict__ start, std::uint64_t n,
                                  const ChunkScalars* cs, std::uint32_t* __restrict__ out_counts) {
    const std::uint32_t m = cs->m;
    for (std::uint64_t j = blockIdx.x * std::uint64_t(blockDim.x) + threadIdx.x; j < m;
         j += std::uint64_t(gridDim.x) * blockDim.x) {
        const std::uint64_t next = (j + 1 < m) ? start[j + 1] : n;
        out_counts[j] = static_cast<std::uint32_t>(next - start[j]);
    }
}

//! Device buffers for one pipeline slot: up to `cap` trials of whole stimuli.
class ChunkReducer {
  public:
    ChunkReducer(std::uint64_t cap, std::uint32_t n_repeats)
        : cap_(cap), n_repeats_(n_repeats), max_stim_(cap / n_repeats) {
        words.reset(cap);
        sorted_.reset(cap);
        flags_.reset(cap);
        pos_.reset(cap);
        out_words.reset(cap);
        out_counts.reset(cap);
        out_stim.reset(cap);
        start_.reset(cap);
        local_off.reset(max_stim_ + 1);
        scalars.reset(1);
        temp_bytes_ = temp_bytes(cap, n_repeats);
        temp_.reset(temp_bytes_);
    }

    //! Device bytes a slot of `cap` trials needs (for sizing chunks from free memory).
    static std::size_t bytes_needed(std::uint64_t cap, std::uint32_t n_repeats) {
        return align_up(cap * (8 + 8 + 4 + 4 + 8 + 4 + 4 + 4)) +
               align_up((cap / n_repeats + 1) * 4) + temp_bytes(cap, n_repeats) + 4096;
    }

    //! Reduces words[0, n) (n = n_stim * n_repeats, stimuli s0..s0+n_stim-1) on `stream`.
    void enqueue(std::uint64_t n, std::uint32_t s0, cudaStream_t stream) {
        const std::int64_t n_stim = static_cast<std::int64_t>(n / n_repeats_);
        const SegmentIter begins = segment_begins(n_repeats_);
        std::size_t bytes = temp_bytes_;
        MEMLIF_CUDA_CHECK(cub::DeviceSegmentedSort::SortKeys(
            temp_.get(), bytes, words.get(), sorted_.get(), static_cast<std::int64_t>(n), n_stim,
            begins, begins + 1, stream));
        run_heads_kernel<<<grid_for(n), k_block, 0, stream>>>(sorted_.get(), n_repeats_, n,
                                                              flags_.get());
        MEMLIF_CUDA_CHECK_LAUNCH("run_heads_kernel");
        bytes = temp_bytes_;
        // 32-bit item count (chunks are < 2^31 trials): CUB's 64-bit-offset scan spills.
        MEMLIF_CUDA_CHECK(cub::DeviceScan::ExclusiveSum(
            temp_.get(), bytes, flags_.get(), pos_.get(), static_cast<std::uint32_t>(n), stream));
        run_scatter_kernel<<<grid_for(n), k_block, 0, stream>>>(
            sorted_.get(), flags_.get(), pos_.get(), n_repeats_, n, s0, out_words.get(),
            start_.get(), out_stim.get(), local_off.get(), scalars.get());
        MEMLIF_CUDA_CHECK_LAUNCH("run_scatter_kernel");
        run_counts_kernel<<<grid_for(n), k_block, 0, stream>>>(start_.get(), n, scalars.get(),
                                                               out_counts.get());
        MEMLIF_CUDA_CHECK_LAUNCH("run_counts_kernel");
    }

    std::uint64_t max_stimuli() const { return max_stim_; }

    DeviceBuffer<std::uint64_t> words;      //!< kernel output, stimulus-major
    DeviceBuffer<std::uint64_t> out_words;  //!< CSR words, ascending within each stimulus
    DeviceBuffer<std::uint32_t> out_counts; //!< CSR counts (<= n_repeats)
    DeviceBuffer<std::uint32_t> out_stim;   //!< global stimulus index of each entry
    DeviceBuffer<std::uint32_t> local_off;  //!< CSR offsets local to the chunk, n_stim + 1
    DeviceBuffer<ChunkScalars> scalars;

  private:
    static std::size_t temp_bytes(std::uint64_t cap, std::uint32_t n_repeats) {
        std::size_t a = 0, b = 0;
        const SegmentIter begins = segment_begins(n_repeats);
        MEMLIF_CUDA_CHECK(cub::DeviceSegmentedSort::SortKeys(
            nullptr, a, static_cast<const std::uint64_t*>(nullptr),
            static_cast<std::uint64_t*>(nullptr), static_cast<std::int64_t>(cap),
            static_cast<std::int64_t>(cap / n_repeats), begins, begins + 1));
        MEMLIF_CUDA_CHECK(cub::DeviceScan::ExclusiveSum(
            nullptr, b, static_cast<const std::uint32_t*>(nullptr),
            static_cast<std::uint32_t*>(nullptr), static_cast<std::uint32_t>(cap)));
        return std::max<std::size_t>(align_up(std::max(a, b)), 256);
    }

    std::uint64_t cap_;
    std::uint32_t n_repeats_;
    std::uint64_t max_stim_;
    DeviceBuffer<std::uint64_t> sorted_;
    DeviceBuffer<std::uint32_t> flags_, pos_, start_;
    DeviceBuffer<unsigned char> temp_;
    std::size_t temp_bytes_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Plug-in measures on the device (same definitions as host/information/plugin.cpp).
//
// The condition's CSR entries are accumulated on the device as chunks finish. The entry count m is
// only known on the device, so every pass runs over the fixed capacity with the tail padded by
// zero-count entries: they add nothing to p(r), H(R) or any count, and no host synchronisation
// is needed before the condition's last chunk is reduced.
//
// Sums are written with __dmul_rn/__dadd_rn so nvcc cannot contract them into FMAs: p(r) is then
// the same sequence of roundings as the host's loop (ascending stimulus within each word).

struct PluginScalars {
    unsigned long long m;              //!< entries accumulated so far
    unsigned long long n_unique;       //!< distinct sorted keys including padding
    unsigned long long distinct_total; //!< distinct responses over real entries (m of the spec)
    unsigned long long n_trials;
    unsigned long long n_used;
    unsigned long long sps_undefined;
    double h_r, h_rs, h_s, mi;
};

__global__ void append_kernel(
    const std::uint64_t* __restrict__ out_words, const std::uint32_t* __restrict__ out_counts,
    const std::uint32_t* __restrict__ out_stim, const std::uint32_t* __restrict__ local_off,
    std::uint32_t n_stim, std::uint32_t s0, const ChunkScalars* cs, const PluginScalars* ps,
    std::uint64_t* __restrict__ acc_words, std::uint64_t* __restrict__ acc_counts,
    std::uint32_t* __restrict__ acc_stim, std::uint64_t* __restrict__ acc_off) {
    const std::uint64_t base = ps->m;
    const std::uint32_t m = cs->m;
    for (std::uint64_t j = blockIdx.x * std::uint64_t(blockDim.x) + threadIdx.x;
         j <= n_stim || j < m; j += std::uint64_t(gridDim.x) * blockDim.x) {
        if (j < m) {
            acc_words[base + j] = out_words[j];
            acc_counts[base + j] = out_counts[j];
            acc_stim[base + j] = out_stim[j];
        }
        if (j <= n_stim) acc_off[s0 + j] = base + local_off[j];
    }
}

//! Separate launch: every thread of append_kernel must read the old base.
__global__ void advance_kernel(const ChunkScalars* cs, PluginScalars* ps) { ps->m += cs->m; }

__global__ void pad_kernel(std::uint64_t cap, std::uint64_t pad_word, std::uint32_t n_stimuli,
                           PluginScalars* ps, std::uint64_t* __restrict__ acc_words,
                           std::uint64_t* __restrict__ acc_counts,
                           std::uint32_t* __restrict__ acc_stim, std::uint32_t* __restrict__ iota,
                           double* __restrict__ hterm) {
    const std::uint64_t m = ps->m;
    for (std::uint64_t j = blockIdx.x * std::uint64_t(blockDim.x) + threadIdx.x; j < cap;
         j += std::uint64_t(gridDim.x) * blockDim.x) {
        iota[j] = static_cast<std::uint32_t>(j);
        hterm[j] = 0.0;
        if (j >= m) {
            acc_words[j] = pad_word;
            acc_counts[j] = 0;
            acc_stim[j] = n_stimuli; // weight[n_stimuli] = 0
        }
    }
    if (blockIdx.x == 0 && threadIdx.x == 0) {
        ps->distinct_total = 0;
        ps->n_unique = 0;
    }
}

//! Per stimulus: N_s, m_s, the weight p(s)/N_s and H(R|s) (entropy_bits_from_counts, shared with
//! the host estimator).
__global__ void
stimulus_counts_kernel(std::uint32_t n_stimuli, const std::uint64_t* __restrict__ acc_off,
                       const std::uint64_t* __restrict__ acc_counts, const double* __restrict__ p_s,
                       std::uint64_t* __restrict__ n_s, std::uint32_t* __restrict__ distinct,
                       double* __restrict__ weight, double* __restrict__ h_r_s) {
    for (std::uint32_t s = blockIdx.x * blockDim.x + threadIdx.x; s <= n_stimuli;
         s += gridDim.x * blockDim.x) {
        if (s == n_stimuli) {
            weight[s] = 0.0;
            continue;
        }
        const std::uint64_t b = acc_off[s], e = acc_off[s + 1];
        std::uint64_t n = 0;
        for (std::uint64_t k = b; k < e; ++k) n += acc_counts[k];
        n_s[s] = n;
        distinct[s] = static_cast<std::uint32_t>(e - b);
        weight[s] = n > 0 ? __ddiv_rn(p_s[s], static_cast<double>(n)) : 0.0;
        h_r_s[s] =
            n > 0 ? entropy_bits_from_counts(acc_counts + b, e - b, static_cast<double>(n)) : 0.0;
    }
}

__global__ void word_heads_kernel(const std::uint64_t* __restrict__ sorted,
                                  const std::uint32_t* __restrict__ idx, std::uint64_t cap,
                                  PluginScalars* ps, std::uint32_t* __restrict__ flags) {
    const std::uint64_t m = ps->m;
    unsigned real_heads = 0;
    for (std::uint64_t i = blockIdx.x * std::uint64_t(blockDim.x) + threadIdx.x; i < cap;
         i += std::uint64_t(gridDim.x) * blockDim.x) {
        const bool head = i == 0 || sorted[i] != sorted[i - 1];
        flags[i] = head ? 1u : 0u;
        // The radix sort is stable, so padding (index >= m) ends each run: a run is a real
        // response exactly when its head is a real entry.
        if (head && idx[i] < m) ++real_heads;
    }
    for (int off = 16; off > 0; off >>= 1)
        real_heads += __shfl_down_sync(0xFFFFFFFFu, real_heads, off);
    if ((threadIdx.x & 31u) == 0 && real_heads != 0) atomicAdd(&ps->distinct_total, real_heads);
}

__global__ void unique_starts_kernel(const std::uint32_t* __restrict__ flags,
                                     const std::uint32_t* __restrict__ uid, std::uint64_t cap,
                                     PluginScalars* ps, std::uint32_t* __restrict__ ustart) {
    for (std::uint64_t i = blockIdx.x * std::uint64_t(blockDim.x) + threadIdx.x; i < cap;
         i += std::uint64_t(gridDim.x) * blockDim.x) {
        if (flags[i]) ustart[uid[i] - 1] = static_cast<std::uint32_t>(i);
        if (i == cap - 1) ps->n_unique = uid[i];
    }
}

//! p(r) = sum_s p(s) n(r|s)/N_s per distinct word, summed in ascending stimulus order, then
//! spread back to every CSR entry (p_r_of_entry) for the surprise pass.
__global__ void marginal_kernel(const std::uint32_t* __restrict__ ustart,
                                const std::uint32_t* __restrict__ idx, std::uint64_t cap,
                                const PluginScalars* ps, const std::uint32_t* __restrict__ acc_stim,
                                const std::uint64_t* __restrict__ acc_counts,
                                const double* __restrict__ weight, double* __restrict__ p_r_entry,
                                double* __restrict__ hterm) {
    const std::uint64_t n_unique = ps->n_unique;
    const std::uint64_t m = ps->m;
    // One response overall has p(r) = 1 exactly (as on the host): MI = 0 must hold exactly.
    const bool single = ps->distinct_total == 1;
    for (std::uint64_t j = blockIdx.x * std::uint64_t(blockDim.x) + threadIdx.x; j < n_unique;
         j += std::uint64_t(gridDim.x) * blockDim.x) {
        const std::uint64_t b = ustart[j];
        const std::uint64_t e = (j + 1 < n_unique) ? ustart[j + 1] : cap;
        // The stable sort leaves the padding (index >= m, all carrying the all-ones word) at the
        // end of that word's run, so the first padding entry ends the real ones. Without the stop
        // one thread would walk all cap - m padding entries, twice.
        double p = 0.0;
        std::uint64_t real_end = b;
        for (; real_end < e && idx[real_end] < m; ++real_end) {
            const std::uint32_t k = idx[real_end];
            p = __dadd_rn(p, __dmul_rn(weight[acc_stim[k]], static_cast<double>(acc_counts[k])));
        }
        if (single && p > 0.0) p = 1.0;
        for (std::uint64_t i = b; i < real_end; ++i)
            p_r_entry[idx[i]] = p;
        hterm[j] = single ? 0.0 : plogp_bits(p);
    }
}

//! Per stimulus: I_1(s) = sum_r p(r|s) log2(p(r|s)/p(r)), I_2(s), SpS(s) and the rank sort key.
__global__ void
surprise_kernel(std::uint32_t n_stimuli, const std::uint64_t* __restrict__ acc_off,
                const std::uint64_t* __restrict__ acc_counts, const double* __restrict__ p_r_entry,
                const std::uint64_t* __restrict__ n_s, const double* __restrict__ h_r_s,
                const std::uint32_t* __restrict__ n_spk, const PluginScalars* ps,
                double* __restrict__ sss, double* __restrict__ sps, double* __restrict__ i2,
                double* __restrict__ rank_key, std::uint32_t* __restrict__ rank_idx) {
    const double nan = CUDART_NAN;
    const double h_r = ps->h_r;
    for (std::uint32_t s = blockIdx.x * blockDim.x + threadIdx.x; s < n_stimuli;
         s += gridDim.x * blockDim.x) {
        const std::uint64_t n = n_s[s];
        double kl = nan, spec = nan, per_spike = nan;
        if (n > 0) {
            kl = 0.0;
            const double dn = static_cast<double>(n);
            for (std::uint64_t k = acc_off[s]; k < acc_off[s + 1]; ++k) {
                const double q = __ddiv_rn(static_cast<double>(acc_counts[k]), dn);
                kl = __dadd_rn(kl, __dmul_rn(q, log2(__ddiv_rn(q, p_r_entry[k]))));
            }
            spec = h_r - h_r_s[s];
            if (n_spk[s] != 0) per_spike = __ddiv_rn(kl, static_cast<double>(n_spk[s]));
        }
        sss[s] = kl;
        i2[s] = spec;
        sps[s] = per_spike;
        // NaN ranks last (and gets rank 0); + 0.0 folds -0.0 into +0.0 so radix order = value
        // order.
        rank_key[s] = isnan(per_spike) ? -CUDART_INF : per_spike + 0.0;
        rank_idx[s] = s;
    }
}

//! One block, fixed striding: the per-stimulus sums come out the same on every run.
__global__ void stimulus_sums_kernel(std::uint32_t n_stimuli, const double* __restrict__ p_s,
                                     const std::uint64_t* __restrict__ n_s,
                                     const double* __restrict__ h_r_s,
                                     const std::uint32_t* __restrict__ n_spk, PluginScalars* ps) {
    using Reduce = cub::BlockReduce<double, 512>;
    using ReduceU = cub::BlockReduce<unsigned long long, 512>;
    __shared__ typename Reduce::TempStorage tmp_d;
    __shared__ typename ReduceU::TempStorage tmp_u;
    double h_rs = 0.0, h_s = 0.0;
    unsigned long long n_trials = 0, n_used = 0, undefined = 0;
    for (std::uint32_t s = threadIdx.x; s < n_stimuli; s += blockDim.x) {
        const std::uint64_t n = n_s[s];
        if (n > 0) {
            h_rs = __dadd_rn(h_rs, __dmul_rn(p_s[s], h_r_s[s]));
            ++n_used;
        }
        h_s += plogp_bits(p_s[s]);
        n_trials += n;
        undefined += n_spk[s] == 0 ? 1u : 0u;
    }
    h_rs = Reduce(tmp_d).Sum(h_rs);
    __syncthreads();
    h_s = Reduce(tmp_d).Sum(h_s);
    n_trials = ReduceU(tmp_u).Sum(n_trials);
    __syncthreads();
    n_used = ReduceU(tmp_u).Sum(n_used);
    __syncthreads();
    undefined = ReduceU(tmp_u).Sum(undefined);
    if (threadIdx.x == 0) {
        ps->h_rs = h_rs;
        ps->h_s = h_s;
        ps->mi = ps->h_r - h_rs;
        ps->n_trials = n_trials;
        ps->n_used = n_used;
        ps->sps_undefined = undefined;
    }
}

__global__ void rank_kernel(std::uint32_t n_stimuli, const std::uint32_t* __restrict__ order,
                            const double* __restrict__ sps, std::uint32_t* __restrict__ rank) {
    for (std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n_stimuli;
         i += gridDim.x * blockDim.x) {
        const std::uint32_t s = order[i];
        rank[s] = isnan(sps[s]) ? 0u : i + 1;
    }
}

//! Page-locked copies of one condition's plug-in results.
struct PluginHost {
    PinnedBuffer<PluginScalars> scalars;
    PinnedBuffer<double> sss, sps, i2, h_r_s;
    PinnedBuffer<std::uint64_t> n_s;
    PinnedBuffer<std::uint32_t> distinct, rank;

    explicit PluginHost(std::size_t n_stimuli) {
        scalars.reset(1);
        sss.reset(n_stimuli);
        sps.reset(n_stimuli);
        i2.reset(n_stimuli);
        h_r_s.reset(n_stimuli);
        n_s.reset(n_stimuli);
        distinct.reset(n_stimuli);
        rank.reset(n_stimuli);
    }

    PluginMeasures result(std::size_t ns) const {
        const PluginScalars& c = *scalars.get();
        PluginMeasures r;
        r.h_r = c.h_r;
        r.h_rs = c.h_rs;
        r.mi = c.mi;
        r.h_s = c.h_s;
        r.n_trials = c.n_trials;
        r.distinct_total = c.distinct_total;
        r.sps_undefined = c.sps_undefined != 0;
        r.n_stimuli_used = static_cast<std::uint32_t>(c.n_used);
        r.n_stimuli_empty = static_cast<std::uint32_t>(ns - c.n_used);
        r.sss.assign(sss.get(), sss.get() + ns);
        r.sps.assign(sps.get(), sps.get() + ns);
        r.i2.assign(i2.get(), i2.get() + ns);
        r.h_r_s.assign(h_r_s.get(), h_r_s.get() + ns);
        r.n_s.assign(n_s.get(), n_s.get() + ns);
        r.distinct_s.assign(distinct.get(), distinct.get() + ns);
        r.rank.assign(rank.get(), rank.get() + ns);
        return r;
    }
};

//! Device accumulator of one condition's CSR entries (capacity `cap`) and the plug-in passes.
class PluginReducer {
  public:
    PluginReducer(std::uint64_t cap, std::uint32_t n_stimuli, const std::vector<double>& p_s,
                  const std::vector<std::uint32_t>& n_spk)
        : cap_(std::max<std::uint64_t>(cap, 1)), ns_(n_stimuli) {
        acc_words.reset(cap_);
        acc_counts.reset(cap_);
        acc_stim.reset(cap_);
        acc_off.reset(ns_ + 1);
        scalars.reset(1);
        sorted_.reset(cap_);
        iota_.reset(cap_);
        idx_.reset(cap_);
        flags_.reset(cap_);
        uid_.reset(cap_);
        ustart_.reset(cap_);
        p_r_entry_.reset(cap_);
        hterm_.reset(cap_);
        p_s_.reset(ns_);
        n_spk_.reset(ns_);
        weight_.reset(ns_ + 1);
        n_s_.reset(ns_);
        distinct_.reset(ns_);
        h_r_s_.reset(ns_);
        sss_.reset(ns_);
        sps_.reset(ns_);
        i2_.reset(ns_);
        key_.reset(ns_);
        key_out_.reset(ns_);
        sidx_.reset(ns_);
        sidx_out_.reset(ns_);
        rank_.reset(ns_);
        temp_bytes_ = temp_bytes(cap_, ns_);
        temp_.reset(temp_bytes_);
        MEMLIF_CUDA_CHECK(
            cudaMemcpy(p_s_.get(), p_s.data(), ns_ * sizeof(double), cudaMemcpyHostToDevice));
        MEMLIF_CUDA_CHECK(cudaMemcpy(n_spk_.get(), n_spk.data(), ns_ * sizeof(std::uint32_t),
                                     cudaMemcpyHostToDevice));
    }

    static std::size_t bytes_needed(std::uint64_t cap, std::uint32_t n_stimuli) {
        return align_up(cap * (8 + 8 + 4 + 8 + 4 + 4 + 4 + 4 + 4 + 8 + 8)) +
               align_up(std::size_t(n_stimuli + 1) * (8 * 10 + 4 * 6)) +
               temp_bytes(std::max<std::uint64_t>(cap, 1), n_stimuli) + 16384;
    }

    //! Starts a new condition (stream-ordered).
    void reset(cudaStream_t stream) {
        MEMLIF_CUDA_CHECK(cudaMemsetAsync(scalars.get(), 0, sizeof(PluginScalars), stream));
        MEMLIF_CUDA_CHECK(
            cudaMemsetAsync(acc_off.get(), 0, (ns_ + 1) * sizeof(std::uint64_t), stream));
    }

    //! Appends a reduced chunk (stream-ordered after its reduction).
    void append(const ChunkReducer& c, std::uint32_t n_stim, std::uint32_t s0, std::uint64_t n,
                cudaStream_t stream) {
        append_kernel<<<grid_for(std::max<std::uint64_t>(n, n_stim + 1)), k_block, 0, stream>>>(
            c.out_words.get(), c.out_counts.get(), c.out_stim.get(), c.local_off.get(), n_stim, s0,
            c.scalars.get(), scalars.get(), acc_words.get(), acc_counts.get(), acc_stim.get(),
            acc_off.get());
        MEMLIF_CUDA_CHECK_LAUNCH("append_kernel");
        advance_kernel<<<1, 1, 0, stream>>>(c.scalars.get(), scalars.get());
        MEMLIF_CUDA_CHECK_LAUNCH("advance_kernel");
    }

    //! All plug-in passes over the accumulated CSR, then the copies into `out` (stream-ordered).
    void enqueue(std::uint32_t n_bins, PluginHost& out, cudaStream_t stream) {
        const std::uint64_t mask = word_mask(n_bins);
        const unsigned gc = grid_for(cap_), gs = grid_for(ns_ + 1);
        pad_kernel<<<gc, k_block, 0, stream>>>(cap_, mask, ns_, scalars.get(), acc_words.get(),
                                               acc_counts.get(), acc_stim.get(), iota_.get(),
                                               hterm_.get());
        MEMLIF_CUDA_CHECK_LAUNCH("pad_kernel");
        stimulus_counts_kernel<<<gs, k_block, 0, stream>>>(ns_, acc_off.get(), acc_counts.get(),
                                                           p_s_.get(), n_s_.get(), distinct_.get(),
                                                           weight_.get(), h_r_s_.get());
        MEMLIF_CUDA_CHECK_LAUNCH("stimulus_counts_kernel");
        // Stable LSD radix sort on the n_bins word bits: equal words keep ascending CSR index,
        // which is ascending stimulus, the host's summation order.
        std::size_t bytes = temp_bytes_;
        MEMLIF_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(
            temp_.get(), bytes, acc_words.get(), sorted_.get(), iota_.get(), idx_.get(), cap_, 0,
            static_cast<int>(n_bins), stream));
        word_heads_kernel<<<gc, k_block, 0, stream>>>(sorted_.get(), idx_.get(), cap_,
                                                      scalars.get(), flags_.get());
        MEMLIF_CUDA_CHECK_LAUNCH("word_heads_kernel");
        bytes = temp_bytes_;
        MEMLIF_CUDA_CHECK(cub::DeviceScan::InclusiveSum(temp_.get(), bytes, flags_.get(),
                                                        uid_.get(),
                                                        static_cast<std::uint32_t>(cap_), stream));
        unique_starts_kernel<<<gc, k_block, 0, stream>>>(flags_.get(), uid_.get(), cap_,
                                                         scalars.get(), ustart_.get());
        MEMLIF_CUDA_CHECK_LAUNCH("unique_starts_kernel");
        marginal_kernel<<<gc, k_block, 0, stream>>>(ustart_.get(), idx_.get(), cap_, scalars.get(),
                                                    acc_stim.get(), acc_counts.get(), weight_.get(),
                                                    p_r_entry_.get(), hterm_.get());
        MEMLIF_CUDA_CHECK_LAUNCH("marginal_kernel");
        bytes = temp_bytes_;
        MEMLIF_CUDA_CHECK(cub::DeviceReduce::Sum(temp_.get(), bytes, hterm_.get(),
                                                 &scalars.get()->h_r, cap_, stream));
        surprise_kernel<<<gs, k_block, 0, stream>>>(ns_, acc_off.get(), acc_counts.get(),
                                                    p_r_entry_.get(), n_s_.get(), h_r_s_.get(),
                                                    n_spk_.get(), scalars.get(), sss_.get(),
                                                    sps_.get(), i2_.get(), key_.get(), sidx_.get());
        MEMLIF_CUDA_CHECK_LAUNCH("surprise_kernel");
        stimulus_sums_kernel<<<1, 512, 0, stream>>>(ns_, p_s_.get(), n_s_.get(), h_r_s_.get(),
                                                    n_spk_.get(), scalars.get());
        MEMLIF_CUDA_CHECK_LAUNCH("stimulus_sums_kernel");
        if (ns_ > 0) {
            // Descending and stable: ties keep ascending stimulus index, as rank_descending does.
            bytes = temp_bytes_;
            MEMLIF_CUDA_CHECK(cub::DeviceRadixSort::SortPairsDescending(
                temp_.get(), bytes, key_.get(), key_out_.get(), sidx_.get(), sidx_out_.get(), ns_,
                0, 64, stream));
            rank_kernel<<<gs, k_block, 0, stream>>>(ns_, sidx_out_.get(), sps_.get(), rank_.get());
            MEMLIF_CUDA_CHECK_LAUNCH("rank_kernel");
        }
        copy_out(out.scalars.get(), scalars.get(), 1, stream);
        copy_out(out.sss.get(), sss_.get(), ns_, stream);
        copy_out(out.sps.get(), sps_.get(), ns_, stream);
        copy_out(out.i2.get(), i2_.get(), ns_, stream);
        copy_out(out.h_r_s.get(), h_r_s_.get(), ns_, stream);
        copy_out(out.n_s.get(), n_s_.get(), ns_, stream);
        copy_out(out.distinct.get(), distinct_.get(), ns_, stream);
        copy_out(out.rank.get(), rank_.get(), ns_, stream);
    }

    DeviceBuffer<std::uint64_t> acc_words, acc_counts;
    DeviceBuffer<std::uint32_t> acc_stim;
    DeviceBuffer<std::uint64_t> acc_off;
    DeviceBuffer<PluginScalars> scalars;

  private:
    template <class T>
    static void copy_out(T* dst, const T* src, std::size_t n, cudaStream_t stream) {
        if (n > 0)
            MEMLIF_CUDA_CHECK(
                cudaMemcpyAsync(dst, src, n * sizeof(T), cudaMemcpyDeviceToHost, stream));
    }

    static std::size_t temp_bytes(std::uint64_t cap, std::uint32_t ns) {
        std::size_t a = 0, b = 0, c = 0, d = 0;
        MEMLIF_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(
            nullptr, a, static_cast<const std::uint64_t*>(nullptr),
            static_cast<std::uint64_t*>(nullptr), static_cast<const std::uint32_t*>(nullptr),
            static_cast<std::uint32_t*>(nullptr), cap, 0, 64));
        MEMLIF_CUDA_CHECK(cub::DeviceScan::InclusiveSum(
            nullptr, b, static_cast<const std::uint32_t*>(nullptr),
            static_cast<std::uint32_t*>(nullptr), static_cast<std::uint32_t>(cap)));
        MEMLIF_CUDA_CHECK(cub::DeviceReduce::Sum(nullptr, c, static_cast<const double*>(nullptr),
                                                 static_cast<double*>(nullptr), cap));
        MEMLIF_CUDA_CHECK(cub::DeviceRadixSort::SortPairsDescending(
            nullptr, d, static_cast<const double*>(nullptr), static_cast<double*>(nullptr),
            static_cast<const std::uint32_t*>(nullptr), static_cast<std::uint32_t*>(nullptr),
            std::max<std::uint32_t>(ns, 1), 0, 64));
        return align_up(std::max({a, b, c, d, std::size_t(256)}));
    }

    std::uint64_t cap_;
    std::uint32_t ns_;
    DeviceBuffer<std::uint64_t> sorted_;
    DeviceBuffer<std::uint32_t> iota_, idx_, flags_, uid_, ustart_;
    DeviceBuffer<double> p_r_entry_, hterm_;
    DeviceBuffer<double> p_s_;
    DeviceBuffer<std::uint32_t> n_spk_;
    DeviceBuffer<double> weight_;
    DeviceBuffer<std::uint64_t> n_s_;
    DeviceBuffer<std::uint32_t> distinct_;
    DeviceBuffer<double> h_r_s_, sss_, sps_, i2_, key_, key_out_;
    DeviceBuffer<std::uint32_t> sidx_, sidx_out_, rank_;
    DeviceBuffer<unsigned char> temp_;
    std::size_t temp_bytes_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Pipeline.

//! One pipeline slot: device buffers, page-locked staging and the events that say when it is done.
struct Slot {
    Slot(std::uint64_t cap, std::uint32_t n_repeats, bool keep_words)
        : reducer(cap, n_repeats), kernel_start(true), kernel_stop(true) {
        h_words.reset(cap);
        h_counts.reset(cap);
        h_off.reset(reducer.max_stimuli() + 1);
        h_scalars.reset(1);
        if (keep_words) h_trial_words.reset(cap);
    }

    ChunkReducer reducer;
    Stream stream;
    Event kernel_start, kernel_stop, copied, appended;
    PinnedBuffer<std::uint64_t> h_words, h_trial_words;
    PinnedBuffer<std::uint32_t> h_counts, h_off;
    PinnedBuffer<ChunkScalars> h_scalars;

    // The chunk in flight.
    bool busy = false;
    std::uint32_t condition = 0, s0 = 0, n_stim = 0;
    std::uint64_t n = 0;
    bool last_of_condition = false;
};

//! Chunk size and whether the plug-in passes fit, from the free device memory.
struct MemoryPlan {
    std::uint64_t chunk_trials = 0;
    bool device_plugin = false;
};

MemoryPlan plan_memory(std::uint64_t trials_per_condition, std::uint32_t n_stimuli,
                       std::uint32_t n_repeats, bool want_plugin, std::size_t max_chunk_trials) {
    std::size_t free_b = 0, total_b = 0;
    MEMLIF_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
    // Headroom for the CUDA context's own growth and for other processes sharing the card.
    const double budget = 0.8 * static_cast<double>(free_b);
    MemoryPlan plan;
    double plugin_b = 0;
    if (want_plugin && trials_per_condition < 0xFFFFFFFFull) {
        plugin_b =
            static_cast<double>(PluginReducer::bytes_needed(trials_per_condition, n_stimuli));
        plan.device_plugin = plugin_b <= 0.5 * budget;
        if (!plan.device_plugin) plugin_b = 0;
    }
    std::uint64_t cap = max_chunk_trials ? max_chunk_trials : k_default_chunk_cap;
    // Chunk-local indices are 32-bit.
    cap = std::min<std::uint64_t>({cap, trials_per_condition, 1ull << 31});
    cap = std::max<std::uint64_t>(cap / n_repeats, 1) * n_repeats;
    while (2.0 * static_cast<double>(ChunkReducer::bytes_needed(cap, n_repeats)) + plugin_b >
           budget) {
        if (cap == n_repeats)
            throw CudaError("run_sweep_cuda: the " + std::to_string(n_repeats) +
                            " repeats of one stimulus do not fit in the free device memory (" +
                            std::to_string(free_b >> 20) + " MiB)");
        cap = std::max<std::uint64_t>(cap / 2 / n_repeats, 1) * n_repeats;
    }
    plan.chunk_trials = cap;
    return plan;
}

//! Bounded hand-over of finished conditions from the GPU thread to the caller's thread.
class OutputQueue {
  public:
    explicit OutputQueue(std::size_t depth) : depth_(depth) {}

    //! Blocks while full; returns false if the consumer has gone.
    bool push(ConditionOutput&& out) {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return q_.size() < depth_ || closed_; });
        if (closed_) return false;
        q_.push_back(std::move(out));
        cv_.notify_all();
        return true;
    }
    void finish(std::exception_ptr err) {
        std::lock_guard<std::mutex> lock(mu_);
        done_ = true;
        err_ = err;
        cv_.notify_all();
    }
    //! Consumer side: stop accepting outputs (stop requested or the sink threw).
    void close() {
        std::lock_guard<std::mutex> lock(mu_);
        closed_ = true;
        cv_.notify_all();
    }
    bool closed() const {
        std::lock_guard<std::mutex> lock(mu_);
        return closed_;
    }

    enum class Pop { item, timeout, done };
    Pop pop(ConditionOutput& out, std::chrono::milliseconds wait) {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, wait, [&] { return !q_.empty() || done_; });
        if (!q_.empty()) {
            out = std::move(q_.front());
            q_.pop_front();
            cv_.notify_all();
            return Pop::item;
        }
        return done_ ? Pop::done : Pop::timeout;
    }
    std::exception_ptr error() const {
        std::lock_guard<std::mutex> lock(mu_);
        return err_;
    }

  private:
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<ConditionOutput> q_;
    std::size_t depth_;
    bool done_ = false, closed_ = false;
    std::exception_ptr err_;
};

void validate_spec(const SweepSpec& spec) {
    if (spec.n_repeats == 0) throw std::invalid_argument("run_sweep_cuda: n_repeats is 0");
    if (spec.stimulus_codes.empty()) throw std::invalid_argument("run_sweep_cuda: no stimuli");
    if (spec.params.n_output_bins < 1 || spec.params.n_output_bins > 64)
        throw std::invalid_argument("run_sweep_cuda: n_output_bins must be in 1..64");
    if (spec.drives.size() > 0x10000)
        throw std::invalid_argument(
            "run_sweep_cuda: at most 65536 conditions (16-bit trial id field)");
    if (!spec.condition_ids.empty() && spec.condition_ids.size() != spec.drives.size())
        throw std::invalid_argument("run_sweep_cuda: condition_ids must name every drive");
    for (std::uint32_t id : spec.condition_ids)
        if (id > 0xFFFF)
            throw std::invalid_argument(
                "run_sweep_cuda: condition id above 65535 (16-bit trial id field)");
}

//! The GPU side of run_sweep_cuda, on its own thread: enqueues chunks into two slots, collects
//! each slot when its next chunk is due, and hands finished conditions to `queue`.
class SweepRunner {
  public:
    SweepRunner(const SweepSpec& spec, const CudaOptions& opts, OutputQueue& queue,
                std::atomic<std::uint64_t>& trials_done)
        : spec_(spec), opts_(opts), queue_(queue), trials_done_(trials_done),
          ns_(static_cast<std::uint32_t>(spec.stimulus_codes.size())), r_(spec.n_repeats) {}

    void run() {
        MEMLIF_CUDA_CHECK(cudaSetDevice(opts_.device));
        const std::uint64_t per_condition = std::uint64_t(ns_) * r_;
        std::vector<std::uint32_t> n_spk = spec_.n_input_spikes;
        if (n_spk.size() != ns_) {
            n_spk.resize(ns_);
            for (std::uint32_t s = 0; s < ns_; ++s)
                n_spk[s] = static_cast<std::uint32_t>(__builtin_popcount(spec_.stimulus_codes[s]));
        }
        const bool want_plugin = spec_.p_s.size() == ns_;
        const MemoryPlan plan =
            plan_memory(per_condition, ns_, r_, want_plugin, opts_.max_chunk_trials);

        d_codes_.reset(ns_);
        MEMLIF_CUDA_CHECK(cudaMemcpy(d_codes_.get(), spec_.stimulus_codes.data(),
                                     ns_ * sizeof(std::uint16_t), cudaMemcpyHostToDevice));
        slots_[0] = std::make_unique<Slot>(plan.chunk_trials, r_, spec_.keep_trial_words);
        slots_[1] = std::make_unique<Slot>(plan.chunk_trials, r_, spec_.keep_trial_words);
        if (plan.device_plugin) {
            plugin_ = std::make_unique<PluginReducer>(per_condition, ns_, spec_.p_s, n_spk);
            plugin_host_[0] = std::make_unique<PluginHost>(ns_);
            plugin_host_[1] = std::make_unique<PluginHost>(ns_);
        }

        const std::uint32_t stim_per_chunk =
            static_cast<std::uint32_t>(std::min<std::uint64_t>(plan.chunk_trials / r_, ns_));
        std::size_t k = 0;
        for (std::uint32_t c = 0; c < spec_.drives.size(); ++c) {
            for (std::uint32_t s0 = 0; s0 < ns_; s0 += stim_per_chunk, ++k) {
                if (queue_.closed()) return drain();
                Slot& slot = *slots_[k % 2];
                if (slot.busy) collect(slot);
                const std::uint32_t n_stim = std::min(stim_per_chunk, ns_ - s0);
                enqueue(slot, c, s0, n_stim, s0 + n_stim == ns_);
            }
        }
        // Collect in enqueue order so conditions leave in order.
        Slot& first = *slots_[k % 2];
        Slot& second = *slots_[(k + 1) % 2];
        if (first.busy) collect(first);
        if (second.busy) collect(second);
    }

  private:
    void enqueue(Slot& slot, std::uint32_t c, std::uint32_t s0, std::uint32_t n_stim, bool last) {
        const cudaStream_t st = slot.stream.get();
        const std::uint64_t n = std::uint64_t(n_stim) * r_;
        MEMLIF_CUDA_CHECK(cudaMemsetAsync(slot.reducer.scalars.get(), 0, sizeof(ChunkScalars), st));
        MEMLIF_CUDA_CHECK(cudaEventRecord(slot.kernel_start.get(), st));
        launch_trials(spec_.params, spec_.drives[c], spec_.condition_id(c), d_codes_.get() + s0, r_,
                      n, slot.reducer.words.get(), &slot.reducer.scalars.get()->spikes, st);
        MEMLIF_CUDA_CHECK(cudaEventRecord(slot.kernel_stop.get(), st));
        slot.reducer.enqueue(n, s0, st);
        // The scalars (entry count m, spikes) and the chunk's CSR offsets come back now; the m
        // entries themselves once collect() has read m, so no uninitialised tail is copied.
        const std::uint32_t s_local_end = n_stim + 1;
        MEMLIF_CUDA_CHECK(cudaMemcpyAsync(slot.h_scalars.get(), slot.reducer.scalars.get(),
                                          sizeof(ChunkScalars), cudaMemcpyDeviceToHost, st));
        MEMLIF_CUDA_CHECK(cudaMemcpyAsync(slot.h_off.get(), slot.reducer.local_off.get(),
                                          s_local_end * sizeof(std::uint32_t),
                                          cudaMemcpyDeviceToHost, st));
        if (spec_.keep_trial_words)
            MEMLIF_CUDA_CHECK(cudaMemcpyAsync(slot.h_trial_words.get(), slot.reducer.words.get(),
                                              n * sizeof(std::uint64_t), cudaMemcpyDeviceToHost,
                                              st));
        if (plugin_) {
            // The accumulator is shared by both streams, so appends are serialised: each waits
            // for the previous one, whose event also covers the previous condition's plug-in pass
            // when that append ended a condition. The wait sits here, after this chunk's
            // simulation and reduction, so that the first chunk of condition c + 1 simulates while
            // condition c's plug-in pass runs on the other stream; only the append waits.
            if (last_append_slot_ && last_append_slot_ != &slot)
                MEMLIF_CUDA_CHECK(cudaStreamWaitEvent(st, last_append_slot_->appended.get(), 0));
            if (s0 == 0)
                plugin_->reset(st);
            plugin_->append(slot.reducer, n_stim, s0, n, st);
            if (last)
                plugin_->enqueue(spec_.params.n_output_bins, *plugin_host_[c % 2], st);
            MEMLIF_CUDA_CHECK(cudaEventRecord(slot.appended.get(), st));
            last_append_slot_ = &slot;
        }
        MEMLIF_CUDA_CHECK(cudaEventRecord(slot.copied.get(), st));
        slot.busy = true;
        slot.condition = c;
        slot.s0 = s0;
        slot.n_stim = n_stim;
        slot.n = n;
        slot.last_of_condition = last;
    }

    //! Waits for the slot's chunk, copies back its m entries (m is known only now; the other slot
    //! keeps the device busy meanwhile) and moves them into the condition being assembled.
    void collect(Slot& slot) {
        const cudaStream_t st = slot.stream.get();
        std::uint32_t m = 0;
        try {
            MEMLIF_CUDA_CHECK(cudaEventSynchronize(slot.copied.get()));
            m = slot.h_scalars.get()->m;
            if (m > 0) {
                MEMLIF_CUDA_CHECK(cudaMemcpyAsync(slot.h_words.get(), slot.reducer.out_words.get(),
                                                  m * sizeof(std::uint64_t), cudaMemcpyDeviceToHost,
                                                  st));
                MEMLIF_CUDA_CHECK(
                    cudaMemcpyAsync(slot.h_counts.get(), slot.reducer.out_counts.get(),
                                    m * sizeof(std::uint32_t), cudaMemcpyDeviceToHost, st));
                MEMLIF_CUDA_CHECK(cudaStreamSynchronize(st));
            }
        } catch (const CudaError& e) {
            // A fault inside a kernel surfaces here, at the first synchronisation: say which chunk.
            slot.busy = false;
            throw CudaError(std::string(e.what()) + " (simulating or reducing condition " +
                            std::to_string(spec_.condition_id(slot.condition)) + ", stimuli " +
                            std::to_string(slot.s0) + ".." +
                            std::to_string(slot.s0 + slot.n_stim - 1) + ")");
        }
        slot.busy = false;
        float ms = 0;
        MEMLIF_CUDA_CHECK(
            cudaEventElapsedTime(&ms, slot.kernel_start.get(), slot.kernel_stop.get()));
        if (slot.s0 == 0) {
            current_ = ConditionOutput{};
            current_.condition = spec_.condition_id(slot.condition);
            current_.counts.n_bins = spec_.params.n_output_bins;
            current_.counts.offsets.assign(1, 0);
            current_.counts.offsets.reserve(ns_ + 1);
            if (spec_.keep_trial_words) current_.trial_words.reserve(std::uint64_t(ns_) * r_);
            spikes_ = 0;
        }
        const ChunkScalars cs = *slot.h_scalars.get();
        ConditionCounts& cc = current_.counts;
        const std::uint64_t base = cc.words.size();
        cc.words.insert(cc.words.end(), slot.h_words.get(), slot.h_words.get() + m);
        cc.counts.insert(cc.counts.end(), slot.h_counts.get(), slot.h_counts.get() + m);
        for (std::uint32_t j = 1; j <= slot.n_stim; ++j)
            cc.offsets.push_back(base + slot.h_off.get()[j]);
        if (spec_.keep_trial_words)
            current_.trial_words.insert(current_.trial_words.end(), slot.h_trial_words.get(),
                                        slot.h_trial_words.get() + slot.n);
        spikes_ += cs.spikes;
        current_.kernel_s += ms * 1e-3;
        trials_done_ += slot.n;
        if (!slot.last_of_condition) return;
        current_.mean_output_spikes =
            static_cast<double>(spikes_) / static_cast<double>(std::uint64_t(ns_) * r_);
        if (plugin_) {
            // The plug-in passes ran on this slot's stream before `copied` was recorded.
            current_.has_device_plugin = true;
            current_.device_plugin = plugin_host_[slot.condition % 2]->result(ns_);
        }
        if (!queue_.push(std::move(current_))) return;
    }

    //! Stop requested: let in-flight work finish so buffers are not freed under the GPU.
    void drain() {
        for (auto& s : slots_)
            if (s && s->busy) MEMLIF_CUDA_CHECK(cudaEventSynchronize(s->copied.get()));
    }

    const SweepSpec& spec_;
    const CudaOptions& opts_;
    OutputQueue& queue_;
    std::atomic<std::uint64_t>& trials_done_;
    std::uint32_t ns_, r_;
    DeviceBuffer<std::uint16_t> d_codes_;
    std::unique_ptr<Slot> slots_[2];
    std::unique_ptr<PluginReducer> plugin_;
    std::unique_ptr<PluginHost> plugin_host_[2];
    Slot* last_append_slot_ = nullptr;
    ConditionOutput current_;
    std::uint64_t spikes_ = 0;
};

} // namespace

// ---------------------------------------------------------------------------------------------
// Public API.

void launch_trial_kernel(const SimParams& p, const SynapseDrive& d, std::uint32_t condition,
                         const std::uint16_t* d_codes, std::uint32_t n_repeats,
                         std::uint64_t n_trials, std::uint64_t* d_words,
                         unsigned long long* d_spike_sum, void* stream) {
    launch_trials(p, d, condition, d_codes, n_repeats, n_trials, d_words, d_spike_sum,
                  static_cast<cudaStream_t>(stream));
}

void run_sweep_cuda(const SweepSpec& spec, ConditionSink& sink, const CudaOptions& opts) {
    require_device("run_sweep_cuda");
    validate_spec(spec);
    if (opts.device < 0 || opts.device >= device_count())
        throw CudaError("run_sweep_cuda: no CUDA device " + std::to_string(opts.device));
    if (spec.drives.empty()) return;

    // The GPU is driven from a worker thread; this (the caller's) thread is the writer: it hands
    // finished conditions to the sink in order while the next ones are simulated.
    OutputQueue queue(2);
    std::atomic<std::uint64_t> trials_done{0};
    std::thread worker([&] {
        std::exception_ptr err;
        try {
            SweepRunner(spec, opts, queue, trials_done).run();
        } catch (...) {
            err = std::current_exception();
        }
        queue.finish(err);
    });
    struct Joiner {
        std::thread& t;
        OutputQueue& q;
        ~Joiner() {
            q.close();
            if (t.joinable()) t.join();
        }
    } joiner{worker, queue};

    std::uint64_t reported = 0;
    for (;;) {
        ConditionOutput out;
        const OutputQueue::Pop r = queue.pop(out, std::chrono::milliseconds(100));
        const std::uint64_t done = trials_done.load();
        if (done != reported) {
            sink.on_progress(done);
            reported = done;
        }
        if (r == OutputQueue::Pop::item) {
            sink.consume(std::move(out));
        } else if (r == OutputQueue::Pop::done) {
            break;
        }
        if (sink.stop_requested()) {
            queue.close();
            break;
        }
    }
    queue.close();
    worker.join();
    // Every finished condition has been consumed before a device error is reported, so completed
    // conductances stay in the output file.
    if (std::exception_ptr err = queue.error()) std::rethrow_exception(err);
}

std::vector<std::uint64_t> simulate_words_cuda(const SimParams& p, const SynapseDrive& d,
                                               std::uint32_t condition,
                                               const std::vector<std::uint16_t>& codes,
                                               std::uint32_t n_repeats) {
    require_device("simulate_words_cuda");
    const std::uint64_t total = std::uint64_t(codes.size()) * n_repeats;
    std::vector<std::uint64_t> words(total);
    if (total == 0) return words;
    const std::uint64_t stim_per_chunk =
        std::max<std::uint64_t>(1, std::min<std::uint64_t>(codes.size(), (1ull << 24) / n_repeats));
    DeviceBuffer<std::uint16_t> d_codes(codes.size());
    DeviceBuffer<std::uint64_t> d_words(stim_per_chunk * n_repeats);
    DeviceBuffer<unsigned long long> d_spikes(1);
    MEMLIF_CUDA_CHECK(cudaMemcpy(d_codes.get(), codes.data(), codes.size() * sizeof(std::uint16_t),
                                 cudaMemcpyHostToDevice));
    for (std::uint64_t s0 = 0; s0 < codes.size(); s0 += stim_per_chunk) {
        const std::uint64_t n =
            std::min<std::uint64_t>(stim_per_chunk, codes.size() - s0) * n_repeats;
        launch_trials(p, d, condition, d_codes.get() + s0, n_repeats, n, d_words.get(),
                      d_spikes.get(), nullptr);
        MEMLIF_CUDA_CHECK(cudaMemcpy(words.data() + s0 * n_repeats, d_words.get(),
                                     n * sizeof(std::uint64_t), cudaMemcpyDeviceToHost));
    }
    return words;
}

ConditionCounts counts_from_words_cuda(const std::vector<std::uint64_t>& words,
                                       std::size_t n_stimuli, std::uint32_t n_repeats,
                                       std::uint32_t n_bins) {
    require_device("counts_from_words_cuda");
    if (n_repeats == 0 || words.size() != n_stimuli * std::uint64_t(n_repeats))
        throw std::invalid_argument(
            "counts_from_words_cuda: words.size() != n_stimuli * n_repeats");
    if (words.size() >= 0xFFFFFFFFull)
        throw std::invalid_argument("counts_from_words_cuda: more than 2^32 - 1 words");
    ConditionCounts c;
    c.n_bins = n_bins;
    c.offsets.assign(1, 0);
    if (words.empty()) {
        c.offsets.assign(n_stimuli + 1, 0);
        return c;
    }
    ChunkReducer red(words.size(), n_repeats);
    MEMLIF_CUDA_CHECK(cudaMemcpy(red.words.get(), words.data(),
                                 words.size() * sizeof(std::uint64_t), cudaMemcpyHostToDevice));
    red.enqueue(words.size(), 0, nullptr);
    ChunkScalars cs{};
    MEMLIF_CUDA_CHECK(cudaMemcpy(&cs, red.scalars.get(), sizeof(cs), cudaMemcpyDeviceToHost));
    std::vector<std::uint32_t> off(n_stimuli + 1), cnt(cs.m);
    c.words.resize(cs.m);
    MEMLIF_CUDA_CHECK(cudaMemcpy(off.data(), red.local_off.get(),
                                 off.size() * sizeof(std::uint32_t), cudaMemcpyDeviceToHost));
    MEMLIF_CUDA_CHECK(cudaMemcpy(c.words.data(), red.out_words.get(), cs.m * sizeof(std::uint64_t),
                                 cudaMemcpyDeviceToHost));
    MEMLIF_CUDA_CHECK(cudaMemcpy(cnt.data(), red.out_counts.get(), cs.m * sizeof(std::uint32_t),
                                 cudaMemcpyDeviceToHost));
    c.offsets.assign(off.begin(), off.end());
    c.counts.assign(cnt.begin(), cnt.end());
    return c;
}

PluginMeasures compute_plugin_cuda(const ConditionCounts& counts, const std::vector<double>& p_s,
                                 const std::vector<std::uint32_t>& n_spk) {
    require_device("compute_plugin_cuda");
    const std::size_t ns = counts.n_stimuli();
    if (ns == 0) return PluginMeasures{};
    if (p_s.size() != ns || n_spk.size() != ns)
        throw std::invalid_argument("compute_plugin_cuda: p_s / n_spk sizes differ from n_stimuli");
    if (counts.words.size() != counts.counts.size() || counts.offsets.back() != counts.words.size())
        throw std::invalid_argument("compute_plugin_cuda: inconsistent CSR counts");
    if (counts.n_bins < 1 || counts.n_bins > 64)
        throw std::invalid_argument("compute_plugin_cuda: n_bins must be in 1..64");
    if (counts.words.size() >= 0xFFFFFFFFull || ns >= 0xFFFFFFFFull)
        throw std::invalid_argument("compute_plugin_cuda: too many entries for 32-bit indices");
    const std::uint64_t m = counts.words.size();
    PluginReducer red(m, static_cast<std::uint32_t>(ns), p_s, n_spk);
    PluginHost host(ns);
    red.reset(nullptr);
    if (m > 0) {
        MEMLIF_CUDA_CHECK(
            cudaMemcpy(red.acc_words.get(), counts.words.data(), m * 8, cudaMemcpyHostToDevice));
        MEMLIF_CUDA_CHECK(
            cudaMemcpy(red.acc_counts.get(), counts.counts.data(), m * 8, cudaMemcpyHostToDevice));
    }
    std::vector<std::uint32_t> stim(m);
    for (std::size_t s = 0; s < ns; ++s)
        for (std::uint64_t k = counts.offsets[s]; k < counts.offsets[s + 1]; ++k)
            stim[k] = static_cast<std::uint32_t>(s);
    if (m > 0)
        MEMLIF_CUDA_CHECK(
            cudaMemcpy(red.acc_stim.get(), stim.data(), m * 4, cudaMemcpyHostToDevice));
    MEMLIF_CUDA_CHECK(
        cudaMemcpy(red.acc_off.get(), counts.offsets.data(), (ns + 1) * 8, cudaMemcpyHostToDevice));
    const unsigned long long m_ull = m;
    MEMLIF_CUDA_CHECK(
        cudaMemcpy(&red.scalars.get()->m, &m_ull, sizeof(m_ull), cudaMemcpyHostToDevice));
    red.enqueue(counts.n_bins, host, nullptr);
    MEMLIF_CUDA_CHECK(cudaDeviceSynchronize());
    return host.result(ns);
}

} // namespace memlif
