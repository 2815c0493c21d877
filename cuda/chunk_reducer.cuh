// SPDX-License-Identifier: MIT
//! \file cuda/chunk_reducer.cuh
//! The per-chunk count reduction of the sweep: the words of a chunk of whole stimuli
//! (stimulus-major, n_repeats each) become the chunk's CSR (word, count) entries per stimulus,
//! by a segmented sort and a run-length pass. Host-compiled code may include this header (it
//! declares, the kernels live in chunk_reducer.cu).
#pragma once

#include "cuda_support.cuh"

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace memlif {
namespace detail {

struct ChunkScalars {
    unsigned int m;            //!< distinct (stimulus, word) entries in the chunk
    unsigned long long spikes; //!< output spikes of the chunk (the trial kernel adds them)
};

//! Device buffers for one pipeline slot: up to `cap` trials of whole stimuli.
class ChunkReducer {
  public:
    ChunkReducer(std::uint64_t cap, std::uint32_t n_repeats);

    //! Device bytes a slot of `cap` trials needs (for sizing chunks from free memory).
    static std::size_t bytes_needed(std::uint64_t cap, std::uint32_t n_repeats);

    //! Reduces words[0, n) (n = n_stim * n_repeats, stimuli s0..s0+n_stim-1) on `stream`:
    //! out_words, out_counts, out_stim, local_off and scalars->m are then filled (stream-ordered).
    void enqueue(std::uint64_t n, std::uint32_t s0, cudaStream_t stream);

    std::uint64_t max_stimuli() const { return max_stim_; }

    DeviceBuffer<std::uint64_t> words;      //!< kernel output, stimulus-major
    DeviceBuffer<std::uint64_t> out_words;  //!< CSR words, ascending within each stimulus
    DeviceBuffer<std::uint32_t> out_counts; //!< CSR counts (<= n_repeats)
    DeviceBuffer<std::uint32_t> out_stim;   //!< global stimulus index of each entry
    DeviceBuffer<std::uint32_t> local_off;  //!< CSR offsets local to the chunk, n_stim + 1
    DeviceBuffer<ChunkScalars> scalars;

  private:
    static std::size_t temp_bytes(std::uint64_t cap, std::uint32_t n_repeats);

    std::uint64_t cap_;
    std::uint32_t n_repeats_;
    std::uint64_t max_stim_;
    DeviceBuffer<std::uint64_t> sorted_;
    DeviceBuffer<std::uint32_t> flags_, pos_, start_;
    DeviceBuffer<unsigned char> temp_;
    std::size_t temp_bytes_ = 0;
};

} // namespace detail
} // namespace memlif
