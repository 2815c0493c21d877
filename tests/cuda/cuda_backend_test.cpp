// SPDX-License-Identifier: MIT
//! \file tests/cuda/cuda_backend_test.cpp
//! GPU tests (label gpu): CPU/GPU word parity, device counts and plug-in measures against the host
//! computation on the same data, and the pipelined sweep (chunking, order, errors, stop).
//! Skipped without a device; failed instead when MEMLIF_REQUIRE_GPU=1.
#include "cuda_test_util.hpp"

#include "host/cpu_backend.hpp"
#include "memlif/config.hpp"
#include "memlif/kernels/exact_trial.hpp"
#include "memlif/kernels/trial_id.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace memlif {
namespace {

using test::card_spec;
using test::expect_counts_equal;
using test::expect_plugin_near;
using test::GpuTest;

class CollectSink : public ConditionSink {
  public:
    void consume(ConditionOutput&& out) override { outs.push_back(std::move(out)); }
    std::vector<ConditionOutput> outs;
};

// ---------------------------------------------------------------------------------------------
// Parity of the trial words with the CPU backend (same card, same seed).

struct ParityCase {
    const char* name;
    std::vector<std::string> overrides;
};

//! Names the case in ctest output instead of gtest's byte dump.
void PrintTo(const ParityCase& c, std::ostream* os) { *os << c.name; }

class WordParity : public GpuTest, public ::testing::WithParamInterface<ParityCase> {};

//! The default build may differ in a small fraction of words (FMA contraction in the membrane
//! update, bench/RESULTS.md "Arithmetic differences between the backends"): per condition MI
//! within 1e-3, over the card fewer than test::k_max_differing_word_fraction of the words. The
//! -fmad=false build runs the host's exact sequence of roundings: no word may differ.
TEST_P(WordParity, KernelWordsMatchCpu) {
    const SweepSpec spec = card_spec(GetParam().overrides);
    const double max_fraction = MEMLIF_CUDA_NO_FMAD ? 0.0 : test::k_max_differing_word_fraction;
    test::WordDifference all;
    for (std::uint32_t c = 0; c < spec.drives.size(); ++c) {
        const auto gpu = simulate_words_cuda(spec.params, spec.drives[c], c, spec.stimulus_codes,
                                             spec.n_repeats);
        const auto cpu = simulate_words_cpu(spec.params, spec.drives[c], c, spec.stimulus_codes,
                                            spec.n_repeats, CpuOptions{});
        ASSERT_EQ(gpu.size(), cpu.size());
        const test::WordDifference diff = test::count_differing_words(gpu, cpu);
        all += diff;
        const auto ns = spec.stimulus_codes.size();
        const auto n_bins = spec.params.n_output_bins;
        const PluginMeasures mg = compute_plugin(counts_from_words(gpu, ns, spec.n_repeats, n_bins),
                                                 spec.p_s, spec.n_input_spikes);
        const PluginMeasures mc = compute_plugin(counts_from_words(cpu, ns, spec.n_repeats, n_bins),
                                                 spec.p_s, spec.n_input_spikes);
        EXPECT_NEAR(mg.mi, mc.mi, 1e-3) << "condition " << c;
        if (max_fraction == 0.0) {
            EXPECT_TRUE(test::words_agree(diff, 0.0)) << "condition " << c;
        }
    }
    EXPECT_TRUE(test::words_agree(all, max_fraction));
    std::cout << "[ parity ] " << GetParam().name << ": " << all.differing << " of " << all.total
              << " trial words differ (fraction " << all.fraction() << "), build "
              << (MEMLIF_CUDA_NO_FMAD ? "-fmad=false" : "default (FMA contraction)") << "\n";
    RecordProperty("differing_words", std::to_string(all.differing));
    RecordProperty("total_words", std::to_string(all.total));
}

INSTANTIATE_TEST_SUITE_P(
    Cards, WordParity,
    ::testing::Values(ParityCase{"paper_card", {"simulation.repeats=15"}},
                      ParityCase{"uniform_jitter",
                                 {"stimulus.jitter.law=uniform", "simulation.repeats=8",
                                  R"(conductance_grid=[{"kind":"list","values_uS":[3.0,12.0]}])"}},
                      ParityCase{"backspikes",
                                 {"backspike.enabled=true", "simulation.repeats=6",
                                  R"(conductance_grid=[{"kind":"list","values_uS":[6.2,13.6]}])"}}),
    [](const ::testing::TestParamInfo<ParityCase>& i) { return std::string(i.param.name); });

// ---------------------------------------------------------------------------------------------
// The exact solver's kernel against run_exact_trial on the host (same card, same seed).

//! run_exact_trial on the host for every trial of condition c, in simulate_exact_words_cuda's
//! order (stimulus-major, then repeat).
std::vector<std::uint64_t> host_exact_words(const SweepSpec& spec, std::uint32_t c) {
    std::vector<std::uint64_t> words;
    words.reserve(spec.stimulus_codes.size() * spec.n_repeats);
    for (std::uint16_t code : spec.stimulus_codes)
        for (std::uint32_t r = 0; r < spec.n_repeats; ++r)
            words.push_back(
                run_exact_trial(spec.exact, spec.exact_drives[c], code, make_trial_id(c, code, r))
                    .word);
    return words;
}

class ExactWordParity : public GpuTest, public ::testing::WithParamInterface<ParityCase> {};

//! The device's exp and log are not glibc's (each within a couple of ulp), so a crossing time
//! within rounding of an output-bin edge, or of the window's end, may fall on the other side in
//! either build: the same bounds as the default fixed-step build, in both builds.
TEST_P(ExactWordParity, KernelWordsMatchHost) {
    std::vector<std::string> o = GetParam().overrides;
    o.push_back("simulation.solver=exact");
    const SweepSpec spec = card_spec(o);
    ASSERT_EQ(spec.solver, Solver::exact);
    test::WordDifference all;
    for (std::uint32_t c = 0; c < spec.exact_drives.size(); ++c) {
        const auto gpu = simulate_exact_words_cuda(spec.exact, spec.exact_drives[c], c,
                                                   spec.stimulus_codes, spec.n_repeats);
        const auto cpu = host_exact_words(spec, c);
        ASSERT_EQ(gpu.size(), cpu.size());
        all += test::count_differing_words(gpu, cpu);
        const auto ns = spec.stimulus_codes.size();
        const auto n_bins = spec.params.n_output_bins;
        const PluginMeasures mg = compute_plugin(counts_from_words(gpu, ns, spec.n_repeats, n_bins),
                                                 spec.p_s, spec.n_input_spikes);
        const PluginMeasures mc = compute_plugin(counts_from_words(cpu, ns, spec.n_repeats, n_bins),
                                                 spec.p_s, spec.n_input_spikes);
        EXPECT_NEAR(mg.mi, mc.mi, 1e-3) << "condition " << c;
    }
    EXPECT_TRUE(test::words_agree(all, test::k_max_differing_word_fraction));
    std::cout << "[ parity ] exact " << GetParam().name << ": " << all.differing << " of "
              << all.total << " trial words differ (fraction " << all.fraction() << ")\n";
    RecordProperty("differing_words", std::to_string(all.differing));
    RecordProperty("total_words", std::to_string(all.total));
}

INSTANTIATE_TEST_SUITE_P(
    Cards, ExactWordParity,
    ::testing::Values(ParityCase{"paper_card", {"simulation.repeats=15"}},
                      ParityCase{"continuous_uniform",
                                 {"stimulus.jitter.law=uniform", "simulation.repeats=8",
                                  "simulation.exact_onsets=continuous",
                                  R"(conductance_grid=[{"kind":"list","values_uS":[3.0,12.0]}])"}},
                      ParityCase{"backspikes",
                                 {"backspike.enabled=true", "simulation.repeats=6",
                                  R"(conductance_grid=[{"kind":"list","values_uS":[6.2,13.6]}])"}}),
    [](const ::testing::TestParamInfo<ParityCase>& i) { return std::string(i.param.name); });

using ExactSweep = GpuTest;

//! The pipeline with the exact kernel: chunked, the trial words are simulate_exact_words_cuda's,
//! the counts their host counts and the device plug-in the host's on them.
TEST_F(ExactSweep, ChunkedSweepEqualsHostPathOnSameWords) {
    SweepSpec spec = card_spec({"simulation.repeats=5", "simulation.solver=exact"});
    spec.keep_trial_words = true;
    CollectSink sink;
    CudaOptions opts;
    opts.max_chunk_trials = 5 * 1000 + 3;
    run_sweep_cuda(spec, sink, opts);
    ASSERT_EQ(sink.outs.size(), spec.exact_drives.size());
    const auto ns = spec.stimulus_codes.size();
    for (std::uint32_t c = 0; c < spec.exact_drives.size(); ++c) {
        SCOPED_TRACE("condition " + std::to_string(c));
        const ConditionOutput& out = sink.outs[c];
        EXPECT_EQ(out.condition, c);
        const auto words = simulate_exact_words_cuda(spec.exact, spec.exact_drives[c], c,
                                                     spec.stimulus_codes, spec.n_repeats);
        EXPECT_EQ(out.trial_words, words);
        const ConditionCounts host =
            counts_from_words(words, ns, spec.n_repeats, spec.params.n_output_bins);
        expect_counts_equal(out.counts, host);
        ASSERT_TRUE(out.has_device_plugin);
        expect_plugin_near(out.device_plugin, compute_plugin(host, spec.p_s, spec.n_input_spikes),
                           1e-12);
    }
}

// ---------------------------------------------------------------------------------------------
// Device reductions against the host computation on the same data.

using DeviceCounts = GpuTest;

TEST_F(DeviceCounts, SimulatedWordsMatchCountsFromWords) {
    const SweepSpec spec = card_spec({"simulation.repeats=15"});
    const auto words = simulate_words_cuda(spec.params, spec.drives[1], 1, spec.stimulus_codes, 15);
    const auto ns = spec.stimulus_codes.size();
    expect_counts_equal(counts_from_words_cuda(words, ns, 15, spec.params.n_output_bins),
                        counts_from_words(words, ns, 15, spec.params.n_output_bins));
}

TEST_F(DeviceCounts, SyntheticWordsAllWidths) {
    std::mt19937_64 rng(7);
    for (std::uint32_t n_bins : {1u, 7u, 20u, 44u, 45u, 63u, 64u}) {
        for (std::uint32_t repeats : {1u, 3u, 100u}) {
            const std::size_t ns = 517;
            const std::uint64_t mask = n_bins == 64 ? ~0ull : (1ull << n_bins) - 1;
            std::vector<std::uint64_t> words(ns * repeats);
            // Few distinct values per stimulus so that runs form; include 0 and the all-ones word.
            for (auto& w : words) {
                const std::uint64_t r = rng();
                w = (r % 5 == 0) ? 0 : (r % 5 == 1) ? mask : (rng() & mask & 0x0F0F0F0F0F0F0F0Full);
            }
            SCOPED_TRACE("n_bins " + std::to_string(n_bins) + ", repeats " +
                         std::to_string(repeats));
            expect_counts_equal(counts_from_words_cuda(words, ns, repeats, n_bins),
                                counts_from_words(words, ns, repeats, n_bins));
        }
    }
}

using DevicePlugin = GpuTest;

TEST_F(DevicePlugin, MatchesHostOnSimulatedCounts) {
    for (const char* set : {"symmetric", "all"}) {
        const SweepSpec spec =
            card_spec({std::string("stimulus.set=") + set, "simulation.repeats=4"});
        for (std::uint32_t c = 0; c < spec.drives.size(); c += 7) {
            const auto words =
                simulate_words_cuda(spec.params, spec.drives[c], c, spec.stimulus_codes, 4);
            const ConditionCounts counts =
                counts_from_words(words, spec.stimulus_codes.size(), 4, spec.params.n_output_bins);
            SCOPED_TRACE(std::string(set) + " condition " + std::to_string(c));
            expect_plugin_near(compute_plugin_cuda(counts, spec.p_s, spec.n_input_spikes),
                               compute_plugin(counts, spec.p_s, spec.n_input_spikes), 1e-12);
        }
    }
}

TEST_F(DevicePlugin, EdgeCases) {
    // Stimulus 0: no input spikes (SpS NaN, rank 0); stimuli 1 and 2: identical distributions and
    // spike counts (tied SpS, ranked by index); stimulus 3: no trials and p(s) = 0; stimulus 4:
    // the all-ones 64-bit word.
    ConditionCounts c;
    c.n_bins = 64;
    c.offsets = {0, 2, 4, 6, 6, 7};
    c.words = {0, 5, 1, 9, 1, 9, ~0ull};
    c.counts = {3, 1, 2, 2, 2, 2, 4};
    const std::vector<double> p_s = {0.25, 0.25, 0.25, 0.0, 0.25};
    const std::vector<std::uint32_t> n_spk = {0, 3, 3, 2, 5};
    expect_plugin_near(compute_plugin_cuda(c, p_s, n_spk), compute_plugin(c, p_s, n_spk), 1e-12);

    // A single response overall: MI is exactly 0 on both paths.
    ConditionCounts one;
    one.n_bins = 20;
    one.offsets = {0, 1, 2};
    one.words = {3, 3};
    one.counts = {5, 7};
    const PluginMeasures d = compute_plugin_cuda(one, {0.3, 0.7}, {1, 2});
    expect_plugin_near(d, compute_plugin(one, {0.3, 0.7}, {1, 2}), 1e-12);
    EXPECT_EQ(d.mi, 0.0);
    EXPECT_EQ(d.h_r, 0.0);
}

// ---------------------------------------------------------------------------------------------
// The pipelined sweep.

using Sweep = GpuTest;

//! Small chunks (not a multiple of the stimulus count) force several chunks per condition, both
//! slots, chunks that end a condition mid-slot, and event-ordered appends across streams.
TEST_F(Sweep, ChunkedSweepEqualsHostPathOnSameWords) {
    SweepSpec spec = card_spec({"simulation.repeats=5"});
    spec.keep_trial_words = true;
    CollectSink sink;
    CudaOptions opts;
    opts.max_chunk_trials = 5 * 1000 + 3; // 1000 stimuli per chunk, 4 chunks per condition
    run_sweep_cuda(spec, sink, opts);
    ASSERT_EQ(sink.outs.size(), spec.drives.size());
    const auto ns = spec.stimulus_codes.size();
    for (std::uint32_t c = 0; c < spec.drives.size(); ++c) {
        const ConditionOutput& out = sink.outs[c];
        SCOPED_TRACE("condition " + std::to_string(c));
        EXPECT_EQ(out.condition, c);
        const auto words = simulate_words_cuda(spec.params, spec.drives[c], c, spec.stimulus_codes,
                                               spec.n_repeats);
        EXPECT_EQ(out.trial_words, words);
        const ConditionCounts host =
            counts_from_words(words, ns, spec.n_repeats, spec.params.n_output_bins);
        expect_counts_equal(out.counts, host);
        ASSERT_TRUE(out.has_device_plugin);
        expect_plugin_near(out.device_plugin, compute_plugin(host, spec.p_s, spec.n_input_spikes),
                           1e-12);
        EXPECT_GE(out.mean_output_spikes, 0.0);
        EXPECT_GT(out.kernel_s, 0.0);
    }
}

//! One chunk per condition: every condition's first (only) chunk simulates while the previous
//! condition's plug-in pass runs on the other stream, and its append waits for that pass. Each
//! condition's device plug-in must still be the host's on its own counts, in condition order.
TEST_F(Sweep, OverlappingConditionsKeepTheirOwnPlugin) {
    const SweepSpec spec = card_spec({"simulation.repeats=2"});
    CollectSink sink;
    run_sweep_cuda(spec, sink, CudaOptions{});
    ASSERT_EQ(sink.outs.size(), spec.drives.size());
    for (std::uint32_t c = 0; c < spec.drives.size(); ++c) {
        SCOPED_TRACE("condition " + std::to_string(c));
        const ConditionOutput& out = sink.outs[c];
        EXPECT_EQ(out.condition, c);
        ASSERT_TRUE(out.has_device_plugin);
        expect_plugin_near(out.device_plugin,
                           compute_plugin(out.counts, spec.p_s, spec.n_input_spikes), 1e-12);
    }
}

TEST_F(Sweep, CountsIndependentOfChunking) {
    SweepSpec spec = card_spec(
        {"simulation.repeats=3", R"(conductance_grid=[{"kind":"list","values_uS":[2.6,13.6]}])"});
    CollectSink whole, pieces;
    run_sweep_cuda(spec, whole, CudaOptions{});
    CudaOptions small;
    small.max_chunk_trials = 3 * 77;
    run_sweep_cuda(spec, pieces, small);
    ASSERT_EQ(whole.outs.size(), 2u);
    ASSERT_EQ(pieces.outs.size(), 2u);
    for (std::size_t c = 0; c < 2; ++c) {
        expect_counts_equal(whole.outs[c].counts, pieces.outs[c].counts);
        EXPECT_EQ(whole.outs[c].device_plugin.mi, pieces.outs[c].device_plugin.mi);
        EXPECT_DOUBLE_EQ(whole.outs[c].mean_output_spikes, pieces.outs[c].mean_output_spikes);
        EXPECT_TRUE(whole.outs[c].trial_words.empty());
    }
}

//! The issue's size: all 65536 patterns x 1000 repeats (65.5 M trials per condition, several
//! chunks each, full-size plug-in accumulator), on 2 conductances to keep the test short.
TEST_F(Sweep, FullPatternSetThousandRepeatsFits) {
    SweepSpec spec = card_spec({"stimulus.set=all", "simulation.repeats=1000",
                                R"(conductance_grid=[{"kind":"list","values_uS":[2.6,13.6]}])"});
    CollectSink sink;
    run_sweep_cuda(spec, sink, CudaOptions{});
    ASSERT_EQ(sink.outs.size(), 2u);
    for (const auto& out : sink.outs) {
        EXPECT_EQ(out.counts.n_stimuli(), 65536u);
        EXPECT_EQ(out.counts.offsets.back(), out.counts.words.size());
        std::uint64_t n = 0;
        for (std::uint64_t k : out.counts.counts) n += k;
        EXPECT_EQ(n, 65536ull * 1000);
        if (out.has_device_plugin) {
            EXPECT_EQ(out.device_plugin.n_trials, 65536ull * 1000);
            expect_plugin_near(out.device_plugin,
                               compute_plugin(out.counts, spec.p_s, spec.n_input_spikes), 1e-9);
        }
    }
}

TEST_F(Sweep, WithoutProbabilitiesHasNoDevicePlugin) {
    SweepSpec spec = card_spec({"simulation.repeats=2"});
    spec.p_s.clear();
    spec.drives.resize(1);
    CollectSink sink;
    run_sweep_cuda(spec, sink, CudaOptions{});
    ASSERT_EQ(sink.outs.size(), 1u);
    EXPECT_FALSE(sink.outs[0].has_device_plugin);
}

TEST_F(Sweep, SinkErrorPropagatesWithoutHanging) {
    SweepSpec spec = card_spec({"simulation.repeats=2"});
    struct Throwing : ConditionSink {
        void consume(ConditionOutput&&) override { throw std::runtime_error("disk full"); }
    } sink;
    EXPECT_THROW(run_sweep_cuda(spec, sink, CudaOptions{}), std::runtime_error);
}

TEST_F(Sweep, StopRequestEndsEarlyWithCompletedConditionsInOrder) {
    SweepSpec spec = card_spec({"simulation.repeats=2"});
    struct Stopping : CollectSink {
        bool stop_requested() const override { return !outs.empty(); }
    } sink;
    run_sweep_cuda(spec, sink, CudaOptions{});
    ASSERT_GE(sink.outs.size(), 1u);
    EXPECT_LT(sink.outs.size(), spec.drives.size());
    for (std::size_t c = 0; c < sink.outs.size(); ++c) EXPECT_EQ(sink.outs[c].condition, c);
}

TEST_F(Sweep, BadDeviceIsACudaError) {
    SweepSpec spec = card_spec({"simulation.repeats=2"});
    CollectSink sink;
    CudaOptions opts;
    opts.device = 1000;
    EXPECT_THROW(run_sweep_cuda(spec, sink, opts), CudaError);
}

} // namespace
} // namespace memlif
