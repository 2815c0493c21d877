// SPDX-License-Identifier: MIT
//! \file cuda/group_sums_cuda.cu
//! group_sums_cuda (group_sums_cuda.hpp): the replicate tables of the permutation null, the
//! stratified bootstrap and the QE subsamplings (information.md §4.4, §4.6, §4.7), built on the
//! device exactly as the host estimators build them and reduced to plain per-group sums.
//!
//! Pipeline of one call:
//!  1. Condition setup: the distinct words of the condition get ids (their rank), and the
//!     canonical trial list ("pool": stimuli ascending, words ascending, one entry per trial) is
//!     expanded on the device as word ids. Every replicate table only holds words of the
//!     condition, so (group, stimulus, word id) packs into one 64-bit sort key.
//!  2. Replicates, batched by memory: the permutation null and the QE partitions run the host's
//!     Fisher-Yates shuffles exactly, in parallel (below); the bootstrap draws are independent.
//!  3. Evaluation: the keys of all groups of a batch are radix sorted and run-length counted into
//!     cells n(r|s) of each group; a second sort by (group, word, stimulus) gives p(r) and n(r).
//!     Per-(group, stimulus) sums run one thread per segment in the host's order, so H(R|s),
//!     SSS(s) and p(r) agree with the host to the last bits of log(); only the sum over words of
//!     H(R) (and the pooled BayesCount sums) are block trees.
//! The combination of the sums (point estimates, null summary, intervals, QE levels) is the
//! host's: host/information/accelerated_resampling.cpp.
//!
//! Exact draws. The host draws u64 number d of the stream (seed, purpose, replicate) as Philox
//! block d/2, and `below(n)` rejects values under 2^64 mod n (probability < n / 2^64). Each
//! device thread draws at its nominal position d (RandomStream::below_at); if any nominal draw of
//! a replicate is rejected the first real rejection is among them, so the replicate is flagged
//! and its draws are redone sequentially on the host with the host's own RandomStream. Results
//! never depend on batching.
//!
//! Parallel Fisher-Yates. Given its draws, the host shuffle is the swap sequence
//! (i-1, j_i), i = n..2. A swap commutes with every swap on other positions, so any schedule that
//! keeps the order of the swaps touching each position gives the host's permutation. Each round,
//! every pending swap reserves both positions with atomicMin of its sequence index and commits if
//! it holds both (deterministic reservations; Shun, Gu, Blelloch, Fineman & Gibbons, SODA 2015,
//! who also show the dependence depth, hence the number of rounds, is O(log n) w.h.p.).
#include "group_sums_cuda.hpp"

#include "check.cuh"
#include "cuda_support.cuh"

#include "memlif/kernels/bayes_count.hpp"
#include "memlif/kernels/entropy.hpp"
#include "memlif/kernels/random_stream.hpp"
#include "memlif/kernels/rounding.hpp"

#include <cub/block/block_reduce.cuh>
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_select.cuh>
#include <cub/util_type.cuh>

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace memlif {
namespace {

using u32 = std::uint32_t;
using u64 = std::uint64_t;
using u8 = std::uint8_t;

using detail::DeviceBuffer;
using detail::download;
using detail::grid_for;
using detail::k_block;
using detail::upload;

constexpr u32 k_free = 0xFFFFFFFFu; //!< an unreserved position
//! Index limit of the 32-bit positions, cells and swap indices (k_free is never an index).
constexpr u64 k_max_index = 0xFFFFFFF0ull;
constexpr const char* k_what = "group_sums_cuda";

//! Number of bits that hold the values 0 .. n-1.
u32 bits_for(u64 n) {
    u32 b = 0;
    while (b < 64 && (n > 1 ? (n - 1) >> b : 0) != 0) ++b;
    return b;
}

[[noreturn]] void fail(const char* what, const std::string& msg) {
    throw std::invalid_argument(std::string(what) + ": " + msg);
}

// ---------------------------------------------------------------------------------------------
// Device helpers.

//! First index in [0, n) with a[index] > x (n if none).
template <class T> __device__ u64 upper_bound_dev(const T* a, u64 n, T x) {
    u64 lo = 0, hi = n;
    while (lo < hi) {
        const u64 mid = lo + (hi - lo) / 2;
        if (a[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

//! First index in [0, n) with a[index] >= x (n if none).
template <class T> __device__ u64 lower_bound_dev(const T* a, u64 n, T x) {
    u64 lo = 0, hi = n;
    while (lo < hi) {
        const u64 mid = lo + (hi - lo) / 2;
        if (a[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

// ---------------------------------------------------------------------------------------------
// Kernels: condition setup.

__global__ void iota_kernel(u32* a, u64 n) { MEMLIF_GRID_STRIDE(i, n) a[i] = static_cast<u32>(i); }

template <class T> __global__ void head_flags_kernel(const T* sorted, u64 n, u8* flags) {
    MEMLIF_GRID_STRIDE(i, n) flags[i] = (i == 0 || sorted[i] != sorted[i - 1]) ? 1 : 0;
}

__global__ void gather_words_kernel(const u32* heads, u64 n_heads, const u64* sorted, u64* out) {
    MEMLIF_GRID_STRIDE(i, n_heads) out[i] = sorted[heads[i]];
}

__global__ void word_id_kernel(const u64* words, u64 n, const u64* dict, u64 n_dict, u32* wid) {
    MEMLIF_GRID_STRIDE(i, n) wid[i] = static_cast<u32>(lower_bound_dev(dict, n_dict, words[i]));
}

//! Canonical trial t: its word id (entry found in the trial offsets of the entries) and stimulus.
__global__ void pool_kernel(u64 n_trials, const u32* entry_off, u64 n_entries,
                            const u32* wid_of_entry, const u32* trial_off, u64 n_stimuli, u32* pool,
                            u32* stim) {
    MEMLIF_GRID_STRIDE(t, n_trials) {
        const u32 tt = static_cast<u32>(t);
        pool[t] = wid_of_entry[upper_bound_dev(entry_off, n_entries + 1, tt) - 1];
        stim[t] = static_cast<u32>(upper_bound_dev(trial_off, n_stimuli + 1, tt) - 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Kernels: parallel Fisher-Yates.

//! Segments of one copy: segment k occupies positions [seg_pos[k], seg_pos[k+1]) of the copy and
//! owns swaps (= stream draws) [seg_q[k], seg_q[k+1]); copies are laid end to end.
struct ShuffleLayout {
    const u32* seg_pos;
    const u32* seg_q;
    u64 n_seg;
    u64 q_per_copy;
    u64 pos_per_copy;
};

//! Swap q of copy c: draw d = q - c * q_per_copy of stream (seed, purpose, stream_of_copy[c]),
//! step i of its segment's shuffle, positions (i-1, j) shifted to the copy.
__global__ void swap_plan_kernel(u64 seed, RandomPurpose purpose, const u32* stream_of_copy,
                                 u64 n_copies, ShuffleLayout lay, u32* pa, u32* pb, u32* rejected) {
    MEMLIF_GRID_STRIDE(q, n_copies * lay.q_per_copy) {
        const u64 c = q / lay.q_per_copy, d = q % lay.q_per_copy;
        const u64 seg = upper_bound_dev(lay.seg_q, lay.n_seg + 1, static_cast<u32>(d)) - 1;
        const u64 len = lay.seg_pos[seg + 1] - lay.seg_pos[seg];
        const u64 i = len - (d - lay.seg_q[seg]);
        bool rej = false;
        const u64 j = RandomStream::below_at(seed, purpose, stream_of_copy[c], d, i, rej);
        const u64 base = c * lay.pos_per_copy + lay.seg_pos[seg];
        pa[q] = static_cast<u32>(base + i - 1);
        pb[q] = static_cast<u32>(base + j);
        if (rej) rejected[c] = 1;
    }
}

__global__ void reserve_kernel(const u32* pending, u64 n, const u32* pa, const u32* pb,
                               u32* reservation) {
    MEMLIF_GRID_STRIDE(i, n) {
        const u32 q = pending[i];
        atomicMin(&reservation[pa[q]], q);
        atomicMin(&reservation[pb[q]], q);
    }
}

//! A swap holding both reservations has no earlier pending swap on its positions: it runs and
//! frees them. A loser keeps any reservation it won; it stays the smallest pending index there.
__global__ void commit_kernel(const u32* pending, u64 n, const u32* pa, const u32* pb,
                              u32* reservation, u32* values, u8* keep) {
    MEMLIF_GRID_STRIDE(i, n) {
        const u32 q = pending[i];
        const u32 a = pa[q], b = pb[q];
        if (reservation[a] == q && reservation[b] == q) {
            const u32 t = values[a];
            values[a] = values[b];
            values[b] = t;
            reservation[a] = k_free;
            reservation[b] = k_free;
            keep[i] = 0;
        } else {
            keep[i] = 1;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Kernels: replicate items, packed (group, stimulus, word id) keys.

struct KeyLayout {
    u32 s_bits, w_bits;
    __device__ u64 pack(u64 g, u64 s, u64 w) const {
        return (g << (s_bits + w_bits)) | (s << w_bits) | w;
    }
};

//! Copy c of the trial list (already permuted, or the pool itself with stride 0) as group c.
__global__ void copy_items_kernel(u64 n_copies, u64 n_trials, const u32* values, u64 stride,
                                  const u32* stim, KeyLayout kl, u64* keys) {
    MEMLIF_GRID_STRIDE(i, n_copies * n_trials) {
        const u64 c = i / n_trials, p = i % n_trials;
        keys[i] = kl.pack(c, stim[p], values[c * stride + p]);
    }
}

//! Bootstrap replicate rep0 + r: trial t of stimulus s draws below(N_s) at stream position t
//! (the host's draws run over stimuli in order, N_s per stimulus) and copies that canonical trial.
__global__ void bootstrap_items_kernel(u64 seed, RandomPurpose purpose, u32 rep0, u64 n_reps,
                                       u64 n_trials, const u32* stim, const u32* trial_off,
                                       const u32* pool, KeyLayout kl, u64* keys, u32* rejected) {
    MEMLIF_GRID_STRIDE(i, n_reps * n_trials) {
        const u64 r = i / n_trials, t = i % n_trials;
        const u32 s = stim[t];
        const u64 n = trial_off[s + 1] - trial_off[s];
        bool rej = false;
        const u64 u = RandomStream::below_at(seed, purpose, rep0 + static_cast<u32>(r), t, n, rej);
        keys[i] = kl.pack(r, s, pool[trial_off[s] + u]);
        if (rej) rejected[r] = 1;
    }
}

//! QE subsamples of replicate m (copies 2m: halves, 2m+1: quarters). Trial idx of stimulus s
//! in a copy goes to pile j (shuffled: consecutive blocks, j = idx / size; block: round-robin
//! deal, j = idx % k) when idx < k * size, size = floor(N_s / k). Groups of m: 6m + {0, 1} halves,
//! 6m + {2 .. 5} quarters. sub_off[level][s] places the items of each level contiguously.
__global__ void qe_items_kernel(u64 n_reps, u64 n_trials, const u32* values, u64 copy_stride,
                                bool round_robin, const u32* stim, const u32* trial_off,
                                const u32* sub_off, u64 n_stimuli, u64 items_half,
                                u64 items_per_rep, KeyLayout kl, u64* keys) {
    MEMLIF_GRID_STRIDE(i, n_reps * 2 * n_trials) {
        const u64 c = i / n_trials, p = i % n_trials;
        const u64 m = c / 2, level = c % 2, k = level == 0 ? 2 : 4;
        const u32 s = stim[p];
        const u64 idx = p - trial_off[s];
        const u64 size = (trial_off[s + 1] - trial_off[s]) / k;
        if (idx >= k * size) continue;
        const u64 j = round_robin ? idx % k : idx / size;
        const u64 g = m * 6 + (level == 0 ? j : 2 + j);
        const u64 slot = m * items_per_rep + (level == 0 ? 0 : items_half) +
                         sub_off[level * (n_stimuli + 1) + s] + idx;
        keys[slot] = kl.pack(g, s, values[c * copy_stride + p]);
    }
}

// ---------------------------------------------------------------------------------------------
// Kernels: evaluation of the groups of a batch.

__global__ void cells_kernel(const u32* heads, u64 n_cells, const u64* sorted, u64* cell_key,
                             u32* cell_count) {
    MEMLIF_GRID_STRIDE(c, n_cells) {
        cell_key[c] = sorted[heads[c]];
        cell_count[c] = heads[c + 1] - heads[c];
    }
}

//! Start of every (group, stimulus) segment among the cells sorted by (g, s, w).
__global__ void segment_start_kernel(const u64* cell_key, u64 n_cells, u64 n_segments,
                                     u64 n_stimuli, KeyLayout kl, u32* start) {
    MEMLIF_GRID_STRIDE(gs, n_segments + 1) {
        if (gs == n_segments) {
            start[gs] = static_cast<u32>(n_cells);
        } else {
            const u64 key = kl.pack(gs / n_stimuli, gs % n_stimuli, 0);
            start[gs] = static_cast<u32>(lower_bound_dev(cell_key, n_cells, key));
        }
    }
}

//! Per (group, stimulus): N_s, distinct words, plug-in H(R|s) in ascending word order (as
//! entropy_bits_from_counts), the marginal weight p(s)/N_s and, for PT, BayesCount.
__global__ void segment_stats_kernel(const u32* start, const u32* cell_count, u64 n_segments,
                                     u64 n_stimuli, const u32* level_of_group,
                                     const double* p_levels, bool bayes, double r_tot, u32* n_out,
                                     u32* m_out, double* h_out, double* weight_out, double* r_out) {
    MEMLIF_GRID_STRIDE(gs, n_segments) {
        const u32 b = start[gs], e = start[gs + 1];
        u64 n = 0;
        for (u32 c = b; c < e; ++c) n += cell_count[c];
        const double total = static_cast<double>(n);
        const double h = entropy_bits_from_counts(cell_count + b, e - b, total);
        const u64 g = gs / n_stimuli, s = gs % n_stimuli;
        const double p = p_levels[static_cast<u64>(level_of_group[g]) * n_stimuli + s];
        n_out[gs] = static_cast<u32>(n);
        m_out[gs] = e - b;
        h_out[gs] = h;
        weight_out[gs] = n > 0 ? p / total : 0.0;
        r_out[gs] = (bayes && e > b) ? bayes_count_from_counts(cell_count + b, e - b, r_tot) : 0.0;
    }
}

//! Second key (g, w, s) of every cell, carrying the cell index.
__global__ void word_major_kernel(const u64* cell_key, u64 n_cells, KeyLayout kl, u64* key2,
                                  u32* idx) {
    const u64 s_mask = kl.s_bits == 0 ? 0 : (~0ull >> (64 - kl.s_bits));
    const u64 w_mask = kl.w_bits == 0 ? 0 : (~0ull >> (64 - kl.w_bits));
    MEMLIF_GRID_STRIDE(c, n_cells) {
        const u64 k = cell_key[c];
        const u64 w = k & w_mask, s = (k >> kl.w_bits) & s_mask, g = k >> (kl.s_bits + kl.w_bits);
        key2[c] = (g << (kl.w_bits + kl.s_bits)) | (w << kl.s_bits) | s;
        idx[c] = static_cast<u32>(c);
    }
}

//! One thread per run of equal (g, w) among the word-major cells: p(r) = sum_s p(s)/N_s n(r|s)
//! in ascending s (compute_marginal's order, bit for bit), n(r), and -p log2 p at the run head.
//! A group with a single word gets p = 1 and H(R) = 0 exactly, as the host.
__global__ void word_runs_kernel(const u64* key2, const u32* idx, u64 n_cells, KeyLayout kl,
                                 u64 n_stimuli, const u32* cell_count, const double* weight,
                                 double* p_of_cell, double* term, u32* n_r) {
    const u32 gw_shift = kl.s_bits;
    const u32 g_shift = kl.s_bits + kl.w_bits;
    const u64 s_mask = kl.s_bits == 0 ? 0 : (~0ull >> (64 - kl.s_bits));
    MEMLIF_GRID_STRIDE(i, n_cells) {
        const u64 gw = key2[i] >> gw_shift;
        if (i > 0 && (key2[i - 1] >> gw_shift) == gw) {
            term[i] = 0.0;
            n_r[i] = 0;
            continue;
        }
        const u64 g = key2[i] >> g_shift;
        double p = 0.0;
        u64 n = 0, j = i;
        for (; j < n_cells && (key2[j] >> gw_shift) == gw; ++j) {
            const u64 s = key2[j] & s_mask;
            const u32 count = cell_count[idx[j]];
            p = add_product_rn(p, weight[g * n_stimuli + s], static_cast<double>(count));
            n += count;
        }
        const bool first = i == 0 || (key2[i - 1] >> g_shift) != g;
        const bool last = j == n_cells || (key2[j] >> g_shift) != g;
        if (first && last) p = 1.0;
        for (u64 t = i; t < j; ++t) p_of_cell[idx[t]] = p;
        term[i] = plogp_bits(p);
        n_r[i] = static_cast<u32>(n);
    }
}

__global__ void group_start_kernel(const u64* key2, u64 n_cells, u64 n_groups, KeyLayout kl,
                                   u32* start) {
    MEMLIF_GRID_STRIDE(g, n_groups + 1) {
        start[g] =
            g == n_groups
                ? static_cast<u32>(n_cells)
                : static_cast<u32>(lower_bound_dev(key2, n_cells, g << (kl.s_bits + kl.w_bits)));
    }
}

using BlockSum = cub::BlockReduce<double, k_block>;

//! The sums of bayes_count_iteration over the pooled counts n_r[b, e) of one group, by all
//! threads of its block: strided partial sums, a block tree, the result broadcast through shared
//! memory. Every thread calls every method (the iteration's control flow is uniform).
struct BlockBinSums {
    const u32* n_r;
    u32 b, e;
    typename BlockSum::TempStorage* tmp;
    double* bcast;

    __device__ double broadcast_sum(double part) const {
        __syncthreads(); // the previous sum's temporary storage and broadcast are free again
        part = BlockSum(*tmp).Sum(part);
        if (threadIdx.x == 0) *bcast = part;
        __syncthreads();
        return *bcast;
    }
    __device__ double seen_expectation(double r0, double n) const {
        double part = 0.0;
        for (u32 i = b + threadIdx.x; i < e; i += blockDim.x)
            if (n_r[i] != 0) part += pow(1.0 - static_cast<double>(n_r[i]) / n, n);
        return r0 - broadcast_sum(part);
    }
    __device__ double seen_occupancy(double n, double r0, double gamma) const {
        double part = 0.0;
        for (u32 i = b + threadIdx.x; i < e; i += blockDim.x) {
            if (n_r[i] == 0) continue;
            const double post = mul_rn((static_cast<double>(n_r[i]) + 1.0) / (n + r0), 1.0 - gamma);
            part += 1.0 - pow(1.0 - post, n);
        }
        return broadcast_sum(part);
    }
};

//! One block per group: H(R) (block tree over the words), distinct words, N, and for PT the
//! BayesCount of the pooled counts n(r) (the shared iteration, its sums as block trees).
__global__ void __launch_bounds__(k_block)
    group_kernel(const u32* start, const double* term, const u32* n_r, bool bayes, double r_tot,
                 double* h_r, u32* n_words, u64* n_total, double* r_pooled) {
    using ReduceU = cub::BlockReduce<u64, k_block>;
    __shared__ union {
        typename BlockSum::TempStorage d;
        typename ReduceU::TempStorage u;
    } tmp;
    __shared__ double bcast;
    __shared__ u64 bcast_u[2];
    const u64 g = blockIdx.x;
    const u32 b = start[g], e = start[g + 1];
    double h = 0.0;
    u64 words = 0, n = 0;
    for (u32 i = b + threadIdx.x; i < e; i += blockDim.x) {
        h += term[i];
        words += n_r[i] > 0 ? 1 : 0;
        n += n_r[i];
    }
    h = BlockSum(tmp.d).Sum(h);
    __syncthreads();
    words = ReduceU(tmp.u).Sum(words);
    __syncthreads();
    n = ReduceU(tmp.u).Sum(n);
    if (threadIdx.x == 0) {
        h_r[g] = h;
        n_words[g] = static_cast<u32>(words);
        n_total[g] = n;
        bcast_u[0] = words;
        bcast_u[1] = n;
    }
    __syncthreads();
    if (!bayes) return;
    const double r =
        bayes_count_iteration(static_cast<double>(bcast_u[1]), static_cast<double>(bcast_u[0]),
                              r_tot, BlockBinSums{n_r, b, e, &tmp.d, &bcast});
    if (threadIdx.x == 0) r_pooled[g] = r;
}

//! SSS(s) = sum_r q log2(q / p(r)), q = n(r|s)/N_s, in ascending word order (compute_plugin).
__global__ void surprise_kernel(const u32* start, const u32* cell_count, const double* p_of_cell,
                                const u32* n_seg, u64 n_segments, double* kl_out) {
    MEMLIF_GRID_STRIDE(gs, n_segments) {
        const double n = static_cast<double>(n_seg[gs]);
        double kl = 0.0;
        for (u32 c = start[gs]; c < start[gs + 1]; ++c) {
            const double q = static_cast<double>(cell_count[c]) / n;
            kl = add_product_rn(kl, q, log2(q / p_of_cell[c]));
        }
        kl_out[gs] = kl;
    }
}

// ---------------------------------------------------------------------------------------------
// Device state of one condition.

struct Condition {
    std::size_t n_stimuli = 0;
    u64 n_trials = 0;                 //!< N
    u64 n_words = 0;                  //!< distinct words D
    std::vector<u64> n_s;             //!< N_s
    std::vector<u32> trial_off;       //!< S + 1 canonical trial offsets
    DeviceBuffer<u32> d_pool, d_stim; //!< word id and stimulus of every canonical trial
    DeviceBuffer<u32> d_trial_off;
    KeyLayout keys{0, 0};
    u32 s_bits = 0, w_bits = 0;
};

//! CUB temporary storage, grown on demand.
struct Scratch {
    DeviceBuffer<unsigned char> temp;
    std::size_t temp_bytes = 0;
    DeviceBuffer<std::int64_t> num;
    void* get(std::size_t bytes) {
        if (bytes > temp_bytes) {
            temp.ensure(bytes);
            temp_bytes = bytes;
        }
        return temp.get();
    }
};

//! Positions of a[0, n) whose flag is set, in order; returns how many.
u64 select_flagged(Scratch& sc, const u32* in, const u8* flags, u32* out, u64 n) {
    sc.num.ensure(1);
    std::size_t bytes = 0;
    MEMLIF_CUDA_CHECK(cub::DeviceSelect::Flagged(nullptr, bytes, in, flags, out, sc.num.get(),
                                                 static_cast<std::int64_t>(n)));
    void* t = sc.get(bytes);
    MEMLIF_CUDA_CHECK(cub::DeviceSelect::Flagged(t, bytes, in, flags, out, sc.num.get(),
                                                 static_cast<std::int64_t>(n)));
    std::int64_t k = 0;
    MEMLIF_CUDA_CHECK(cudaMemcpy(&k, sc.num.get(), sizeof(k), cudaMemcpyDeviceToHost));
    return static_cast<u64>(k);
}

//! Sorts keys in place (the result may land in either buffer; returns the one holding it).
u64* sort_keys(Scratch& sc, u64* a, u64* b, u64 n, u32 bits) {
    cub::DoubleBuffer<u64> db(a, b);
    if (n > 1) {
        std::size_t bytes = 0;
        const int end_bit = static_cast<int>(std::max<u32>(bits, 1));
        MEMLIF_CUDA_CHECK(cub::DeviceRadixSort::SortKeys(nullptr, bytes, db, n, 0, end_bit));
        void* t = sc.get(bytes);
        MEMLIF_CUDA_CHECK(cub::DeviceRadixSort::SortKeys(t, bytes, db, n, 0, end_bit));
    }
    return db.Current();
}

void setup_condition(const char* what, const ConditionCounts& counts, Condition& c, Scratch& sc) {
    c.n_stimuli = counts.n_stimuli();
    c.n_s.assign(c.n_stimuli, 0);
    c.trial_off.assign(c.n_stimuli + 1, 0);
    u64 total = 0;
    for (std::size_t s = 0; s < c.n_stimuli; ++s) {
        c.n_s[s] = counts.n_trials(s);
        total += c.n_s[s];
        if (total > k_max_index) fail(what, "more than 2^32 - 16 trials (32-bit device indices)");
        c.trial_off[s + 1] = static_cast<u32>(total);
    }
    if (c.n_stimuli > k_max_index) fail(what, "too many stimuli for 32-bit device indices");
    c.n_trials = total;
    const u64 n_entries = counts.words.size();
    std::vector<u32> entry_off(n_entries + 1, 0);
    for (u64 k = 0; k < n_entries; ++k)
        entry_off[k + 1] = entry_off[k] + static_cast<u32>(counts.counts[k]);

    // Dictionary: sort a copy of the words, keep the run heads.
    DeviceBuffer<u64> words, sorted_alt, dict;
    DeviceBuffer<u32> iota, heads, wid, d_entry_off;
    DeviceBuffer<u8> flags;
    upload(words, counts.words);
    sorted_alt.ensure(n_entries);
    DeviceBuffer<u64> words_copy;
    upload(words_copy, counts.words);
    const u64* sorted = sort_keys(sc, words_copy.get(), sorted_alt.get(), n_entries, 64);
    flags.ensure(n_entries);
    iota.ensure(n_entries);
    heads.ensure(n_entries);
    if (n_entries > 0) {
        head_flags_kernel<<<grid_for(n_entries), k_block>>>(sorted, n_entries, flags.get());
        MEMLIF_CUDA_CHECK_LAUNCH("head_flags_kernel");
        iota_kernel<<<grid_for(n_entries), k_block>>>(iota.get(), n_entries);
        MEMLIF_CUDA_CHECK_LAUNCH("iota_kernel");
        c.n_words = select_flagged(sc, iota.get(), flags.get(), heads.get(), n_entries);
    }
    dict.ensure(c.n_words);
    wid.ensure(n_entries);
    if (n_entries > 0) {
        gather_words_kernel<<<grid_for(c.n_words), k_block>>>(heads.get(), c.n_words, sorted,
                                                              dict.get());
        MEMLIF_CUDA_CHECK_LAUNCH("gather_words_kernel");
        word_id_kernel<<<grid_for(n_entries), k_block>>>(words.get(), n_entries, dict.get(),
                                                         c.n_words, wid.get());
        MEMLIF_CUDA_CHECK_LAUNCH("word_id_kernel");
    }
    upload(d_entry_off, entry_off);
    upload(c.d_trial_off, c.trial_off);
    c.d_pool.ensure(c.n_trials);
    c.d_stim.ensure(c.n_trials);
    if (c.n_trials > 0) {
        pool_kernel<<<grid_for(c.n_trials), k_block>>>(c.n_trials, d_entry_off.get(), n_entries,
                                                       wid.get(), c.d_trial_off.get(), c.n_stimuli,
                                                       c.d_pool.get(), c.d_stim.get());
        MEMLIF_CUDA_CHECK_LAUNCH("pool_kernel");
    }
    c.s_bits = bits_for(c.n_stimuli);
    c.w_bits = bits_for(c.n_words);
    c.keys = KeyLayout{c.s_bits, c.w_bits};
    MEMLIF_CUDA_CHECK(cudaDeviceSynchronize());
}

//! Largest group count whose index still fits beside stimulus and word in a 64-bit key.
u64 max_groups_for_keys(const Condition& c) {
    const u32 free_bits = 64 - c.s_bits - c.w_bits;
    return free_bits >= 32 ? (1ull << 32) : (1ull << free_bits);
}

//! Replicates per batch: what the byte budget holds (per_rep bytes each), at least 1, at most
//! total and limit (index and key widths).
u64 batch_size(const GroupSumsCudaOptions& opts, u64 per_rep, u64 total, u64 limit) {
    std::size_t budget = opts.max_batch_bytes;
    if (budget == 0) {
        std::size_t free_b = 0, total_b = 0;
        MEMLIF_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
        budget = free_b / 2;
    }
    u64 b = per_rep > 0 ? budget / per_rep : total;
    b = std::max<u64>(1, std::min<u64>({b, total, limit}));
    return b;
}

// ---------------------------------------------------------------------------------------------
// Parallel Fisher-Yates over copies of the pool.

struct Shuffler {
    DeviceBuffer<u32> pa, pb, pending[2], reservation, stream_of_copy, rejected, seg_pos, seg_q;
    DeviceBuffer<u8> keep;
    std::vector<u32> h_seg_pos, h_seg_q;

    void set_layout(std::vector<u32> pos, std::vector<u32> q) {
        h_seg_pos = std::move(pos);
        h_seg_q = std::move(q);
        upload(seg_pos, h_seg_pos);
        upload(seg_q, h_seg_q);
    }

    //! Shuffles n_copies copies (values laid end to end, pos_per_copy each) with the streams
    //! (seed, purpose, stream_ids[c]), segment by segment as the host's shuffle_in_place calls.
    void run(Scratch& sc, u32* values, u64 pos_per_copy, u64 seed, RandomPurpose purpose,
             const std::vector<u32>& stream_ids) {
        const u64 n_copies = stream_ids.size();
        const u64 n_seg = h_seg_pos.size() - 1;
        const u64 q_per_copy = h_seg_q.back();
        const u64 n_q = n_copies * q_per_copy;
        if (n_q == 0) return;
        pa.ensure(n_q);
        pb.ensure(n_q);
        upload(stream_of_copy, stream_ids);
        rejected.ensure(n_copies);
        MEMLIF_CUDA_CHECK(cudaMemset(rejected.get(), 0, n_copies * sizeof(u32)));
        const ShuffleLayout lay{seg_pos.get(), seg_q.get(), n_seg, q_per_copy, pos_per_copy};
        swap_plan_kernel<<<grid_for(n_q), k_block>>>(seed, purpose, stream_of_copy.get(), n_copies,
                                                     lay, pa.get(), pb.get(), rejected.get());
        MEMLIF_CUDA_CHECK_LAUNCH("swap_plan_kernel");
        std::vector<u32> rej;
        download(rej, rejected.get(), n_copies);
        for (u64 c = 0; c < n_copies; ++c)
            if (rej[c] != 0) redraw_on_host(c, seed, purpose, stream_ids[c], pos_per_copy);

        const u64 n_pos = n_copies * pos_per_copy;
        reservation.ensure(n_pos);
        MEMLIF_CUDA_CHECK(cudaMemset(reservation.get(), 0xFF, n_pos * sizeof(u32)));
        pending[0].ensure(n_q);
        pending[1].ensure(n_q);
        keep.ensure(n_q);
        iota_kernel<<<grid_for(n_q), k_block>>>(pending[0].get(), n_q);
        MEMLIF_CUDA_CHECK_LAUNCH("iota_kernel");
        u64 n = n_q;
        int cur = 0;
        // Every round commits at least the smallest pending swap of each copy.
        for (u64 round = 0; n > 0; ++round) {
            if (round > n_q) throw CudaError("parallel shuffle made no progress");
            reserve_kernel<<<grid_for(n), k_block>>>(pending[cur].get(), n, pa.get(), pb.get(),
                                                     reservation.get());
            MEMLIF_CUDA_CHECK_LAUNCH("reserve_kernel");
            commit_kernel<<<grid_for(n), k_block>>>(pending[cur].get(), n, pa.get(), pb.get(),
                                                    reservation.get(), values, keep.get());
            MEMLIF_CUDA_CHECK_LAUNCH("commit_kernel");
            n = select_flagged(sc, pending[cur].get(), keep.get(), pending[1 - cur].get(), n);
            cur = 1 - cur;
        }
    }

  private:
    //! The host's sequential draws for copy c (some nominal draw was rejected).
    void redraw_on_host(u64 c, u64 seed, RandomPurpose purpose, u32 stream_id, u64 pos_per_copy) {
        RandomStream rng(seed, purpose, stream_id);
        const u64 q_per_copy = h_seg_q.back();
        std::vector<u32> b(q_per_copy);
        for (std::size_t k = 0; k + 1 < h_seg_pos.size(); ++k) {
            const u64 len = h_seg_pos[k + 1] - h_seg_pos[k];
            for (u64 i = len; i > 1; --i) {
                const u64 j = rng.below(i);
                b[h_seg_q[k] + (len - i)] = static_cast<u32>(c * pos_per_copy + h_seg_pos[k] + j);
            }
        }
        MEMLIF_CUDA_CHECK(cudaMemcpy(pb.get() + c * q_per_copy, b.data(), q_per_copy * 4,
                                     cudaMemcpyHostToDevice));
    }
};

// ---------------------------------------------------------------------------------------------
// Evaluation of the groups of a batch.

struct EvalSpec {
    u64 n_groups = 0;
    std::vector<u32> level_of_group; //!< row of p_levels used by each group
    bool bayes_stimuli = false;      //!< PT: BayesCount of every n(.|s)
    bool bayes_pooled = false;       //!< PT: BayesCount of the pooled n(.)
    bool surprise = false;           //!< SSS(s)
    double r_tot = 0;
};

u64 eval_bytes_per_item() { return 8 + 8 + 1 + 4 + 4 + 4 + 8 + 8 + 4; }
u64 eval_bytes_per_segment() { return 4 + 4 + 4 + 8 + 8 + 8 + 8; }

struct Evaluator {
    DeviceBuffer<u64> key_a, key_b;
    DeviceBuffer<u8> flags;
    DeviceBuffer<u32> iota, heads, cell_count, seg_start, group_start, level;
    DeviceBuffer<double> p_of_cell, term, p_levels;
    DeviceBuffer<u32> n_r, seg_n, seg_m, n_words;
    DeviceBuffer<double> seg_h, seg_w, seg_r, seg_kl, h_r, r_pooled;
    DeviceBuffer<u64> n_total;

    void reserve(u64 n_items) {
        key_a.ensure(n_items);
        key_b.ensure(n_items);
    }
    u64* keys() { return key_a.get(); }

    //! Counts the n_items keys written to keys() and evaluates every group of the batch; the
    //! results land in `out` as its groups group0 .. group0 + spec.n_groups - 1.
    void run(Scratch& sc, const Condition& c, u64 n_items, const EvalSpec& spec, GroupSums& out,
             u64 group0) {
        const u64 n_stim = c.n_stimuli, n_groups = spec.n_groups;
        const u64 n_seg = n_groups * n_stim;
        const u32 bits = c.s_bits + c.w_bits + bits_for(n_groups);
        if (bits > 64)
            throw std::invalid_argument("too many stimuli and distinct words for 64-bit keys");
        u64* sorted = sort_keys(sc, key_a.get(), key_b.get(), n_items, bits);
        u64* other = sorted == key_a.get() ? key_b.get() : key_a.get();

        // Cells (g, s, w) with their counts: heads of the sorted runs.
        flags.ensure(n_items);
        iota.ensure(n_items);
        heads.ensure(n_items + 1);
        u64 n_cells = 0;
        if (n_items > 0) {
            head_flags_kernel<<<grid_for(n_items), k_block>>>(sorted, n_items, flags.get());
            MEMLIF_CUDA_CHECK_LAUNCH("head_flags_kernel");
            iota_kernel<<<grid_for(n_items), k_block>>>(iota.get(), n_items);
            MEMLIF_CUDA_CHECK_LAUNCH("iota_kernel");
            n_cells = select_flagged(sc, iota.get(), flags.get(), heads.get(), n_items);
        }
        const u32 end = static_cast<u32>(n_items);
        MEMLIF_CUDA_CHECK(cudaMemcpy(heads.get() + n_cells, &end, 4, cudaMemcpyHostToDevice));
        u64* cell_key = other;
        cell_count.ensure(n_cells);
        if (n_cells > 0) {
            cells_kernel<<<grid_for(n_cells), k_block>>>(heads.get(), n_cells, sorted, cell_key,
                                                         cell_count.get());
            MEMLIF_CUDA_CHECK_LAUNCH("cells_kernel");
        }

        // Per (group, stimulus) segments.
        upload(level, spec.level_of_group);
        seg_start.ensure(n_seg + 1);
        seg_n.ensure(n_seg);
        seg_m.ensure(n_seg);
        seg_h.ensure(n_seg);
        seg_w.ensure(n_seg);
        seg_r.ensure(n_seg);
        segment_start_kernel<<<grid_for(n_seg + 1), k_block>>>(cell_key, n_cells, n_seg, n_stim,
                                                               c.keys, seg_start.get());
        MEMLIF_CUDA_CHECK_LAUNCH("segment_start_kernel");
        if (n_seg > 0) {
            segment_stats_kernel<<<grid_for(n_seg), k_block>>>(
                seg_start.get(), cell_count.get(), n_seg, n_stim, level.get(), p_levels.get(),
                spec.bayes_stimuli, spec.r_tot, seg_n.get(), seg_m.get(), seg_h.get(), seg_w.get(),
                seg_r.get());
            MEMLIF_CUDA_CHECK_LAUNCH("segment_stats_kernel");
        }

        // Word-major order: p(r), n(r), H(R) terms.
        u64* key2 = sorted; // the item keys are no longer needed
        p_of_cell.ensure(n_cells);
        term.ensure(n_cells);
        n_r.ensure(n_cells);
        u32* vals = iota.get();
        if (n_cells > 0) {
            word_major_kernel<<<grid_for(n_cells), k_block>>>(cell_key, n_cells, c.keys, key2,
                                                              vals);
            MEMLIF_CUDA_CHECK_LAUNCH("word_major_kernel");
            cub::DoubleBuffer<u64> kdb(key2, cell_key);
            cub::DoubleBuffer<u32> vdb(vals, heads.get());
            if (n_cells > 1) {
                std::size_t bytes = 0;
                const int end_bit = static_cast<int>(std::max<u32>(bits, 1));
                MEMLIF_CUDA_CHECK(
                    cub::DeviceRadixSort::SortPairs(nullptr, bytes, kdb, vdb, n_cells, 0, end_bit));
                void* t = sc.get(bytes);
                MEMLIF_CUDA_CHECK(
                    cub::DeviceRadixSort::SortPairs(t, bytes, kdb, vdb, n_cells, 0, end_bit));
            }
            key2 = kdb.Current();
            vals = vdb.Current();
            word_runs_kernel<<<grid_for(n_cells), k_block>>>(
                key2, vals, n_cells, c.keys, n_stim, cell_count.get(), seg_w.get(), p_of_cell.get(),
                term.get(), n_r.get());
            MEMLIF_CUDA_CHECK_LAUNCH("word_runs_kernel");
        }
        group_start.ensure(n_groups + 1);
        h_r.ensure(n_groups);
        n_words.ensure(n_groups);
        n_total.ensure(n_groups);
        r_pooled.ensure(n_groups);
        group_start_kernel<<<grid_for(n_groups + 1), k_block>>>(key2, n_cells, n_groups, c.keys,
                                                                group_start.get());
        MEMLIF_CUDA_CHECK_LAUNCH("group_start_kernel");
        group_kernel<<<static_cast<unsigned>(n_groups), k_block>>>(
            group_start.get(), term.get(), n_r.get(), spec.bayes_pooled, spec.r_tot, h_r.get(),
            n_words.get(), n_total.get(), r_pooled.get());
        MEMLIF_CUDA_CHECK_LAUNCH("group_kernel");
        if (spec.surprise) {
            seg_kl.ensure(n_seg);
            if (n_seg > 0) {
                surprise_kernel<<<grid_for(n_seg), k_block>>>(seg_start.get(), cell_count.get(),
                                                              p_of_cell.get(), seg_n.get(), n_seg,
                                                              seg_kl.get());
                MEMLIF_CUDA_CHECK_LAUNCH("surprise_kernel");
            }
        }
        MEMLIF_CUDA_CHECK(cudaDeviceSynchronize());

        const u64 gs0 = group0 * n_stim;
        download(out.h_r.data() + group0, h_r.get(), n_groups);
        download(out.n_words.data() + group0, n_words.get(), n_groups);
        download(out.n_trials.data() + group0, n_total.get(), n_groups);
        if (spec.bayes_pooled) download(out.r_pooled.data() + group0, r_pooled.get(), n_groups);
        download(out.n_s.data() + gs0, seg_n.get(), n_seg);
        download(out.m_s.data() + gs0, seg_m.get(), n_seg);
        download(out.h_rs.data() + gs0, seg_h.get(), n_seg);
        if (spec.bayes_stimuli) download(out.r_s.data() + gs0, seg_r.get(), n_seg);
        if (spec.surprise) download(out.kl.data() + gs0, seg_kl.get(), n_seg);
    }
};

// ---------------------------------------------------------------------------------------------
// The replicate schemes (memlif/core/group_sums.hpp).

//! Sums of n_groups groups, with the optional fields the request asks for.
GroupSums make_sums(u64 n_groups, std::size_t ns, const GroupSumsRequest& q) {
    GroupSums r;
    r.n_groups = n_groups;
    r.n_stimuli = ns;
    r.h_r.resize(n_groups);
    r.n_words.resize(n_groups);
    r.n_trials.resize(n_groups);
    if (q.bayes_pooled) r.r_pooled.resize(n_groups);
    const u64 n_seg = n_groups * ns;
    r.n_s.resize(n_seg);
    r.m_s.resize(n_seg);
    r.h_rs.resize(n_seg);
    if (q.bayes_stimuli) r.r_s.resize(n_seg);
    if (q.surprise) r.kl.resize(n_seg);
    return r;
}

EvalSpec eval_spec(const GroupSumsRequest& q) {
    EvalSpec spec;
    spec.bayes_stimuli = q.bayes_stimuli;
    spec.bayes_pooled = q.bayes_pooled;
    spec.surprise = q.surprise;
    spec.r_tot = q.r_tot;
    return spec;
}

//! The canonical table as one group.
GroupSums observed_sums(Scratch& sc, const Condition& c, Evaluator& ev, const GroupSumsRequest& q) {
    GroupSums out = make_sums(1, c.n_stimuli, q);
    EvalSpec spec = eval_spec(q);
    spec.n_groups = 1;
    spec.level_of_group = {0};
    ev.reserve(c.n_trials);
    if (c.n_trials > 0) {
        copy_items_kernel<<<grid_for(c.n_trials), k_block>>>(1, c.n_trials, c.d_pool.get(), 0,
                                                             c.d_stim.get(), c.keys, ev.keys());
        MEMLIF_CUDA_CHECK_LAUNCH("copy_items_kernel");
    }
    ev.run(sc, c, c.n_trials, spec, out, 0);
    return out;
}

//! Permutations first_replicate + m of all trials across stimuli, each N_s kept.
GroupSums permutation_sums(Scratch& sc, const Condition& c, Evaluator& ev,
                           const GroupSumsRequest& q, const GroupSumsCudaOptions& cuda) {
    const u64 reps = q.replicates;
    GroupSums out = make_sums(reps, c.n_stimuli, q);
    if (reps == 0) return out;
    const u64 n = c.n_trials;
    const u64 per_rep = n * (eval_bytes_per_item() + 4 + 4 + 4 + 8 + 1 + 4) +
                        c.n_stimuli * eval_bytes_per_segment();
    const u64 limit = std::min<u64>(max_groups_for_keys(c), n > 0 ? k_max_index / n : 1);
    const u64 batch = batch_size(cuda, per_rep, reps, limit);
    Shuffler sh;
    sh.set_layout({0, static_cast<u32>(n)}, {0, static_cast<u32>(n > 0 ? n - 1 : 0)});
    DeviceBuffer<u32> values;
    values.ensure(batch * n);
    ev.reserve(batch * n);
    EvalSpec spec = eval_spec(q);
    for (u64 m0 = 0; m0 < reps; m0 += batch) {
        const u64 b = std::min<u64>(batch, reps - m0);
        std::vector<u32> ids(b);
        for (u64 k = 0; k < b; ++k) {
            ids[k] = static_cast<u32>(q.first_replicate + m0 + k);
            if (n > 0)
                MEMLIF_CUDA_CHECK(cudaMemcpy(values.get() + k * n, c.d_pool.get(), n * 4,
                                             cudaMemcpyDeviceToDevice));
        }
        sh.run(sc, values.get(), n, q.seed, RandomPurpose::label_permutation, ids);
        if (n > 0) {
            copy_items_kernel<<<grid_for(b * n), k_block>>>(b, n, values.get(), n, c.d_stim.get(),
                                                            c.keys, ev.keys());
            MEMLIF_CUDA_CHECK_LAUNCH("copy_items_kernel");
        }
        spec.n_groups = b;
        spec.level_of_group.assign(b, 0);
        ev.run(sc, c, b * n, spec, out, m0);
    }
    return out;
}

//! Bootstrap replicates first_replicate + b: N_s draws with replacement within every stimulus.
GroupSums bootstrap_sums(Scratch& sc, const Condition& c, Evaluator& ev, const GroupSumsRequest& q,
                         const GroupSumsCudaOptions& cuda) {
    const u64 reps = q.replicates;
    GroupSums out = make_sums(reps, c.n_stimuli, q);
    if (reps == 0) return out;
    const std::size_t ns = c.n_stimuli;
    const u64 n = c.n_trials;
    const u64 per_rep = n * eval_bytes_per_item() + ns * eval_bytes_per_segment();
    const u64 limit = std::min<u64>(max_groups_for_keys(c), n > 0 ? k_max_index / n : 1);
    const u64 batch = batch_size(cuda, per_rep, reps, limit);
    ev.reserve(batch * n);
    DeviceBuffer<u32> rejected;
    rejected.ensure(batch);
    std::vector<u32> pool_host; // fetched only if some nominal draw is rejected
    EvalSpec spec = eval_spec(q);
    for (u64 b0 = 0; b0 < reps; b0 += batch) {
        const u64 b = std::min<u64>(batch, reps - b0);
        const u32 rep0 = static_cast<u32>(q.first_replicate + b0);
        if (n > 0) {
            MEMLIF_CUDA_CHECK(cudaMemset(rejected.get(), 0, b * sizeof(u32)));
            bootstrap_items_kernel<<<grid_for(b * n), k_block>>>(
                q.seed, RandomPurpose::bootstrap, rep0, b, n, c.d_stim.get(), c.d_trial_off.get(),
                c.d_pool.get(), c.keys, ev.keys(), rejected.get());
            MEMLIF_CUDA_CHECK_LAUNCH("bootstrap_items_kernel");
            std::vector<u32> rej;
            download(rej, rejected.get(), b);
            for (u64 k = 0; k < b; ++k) {
                if (rej[k] == 0) continue;
                // Redo this replicate's draws with the host's stream (a rejection shifted them).
                if (pool_host.empty()) download(pool_host, c.d_pool.get(), n);
                RandomStream rng(q.seed, RandomPurpose::bootstrap, rep0 + static_cast<u32>(k));
                std::vector<u64> keys(n);
                for (std::size_t s = 0; s < ns; ++s)
                    for (u64 t = c.trial_off[s]; t < c.trial_off[s + 1]; ++t) {
                        const u64 u = rng.below(c.n_s[s]);
                        keys[t] = (k << (c.s_bits + c.w_bits)) | (static_cast<u64>(s) << c.w_bits) |
                                  pool_host[c.trial_off[s] + u];
                    }
                upload(ev.keys() + k * n, keys.data(), n);
            }
        }
        spec.n_groups = b;
        spec.level_of_group.assign(b, 0);
        ev.run(sc, c, b * n, spec, out, b0);
    }
    return out;
}

//! The halves and quarters of QE: replicates first_replicate + m of the shuffled partition, or
//! the one block partition. Groups 6m + {0, 1} use p(s) row 0, 6m + {2 .. 5} row 1.
GroupSums qe_sums(Scratch& sc, const Condition& c, Evaluator& ev, const GroupSumsRequest& q,
                  const GroupSumsCudaOptions& cuda) {
    const bool shuffled = q.scheme == ReplicateScheme::qe_shuffled;
    const u64 reps = shuffled ? q.replicates : 1;
    GroupSums out = make_sums(6 * reps, c.n_stimuli, q);
    if (reps == 0) return out;
    const std::size_t ns = c.n_stimuli;
    const u64 n = c.n_trials;
    // Item slots: halves then quarters of each replicate, stimulus blocks of k * floor(N_s/k).
    std::vector<u32> sub_off(2 * (ns + 1), 0);
    for (int li = 0; li < 2; ++li) {
        const u64 k = li == 0 ? 2 : 4;
        u32* off = sub_off.data() + static_cast<std::size_t>(li) * (ns + 1);
        for (std::size_t s = 0; s < ns; ++s)
            off[s + 1] = off[s] + static_cast<u32>(k * (c.n_s[s] / k));
    }
    const u64 items_half = sub_off[ns], items_per_rep = items_half + sub_off[2 * ns + 1];
    DeviceBuffer<u32> d_sub_off;
    upload(d_sub_off, sub_off);

    const u64 per_rep = items_per_rep * eval_bytes_per_item() +
                        (shuffled ? 2 * n * (4 + 4 + 4 + 8 + 1 + 4) : 0) +
                        6 * ns * eval_bytes_per_segment();
    const u64 limit = std::min<u64>(max_groups_for_keys(c) / 6,
                                    k_max_index / std::max<u64>(2 * n, items_per_rep + 1));
    const u64 batch = batch_size(cuda, per_rep, reps, std::max<u64>(limit, 1));
    Shuffler sh;
    {
        std::vector<u32> pos(ns + 1, 0), qq(ns + 1, 0);
        for (std::size_t s = 0; s < ns; ++s) {
            pos[s + 1] = c.trial_off[s + 1];
            qq[s + 1] = qq[s] + static_cast<u32>(c.n_s[s] > 0 ? c.n_s[s] - 1 : 0);
        }
        sh.set_layout(pos, qq);
    }
    DeviceBuffer<u32> values;
    if (shuffled) values.ensure(2 * batch * n);
    ev.reserve(batch * items_per_rep);
    EvalSpec spec = eval_spec(q);
    for (u64 m0 = 0; m0 < reps; m0 += batch) {
        const u64 b = std::min<u64>(batch, reps - m0);
        if (shuffled) {
            // One stream per (replicate, level), as the host: counter word 4m + k, in u32.
            std::vector<u32> ids(2 * b);
            for (u64 k = 0; k < b; ++k) {
                const u64 m = q.first_replicate + m0 + k;
                ids[2 * k] = static_cast<u32>(m * 4u + 2u);
                ids[2 * k + 1] = static_cast<u32>(m * 4u + 4u);
            }
            for (u64 cc = 0; cc < 2 * b && n > 0; ++cc)
                MEMLIF_CUDA_CHECK(cudaMemcpy(values.get() + cc * n, c.d_pool.get(), n * 4,
                                             cudaMemcpyDeviceToDevice));
            sh.run(sc, values.get(), n, q.seed, RandomPurpose::qe_partition, ids);
        }
        if (n > 0) {
            // block: every copy is the pool itself (stride 0), dealt round-robin.
            const u32* src = shuffled ? values.get() : c.d_pool.get();
            qe_items_kernel<<<grid_for(2 * b * n), k_block>>>(
                b, n, src, shuffled ? n : 0, !shuffled, c.d_stim.get(), c.d_trial_off.get(),
                d_sub_off.get(), ns, items_half, items_per_rep, c.keys, ev.keys());
            MEMLIF_CUDA_CHECK_LAUNCH("qe_items_kernel");
        }
        spec.n_groups = 6 * b;
        spec.level_of_group.resize(6 * b);
        for (u64 g = 0; g < 6 * b; ++g) spec.level_of_group[g] = (g % 6) < 2 ? 0 : 1;
        ev.run(sc, c, b * items_per_rep, spec, out, 6 * m0);
    }
    return out;
}

void validate_request(const ConditionCounts& counts, const GroupSumsRequest& q) {
    if (counts.n_bins < 1 || counts.n_bins > 64) fail(k_what, "counts.n_bins must be in 1..64");
    if (counts.words.size() != counts.counts.size() ||
        (!counts.offsets.empty() && counts.offsets.back() != counts.words.size()))
        fail(k_what, "inconsistent CSR counts");
    const bool qe =
        q.scheme == ReplicateScheme::qe_shuffled || q.scheme == ReplicateScheme::qe_block;
    const std::size_t rows = qe ? 2 : 1;
    if (q.p_s.size() != rows)
        fail(k_what, "the request has " + std::to_string(q.p_s.size()) + " p(s) rows, " +
                         std::to_string(rows) + " expected");
    for (const auto& row : q.p_s)
        if (row.size() != counts.n_stimuli())
            fail(k_what, "a p(s) row has " + std::to_string(row.size()) + " entries for " +
                             std::to_string(counts.n_stimuli()) + " stimuli");
    const bool replicated = q.scheme == ReplicateScheme::label_permutation ||
                            q.scheme == ReplicateScheme::bootstrap ||
                            q.scheme == ReplicateScheme::qe_shuffled;
    if (replicated && u64(q.first_replicate) + q.replicates > (1ull << 32))
        fail(k_what, "replicate indices beyond 2^32 - 1");
}

} // namespace

GroupSums group_sums_cuda(const ConditionCounts& counts, const GroupSumsRequest& request,
                          const GroupSumsCudaOptions& options) {
    // Nothing is looked at, let alone allocated, before the device is known to exist.
    detail::select_device(k_what, options.device);
    validate_request(counts, request);
    Scratch sc;
    Condition c;
    setup_condition(k_what, counts, c, sc);
    Evaluator ev;
    std::vector<double> rows;
    for (const auto& row : request.p_s) rows.insert(rows.end(), row.begin(), row.end());
    upload(ev.p_levels, rows);
    switch (request.scheme) {
    case ReplicateScheme::observed:
        return observed_sums(sc, c, ev, request);
    case ReplicateScheme::label_permutation:
        return permutation_sums(sc, c, ev, request, options);
    case ReplicateScheme::bootstrap:
        return bootstrap_sums(sc, c, ev, request, options);
    case ReplicateScheme::qe_shuffled:
    case ReplicateScheme::qe_block:
        return qe_sums(sc, c, ev, request, options);
    }
    fail(k_what, "unknown replicate scheme");
}

} // namespace memlif
