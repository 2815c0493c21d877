// SPDX-License-Identifier: MIT
//! \file tests/kernels/devices/noise_test.cpp
//! Device noise: RTN, device-to-device and cycle-to-cycle variability, read noise, GMMS binomial
//! switching. Each switch at zero amplitude reproduces the noiseless result bit for bit.
#include "memlif/kernels/devices/device_spec.hpp"
#include "memlif/kernels/devices/integrator.hpp"
#include "memlif/kernels/devices/rtn.hpp"
#include "memlif/kernels/protocols/device_protocols.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace memlif {
namespace {

// ---- RTN

TEST(Rtn, StationaryOccupancyAndDwellTimes) {
    RtnParams p;
    p.n_traps = 1;
    p.trap[0] = RtnTrap{0.1, 1e-3, 3e-3};
    RtnState s = rtn_start(p, 5, 17, 0.0);
    // time-weighted occupancy over 20 s by exact event walking
    double t = 0.0, filled_time = 0.0;
    const double t_end = 20.0;
    std::uint32_t flips = 0;
    while (t < t_end) {
        const double next = s.next_flip_s[0] < t_end ? s.next_flip_s[0] : t_end;
        if (s.filled_mask & 1u) filled_time += next - t;
        t = next;
        if (t < t_end) {
            rtn_advance_to(s, p, 5, 17, t);
            ++flips;
        }
    }
    // P(filled) = tau_e / (tau_c + tau_e) = 0.75; ~5000 cycles
    EXPECT_NEAR(filled_time / t_end, 0.75, 0.03);
    // flips per second = 2 / (tau_c + tau_e) = 500 /s
    EXPECT_NEAR(flips / t_end, 500.0, 5 * std::sqrt(500.0 / t_end) * 2);
}

TEST(Rtn, TrajectoryDoesNotDependOnHowTimeIsCut) {
    RtnParams p;
    p.n_traps = 3;
    for (int k = 0; k < 3; ++k) p.trap[k] = RtnTrap{0.05, 1e-3 * (k + 1), 2e-3};
    RtnState a = rtn_start(p, 9, 3, 0.0), b = a;
    rtn_advance_to(a, p, 9, 3, 0.25);
    for (int j = 1; j <= 25000; ++j) rtn_advance_to(b, p, 9, 3, 0.25 * j / 25000.0);
    EXPECT_EQ(a.filled_mask, b.filled_mask);
    for (int k = 0; k < 3; ++k) {
        EXPECT_EQ(a.flips[k], b.flips[k]);
        EXPECT_EQ(a.next_flip_s[k], b.next_flip_s[k]);
    }
    EXPECT_NEAR(rtn_factor(a, p), std::pow(0.95, __builtin_popcount(a.filled_mask)), 1e-15);
}

TEST(Rtn, ALongGapAppliesEveryFlipInOneCall) {
    // review finding: at most 1024 flips per trap per call, so one call over a 1 s gap with a
    // 100 us trap stopped at 0.1 s and the device integrator's traps lagged their clock
    RtnParams p;
    p.n_traps = 1;
    p.trap[0] = RtnTrap{0.05, 1e-4, 1e-4};
    RtnState a = rtn_start(p, 4, 8, 0.0), b = a;
    rtn_advance_to(a, p, 4, 8, 1.0);
    EXPECT_GT(a.next_flip_s[0], 1.0);
    EXPECT_GT(a.flips[0], 5000u); // ~10^4 flips at 2 / (tau_c + tau_e) = 10^4 /s
    for (int j = 1; j <= 1000; ++j) rtn_advance_to(b, p, 4, 8, 1e-3 * j);
    EXPECT_EQ(a.filled_mask, b.filled_mask);
    EXPECT_EQ(a.flips[0], b.flips[0]);
    EXPECT_EQ(a.next_flip_s[0], b.next_flip_s[0]);
}

TEST(DeviceVariability, ABoundStartIsTheDevicesOwnBound) {
    // review finding: the start state was the nominal bound, taken before the device's
    // variability moved its x_min/x_max, so 464 of 1000 UL-GAP devices started inside their range
    DeviceSetup su;
    su.noise.device_variability = 1;
    su.seed = 3;
    std::size_t moved = 0;
    for (std::uint64_t id = 0; id < 200; ++id) {
        const DeviceInstance<UlGapModel> lo = make_setup_device<UlGapModel>(su, su.spec.ul_gap, id);
        EXPECT_EQ(lo.s.x_m, UlGapModel::low_state(lo.device).x_m) << id;
        moved += lo.device.x_max_m != su.spec.ul_gap.x_max_m ? 1 : 0;
        DeviceSetup hi_su = su;
        hi_su.initial = InitialState::high_bound;
        const DeviceInstance<UlGapModel> hi =
            make_setup_device<UlGapModel>(hi_su, hi_su.spec.ul_gap, id);
        EXPECT_EQ(hi.s.x_m, UlGapModel::high_state(hi.device).x_m) << id;
    }
    EXPECT_GT(moved, 50u) << "the variability should move most devices' bounds";
}

// ---- zero-amplitude switches reproduce the noiseless results exactly

std::vector<double> pulse_r(const DeviceSetup& su, std::uint64_t id) {
    PulseCycleProtocol pr;
    pr.n_cycles = 3;
    std::vector<double> r(pulse_cycle_points(pr));
    PulseCycleOutput out;
    out.r_ohm = r.data();
    device_pulse_cycles(su, id, pr, out);
    return r;
}

TEST(NoiseSwitches, ZeroAmplitudeReproducesTheNoiselessPulseCyclesExactly) {
    DeviceSetup base;
    const std::vector<double> ref = pulse_r(base, 4);

    DeviceSetup rtn = base;
    rtn.noise.rtn.n_traps = 4;
    for (int k = 0; k < 4; ++k) rtn.noise.rtn.trap[k] = RtnTrap{0.0, 10e-6, 20e-6};
    EXPECT_EQ(pulse_r(rtn, 4), ref) << "RTN with delta = 0";

    DeviceSetup d2d = base;
    d2d.noise.device_variability = 1;
    d2d.spec.ul_gap.d2d_sigma_ln_k = 0.0;
    d2d.spec.ul_gap.d2d_sigma_x_m = 0.0;
    EXPECT_EQ(pulse_r(d2d, 4), ref) << "device-to-device with sigma = 0";

    DeviceSetup c2c = base;
    c2c.noise.cycle_variability = 1;
    c2c.spec.ul_gap.c2c_sigma_ln_k_reset = 0.0;
    c2c.spec.ul_gap.c2c_sigma_ln_k_set = 0.0;
    EXPECT_EQ(pulse_r(c2c, 4), ref) << "cycle-to-cycle with sigma = 0";

    DeviceSetup rd = base;
    rd.noise.read_noise_rel = 0.0;
    EXPECT_EQ(pulse_r(rd, 4), ref) << "read noise with sigma = 0";

    // and at non-zero amplitude each switch changes the result
    rtn.noise.rtn.trap[0].delta = 0.2;
    EXPECT_NE(pulse_r(rtn, 4), ref);
    d2d.spec.ul_gap.d2d_sigma_ln_k = 0.2;
    EXPECT_NE(pulse_r(d2d, 4), ref);
    c2c.spec.ul_gap.c2c_sigma_ln_k_reset = 0.5;
    EXPECT_NE(pulse_r(c2c, 4), ref);
    rd.noise.read_noise_rel = 0.01;
    EXPECT_NE(pulse_r(rd, 4), ref);
}

TEST(NoiseSwitches, GmmsThresholdNoiseAtZeroAmplitudeIsTheStaticSet) {
    DeviceSetup base;
    base.spec.model = DeviceModel::gmms;
    const std::vector<double> ref = pulse_r(base, 2);
    DeviceSetup c2c = base;
    c2c.noise.cycle_variability = 1;
    c2c.spec.gmms.c2c_amplitude = 0.0;
    EXPECT_EQ(pulse_r(c2c, 2), ref);
    c2c.spec.gmms.c2c_amplitude = 1.0;
    EXPECT_NE(pulse_r(c2c, 2), ref);
}

// ---- variability draws

TEST(Variability, DeviceToDeviceIsLogNormalInTheRatesAndKeyedById) {
    UlGapParams p;
    DeviceNoise n;
    n.device_variability = 1;
    const int m = 4000;
    double s = 0, q = 0, sx = 0, qx = 0;
    for (int k = 0; k < m; ++k) {
        const DeviceInstance<UlGapModel> d = make_device_instance<UlGapModel>(p, {3e-9}, n, 77, k);
        const double l = std::log(d.device.k_set_m_per_s / p.k_set_m_per_s);
        const double dx = d.device.x_min_m - p.x_min_m;
        s += l;
        q += l * l;
        sx += dx;
        qx += dx * dx;
        EXPECT_LE(d.device.x_min_m, d.device.x_max_m);
    }
    const double sd = std::sqrt(q / m - (s / m) * (s / m));
    EXPECT_NEAR(s / m, 0.0, 5 * 0.2 / std::sqrt(m));
    EXPECT_NEAR(sd, 0.2, 5 * 0.2 / std::sqrt(2.0 * m));
    EXPECT_NEAR(std::sqrt(qx / m), 0.1e-9, 5 * 0.1e-9 / std::sqrt(2.0 * m));
    // the draw depends only on (seed, id): same id -> same device, other id -> another device
    const auto a = make_device_instance<UlGapModel>(p, {3e-9}, n, 77, 123);
    const auto b = make_device_instance<UlGapModel>(p, {3e-9}, n, 77, 123);
    const auto c = make_device_instance<UlGapModel>(p, {3e-9}, n, 77, 124);
    EXPECT_EQ(a.device.k_reset_m_per_s, b.device.k_reset_m_per_s);
    EXPECT_NE(a.device.k_reset_m_per_s, c.device.k_reset_m_per_s);
}

TEST(Variability, CycleToCycleRedrawsFromTheDeviceValuesWithoutCompounding) {
    UlGapParams p;
    DeviceNoise n;
    n.cycle_variability = 1;
    DeviceInstance<UlGapModel> d = make_device_instance<UlGapModel>(p, {3e-9}, n, 1, 2);
    begin_cycle(d, 5);
    const double k5 = d.p.k_reset_m_per_s;
    begin_cycle(d, 6);
    begin_cycle(d, 5);
    EXPECT_EQ(d.p.k_reset_m_per_s, k5); // cycle 5 always draws the same, whatever came before
    EXPECT_EQ(d.device.k_reset_m_per_s, p.k_reset_m_per_s);
}

TEST(Variability, BatchingDoesNotChangeAnyDevice) {
    DeviceSetup su;
    su.noise.device_variability = 1;
    su.noise.cycle_variability = 1;
    su.noise.rtn.n_traps = 2;
    su.noise.rtn.trap[0] = RtnTrap{0.1, 20e-6, 40e-6};
    su.noise.rtn.trap[1] = RtnTrap{0.05, 100e-6, 50e-6};
    su.noise.read_noise_rel = 0.01;
    std::vector<std::vector<double>> fwd, rev(6);
    for (std::uint64_t id = 0; id < 6; ++id) fwd.push_back(pulse_r(su, id));
    for (int id = 5; id >= 0; --id)
        rev[static_cast<std::size_t>(id)] = pulse_r(su, static_cast<std::uint64_t>(id));
    for (std::size_t id = 0; id < 6; ++id) EXPECT_EQ(fwd[id], rev[id]);
    EXPECT_NE(fwd[0], fwd[1]);
}

TEST(Rtn, SubStreamsSeparateDevicesSharingOneId) {
    RtnParams p;
    p.n_traps = 2;
    p.trap[0] = RtnTrap{0.1, 1e-3, 1e-3};
    p.trap[1] = RtnTrap{0.1, 1e-3, 1e-3};
    RtnState a = rtn_start(p, 1, 42, 0.0, 0), b = rtn_start(p, 1, 42, 0.0, 8);
    EXPECT_NE(a.next_flip_s[0], b.next_flip_s[0]);
    rtn_advance_to(a, p, 1, 42, 0.1);
    rtn_advance_to(b, p, 1, 42, 0.1);
    EXPECT_NE(a.next_flip_s[1], b.next_flip_s[1]);
    EXPECT_EQ(rtn_start(p, 1, 42, 0.0, 8).next_flip_s[1],
              rtn_start(p, 1, 42, 0.0, 8).next_flip_s[1]);
}

TEST(Variability, ProgrammedConductanceIsLogNormalAndExactAtZeroSigma) {
    EXPECT_EQ(programmed_read_conductance_S(6.2e-6, 0.0, 3, 77, 2), 6.2e-6);
    const int m = 20000;
    double s = 0, q = 0;
    for (int k = 0; k < m; ++k) {
        const double l = std::log(
            programmed_read_conductance_S(6.2e-6, 0.1, 3, static_cast<std::uint64_t>(k), 1) /
            6.2e-6);
        s += l;
        q += l * l;
    }
    EXPECT_NEAR(s / m, 0.0, 5 * 0.1 / std::sqrt(m));
    EXPECT_NEAR(std::sqrt(q / m), 0.1, 5 * 0.1 / std::sqrt(2.0 * m));
    EXPECT_NE(programmed_read_conductance_S(6.2e-6, 0.1, 3, 5, 0),
              programmed_read_conductance_S(6.2e-6, 0.1, 3, 5, 1));
}

// ---- GMMS stochastic switching

TEST(GmmsStochastic, LargeNFollowsTheMeanFieldAndSmallNFluctuates) {
    GmmsParams mf;
    GmmsParams st = mf;
    st.stochastic = 1;
    st.n_switches = 1000000;
    const Circuit c{46.25e3, 0.0}; // the demo's test circuit [CODE: galaguna demo]
    DeviceInstance<GmmsModel> a = make_device_instance<GmmsModel>(mf, {0.0}, DeviceNoise{}, 3, 0);
    DeviceInstance<GmmsModel> b = make_device_instance<GmmsModel>(st, {0.0}, DeviceNoise{}, 3, 0);
    for (int k = 0; k < 10; ++k) {
        drive_segment(a, c, 0.6, 20e-6, 0.2e-6, IntegratorScheme::rk4, false);
        drive_segment(b, c, 0.6, 20e-6, 0.2e-6, IntegratorScheme::rk4, false);
    }
    EXPECT_GT(a.s.x, 0.05);
    EXPECT_NEAR(b.s.x, a.s.x, 5e-3);
    // N = 100: device-to-device spread of order sqrt(x (1 - x) / N)
    st.n_switches = 100;
    double s = 0, q = 0;
    const int m = 400;
    for (int id = 0; id < m; ++id) {
        DeviceInstance<GmmsModel> d =
            make_device_instance<GmmsModel>(st, {0.0}, DeviceNoise{}, 3, id);
        for (int k = 0; k < 10; ++k)
            drive_segment(d, c, 0.6, 20e-6, 0.2e-6, IntegratorScheme::rk4, false);
        s += d.s.x;
        q += d.s.x * d.s.x;
    }
    const double mean = s / m, sd = std::sqrt(q / m - mean * mean);
    EXPECT_NEAR(mean, a.s.x, 0.03);
    EXPECT_GT(sd, 0.3 * std::sqrt(mean * (1 - mean) / 100));
    EXPECT_LT(sd, 3.0 * std::sqrt(mean * (1 - mean) / 100));
}

} // namespace
} // namespace memlif
