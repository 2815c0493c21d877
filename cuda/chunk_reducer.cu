// SPDX-License-Identifier: MIT
//! \file cuda/chunk_reducer.cu
//! ChunkReducer (chunk_reducer.cuh) and counts_from_words_cuda, which runs exactly the sweep's
//! reduction on words held by the host.
#include "chunk_reducer.cuh"
#include "cuda_backend.hpp"
#include "cuda_support.cuh"

#include <cub/device/device_scan.cuh>
#include <cub/device/device_segmented_sort.cuh>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/iterator/transform_iterator.h>

#include <cuda_runtime.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace memlif {
namespace detail {
namespace {

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

//! A run starts at every segment start and wherever the sorted word changes.
__global__ void run_heads_kernel(const std::uint64_t* __restrict__ sorted, std::uint32_t n_repeats,
                                 std::uint64_t n, std::uint32_t* __restrict__ flags) {
    MEMLIF_GRID_STRIDE(i, n) {
        flags[i] = (i % n_repeats == 0 || sorted[i] != sorted[i - 1]) ? 1u : 0u;
    }
}

//! Compacts the run heads: entry j = pos[i] gets the word, its first index and its stimulus.
__global__ void run_scatter_kernel(
    const std::uint64_t* __restrict__ sorted, const std::uint32_t* __restrict__ flags,
    const std::uint32_t* __restrict__ pos, std::uint32_t n_repeats, std::uint64_t n,
    std::uint32_t s0, std::uint64_t* __restrict__ out_words, std::uint32_t* __restrict__ start,
    std::uint32_t* __restrict__ out_stim, std::uint32_t* __restrict__ local_off, ChunkScalars* cs) {
    MEMLIF_GRID_STRIDE(i, n) {
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
    MEMLIF_GRID_STRIDE(j, m) {
        const std::uint64_t next = (j + 1 < m) ? start[j + 1] : n;
        out_counts[j] = static_cast<std::uint32_t>(next - start[j]);
    }
}

} // namespace

ChunkReducer::ChunkReducer(std::uint64_t cap, std::uint32_t n_repeats)
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

std::size_t ChunkReducer::bytes_needed(std::uint64_t cap, std::uint32_t n_repeats) {
    return align_up(cap * (8 + 8 + 4 + 4 + 8 + 4 + 4 + 4)) + align_up((cap / n_repeats + 1) * 4) +
           temp_bytes(cap, n_repeats) + 4096;
}

void ChunkReducer::enqueue(std::uint64_t n, std::uint32_t s0, cudaStream_t stream) {
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
    MEMLIF_CUDA_CHECK(cub::DeviceScan::ExclusiveSum(temp_.get(), bytes, flags_.get(), pos_.get(),
                                                    static_cast<std::uint32_t>(n), stream));
    run_scatter_kernel<<<grid_for(n), k_block, 0, stream>>>(
        sorted_.get(), flags_.get(), pos_.get(), n_repeats_, n, s0, out_words.get(), start_.get(),
        out_stim.get(), local_off.get(), scalars.get());
    MEMLIF_CUDA_CHECK_LAUNCH("run_scatter_kernel");
    run_counts_kernel<<<grid_for(n), k_block, 0, stream>>>(start_.get(), n, scalars.get(),
                                                           out_counts.get());
    MEMLIF_CUDA_CHECK_LAUNCH("run_counts_kernel");
}

std::size_t ChunkReducer::temp_bytes(std::uint64_t cap, std::uint32_t n_repeats) {
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

} // namespace detail

ConditionCounts counts_from_words_cuda(const std::vector<std::uint64_t>& words,
                                       std::size_t n_stimuli, std::uint32_t n_repeats,
                                       std::uint32_t n_bins) {
    detail::require_device("counts_from_words_cuda");
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
    detail::ChunkReducer red(words.size(), n_repeats);
    detail::upload(red.words.get(), words.data(), words.size());
    red.enqueue(words.size(), 0, nullptr);
    detail::ChunkScalars cs{};
    detail::download(&cs, red.scalars.get(), 1);
    std::vector<std::uint32_t> off, cnt;
    detail::download(off, red.local_off.get(), n_stimuli + 1);
    detail::download(c.words, red.out_words.get(), cs.m);
    detail::download(cnt, red.out_counts.get(), cs.m);
    c.offsets.assign(off.begin(), off.end());
    c.counts.assign(cnt.begin(), cnt.end());
    return c;
}

} // namespace memlif
