// SPDX-License-Identifier: MIT
//! \file tests/io/synthetic_run.hpp
//! A hand-built synthetic run (never produced by the code under test, so a writer bug cannot hide
//! behind a matching reader bug). tools/test_memlif_h5.py checks the same numbers in the sample
//! file written by sample_file.cpp: change both together.
#pragma once

#include "io/run_file.hpp"

#include <cstdint>
#include <limits>
#include <vector>

namespace memlif::io::test {

inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();

//! Everything one synthetic condition consists of.
struct SyntheticCondition {
    ConditionCounts counts;
    PluginMeasures plugin;
    ConditionStats stats;
};

//! A small run: 4 stimuli (the last one never presented, so its CSR range is empty), n_bins 10.
struct SyntheticRun {
    RunMetadata meta;
    StimulusTable stimuli;
    ConditionAxis axis;
    std::vector<SyntheticCondition> conditions;
};

inline SyntheticRun make_run(std::uint32_t n_bins = 10) {
    SyntheticRun run;
    RunMetadata& m = run.meta;
    m.software_version = "0.1.0-test";
    m.git_sha = "0123456789ab";
    m.backend = "cpu: openmp x2";
    m.created_utc = "2026-01-02T03:04:05Z";
    m.config_json = R"({"run": {"seed": 42, "unit": "\u00b5S"}, "note": "µS"})";
    m.seed = 0xFEDCBA9876543210ULL;
    m.n_bins = n_bins;
    m.bin_width_s = 1e-3;
    m.window_s = 1e-3 * n_bins;
    m.dt_s = 1e-6;
    m.n_repeats = 5;
    m.stimulus_set = "symmetric";
    m.p_s_mode = "multiplicity";
    m.synapse_model = "ul-gap";
    m.trial_id_layout = "key=(seed_lo, seed_hi); counter=(trial_id, draw, 0, 0)";

    run.stimuli.code = {0x0000, 0x0001, 0x8421, 0xFFFF};
    run.stimuli.multiplicity = {1, 16, 24, 1};
    run.stimuli.n_input_spikes = {0, 1, 4, 16};
    run.stimuli.p_s = {1.0 / 42, 16.0 / 42, 24.0 / 42, 0.0};

    for (int k = 0; k < 3; ++k) {
        const double g = 1e-6 * (k + 1);
        run.axis.conductance_S.push_back({g, 2 * g, 3 * g, 4 * g});
        run.axis.weight.push_back({0.1 * k, 0.2, 0.3, 0.4 + 1e-17});
        run.axis.current_A.push_back({1e-9 * k, -2e-9, 3.5e-12, 0});
    }

    const std::uint64_t top = n_bins == 64 ? ~0ULL : (1ULL << n_bins) - 1;
    for (std::uint64_t k = 0; k < 3; ++k) {
        SyntheticCondition c;
        c.counts.n_bins = n_bins;
        // stimulus 0: one word; 1: two; 2: three incl. the all-ones word; 3: none.
        c.counts.offsets = {0, 1, 3, 6, 6};
        c.counts.words = {0, 1 + k, 7, 0, 5 + k, top};
        c.counts.counts = {5, 2, 3, 1, 1, 3 + k};
        PluginMeasures& p = c.plugin;
        p.h_r = 1.25 + 0.5 * k;
        p.h_rs = 0.75;
        p.mi = p.h_r - p.h_rs;
        p.sss = {0.1, 0.2 + k, 1.0 / 3.0, 0.0};
        p.sps = {nan, 0.2 + k, 1.0 / 12.0, 0.0};
        p.rank = {0, 1, 2, 3};
        p.n_trials = 15 + k;
        p.n_s = {5, 5, 5 + k, 0};
        p.distinct_s = {1, 2, 3, 0};
        p.distinct_total = 5;
        p.sps_undefined = true;
        c.stats.wall_s = 0.5 * (k + 1);
        c.stats.mean_output_spikes = 2.5 + k;
        c.stats.n_trials = 15 + k;
        run.conditions.push_back(c);
    }
    return run;
}

inline void write_condition(RunWriter& w, const SyntheticRun& run, std::uint32_t k) {
    const auto& c = run.conditions.at(k);
    w.write_condition(k, c.counts, c.plugin, c.stats);
}

} // namespace memlif::io::test
