// SPDX-License-Identifier: MIT
//! \file tests/host/information/plugin_test.cpp
//! Plug-in measures against information.md §7.1 (analytic channels) and §7.2 (count vectors).
#include "host/information/plugin.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

using namespace memlif;
using memlif::test::h2;
using memlif::test::make_counts;

namespace {

//! BSC with uniform input and flip probability a/(a+b), as exactly proportional counts.
ConditionCounts bsc(std::uint64_t keep, std::uint64_t flip) {
    if (flip == 0) return make_counts({{{0, keep}}, {{1, keep}}}, 1);
    if (keep == 0) return make_counts({{{1, flip}}, {{0, flip}}}, 1);
    return make_counts({{{0, keep}, {1, flip}}, {{0, flip}, {1, keep}}}, 1);
}

} // namespace

TEST(Plugin, BinarySymmetricChannelTable) {
    struct Case {
        std::uint64_t keep, flip;
        double eps, table;
    };
    const Case cases[] = {
        {1, 0, 0.0, 1.0},          {99, 1, 0.01, 0.9192068641},  {19, 1, 0.05, 0.7136030429},
        {9, 1, 0.1, 0.5310044064}, {89, 11, 0.11, 0.5000840418}, {3, 1, 0.25, 0.1887218755},
        {1, 1, 0.5, 0.0}};
    for (const Case& c : cases) {
        const PluginMeasures r = compute_plugin(bsc(c.keep, c.flip), {0.5, 0.5}, {1, 1});
        const double exact = 1.0 - h2(c.eps);
        EXPECT_NEAR(r.mi, exact, 1e-12) << "eps " << c.eps;
        EXPECT_NEAR(r.mi, c.table, 1e-10) << "eps " << c.eps;
        EXPECT_NEAR(r.sss[0], exact, 1e-12);
        EXPECT_NEAR(r.sss[1], exact, 1e-12);
        EXPECT_NEAR(r.h_r, 1.0, 1e-12);
        EXPECT_NEAR(r.h_rs, h2(c.eps), 1e-12);
    }
}

TEST(Plugin, ZChannelTable) {
    struct Case {
        double pi;
        std::uint64_t n0, n1; // stimulus 1 -> response 0 (n0 times), 1 (n1 times)
        double q, table;
    };
    const Case cases[] = {{0.5, 1, 1, 0.5, 0.3112781245},
                          {0.4, 1, 1, 0.5, 0.3219280949},
                          {0.5, 1, 9, 0.1, 0.7582766572},
                          {0.5, 1, 3, 0.25, 0.5487949407}};
    for (const Case& c : cases) {
        const ConditionCounts counts = make_counts({{{0, 5}}, {{0, c.n0}, {1, c.n1}}}, 1);
        const PluginMeasures r = compute_plugin(counts, {1 - c.pi, c.pi}, {1, 1});
        const double exact = h2(c.pi * (1 - c.q)) - c.pi * h2(c.q);
        EXPECT_NEAR(r.mi, exact, 1e-12);
        EXPECT_NEAR(r.mi, c.table, 1e-10);
        EXPECT_NEAR((1 - c.pi) * r.sss[0] + c.pi * r.sss[1], r.mi, 1e-12);
    }
}

TEST(Plugin, ZChannelCapacity) {
    struct Case {
        std::uint64_t n0, n1;
        double q, c_table, pi_table;
    };
    const Case cases[] = {{1, 1, 0.5, 0.3219280949, 0.4},
                          {1, 9, 0.1, 0.7628482520, 0.4562981236},
                          {1, 3, 0.25, 0.5582386267, 0.4278255968}};
    for (const Case& c : cases) {
        const double pi_star = 1.0 / ((1 - c.q) * (1 + std::pow(2.0, h2(c.q) / (1 - c.q))));
        EXPECT_NEAR(pi_star, c.pi_table, 1e-10);
        const ConditionCounts counts = make_counts({{{0, 2}}, {{0, c.n0}, {1, c.n1}}}, 1);
        const PluginMeasures r = compute_plugin(counts, {1 - pi_star, pi_star}, {1, 1});
        const double cap = std::log2(1 + (1 - c.q) * std::pow(c.q, c.q / (1 - c.q)));
        EXPECT_NEAR(r.mi, cap, 1e-12);
        EXPECT_NEAR(r.mi, c.c_table, 1e-10);
    }
}

TEST(Plugin, SpecificSurpriseSpecificInformationAndSpS) {
    // Z-channel pi = q = 0.5; stimulus 0 is silent (n_spk = 0).
    const ConditionCounts counts = make_counts({{{0, 4}}, {{0, 2}, {1, 2}}}, 1);
    const PluginMeasures r = compute_plugin(counts, {0.5, 0.5}, {0, 1});
    EXPECT_NEAR(r.sss[0], std::log2(4.0 / 3.0), 1e-12);
    EXPECT_NEAR(r.sss[0], 0.4150374993, 1e-10);
    EXPECT_NEAR(r.sss[1], 0.5 * std::log2(0.5 / 0.75) + 0.5 * std::log2(0.5 / 0.25), 1e-12);
    EXPECT_NEAR(r.sss[1], 0.2075187496, 1e-10);
    EXPECT_NEAR(0.5 * r.sss[0] + 0.5 * r.sss[1], 0.3112781245, 1e-10);
    EXPECT_NEAR(r.h_r, 0.8112781245, 1e-10);
    EXPECT_NEAR(r.h_r, h2(0.25), 1e-12);
    EXPECT_NEAR(r.i2[0], 0.8112781245, 1e-10);
    EXPECT_NEAR(r.i2[1], -0.1887218755, 1e-10);
    EXPECT_NEAR(0.5 * r.i2[0] + 0.5 * r.i2[1], r.mi, 1e-12);
    EXPECT_TRUE(std::isnan(r.sps[0]));
    EXPECT_NEAR(r.sps[1], 0.2075187496, 1e-10);
    EXPECT_TRUE(r.sps_undefined);
    EXPECT_EQ(r.rank[0], 0u);
    EXPECT_EQ(r.rank[1], 1u);
}

TEST(Plugin, KarySymmetricChannels) {
    auto kary = [](std::uint64_t k, std::uint64_t correct, std::uint64_t other) {
        std::vector<test::Histogram> h(k);
        for (std::uint64_t s = 0; s < k; ++s)
            for (std::uint64_t r = 0; r < k; ++r)
                if (r == s ? correct > 0 : other > 0) h[s].push_back({r, r == s ? correct : other});
        return make_counts(h, 4);
    };
    auto exact = [](double k, double eps) {
        return std::log2(k) - h2(eps) - eps * std::log2(k - 1);
    };
    {
        const PluginMeasures r =
            compute_plugin(kary(4, 27, 1), test::uniform_p(4), test::spikes(4));
        EXPECT_NEAR(r.mi, exact(4, 0.1), 1e-12);
        EXPECT_NEAR(r.mi, 1.3725081563, 1e-10);
    }
    {
        const PluginMeasures r =
            compute_plugin(kary(16, 60, 1), test::uniform_p(16), test::spikes(16));
        EXPECT_NEAR(r.mi, exact(16, 0.2), 1e-12);
        EXPECT_NEAR(r.mi, 2.4966937860, 1e-10);
    }
    {
        const PluginMeasures r =
            compute_plugin(kary(10, 11, 1), test::uniform_p(10), test::spikes(10));
        EXPECT_NEAR(r.h_r, 3.3219280949, 1e-10);
        EXPECT_NEAR(r.h_rs, 2.4192407046, 1e-10);
        EXPECT_NEAR(r.mi, 0.9026873903, 1e-10);
        EXPECT_NEAR(r.mi, exact(10, 0.45), 1e-12);
    }
    {
        const PluginMeasures r =
            compute_plugin(kary(16, 3, 0), test::uniform_p(16), test::spikes(16));
        EXPECT_NEAR(r.mi, 4.0, 1e-12);
        EXPECT_EQ(r.distinct_total, 16u);
    }
}

TEST(Plugin, DeterministicLayouts) {
    {
        const auto c = counts_from_trials({{0, 0, 0, 1}, {1, 1, 1, 0}}, 1);
        const PluginMeasures r = compute_plugin(c, {0.5, 0.5}, {1, 1});
        EXPECT_NEAR(r.h_r, 1.0, 1e-12);
        EXPECT_NEAR(r.h_rs, 0.8112781245, 1e-10);
        EXPECT_NEAR(r.mi, 0.1887218755, 1e-10);
    }
    {
        const auto c = counts_from_trials({{0, 0, 0, 0}, {0, 0, 1, 1}}, 1);
        const PluginMeasures r = compute_plugin(c, {0.5, 0.5}, {1, 1});
        EXPECT_NEAR(r.h_r, 0.8112781245, 1e-10);
        EXPECT_NEAR(r.h_rs, 0.5, 1e-12);
        EXPECT_NEAR(r.mi, 0.3112781245, 1e-10);
    }
    {
        const auto c = counts_from_trials({{0, 0}, {1, 1}, {2, 2}, {3, 3}}, 2);
        const PluginMeasures r = compute_plugin(c, test::uniform_p(4), test::spikes(4));
        EXPECT_NEAR(r.h_r, 2.0, 1e-12);
        EXPECT_NEAR(r.h_rs, 0.0, 1e-12);
        EXPECT_NEAR(r.mi, 2.0, 1e-12);
    }
}

namespace {

//! inform-style series: first half X (stimulus), second half Y (response); empirical p(s).
double inform_mi(const std::vector<std::uint64_t>& series, std::size_t n_x) {
    const std::size_t n = series.size() / 2;
    std::vector<std::vector<std::uint64_t>> trials(n_x);
    for (std::size_t i = 0; i < n; ++i) trials[series[i]].push_back(series[n + i]);
    const ConditionCounts c = counts_from_trials(trials, 2);
    return compute_plugin(c, test::empirical(c), test::spikes(n_x)).mi;
}

} // namespace

TEST(Plugin, InformVectors) {
    EXPECT_NEAR(inform_mi({0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}, 2), 1.000000, 1e-6);
    EXPECT_NEAR(inform_mi({0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1}, 2), 0.991076,
                1e-6);
    EXPECT_NEAR(inform_mi({1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0, 1, 1}, 2), 0.072780,
                1e-6);
    EXPECT_NEAR(
        inform_mi({0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}, 2),
        0.666667, 1e-6);
    EXPECT_NEAR(inform_mi({0, 0, 1, 1, 2, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0}, 3), 0.473851,
                1e-6);
    EXPECT_NEAR(inform_mi({0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0}, 2), 0.251629,
                1e-6);
    EXPECT_NEAR(inform_mi({1, 0, 0, 1, 0, 0, 1, 0, 2, 0, 1, 2, 0, 1, 2, 0}, 2), 0.954434, 1e-6);
}

TEST(Plugin, PyentropyToy1) {
    // Base-3 digits packed two bits each so the words stay distinct labels.
    auto w = [](std::uint64_t a, std::uint64_t b, std::uint64_t c) { return a | b << 2 | c << 4; };
    const auto c = counts_from_trials(
        {{w(0, 1, 1), w(1, 1, 2), w(1, 1, 1)}, {w(0, 1, 1), w(0, 2, 1), w(0, 0, 0)}}, 6);
    const PluginMeasures r = compute_plugin(c, {0.5, 0.5}, {1, 1});
    EXPECT_NEAR(r.h_r, 2.2516291673878226, 1e-12);
    EXPECT_NEAR(r.h_rs, 1.5849625007211561, 1e-12);
    EXPECT_NEAR(r.mi, 0.6666666667, 1e-10);
}

TEST(Plugin, SingleResponseOverallGivesZero) {
    const auto c = counts_from_trials({{5, 5, 5}, {5, 5}, {5}}, 3);
    const PluginMeasures r = compute_plugin(c, test::empirical(c), {1, 2, 3});
    EXPECT_EQ(r.mi, 0.0);
    EXPECT_EQ(r.h_r, 0.0);
    for (double v : r.sss) EXPECT_NEAR(v, 0.0, 1e-15);
}

TEST(Plugin, EmptyStimulusExcludedAndCounted) {
    const auto c = counts_from_trials({{0, 1}, {}, {1, 1}}, 1);
    const PluginMeasures r = compute_plugin(c, {0.5, 0.0, 0.5}, {1, 1, 2});
    EXPECT_EQ(r.n_stimuli_used, 2u);
    EXPECT_EQ(r.n_stimuli_empty, 1u);
    EXPECT_EQ(r.n_trials, 4u);
    EXPECT_TRUE(std::isnan(r.sss[1]));
    EXPECT_TRUE(std::isnan(r.sps[1]));
    EXPECT_EQ(r.rank[1], 0u);
    EXPECT_NEAR(r.mi, h2(0.25) - 0.5, 1e-12);
    // H(R) from p(1) = 0.5*0.5 + 0.5*1 = 0.75.
    EXPECT_NEAR(r.h_r, h2(0.25), 1e-12);
    EXPECT_NEAR(r.h_rs, 0.5, 1e-12);
    EXPECT_THROW(compute_plugin(c, {0.4, 0.2, 0.4}, {1, 1, 1}), std::invalid_argument);
}

TEST(Plugin, CountsDiagnosticsAndRanking) {
    // Three stimuli: s0 and s2 deterministic and distinct from each other, s1 mixed.
    const auto c = counts_from_trials({{0, 0, 0, 0}, {0, 1, 2, 3}, {3, 3, 3, 3}}, 2);
    const PluginMeasures r = compute_plugin(c, test::empirical(c), {2, 1, 1});
    EXPECT_EQ(r.n_trials, 12u);
    EXPECT_EQ(r.distinct_s, (std::vector<std::uint32_t>{1, 4, 1}));
    EXPECT_EQ(r.distinct_total, 4u);
    // p(r) = (5, 1, 1, 5)/12; SSS(0) = log2(12/5) = SSS(2); SpS(0) = SSS/2 < SpS(2).
    EXPECT_NEAR(r.sss[0], std::log2(12.0 / 5.0), 1e-12);
    EXPECT_NEAR(r.sss[2], std::log2(12.0 / 5.0), 1e-12);
    EXPECT_EQ(r.rank, (std::vector<std::uint32_t>{2, 3, 1}));
    // Tie broken by stimulus index.
    const PluginMeasures t = compute_plugin(c, test::empirical(c), {1, 1, 1});
    EXPECT_EQ(t.rank[0], 1u);
    EXPECT_EQ(t.rank[2], 2u);
    EXPECT_FALSE(t.sps_undefined);
}

TEST(Plugin, SixtyFourBitWords) {
    const std::uint64_t hi = 1ull << 63;
    const auto c = counts_from_trials({{hi, hi, 0}, {0, 0, hi | 1}}, 64);
    const PluginMeasures r = compute_plugin(c, {0.5, 0.5}, {1, 1});
    EXPECT_EQ(r.distinct_total, 3u);
    // p(r) = (1/2, 1/3, 1/6) for words 0, hi, hi|1.
    const double hr = -(0.5 * std::log2(0.5) + std::log2(1.0 / 3) / 3 + std::log2(1.0 / 6) / 6);
    EXPECT_NEAR(r.h_r, hr, 1e-12);
}

TEST(Plugin, RejectsBadInputs) {
    const auto c = counts_from_trials({{0, 1}, {1, 1}}, 1);
    EXPECT_THROW(compute_plugin(c, {1.0}, {1, 1}), std::invalid_argument);
    EXPECT_THROW(compute_plugin(c, {0.5, 0.5}, {1}), std::invalid_argument);
    EXPECT_THROW(compute_plugin(c, {0.7, 0.7}, {1, 1}), std::invalid_argument);
    EXPECT_THROW(compute_plugin(c, {-0.5, 1.5}, {1, 1}), std::invalid_argument);
    ConditionCounts bad = c;
    bad.n_bins = 65;
    EXPECT_THROW(compute_plugin(bad, {0.5, 0.5}, {1, 1}), std::invalid_argument);
}
