// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/trial.hpp
//! One trial: a 16-bit stimulus pattern drives the 4 synapses for 4 input bins, the LIF neuron
//! integrates with a fixed step, and the output spike onsets are binned into a binary response word
//! (Benatti et al. 2023, Sec. 3: 4 inputs x 4 bins of 50 ms, 10 ms spikes jittered inside each bin,
//! 10 ms output bins). The CPU backend and the CUDA kernel both call run_trial.
#pragma once

#include "backspike.hpp"
#include "jitter.hpp"
#include "lif.hpp"
#include "macros.hpp"
#include "params.hpp"
#include "rng.hpp"

#include <cstdint>

namespace memlif {

struct TrialResult {
    std::uint64_t word = 0;     //!< bit b = an output spike onset fell in output bin b (lsb_first)
    std::uint32_t n_spikes = 0; //!< output spikes inside the window (several may share one bin)
};

//! Whether input `i` carries a spike in input bin `b` of stimulus `code` (bit 4 i + b).
MEMLIF_HD_INLINE bool stimulus_bit(std::uint32_t code, int input, int bin) {
    return ((code >> (4 * input + bin)) & 1u) != 0;
}

namespace detail {

//! Start step and end step (exclusive) of input i's spike in bin b; empty when the bit is clear.
MEMLIF_HD_INLINE void spike_window(const SimParams& p, std::uint32_t code, int input, int bin,
                                   std::uint32_t r, std::uint32_t& on, std::uint32_t& off) {
    if (stimulus_bit(code, input, bin)) {
        on = static_cast<std::uint32_t>(bin) * p.steps_per_input_bin +
             jitter_onset_steps(p.jitter, r);
        off = on + p.spike_steps;
    } else {
        on = 0;
        off = 0;
    }
}

//! The four input spikes of one input bin as step windows [on_i, off_i), in named registers.
struct BinWindows {
    std::uint32_t on0 = 0, off0 = 0, on1 = 0, off1 = 0, on2 = 0, off2 = 0, on3 = 0, off3 = 0;
};

//! The windows of input bin `bin` from its jitter draw (RngStream::jitter, index = bin).
MEMLIF_HD_INLINE BinWindows bin_windows(const SimParams& p, std::uint32_t code,
                                        std::uint64_t trial_id, int bin) {
    const Philox4x32 r =
        trial_draw(p.seed, trial_id, static_cast<std::uint32_t>(bin), RngStream::jitter);
    BinWindows w;
    spike_window(p, code, 0, bin, r.x, w.on0, w.off0);
    spike_window(p, code, 1, bin, r.y, w.on1, w.off1);
    spike_window(p, code, 2, bin, r.z, w.on2, w.off2);
    spike_window(p, code, 3, bin, r.w, w.on3, w.off3);
    return w;
}

//! Summed per-step increment during step k: the same expression, in the same order, wherever the
//! drive of a step is needed, so every loop built on it agrees bit for bit.
MEMLIF_HD_INLINE double window_drive(const BinWindows& w, const SynapseDrive& d, std::uint32_t k) {
    return ((k >= w.on0 && k < w.off0) ? d.a0 : 0.0) + ((k >= w.on1 && k < w.off1) ? d.a1 : 0.0) +
           ((k >= w.on2 && k < w.off2) ? d.a2 : 0.0) + ((k >= w.on3 && k < w.off3) ? d.a3 : 0.0);
}

//! Lowers `end` to `edge` when the edge lies strictly inside (k, end).
MEMLIF_HD_INLINE void clip_to_edge(std::uint32_t& end, std::uint32_t k, std::uint32_t edge) {
    end = (edge > k && edge < end) ? edge : end;
}

//! Lowers `end` to the first pulse edge after step k.
MEMLIF_HD_INLINE void clip_to_windows(std::uint32_t& end, const BinWindows& w, std::uint32_t k) {
    clip_to_edge(end, k, w.on0);
    clip_to_edge(end, k, w.off0);
    clip_to_edge(end, k, w.on1);
    clip_to_edge(end, k, w.off1);
    clip_to_edge(end, k, w.on2);
    clip_to_edge(end, k, w.off2);
    clip_to_edge(end, k, w.on3);
    clip_to_edge(end, k, w.off3);
}

//! End (exclusive) of the steps of input bin b: the next bin start, or the window end.
MEMLIF_HD_INLINE std::uint32_t bin_end_step(const SimParams& p, int b) {
    if (b >= k_input_bins) return p.n_steps;
    const std::uint32_t bin_end = static_cast<std::uint32_t>(b + 1) * p.steps_per_input_bin;
    return bin_end < p.n_steps ? bin_end : p.n_steps;
}

//! Output coding (model.md §5): a spike with onset k_next dt sets bit floor(k_next / steps per
//! output bin); spikes at or after the window end are lost.
MEMLIF_HD_INLINE void record_spike(TrialResult& res, const SimParams& p, std::uint32_t k_next) {
    const std::uint32_t bin = k_next / p.steps_per_output_bin;
    if (bin < p.n_output_bins) {
        res.word |= 1ull << bin;
        ++res.n_spikes;
    }
}

//! The drive source of a trial without device noise: every bin and segment gets the condition's
//! drive `d` unchanged. trial_steps takes a source so that the noisy trial (noisy_trial.hpp) runs
//! the same loop with its per-bin factors and RTN segments instead of a copy of it.
struct ConstantDrive {
    SynapseDrive d;
    MEMLIF_HD_INLINE SynapseDrive bin_drive(int /*bin*/) const { return d; }
    //! The drive of the segment starting at step k of a bin whose drive is `db`; a source may
    //! lower seg_end (an RTN flip), this one does not.
    MEMLIF_HD_INLINE SynapseDrive segment_drive(const SynapseDrive& db, const BinWindows& /*w*/,
                                                std::uint32_t /*k*/, std::uint32_t& /*seg_end*/) {
        return db;
    }
};

//! The step loop, specialised on whether back-spikes are simulated so the default path carries no
//! back-spike bookkeeping. The input is piecewise constant: between two pulse (or back-spike) edges
//! the summed drive is computed once and the inner loop is one exact exponential step plus the
//! threshold test. The drive is the same double expression in every step of a segment, so results
//! equal a per-step evaluation bit for bit. `src` gives each bin's and segment's drive
//! (ConstantDrive here, NoisyDrive in noisy_trial.hpp).
template <bool Backspikes, class DriveSource>
MEMLIF_HD_INLINE TrialResult trial_steps(const SimParams& p, DriveSource& src, std::uint32_t code,
                                         std::uint64_t trial_id) {
    TrialResult res;
    LifState s;
    BackspikeState bs = backspike_start(p.backspike, p.seed, trial_id);
    std::uint32_t k = 0;
    // Bins outside, steps inside: within input bin b only the spike of bin b can be on, because the
    // jitter keeps every spike inside its own bin (validated on the host). Bin k_input_bins is the
    // tail of the response window, with no input.
    for (int b = 0; b <= k_input_bins; ++b) {
        const BinWindows w = b < k_input_bins ? bin_windows(p, code, trial_id, b) : BinWindows{};
        const SynapseDrive db = src.bin_drive(b);
        const std::uint32_t end = bin_end_step(p, b);
        while (k < end) {
            std::uint32_t seg_end = end;
            double drive = window_drive(w, src.segment_drive(db, w, k, seg_end), k);
            clip_to_windows(seg_end, w, k);
            if (Backspikes) {
                if (backspike_blocks(bs, p.backspike, p.seed, trial_id, k)) drive = 0.0;
                clip_to_edge(seg_end, k, bs.next_onset);
                clip_to_edge(seg_end, k, bs.block_end);
            }
            for (; k < seg_end; ++k)
                if (lif_step(s, drive, p.decay, k + 1, p.delay_steps)) record_spike(res, p, k + 1);
        }
    }
    return res;
}

//! The trial without device noise (run_trial and the CUDA kernel).
template <bool Backspikes>
MEMLIF_HD_INLINE TrialResult run_trial_impl(const SimParams& p, const SynapseDrive& d,
                                            std::uint32_t code, std::uint64_t trial_id) {
    ConstantDrive src{d};
    return trial_steps<Backspikes>(p, src, code, trial_id);
}

} // namespace detail

//! Simulates the trial `trial_id` (see make_trial_id) of stimulus `code` under drive `d`.
//! The result depends only on (p, d, code, trial_id): the same on every backend and batch layout.
MEMLIF_HD_INLINE TrialResult run_trial(const SimParams& p, const SynapseDrive& d,
                                       std::uint32_t code, std::uint64_t trial_id) {
    if (p.backspike.enabled) return detail::run_trial_impl<true>(p, d, code, trial_id);
    return detail::run_trial_impl<false>(p, d, code, trial_id);
}

} // namespace memlif
