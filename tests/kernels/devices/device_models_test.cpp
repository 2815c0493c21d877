// SPDX-License-Identifier: MIT
//! \file tests/kernels/devices/device_models_test.cpp
//! Each model's defining equations at known points. The expected numbers were evaluated by hand
//! (a Python calculator, straight from the equations of model.md §3 and devices.md), not by the
//! code under test.
#include "memlif/kernels/devices/device_spec.hpp"
#include "memlif/kernels/synapse.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <type_traits>

namespace memlif {
namespace {

constexpr double k_rel = 1e-12;

void expect_rel(double got, double want, double rel = k_rel) {
    EXPECT_NEAR(got, want, rel * std::fabs(want)) << "got " << got << " want " << want;
}

TEST(DeviceModels, ParamsAndStatesAreTriviallyCopyable) {
    EXPECT_TRUE(std::is_trivially_copyable<UlGapParams>::value);
    EXPECT_TRUE(std::is_trivially_copyable<GmmsParams>::value);
    EXPECT_TRUE(std::is_trivially_copyable<YakopcicParams>::value);
    EXPECT_TRUE(std::is_trivially_copyable<ShortLongTermState>::value);
    EXPECT_TRUE(std::is_trivially_copyable<DeviceSpec>::value);
}

// ---- UL-GAP (model.md §3.2)

TEST(UlGap, CurrentAtKnownPoints) {
    const UlGapParams p;
    // I0 e^{-1} sinh(0.1/0.25)
    expect_rel(UlGapModel::current_A(p, {1e-9}, 0.1), 3.082589655954684e-06);
    // I0 e^{-2} sinh(-0.3/0.25)
    expect_rel(UlGapModel::current_A(p, {2e-9}, -0.3), -4.167380953416325e-06);
    // (I0/V0) e^{-1} cosh(0.4)
    expect_rel(UlGapModel::conductance_S(p, {1e-9}, 0.1), 3.245267088145383e-05);
}

TEST(UlGap, AsymmetricRatesAtAmbientTemperature) {
    const UlGapParams p;
    // SET: -K_S sinh(20 * 0.6); RESET: +K_R sinh(40 * 0.2); theta(T0) = 1
    expect_rel(UlGapModel::rate(p, {3e-9}, 0.6, 0.0, 300.0).x_m, -4.0688697853214926e-05);
    expect_rel(UlGapModel::rate(p, {3e-9}, -0.2, 0.0, 300.0).x_m, 1.7885745909474604e-05);
    EXPECT_EQ(UlGapModel::rate(p, {3e-9}, 0.0, 0.0, 300.0).x_m, 0.0);
    // RESET at -0.2 V is faster than SET at +0.2 V: RESET is the easy direction (model.md §3.2)
    EXPECT_GT(UlGapModel::rate(p, {3e-9}, -0.2, 0, 300).x_m,
              -50 * UlGapModel::rate(p, {3e-9}, 0.2, 0, 300).x_m);
}

TEST(UlGap, JouleHeatingAndArrhenius) {
    UlGapParams p;
    // T = T0 + R_th |V I| = 300 + 1e5 * 0.5 * 4e-6
    expect_rel(UlGapModel::temperature_K(p, 0.5, -4e-6), 300.2);
    EXPECT_EQ(UlGapModel::arrhenius(p, 300.0), 1.0);
    // theta(301 K) = exp(-(0.6 eV / k_B)(1/301 - 1/300)) = 1.0801570343
    expect_rel(UlGapModel::arrhenius(p, 301.0), 1.0801570343072766, 1e-9);
    expect_rel(UlGapModel::rate(p, {3e-9}, 0.6, 0.0, 301.0).x_m, -4.395018320295349e-05, 1e-9);
    p.alpha_thermal_scaling = 1; // alpha_S -> alpha_S T0/T
    expect_rel(UlGapModel::rate(p, {3e-9}, 0.6, 0.0, 301.0).x_m, -4.223248378738641e-05, 1e-9);
}

TEST(UlGap, BoundsAndReadConductanceRoundTrip) {
    const UlGapParams p;
    UlGapState s{0.5e-9};
    UlGapModel::clamp(p, s);
    EXPECT_EQ(s.x_m, p.x_min_m);
    s.x_m = 9e-9;
    UlGapModel::clamp(p, s);
    EXPECT_EQ(s.x_m, p.x_max_m);
    EXPECT_EQ(UlGapModel::low_state(p).x_m, 6e-9);
    EXPECT_EQ(UlGapModel::high_state(p).x_m, 1.5e-9);
    for (double g : {0.5e-6, 2.6e-6, 13.6e-6}) {
        const UlGapState x = UlGapModel::state_from_read_conductance(p, g, 0.05);
        expect_rel(read_conductance_S<UlGapModel>(p, x, 0.05), g, 1e-12);
    }
}

TEST(UlGap, BalanceRateOfTheDefaultSet) {
    // model.md §6.2: nu0 = K_R sinh(40 0.115) 300 us / (1 s K_S sinh(20 0.1) 10 ms) = 9.8738 Hz
    const UlGapParams p;
    expect_rel(ulgap_balance_rate_Hz(p, 0.1, 10e-3, 0.115, 300e-6, 1.0), 9.873756070883942, 1e-12);
}

TEST(UlGap, SynapseApiIsTheModelBitForBit) {
    // synapse.hpp (MI runs) and the device model share one expression: identical doubles.
    const UlGapParams p;
    for (double g : {2.6e-6, 6.2e-6, 13.6e-6})
        for (double v : {0.05, 0.1, 0.55}) {
            const double x = UlGapModel::state_from_read_conductance(p, g, 0.05).x_m;
            EXPECT_EQ(ulgap_state_from_read_conductance_m(p, g, 0.05), x);
            EXPECT_EQ(synapse_current_A(SynapseModel::ul_gap, p, g, 0.05, v),
                      UlGapModel::current_A(p, {x}, v));
            DeviceSpec spec;
            EXPECT_EQ(device_fixed_state_current_A(spec, g, 0.05, v),
                      synapse_current_A(SynapseModel::ul_gap, p, g, 0.05, v));
            spec.model = DeviceModel::linear;
            EXPECT_EQ(device_fixed_state_current_A(spec, g, 0.05, v), g * v);
        }
}

// ---- Linear (model.md §3.1)

TEST(Linear, OhmicAndStatic) {
    const LinearParams p;
    EXPECT_DOUBLE_EQ(LinearModel::current_A(p, {2e-6}, 0.1), 2e-7);
    EXPECT_EQ(LinearModel::rate(p, {2e-6}, 0.6, 1.2e-6, 300).g_S, 0.0);
    EXPECT_EQ(LinearModel::state_from_read_conductance(p, 6.2e-6, 0.05).g_S, 6.2e-6);
}

// ---- GMMS (model.md §3.4)

TEST(Gmms, BetaOfTheTypicalSdcSet) {
    // q/(k_B T) with the demo's q = 1.6e-19, k_B = 1.3e-23 at 108.5 K
    expect_rel(GmmsParams{}.beta_per_V, 113.43495214462956, 1e-12);
}

TEST(Gmms, CurrentAndMeanFieldRate) {
    const GmmsParams p;
    // phi V G(x) + (1 - phi)(alpha_f e^{8V} - alpha_r e^{-8V}), x = 0.3, V = 0.25
    expect_rel(GmmsModel::current_A(p, {0.3}, 0.25), 5.4987503354070575e-06);
    // (1/tau)[(1-x) sigma(beta(V - V_on)) - x (1 - sigma(beta(V + V_off)))]
    expect_rel(GmmsModel::rate(p, {0.3}, 0.25, 0, 0).x, 11626.649540800454, 1e-11);
    expect_rel(GmmsModel::rate(p, {0.3}, -0.15, 0, 0).x, -4982.849803200195, 1e-11);
    EXPECT_EQ(GmmsModel::current_A(p, {0.7}, 0.0), 0.0);
}

TEST(Gmms, ReadConductanceRoundTripAndOstrovskiiThreshold) {
    GmmsParams p;
    for (double x : {0.0, 0.25, 0.9}) {
        const double g = read_conductance_S<GmmsModel>(p, {x}, 0.05);
        EXPECT_NEAR(GmmsModel::state_from_read_conductance(p, g, 0.05).x, x, 1e-12);
    }
    p.ostrovskii_v_on = 1;
    // V_on(0) = V_on + 0.1 cos(0) / 1; V_on(0.25) = 0.2 + 0.1 cos(4 pi 0.5 / 1.45) / 6
    EXPECT_NEAR(GmmsModel::v_on_V(p, {0.0}), 0.3, 1e-15);
    EXPECT_NEAR(GmmsModel::v_on_V(p, {0.25}),
                0.2 + 0.1 * std::cos(4 * 3.141592653589793 * 0.5 / 1.45) / 6.0, 1e-15);
}

TEST(Gmms, RelaxIsTheExactLinearSolution) {
    // At 0 V: dx/dt = a (1 - x) - b x with a = sigma(-beta V_on)/tau, b = sigma(-beta V_off)/tau.
    const GmmsParams p;
    const double a = 1.0 / (1.0 + std::exp(p.beta_per_V * 0.2)) / 60e-6;
    const double b = 1.0 / (1.0 + std::exp(p.beta_per_V * 0.1)) / 60e-6;
    GmmsState s{0.8};
    GmmsModel::relax(p, s, 2.0);
    const double x_inf = a / (a + b);
    EXPECT_NEAR(s.x, x_inf + (0.8 - x_inf) * std::exp(-(a + b) * 2.0), 1e-14);
    EXPECT_LT(s.x, 0.8 * 0.7); // the typical SDC set forgets at rest (1/(a+b) ~ 5 s)
}

// ---- VTEAM (model.md §3.5)

TEST(Vteam, CurrentAndThresholdRates) {
    const VteamParams p;
    expect_rel(VteamModel::current_A(p, {1e-9}, 0.1), 0.00027272727272727274);
    expect_rel(VteamModel::rate(p, {1e-9}, 0.05, 0, 0).x_m, 0.00075);
    expect_rel(VteamModel::rate(p, {1e-9}, -0.3, 0, 0).x_m, -1.25, 1e-12);
    EXPECT_EQ(VteamModel::rate(p, {1e-9}, 0.01, 0, 0).x_m, 0.0);  // below v_off
    EXPECT_EQ(VteamModel::rate(p, {1e-9}, -0.19, 0, 0).x_m, 0.0); // above v_on
    const double g = read_conductance_S<VteamModel>(p, {1e-9}, 0.05);
    EXPECT_NEAR(VteamModel::state_from_read_conductance(p, g, 0.05).x_m, 1e-9, 1e-21);
}

// ---- Yakopcic (model.md §3.6, devices.md (a))

TEST(Yakopcic, KnowmLtspiceSet) {
    const YakopcicParams p;
    expect_rel(YakopcicModel::current_A(p, {0.11}, 0.5), 0.0004675486994384993);
    expect_rel(YakopcicModel::rate(p, {0.5}, 0.8, 0, 0).x, 725.1617568581148, 1e-11);
    expect_rel(YakopcicModel::rate(p, {0.2}, -0.7, 0, 0).x, -93.92180601392077, 1e-11);
    // the default thresholds 0.65 V / 0.56 V: the seed's +0.6 V SET pulse does not move the state
    EXPECT_EQ(YakopcicModel::rate(p, {0.2}, 0.6, 0, 0).x, 0.0);
    EXPECT_EQ(YakopcicModel::rate(p, {0.2}, -0.5, 0, 0).x, 0.0);
}

TEST(Yakopcic, NbSrTiO3Set) {
    const YakopcicParams p = yakopcic_nbsto_10um();
    expect_rel(YakopcicModel::current_A(p, {0.4}, 0.5), 0.0010638485758961752, 1e-11);
    expect_rel(YakopcicModel::current_A(p, {0.4}, -0.5), -9.61111649046432e-05, 1e-11);
    expect_rel(YakopcicModel::rate(p, {0.05}, 1.0, 0, 0).x, 0.1219980098205922, 1e-11);
    expect_rel(YakopcicModel::rate(p, {0.2}, 1.0, 0, 0).x, 0.04791338954642875, 1e-11);
    expect_rel(YakopcicModel::rate(p, {0.1}, -1.0, 0, 0).x, -0.03095681521048795, 1e-11);
    for (double x : {0.1, 0.5}) {
        const double g = read_conductance_S<YakopcicModel>(p, {x}, 0.05);
        EXPECT_NEAR(YakopcicModel::state_from_read_conductance(p, g, 0.05).x, x, 1e-12);
    }
    // numerical slope of the current agrees with conductance_S on both branches
    for (double v : {-0.4, 0.3}) {
        const double dv = 1e-6;
        const double num = (YakopcicModel::current_A(p, {0.4}, v + dv) -
                            YakopcicModel::current_A(p, {0.4}, v - dv)) /
                           (2 * dv);
        EXPECT_NEAR(YakopcicModel::conductance_S(p, {0.4}, v), num, 1e-6 * std::fabs(num));
    }
}

// ---- Short + long term (devices.md (c) template)

TEST(ShortLongTerm, RatesAtTheReferenceVoltage) {
    const ShortLongTermParams p;
    const ShortLongTermState s{2e-6, 0.5e-6};
    // dG_LT = k_lt,p (G_max - G_LT)/(G_max - G_min); dG_ST = k_st,p - G_ST/tau_p
    const ShortLongTermState r = ShortLongTermModel::rate(p, s, 1.4, 0, 0);
    expect_rel(r.g_lt_S, 6.270707070707072e-07, 1e-12);
    expect_rel(r.g_st_S, 2.537186813186813e-06, 1e-12);
    // at half the reference voltage the drive is sinh(0.7/0.25)/sinh(1.4/0.25) = 0.0605860
    const ShortLongTermState h = ShortLongTermModel::rate(p, {2e-6, 0.0}, 0.7, 0, 0);
    expect_rel(h.g_st_S, 0.806 * 4e-6 * 0.06058602376620694, 1e-12);
    expect_rel(ShortLongTermModel::current_A(p, s, 0.1), 2.5e-7, 1e-15);
}

TEST(ShortLongTerm, ShortTermPartDecaysWithTheSignsTimeConstant) {
    const ShortLongTermParams p;
    ShortLongTermState s{2e-6, 1e-6};
    ShortLongTermModel::relax(p, s, 0.728);
    EXPECT_NEAR(s.g_st_S, 1e-6 * std::exp(-1.0), 1e-20);
    EXPECT_EQ(s.g_lt_S, 2e-6);
    s.g_st_S = -0.5e-6;
    ShortLongTermModel::relax(p, s, 1.241);
    EXPECT_NEAR(s.g_st_S, -0.5e-6 * std::exp(-1.0), 1e-20);
}

// ---- Linear ion drift

TEST(IonDrift, StrukovRateWithJoglekarAndBiolekWindows) {
    IonDriftParams p;
    expect_rel(IonDriftModel::current_A(p, {0.5}, 1.0), 0.00012422360248447205);
    const double i5 = IonDriftModel::current_A(p, {0.5}, 1.0);
    expect_rel(IonDriftModel::rate(p, {0.5}, 1.0, i5, 0).x, 1.2422360248447204, 1e-12);
    const double i9 = IonDriftModel::current_A(p, {0.9}, 1.0);
    expect_rel(IonDriftModel::rate(p, {0.9}, 1.0, i9, 0).x, 2.1301775147928987, 1e-12);
    p.window = IonDriftWindow::biolek;
    expect_rel(IonDriftModel::rate(p, {0.9}, 1.0, i9, 0).x, 1.1242603550295855, 1e-12);
    expect_rel(IonDriftModel::rate(p, {0.9}, -1.0, -i9, 0).x, -5.8579881656804735, 1e-12);
    // Joglekar locks the boundaries; Biolek releases x = 1 when the current reverses
    p.window = IonDriftWindow::joglekar;
    EXPECT_EQ(IonDriftModel::rate(p, {1.0}, -1.0, -1e-2, 0).x, 0.0);
    p.window = IonDriftWindow::biolek;
    EXPECT_LT(IonDriftModel::rate(p, {1.0}, -1.0, -1e-2, 0).x, 0.0);
    const double g = read_conductance_S<IonDriftModel>(p, {0.3}, 0.05);
    EXPECT_NEAR(IonDriftModel::state_from_read_conductance(p, g, 0.05).x, 0.3, 1e-12);
}

} // namespace
} // namespace memlif
