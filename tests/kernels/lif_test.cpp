// SPDX-License-Identifier: MIT
//! \file tests/kernels/lif_test.cpp
//! The fixed-step update is exact for a held current: compare with the analytic LIF solution.
#include "memlif/kernels/lif.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>

namespace memlif {
namespace {

constexpr double k_tau = 20e-3, k_dt = 10e-6;

TEST(Lif, ChargingMatchesAnalyticSolution) {
    const double w = 0.7647; // below threshold: never fires
    const double decay = step_decay(k_dt, k_tau);
    const double a = step_increment(w, decay);
    LifState s;
    for (std::uint32_t k = 0; k < 1000; ++k) { // 10 ms spike
        ASSERT_FALSE(lif_step(s, a, decay, k + 1, 1000));
        if ((k + 1) % 100 == 0) {
            const double t = (k + 1) * k_dt;
            EXPECT_NEAR(s.u, w * (1 - std::exp(-t / k_tau)), 2e-5) << "t = " << t;
        }
    }
    // model.md §2.3: single-spike peak V_pk/V_th = w (1 - exp(-T_spk/tau)) = 0.3009 for w = 0.7647
    EXPECT_NEAR(s.u, 0.3009, 1e-4);
    const double peak = s.u;
    for (std::uint32_t k = 1000; k < 3000; ++k)
        lif_step(s, 0.0, decay, k + 1, 1000);
    EXPECT_NEAR(s.u, peak * std::exp(-20e-3 / k_tau), 2e-5); // pure leak after the spike
}

TEST(Lif, ThresholdCrossingTimeAndReset) {
    const double w = 4.0; // G = 13.6 uS in the default set
    const double decay = step_decay(k_dt, k_tau);
    const double a = step_increment(w, decay);
    const std::uint32_t delay = 1000; // 10 ms
    LifState s;
    std::uint32_t first = 0, second = 0;
    for (std::uint32_t k = 0; k < 6000 && second == 0; ++k) {
        if (lif_step(s, a, decay, k + 1, delay))
            (first == 0 ? first : second) = k + 1;
        if (first != 0 && k + 1 < first + delay) {
            EXPECT_FALSE(s.armed); // disarmed until the reset
        }
        if (first != 0 && k + 1 == first + delay) {
            EXPECT_EQ(s.u, 0.0);
            EXPECT_TRUE(s.armed);
        }
    }
    // analytic crossing: t_c = tau ln(w / (w - 1)) = 5.7536 ms, detected at the end of its step
    const double t_c = k_tau * std::log(w / (w - 1));
    EXPECT_EQ(first, static_cast<std::uint32_t>(std::ceil(t_c / k_dt)));
    // after the reset at first + delay the input is still on, so the same charging curve repeats
    EXPECT_EQ(second, first + delay + first);
}

TEST(Lif, ZeroDelayResetsInTheSameStep) {
    const double decay = step_decay(k_dt, k_tau);
    LifState s;
    s.u = 0.999;
    EXPECT_TRUE(lif_step(s, 0.01, decay, 1, 0));
    EXPECT_EQ(s.u, 0.0);
    EXPECT_TRUE(s.armed);
}

TEST(Lif, NormalisedWeightOfTheDefaultSet) {
    // model.md §2.3: w = G V_int tau / (C V_th) = 0.7647, 1.8235, 4.0 at 2.6, 6.2, 13.6 uS
    EXPECT_NEAR(normalised_weight(2.6e-6 * 0.1, 20e-3, 13.6e-9, 0.5), 0.7647, 1e-4);
    EXPECT_NEAR(normalised_weight(6.2e-6 * 0.1, 20e-3, 13.6e-9, 0.5), 1.8235, 1e-4);
    EXPECT_NEAR(normalised_weight(13.6e-6 * 0.1, 20e-3, 13.6e-9, 0.5), 4.0, 1e-12);
}

} // namespace
} // namespace memlif

namespace memlif {
namespace {

//! Float32 drift of the fixed step (issue 9): u at the end of a held input against the closed
//! form w (1 - e^{-t/tau}) of model.md §2.2. With the state in float the error was 4e-5 (dt = 10
//! us) and 1.5e-4 (dt = 1 us) after a 10 ms pulse and up to 5.5e-4 after 200 ms; in double it is
//! the rounding of the multiply-add chain, below 1e-11 here.
TEST(Lif, HeldInputFollowsTheClosedFormWithoutDrift) {
    for (const double dt : {10e-6, 1e-6}) {
        const double decay = step_decay(dt, k_tau);
        for (const double w : {0.7801, 0.5}) {
            const double a = step_increment(w, decay);
            LifState s;
            std::uint32_t k = 0;
            for (const double t_end : {10e-3, 200e-3}) {
                const auto n = static_cast<std::uint32_t>(std::llround(t_end / dt));
                for (; k < n; ++k)
                    ASSERT_FALSE(lif_step(s, a, decay, k + 1, 1000));
                const double exact = w * (1.0 - std::exp(-t_end / k_tau));
                EXPECT_LT(std::fabs(s.u - exact) / exact, 1e-11)
                    << "dt " << dt << " w " << w << " t " << t_end;
            }
        }
    }
}

} // namespace
} // namespace memlif
