// SPDX-License-Identifier: MIT
//! \file cuda/plugin_reducer.cuh
//! The plug-in measures of one condition on the device (same definitions as
//! host/information/plugin.cpp): the condition's CSR entries are accumulated as its chunks finish
//! (append), then reduced to H(R), H(R|S), MI, SSS, SpS, I_2 and the SpS ranks (enqueue), all
//! stream-ordered. Host-compiled code may include this header (the kernels live in
//! plugin_reducer.cu).
#pragma once

#include "chunk_reducer.cuh"
#include "cuda_support.cuh"

#include "memlif/core/plugin_measures.hpp"

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace memlif {
namespace detail {

struct PluginScalars {
    unsigned long long m;              //!< entries accumulated so far
    unsigned long long n_unique;       //!< distinct sorted keys including padding
    unsigned long long distinct_total; //!< distinct responses over real entries (m of the spec)
    unsigned long long n_trials;
    unsigned long long n_used;
    unsigned long long sps_undefined;
    double h_r, h_rs, h_s, mi;
};

//! Page-locked copies of one condition's plug-in results.
struct PluginHost {
    PinnedBuffer<PluginScalars> scalars;
    PinnedBuffer<double> sss, sps, i2, h_r_s;
    PinnedBuffer<std::uint64_t> n_s;
    PinnedBuffer<std::uint32_t> distinct, rank;

    explicit PluginHost(std::size_t n_stimuli);
    //! The results, once the copies of PluginReducer::enqueue have completed.
    PluginMeasures result(std::size_t ns) const;
};

//! Device accumulator of one condition's CSR entries (capacity `cap`) and the plug-in passes.
class PluginReducer {
  public:
    PluginReducer(std::uint64_t cap, std::uint32_t n_stimuli, const std::vector<double>& p_s,
                  const std::vector<std::uint32_t>& n_spk);

    static std::size_t bytes_needed(std::uint64_t cap, std::uint32_t n_stimuli);

    //! Starts a new condition (stream-ordered).
    void reset(cudaStream_t stream);

    //! Appends a reduced chunk (stream-ordered after its reduction).
    void append(const ChunkReducer& c, std::uint32_t n_stim, std::uint32_t s0, std::uint64_t n,
                cudaStream_t stream);

    //! All plug-in passes over the accumulated CSR, then the copies into `out` (stream-ordered).
    void enqueue(std::uint32_t n_bins, PluginHost& out, cudaStream_t stream);

    DeviceBuffer<std::uint64_t> acc_words, acc_counts;
    DeviceBuffer<std::uint32_t> acc_stim;
    DeviceBuffer<std::uint64_t> acc_off;
    DeviceBuffer<PluginScalars> scalars;

  private:
    static std::size_t temp_bytes(std::uint64_t cap, std::uint32_t ns);

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

} // namespace detail
} // namespace memlif
