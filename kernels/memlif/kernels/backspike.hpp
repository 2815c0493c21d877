// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/backspike.hpp
//! Poisson back-spikes fired from the neuron input terminal (Benatti et al. 2023, Sec. 2 and Fig.
//! 2): 300 us wide, exponential intervals of mean 1 s, independent of firing; during one the
//! synapses are disconnected from their presynaptic sources, so the input current is zero (model.md
//! §2.1, §6).
#pragma once

#include "macros.hpp"
#include "params.hpp"
#include "rng.hpp"

#include <cmath>
#include <cstdint>

namespace memlif {

//! Interval (steps, >= 1) before back-spike number `index` of a trial: -mean ln(U), rounded.
MEMLIF_HD_INLINE std::uint32_t backspike_interval_steps(const BackspikeParams& b,
                                                        std::uint64_t seed, std::uint64_t trial_id,
                                                        std::uint32_t index) {
    const Philox4x32 r = trial_draw(seed, trial_id, index, RngStream::backspike);
    const double steps = -b.mean_interval_steps * std::log(u01_open(r.x)) + 0.5;
    if (steps < 1.0) return 1u;
    if (steps > 2147483647.0) return 2147483647u;
    return static_cast<std::uint32_t>(steps);
}

//! Back-spike schedule in registers: the next onset and the end of the current blocking window.
struct BackspikeState {
    std::uint32_t next_onset = 0xFFFFFFFFu;
    std::uint32_t block_end = 0;
    std::uint32_t count = 0;
};

//! The process starts at t = 0 with no back-spike in progress.
MEMLIF_HD_INLINE BackspikeState backspike_start(const BackspikeParams& b, std::uint64_t seed,
                                                std::uint64_t trial_id) {
    BackspikeState s;
    if (b.enabled) {
        s.next_onset = backspike_interval_steps(b, seed, trial_id, 0);
        s.count = 1;
    }
    return s;
}

//! True if the inputs are disconnected during step k; advances the schedule when an onset is
//! reached.
MEMLIF_HD_INLINE bool backspike_blocks(BackspikeState& s, const BackspikeParams& b,
                                       std::uint64_t seed, std::uint64_t trial_id,
                                       std::uint32_t k) {
    if (k == s.next_onset) {
        s.block_end = k + b.width_steps;
        const std::uint32_t dk = backspike_interval_steps(b, seed, trial_id, s.count++);
        s.next_onset = (0xFFFFFFFFu - k > dk) ? k + dk : 0xFFFFFFFFu;
    }
    return k < s.block_end;
}

} // namespace memlif
