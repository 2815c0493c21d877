// SPDX-License-Identifier: MIT
//! \file cuda/plugin_reducer.cu
//! PluginReducer and PluginHost (plugin_reducer.cuh), and compute_plugin_cuda, which runs exactly
//! the sweep's plug-in passes on counts held by the host.
//!
//! The entry count m of a condition is only known on the device, so every pass runs over the
//! fixed capacity with the tail padded by zero-count entries: they add nothing to p(r), H(R) or
//! any count, and no host synchronisation is needed before the condition's last chunk is reduced.
//!
//! The ordered sums are written with add_product_rn / div_rn (memlif/kernels/rounding.hpp) so
//! nvcc cannot contract them into FMAs: p(r) is then the same sequence of roundings as the host's
//! loop (ascending stimulus within each word).
#include "plugin_reducer.cuh"

#include "cuda_backend.hpp"
#include "cuda_support.cuh"

#include "memlif/kernels/entropy.hpp"
#include "memlif/kernels/rounding.hpp"

#include <cub/block/block_reduce.cuh>
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_reduce.cuh>
#include <cub/device/device_scan.cuh>

#include <cuda_runtime.h>
#include <math_constants.h>

#include <algorithm>
#include <stdexcept>

namespace memlif {
namespace detail {
namespace {

std::uint64_t word_mask(std::uint32_t n_bins) {
    return n_bins >= 64 ? ~0ull : ((1ull << n_bins) - 1ull);
}

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
    MEMLIF_GRID_STRIDE(j, cap) {
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
        weight[s] = n > 0 ? div_rn(p_s[s], static_cast<double>(n)) : 0.0;
        h_r_s[s] =
            n > 0 ? entropy_bits_from_counts(acc_counts + b, e - b, static_cast<double>(n)) : 0.0;
    }
}

__global__ void word_heads_kernel(const std::uint64_t* __restrict__ sorted,
                                  const std::uint32_t* __restrict__ idx, std::uint64_t cap,
                                  PluginScalars* ps, std::uint32_t* __restrict__ flags) {
    const std::uint64_t m = ps->m;
    unsigned real_heads = 0;
    MEMLIF_GRID_STRIDE(i, cap) {
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
    MEMLIF_GRID_STRIDE(i, cap) {
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
    MEMLIF_GRID_STRIDE(j, n_unique) {
        const std::uint64_t b = ustart[j];
        const std::uint64_t e = (j + 1 < n_unique) ? ustart[j + 1] : cap;
        // The stable sort leaves the padding (index >= m, all carrying the all-ones word) at the
        // end of that word's run, so the first padding entry ends the real ones. Without the stop
        // one thread would walk all cap - m padding entries, twice.
        double p = 0.0;
        std::uint64_t real_end = b;
        for (; real_end < e && idx[real_end] < m; ++real_end) {
            const std::uint32_t k = idx[real_end];
            p = add_product_rn(p, weight[acc_stim[k]], static_cast<double>(acc_counts[k]));
        }
        if (single && p > 0.0) p = 1.0;
        for (std::uint64_t i = b; i < real_end; ++i) p_r_entry[idx[i]] = p;
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
                const double q = div_rn(static_cast<double>(acc_counts[k]), dn);
                kl = add_product_rn(kl, q, log2(div_rn(q, p_r_entry[k])));
            }
            spec = h_r - h_r_s[s];
            if (n_spk[s] != 0) per_spike = div_rn(kl, static_cast<double>(n_spk[s]));
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
            h_rs = add_product_rn(h_rs, p_s[s], h_r_s[s]);
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

} // namespace

PluginHost::PluginHost(std::size_t n_stimuli) {
    scalars.reset(1);
    sss.reset(n_stimuli);
    sps.reset(n_stimuli);
    i2.reset(n_stimuli);
    h_r_s.reset(n_stimuli);
    n_s.reset(n_stimuli);
    distinct.reset(n_stimuli);
    rank.reset(n_stimuli);
}

PluginMeasures PluginHost::result(std::size_t ns) const {
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

PluginReducer::PluginReducer(std::uint64_t cap, std::uint32_t n_stimuli,
                             const std::vector<double>& p_s,
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
    upload(p_s_.get(), p_s.data(), ns_);
    upload(n_spk_.get(), n_spk.data(), ns_);
}

std::size_t PluginReducer::bytes_needed(std::uint64_t cap, std::uint32_t n_stimuli) {
    return align_up(cap * (8 + 8 + 4 + 8 + 4 + 4 + 4 + 4 + 4 + 8 + 8)) +
           align_up(std::size_t(n_stimuli + 1) * (8 * 10 + 4 * 6)) +
           temp_bytes(std::max<std::uint64_t>(cap, 1), n_stimuli) + 16384;
}

void PluginReducer::reset(cudaStream_t stream) {
    MEMLIF_CUDA_CHECK(cudaMemsetAsync(scalars.get(), 0, sizeof(PluginScalars), stream));
    MEMLIF_CUDA_CHECK(cudaMemsetAsync(acc_off.get(), 0, (ns_ + 1) * sizeof(std::uint64_t), stream));
}

void PluginReducer::append(const ChunkReducer& c, std::uint32_t n_stim, std::uint32_t s0,
                           std::uint64_t n, cudaStream_t stream) {
    append_kernel<<<grid_for(std::max<std::uint64_t>(n, n_stim + 1)), k_block, 0, stream>>>(
        c.out_words.get(), c.out_counts.get(), c.out_stim.get(), c.local_off.get(), n_stim, s0,
        c.scalars.get(), scalars.get(), acc_words.get(), acc_counts.get(), acc_stim.get(),
        acc_off.get());
    MEMLIF_CUDA_CHECK_LAUNCH("append_kernel");
    advance_kernel<<<1, 1, 0, stream>>>(c.scalars.get(), scalars.get());
    MEMLIF_CUDA_CHECK_LAUNCH("advance_kernel");
}

void PluginReducer::enqueue(std::uint32_t n_bins, PluginHost& out, cudaStream_t stream) {
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
    MEMLIF_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(temp_.get(), bytes, acc_words.get(),
                                                      sorted_.get(), iota_.get(), idx_.get(), cap_,
                                                      0, static_cast<int>(n_bins), stream));
    word_heads_kernel<<<gc, k_block, 0, stream>>>(sorted_.get(), idx_.get(), cap_, scalars.get(),
                                                  flags_.get());
    MEMLIF_CUDA_CHECK_LAUNCH("word_heads_kernel");
    bytes = temp_bytes_;
    MEMLIF_CUDA_CHECK(cub::DeviceScan::InclusiveSum(temp_.get(), bytes, flags_.get(), uid_.get(),
                                                    static_cast<std::uint32_t>(cap_), stream));
    unique_starts_kernel<<<gc, k_block, 0, stream>>>(flags_.get(), uid_.get(), cap_, scalars.get(),
                                                     ustart_.get());
    MEMLIF_CUDA_CHECK_LAUNCH("unique_starts_kernel");
    marginal_kernel<<<gc, k_block, 0, stream>>>(ustart_.get(), idx_.get(), cap_, scalars.get(),
                                                acc_stim.get(), acc_counts.get(), weight_.get(),
                                                p_r_entry_.get(), hterm_.get());
    MEMLIF_CUDA_CHECK_LAUNCH("marginal_kernel");
    bytes = temp_bytes_;
    MEMLIF_CUDA_CHECK(cub::DeviceReduce::Sum(temp_.get(), bytes, hterm_.get(), &scalars.get()->h_r,
                                             cap_, stream));
    surprise_kernel<<<gs, k_block, 0, stream>>>(
        ns_, acc_off.get(), acc_counts.get(), p_r_entry_.get(), n_s_.get(), h_r_s_.get(),
        n_spk_.get(), scalars.get(), sss_.get(), sps_.get(), i2_.get(), key_.get(), sidx_.get());
    MEMLIF_CUDA_CHECK_LAUNCH("surprise_kernel");
    stimulus_sums_kernel<<<1, 512, 0, stream>>>(ns_, p_s_.get(), n_s_.get(), h_r_s_.get(),
                                                n_spk_.get(), scalars.get());
    MEMLIF_CUDA_CHECK_LAUNCH("stimulus_sums_kernel");
    if (ns_ > 0) {
        // Descending and stable: ties keep ascending stimulus index, as rank_descending does.
        bytes = temp_bytes_;
        MEMLIF_CUDA_CHECK(cub::DeviceRadixSort::SortPairsDescending(
            temp_.get(), bytes, key_.get(), key_out_.get(), sidx_.get(), sidx_out_.get(), ns_, 0,
            64, stream));
        rank_kernel<<<gs, k_block, 0, stream>>>(ns_, sidx_out_.get(), sps_.get(), rank_.get());
        MEMLIF_CUDA_CHECK_LAUNCH("rank_kernel");
    }
    download_async(out.scalars.get(), scalars.get(), 1, stream);
    download_async(out.sss.get(), sss_.get(), ns_, stream);
    download_async(out.sps.get(), sps_.get(), ns_, stream);
    download_async(out.i2.get(), i2_.get(), ns_, stream);
    download_async(out.h_r_s.get(), h_r_s_.get(), ns_, stream);
    download_async(out.n_s.get(), n_s_.get(), ns_, stream);
    download_async(out.distinct.get(), distinct_.get(), ns_, stream);
    download_async(out.rank.get(), rank_.get(), ns_, stream);
}

std::size_t PluginReducer::temp_bytes(std::uint64_t cap, std::uint32_t ns) {
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

} // namespace detail

PluginMeasures compute_plugin_cuda(const ConditionCounts& counts, const std::vector<double>& p_s,
                                   const std::vector<std::uint32_t>& n_spk) {
    detail::require_device("compute_plugin_cuda");
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
    detail::PluginReducer red(m, static_cast<std::uint32_t>(ns), p_s, n_spk);
    detail::PluginHost host(ns);
    red.reset(nullptr);
    detail::upload(red.acc_words.get(), counts.words.data(), m);
    detail::upload(red.acc_counts.get(), counts.counts.data(), m);
    std::vector<std::uint32_t> stim(m);
    for (std::size_t s = 0; s < ns; ++s)
        for (std::uint64_t k = counts.offsets[s]; k < counts.offsets[s + 1]; ++k)
            stim[k] = static_cast<std::uint32_t>(s);
    detail::upload(red.acc_stim.get(), stim.data(), m);
    detail::upload(red.acc_off.get(), counts.offsets.data(), ns + 1);
    const unsigned long long m_ull = m;
    detail::upload(&red.scalars.get()->m, &m_ull, 1);
    red.enqueue(counts.n_bins, host, nullptr);
    MEMLIF_CUDA_CHECK(cudaDeviceSynchronize());
    return host.result(ns);
}

} // namespace memlif
