// SPDX-License-Identifier: MIT
//! \file cuda/cuda_backend.hpp
//! The CUDA backend as seen from host/: plain C++, no CUDA types. When the build has no CUDA, the
//! stub reports zero devices and run_sweep_cuda throws "not configured".
#pragma once

#include "memlif/core/errors.hpp"
#include "memlif/core/sweep.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace memlif {

//! Number of usable CUDA devices: 0 without a driver, without a device, in a CPU-only build, or
//! when MEMLIF_DISABLE_DEVICE=1 is set. Never allocates device memory.
int device_count();

//! "NVIDIA H100 80GB HBM3" etc.; empty if there is no device.
std::string device_name(int device = 0);

struct CudaOptions {
    int device = 0;
    std::size_t max_chunk_trials = 0; //!< 0 = derive from free device memory
};

//! Runs the sweep on the GPU, streaming each finished condition to the sink in condition order.
void run_sweep_cuda(const SweepSpec& spec, ConditionSink& sink, const CudaOptions& opts);

//! Simulates the given trials on the GPU and returns their results (tests, parity checks):
//! trial t is stimulus codes[t / n_repeats], repeat t % n_repeats, of condition `condition`.
std::vector<std::uint64_t> simulate_words_cuda(const SimParams& p, const SynapseDrive& d,
                                               std::uint32_t condition,
                                               const std::vector<std::uint16_t>& codes,
                                               std::uint32_t n_repeats);

//! simulate_words_cuda for the exact solver: trial t runs run_exact_trial (kernels/exact_trial.hpp)
//! on the device, with the same trial ids.
std::vector<std::uint64_t> simulate_exact_words_cuda(const ExactParams& p, const ExactDrive& d,
                                                     std::uint32_t condition,
                                                     const std::vector<std::uint16_t>& codes,
                                                     std::uint32_t n_repeats);

//! Device reductions on data held by the host (tests and parity checks). They run exactly the code
//! run_sweep_cuda runs on each chunk and condition, so their results vouch for the sweep's.
//! counts_from_words_cuda equals counts_from_words (memlif/core/counts.hpp) on the same words.
ConditionCounts counts_from_words_cuda(const std::vector<std::uint64_t>& words,
                                       std::size_t n_stimuli, std::uint32_t n_repeats,
                                       std::uint32_t n_bins);

//! The plug-in measures reduced on the device; same definitions as compute_plugin
//! (host/information/plugin.hpp). Throws std::invalid_argument on inconsistent sizes.
PluginMeasures compute_plugin_cuda(const ConditionCounts& counts, const std::vector<double>& p_s,
                                   const std::vector<std::uint32_t>& n_spk);

} // namespace memlif
