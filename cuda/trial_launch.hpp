// SPDX-License-Identifier: MIT
//! \file cuda/trial_launch.hpp
//! The bare trial-kernel launcher, for benchmarks that time the kernel alone with CUDA events.
//! Plain C++ (device pointers and the stream as void*), declared only for CUDA builds: the stub has
//! no definition, so code including this must itself be built only when MEMLIF_USE_CUDA is 1.
#pragma once

#include "memlif/kernels/exact_params.hpp"
#include "memlif/kernels/params.hpp"

#include <cstdint>

namespace memlif {

//! Enqueues one trial kernel on `stream` (a cudaStream_t; nullptr = default stream) without
//! synchronising. Trial t < n_trials is stimulus d_codes[t / n_repeats], repeat t % n_repeats, of
//! `condition`; its word goes to d_words[t] and its spike count is added to *d_spike_sum. All
//! pointers are device pointers. Throws CudaError if the launch is rejected.
void launch_trial_kernel(const SimParams& p, const SynapseDrive& d, std::uint32_t condition,
                         const std::uint16_t* d_codes, std::uint32_t n_repeats,
                         std::uint64_t n_trials, std::uint64_t* d_words,
                         unsigned long long* d_spike_sum, void* stream);

//! The same for the exact event-driven solver (kernels/exact_trial.hpp): trial t runs
//! run_exact_trial(p, d, code, make_trial_id(condition, code, repeat)).
void launch_exact_trial_kernel(const ExactParams& p, const ExactDrive& d, std::uint32_t condition,
                               const std::uint16_t* d_codes, std::uint32_t n_repeats,
                               std::uint64_t n_trials, std::uint64_t* d_words,
                               unsigned long long* d_spike_sum, void* stream);

} // namespace memlif
