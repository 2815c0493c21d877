// SPDX-License-Identifier: MIT
//! \file tests/kernels/exact_trial_test.cpp
//! The exact event-driven solver against the closed forms of model.md §2.2-2.3 (single pulse
//! peak and crossing time, held input, reset time, bin and window edges, back-spike blocking),
//! against the fixed step's onsets, and against an independent reference written differently
//! (a global sorted event list, crossings by bisection of the closed form, no scaling, run to the
//! window end).
#include "memlif/kernels/exact_trial.hpp"
#include "memlif/kernels/jitter.hpp"
#include "memlif/kernels/lif.hpp"
#include "memlif/kernels/trial_id.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace memlif {
namespace {

constexpr double k_tau = 20e-3;

//! The default protocol (model.md §9) without jitter: 4 x 50 ms input bins, 10 ms spikes,
//! T_delay = 10 ms, 20 x 10 ms output bins, continuous timing.
ExactParams default_params() {
    ExactParams p;
    p.seed = 4321;
    p.tau_s = k_tau;
    p.window_s = 200e-3;
    p.input_bin_s = 50e-3;
    p.spike_width_s = 10e-3;
    p.delay_s = 10e-3;
    p.output_bin_s = 10e-3;
    p.n_output_bins = 20;
    p.timing = OnsetTiming::continuous;
    return p;
}

ExactDrive all(double w) { return {w, w, w, w}; }

std::uint32_t bit(int input, int bin) { return 1u << (4 * input + bin); }

//! Records every callback of the solver.
struct Recorder {
    std::vector<double> spikes, resets, event_t, event_u;
    void on_spike(double t) { spikes.push_back(t); }
    void on_reset(double t) { resets.push_back(t); }
    void on_event(double t, double v, double e) {
        event_t.push_back(t);
        event_u.push_back(v / e);
    }
    //! u at the event time closest to t (the solver reports u at every edge it reaches).
    double u_at(double t) const {
        std::size_t best = 0;
        for (std::size_t i = 0; i < event_t.size(); ++i)
            if (std::fabs(event_t[i] - t) < std::fabs(event_t[best] - t))
                best = i;
        EXPECT_LT(std::fabs(event_t[best] - t), 1e-15) << "no event at " << t;
        return event_u[best];
    }
};

TEST(ExactTrial, SinglePulseBelowThresholdPeaksAtTheClosedForm) {
    const ExactParams p = default_params();
    // model.md §2.3: V_pk / V_th = w (1 - exp(-T_spk / tau)) = 0.3009 for w = 0.7647 (2.6 uS)
    const double w = 0.7647;
    Recorder rec;
    const TrialResult r = run_exact_trial_observed(p, all(w), bit(1, 2), 7, rec);
    EXPECT_EQ(r.word, 0u);
    EXPECT_EQ(r.n_spikes, 0u);
    EXPECT_TRUE(rec.spikes.empty());
    const double peak = rec.u_at(100e-3 + 10e-3);
    EXPECT_NEAR(peak, w * (1.0 - std::exp(-10e-3 / k_tau)), 1e-14);
    EXPECT_NEAR(peak, 0.3009, 1e-4);
}

TEST(ExactTrial, PeakJustBelowThresholdDoesNotFire) {
    // The issue-9 failure of the float fixed step: an exact peak of 0.99995 V_th must not fire.
    const ExactParams p = default_params();
    const double w = 0.99995 / (1.0 - std::exp(-10e-3 / k_tau));
    EXPECT_EQ(run_exact_trial(p, all(w), bit(0, 1), 3).n_spikes, 0u);
    EXPECT_EQ(run_exact_trial(p, all(w * (1 + 1e-4)), bit(0, 1), 3).n_spikes, 1u);
}

TEST(ExactTrial, SinglePulseAboveThresholdCrossesAtTauLn) {
    const ExactParams p = default_params();
    const double w = 4.0; // 13.6 uS linear: t_c = tau ln(w / (w - 1)) = 5.7536 ms after onset
    const double rise = k_tau * std::log(w / (w - 1.0));
    Recorder rec;
    const TrialResult r = run_exact_trial_observed(p, all(w), bit(2, 3), 1, rec);
    ASSERT_EQ(rec.spikes.size(), 1u);
    EXPECT_NEAR(rec.spikes[0], 150e-3 + rise, 1e-15);
    EXPECT_EQ(r.word, 1ull << 15); // 155.75 ms
    EXPECT_EQ(r.n_spikes, 1u);
    // model.md §2.3: the peak of the same pulse would be w (1 - e^{-1/2}) = 1.5739 V_th
    EXPECT_NEAR(w * (1.0 - std::exp(-0.5)), 1.5739, 1e-4);
}

TEST(ExactTrial, HeldInputFiresWithPeriodDelayPlusRefillAndResetsAtCrossingPlusDelay) {
    for (const double delay_s : {10e-3, 1e-3}) {
        ExactParams p = default_params();
        p.spike_width_s = 50e-3; // input held on for the whole first bin
        p.delay_s = delay_s;
        const double w = 4.0, refill = k_tau * std::log(w / (w - 1.0));
        Recorder rec;
        const TrialResult r = run_exact_trial_observed(p, all(w), bit(0, 0), 1, rec);
        // t_k = refill + k (T_delay + refill): after each reset u restarts from 0 under the same
        // input
        std::vector<double> expected;
        std::uint64_t word = 0;
        for (double t = refill; t < 50e-3; t += delay_s + refill) {
            expected.push_back(t);
            word |= 1ull << static_cast<int>(t / 10e-3);
        }
        ASSERT_EQ(rec.spikes.size(), expected.size()) << "delay " << delay_s;
        for (std::size_t k = 0; k < expected.size(); ++k)
            EXPECT_NEAR(rec.spikes[k], expected[k], 1e-14) << "spike " << k << " delay " << delay_s;
        EXPECT_EQ(r.n_spikes, expected.size());
        EXPECT_EQ(r.word, word);
        // every reset at exactly t_c + T_delay (before the input ends at 50 ms)
        ASSERT_GE(rec.resets.size(), expected.size() - 1);
        for (std::size_t k = 0; k < rec.resets.size(); ++k)
            EXPECT_EQ(rec.resets[k], rec.spikes[k] + delay_s);
        // and u restarts from 0 there: at the input's end u = w (1 - e^{-(50 ms - t_reset)/tau})
        const double last_reset = rec.resets.back();
        if (rec.spikes.size() == rec.resets.size()) {
            EXPECT_NEAR(rec.u_at(50e-3), w * (1.0 - std::exp(-(50e-3 - last_reset) / k_tau)),
                        1e-14);
        }
    }
}

TEST(ExactTrial, DisarmedNeuronIgnoresASecondCrossingUntilItsReset) {
    ExactParams p = default_params();
    p.delay_s = 30e-3; // longer than the pulse: one spike per pulse however strong
    const TrialResult r = run_exact_trial(p, all(50.0), bit(0, 0) | bit(1, 0), 1);
    EXPECT_EQ(r.n_spikes, 1u);
    EXPECT_EQ(r.word, 1u);
}

TEST(ExactTrial, CrossingJustBeforeOrAfterAnOutputBinEdge) {
    ExactParams p = default_params();
    p.spike_width_s = 20e-3; // the input outlasts the crossing
    // w* crosses at exactly tau ln(w / (w - 1)) = 10 ms, the edge between output bins 0 and 1
    const double e = std::exp(0.5), w_edge = e / (e - 1.0);
    // dt_c / dw = -tau / (w (w - 1)): a relative change of 1e-6 moves the crossing by 13 ns
    Recorder early, late;
    const TrialResult a =
        run_exact_trial_observed(p, all(w_edge * (1 + 1e-6)), bit(0, 0), 1, early);
    const TrialResult b = run_exact_trial_observed(p, all(w_edge * (1 - 1e-6)), bit(0, 0), 1, late);
    ASSERT_EQ(early.spikes.size(), 1u);
    ASSERT_EQ(late.spikes.size(), 1u);
    EXPECT_LT(early.spikes[0], 10e-3);
    EXPECT_GT(early.spikes[0], 10e-3 - 20e-9);
    EXPECT_GT(late.spikes[0], 10e-3);
    EXPECT_LT(late.spikes[0], 10e-3 + 20e-9);
    EXPECT_EQ(a.word, 1ull << 0);
    EXPECT_EQ(b.word, 1ull << 1);
}

TEST(ExactTrial, CrossingsAtOrAfterTheWindowEndAreDropped) {
    ExactParams p = default_params();
    const double w = 4.0, t_c = 150e-3 + k_tau * std::log(w / (w - 1.0)); // 155.7536 ms
    p.n_output_bins = 16;
    p.window_s = t_c + 1e-9; // crossing 1 ns before the end: kept, bin 15
    EXPECT_EQ(run_exact_trial(p, all(w), bit(0, 3), 1).word, 1ull << 15);
    p.window_s = t_c - 1e-9; // 1 ns after the end: lost
    EXPECT_EQ(run_exact_trial(p, all(w), bit(0, 3), 1).word, 0u);
    EXPECT_EQ(run_exact_trial(p, all(w), bit(0, 3), 1).n_spikes, 0u);
    p.window_s = 100e-3; // a 100 ms window keeps bin 5 of input bin 1 and loses input bin 3
    p.n_output_bins = 10;
    EXPECT_EQ(run_exact_trial(p, all(w), bit(0, 1) | bit(0, 3), 1).word, 1ull << 5);
}

TEST(ExactTrial, CoincidentInputsSumTheirWeights) {
    const ExactParams p = default_params();
    // four inputs of w = 0.7647 together: u_inf = 3.06, crossing tau ln(3.06 / 2.06) = 7.9 ms after
    // 50 ms
    Recorder rec;
    const std::uint32_t code = bit(0, 1) | bit(1, 1) | bit(2, 1) | bit(3, 1);
    const TrialResult r = run_exact_trial_observed(p, all(0.7647), code, 1, rec);
    ASSERT_EQ(rec.spikes.size(), 1u);
    EXPECT_NEAR(rec.spikes[0], 50e-3 + k_tau * std::log(4 * 0.7647 / (4 * 0.7647 - 1)), 1e-15);
    EXPECT_EQ(r.word, 1ull << 5);
}

TEST(ExactTrial, PerInputWeightsAreIndependent) {
    const ExactParams p = default_params();
    const ExactDrive d{0.5, 0.5, 0.5, 4.0};
    EXPECT_EQ(run_exact_trial(p, d, bit(0, 0), 1).word, 0u);
    EXPECT_EQ(run_exact_trial(p, d, bit(3, 0), 1).word, 1u);
}

//! One back-spike at a known time inside a supra-threshold pulse: the input is cut for the
//! back-spike's width, u relaxes, then charges again; the crossing moves accordingly.
TEST(ExactTrial, BackspikeBlocksTheInputForItsWidth) {
    ExactParams p = default_params();
    p.timing = OnsetTiming::grid;
    p.grid_dt_s = 10e-6;
    p.backspike.enabled = 1;
    p.backspike.width_steps = 300; // 3 ms
    const double w = 4.0;
    int checked = 0;
    for (std::uint64_t id = 0; id < 200 && checked < 5; ++id) {
        // the first interval draw decides the onset; scale the mean so it lands near 2 ms
        const double u01 = u01_open(trial_draw(p.seed, id, 0, RngStream::backspike).x);
        p.backspike.mean_interval_steps = 200.0 / -std::log(u01);
        const double onset = backspike_interval_steps(p.backspike, p.seed, id, 0) * p.grid_dt_s;
        const double second =
            onset + backspike_interval_steps(p.backspike, p.seed, id, 1) * p.grid_dt_s;
        if (second < 30e-3)
            continue; // keep trials with a single back-spike in the pulse
        const double end = onset + 3e-3;
        const double u_block = w * (1.0 - std::exp(-onset / k_tau)) * std::exp(-3e-3 / k_tau);
        const double t_c = end + k_tau * std::log((w - u_block) / (w - 1.0));
        Recorder rec;
        const TrialResult r = run_exact_trial_observed(p, all(w), bit(0, 0), id, rec);
        ASSERT_EQ(rec.spikes.size(), 1u) << "id " << id;
        EXPECT_NEAR(rec.spikes[0], t_c, 1e-14) << "id " << id;
        EXPECT_NEAR(rec.u_at(end), u_block, 1e-14);
        EXPECT_EQ(r.word, 1ull << static_cast<int>(t_c / 10e-3));
        ++checked;
    }
    EXPECT_EQ(checked, 5);
}

TEST(ExactTrial, BackspikesCoveringTheTrialSilenceIt) {
    ExactParams p = default_params();
    p.backspike.enabled = 1;
    p.backspike_mean_interval_s = 1e-9; // first back-spike at once, lasting the whole trial
    p.backspike_width_s = 1.0;
    EXPECT_EQ(run_exact_trial(p, all(4.0), bit(0, 0) | bit(1, 1) | bit(2, 2), 1).word, 0u);
    p.backspike_width_s = 0.0; // zero width: no effect
    EXPECT_EQ(run_exact_trial(p, all(4.0), bit(0, 0), 1).word, 1u);
}

//! Grid timing: the onsets are the fixed step's (jitter_onset_steps of the same draw) times dt.
TEST(ExactTrial, GridOnsetsAreTheFixedStepOnsets) {
    ExactParams p = default_params();
    p.timing = OnsetTiming::grid;
    p.grid_dt_s = 10e-6;
    ASSERT_TRUE(
        make_poisson_jitter_table(p.jitter, 20.0, 40, 100.0, false)); // 1 ms unit = 100 steps
    const double w = 4.0, rise = k_tau * std::log(w / (w - 1.0));
    for (std::uint32_t rep = 0; rep < 50; ++rep) {
        const std::uint64_t id = make_trial_id(0, 0xF0F0u, rep);
        for (int b = 0; b < 4; ++b) { // one pulse per trial, so each crossing is onset + rise
            Recorder rec;
            run_exact_trial_observed(p, all(w), bit(1, b), id, rec);
            ASSERT_EQ(rec.spikes.size(), 1u);
            const auto r = trial_draw(p.seed, id, static_cast<std::uint32_t>(b), RngStream::jitter);
            const double onset = b * 50e-3 + jitter_onset_steps(p.jitter, r.y) * 10e-6;
            EXPECT_NEAR(rec.spikes[0], onset + rise, 1e-14) << "rep " << rep << " bin " << b;
        }
    }
}

//! Continuous timing: uniform delays are spread over (0, max), off the step grid; table delays are
//! whole units.
TEST(ExactTrial, ContinuousOnsetsUniformAndPoisson) {
    ExactParams p = default_params();
    p.jitter.law = JitterLaw::uniform;
    p.jitter_max_s = 40e-3;
    const double w = 4.0, rise = k_tau * std::log(w / (w - 1.0));
    double sum = 0, lo = 1, hi = 0;
    int off_grid = 0;
    const int n = 4000;
    for (int rep = 0; rep < n; ++rep) {
        Recorder rec;
        run_exact_trial_observed(p, all(w), bit(2, 1), make_trial_id(0, bit(2, 1), rep), rec);
        ASSERT_EQ(rec.spikes.size(), 1u);
        const double d = rec.spikes[0] - rise - 50e-3;
        sum += d;
        lo = std::min(lo, d);
        hi = std::max(hi, d);
        const double steps = d / 1e-6;
        off_grid += std::fabs(steps - std::round(steps)) > 1e-3;
    }
    EXPECT_GT(lo, -1e-12);
    EXPECT_LT(hi, 40e-3);
    EXPECT_LT(lo, 0.1e-3); // the extremes of 4000 uniform draws lie within 0.1 ms of the ends
    EXPECT_GT(hi, 39.9e-3);
    EXPECT_NEAR(sum / n, 20e-3, 4 * 40e-3 / std::sqrt(12.0 * n)); // 4 standard errors
    EXPECT_GT(off_grid, n * 9 / 10);

    p.jitter = JitterParams{};
    ASSERT_TRUE(make_poisson_jitter_table(p.jitter, 20.0, 40, 1.0, false));
    p.jitter_unit_s = 1e-3;
    double mean = 0;
    for (int rep = 0; rep < 1000; ++rep) {
        Recorder rec;
        run_exact_trial_observed(p, all(w), bit(0, 2), make_trial_id(0, bit(0, 2), rep), rec);
        ASSERT_EQ(rec.spikes.size(), 1u);
        const double k = (rec.spikes[0] - rise - 100e-3) / 1e-3;
        EXPECT_NEAR(k, std::round(k), 1e-9);
        EXPECT_LE(std::round(k), 40.0);
        mean += k / 1000;
    }
    EXPECT_NEAR(mean, 20.0, 0.6); // Poisson(20) clipped at 40: sd 4.5, 1000 draws
}

TEST(ExactTrial, ResultDependsOnlyOnSeedAndTrialId) {
    ExactParams p = default_params();
    p.jitter.law = JitterLaw::uniform;
    p.jitter_max_s = 40e-3;
    int differ_rep = 0, differ_seed = 0;
    for (std::uint32_t rep = 0; rep < 200; ++rep) {
        const std::uint32_t code = 0x1248u + rep;
        const auto a = run_exact_trial(p, all(1.8235), code, make_trial_id(3, code, rep));
        const auto b = run_exact_trial(p, all(1.8235), code, make_trial_id(3, code, rep));
        EXPECT_EQ(a.word, b.word);
        differ_rep +=
            a.word !=
            run_exact_trial(p, all(1.8235), code, make_trial_id(3, code, rep + 1000)).word;
        ExactParams q = p;
        q.seed = p.seed + 1;
        differ_seed +=
            a.word != run_exact_trial(q, all(1.8235), code, make_trial_id(3, code, rep)).word;
    }
    EXPECT_GT(differ_rep, 20);
    EXPECT_GT(differ_seed, 20);
}

// ---------------------------------------------------------------------------------------------
// Independent reference

struct Pulse {
    double on, off, w;
};

//! Onset delay from the draw r, written from the definitions in exact_params.hpp.
double reference_delay(const ExactParams& p, std::uint32_t r) {
    if (p.timing == OnsetTiming::grid)
        return jitter_onset_steps(p.jitter, r) * p.grid_dt_s;
    if (p.jitter.law == JitterLaw::uniform)
        return (r + 0.5) / 4294967296.0 * p.jitter_max_s;
    if (p.jitter.law == JitterLaw::table)
        return jitter_table_index_by_scan(p.jitter, r) * p.jitter_unit_s;
    return 0.0;
}

//! The whole trial from a sorted list of all its breakpoints: u advanced by the closed form,
//! crossings found by bisection on it, every reset inserted as it arises, run to the window end.
TrialResult reference_trial(const ExactParams& p, const ExactDrive& d, std::uint32_t code,
                            std::uint64_t id, std::vector<double>* spike_times) {
    const double w[4] = {d.w0, d.w1, d.w2, d.w3};
    std::vector<Pulse> pulses;
    for (int b = 0; b < 4; ++b) {
        const Philox4x32 r =
            trial_draw(p.seed, id, static_cast<std::uint32_t>(b), RngStream::jitter);
        const std::uint32_t rr[4] = {r.x, r.y, r.z, r.w};
        for (int i = 0; i < 4; ++i)
            if ((code >> (4 * i + b)) & 1u) {
                const double on = b * p.input_bin_s + reference_delay(p, rr[i]);
                pulses.push_back({on, on + p.spike_width_s, w[i]});
            }
    }
    std::vector<std::pair<double, double>> blocks;
    if (p.backspike.enabled) {
        double units = 0;
        for (std::uint32_t j = 0;; ++j) {
            double t0, t1;
            if (p.timing == OnsetTiming::grid) {
                units += backspike_interval_steps(p.backspike, p.seed, id, j);
                t0 = units * p.grid_dt_s;
                t1 = (units + p.backspike.width_steps) * p.grid_dt_s;
            } else {
                const std::uint32_t r = trial_draw(p.seed, id, j, RngStream::backspike).x;
                units += -p.backspike_mean_interval_s * std::log((r + 0.5) / 4294967296.0);
                t0 = units;
                t1 = units + p.backspike_width_s;
            }
            if (t0 >= p.window_s)
                break;
            blocks.emplace_back(t0, t1);
        }
    }
    std::vector<double> edges = {p.window_s};
    for (const Pulse& q : pulses) {
        edges.push_back(q.on);
        edges.push_back(q.off);
    }
    for (const auto& bl : blocks) {
        edges.push_back(bl.first);
        edges.push_back(bl.second);
    }
    std::sort(edges.begin(), edges.end());
    auto drive_at = [&](double t) {
        for (const auto& bl : blocks)
            if (t >= bl.first && t < bl.second)
                return 0.0;
        double s = 0;
        for (const Pulse& q : pulses)
            if (t >= q.on && t < q.off)
                s += q.w;
        return s;
    };
    TrialResult res;
    double t = 0, u = 0, reset_at = 1e300;
    bool armed = true;
    while (t < p.window_s) {
        if (!armed && t >= reset_at) {
            u = 0;
            armed = true;
        }
        double next = p.window_s;
        for (double e : edges)
            if (e > t) {
                next = std::min(next, e);
                break;
            }
        if (!armed)
            next = std::min(next, reset_at);
        const double ui = drive_at(t);
        auto at = [&](double s) { return ui + (u - ui) * std::exp(-(s - t) / p.tau_s); };
        if (armed && at(next) >= 1.0 && u < 1.0) {
            double a = t, b = next; // bisection on the closed form
            for (int it = 0; it < 200 && b - a > 1e-16; ++it) {
                const double m = 0.5 * (a + b);
                (at(m) >= 1.0 ? b : a) = m;
            }
            const double tc = b;
            if (spike_times)
                spike_times->push_back(tc);
            if (tc < p.window_s &&
                static_cast<std::uint32_t>(tc / p.output_bin_s) < p.n_output_bins) {
                res.word |= 1ull << static_cast<std::uint32_t>(tc / p.output_bin_s);
                ++res.n_spikes;
            }
            armed = false;
            reset_at = tc + p.delay_s;
            u = 1.0;
            t = tc;
            continue;
        }
        u = at(next);
        t = next;
    }
    return res;
}

struct SpikeTimes {
    std::vector<double> spikes;
    void on_spike(double t) { spikes.push_back(t); }
    void on_reset(double) {}
    void on_event(double, double, double) {}
};

//! Returns the number of trials that fired.
int expect_matches_reference(const ExactParams& p, const ExactDrive& d, int n) {
    int fired = 0;
    for (int t = 0; t < n; ++t) {
        const std::uint32_t code = (static_cast<std::uint32_t>(t) * 2654435761u) >> 16;
        const std::uint64_t id = make_trial_id(4, code, static_cast<std::uint32_t>(t));
        SpikeTimes got;
        std::vector<double> want;
        const TrialResult a = run_exact_trial_observed(p, d, code, id, got);
        const TrialResult e = reference_trial(p, d, code, id, &want);
        EXPECT_EQ(a.word, e.word) << "trial " << t;
        EXPECT_EQ(a.n_spikes, e.n_spikes) << "trial " << t;
        // the solver stops after the last input spike; the reference runs to the window end
        EXPECT_EQ(got.spikes.size(), want.size()) << "trial " << t;
        for (std::size_t k = 0; k < std::min(got.spikes.size(), want.size()); ++k)
            EXPECT_NEAR(got.spikes[k], want[k], 1e-12) << "trial " << t << " spike " << k;
        fired += a.n_spikes > 0;
        if (::testing::Test::HasFailure())
            return fired;
    }
    return fired;
}

TEST(ExactTrial, MatchesReferenceGridPoissonJitter) {
    ExactParams p = default_params();
    p.timing = OnsetTiming::grid;
    p.grid_dt_s = 10e-6;
    ASSERT_TRUE(make_poisson_jitter_table(p.jitter, 20.0, 40, 100.0, false));
    EXPECT_GT(expect_matches_reference(p, ExactDrive{1.8, 1.5, 2.4, 1.8}, 400), 200);
}

TEST(ExactTrial, MatchesReferenceContinuousUniformShortDelayUnequalWeights) {
    ExactParams p = default_params();
    p.jitter.law = JitterLaw::uniform;
    p.jitter_max_s = 40e-3;
    p.delay_s = 0.37e-3;
    EXPECT_GT(expect_matches_reference(p, ExactDrive{4.0, 0.3, 1.1, 6.0}, 400), 200);
}

TEST(ExactTrial, MatchesReferenceZeroDelay) {
    ExactParams p = default_params();
    p.jitter.law = JitterLaw::uniform;
    p.jitter_max_s = 40e-3;
    p.delay_s = 0.0;
    EXPECT_GT(expect_matches_reference(p, all(3.0), 200), 100);
}

TEST(ExactTrial, MatchesReferenceWithBackspikesGridAndContinuous) {
    ExactParams p = default_params();
    p.timing = OnsetTiming::grid;
    p.grid_dt_s = 10e-6;
    ASSERT_TRUE(make_poisson_jitter_table(p.jitter, 20.0, 40, 100.0, false));
    p.backspike.enabled = 1;
    p.backspike.width_steps = 300;          // 3 ms
    p.backspike.mean_interval_steps = 1500; // about 13 per trial
    EXPECT_GT(expect_matches_reference(p, ExactDrive{2.0, 2.5, 1.2, 2.0}, 400), 150);
    ExactParams q = default_params();
    q.jitter.law = JitterLaw::uniform;
    q.jitter_max_s = 40e-3;
    q.backspike.enabled = 1;
    q.backspike_width_s = 2.7e-3;
    q.backspike_mean_interval_s = 11e-3;
    EXPECT_GT(expect_matches_reference(q, ExactDrive{2.0, 2.5, 1.2, 2.0}, 400), 150);
}

TEST(ExactTrial, MatchesReferenceWindowEndingInsideAnInputSpike) {
    ExactParams p = default_params();
    p.jitter.law = JitterLaw::uniform;
    p.jitter_max_s = 40e-3;
    p.window_s = 123.4e-3;
    p.n_output_bins = 13;
    EXPECT_GT(expect_matches_reference(p, all(2.0), 300), 150);
}

TEST(ExactTrial, MatchesReferenceOnALongWindowThatRebasesTheScaling) {
    // (stop - t_ref) / tau reaches 1000 > k_exact_rebase: the scaled state must be re-based
    ExactParams p = default_params();
    p.tau_s = 0.2e-3;
    p.window_s = 200e-3;
    p.jitter.law = JitterLaw::uniform;
    p.jitter_max_s = 40e-3;
    p.delay_s = 0.1e-3;
    EXPECT_GT(expect_matches_reference(p, all(1.5), 200), 100);
}

} // namespace
} // namespace memlif
