// SPDX-License-Identifier: MIT
//! \file tests/kernels/devices/protocols_test.cpp
//! The device protocols of Benatti et al. 2023 (Fig. 1b-d, 2b, 4) with the default UL-GAP set, and
//! the qualitative behaviours the seed reports (model.md §3.2, §6, §7, §8).
#include "memlif/kernels/protocols/device_protocols.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

namespace memlif {
namespace {

std::vector<double> pulse_cycles_r(const DeviceSetup& su, const PulseCycleProtocol& pr,
                                   std::vector<double>* g = nullptr) {
    std::vector<double> r(pulse_cycle_points(pr));
    PulseCycleOutput out;
    out.r_ohm = r.data();
    if (g) {
        g->resize(r.size());
        out.g_read_S = g->data();
    }
    device_pulse_cycles(su, 0, pr, out);
    return r;
}

// ---- Fig. 1c,d: pulse LTD/LTP cycles

TEST(PulseCycles, UlGapMatchesTheIndependentReference) {
    // tests/kernels/devices/reference/ul_gap_pulse_reference.py (scipy Radau, rtol 1e-11, written
    // from model.md §3.2 only) prints R after each pulse, in kOhm:
    const struct {
        int k;
        double r_kohm;
    } ref[] = {{0, 259.753969569}, {1, 93.215167526},   {2, 60.703234641},   {3, 54.661872903},
               {20, 57.442825770}, {39, 313.268899677}, {40, 249.312928883}, {41, 204.306014084},
               {59, 54.661872903}, {60, 57.442825770},  {99, 54.661872903}};
    PulseCycleProtocol pr;
    pr.n_cycles = 2;
    const std::vector<double> r = pulse_cycles_r(DeviceSetup{}, pr);
    for (const auto& e : ref)
        EXPECT_NEAR(r[e.k] / 1e3, e.r_kohm, 2e-9 * e.r_kohm) << "pulse " << e.k;
}

TEST(PulseCycles, LtdLtpCyclesAreGradualAndRepeatable) {
    const PulseCycleProtocol pr; // the seed's 15 cycles
    const std::vector<double> r = pulse_cycles_r(DeviceSetup{}, pr);
    const std::uint32_t n_set = pr.set.n_pulses, n_cyc = pr.ltd.n_pulses + pr.ltp.n_pulses;
    ASSERT_EQ(r.size(), n_set + 15 * n_cyc);
    const double* c1 = &r[n_set];
    const double window = std::log(c1[pr.ltd.n_pulses - 1] / c1[n_cyc - 1]);
    EXPECT_GT(window, std::log(4.0)); // > 4x resistance window (seed Fig. 1d: ~55 -> ~300 kOhm)
    for (std::uint32_t c = 0; c < 15; ++c) {
        const double* cy = &r[n_set + c * n_cyc];
        for (std::uint32_t j = 0; j < n_cyc; ++j) {
            // repeatable: every cycle equals the first (deterministic device returns to its state)
            EXPECT_NEAR(cy[j], c1[j], 1e-9 * c1[j]) << "cycle " << c << " pulse " << j;
            // gradual: no pulse moves ln R by more than a quarter of the window
            const double prev = j == 0 ? (c == 0 ? r[n_set - 1] : cy[-1]) : cy[j - 1];
            EXPECT_LT(std::fabs(std::log(cy[j] / prev)), 0.25 * window)
                << "cycle " << c << " pulse " << j;
            // monotone staircases: LTD raises R, LTP lowers it (or holds it at the bound)
            if (j < pr.ltd.n_pulses) {
                EXPECT_GT(cy[j], prev);
            } else {
                EXPECT_LE(cy[j], prev * (1 + 1e-12));
            }
        }
    }
}

TEST(PulseCycles, SeriesResistorMakesResetRunAwayAndSetSelfLimit) {
    // With R_s, the RESET (LTD) steps grow along the train (the device takes more of the source
    // voltage as its resistance rises: positive feedback, abrupt RESET) and the SET (LTP) steps
    // shrink (negative feedback, self-limiting SET). Without R_s (and heating) every step is equal.
    PulseCycleProtocol pr;
    pr.n_cycles = 1;
    std::vector<double> g;
    pulse_cycles_r(DeviceSetup{}, pr, &g);
    const std::uint32_t a = pr.set.n_pulses;
    for (std::uint32_t j = 1; j + 1 < pr.ltd.n_pulses; ++j) {
        const double step = std::log(g[a + j - 1] / g[a + j]),
                     next = std::log(g[a + j] / g[a + j + 1]);
        EXPECT_GT(next, step) << "LTD pulse " << j;
    }
    const std::uint32_t b = a + pr.ltd.n_pulses;
    for (std::uint32_t j = 1; j + 1 < pr.ltp.n_pulses; ++j) {
        const double step = std::log(g[b + j] / g[b + j - 1]),
                     next = std::log(g[b + j + 1] / g[b + j]);
        if (g[b + j + 1] >= read_conductance_S<UlGapModel>(UlGapParams{}, {1.5e-9}, 0.05))
            break; // bound
        EXPECT_LT(next, step) << "LTP pulse " << j;
    }
    DeviceSetup bare;
    bare.spec.ul_gap.r_th_K_per_W = 0.0;
    pr.circuit.r_series_ohm = 0.0;
    pr.set.n_pulses = 0;
    pr.ltp.n_pulses = 0;
    bare.initial = InitialState::read_conductance;
    bare.initial_g_read_S = 13.6e-6;
    pulse_cycles_r(bare, pr, &g);
    for (std::uint32_t j = 1; j + 1 < pr.ltd.n_pulses; ++j) {
        const double step = std::log(g[j - 1] / g[j]), next = std::log(g[j] / g[j + 1]);
        EXPECT_NEAR(next, step, 1e-9 * step) << "R_s = 0, LTD pulse " << j;
    }
}

TEST(PulseCycles, SetIsGradualAndSelfLimitingWithTheSeriesResistor) {
    PulseCycleProtocol pr;
    pr.n_cycles = 0;
    std::vector<double> g;
    const std::vector<double> r = pulse_cycles_r(DeviceSetup{}, pr, &g);
    // gradual: after the first SET pulse R is still more than twice its final value
    EXPECT_GT(r[0], 2.0 * r[19]);
    for (int j = 1; j < 20; ++j)
        EXPECT_LE(r[j], r[j - 1] * (1 + 1e-12));
    // with the default set the SET ends at the thin-barrier bound (x_min) after ~4 pulses
    EXPECT_NEAR(g[19], read_conductance_S<UlGapModel>(UlGapParams{}, {1.5e-9}, 0.05), 1e-15);

    // Self-limiting: with the bound out of the way (x_min = 0.2 nm), R_s alone slows the SET: the
    // barrier change per pulse falls monotonically, by two orders of magnitude over the train,
    // while without R_s the same pulses keep their full strength and reach the bound at pulse 2.
    DeviceSetup open;
    open.spec.ul_gap.x_min_m = 0.2e-9;
    const UlGapParams& p = open.spec.ul_gap;
    const auto barrier_steps = [&](const PulseCycleProtocol& q) {
        std::vector<double> gg;
        pulse_cycles_r(open, q, &gg);
        std::vector<double> dx;
        double prev = p.x_max_m;
        for (double gk : gg) {
            const double x = UlGapModel::state_from_read_conductance(p, gk, 0.05).x_m;
            dx.push_back(prev - x);
            prev = x;
        }
        return dx;
    };
    const std::vector<double> dx = barrier_steps(pr);
    for (int j = 1; j < 20; ++j)
        EXPECT_LT(dx[j], dx[j - 1]) << "SET pulse " << j;
    EXPECT_LT(dx[19], 0.01 * dx[0]);
    PulseCycleProtocol bare = pr;
    bare.circuit.r_series_ohm = 0.0;
    const std::vector<double> dx0 = barrier_steps(bare);
    EXPECT_GT(dx0[0], dx[0]);
    EXPECT_NEAR(p.x_max_m - dx0[0] - dx0[1], p.x_min_m, 1e-15);
}

// ---- Fig. 1b: DC sweep with compliance

struct Sweep {
    std::vector<double> v, i, g, v_set, v_reset;
};

Sweep dc_sweep(const DeviceSetup& su, const DcSweepProtocol& pr, std::uint64_t id = 0) {
    Sweep s;
    const std::uint32_t n = pr.n_cycles * dc_sweep_samples_per_cycle(pr);
    s.v.resize(n);
    s.i.resize(n);
    s.g.resize(n);
    s.v_set.resize(pr.n_cycles);
    s.v_reset.resize(pr.n_cycles);
    DcSweepOutput out;
    out.v_source_V = s.v.data();
    out.i_A = s.i.data();
    out.g_read_S = s.g.data();
    out.v_set_V = s.v_set.data();
    out.v_reset_V = s.v_reset.data();
    device_dc_sweep(su, id, pr, out);
    return s;
}

//! Voltage span over which ln G crosses the middle 80 % of its change on one half of the sweep.
double transition_span_V(const Sweep& s, std::size_t from, std::size_t to) {
    const double l0 = std::log(s.g[from]), l1 = std::log(s.g[to]);
    double v10 = 0, v90 = 0;
    bool got10 = false, got90 = false;
    for (std::size_t k = from; k <= to; ++k) {
        const double f = (std::log(s.g[k]) - l0) / (l1 - l0);
        if (!got10 && f >= 0.1) {
            v10 = s.v[k];
            got10 = true;
        }
        if (!got90 && f >= 0.9) {
            v90 = s.v[k];
            got90 = true;
        }
    }
    return std::fabs(v90 - v10);
}

TEST(DcSweep, GradualSetAbruptResetWithinCompliance) {
    DcSweepProtocol pr;
    pr.dv_step_V = 1e-4;
    pr.sample_every = 1;
    pr.n_cycles = 2;
    const Sweep s = dc_sweep(DeviceSetup{}, pr);
    const std::size_t n_s = dc_sweep_samples_per_cycle(pr);
    const std::size_t top = 4000, zero = 8000, bottom = 16000; // sample indices of +0.4, 0, -0.8 V
    ASSERT_NEAR(s.v[top], 0.4, 1e-12);
    ASSERT_NEAR(s.v[zero], 0.0, 1e-12);
    ASSERT_NEAR(s.v[bottom], -0.8, 1e-12);
    for (double i : s.i)
        EXPECT_LE(std::fabs(i), 10e-6 * (1 + 1e-12));
    EXPECT_GT(s.v_set[0], 0.0);
    EXPECT_LT(s.v_reset[0], 0.0);
    const double set_span = transition_span_V(s, 0, top),
                 reset_span = transition_span_V(s, zero, bottom);
    std::printf(
        "[ measured ] UL-GAP DC sweep: V_set %.4f V, V_reset %.4f V, 10-90%% ln G span SET %.4f V, "
        "RESET %.4f V\n",
        s.v_set[0], s.v_reset[0], set_span, reset_span);
    EXPECT_LT(reset_span, 0.5 * set_span); // RESET abrupt, SET gradual [SEED]
    // deterministic device: the second cycle repeats the first
    for (std::size_t k = 0; k < n_s; ++k)
        EXPECT_NEAR(s.i[n_s + k], s.i[k], 1e-9 * std::fabs(s.i[k]) + 1e-18);
}

TEST(DcSweep, ComplianceClampsTheCurrentWithoutSeriesResistor) {
    DcSweepProtocol pr;
    pr.circuit.r_series_ohm = 0.0;
    const Sweep s = dc_sweep(DeviceSetup{}, pr);
    double i_max = 0.0;
    for (double i : s.i)
        i_max = std::fmax(i_max, std::fabs(i));
    EXPECT_NEAR(i_max, 10e-6, 1e-17);
}

TEST(DcSweep, ResetVoltageVariesMoreFromCycleToCycleThanSet) {
    DeviceSetup su;
    su.noise.cycle_variability = 1;
    DcSweepProtocol pr;
    pr.n_cycles = 30;
    pr.sample_every = 100;
    const Sweep s = dc_sweep(su, pr, 11);
    double ms = 0, qs = 0, mr = 0, qr = 0;
    for (std::uint32_t c = 0; c < pr.n_cycles; ++c) {
        ASSERT_FALSE(std::isnan(s.v_set[c]));
        ASSERT_FALSE(std::isnan(s.v_reset[c]));
        ms += s.v_set[c];
        qs += s.v_set[c] * s.v_set[c];
        mr += s.v_reset[c];
        qr += s.v_reset[c] * s.v_reset[c];
    }
    const double n = pr.n_cycles;
    const double sd_set = std::sqrt(qs / n - (ms / n) * (ms / n)),
                 sd_reset = std::sqrt(qr / n - (mr / n) * (mr / n));
    std::printf("[ measured ] 30 cycles, c2c on: V_set %.4f +- %.4f V, V_reset %.4f +- %.4f V\n",
                ms / n, sd_set, mr / n, sd_reset);
    EXPECT_GT(sd_reset / std::fabs(mr / n), 2.0 * sd_set / (ms / n));
}

// ---- Fig. 2b: the rate rule

TEST(RateRule, BalanceRateInterpolation) {
    const double nu[4] = {2, 5, 10, 20};
    const double drift[4] = {-3, -1, 1, 4};
    EXPECT_DOUBLE_EQ(balance_rate_Hz(nu, drift, 4), 7.5);
    const double never[2] = {-1, -0.5};
    EXPECT_EQ(balance_rate_Hz(nu, never, 2), -1.0);
    EXPECT_EQ(balance_rate_Hz(nu, drift, 1), -2.0);
}

struct RateStats {
    double mean, se;
};

RateStats rate_stats(double nu, int trials, SpikeTrainLaw law) {
    DeviceSetup su;
    su.initial = InitialState::read_conductance;
    su.initial_g_read_S = 6.2e-6;
    su.seed = 2024;
    RateRuleProtocol pr;
    pr.rate_Hz = nu;
    pr.law = law;
    double s = 0, q = 0;
    for (int k = 0; k < trials; ++k) {
        const RateRuleResult r = device_rate_rule(su, static_cast<std::uint64_t>(k), pr);
        s += r.dlng_per_s;
        q += r.dlng_per_s * r.dlng_per_s;
    }
    const double mean = s / trials;
    return RateStats{mean, std::sqrt((q / trials - mean * mean) / trials)};
}

TEST(RateRule, FastInputPotentiatesSlowInputDepresses) {
    const double nu0 =
        ulgap_balance_rate_Hz(UlGapParams{}, 0.1, 10e-3, 0.115, 300e-6, 1.0); // 9.87 Hz
    for (SpikeTrainLaw law : {SpikeTrainLaw::regular, SpikeTrainLaw::poisson}) {
        const RateStats lo = rate_stats(0.5 * nu0, 100, law), hi = rate_stats(2.0 * nu0, 100, law);
        std::printf("[ measured ] rate rule (%s): d lnG/dt = %+.4f +- %.4f /s at nu0/2, %+.4f +- "
                    "%.4f /s at 2 nu0\n",
                    law == SpikeTrainLaw::regular ? "regular" : "poisson", lo.mean, lo.se, hi.mean,
                    hi.se);
        EXPECT_LT(lo.mean, -4 * lo.se);
        EXPECT_GT(hi.mean, 4 * hi.se);
    }
}

TEST(RateRule, SimulatedBalanceRateMatchesTheAnalyticOne) {
    // Same trials (same back-spikes) at 8 and 12 Hz; the drift is linear in nu between them.
    const RateStats a = rate_stats(8.0, 100, SpikeTrainLaw::regular),
                    b = rate_stats(12.0, 100, SpikeTrainLaw::regular);
    const double nu[2] = {8.0, 12.0}, drift[2] = {a.mean, b.mean};
    const double nu0 = balance_rate_Hz(nu, drift, 2);
    const double analytic = ulgap_balance_rate_Hz(UlGapParams{}, 0.1, 10e-3, 0.115, 300e-6, 1.0);
    // the back-spike count is Poisson(5) per trial: the estimate carries ~0.5 Hz of sampling error
    const double se = 4.0 * a.se / (b.mean - a.mean);
    std::printf("[ measured ] nu0 simulated %.2f Hz (+- %.2f), analytic (model.md §6.2) %.2f Hz\n",
                nu0, se, analytic);
    EXPECT_NEAR(nu0, analytic, 4 * se + 0.2);
}

TEST(RateRule, TrialsAreKeyedByIdAndCountTheirSpikes) {
    DeviceSetup su;
    su.initial = InitialState::read_conductance;
    su.initial_g_read_S = 6.2e-6;
    RateRuleProtocol pr;
    pr.law = SpikeTrainLaw::regular;
    pr.rate_Hz = 10.0;
    const RateRuleResult a = device_rate_rule(su, 3, pr), b = device_rate_rule(su, 3, pr);
    EXPECT_EQ(a.g_end_S, b.g_end_S);
    EXPECT_EQ(a.n_pre, 50u); // 5 s at 10 Hz, first spike at t = 0
    // with no back-spikes every spike potentiates by the same barrier step (R_s = 0)
    pr.drive.backspike.enabled = 0;
    const RateRuleResult c = device_rate_rule(su, 3, pr);
    EXPECT_EQ(c.n_backspikes, 0u);
    EXPECT_GT(c.g_end_S, c.g_start_S);
}

// ---- Fig. 4: theta-burst ladder

TEST(ThetaBurst, EachTrainMultipliesGByANearlyConstantFactor) {
    DeviceSetup su;
    su.initial = InitialState::read_conductance;
    su.initial_g_read_S = 1.0e-6;
    ThetaBurstProtocol pr;
    pr.drive.backspike.enabled = 0;
    pr.n_targets = 0;
    pr.max_trains = 3;
    std::vector<double> g(pr.max_trains), gb(pr.max_trains * pr.bursts_per_train);
    ThetaBurstOutput out;
    out.g_after_train_S = g.data();
    out.g_after_burst_S = gb.data();
    const ThetaBurstResult r = device_theta_burst(su, 0, pr, out);
    ASSERT_EQ(r.n_trains, 3u);
    EXPECT_EQ(r.n_pre, 150u);
    const double f0 = g[0] / r.g_start_S, f1 = g[1] / g[0], f2 = g[2] / g[1];
    std::printf("[ measured ] theta-burst factors per train: %.4f %.4f %.4f (G %.3f -> %.3f uS)\n",
                f0, f1, f2, r.g_start_S * 1e6, g[2] * 1e6);
    EXPECT_GT(f0, 1.5);
    EXPECT_NEAR(f1 / f0, 1.0, 0.01);
    EXPECT_NEAR(f2 / f0, 1.0, 0.01);
    for (std::size_t k = 1; k < gb.size(); ++k)
        EXPECT_GT(gb[k], gb[k - 1]);
}

TEST(ThetaBurst, LadderStopsAtTheTargets) {
    DeviceSetup su;
    su.initial = InitialState::read_conductance;
    su.initial_g_read_S = 2.6e-6;
    ThetaBurstProtocol pr; // targets 6.2, 13.6 uS [SEED]
    pr.drive.backspike.enabled = 0;
    std::vector<double> g(pr.max_trains);
    ThetaBurstOutput out;
    out.g_after_train_S = g.data();
    const ThetaBurstResult r = device_theta_burst(su, 0, pr, out);
    ASSERT_GE(r.trains_to_target[0], 1u);
    ASSERT_GE(r.trains_to_target[1], r.trains_to_target[0]);
    EXPECT_EQ(r.n_trains, r.trains_to_target[1]);
    EXPECT_GE(g[r.trains_to_target[0] - 1], 6.2e-6);
    EXPECT_GE(g[r.n_trains - 1], 13.6e-6);
    if (r.trains_to_target[0] > 1) {
        EXPECT_LT(g[r.trains_to_target[0] - 2], 6.2e-6);
    }
}

// ---- every model runs every protocol

TEST(DeviceProtocols, EveryModelRunsEveryProtocolWithFiniteResults) {
    for (std::uint32_t m = 0; m < k_device_model_count; ++m) {
        DeviceSetup su;
        su.spec.model = static_cast<DeviceModel>(m);
        su.initial = InitialState::read_conductance;
        su.initial_g_read_S = su.spec.model == DeviceModel::short_long_term ? 1e-6 : 5e-6;
        if (su.spec.model == DeviceModel::vteam || su.spec.model == DeviceModel::ion_drift)
            su.initial_g_read_S = 1e-4;
        PulseCycleProtocol pc;
        pc.n_cycles = 1;
        for (double r : pulse_cycles_r(su, pc))
            EXPECT_TRUE(std::isfinite(r)) << "model " << m;
        DcSweepProtocol dc;
        dc.sample_every = 50;
        for (double i : dc_sweep(su, dc).i)
            EXPECT_TRUE(std::isfinite(i)) << "model " << m;
        RateRuleProtocol rr;
        rr.duration_s = 1.0;
        EXPECT_TRUE(std::isfinite(device_rate_rule(su, 0, rr).g_end_S)) << "model " << m;
        ThetaBurstProtocol tb;
        tb.max_trains = 2;
        std::vector<double> g(tb.max_trains);
        ThetaBurstOutput out;
        out.g_after_train_S = g.data();
        const ThetaBurstResult r = device_theta_burst(su, 0, tb, out);
        for (std::uint32_t k = 0; k < r.n_trains; ++k)
            EXPECT_TRUE(std::isfinite(g[k])) << "model " << m;
    }
}

} // namespace
} // namespace memlif
