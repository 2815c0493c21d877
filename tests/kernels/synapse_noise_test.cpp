// SPDX-License-Identifier: MIT
//! \file tests/kernels/synapse_noise_test.cpp
//! Device noise in the MI trial (kernels/synapse_noise.hpp, noisy_trial.hpp,
//! exact_noisy_trial.hpp): every process at zero amplitude reproduces the noiseless trial bit for
//! bit; each process's draws follow their analytic distribution; the noisy trial equals the
//! noiseless trial run with the noise's drives (device-to-device) and the per-step trial of
//! plastic_trial.hpp with every rate zero (read noise, RTN: the segment loop's edges).
#include "protocol_params.hpp"

#include "memlif/kernels/exact_noisy_trial.hpp"
#include "memlif/kernels/exact_trial.hpp"
#include "memlif/kernels/lif.hpp"
#include "memlif/kernels/noisy_trial.hpp"
#include "memlif/kernels/plastic_trial.hpp"
#include "memlif/kernels/trial.hpp"
#include "memlif/kernels/trial_id.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace memlif {
namespace {

//! The default protocol at dt = 10 us, uniform jitter 0..40 ms (the spikes move between trials).
SimParams params(bool backspikes) {
    SimParams p = test::protocol_params(97531);
    p.jitter.law = JitterLaw::uniform;
    p.jitter.max_steps = 4000;
    if (backspikes) {
        p.backspike.enabled = 1;
        p.backspike.width_steps = 30;
        p.backspike.mean_interval_steps = 2000.0; // 20 ms: many back-spikes per trial
    }
    return p;
}

SynapseDrive drive(const SimParams& p, double w0, double w1, double w2, double w3) {
    return {step_increment(w0, p.decay), step_increment(w1, p.decay), step_increment(w2, p.decay),
            step_increment(w3, p.decay)};
}

//! A pseudo-random stimulus code from the trial number (every input busy).
std::uint32_t code_of(std::uint32_t t) { return (t * 2654435761u) >> 16; }

RtnParams two_traps(double delta) {
    RtnParams r;
    r.n_traps = 2;
    r.trap[0] = {delta, 2e-3, 3e-3};
    r.trap[1] = {delta, 15e-3, 5e-3};
    return r;
}

//! Normal CDF.
double phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

//! Kolmogorov-Smirnov distance of samples from N(0, 1).
double ks_normal(std::vector<double> z) {
    std::sort(z.begin(), z.end());
    double d = 0.0;
    const double n = static_cast<double>(z.size());
    for (std::size_t i = 0; i < z.size(); ++i) {
        const double f = phi(z[i]);
        d = std::max({d, std::fabs(f - static_cast<double>(i) / n),
                      std::fabs(f - static_cast<double>(i + 1) / n)});
    }
    return d;
}

TEST(SynapseNoise, ZeroAmplitudeReproducesTheNoiselessTrialBitForBit) {
    for (bool bs : {false, true}) {
        const SimParams p = params(bs);
        const SynapseDrive d = drive(p, 0.9, 1.1, 1.6, 2.4);
        SynapseNoise n; // device and read sigma 0; RTN on with delta 0 (its own zero check)
        n.rtn = two_traps(0.0);
        n.dt_s = 10e-6;
        ASSERT_TRUE(synapse_noise_on(n));
        int fired = 0;
        for (std::uint32_t t = 0; t < 400; ++t) {
            const std::uint64_t id = make_trial_id(3, code_of(t), t);
            const TrialResult a = run_trial(p, d, code_of(t), id);
            const TrialResult b = run_noisy_trial(p, d, n, code_of(t), id);
            ASSERT_EQ(a.word, b.word) << "trial " << t << " backspikes " << bs;
            ASSERT_EQ(a.n_spikes, b.n_spikes);
            fired += a.word != 0;
        }
        EXPECT_GT(fired, 100); // the comparison is not between silent trials
    }
}

TEST(SynapseNoise, ExactSolverAtZeroAmplitudeIsTheExactTrial) {
    for (bool bs : {false, true}) {
        const SimParams p = params(bs);
        const ExactParams e = exact_params_on_grid(p, 10e-6, 20e-3);
        const ExactDrive d{0.9, 1.1, 1.6, 2.4};
        const SynapseNoise n; // device and read noise off (RTN is not an exact-solver process)
        for (std::uint32_t t = 0; t < 300; ++t) {
            const std::uint64_t id = make_trial_id(1, code_of(t), t);
            const TrialResult a = run_exact_trial(e, d, code_of(t), id);
            const TrialResult b = run_exact_noisy_trial(e, d, n, code_of(t), id);
            ASSERT_EQ(a.word, b.word) << "trial " << t;
            ASSERT_EQ(a.n_spikes, b.n_spikes);
        }
    }
}

TEST(SynapseNoise, ExactSolverSeesTheFixedStepsNoise) {
    // Grid onsets: the exact solver sees the fixed step's trials, so with the same device and
    // read factors their words agree but where the fixed step's end-of-step threshold test
    // differs (0.03-0.3 % of words without noise, README "Solvers"); a factor applied
    // differently would change most words.
    const SimParams p = params(false);
    const ExactParams e = exact_params_on_grid(p, 10e-6, 20e-3);
    const double w[4] = {0.9, 1.1, 1.6, 2.4};
    const SynapseDrive d = drive(p, w[0], w[1], w[2], w[3]);
    SynapseNoise n;
    n.device_sigma_ln = 0.3;
    n.read_sigma_ln = 0.3;
    int agree = 0, changed = 0;
    const int n_trials = 1000;
    for (std::uint32_t t = 0; t < static_cast<std::uint32_t>(n_trials); ++t) {
        const std::uint64_t id = make_trial_id(6, code_of(t), t);
        const TrialResult f = run_noisy_trial(p, d, n, code_of(t), id);
        const TrialResult x = run_exact_noisy_trial(e, {w[0], w[1], w[2], w[3]}, n, code_of(t), id);
        agree += f.word == x.word;
        changed += f.word != run_trial(p, d, code_of(t), id).word;
    }
    EXPECT_GE(agree, n_trials - 10);
    EXPECT_GT(changed, 100);
}

TEST(SynapseNoise, DeviceFactorsAreLogNormalIndependentAndFixedPerTrial) {
    SynapseNoise n;
    n.device_sigma_ln = 0.3;
    std::vector<double> z[4];
    double sum01 = 0.0;
    const int n_trials = 20000;
    for (int t = 0; t < n_trials; ++t) {
        const SynapseFactors f = device_factors(n, 42, make_trial_id(0, 7, t));
        const double l[4] = {std::log(f.f0), std::log(f.f1), std::log(f.f2), std::log(f.f3)};
        for (int i = 0; i < 4; ++i) z[i].push_back(l[i] / n.device_sigma_ln);
        sum01 += l[0] * l[1] / (n.device_sigma_ln * n.device_sigma_ln);
        // a pure function of (seed, trial id)
        const SynapseFactors g = device_factors(n, 42, make_trial_id(0, 7, t));
        ASSERT_EQ(f.f2, g.f2);
    }
    // KS critical value at alpha = 0.001: 1.95 / sqrt(n) = 0.0138
    for (int i = 0; i < 4; ++i) EXPECT_LT(ks_normal(z[i]), 0.0138) << "synapse " << i;
    // correlation of two synapses: sd 1/sqrt(n) = 0.007
    EXPECT_LT(std::fabs(sum01 / n_trials), 0.035);
}

TEST(SynapseNoise, ReadFactorsAreLogNormalPerSpikeAndExactlyOneAtZero) {
    SynapseNoise n;
    n.read_sigma_ln = 0.2;
    std::vector<double> z;
    double lag = 0.0;
    const int n_trials = 5000;
    for (int t = 0; t < n_trials; ++t) {
        const std::uint64_t id = make_trial_id(2, 99, t);
        double prev = 0.0;
        for (int b = 0; b < k_input_bins; ++b) {
            const SynapseFactors f = read_factors(n, 7, id, b);
            const double l = std::log(f.f1) / n.read_sigma_ln;
            z.push_back(l);
            if (b > 0) lag += l * prev;
            prev = l;
        }
    }
    EXPECT_LT(ks_normal(z), 1.95 / std::sqrt(static_cast<double>(z.size())));
    // successive reads of one synapse are independent (sd of the mean product 1/sqrt(15000))
    EXPECT_LT(std::fabs(lag / (3.0 * n_trials)), 0.035);
    const SynapseFactors one = read_factors(SynapseNoise{}, 7, 1, 0);
    EXPECT_EQ(one.f0, 1.0);
    EXPECT_EQ(one.f3, 1.0);
}

TEST(SynapseNoise, RtnOfEverySynapseIsStationaryWithItsDwellTimes) {
    SynapseNoise n;
    n.rtn = two_traps(0.1);
    n.dt_s = 10e-6;
    // Occupancy of trap 1 of each synapse at t = 0 and t = 100 ms over trials: stationary, so
    // P(filled) = tau_e / (tau_c + tau_e) = 0.25 at both times.
    const int n_trials = 20000;
    int filled0[4] = {0, 0, 0, 0}, filled100[4] = {0, 0, 0, 0};
    double empty_time = 0.0;
    int empty_dwells = 0;
    for (int t = 0; t < n_trials; ++t) {
        const std::uint64_t id = make_trial_id(0, 1, t);
        SynapseRtn r = synapse_rtn_start(n, 5, id);
        RtnState* s[4] = {&r.s0, &r.s1, &r.s2, &r.s3};
        for (int i = 0; i < 4; ++i) filled0[i] += (s[i]->filled_mask >> 1) & 1u;
        // dwell times of trap 0 of synapse 2, event by event: a fixed number of complete empty
        // dwells per trial (stopping at a time instead would drop the long dwells that straddle
        // it and bias the mean low)
        RtnState w = r.s2;
        double t_prev = 0.0;
        bool first = true;
        for (int dwells = 0; dwells < 5;) {
            const double t_next = w.next_flip_s[0];
            const bool was_empty = (w.filled_mask & 1u) == 0;
            rtn_advance_to(w, n.rtn, 5, id, t_next);
            if (!first && was_empty) {
                empty_time += t_next - t_prev;
                ++empty_dwells;
                ++dwells;
            }
            first = false; // the first dwell is cut by t = 0
            t_prev = t_next;
        }
        for (int i = 0; i < 4; ++i) {
            rtn_advance_to(*s[i], n.rtn, 5, id, 0.1);
            filled100[i] += (s[i]->filled_mask >> 1) & 1u;
        }
    }
    const double sd = std::sqrt(0.25 * 0.75 / n_trials); // 0.003
    for (int i = 0; i < 4; ++i) {
        EXPECT_NEAR(filled0[i] / static_cast<double>(n_trials), 0.25, 4 * sd) << i;
        EXPECT_NEAR(filled100[i] / static_cast<double>(n_trials), 0.25, 4 * sd) << i;
    }
    // mean empty dwell of trap 0: tau_c = 2 ms (exponential: sd of the mean tau / sqrt(m))
    ASSERT_EQ(empty_dwells, 5 * n_trials);
    EXPECT_NEAR(empty_time / empty_dwells, 2e-3, 4 * 2e-3 / std::sqrt(empty_dwells));
    // the factor is (1 - delta) per filled trap, normalised by its stationary mean
    // (1 - 0.1 x 0.6)(1 - 0.1 x 0.25) = 0.9165, so that a synapse's mean current is the fixed one
    RtnState e = synapse_rtn_start(n, 5, 1).s0;
    e.filled_mask = 3u;
    EXPECT_DOUBLE_EQ(rtn_factor(e, n.rtn), 0.9 * 0.9);
    EXPECT_DOUBLE_EQ(synapse_rtn_factor(e, n), 0.81 / (0.94 * 0.975));
    e.filled_mask = 0u;
    EXPECT_EQ(rtn_factor(e, n.rtn), 1.0);
    // the time average of the normalised factor over trials is 1
    double mean = 0.0;
    for (int t = 0; t < n_trials; ++t) {
        SynapseRtn r = synapse_rtn_start(n, 9, make_trial_id(1, 2, t));
        rtn_advance_to(r.s3, n.rtn, 9, make_trial_id(1, 2, t), 0.05);
        mean += synapse_rtn_factor(r.s3, n);
    }
    // sd of one factor ~0.08: of the mean over 20000 trials ~6e-4
    EXPECT_NEAR(mean / n_trials, 1.0, 0.003);
    SynapseNoise zero = n;
    zero.rtn = two_traps(0.0);
    EXPECT_EQ(synapse_rtn_factor(e, zero), 1.0);
}

TEST(SynapseNoise, RtnGridStepIsTheFirstStepAtOrAfterTheFlip) {
    const double dt = 10e-6;
    EXPECT_EQ(rtn_grid_step(0.0, dt), 0u);
    EXPECT_EQ(rtn_grid_step(1e-9, dt), 1u);
    EXPECT_EQ(rtn_grid_step(dt, dt), 1u);
    EXPECT_EQ(rtn_grid_step(3 * dt + 1e-12, dt), 4u);
    EXPECT_EQ(rtn_grid_step(1e300, dt), 0xFFFFFFFFu);
    // agrees with the test `t <= k dt` of rtn_advance_to at every k, including rounding cases
    for (int i = 1; i < 5000; ++i) {
        const double t = i * 0.37 * dt;
        const std::uint32_t k = rtn_grid_step(t, dt);
        EXPECT_TRUE(t <= static_cast<double>(k) * dt) << t;
        EXPECT_FALSE(k > 0 && t <= static_cast<double>(k - 1) * dt) << t;
    }
}

TEST(SynapseNoise, DeviceNoiseIsTheNoiselessTrialAtTheDrawnDrives) {
    for (bool bs : {false, true}) {
        const SimParams p = params(bs);
        const SynapseDrive d = drive(p, 0.9, 1.1, 1.6, 2.4);
        SynapseNoise n;
        n.device_sigma_ln = 0.4;
        int differ = 0;
        for (std::uint32_t t = 0; t < 300; ++t) {
            const std::uint64_t id = make_trial_id(5, code_of(t), t);
            const SynapseFactors f = device_factors(n, p.seed, id);
            const SynapseDrive df{d.a0 * f.f0, d.a1 * f.f1, d.a2 * f.f2, d.a3 * f.f3};
            const TrialResult ref = run_trial(p, df, code_of(t), id);
            const TrialResult got = run_noisy_trial(p, d, n, code_of(t), id);
            ASSERT_EQ(ref.word, got.word) << "trial " << t;
            ASSERT_EQ(ref.n_spikes, got.n_spikes);
            differ += ref.word != run_trial(p, d, code_of(t), id).word;
        }
        EXPECT_GT(differ, 10); // the noise changed some words
    }
}

//! Plasticity constants whose rates are zero: the per-step trial then has the fixed-state drive.
PlasticityParams frozen_plasticity() {
    PlasticityParams pp;
    pp.enabled = 1;
    pp.device.k_set_m_per_s = 0.0;
    pp.device.k_reset_m_per_s = 0.0;
    pp.device.x_min_m = 0.0;
    pp.device.x_max_m = 1e-6;
    return pp;
}

TEST(SynapseNoise, ReadAndRtnNoiseEqualThePerStepTrial) {
    const PlasticityParams pp = frozen_plasticity();
    const SynapseConductances g{3e-6, 6e-6, 9e-6, 14e-6};
    for (bool bs : {false, true}) {
        SimParams p = params(bs);
        // the fixed-state drive of make_conditions: I(V_spk, x(G)) -> w -> a
        const auto a = [&](double g_S) {
            const UlGapState x = UlGapModel::state_from_read_conductance(pp.device, g_S, 0.05);
            const double i = UlGapModel::current_A(pp.device, x, 0.1);
            return step_increment(normalised_weight(i, 20e-3, 13.6e-9, 0.5), p.decay);
        };
        const SynapseDrive d{a(g.g0_S), a(g.g1_S), a(g.g2_S), a(g.g3_S)};
        SynapseNoise n;
        n.read_sigma_ln = 0.25;
        n.rtn = two_traps(0.3);
        n.dt_s = 10e-6;
        int differ = 0;
        for (std::uint32_t t = 0; t < 160; ++t) {
            const std::uint64_t id = make_trial_id(4, code_of(t), t);
            const TrialResult seg = run_noisy_trial(p, d, n, code_of(t), id);
            const TrialResult step = run_plastic_trial(p, pp, g, n, code_of(t), id);
            ASSERT_EQ(seg.word, step.word) << "trial " << t << " backspikes " << bs;
            ASSERT_EQ(seg.n_spikes, step.n_spikes);
            differ += seg.word != run_trial(p, d, code_of(t), id).word;
        }
        EXPECT_GT(differ, 10);
    }
}

} // namespace
} // namespace memlif
