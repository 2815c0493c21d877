// SPDX-License-Identifier: MIT
//! \file tests/kernels/protocol_params.hpp
//! The kernels' tests' common SimParams: the paper's protocol at dt = 10 us (4 x 50 ms input bins,
//! 10 ms spikes, T_delay 10 ms, 20 x 10 ms output bins, tau 20 ms), no jitter, no back-spikes.
//! Tests set their own seed, jitter and back-spikes on top.
#pragma once

#include "memlif/kernels/lif.hpp"
#include "memlif/kernels/params.hpp"

#include <cstdint>

namespace memlif::test {

inline SimParams protocol_params(std::uint64_t seed) {
    SimParams p;
    p.seed = seed;
    p.n_steps = 20000;
    p.steps_per_input_bin = 5000;
    p.spike_steps = 1000;
    p.delay_steps = 1000;
    p.steps_per_output_bin = 1000;
    p.n_output_bins = 20;
    p.decay = step_decay(10e-6, 20e-3);
    return p;
}

} // namespace memlif::test
