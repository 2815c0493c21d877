// SPDX-License-Identifier: MIT
//! \file tests/kernels/jitter_test.cpp
#include "memlif/kernels/jitter.hpp"
#include "memlif/kernels/rng.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace memlif {
namespace {

TEST(Jitter, NoneIsZero) {
    JitterParams j;
    EXPECT_EQ(jitter_onset_steps(j, 0xFFFFFFFFu), 0u);
}

TEST(Jitter, UniformCoversEveryStepEvenly) {
    JitterParams j;
    j.law = JitterLaw::uniform;
    j.max_steps = 3;
    EXPECT_EQ(jitter_onset_steps(j, 0), 0u);
    EXPECT_EQ(jitter_onset_steps(j, 0x3FFFFFFFu), 0u);
    EXPECT_EQ(jitter_onset_steps(j, 0x40000000u), 1u);
    EXPECT_EQ(jitter_onset_steps(j, 0xFFFFFFFFu), 3u);
}

//! Empirical law of k over many Philox draws against the analytic Poisson pmf.
std::vector<double> empirical(const JitterParams& j, int n) {
    std::vector<double> h(j.table_size, 0.0);
    for (int i = 0; i < n; ++i) {
        const auto r = trial_draw(9, static_cast<std::uint64_t>(i), 0, RngStream::jitter);
        const std::uint32_t steps = jitter_onset_steps(j, r.x);
        h[steps / 100] += 1.0 / n; // unit = 100 steps
    }
    return h;
}

double poisson_pmf(double mu, int k) { return std::exp(-mu + k * std::log(mu) - std::lgamma(k + 1.0)); }

TEST(Jitter, ClippedPoissonMatchesPmfAndLumpsTheTail) {
    JitterParams j;
    ASSERT_TRUE(make_poisson_jitter_table(j, 20.0, 40, 100.0, false));
    EXPECT_EQ(j.table_size, 41u);
    const int n = 400000;
    const auto h = empirical(j, n);
    double tail = 0;
    for (int k = 40; k < 200; ++k) tail += poisson_pmf(20.0, k);
    for (int k = 0; k < 40; ++k) {
        const double p = poisson_pmf(20.0, k);
        EXPECT_NEAR(h[k], p, 5 * std::sqrt(p * (1 - p) / n) + 1e-6) << "k = " << k;
    }
    EXPECT_NEAR(h[40], tail, 5 * std::sqrt(tail / n) + 1e-6);
}

TEST(Jitter, RedrawnPoissonIsConditionedOnTheWindow) {
    JitterParams j;
    ASSERT_TRUE(make_poisson_jitter_table(j, 30.0, 40, 100.0, true));
    double z = 0;
    for (int k = 0; k <= 40; ++k) z += poisson_pmf(30.0, k);
    const int n = 400000;
    const auto h = empirical(j, n);
    for (int k = 20; k <= 40; k += 5) {
        const double p = poisson_pmf(30.0, k) / z;
        EXPECT_NEAR(h[k], p, 5 * std::sqrt(p * (1 - p) / n) + 1e-6) << "k = " << k;
    }
}

TEST(Jitter, UnitIsFixedPointRounded) {
    JitterParams j;
    ASSERT_TRUE(make_poisson_jitter_table(j, 1.0, 3, 2.5, false)); // unit = 2.5 steps
    // k = 3 (r at the top): onset = round(7.5) = 8 with the half-up fixed-point rounding
    EXPECT_EQ(jitter_onset_steps(j, 0xFFFFFFFFu), 8u);
    EXPECT_EQ(jitter_onset_steps(j, 0), 0u);
}

TEST(Jitter, TableTooLargeIsRefused) {
    JitterParams j;
    EXPECT_FALSE(make_poisson_jitter_table(j, 20.0, k_max_jitter_table, 1.0, false));
}

} // namespace
} // namespace memlif
