// SPDX-License-Identifier: MIT
//! \file tests/host/information/quadratic_extrapolation_test.cpp
//! QE against information.md §4.4, §6, §7.2 (invariance) and §7.3 (exact expectations).
#include "host/information/plugin.hpp"
#include "host/information/quadratic_extrapolation.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

using namespace memlif;
using memlif::test::binom_pmf;
using memlif::test::make_counts;

namespace {

//! BSC data: stimulus 0 answers 1 in k0 of n trials, stimulus 1 answers 0 in k1 of n trials.
ConditionCounts bsc_outcome(int n, int k0, int k1) {
    test::Histogram h0, h1;
    if (n - k0 > 0)
        h0.push_back({0, static_cast<std::uint64_t>(n - k0)});
    if (k0 > 0)
        h0.push_back({1, static_cast<std::uint64_t>(k0)});
    if (k1 > 0)
        h1.push_back({0, static_cast<std::uint64_t>(k1)});
    if (n - k1 > 0)
        h1.push_back({1, static_cast<std::uint64_t>(n - k1)});
    return make_counts({h0, h1}, 1);
}

//! E[plug-in I] over both binomials, enumerated exactly.
double expected_plugin_mi(double eps, int n) {
    double e = 0;
    for (int k0 = 0; k0 <= n; ++k0)
        for (int k1 = 0; k1 <= n; ++k1)
            e += binom_pmf(n, k0, eps) * binom_pmf(n, k1, eps) *
                 compute_plugin(bsc_outcome(n, k0, k1), {0.5, 0.5}, {1, 1}).mi;
    return e;
}

} // namespace

TEST(QuadraticExtrapolation, LagrangeWeights) {
    const auto w = qe_weights(15, 7, 3);
    EXPECT_NEAR(w[0], 2.34375, 1e-12);
    EXPECT_NEAR(w[1], -1.53125, 1e-12);
    EXPECT_NEAR(w[2], 0.1875, 1e-12);
    const auto v = qe_weights(16, 8, 4);
    EXPECT_NEAR(v[0], 8.0 / 3, 1e-12);
    EXPECT_NEAR(v[1], -2.0, 1e-12);
    EXPECT_NEAR(v[2], 1.0 / 3, 1e-12);
    // A quadratic in 1/n is reproduced exactly at 1/n = 0.
    auto f = [](double n) { return 1.5 + 2.0 / n - 3.0 / (n * n); };
    EXPECT_NEAR(w[0] * f(15) + w[1] * f(7) + w[2] * f(3), 1.5, 1e-12);
}

TEST(QuadraticExtrapolation, BlockInvarianceOnProportionalData) {
    std::vector<std::uint64_t> s0, s1;
    for (int i = 0; i < 4; ++i) {
        s0.insert(s0.end(), {0, 0, 0, 1});
        s1.insert(s1.end(), {1, 1, 1, 0});
    }
    const auto c = counts_from_trials({s0, s1}, 1);
    for (QeTarget target : {QeTarget::entropies, QeTarget::information}) {
        QeOptions o;
        o.partition = QePartition::block;
        o.target = target;
        const QeResult r = compute_quadratic_extrapolation(c, {0.5, 0.5}, o);
        EXPECT_NEAR(r.mi, 0.1887218755, 1e-10);
        EXPECT_NEAR(r.mi, 1 - test::h2(0.25), 1e-12);
        EXPECT_NEAR(r.h_r, 1.0, 1e-12);
    }
}

TEST(QuadraticExtrapolation, ExactExpectationTable) {
    struct Row {
        double eps, e3, e7, e15, qe15, qe16;
    };
    const Row rows[] = {
        {0.1, 0.7066309885, 0.6287392253, 0.5784155367, 0.5253977856, 0.5235794407},
        {0.5, 0.1761085007, 0.0596849942, 0.0254077479, 0.0011771057, 0.0020369914}};
    for (const Row& r : rows) {
        const double e3 = expected_plugin_mi(r.eps, 3), e7 = expected_plugin_mi(r.eps, 7),
                     e15 = expected_plugin_mi(r.eps, 15);
        EXPECT_NEAR(e3, r.e3, 1e-9);
        EXPECT_NEAR(e7, r.e7, 1e-9);
        EXPECT_NEAR(e15, r.e15, 1e-9);
        // A random half/quarter of BSC data is BSC data of that size, so E[I_QE] is the fixed
        // weight combination; the weights come from the estimator's own rule.
        const auto w = qe_weights(30, 14, 6); // totN_k over the two stimuli
        EXPECT_NEAR(w[0] * e15 + w[1] * e7 + w[2] * e3, r.qe15, 1e-9);
        const auto v = qe_weights(32, 16, 8);
        const double qe16 = v[0] * expected_plugin_mi(r.eps, 16) +
                            v[1] * expected_plugin_mi(r.eps, 8) +
                            v[2] * expected_plugin_mi(r.eps, 4);
        EXPECT_NEAR(qe16, r.qe16, 1e-9);
    }
}

TEST(QuadraticExtrapolation, ShuffledEstimatorMatchesExactExpectation) {
    // Seeded Monte Carlo over partitions, exact over data: sum_k P(k) * QE_M(k). Each outcome
    // gets its own seed so the partition noise averages out across outcomes; over 6 seed bases
    // the spread of this sum was about 1e-3 (M = 200), so 4e-3 is a ~3-4 SD tolerance.
    for (QeTarget target : {QeTarget::entropies, QeTarget::information}) {
        QeOptions o;
        o.partition = QePartition::shuffled;
        o.target = target;
        o.replicates = 200;
        double e = 0;
        for (int k0 = 0; k0 <= 15; ++k0)
            for (int k1 = 0; k1 <= 15; ++k1) {
                o.seed = static_cast<std::uint64_t>(5000 + k0 * 16 + k1);
                const QeResult r =
                    compute_quadratic_extrapolation(bsc_outcome(15, k0, k1), {0.5, 0.5}, o);
                ASSERT_NEAR(r.weights[0], 2.34375, 1e-12);
                e += binom_pmf(15, k0, 0.1) * binom_pmf(15, k1, 0.1) * r.mi;
            }
        EXPECT_NEAR(e, 0.5253977856, 4e-3);
    }
}

TEST(QuadraticExtrapolation, SeededAndDeterministic) {
    const auto c = counts_from_trials({{0, 1, 2, 3, 0, 0, 1, 5, 6}, {1, 1, 1, 2, 3, 7, 7, 7}}, 3);
    QeOptions o;
    o.seed = 7;
    const QeResult a = compute_quadratic_extrapolation(c, test::empirical(c), o);
    const QeResult b = compute_quadratic_extrapolation(c, test::empirical(c), o);
    EXPECT_EQ(a.mi, b.mi);
    o.seed = 8;
    const QeResult d = compute_quadratic_extrapolation(c, test::empirical(c), o);
    EXPECT_NE(a.mi, d.mi);
    o.partition = QePartition::block;
    EXPECT_EQ(compute_quadratic_extrapolation(c, test::empirical(c), o).mi,
              compute_quadratic_extrapolation(c, test::empirical(c), o).mi);
}

TEST(QuadraticExtrapolation, SmallSampleRefusedOrFlagged) {
    const auto c = counts_from_trials({{0, 1, 1}, {1, 1, 0, 0, 1}}, 1);
    EXPECT_THROW(compute_quadratic_extrapolation(c, test::empirical(c)), std::domain_error);
    QeOptions o;
    o.small_sample = SmallSamplePolicy::fallback;
    const QeResult r = compute_quadratic_extrapolation(c, test::empirical(c), o);
    EXPECT_TRUE(r.flags.qe_fallback);
    EXPECT_NEAR(r.mi, compute_plugin(c, test::empirical(c), {1, 1}).mi, 1e-15);
}

TEST(QuadraticExtrapolation, SingleResponseOverallGivesZero) {
    const auto c = counts_from_trials({{3, 3, 3, 3, 3}, {3, 3, 3, 3, 3, 3, 3}}, 2);
    for (QePartition part : {QePartition::block, QePartition::shuffled})
        for (QeTarget target : {QeTarget::entropies, QeTarget::information})
            for (InnerEstimator inner : {InnerEstimator::plugin, InnerEstimator::pt}) {
                QeOptions o;
                o.partition = part;
                o.target = target;
                o.inner = inner;
                EXPECT_NEAR(compute_quadratic_extrapolation(c, test::empirical(c), o).mi, 0.0,
                            1e-15);
            }
}

TEST(QuadraticExtrapolation, UnequalTrialCountsUseFloorSizes) {
    const auto c = counts_from_trials({{0, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 1},
                                       {1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1}},
                                      1);
    QeOptions o;
    o.partition = QePartition::block;
    const QeResult r = compute_quadratic_extrapolation(c, test::empirical(c), o);
    EXPECT_EQ(r.level_size[0], 33.0);
    EXPECT_EQ(r.level_size[1], 7.0 + 9.0);
    EXPECT_EQ(r.level_size[2], 3.0 + 4.0);
    EXPECT_TRUE(std::isfinite(r.mi));
}
