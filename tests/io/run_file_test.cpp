// SPDX-License-Identifier: MIT
//! \file tests/io/run_file_test.cpp
//! RunWriter / RunReader / AnalysisWriter: exact round trips, crash semantics, refusals.
#include "io/h5.hpp"
#include "io/run_file.hpp"
#include "io_test_util.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

namespace memlif::io {
namespace {

using test::expect_counts_equal;
using test::expect_plugin_equal;
using test::expect_same;
using test::expect_stats_equal;
using test::make_run;
using test::ScratchDir;
using test::SyntheticRun;

void expect_metadata_equal(const RunMetadata& a, const RunMetadata& b) {
    EXPECT_EQ(a.software_version, b.software_version);
    EXPECT_EQ(a.git_sha, b.git_sha);
    EXPECT_EQ(a.backend, b.backend);
    EXPECT_EQ(a.created_utc, b.created_utc);
    EXPECT_EQ(a.config_json, b.config_json);
    EXPECT_EQ(a.seed, b.seed);
    EXPECT_EQ(a.n_bins, b.n_bins);
    EXPECT_TRUE(test::same_bits(a.bin_width_s, b.bin_width_s));
    EXPECT_TRUE(test::same_bits(a.window_s, b.window_s));
    EXPECT_TRUE(test::same_bits(a.dt_s, b.dt_s));
    EXPECT_EQ(a.n_repeats, b.n_repeats);
    EXPECT_EQ(a.stimulus_set, b.stimulus_set);
    EXPECT_EQ(a.p_s_mode, b.p_s_mode);
    EXPECT_EQ(a.synapse_model, b.synapse_model);
    EXPECT_EQ(a.trial_id_layout, b.trial_id_layout);
}

void expect_rows_equal(const std::vector<std::array<double, 4>>& a,
                       const std::vector<std::array<double, 4>>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        for (std::size_t j = 0; j < 4; ++j) EXPECT_TRUE(test::same_bits(a[i][j], b[i][j]));
    }
}

void expect_full_file(const std::string& path, const SyntheticRun& run) {
    RunReader r(path);
    expect_metadata_equal(r.metadata(), run.meta);
    const StimulusTable st = r.stimuli();
    EXPECT_EQ(st.code, run.stimuli.code);
    EXPECT_EQ(st.multiplicity, run.stimuli.multiplicity);
    EXPECT_EQ(st.n_input_spikes, run.stimuli.n_input_spikes);
    expect_same(st.p_s, run.stimuli.p_s);
    const ConditionAxis ax = r.axis();
    expect_rows_equal(ax.conductance_S, run.axis.conductance_S);
    expect_rows_equal(ax.weight, run.axis.weight);
    expect_rows_equal(ax.current_A, run.axis.current_A);
    EXPECT_EQ(r.n_conditions(), 3u);
    EXPECT_EQ(r.n_stimuli(), 4u);
    for (std::uint32_t k = 0; k < 3; ++k) {
        SCOPED_TRACE(k);
        expect_counts_equal(r.counts(k), run.conditions[k].counts);
        expect_plugin_equal(r.plugin(k), run.conditions[k].plugin);
        expect_stats_equal(r.stats(k), run.conditions[k].stats);
    }
}

//! /counts holds, for each (condition, first row), a block of `rows` rows of that condition at that
//! row (FORMAT.md: every condition's block starts a chunk of its own), fill (condition 0) between.
void expect_blocks(const RunReader& r, const std::vector<std::pair<std::uint32_t, std::size_t>>& at,
                   std::size_t rows) {
    std::vector<std::size_t> shape;
    const auto cond = r.read_u32("/counts/condition", &shape);
    std::size_t end = 0;
    std::vector<bool> in_block(cond.size(), false);
    for (const auto& [k, start] : at) {
        ASSERT_LE(start + rows, cond.size());
        for (std::size_t i = start; i < start + rows; ++i) {
            EXPECT_EQ(cond[i], k) << "row " << i;
            in_block[i] = true;
        }
        end = std::max(end, start + rows);
    }
    EXPECT_EQ(shape, (std::vector<std::size_t>{end}));
    for (std::size_t i = 0; i < cond.size(); ++i) {
        if (!in_block[i]) {
            EXPECT_EQ(cond[i], 0u) << "fill row " << i;
        }
    }
}

TEST(RunFile, RoundTripOutOfOrderIsExact) {
    ScratchDir dir;
    const std::string path = dir.file("run.h5");
    const SyntheticRun run = make_run();
    {
        RunWriter w(path, run.meta, run.stimuli, run.axis, false);
        test::write_condition(w, run, 2);
        test::write_condition(w, run, 0);
        test::write_condition(w, run, 1);
        EXPECT_EQ(w.n_conditions_completed(), 3u);
        w.finish(12.5, 48);
    }
    expect_full_file(path, run);
    RunReader r(path);
    EXPECT_TRUE(r.complete());
    EXPECT_EQ(r.incomplete_reason(), "");
    EXPECT_EQ(r.completed_conditions(), (std::vector<std::uint32_t>{0, 1, 2}));
    EXPECT_EQ(r.format_version(),
              (std::array<std::int32_t, 2>{run_format_major, run_format_minor}));
    const auto rt = r.runtime();
    ASSERT_TRUE(rt.has_value());
    EXPECT_EQ(rt->wall_s, 12.5);
    EXPECT_EQ(rt->n_trials, 48u);
    EXPECT_DOUBLE_EQ(rt->trials_per_s, 48 / 12.5);
    EXPECT_FALSE(r.has_trials());
    EXPECT_THROW(r.trials(), IoError);

    // Rows are stored in write order, condition 2 first, each condition's block starting a chunk
    // of 32768 rows of its own (the rows between blocks are fill, condition 0).
    expect_blocks(r, {{2, 0}, {0, 32768}, {1, 65536}}, 6);
}

TEST(RunFile, ProvenanceAttributesPresent) {
    ScratchDir dir;
    const std::string path = dir.file("run.h5");
    const SyntheticRun run = make_run();
    { RunWriter w(path, run.meta, run.stimuli, run.axis, false); }
    // Read with the raw layer, independently of RunReader.
    h5::Handle f = h5::open_file(path, false);
    EXPECT_EQ(h5::read_attr_string(f, "filetype"), "memlif-run");
    EXPECT_EQ(h5::read_attr_array<std::int32_t>(f, "format_version"),
              (std::vector<std::int32_t>{run_format_major, run_format_minor}));
    EXPECT_EQ(h5::read_attr_string(f, "software_version"), "0.1.0-test");
    EXPECT_EQ(h5::read_attr_string(f, "git_sha1"), "0123456789ab");
    EXPECT_EQ(h5::read_attr_string(f, "created"), "2026-01-02T03:04:05Z");
    EXPECT_EQ(h5::read_attr_string(f, "backend"), "cpu: openmp x2");
    EXPECT_EQ(h5::read_attr<std::uint64_t>(f, "seed"), 0xFEDCBA9876543210ULL);
    EXPECT_EQ(h5::read_attr<std::uint8_t>(f, "complete"), 0);
    EXPECT_EQ(h5::read_attr<std::uint32_t>(f, "n_conditions_completed"), 0u);
    EXPECT_EQ(h5::read_string_dataset(f, "config_json"), run.meta.config_json);
    for (const char* name : {"stimuli/code", "counts/word", "axes/conductance_S",
                             "results/mutual_information_bit", "results/sps_rank"}) {
        EXPECT_TRUE(h5::exists(f, name)) << name;
    }
    h5::Handle word = h5::open_dataset(f, "counts/word");
    EXPECT_EQ(h5::read_attr_string(word, "bit_order"), "lsb_first");
    h5::Handle g = h5::open_dataset(f, "axes/conductance_S");
    EXPECT_EQ(h5::read_attr_string(g, "units"), "S");
    // Results are NaN until a condition completes.
    const auto mi = h5::read_dataset<double>(f, "results/mutual_information_bit");
    ASSERT_EQ(mi.size(), 3u);
    for (double v : mi) EXPECT_TRUE(std::isnan(v));
    const auto sss = h5::read_dataset<double>(f, "results/sss_bit");
    ASSERT_EQ(sss.size(), 12u);
    for (double v : sss) EXPECT_TRUE(std::isnan(v));
    for (std::uint32_t v : h5::read_dataset<std::uint32_t>(f, "results/sps_rank")) EXPECT_EQ(v, 0u);
}

TEST(RunFile, LargeStimulusTablesCostNothingUntilWritten) {
    ScratchDir dir;
    const std::string path = dir.file("big.h5");
    SyntheticRun run = make_run();
    const std::size_t n_s = 65536, n_g = 500;
    run.stimuli = {};
    for (std::size_t s = 0; s < n_s; ++s) {
        run.stimuli.code.push_back(static_cast<std::uint16_t>(s));
        run.stimuli.multiplicity.push_back(1);
        run.stimuli.n_input_spikes.push_back(static_cast<std::uint32_t>(__builtin_popcount(s)));
        run.stimuli.p_s.push_back(1.0 / n_s);
    }
    run.axis = {};
    for (std::size_t k = 0; k < n_g; ++k) {
        run.axis.conductance_S.push_back({1e-6, 1e-6, 1e-6, 1e-6});
        run.axis.weight.push_back({0.25, 0.25, 0.25, 0.25});
        run.axis.current_A.push_back({1e-9, 1e-9, 1e-9, 1e-9});
    }
    { RunWriter w(path, run.meta, run.stimuli, run.axis, false); }
    // 5 per-stimulus tables of 500 x 65536 would be ~1.2 GB if allocated eagerly.
    EXPECT_LT(std::filesystem::file_size(path), 4u << 20);
    RunReader r(path);
    EXPECT_EQ(r.n_stimuli(), n_s);
    EXPECT_EQ(r.n_conditions(), n_g);
}

TEST(RunFile, CreatedDefaultsToNow) {
    ScratchDir dir;
    SyntheticRun run = make_run();
    run.meta.created_utc.clear();
    { RunWriter w(dir.file("a.h5"), run.meta, run.stimuli, run.axis, false); }
    const std::string created = RunReader(dir.file("a.h5")).metadata().created_utc;
    ASSERT_EQ(created.size(), 20u) << created;
    EXPECT_EQ(created[4], '-');
    EXPECT_EQ(created[10], 'T');
    EXPECT_EQ(created.back(), 'Z');
}

TEST(RunFile, CompleteIsZeroUntilFinish) {
    ScratchDir dir;
    const std::string path = dir.file("run.h5");
    const SyntheticRun run = make_run();
    RunWriter w(path, run.meta, run.stimuli, run.axis, false);
    for (std::uint32_t k = 0; k < 3; ++k) test::write_condition(w, run, k);
    {
        // Same process: HDF5 shares the open file, so this sees the writer's current state.
        RunReader r(path);
        EXPECT_FALSE(r.complete());
        EXPECT_EQ(r.incomplete_reason(), "running");
        EXPECT_FALSE(r.runtime().has_value());
        EXPECT_EQ(r.completed_conditions().size(), 3u);
    }
    w.finish(1.0, 48);
    RunReader r(path);
    EXPECT_TRUE(r.complete());
    EXPECT_THROW(w.finish(1.0, 48), std::logic_error);
    EXPECT_THROW(test::write_condition(w, run, 0), std::logic_error);
}

TEST(RunFile, WriterDestroyedWithoutFinishKeepsCompletedConditions) {
    ScratchDir dir;
    const std::string path = dir.file("run.h5");
    const SyntheticRun run = make_run();
    {
        RunWriter w(path, run.meta, run.stimuli, run.axis, false);
        test::write_condition(w, run, 2);
        test::write_condition(w, run, 0);
    }
    RunReader r(path);
    EXPECT_FALSE(r.complete());
    EXPECT_EQ(r.incomplete_reason(), "writer closed without finish()");
    EXPECT_EQ(r.completed_conditions(), (std::vector<std::uint32_t>{0, 2}));
    expect_counts_equal(r.counts(0), run.conditions[0].counts);
    expect_counts_equal(r.counts(2), run.conditions[2].counts);
    expect_plugin_equal(r.plugin(2), run.conditions[2].plugin);
    EXPECT_FALSE(r.is_completed(1));
    EXPECT_THROW(r.counts(1), IoError);
    EXPECT_THROW(r.plugin(1), IoError);
    EXPECT_THROW(r.stats(1), IoError);
    EXPECT_THROW(r.counts(3), IoError);
    EXPECT_FALSE(r.runtime().has_value());
}

//! Runs \p body on a fresh writer in a child process that then dies by SIGKILL, so no destructor
//! or close runs: only what the writer flushed reaches the file.
template <class Body>
void write_then_kill(const std::string& path, const SyntheticRun& run, Body body) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        RunWriter w(path, run.meta, run.stimuli, run.axis, true);
        body(w);
        ::kill(::getpid(), SIGKILL);
        ::_exit(3);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status));
}

TEST(RunFile, KilledAfterConditionKeepsIt) {
    ScratchDir dir;
    const std::string path = dir.file("run.h5");
    const SyntheticRun run = make_run();
    write_then_kill(path, run, [&](RunWriter& w) {
        test::write_condition(w, run, 0);
        test::write_condition(w, run, 2);
    });
    RunReader r(path);
    EXPECT_FALSE(r.complete());
    EXPECT_EQ(r.incomplete_reason(), "running");
    EXPECT_EQ(r.completed_conditions(), (std::vector<std::uint32_t>{0, 2}));
    expect_counts_equal(r.counts(2), run.conditions[2].counts);
    expect_plugin_equal(r.plugin(2), run.conditions[2].plugin);
    expect_stats_equal(r.stats(2), run.conditions[2].stats);
    EXPECT_EQ(r.trials().word.size(), 0u);
}

TEST(RunFile, KilledAfterTrialsKeepsThem) {
    ScratchDir dir;
    const std::string path = dir.file("run.h5");
    const SyntheticRun run = make_run();
    write_then_kill(path, run, [&](RunWriter& w) {
        w.append_trials(1, {0, 1}, {0, 0}, {3, 4});
        w.append_trials(2, {3}, {1}, {5});
    });
    RunReader r(path);
    EXPECT_FALSE(r.complete());
    EXPECT_TRUE(r.completed_conditions().empty());
    const TrialTable t = r.trials();
    EXPECT_EQ(t.word, (std::vector<std::uint64_t>{3, 4, 5}));
    EXPECT_EQ(t.condition, (std::vector<std::uint32_t>{1, 1, 2}));
}

TEST(RunFile, AbortRecordsReason) {
    ScratchDir dir;
    const std::string path = dir.file("run.h5");
    const SyntheticRun run = make_run();
    {
        RunWriter w(path, run.meta, run.stimuli, run.axis, false);
        test::write_condition(w, run, 1);
        w.abort("interrupted");
        EXPECT_THROW(test::write_condition(w, run, 0), std::logic_error);
    }
    RunReader r(path);
    EXPECT_FALSE(r.complete());
    EXPECT_EQ(r.incomplete_reason(), "interrupted");
    EXPECT_EQ(r.completed_conditions(), (std::vector<std::uint32_t>{1}));
}

TEST(RunFile, FullWidthWordsSurviveExactly) {
    ScratchDir dir;
    const std::string path = dir.file("run.h5");
    const SyntheticRun run = make_run(64);
    {
        RunWriter w(path, run.meta, run.stimuli, run.axis, false);
        for (std::uint32_t k = 0; k < 3; ++k) test::write_condition(w, run, k);
        w.finish(1, 48);
    }
    expect_full_file(path, run);
    EXPECT_EQ(RunReader(path).counts(0).words.back(), ~0ULL);
}

TEST(RunFile, LargeConfigJsonRoundTrips) {
    ScratchDir dir;
    const std::string path = dir.file("run.h5");
    SyntheticRun run = make_run();
    run.meta.config_json = "{\"pad\": \"" + std::string(200000, 'x') + "\"}";
    { RunWriter w(path, run.meta, run.stimuli, run.axis, false); }
    EXPECT_EQ(RunReader(path).metadata().config_json, run.meta.config_json);
}

TEST(RunFile, RejectsInconsistentConditions) {
    ScratchDir dir;
    const SyntheticRun run = make_run();
    RunWriter w(dir.file("run.h5"), run.meta, run.stimuli, run.axis, false);
    const auto& c = run.conditions[0];
    EXPECT_THROW(w.write_condition(3, c.counts, c.plugin, c.stats), std::invalid_argument);
    ConditionCounts bad = c.counts;
    bad.n_bins = 9;
    EXPECT_THROW(w.write_condition(0, bad, c.plugin, c.stats), std::invalid_argument);
    bad = c.counts;
    bad.words[2] = 1u << 10; // above n_bins
    EXPECT_THROW(w.write_condition(0, bad, c.plugin, c.stats), std::invalid_argument);
    bad = c.counts;
    std::swap(bad.words[1], bad.words[2]); // not ascending within stimulus 1
    EXPECT_THROW(w.write_condition(0, bad, c.plugin, c.stats), std::invalid_argument);
    bad = c.counts;
    bad.offsets.pop_back();
    EXPECT_THROW(w.write_condition(0, bad, c.plugin, c.stats), std::invalid_argument);
    PluginMeasures p = c.plugin;
    p.sss.pop_back();
    EXPECT_THROW(w.write_condition(0, c.counts, p, c.stats), std::invalid_argument);
    w.write_condition(0, c.counts, c.plugin, c.stats);
    EXPECT_THROW(w.write_condition(0, c.counts, c.plugin, c.stats), std::invalid_argument);
    EXPECT_THROW(w.finish(1, 15), std::logic_error);                   // 2 conditions missing
    EXPECT_THROW(w.append_trials(0, {0}, {0}, {1}), std::logic_error); // store_trials off
}

TEST(RunFile, RejectsBadTables) {
    ScratchDir dir;
    SyntheticRun run = make_run();
    run.stimuli.p_s.pop_back();
    EXPECT_THROW(RunWriter(dir.file("a.h5"), run.meta, run.stimuli, run.axis, false),
                 std::invalid_argument);
    run = make_run();
    run.axis.current_A.pop_back();
    EXPECT_THROW(RunWriter(dir.file("a.h5"), run.meta, run.stimuli, run.axis, false),
                 std::invalid_argument);
    run = make_run();
    run.meta.n_bins = 65;
    EXPECT_THROW(RunWriter(dir.file("a.h5"), run.meta, run.stimuli, run.axis, false),
                 std::invalid_argument);
}

TEST(RunFile, UnwritablePathNamesThePath) {
    const SyntheticRun run = make_run();
    const std::string path = "/nonexistent/dir/x.h5";
    try {
        RunWriter w(path, run.meta, run.stimuli, run.axis, false);
        FAIL() << "expected IoError";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
}

TEST(RunFile, ReaderRefusesMissingAndNonHdf5Files) {
    ScratchDir dir;
    const std::string missing = dir.file("missing.h5");
    try {
        RunReader r(missing);
        FAIL() << "expected IoError";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    }
    const std::string text = dir.file("text.h5");
    std::ofstream(text) << "this is not HDF5\n";
    try {
        RunReader r(text);
        FAIL() << "expected IoError";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos) << e.what();
    }
}

TEST(RunFile, ReaderRefusesWrongFiletypeOrMajorVersion) {
    ScratchDir dir;
    const auto expect_refused = [](const std::string& path, const std::string& fragment) {
        try {
            RunReader r(path);
            FAIL() << "expected IoError for " << path;
        } catch (const IoError& e) {
            EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        }
    };
    const std::string none = dir.file("none.h5");
    { h5::Handle f = h5::create_file(none); }
    expect_refused(none, "no 'filetype'");

    const std::string other = dir.file("other.h5");
    {
        h5::Handle f = h5::create_file(other);
        h5::write_attr_string(f, "filetype", "statepoint");
        h5::write_attr_array<std::int32_t>(f, "format_version", {1, 0});
    }
    expect_refused(other, "statepoint");

    // A genuine file whose major version is bumped afterwards.
    const std::string v2 = dir.file("v2.h5");
    const SyntheticRun run = make_run();
    { RunWriter w(v2, run.meta, run.stimuli, run.axis, false); }
    {
        h5::Handle f = h5::open_file(v2, true);
        h5::write_attr_array<std::int32_t>(f, "format_version", {2, 0});
    }
    expect_refused(v2, "version 2.0");
    // A newer minor version is accepted.
    {
        h5::Handle f = h5::open_file(v2, true);
        h5::write_attr_array<std::int32_t>(f, "format_version", {1, 7});
    }
    EXPECT_EQ(RunReader(v2).format_version(), (std::array<std::int32_t, 2>{1, 7}));
}

TEST(RunFile, StoreTrialsRoundTrip) {
    ScratchDir dir;
    const std::string path = dir.file("run.h5");
    const SyntheticRun run = make_run();
    const std::vector<std::uint32_t> s1 = {0, 0, 1, 2}, r1 = {0, 1, 0, 0};
    const std::vector<std::uint64_t> w1 = {0, 1, 0x3FF, 7};
    std::vector<std::uint32_t> s2, r2;
    std::vector<std::uint64_t> w2;
    for (std::uint32_t i = 0; i < 100000; ++i) { // crosses the 65536-row chunk boundary
        s2.push_back(i % 3);
        r2.push_back(i / 3);
        w2.push_back((i * 2654435761u) & 0x3FF);
    }
    {
        RunWriter w(path, run.meta, run.stimuli, run.axis, true);
        w.append_trials(2, s1, r1, w1);
        w.append_trials(0, s2, r2, w2);
        w.append_trials(1, {}, {}, {});
        EXPECT_THROW(w.append_trials(1, {4}, {0}, {0}), std::invalid_argument);
        EXPECT_THROW(w.append_trials(1, {0}, {0}, {1u << 10}), std::invalid_argument);
        EXPECT_THROW(w.append_trials(1, {0, 1}, {0}, {0, 0}), std::invalid_argument);
        for (std::uint32_t k = 0; k < 3; ++k) test::write_condition(w, run, k);
        w.finish(2.0, 100004);
    }
    RunReader r(path);
    ASSERT_TRUE(r.has_trials());
    const TrialTable t = r.trials();
    ASSERT_EQ(t.word.size(), 100004u);
    std::vector<std::uint32_t> cond(4, 2);
    cond.insert(cond.end(), 100000, 0);
    EXPECT_EQ(t.condition, cond);
    std::vector<std::uint32_t> s = s1, rep = r1;
    std::vector<std::uint64_t> words = w1;
    s.insert(s.end(), s2.begin(), s2.end());
    rep.insert(rep.end(), r2.begin(), r2.end());
    words.insert(words.end(), w2.begin(), w2.end());
    EXPECT_EQ(t.stimulus, s);
    EXPECT_EQ(t.repeat, rep);
    EXPECT_EQ(t.word, words);
}

TEST(RunFile, AnalysisWriterAddsGroupWithoutTouchingRunData) {
    ScratchDir dir;
    const std::string path = dir.file("run.h5");
    const SyntheticRun run = make_run();
    {
        RunWriter w(path, run.meta, run.stimuli, run.axis, false);
        for (std::uint32_t k = 0; k < 3; ++k) test::write_condition(w, run, k);
        w.finish(3.0, 48);
    }
    {
        AnalysisWriter a(path, "/analysis/miller_madow", false);
        a.write_f64("mutual_information_bit", {0.5, 0.25, test::nan}, {3}, "bit");
        a.write_f64("table", {1, 2, 3, 4, 5, 6}, {3, 2}, "bit");
        a.set_axes("table", {"condition", "column"});
        a.write_u32("n", {7, 8, 9}, {3}, "1");
        a.write_u8("flag", {1, 0, 1}, {3}, "");
        a.write_attr("estimator", "miller-madow");
        a.write_attr("alpha", 0.05);
        EXPECT_THROW(a.write_f64("bad", {1, 2, 3}, {2, 2}, "bit"), std::invalid_argument);
        a.close();
        EXPECT_THROW(a.write_attr("late", "x"), std::logic_error);
    }
    expect_full_file(path, run);
    RunReader r(path);
    EXPECT_TRUE(r.complete());
    std::vector<std::size_t> shape;
    EXPECT_EQ(r.read_f64("/analysis/miller_madow/table", &shape),
              (std::vector<double>{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(shape, (std::vector<std::size_t>{3, 2}));
    EXPECT_EQ(r.read_u32("/analysis/miller_madow/n"), (std::vector<std::uint32_t>{7, 8, 9}));
    EXPECT_EQ(r.read_u8("/analysis/miller_madow/flag"), (std::vector<std::uint8_t>{1, 0, 1}));
    EXPECT_EQ(r.read_attr_string("/analysis/miller_madow", "estimator"), "miller-madow");
    EXPECT_EQ(r.read_attr_string("/analysis/miller_madow/table", "units"), "bit");
    EXPECT_TRUE(r.has("/analysis/miller_madow/n"));
    EXPECT_FALSE(r.has("/analysis/nothing/here"));
}

TEST(RunFile, AnalysisWriterRefusesToOverwriteUnlessReplace) {
    ScratchDir dir;
    const std::string path = dir.file("run.h5");
    const SyntheticRun run = make_run();
    { RunWriter w(path, run.meta, run.stimuli, run.axis, false); }
    {
        AnalysisWriter a(path, "/analysis/x", false);
        a.write_f64("v", {1.0}, {1}, "bit");
    }
    try {
        AnalysisWriter a(path, "/analysis/x", false);
        FAIL() << "expected IoError";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("already exists"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
    EXPECT_EQ(RunReader(path).read_f64("/analysis/x/v"), std::vector<double>{1.0});
    {
        AnalysisWriter a(path, "/analysis/x", true);
        a.write_f64("w", {2.0}, {1}, "bit");
    }
    RunReader r(path);
    EXPECT_FALSE(r.has("/analysis/x/v"));
    EXPECT_EQ(r.read_f64("/analysis/x/w"), std::vector<double>{2.0});
    // The core layout is off limits even with replace.
    EXPECT_THROW(AnalysisWriter(path, "/counts", true), std::invalid_argument);
    EXPECT_THROW(AnalysisWriter(path, "results/extra", true), std::invalid_argument);
    EXPECT_THROW(AnalysisWriter(path, "/", true), std::invalid_argument);
    // Only memlif-run files are touched.
    const std::string other = dir.file("other.h5");
    { h5::Handle f = h5::create_file(other); }
    EXPECT_THROW(AnalysisWriter(other, "/analysis/x", false), IoError);
}

TEST(RunFile, ReaderRefusesCoreDatasetsThatBreakTheLayout) {
    ScratchDir dir;
    const SyntheticRun run = make_run();
    const auto damaged = [&](const char* name, auto&& damage) {
        const std::string path = dir.file(std::string(name) + ".h5");
        {
            RunWriter w(path, run.meta, run.stimuli, run.axis, false);
            for (std::uint32_t k = 0; k < 3; ++k) test::write_condition(w, run, k);
            w.finish(1.0, 48);
        }
        {
            h5::Handle f = h5::open_file(path, true);
            damage(f);
            h5::flush(f);
        }
        return path;
    };
    // a float64 where the layout says uint32
    std::string p = damaged("type", [](hid_t f) {
        h5::unlink(f, "results/sps_rank");
        h5::write_dataset<double>(f, "results/sps_rank", std::vector<double>(3 * 4, 1.0), {3, 4});
    });
    try {
        RunReader r(p);
        FAIL() << "accepted a float64 sps_rank";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("/results/sps_rank"), std::string::npos) << e.what();
    }
    // a per-stimulus table with the wrong number of stimuli
    p = damaged("shape", [](hid_t f) {
        h5::unlink(f, "results/sss_bit");
        h5::write_dataset<double>(f, "results/sss_bit", std::vector<double>(3 * 5, 0.0), {3, 5});
    });
    EXPECT_THROW(RunReader{p}, IoError);
    // a scalar /results/completed (used to escape as std::out_of_range, exit 1)
    p = damaged("scalar", [](hid_t f) {
        h5::unlink(f, "results/completed");
        h5::write_scalar_dataset<std::uint8_t>(f, "results/completed", 1);
    });
    EXPECT_THROW(RunReader{p}, IoError);
    // a missing core dataset
    p = damaged("missing", [](hid_t f) { h5::unlink(f, "axes/weight"); });
    EXPECT_THROW(RunReader{p}, IoError);
}

// ---- issue 12: hostile files, torn writes, resumable writers ----------------------------------

//! A finished synthetic run at `path`, then `damage` applied through the raw layer.
template <class Damage>
std::string damaged_run(const ScratchDir& dir, const std::string& name, Damage damage) {
    const SyntheticRun run = make_run();
    const std::string path = dir.file(name + ".h5");
    {
        RunWriter w(path, run.meta, run.stimuli, run.axis, false);
        for (std::uint32_t k = 0; k < 3; ++k) test::write_condition(w, run, k);
        w.finish(1.0, 48);
    }
    h5::Handle f = h5::open_file(path, true);
    damage(static_cast<hid_t>(f));
    h5::flush(f);
    return path;
}

//! The IoError message of `f`, "" if it throws none.
template <class F> std::string io_error(F&& f) {
    try {
        f();
    } catch (const IoError& e) {
        return e.what();
    }
    return "";
}

template <class T> void poke(hid_t f, const char* name, hsize_t index, T value) {
    h5::Handle d = h5::open_dataset(f, name);
    h5::write_box<T>(d, {index}, {1}, &value);
}

TEST(RunFile, Issue12_ReaderRefusesCountsThatBreakTheFormat) {
    // defect 17: each of these was accepted, and analyze exited 0 on them (PT MI came out negative)
    ScratchDir dir;
    // condition 1 owns rows c1..c1+5 (its block starts the second chunk): stimulus 0 row c1,
    // stimulus 1 rows c1+1..c1+2, stimulus 2 rows c1+3..c1+5
    constexpr hsize_t c1 = 32768;
    std::string p = damaged_run(
        dir, "bits", [](hid_t f) { poke<std::uint64_t>(f, "counts/word", c1 + 2, 1u << 10); });
    EXPECT_NE(io_error([&] { RunReader(p).counts(1); }).find("at or above n_bins"),
              std::string::npos);
    p = damaged_run(dir, "unsorted", [](hid_t f) {
        poke<std::uint64_t>(f, "counts/word", c1 + 2, 2); // stimulus 1: words 2, 2 (was 2, 7)
    });
    EXPECT_NE(io_error([&] { RunReader(p).counts(1); }).find("not strictly ascending"),
              std::string::npos);
    p = damaged_run(dir, "overflow", [](hid_t f) {
        // stimulus 2's counts 1 and 1 raised by 2^63 each: every sum wraps to its old value
        poke<std::uint64_t>(f, "counts/count", c1 + 3, (1ull << 63) + 1);
        poke<std::uint64_t>(f, "counts/count", c1 + 4, (1ull << 63) + 1);
    });
    EXPECT_NE(io_error([&] { RunReader(p).counts(1); }).find("overflow"), std::string::npos);
    p = damaged_run(dir, "sums", [](hid_t f) { poke<std::uint64_t>(f, "counts/count", c1, 4); });
    EXPECT_NE(io_error([&] { RunReader(p).counts(1); }).find("do not add up"), std::string::npos);
    for (std::uint32_t n_bins : {0u, 200u}) {
        p = damaged_run(dir, "n_bins" + std::to_string(n_bins),
                        [&](hid_t f) { h5::write_attr<std::uint32_t>(f, "n_bins", n_bins); });
        EXPECT_NE(io_error([&] { RunReader r(p); }).find("n_bins = " + std::to_string(n_bins)),
                  std::string::npos);
    }
    // the untouched file reads
    p = damaged_run(dir, "none", [](hid_t) {});
    EXPECT_NO_THROW(RunReader(p).counts(1));
}

TEST(RunFile, Issue12_ReaderRefusesATornCondition) {
    // defect 4: a kill could leave a condition marked completed with its counts missing; `info`
    // showed the row and the Python reader returned empty counts
    ScratchDir dir;
    const std::string p = damaged_run(dir, "torn", [](hid_t f) {
        poke<std::uint64_t>(f, "counts/condition_row_count", 2, 0);
        poke<std::uint64_t>(f, "results/n_trials", 2, 0);
    });
    const std::string msg = io_error([&] { RunReader r(p); });
    EXPECT_NE(msg.find("condition 2 is marked completed, but it has no count rows"),
              std::string::npos)
        << msg;
}

//! One trial row per simulated trial of condition k of the synthetic run, as a run stores them.
ConditionTrials trials_of(const SyntheticRun& run, std::uint32_t k) {
    ConditionTrials t;
    for (std::uint64_t i = 0; i < run.conditions[k].stats.n_trials; ++i) {
        t.stimulus.push_back(static_cast<std::uint32_t>(i % 3));
        t.repeat.push_back(static_cast<std::uint32_t>(i / 3));
        t.word.push_back((i * 7 + k) & 0x3FF);
    }
    return t;
}

//! Writes conditions 0 and 1 in a child that dies by SIGKILL at its `at`-th checkpoint.
void kill_at_checkpoint(const std::string& path, const SyntheticRun& run, int at) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        ::setenv("MEMLIF_TEST_RAISE", ("KILL:" + std::to_string(at)).c_str(), 1);
        RunWriter w(path, run.meta, run.stimuli, run.axis, true);
        for (std::uint32_t k = 0; k < 2; ++k) {
            const ConditionTrials t = trials_of(run, k);
            w.write_condition(k, run.conditions[k].counts, run.conditions[k].plugin,
                              run.conditions[k].stats, &t);
        }
        ::_exit(3);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "checkpoint " << at << " not reached";
}

TEST(RunFile, Issue12_AKillAtAnyCommitStepLeavesOnlyWholeConditions) {
    // Checkpoint 1: the file is created; then three per commit: rows written, rows flushed (flag
    // not yet set), flag flushed. Only after the third is the condition completed, and its data is
    // then all there.
    ScratchDir dir;
    const SyntheticRun run = make_run();
    for (int at = 1; at <= 7; ++at) {
        SCOPED_TRACE(at);
        const std::string path = dir.file("kill" + std::to_string(at) + ".h5");
        kill_at_checkpoint(path, run, at);
        const std::vector<std::uint32_t> expect = at < 4   ? std::vector<std::uint32_t>{}
                                                  : at < 7 ? std::vector<std::uint32_t>{0}
                                                           : std::vector<std::uint32_t>{0, 1};
        {
            RunReader r(path);
            EXPECT_EQ(r.completed_conditions(), expect);
            for (std::uint32_t k : expect)
                expect_counts_equal(r.counts(k), run.conditions[k].counts);
        }
        // a writer resuming it cuts the left-over rows and lands the next rows where they belong
        {
            RunWriter w(path, RunWriter::Resume{});
            EXPECT_EQ(w.pending_conditions().size(), 3 - expect.size());
            for (std::uint32_t k : w.pending_conditions()) {
                const ConditionTrials t = trials_of(run, k);
                w.write_condition(k, run.conditions[k].counts, run.conditions[k].plugin,
                                  run.conditions[k].stats, &t);
            }
            EXPECT_TRUE(w.repaired_conditions().empty());
            w.finish(1.0, 48);
        }
        RunReader done(path);
        EXPECT_TRUE(done.complete());
        for (std::uint32_t k = 0; k < 3; ++k)
            expect_counts_equal(done.counts(k), run.conditions[k].counts);
        expect_blocks(done, {{0, 0}, {1, 32768}, {2, 65536}}, 6);
        std::vector<std::uint32_t> trial_conditions(15, 0);
        trial_conditions.insert(trial_conditions.end(), 16, 1);
        trial_conditions.insert(trial_conditions.end(), 17, 2);
        EXPECT_EQ(done.trials().condition, trial_conditions);
    }
}

TEST(RunFile, Issue12_ResumeRedoesConditionsWhoseChunkATornFlushDamaged) {
    // A kill inside a flush can leave a compressed chunk that a later commit was rewriting half
    // on disk: the committed rows that share it no longer inflate. The resuming writer reads every
    // completed condition back and makes those pending again instead of failing on them.
    ScratchDir dir;
    const SyntheticRun run = make_run();
    const std::string path = dir.file("torn_chunk.h5");
    {
        RunWriter w(path, run.meta, run.stimuli, run.axis, false);
        for (std::uint32_t k = 0; k < 2; ++k) test::write_condition(w, run, k);
        w.abort("interrupted");
    }
    haddr_t addr = 0;
    hsize_t size = 0;
    {
        h5::Handle f = h5::open_file(path, false);
        h5::Handle d = h5::open_dataset(f, "counts/word");
        const hsize_t offset[1] = {0};
        unsigned mask = 0;
        ASSERT_GE(H5Dget_chunk_info_by_coord(d, offset, &mask, &addr, &size), 0);
    }
    {
        std::fstream raw(path, std::ios::in | std::ios::out | std::ios::binary);
        raw.seekp(static_cast<std::streamoff>(addr + size / 2));
        const std::string junk(std::max<hsize_t>(4, size / 2), '\x5a');
        raw.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    EXPECT_THROW(RunReader(path).counts(0), IoError);
    {
        RunWriter w(path, RunWriter::Resume{});
        EXPECT_EQ(w.repaired_conditions(), (std::vector<std::uint32_t>{0, 1}));
        EXPECT_EQ(w.pending_conditions(), (std::vector<std::uint32_t>{0, 1, 2}));
        for (std::uint32_t k = 0; k < 3; ++k) test::write_condition(w, run, k);
        w.finish(1.0, 48);
    }
    expect_full_file(path, run);
}

TEST(RunFile, Issue12_AnalysisGroupNamesCannotReachOtherGroups) {
    // defect 18: "/analysis/" with replace unlinked every analysis group, /analysis/run included
    ScratchDir dir;
    const SyntheticRun run = make_run();
    const std::string path = dir.file("run.h5");
    { RunWriter w(path, run.meta, run.stimuli, run.axis, false); }
    { AnalysisWriter a(path, "/analysis/run", false); }
    for (const char* bad :
         {"/analysis/", "/analysis", "analysis/", "/analysis/.", "/analysis/a/b", "/analysis/.."})
        EXPECT_THROW(AnalysisWriter(path, bad, true), std::invalid_argument) << bad;
    EXPECT_TRUE(RunReader(path).has("/analysis/run"));
}

TEST(RunFile, Issue12_AnalysisRowsCommitAndResume) {
    ScratchDir dir;
    const SyntheticRun run = make_run();
    const std::string path = dir.file("run.h5");
    { RunWriter w(path, run.meta, run.stimuli, run.axis, false); }
    {
        AnalysisWriter a(path, "/analysis/x", GroupMode::resume);
        EXPECT_FALSE(a.resumed());
        a.write_attr("estimators", "pt");
        a.create_table("pt_mi_bit", 3, 0, false, "bit", {"condition"});
        a.track_rows(3, "condition");
        a.write_row("pt_mi_bit", 1, {0.5});
        a.commit_row(1);
        a.write_row("pt_mi_bit", 2, {0.25}); // written, never committed
    }
    {
        AnalysisWriter a(path, "/analysis/x", GroupMode::resume);
        EXPECT_TRUE(a.resumed());
        EXPECT_THROW(a.write_attr("estimators", "mm"), IoError); // started with other options
        a.write_attr("estimators", "pt");
        a.create_table("pt_mi_bit", 3, 0, false, "bit", {"condition"});
        EXPECT_THROW(a.create_table("pt_mi_bit", 4, 0, false, "bit", {"condition"}), IoError);
        a.track_rows(3, "condition");
        EXPECT_FALSE(a.row_done(0));
        EXPECT_TRUE(a.row_done(1));
        EXPECT_FALSE(a.row_done(2));
    }
    EXPECT_EQ(RunReader(path).analysis_progress("/analysis/x"), (std::array<std::size_t, 2>{1, 3}));
}

} // namespace
} // namespace memlif::io
