// SPDX-License-Identifier: MIT
//! \file host/cpu_backend.hpp
//! The CPU backend: an OpenMP loop over trials calling the same kernels/ run_trial as the GPU.
#pragma once

#include "memlif/core/sweep.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace memlif {

struct CpuOptions {
    int threads = 0; //!< 0 = OpenMP default
    std::size_t batch_trials =
        1u << 16; //!< most trials between progress/stop checks (slices last ~0.1 s)
};

//! Runs the sweep on the CPU, one condition after the other, streaming each to the sink.
void run_sweep_cpu(const SweepSpec& spec, ConditionSink& sink, const CpuOptions& opts);

//! Simulates trials on the CPU (tests, parity checks, benchmarks): trial t is stimulus
//! codes[t / n_repeats], repeat t % n_repeats, of condition `condition`. Results do not depend on
//! `threads` or `batch_trials`.
std::vector<std::uint64_t> simulate_words_cpu(const SimParams& p, const SynapseDrive& d,
                                              std::uint32_t condition,
                                              const std::vector<std::uint16_t>& codes,
                                              std::uint32_t n_repeats, const CpuOptions& opts,
                                              double* mean_output_spikes = nullptr);

} // namespace memlif
