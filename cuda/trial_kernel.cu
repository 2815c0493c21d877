// SPDX-License-Identifier: MIT
//! \file cuda/trial_kernel.cu
//! The trial kernels: one thread per trial calling the same kernels/ physics as the CPU backend
//! (run_trial_impl for the fixed step, run_exact_trial_impl for the exact solver), their launchers
//! (trial_launch.hpp) and simulate_words_cuda / simulate_exact_words_cuda. Alone in their
//! translation unit so that their ptxas resource report (-DMEMLIF_CUDA_PTXAS_VERBOSE=ON) is the
//! first thing to read when the physics changes.
#include "cuda_backend.hpp"
#include "cuda_support.cuh"
#include "trial_launch.hpp"

#include "memlif/kernels/exact_trial.hpp"
#include "memlif/kernels/trial.hpp"
#include "memlif/kernels/trial_id.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

//! Minimum resident blocks per SM for the trial kernel. 6 x 256 threads caps it at 40 registers,
//! which ptxas meets without spills (75 % occupancy); 8 forces 32 registers but spills a few
//! bytes. Override with -DMEMLIF_CUDA_MIN_BLOCKS=N (CMake option of the same name) to compare.
#ifndef MEMLIF_CUDA_MIN_BLOCKS
#define MEMLIF_CUDA_MIN_BLOCKS 6
#endif

//! Minimum resident blocks per SM for the exact kernel. Its event walk holds the bin's spikes and
//! double state: ptxas (sm_90, nvcc 13) gives 116 registers and no spill at 2 x 256 threads, spills
//! at 3 (80 registers) and badly at 6 (40 registers, 6.5 KB), see bench/RESULTS.md.
#ifndef MEMLIF_CUDA_EXACT_MIN_BLOCKS
#define MEMLIF_CUDA_EXACT_MIN_BLOCKS 2
#endif

namespace memlif {
namespace {

using detail::k_block;

//! The fixed step's trial (run_trial_impl), specialised on back-spikes as run_trial dispatches on
//! p.backspike.enabled, so that the default path does not pay the registers of the
//! double-precision back-spike interval draw.
template <bool Backspikes> struct FixedStepTrial {
    static constexpr int min_blocks = MEMLIF_CUDA_MIN_BLOCKS;
    SimParams p;
    SynapseDrive d;
    __device__ TrialResult operator()(std::uint32_t code, std::uint64_t trial_id) const {
        return detail::run_trial_impl<Backspikes>(p, d, code, trial_id);
    }
};

//! The exact solver's trial (run_exact_trial_impl), specialised the same way.
template <bool Backspikes> struct ExactTrial {
    static constexpr int min_blocks = MEMLIF_CUDA_EXACT_MIN_BLOCKS;
    ExactParams p;
    ExactDrive d;
    __device__ TrialResult operator()(std::uint32_t code, std::uint64_t trial_id) const {
        ExactNoObserver obs;
        return detail::run_exact_trial_impl<Backspikes>(p, d, code, trial_id, obs);
    }
};

//! One thread = one trial of `trial` (FixedStepTrial or ExactTrial, passed by value in kernel
//! parameter space). Trial t is stimulus codes[t / n_repeats], repeat t % n_repeats.
template <class Trial>
__global__ void __launch_bounds__(k_block, Trial::min_blocks)
    trial_kernel(const Trial trial, std::uint32_t condition,
                 const std::uint16_t* __restrict__ codes, std::uint32_t n_repeats,
                 std::uint64_t n_trials, std::uint64_t* __restrict__ words,
                 unsigned long long* __restrict__ spike_sum) {
    const std::uint64_t t = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    unsigned spikes = 0;
    if (t < n_trials) {
        const std::uint64_t s = t / n_repeats;
        const auto repeat = static_cast<std::uint32_t>(t - s * n_repeats);
        const std::uint32_t code = codes[s];
        const TrialResult r = trial(code, make_trial_id(condition, code, repeat));
        words[t] = r.word;
        spikes = r.n_spikes;
    }
    // One atomic per warp, not per trial: the spike total is only for the mean-rate diagnostic.
    for (int off = 16; off > 0; off >>= 1) spikes += __shfl_down_sync(0xFFFFFFFFu, spikes, off);
    if ((threadIdx.x & 31u) == 0 && spikes != 0) atomicAdd(spike_sum, spikes);
}

//! Enqueues trial_kernel<Trial<back-spikes on?>> for n_trials trials on `stream`.
template <template <bool> class Trial, class Params, class Drive>
void launch(const Params& p, const Drive& d, std::uint32_t condition, const std::uint16_t* d_codes,
            std::uint32_t n_repeats, std::uint64_t n_trials, std::uint64_t* d_words,
            unsigned long long* d_spike_sum, void* stream) {
    if (n_trials == 0) return;
    const std::uint64_t blocks = (n_trials + k_block - 1) / k_block;
    if (blocks > 0x7FFFFFFFull)
        throw CudaError("launch of trial_kernel: too many trials in one launch");
    const cudaStream_t st = static_cast<cudaStream_t>(stream);
    const auto b = static_cast<unsigned>(blocks);
    if (p.backspike.enabled) {
        trial_kernel<<<b, k_block, 0, st>>>(Trial<true>{p, d}, condition, d_codes, n_repeats,
                                            n_trials, d_words, d_spike_sum);
    } else {
        trial_kernel<<<b, k_block, 0, st>>>(Trial<false>{p, d}, condition, d_codes, n_repeats,
                                            n_trials, d_words, d_spike_sum);
    }
    MEMLIF_CUDA_CHECK_LAUNCH("trial_kernel");
}

//! Trials of `codes` x n_repeats of one condition, in chunks of at most 2^24 trials, each chunk
//! enqueued by launch(d_codes, n_trials, d_words, d_spikes) and copied back.
template <class Launch>
std::vector<std::uint64_t> simulate_chunked(const char* what,
                                            const std::vector<std::uint16_t>& codes,
                                            std::uint32_t n_repeats, const Launch& launch) {
    detail::require_device(what);
    const std::uint64_t total = std::uint64_t(codes.size()) * n_repeats;
    std::vector<std::uint64_t> words(total);
    if (total == 0) return words;
    const std::uint64_t stim_per_chunk =
        std::max<std::uint64_t>(1, std::min<std::uint64_t>(codes.size(), (1ull << 24) / n_repeats));
    detail::DeviceBuffer<std::uint16_t> d_codes(codes.size());
    detail::DeviceBuffer<std::uint64_t> d_words(stim_per_chunk * n_repeats);
    detail::DeviceBuffer<unsigned long long> d_spikes(1);
    detail::upload(d_codes.get(), codes.data(), codes.size());
    for (std::uint64_t s0 = 0; s0 < codes.size(); s0 += stim_per_chunk) {
        const std::uint64_t n =
            std::min<std::uint64_t>(stim_per_chunk, codes.size() - s0) * n_repeats;
        launch(d_codes.get() + s0, n, d_words.get(), d_spikes.get());
        detail::download(words.data() + s0 * n_repeats, d_words.get(), n);
    }
    return words;
}

} // namespace

void launch_trial_kernel(const SimParams& p, const SynapseDrive& d, std::uint32_t condition,
                         const std::uint16_t* d_codes, std::uint32_t n_repeats,
                         std::uint64_t n_trials, std::uint64_t* d_words,
                         unsigned long long* d_spike_sum, void* stream) {
    launch<FixedStepTrial>(p, d, condition, d_codes, n_repeats, n_trials, d_words, d_spike_sum,
                           stream);
}

void launch_exact_trial_kernel(const ExactParams& p, const ExactDrive& d, std::uint32_t condition,
                               const std::uint16_t* d_codes, std::uint32_t n_repeats,
                               std::uint64_t n_trials, std::uint64_t* d_words,
                               unsigned long long* d_spike_sum, void* stream) {
    launch<ExactTrial>(p, d, condition, d_codes, n_repeats, n_trials, d_words, d_spike_sum, stream);
}

std::vector<std::uint64_t> simulate_words_cuda(const SimParams& p, const SynapseDrive& d,
                                               std::uint32_t condition,
                                               const std::vector<std::uint16_t>& codes,
                                               std::uint32_t n_repeats) {
    return simulate_chunked(
        "simulate_words_cuda", codes, n_repeats,
        [&](const std::uint16_t* c, std::uint64_t n, std::uint64_t* w, unsigned long long* spikes) {
            launch_trial_kernel(p, d, condition, c, n_repeats, n, w, spikes, nullptr);
        });
}

std::vector<std::uint64_t> simulate_exact_words_cuda(const ExactParams& p, const ExactDrive& d,
                                                     std::uint32_t condition,
                                                     const std::vector<std::uint16_t>& codes,
                                                     std::uint32_t n_repeats) {
    return simulate_chunked(
        "simulate_exact_words_cuda", codes, n_repeats,
        [&](const std::uint16_t* c, std::uint64_t n, std::uint64_t* w, unsigned long long* spikes) {
            launch_exact_trial_kernel(p, d, condition, c, n_repeats, n, w, spikes, nullptr);
        });
}

} // namespace memlif
