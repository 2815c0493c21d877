// SPDX-License-Identifier: MIT
//! \file tests/host/information/expectation_test.cpp
//! Exact expectations over the sampling distribution (information.md §7.3): the binomials and
//! multinomials are enumerated here, every outcome goes through the estimator, and the results are
//! weighted by their probabilities. No Monte Carlo.
#include "host/information/jackknife.hpp"
#include "host/information/miller_madow.hpp"
#include "host/information/panzeri_treves.hpp"
#include "host/information/plugin.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace memlif;
using memlif::test::binom_pmf;

namespace {

ConditionCounts bsc_outcome(int n, int k0, int k1) {
    test::Histogram h0, h1;
    if (n - k0 > 0) h0.push_back({0, static_cast<std::uint64_t>(n - k0)});
    if (k0 > 0) h0.push_back({1, static_cast<std::uint64_t>(k0)});
    if (k1 > 0) h1.push_back({0, static_cast<std::uint64_t>(k1)});
    if (n - k1 > 0) h1.push_back({1, static_cast<std::uint64_t>(n - k1)});
    return test::make_counts({h0, h1}, 1);
}

struct Expectations {
    double plugin = 0, mm = 0, pt = 0, jk = 0, h_r = 0;
};

Expectations expect_bsc(double eps, int n, bool with_jackknife) {
    Expectations e;
    for (int k0 = 0; k0 <= n; ++k0)
        for (int k1 = 0; k1 <= n; ++k1) {
            const double w = binom_pmf(n, k0, eps) * binom_pmf(n, k1, eps);
            const ConditionCounts c = bsc_outcome(n, k0, k1);
            const PluginMeasures pl = compute_plugin(c, {0.5, 0.5}, {1, 1});
            e.plugin += w * pl.mi;
            e.h_r += w * pl.h_r;
            e.mm += w * compute_miller_madow(c, {0.5, 0.5}, {1, 1}, pl).mi;
            e.pt += w * compute_panzeri_treves(c, {0.5, 0.5}, {1, 1}, RtotSpec{}, pl).mi; // 2^1
            if (with_jackknife) e.jk += w * compute_jackknife(c, {0.5, 0.5}).mi_jk;
        }
    return e;
}

} // namespace

TEST(ExactExpectation, BscTable) {
    struct Row {
        double eps;
        int n;
        double plugin, mm_pt, jk;
        bool has_jk;
    };
    const Row rows[] = {
        {0.1, 4, 0.678421, 0.706577, 0.662954, true},
        {0.1, 8, 0.618285, 0.612015, 0.576606, true},
        {0.1, 15, 0.578416, 0.564272, 0.544490, true},
        {0.1, 30, 0.552930, 0.541927, 0.536006, true},
        {0.1, 60, 0.541283, 0.535293, 0, false},
        {0.5, 4, 0.121803, 0.053472, -0.043909, true},
        {0.5, 8, 0.050919, 0.006538, -0.010601, true},
        {0.5, 15, 0.025408, 0.001366, -0.001744, true},
        {0.5, 30, 0.012340, 0.000318, -0.000351, true},
        {0.5, 60, 0.006088, 0.000077, 0, false},
    };
    for (const Row& r : rows) {
        const Expectations e = expect_bsc(r.eps, r.n, r.has_jk);
        EXPECT_NEAR(e.plugin, r.plugin, 1e-6) << "eps " << r.eps << " N_s " << r.n;
        EXPECT_NEAR(e.mm, r.mm_pt, 1e-6) << "eps " << r.eps << " N_s " << r.n;
        EXPECT_NEAR(e.pt, r.mm_pt, 1e-6) << "eps " << r.eps << " N_s " << r.n;
        if (r.has_jk) {
            EXPECT_NEAR(e.jk, r.jk, 1e-6) << "eps " << r.eps << " N_s " << r.n;
        }
        // First-order null bias (S-1)(R-1)/(2N ln2) for reference: plug-in at eps = 0.5 is close.
        if (r.eps == 0.5) {
            EXPECT_NEAR(e.plugin, 1.0 / (2 * 2 * r.n * std::log(2.0)), 0.04);
        }
    }
}

TEST(ExactExpectation, StratifiedOutputEntropyBias) {
    const Expectations e = expect_bsc(0.1, 15, false);
    EXPECT_NEAR(e.h_r - 1.0, -0.008713, 1e-6);
}

TEST(ExactExpectation, EntropyOnly) {
    // Bernoulli(0.5), N = 15.
    double e = 0;
    for (int k = 0; k <= 15; ++k) {
        test::Histogram h;
        if (k > 0) h.push_back({0, static_cast<std::uint64_t>(k)});
        if (k < 15) h.push_back({1, static_cast<std::uint64_t>(15 - k)});
        e += binom_pmf(15, k, 0.5) * compute_plugin(test::make_counts({h}, 1), {1.0}, {1}).h_r;
    }
    EXPECT_NEAR(e, 0.9501269562, 1e-9);
    EXPECT_NEAR(e - 1.0, -0.0498730438, 1e-9);
    // Uniform K = 4, N = 15: all compositions (a, b, c, d) of 15.
    double u = 0;
    for (int a = 0; a <= 15; ++a)
        for (int b = 0; a + b <= 15; ++b)
            for (int c = 0; a + b + c <= 15; ++c) {
                const int d = 15 - a - b - c;
                const double lp = std::lgamma(16.0) - std::lgamma(a + 1.0) - std::lgamma(b + 1.0) -
                                  std::lgamma(c + 1.0) - std::lgamma(d + 1.0) - 15 * std::log(4.0);
                test::Histogram h;
                const int n[4] = {a, b, c, d};
                for (int r = 0; r < 4; ++r)
                    if (n[r] > 0)
                        h.push_back(
                            {static_cast<std::uint64_t>(r), static_cast<std::uint64_t>(n[r])});
                u += std::exp(lp) * compute_plugin(test::make_counts({h}, 2), {1.0}, {1}).h_r;
            }
    EXPECT_NEAR(u, 1.8440316637, 1e-9);
    EXPECT_NEAR(u - 2.0, -0.1559683363, 1e-9);
}
