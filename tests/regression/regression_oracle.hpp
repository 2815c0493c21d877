// SPDX-License-Identifier: MIT
//! \file tests/regression/regression_oracle.hpp
//! An independent per-step oracle for the response words of the fixed-step solver: every trial is
//! simulated step by step from the model's rules (model.md §2.2, §4, §5, §6), without the segment
//! loop, the bin-outside/step-inside structure or any other optimisation of kernels/trial.hpp. It
//! shares only the random inputs (the Philox draws, the jitter law and the back-spike intervals)
//! and the per-step arithmetic, which must be the same to give the same words bit for bit.
#pragma once

#include "host/config.hpp"
#include "memlif/core/counts.hpp"
#include "memlif/kernels/backspike.hpp"
#include "memlif/kernels/jitter.hpp"
#include "memlif/kernels/rng.hpp"
#include "memlif/kernels/trial_id.hpp"

#include <cstdint>
#include <vector>

namespace memlif::test {

//! The words of one trial, one step at a time.
inline std::uint64_t oracle_word(const SimParams& p, const SynapseDrive& d, std::uint32_t code,
                                 std::uint64_t trial_id) {
    using Real = decltype(p.decay); // the membrane's arithmetic type
    // Input windows: spike of input i in bin b starts at b * bin + jitter and lasts spike_steps.
    std::uint32_t on[4][4] = {}, off[4][4] = {};
    for (std::uint32_t b = 0; b < 4; ++b) {
        const Philox4x32 r = trial_draw(p.seed, trial_id, b, RngStream::jitter);
        const std::uint32_t draws[4] = {r.x, r.y, r.z, r.w};
        for (int i = 0; i < 4; ++i) {
            if (((code >> (4 * i + b)) & 1u) == 0) continue;
            on[i][b] = b * p.steps_per_input_bin + jitter_onset_steps(p.jitter, draws[i]);
            off[i][b] = on[i][b] + p.spike_steps;
        }
    }
    // Back-spike windows: onsets at the partial sums of the intervals, each width_steps long.
    std::vector<std::uint64_t> bs_on;
    if (p.backspike.enabled) {
        std::uint64_t t = 0;
        for (std::uint32_t j = 0;; ++j) {
            t += backspike_interval_steps(p.backspike, p.seed, trial_id, j);
            if (t >= p.n_steps) break;
            bs_on.push_back(t);
        }
    }
    const Real a[4] = {d.a0, d.a1, d.a2, d.a3};
    Real u = 0;
    bool armed = true;
    std::uint64_t reset_at = 0, word = 0;
    std::size_t next_bs = 0; // first back-spike whose window may still cover k (onsets ascend)
    for (std::uint32_t k = 0; k < p.n_steps; ++k) {
        // A spike lies inside its own input bin (model.md §4.1), so only bin k / bin can be on.
        const std::uint32_t b = k / p.steps_per_input_bin;
        bool input_on[4] = {false, false, false, false};
        if (b < 4)
            for (int i = 0; i < 4; ++i) input_on[i] = k >= on[i][b] && k < off[i][b];
        while (next_bs < bs_on.size() && bs_on[next_bs] + p.backspike.width_steps <= k) ++next_bs;
        bool blocked = false;
        for (std::size_t j = next_bs; j < bs_on.size() && bs_on[j] <= k; ++j)
            blocked = blocked || k < bs_on[j] + p.backspike.width_steps;
        Real drive = ((input_on[0] ? a[0] : Real(0)) + (input_on[1] ? a[1] : Real(0))) +
                     (input_on[2] ? a[2] : Real(0));
        drive = drive + (input_on[3] ? a[3] : Real(0));
        if (blocked) drive = 0;
        u = u * p.decay + drive;
        const std::uint64_t k_next = k + 1;
        if (armed && u >= Real(1)) { // fire: onset at the end of the step
            armed = false;
            reset_at = k_next + p.delay_steps;
            const std::uint64_t bin = k_next / p.steps_per_output_bin;
            if (bin < p.n_output_bins) word |= 1ull << bin;
        }
        if (!armed && k_next == reset_at) { // discharge after T_delay, re-arm
            u = 0;
            armed = true;
        }
    }
    return word;
}

//! The counts of condition `c` of a sweep, every trial simulated by oracle_word.
inline ConditionCounts oracle_counts(const SweepPlan& plan, std::uint32_t c) {
    const SweepSpec& s = plan.spec;
    std::vector<std::vector<std::uint64_t>> words(s.stimulus_codes.size());
    const auto n = static_cast<long long>(s.stimulus_codes.size());
#pragma omp parallel for schedule(dynamic, 64)
    for (long long ii = 0; ii < n; ++ii) {
        const auto i = static_cast<std::size_t>(ii);
        for (std::uint32_t r = 0; r < s.n_repeats; ++r)
            words[i].push_back(oracle_word(s.params, s.drives[c], s.stimulus_codes[i],
                                           make_trial_id(c, s.stimulus_codes[i], r)));
    }
    return counts_from_trials(words, s.params.n_output_bins);
}

} // namespace memlif::test
