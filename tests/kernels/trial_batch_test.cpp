// SPDX-License-Identifier: MIT
//! \file tests/kernels/trial_batch_test.cpp
//! The interleaved multi-trial loop gives, lane by lane, exactly run_trial's result.
#include "memlif/kernels/jitter.hpp"
#include "memlif/kernels/lif.hpp"
#include "memlif/kernels/trial.hpp"
#include "memlif/kernels/trial_batch.hpp"
#include "memlif/kernels/trial_id.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace memlif {
namespace {

SimParams params_at(double dt_s) {
    SimParams p;
    p.seed = 77;
    p.n_steps = static_cast<std::uint32_t>(200e-3 / dt_s + 0.5);
    p.steps_per_input_bin = p.n_steps / 4;
    p.spike_steps = p.n_steps / 20;
    p.delay_steps = p.n_steps / 20;
    p.steps_per_output_bin = p.n_steps / 20;
    p.n_output_bins = 20;
    p.decay = step_decay(dt_s, 20e-3);
    return p;
}

SynapseDrive drive(const SimParams& p, double w0, double w1, double w2, double w3) {
    return {step_increment(w0, p.decay), step_increment(w1, p.decay), step_increment(w2, p.decay),
            step_increment(w3, p.decay)};
}

//! n trials with pseudo-random codes and ids; returns how many fired (the comparison must see
//! spikes).
int expect_lanes_match(const SimParams& p, const SynapseDrive& d, int n) {
    std::vector<std::uint32_t> codes(n);
    std::vector<std::uint64_t> ids(n);
    for (int t = 0; t < n; ++t) {
        codes[t] = (static_cast<std::uint32_t>(t) * 2654435761u) >> 16;
        ids[t] = make_trial_id(5, codes[t], static_cast<std::uint32_t>(t));
    }
    std::vector<TrialResult> out(n);
    run_trials(p, d, codes.size(), codes.data(), ids.data(), out.data());
    int fired = 0;
    for (int t = 0; t < n; ++t) {
        const TrialResult e = run_trial(p, d, codes[t], ids[t]);
        EXPECT_EQ(out[t].word, e.word) << "trial " << t;
        EXPECT_EQ(out[t].n_spikes, e.n_spikes) << "trial " << t;
        fired += e.n_spikes > 0;
    }
    return fired;
}

TEST(TrialBatch, LanesEqualRunTrialPoissonJitter) {
    SimParams p = params_at(10e-6);
    ASSERT_TRUE(make_poisson_jitter_table(p.jitter, 20.0, 40, 100.0, false));
    // 403 = 50 groups of 8 and a remainder of 3 through run_trial
    EXPECT_GT(expect_lanes_match(p, drive(p, 1.8, 1.5, 2.4, 1.8), 403), 200);
}

TEST(TrialBatch, LanesEqualRunTrialUniformJitterShortDelayAndUnequalWeights) {
    SimParams p = params_at(10e-6);
    p.jitter.law = JitterLaw::uniform;
    p.jitter.max_steps = 4000;
    p.delay_steps = 37; // many spikes per pulse, resets at steps unrelated to the pulse edges
    EXPECT_GT(expect_lanes_match(p, drive(p, 4.0, 0.3, 1.1, 6.0), 400), 200);
}

TEST(TrialBatch, LanesEqualRunTrialZeroDelay) {
    SimParams p = params_at(10e-6);
    p.jitter.law = JitterLaw::uniform;
    p.jitter.max_steps = 4000;
    p.delay_steps = 0; // fire and reset in the same step
    EXPECT_GT(expect_lanes_match(p, drive(p, 3.0, 3.0, 3.0, 3.0), 200), 100);
}

TEST(TrialBatch, LanesEqualRunTrialWithBackspikes) {
    SimParams p = params_at(10e-6);
    ASSERT_TRUE(make_poisson_jitter_table(p.jitter, 20.0, 40, 100.0, false));
    p.backspike.enabled = 1;
    p.backspike.width_steps = 300;          // 3 ms blocks
    p.backspike.mean_interval_steps = 1500; // about 13 per trial
    EXPECT_GT(expect_lanes_match(p, drive(p, 2.0, 2.5, 1.2, 2.0), 403), 150);
}

TEST(TrialBatch, LanesEqualRunTrialWindowShorterThanTheStimulus) {
    SimParams p = params_at(100e-6);
    ASSERT_TRUE(make_poisson_jitter_table(p.jitter, 20.0, 40, 10.0, false));
    p.n_steps = 1234; // stops inside input bin 2, not on an output-bin edge
    p.n_output_bins = 12;
    EXPECT_GT(expect_lanes_match(p, drive(p, 2.0, 2.0, 2.0, 2.0), 200), 100);
}

TEST(TrialBatch, AnyGroupWidthGivesTheSameResults) {
    SimParams p = params_at(100e-6);
    ASSERT_TRUE(make_poisson_jitter_table(p.jitter, 20.0, 40, 10.0, false));
    const SynapseDrive d = drive(p, 3.0, 3.0, 3.0, 3.0); // one pulse alone peaks at 1.18
    std::uint32_t codes[3] = {0xFFFFu, 0x1234u, 0x8421u};
    std::uint64_t ids[3] = {make_trial_id(0, codes[0], 1), make_trial_id(0, codes[1], 2),
                            make_trial_id(0, codes[2], 3)};
    TrialResult one[3], three[3];
    for (int j = 0; j < 3; ++j)
        run_trials_interleaved<1>(p, d, codes + j, ids + j, one + j);
    run_trials_interleaved<3>(p, d, codes, ids, three);
    for (int j = 0; j < 3; ++j) {
        const TrialResult e = run_trial(p, d, codes[j], ids[j]);
        EXPECT_GT(e.n_spikes, 0u);
        EXPECT_EQ(one[j].word, e.word);
        EXPECT_EQ(three[j].word, e.word);
        EXPECT_EQ(three[j].n_spikes, e.n_spikes);
    }
}

} // namespace
} // namespace memlif
