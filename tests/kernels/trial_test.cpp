// SPDX-License-Identifier: MIT
//! \file tests/kernels/trial_test.cpp
//! Whole trials with hand-computable outcomes (no jitter), plus determinism and back-spike
//! blocking.
#include "protocol_params.hpp"

#include "memlif/kernels/lif.hpp"
#include "memlif/kernels/trial.hpp"
#include "memlif/kernels/trial_id.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <utility>
#include <vector>

namespace memlif {
namespace {

//! The default protocol at dt = 10 us: 4 x 50 ms input bins, 10 ms spikes, 20 x 10 ms output bins.
SimParams default_params() { return test::protocol_params(1234); }

SynapseDrive drive(const SimParams& p, double w) {
    const double a = step_increment(w, p.decay);
    return {a, a, a, a};
}

std::uint32_t bit(int input, int bin) { return 1u << (4 * input + bin); }

TEST(Trial, SilentStimulusGivesSilentWord) {
    const SimParams p = default_params();
    const TrialResult r = run_trial(p, drive(p, 4.0), 0, make_trial_id(0, 0, 0));
    EXPECT_EQ(r.word, 0u);
    EXPECT_EQ(r.n_spikes, 0u);
}

TEST(Trial, SingleStrongSpikeFiresInItsOwnBin) {
    const SimParams p = default_params();
    // w = 4: crossing at tau ln(4/3) = 5.75 ms after onset, reset 10 ms later after the input ended
    EXPECT_EQ(run_trial(p, drive(p, 4.0), bit(0, 0), 1).word, 1ull << 0);
    // input 2, input bin 3: onset 150 ms -> output spike at 155.75 ms -> output bin 15
    const TrialResult r = run_trial(p, drive(p, 4.0), bit(2, 3), 1);
    EXPECT_EQ(r.word, 1ull << 15);
    EXPECT_EQ(r.n_spikes, 1u);
}

TEST(Trial, SubthresholdSpikeDoesNotFire) {
    const SimParams p = default_params();
    // w = 0.7647 peaks at 0.30 V_th (model.md §2.3)
    EXPECT_EQ(run_trial(p, drive(p, 0.7647), bit(1, 2), 1).word, 0u);
}

TEST(Trial, CoincidentInputsSumTheirCurrents) {
    const SimParams p = default_params();
    // w = 0.7647 each: one alone never fires, all four together (u_inf = 3.06) cross at
    // tau ln(3.06/2.06) = 7.9 ms after the 50 ms onset: output bin 5
    const std::uint32_t code = bit(0, 1) | bit(1, 1) | bit(2, 1) | bit(3, 1);
    EXPECT_EQ(run_trial(p, drive(p, 0.7647), code, 1).word, 1ull << 5);
}

TEST(Trial, PerSynapseDrivesAreIndependent) {
    const SimParams p = default_params();
    SynapseDrive d = drive(p, 0.5);
    d.a3 = step_increment(4.0, p.decay); // only synapse 4 is strong
    EXPECT_EQ(run_trial(p, d, bit(0, 0), 1).word, 0u);
    EXPECT_EQ(run_trial(p, d, bit(3, 0), 1).word, 1u);
}

TEST(Trial, LongInputFiresRepeatedlyWithTheDelay) {
    SimParams p = default_params();
    p.spike_steps = 5000; // input on for the whole 50 ms bin
    // w = 4: spikes at 5.76, 21.5, 37.3 ms (period = crossing time + 10 ms delay) -> bins 0, 2, 3
    const TrialResult r = run_trial(p, drive(p, 4.0), bit(0, 0), 1);
    const double tc = 20e-3 * std::log(4.0 / 3.0);
    std::uint64_t expected = 0;
    for (double t = std::ceil(tc / 1e-5) * 1e-5; t < 50e-3;
         t += std::ceil(tc / 1e-5) * 1e-5 + 10e-3)
        expected |= 1ull << static_cast<int>(std::floor(t / 10e-3 + 1e-9));
    EXPECT_EQ(r.word, expected);
    EXPECT_EQ(r.n_spikes, 3u);
}

TEST(Trial, ResultDependsOnlyOnSeedAndTrialId) {
    SimParams p = default_params();
    p.jitter.law = JitterLaw::uniform;
    p.jitter.max_steps = 4000;
    const SynapseDrive d = drive(p, 1.8235);
    int differ_rep = 0, differ_seed = 0;
    for (std::uint32_t rep = 0; rep < 200; ++rep) {
        const std::uint32_t code = 0x1248u + rep;
        const auto a = run_trial(p, d, code, make_trial_id(3, code, rep));
        const auto b = run_trial(p, d, code, make_trial_id(3, code, rep));
        EXPECT_EQ(a.word, b.word);
        differ_rep += a.word != run_trial(p, d, code, make_trial_id(3, code, rep + 1000)).word;
        SimParams q = p;
        q.seed = p.seed + 1;
        differ_seed += a.word != run_trial(q, d, code, make_trial_id(3, code, rep)).word;
    }
    EXPECT_GT(differ_rep, 20); // jitter changes the words of most multi-spike stimuli
    EXPECT_GT(differ_seed, 20);
}

TEST(Trial, UniformJitterKeepsTheSpikeInsideItsBin) {
    SimParams p = default_params();
    p.jitter.law = JitterLaw::uniform;
    p.jitter.max_steps = 4000; // onset in [0, 40] ms
    int seen[20] = {};
    for (std::uint32_t rep = 0; rep < 2000; ++rep) {
        const auto r = run_trial(p, drive(p, 4.0), bit(1, 0), make_trial_id(0, bit(1, 0), rep));
        ASSERT_EQ(r.n_spikes, 1u);
        const int b = static_cast<int>(std::log2(static_cast<double>(r.word)));
        ASSERT_LE(b, 4); // onset + 5.76 ms < 50 ms
        ++seen[b];
    }
    for (int b = 0; b <= 4; ++b) EXPECT_GT(seen[b], 0) << "bin " << b;
}

TEST(Trial, BackspikesBlockTheInputs) {
    SimParams p = default_params();
    p.backspike.enabled = 1;
    p.backspike.width_steps = 0;
    p.backspike.mean_interval_steps = 10.0;
    EXPECT_EQ(run_trial(p, drive(p, 4.0), bit(0, 0), 1).word, 1u); // zero width: no effect
    p.backspike.width_steps = 100000;
    p.backspike.mean_interval_steps = 1e-3; // first back-spike at step 1 and lasting all trial
    const auto r = run_trial(p, drive(p, 4.0), bit(0, 0) | bit(1, 1) | bit(2, 2), 1);
    EXPECT_EQ(r.word, 0u);
}

TEST(Trial, WindowShorterThanTheStimulusDropsLateSpikes) {
    SimParams p = default_params();
    p.n_steps = 10000; // 100 ms window, 10 bins
    p.n_output_bins = 10;
    EXPECT_EQ(run_trial(p, drive(p, 4.0), bit(0, 3), 1).word, 0u);
    EXPECT_EQ(run_trial(p, drive(p, 4.0), bit(0, 1), 1).word, 1ull << 5);
}

} // namespace
} // namespace memlif

namespace memlif {
namespace {

//! Independent per-step reference: every step re-evaluates the four pulse windows and the
//! back-spike state from scratch (the straightforward reading of model.md §2.2, §4, §6).
TrialResult reference_trial(const SimParams& p, const SynapseDrive& d, std::uint32_t code,
                            std::uint64_t id) {
    std::uint32_t on[4][4], off[4][4];
    for (int b = 0; b < 4; ++b) {
        const Philox4x32 r =
            trial_draw(p.seed, id, static_cast<std::uint32_t>(b), RngStream::jitter);
        const std::uint32_t rr[4] = {r.x, r.y, r.z, r.w};
        for (int i = 0; i < 4; ++i) {
            const bool set = (code >> (4 * i + b)) & 1u;
            on[i][b] = set ? b * p.steps_per_input_bin + jitter_onset_steps(p.jitter, rr[i]) : 0;
            off[i][b] = set ? on[i][b] + p.spike_steps : 0;
        }
    }
    const double a[4] = {d.a0, d.a1, d.a2, d.a3};
    // back-spike windows, from the same interval draws
    std::vector<std::pair<std::uint32_t, std::uint32_t>> blocks;
    if (p.backspike.enabled) {
        std::uint64_t t = 0;
        for (std::uint32_t j = 0; t < p.n_steps; ++j) {
            t += backspike_interval_steps(p.backspike, p.seed, id, j);
            if (t < p.n_steps)
                blocks.emplace_back(static_cast<std::uint32_t>(t),
                                    static_cast<std::uint32_t>(t) + p.backspike.width_steps);
        }
    }
    TrialResult res;
    double u = 0;
    bool armed = true;
    std::uint32_t reset_at = 0;
    for (std::uint32_t k = 0; k < p.n_steps; ++k) {
        double drive = 0;
        for (int i = 0; i < 4; ++i) {
            double ai = 0.0;
            for (int b = 0; b < 4; ++b)
                if (k >= on[i][b] && k < off[i][b]) ai = a[i];
            drive += ai;
        }
        for (const auto& bl : blocks)
            if (k >= bl.first && k < bl.second) drive = 0;
        u = u * p.decay + drive;
        if (armed && u >= 1.0) {
            armed = false;
            reset_at = k + 1 + p.delay_steps;
            const std::uint32_t bin = (k + 1) / p.steps_per_output_bin;
            if (bin < p.n_output_bins) {
                res.word |= 1ull << bin;
                ++res.n_spikes;
            }
        }
        if (!armed && k + 1 == reset_at) {
            u = 0;
            armed = true;
        }
    }
    return res;
}

void expect_matches_reference(const SimParams& p, double w, int n) {
    const SynapseDrive d{step_increment(w, p.decay), step_increment(0.8 * w, p.decay),
                         step_increment(1.3 * w, p.decay), step_increment(w, p.decay)};
    int fired = 0;
    for (int t = 0; t < n; ++t) {
        const std::uint32_t code = (static_cast<std::uint32_t>(t) * 2654435761u) >> 16;
        const std::uint64_t id = make_trial_id(2, code, static_cast<std::uint32_t>(t));
        const TrialResult a = run_trial(p, d, code, id), e = reference_trial(p, d, code, id);
        ASSERT_EQ(a.word, e.word) << "trial " << t;
        ASSERT_EQ(a.n_spikes, e.n_spikes) << "trial " << t;
        fired += a.word != 0;
    }
    EXPECT_GT(fired, n / 4); // the comparison exercised firing trials
}

TEST(Trial, SegmentedLoopEqualsPerStepReferenceUniformJitter) {
    SimParams p = default_params();
    p.jitter.law = JitterLaw::uniform;
    p.jitter.max_steps = 4000;
    expect_matches_reference(p, 1.8, 300);
}

TEST(Trial, SegmentedLoopEqualsPerStepReferencePoissonJitterShortDelay) {
    SimParams p = default_params();
    ASSERT_TRUE(make_poisson_jitter_table(p.jitter, 20.0, 40, 100.0, false));
    p.delay_steps = 100; // several spikes per input pulse
    expect_matches_reference(p, 3.0, 300);
}

TEST(Trial, SegmentedLoopEqualsPerStepReferenceWithBackspikes) {
    SimParams p = default_params();
    ASSERT_TRUE(make_poisson_jitter_table(p.jitter, 20.0, 40, 100.0, false));
    p.backspike.enabled = 1;
    p.backspike.width_steps = 300;          // 3 ms blocks
    p.backspike.mean_interval_steps = 2000; // every 20 ms on average: many blocks per trial
    expect_matches_reference(p, 2.0, 300);
}

} // namespace
} // namespace memlif
