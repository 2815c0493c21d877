// SPDX-License-Identifier: MIT
//! \file tests/kernels/jitter_test.cpp
#include "memlif/kernels/jitter.hpp"
#include "memlif/kernels/rng.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
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

double poisson_pmf(double mu, int k) {
    return std::exp(-mu + k * std::log(mu) - std::lgamma(k + 1.0));
}

TEST(Jitter, ClippedPoissonMatchesPmfAndLumpsTheTail) {
    JitterParams j;
    ASSERT_TRUE(make_poisson_jitter_table(j, 20.0, 40, 100.0, false));
    EXPECT_EQ(j.table_size, 41u);
    const int n = 400000;
    const auto h = empirical(j, n);
    double tail = 0;
    for (int k = 40; k < 200; ++k)
        tail += poisson_pmf(20.0, k);
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
    for (int k = 0; k <= 40; ++k)
        z += poisson_pmf(30.0, k);
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

namespace memlif {
namespace {

//! The guided search returns the definition's k (a plain scan) for every draw tested: all CDF
//! entries and their neighbours, every guide bucket boundary, and many Philox draws.
void expect_index_matches_scan(const JitterParams& j) {
    std::vector<std::uint32_t> rs = {0u, 1u, 0xFFFFFFFEu, 0xFFFFFFFFu};
    for (std::uint32_t k = 0; k < j.table_size; ++k)
        for (std::uint32_t d : {0u, 1u, 2u}) {
            rs.push_back(j.cdf_u32[k] - d);
            rs.push_back(j.cdf_u32[k] + d);
        }
    for (std::uint32_t g = 0; g < 128; ++g)
        for (std::uint32_t d : {0u, 1u}) {
            rs.push_back((g << 25) - d);
            rs.push_back((g << 25) + d);
        }
    for (std::uint64_t i = 0; i < 20000; ++i)
        rs.push_back(trial_draw(5, i, 0, RngStream::jitter).z);
    for (std::uint32_t r : rs)
        ASSERT_EQ(jitter_table_index(j, r), jitter_table_index_by_scan(j, r)) << "r " << r;
}

TEST(Jitter, GuidedTableSearchEqualsTheScan) {
    for (const bool redraw : {false, true})
        for (const std::uint32_t k_max : {0u, 1u, 2u, 7u, 40u, 127u})
            for (const double mean : {0.3, 5.0, 20.0, 80.0}) {
                JitterParams j;
                ASSERT_TRUE(make_poisson_jitter_table(j, mean, k_max, 100.0, redraw));
                expect_index_matches_scan(j);
            }
}

TEST(Jitter, ScanFindsTheFirstEntryAboveTheDraw) {
    JitterParams j;
    j.law = JitterLaw::table;
    j.table_size = 4;
    j.cdf_u32[0] = 100;
    j.cdf_u32[1] = 100; // an empty k = 1
    j.cdf_u32[2] = 0x80000000u;
    j.cdf_u32[3] = 0xFFFFFFFFu;
    finish_jitter_table(j);
    EXPECT_EQ(jitter_table_index(j, 0), 0u);
    EXPECT_EQ(jitter_table_index(j, 99), 0u);
    EXPECT_EQ(jitter_table_index(j, 100), 2u);
    EXPECT_EQ(jitter_table_index(j, 0x7FFFFFFFu), 2u);
    EXPECT_EQ(jitter_table_index(j, 0x80000000u), 3u);
    EXPECT_EQ(jitter_table_index(j, 0xFFFFFFFFu), 3u); // the last entry takes the rest
    expect_index_matches_scan(j);
}

} // namespace
} // namespace memlif
