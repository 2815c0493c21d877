// SPDX-License-Identifier: MIT
//! \file tests/host/cpu_backend_test.cpp
//! Counts must not depend on thread count or batch size: each trial is a pure function of
//! (seed, trial id).
#include "host/config.hpp"
#include "host/cpu_backend.hpp"
#include "host/stimulus_set.hpp"

#include "memlif/kernels/exact_trial.hpp"
#include "memlif/kernels/trial.hpp"
#include "memlif/kernels/trial_id.hpp"

#include <gtest/gtest.h>

namespace memlif {
namespace {

class CollectSink : public ConditionSink {
  public:
    void consume(ConditionOutput&& out) override { outs.push_back(std::move(out)); }
    std::vector<ConditionOutput> outs;
};

SweepSpec small_spec(std::uint32_t n_stimuli, std::uint32_t repeats) {
    nlohmann::json card = nlohmann::json::object();
    apply_override(card, R"(conductance_grid=[{"kind":"list","values_uS":[4.0, 9.0]}])");
    const RunConfig cfg = resolve_config(card);
    const StimulusSet set = make_stimulus_set(StimulusSetKind::symmetric);
    SweepSpec spec;
    spec.params = make_sim_params(cfg);
    for (const auto& c : make_conditions(cfg, spec.params)) spec.drives.push_back(c.drive);
    for (std::uint32_t i = 0; i < n_stimuli; ++i)
        spec.stimulus_codes.push_back(set.codes[i * 37 % set.size()]);
    spec.n_repeats = repeats;
    spec.keep_trial_words = true;
    return spec;
}

TEST(CpuBackend, CountsInvariantToThreadsAndBatches) {
    const SweepSpec spec = small_spec(60, 7);
    std::vector<std::vector<ConditionOutput>> runs;
    for (CpuOptions o :
         {CpuOptions{1, 1u << 16}, CpuOptions{2, 5}, CpuOptions{3, 13}, CpuOptions{2, 1}}) {
        CollectSink sink;
        run_sweep_cpu(spec, sink, o);
        ASSERT_EQ(sink.outs.size(), 2u);
        runs.push_back(std::move(sink.outs));
    }
    for (std::size_t r = 1; r < runs.size(); ++r)
        for (std::size_t c = 0; c < 2; ++c) {
            EXPECT_EQ(runs[r][c].trial_words, runs[0][c].trial_words);
            EXPECT_EQ(runs[r][c].counts.words, runs[0][c].counts.words);
            EXPECT_EQ(runs[r][c].counts.counts, runs[0][c].counts.counts);
            EXPECT_EQ(runs[r][c].counts.offsets, runs[0][c].counts.offsets);
            EXPECT_DOUBLE_EQ(runs[r][c].mean_output_spikes, runs[0][c].mean_output_spikes);
        }
}

TEST(CpuBackend, Issue9_CountsWithoutKeptWordsEqualTheCountsOfAllWords) {
    // Without /trials the words are counted slice by slice as stimuli complete (the memory of a
    // condition no longer grows with stimuli x repeats); slices of 1, 5 and 13 trials leave a
    // stimulus of 7 repeats open across slices, and must count exactly what counts_from_words of
    // the whole condition counts.
    SweepSpec spec = small_spec(60, 7);
    CollectSink all;
    run_sweep_cpu(spec, all, CpuOptions{1, 1u << 16});
    spec.keep_trial_words = false;
    for (CpuOptions o : {CpuOptions{1, 1}, CpuOptions{2, 5}, CpuOptions{3, 13}, CpuOptions{1, 420},
                         CpuOptions{2, 1u << 16}}) {
        CollectSink sink;
        run_sweep_cpu(spec, sink, o);
        ASSERT_EQ(sink.outs.size(), 2u);
        for (std::size_t c = 0; c < 2; ++c) {
            const ConditionCounts ref =
                counts_from_words(all.outs[c].trial_words, 60, 7, spec.params.n_output_bins);
            EXPECT_TRUE(sink.outs[c].trial_words.empty());
            EXPECT_EQ(sink.outs[c].counts.offsets, ref.offsets) << o.batch_trials;
            EXPECT_EQ(sink.outs[c].counts.words, ref.words) << o.batch_trials;
            EXPECT_EQ(sink.outs[c].counts.counts, ref.counts) << o.batch_trials;
            EXPECT_EQ(sink.outs[c].counts.n_bins, ref.n_bins);
            EXPECT_DOUBLE_EQ(sink.outs[c].mean_output_spikes, all.outs[c].mean_output_spikes);
        }
    }
}

TEST(CpuBackend, WordsAreTheKernelTrialsInStimulusMajorOrder) {
    const SweepSpec spec = small_spec(10, 4);
    const auto words = simulate_words_cpu(spec.params, spec.drives[1], 1, spec.stimulus_codes, 4,
                                          CpuOptions{2, 3});
    ASSERT_EQ(words.size(), 40u);
    for (std::uint32_t s = 0; s < 10; ++s)
        for (std::uint32_t r = 0; r < 4; ++r) {
            const std::uint32_t code = spec.stimulus_codes[s];
            EXPECT_EQ(words[s * 4 + r],
                      run_trial(spec.params, spec.drives[1], code, make_trial_id(1, code, r)).word);
        }
}

TEST(CpuBackend, CountsSumToRepeatsPerStimulus) {
    const SweepSpec spec = small_spec(25, 9);
    CollectSink sink;
    run_sweep_cpu(spec, sink, CpuOptions{});
    for (const auto& out : sink.outs) {
        ASSERT_EQ(out.counts.n_stimuli(), 25u);
        for (std::size_t s = 0; s < 25; ++s) {
            EXPECT_EQ(out.counts.n_trials(s), 9u);
            for (auto k = out.counts.offsets[s] + 1; k < out.counts.offsets[s + 1]; ++k)
                EXPECT_LT(out.counts.words[k - 1], out.counts.words[k]);
        }
    }
}

TEST(CpuBackend, StopRequestEndsTheSweep) {
    class StopSink : public CollectSink {
      public:
        bool stop_requested() const override { return !outs.empty(); }
    };
    const SweepSpec spec = small_spec(20, 3);
    StopSink sink;
    run_sweep_cpu(spec, sink, CpuOptions{1, 8});
    EXPECT_EQ(sink.outs.size(), 1u);
}

TEST(CpuBackend, Issue12_StopIsPolledWithinACondition) {
    // defect 12: a stop waited for the whole current batch, which at the default batch_trials
    // (65536) is a whole condition (3876 stimuli x 15 repeats): the sink was polled once per
    // condition. A condition is now simulated in slices (the first of at most 1024 trials, later
    // ones sized to ~0.1 s), each preceded by a poll, so a stop asked for while the first slice
    // runs ends the sweep before the condition is finished.
    class StopAtSecondPoll : public CollectSink {
      public:
        bool stop_requested() const override { return ++polls >= 2; }
        void on_progress(std::uint64_t done) override { last_progress = done; }
        mutable int polls = 0;
        std::uint64_t last_progress = 0;
    };
    const SweepSpec spec = small_spec(200, 20); // 4000 trials per condition, below one batch
    StopAtSecondPoll sink;
    run_sweep_cpu(spec, sink, CpuOptions{1, 1u << 16});
    EXPECT_TRUE(sink.outs.empty());
    EXPECT_EQ(sink.polls, 2);
    EXPECT_LE(sink.last_progress, 1024u);
    EXPECT_GT(sink.last_progress, 0u);

    // and the slicing changes no trial
    CollectSink sliced, whole;
    run_sweep_cpu(spec, sliced, CpuOptions{1, 1u << 16});
    run_sweep_cpu(spec, whole, CpuOptions{1, 4000});
    for (std::size_t c = 0; c < 2; ++c)
        EXPECT_EQ(sliced.outs[c].trial_words, whole.outs[c].trial_words);
}

TEST(CpuBackend, Issue12_ASubsetOfConditionsKeepsItsConditionIds) {
    // --resume simulates only the pending conditions: each must get the trials of its own id
    const SweepSpec spec = small_spec(30, 3);
    CollectSink all;
    run_sweep_cpu(spec, all, CpuOptions{});
    CollectSink part;
    const SweepSpec sub = only_conditions(spec, {1});
    run_sweep_cpu(sub, part, CpuOptions{});
    ASSERT_EQ(part.outs.size(), 1u);
    // the output names the drive's position in the subset; its trial ids carry the own id
    EXPECT_EQ(part.outs[0].condition, 0u);
    EXPECT_EQ(sub.condition_id(part.outs[0].condition), 1u);
    EXPECT_EQ(part.outs[0].trial_words, all.outs[1].trial_words);
    EXPECT_NE(part.outs[0].trial_words, all.outs[0].trial_words);
}

TEST(CpuBackend, Issue12_ASubsetOfConditionsKeepsItsNoise) {
    // a resumed noisy sweep: the pending condition must keep its own device noise, so that its
    // trials are those of the whole sweep (and differ from the noiseless condition's)
    SweepSpec spec = small_spec(20, 3);
    spec.noise.assign(2, SynapseNoise{});
    spec.noise[1].device_sigma_ln = 0.3;
    CollectSink all;
    run_sweep_cpu(spec, all, CpuOptions{});
    CollectSink part;
    const SweepSpec sub = only_conditions(spec, {1});
    ASSERT_EQ(sub.noise.size(), 1u);
    run_sweep_cpu(sub, part, CpuOptions{});
    ASSERT_EQ(part.outs.size(), 1u);
    EXPECT_EQ(part.outs[0].trial_words, all.outs[1].trial_words);
    SweepSpec quiet = spec;
    quiet.noise.clear();
    CollectSink noiseless;
    run_sweep_cpu(only_conditions(quiet, {1}), noiseless, CpuOptions{});
    EXPECT_NE(part.outs[0].trial_words, noiseless.outs[0].trial_words);
}

TEST(CpuBackend, SymmetricClassMatchesTheSamePatternInTheAllSet) {
    // The trial id carries the stimulus code, so the canonical member of a class and the same
    // pattern in the 65536 set receive identical jitters and so identical words.
    const SweepSpec spec = small_spec(10, 5);
    const auto a =
        simulate_words_cpu(spec.params, spec.drives[0], 0, spec.stimulus_codes, 5, CpuOptions{});
    std::vector<std::uint16_t> reversed(spec.stimulus_codes.rbegin(), spec.stimulus_codes.rend());
    const auto b = simulate_words_cpu(spec.params, spec.drives[0], 0, reversed, 5, CpuOptions{});
    for (std::size_t s = 0; s < 10; ++s)
        for (std::size_t r = 0; r < 5; ++r) EXPECT_EQ(a[s * 5 + r], b[(9 - s) * 5 + r]);
}

//! The sweep of `small_spec` through the card path with the exact solver.
SweepSpec exact_spec(const char* onsets) {
    nlohmann::json card = nlohmann::json::object();
    apply_override(card, R"(conductance_grid=[{"kind":"list","values_uS":[4.0, 13.6]}])");
    apply_override(card, "simulation.solver=exact");
    apply_override(card, std::string("simulation.exact_onsets=") + onsets);
    apply_override(card, "simulation.repeats=3");
    apply_override(card, "simulation.batch_trials=1000");
    SweepSpec spec = make_sweep(resolve_config(card)).spec;
    spec.stimulus_codes.resize(300);
    spec.keep_trial_words = true;
    return spec;
}

TEST(CpuBackend, ExactSolverSweepIsTheKernelsExactTrialAndBatchInvariant) {
    for (const char* onsets : {"grid", "continuous"}) {
        const SweepSpec spec = exact_spec(onsets);
        ASSERT_EQ(spec.solver, Solver::exact);
        EXPECT_EQ(spec.exact.timing,
                  std::string(onsets) == "grid" ? OnsetTiming::grid : OnsetTiming::continuous);
        CollectSink a, b;
        run_sweep_cpu(spec, a, CpuOptions{2, 1u << 16});
        run_sweep_cpu(spec, b, CpuOptions{1, 7});
        ASSERT_EQ(a.outs.size(), 2u);
        for (std::uint32_t c = 0; c < 2; ++c) {
            EXPECT_EQ(a.outs[c].trial_words, b.outs[c].trial_words);
            for (std::size_t t = 0; t < a.outs[c].trial_words.size(); ++t) {
                const std::uint32_t code = spec.stimulus_codes[t / 3];
                const std::uint64_t id = make_trial_id(c, code, static_cast<std::uint32_t>(t % 3));
                ASSERT_EQ(a.outs[c].trial_words[t],
                          run_exact_trial(spec.exact, spec.exact_drives[c], code, id).word)
                    << onsets << " condition " << c << " trial " << t;
            }
        }
    }
}

TEST(CpuBackend, ExactSolverOnTheGridAgreesWithTheFixedStepOnMostTrials) {
    // Same onsets (grid timing): the solvers differ only where the fixed step's end-of-step
    // convention moves a crossing across a bin edge (exact_convergence_test has the full study).
    SweepSpec exact = exact_spec("grid");
    SweepSpec fixed = exact;
    fixed.solver = Solver::fixed;
    CollectSink a, b;
    run_sweep_cpu(exact, a, CpuOptions{2, 1u << 16});
    run_sweep_cpu(fixed, b, CpuOptions{2, 1u << 16});
    std::size_t differ = 0, n = 0;
    for (std::uint32_t c = 0; c < 2; ++c)
        for (std::size_t t = 0; t < a.outs[c].trial_words.size(); ++t, ++n)
            differ += a.outs[c].trial_words[t] != b.outs[c].trial_words[t];
    EXPECT_LT(static_cast<double>(differ) / static_cast<double>(n), 0.02) << differ << " of " << n;
}

} // namespace
} // namespace memlif
