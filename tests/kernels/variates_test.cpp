// SPDX-License-Identifier: MIT
//! \file tests/kernels/variates_test.cpp
//! Moments of the random variates against their laws (tolerances: 5 standard errors).
#include "memlif/kernels/rng.hpp"
#include "memlif/kernels/variates.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace memlif {
namespace {

Philox4x32 draw(std::uint32_t k) { return trial_draw(12345, 99, k, RngStream::device_switching); }

TEST(Variates, NormalPairHasUnitMomentsAndNoCorrelation) {
    const int n = 100000;
    double s0 = 0, s1 = 0, q0 = 0, q1 = 0, c = 0;
    for (int k = 0; k < n; ++k) {
        const Philox4x32 r = draw(static_cast<std::uint32_t>(k));
        const NormalPair z = normal_pair(r.x, r.y);
        s0 += z.z0;
        s1 += z.z1;
        q0 += z.z0 * z.z0;
        q1 += z.z1 * z.z1;
        c += z.z0 * z.z1;
    }
    const double se = 1.0 / std::sqrt(n);
    EXPECT_NEAR(s0 / n, 0.0, 5 * se);
    EXPECT_NEAR(s1 / n, 0.0, 5 * se);
    EXPECT_NEAR(q0 / n, 1.0, 5 * std::sqrt(2.0) * se);
    EXPECT_NEAR(q1 / n, 1.0, 5 * std::sqrt(2.0) * se);
    EXPECT_NEAR(c / n, 0.0, 5 * se);
}

TEST(Variates, BinomialEdgeCases) {
    EXPECT_EQ(binomial_variate(0, 0.3, 1, 0.5), 0u);
    EXPECT_EQ(binomial_variate(50, 0.0, 1, 0.5), 0u);
    EXPECT_EQ(binomial_variate(50, 1.0, 1, 0.5), 50u);
    // the largest word maps to u just below 1: the top of the support
    EXPECT_EQ(binomial_variate(3, 0.5, 0xFFFFFFFFu, 0.0), 3u);
    EXPECT_EQ(binomial_variate(3, 0.5, 0u, 0.0), 0u);
}

void check_binomial(std::uint32_t n, double p) {
    const int m = 40000;
    double s = 0, q = 0;
    for (int k = 0; k < m; ++k) {
        const Philox4x32 r = draw(static_cast<std::uint32_t>(k));
        const double v = binomial_variate(n, p, r.x, normal_pair(r.y, r.z).z0);
        ASSERT_LE(v, static_cast<double>(n));
        s += v;
        q += v * v;
    }
    const double mean = n * p, var = n * p * (1 - p);
    EXPECT_NEAR(s / m, mean, 5 * std::sqrt(var / m)) << "n " << n << " p " << p;
    const double v_hat = q / m - (s / m) * (s / m);
    EXPECT_NEAR(v_hat, var, 5 * var * std::sqrt(2.0 / m) + 0.02) << "n " << n << " p " << p;
}

TEST(Variates, BinomialMeanAndVarianceInBothRegimes) {
    check_binomial(20, 0.3);     // inversion
    check_binomial(1000, 0.004); // inversion, small p
    check_binomial(1000, 0.97);  // symmetry + inversion
    check_binomial(100000, 0.3); // normal approximation
}

TEST(Variates, TwoNormalApproximationCountsOfOneBlockAreIndependent) {
    // review finding: the GMMS ON and OFF counts of one step took normal_pair(z, w).z0 and
    // normal_pair(w, z).z0, whose squares correlate (E[X^2 Y^2] = 1.25, joint tails 5x too
    // often). As GmmsModel::stochastic_step now draws them: z0 and z1 of one pair.
    const std::uint32_t n = 100000;
    const double p = 0.3, mean = n * p, var = n * p * (1 - p);
    const int m = 40000;
    double xy2 = 0, tails = 0;
    for (int k = 0; k < m; ++k) {
        const Philox4x32 r = draw(static_cast<std::uint32_t>(k));
        const NormalPair z = normal_pair(r.z, r.w);
        const double x = (binomial_variate(n, p, r.x, z.z0) - mean) / std::sqrt(var);
        const double y = (binomial_variate(n, p, r.y, z.z1) - mean) / std::sqrt(var);
        xy2 += x * x * y * y;
        tails += (std::fabs(x) > 2 && std::fabs(y) > 2) ? 1 : 0;
    }
    // independent: E[X^2 Y^2] = 1 with standard error sqrt(8 / m) = 0.014
    EXPECT_NEAR(xy2 / m, 1.0, 0.08);
    // independent: P = 0.0455^2 = 0.0021 (the shared-words pairs gave 0.0107)
    EXPECT_LT(tails / m, 0.005);
}

TEST(Variates, StableWithAlphaTwoIsNormalOfVarianceTwoSigmaSquared) {
    // S(2, beta, sigma, mu) = Normal(mu, 2 sigma^2) (Samorodnitsky & Taqqu 1994, Prop. 1.2.1
    // region)
    const int m = 100000;
    double s = 0, q = 0;
    for (int k = 0; k < m; ++k) {
        const Philox4x32 r = draw(static_cast<std::uint32_t>(k));
        const double v = stable_variate(2.0, 0.0, 0.5, 1.0, r.x, r.y);
        s += v;
        q += v * v;
    }
    const double mean = s / m, var = q / m - mean * mean;
    EXPECT_NEAR(mean, 1.0, 5 * std::sqrt(0.5 / m));
    EXPECT_NEAR(var, 0.5, 5 * 0.5 * std::sqrt(2.0 / m));
}

TEST(Variates, SymmetricStableHasMedianMu) {
    std::vector<double> v(20001);
    for (std::size_t k = 0; k < v.size(); ++k) {
        const Philox4x32 r = draw(static_cast<std::uint32_t>(k));
        v[k] = stable_variate(1.5, 0.0, 0.013, -0.082, r.x, r.y);
    }
    std::nth_element(v.begin(), v.begin() + 10000, v.end());
    EXPECT_NEAR(v[10000], -0.082, 0.0015);
}

} // namespace
} // namespace memlif
