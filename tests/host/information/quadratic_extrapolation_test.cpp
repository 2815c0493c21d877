// SPDX-License-Identifier: MIT
//! \file tests/host/information/quadratic_extrapolation_test.cpp
//! QE against information.md §4.4, §6, §7.2 (invariance) and §7.3 (exact expectations).
#include "host/information/marginal.hpp"
#include "host/information/plugin.hpp"
#include "host/information/quadratic_extrapolation.hpp"
#include "host/information/random_stream.hpp"
#include "memlif/kernels/entropy.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <stdexcept>

using namespace memlif;
using memlif::test::binom_pmf;
using memlif::test::make_counts;

namespace {

//! BSC data: stimulus 0 answers 1 in k0 of n trials, stimulus 1 answers 0 in k1 of n trials.
ConditionCounts bsc_outcome(int n, int k0, int k1) {
    test::Histogram h0, h1;
    if (n - k0 > 0) h0.push_back({0, static_cast<std::uint64_t>(n - k0)});
    if (k0 > 0) h0.push_back({1, static_cast<std::uint64_t>(k0)});
    if (k1 > 0) h1.push_back({0, static_cast<std::uint64_t>(k1)});
    if (n - k1 > 0) h1.push_back({1, static_cast<std::uint64_t>(n - k1)});
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

namespace {

//! The QE subsamplings of information.md §4.4 with every subsample built as a table and its
//! entropies computed from it (plug-in, plus the PT terms for inner = pt): the reference for
//! compute_quadratic_extrapolation's subset evaluation. Streams and pile layout as documented in
//! quadratic_extrapolation.hpp.
QeResult qe_by_tables(const ConditionCounts& c, const std::vector<double>& p, const QeOptions& o) {
    const std::size_t ns = c.n_stimuli();
    const bool empirical = detail::is_empirical(c, p);
    const double r_tot = o.inner == InnerEstimator::pt ? response_space_size(c, o.rtot) : 0.0;
    std::vector<std::uint64_t> n_s(ns);
    std::uint32_t used = 0;
    double h_s = 0;
    for (std::size_t s = 0; s < ns; ++s) {
        n_s[s] = c.n_trials(s);
        used += n_s[s] > 0 ? 1 : 0;
        h_s += p[s] > 0 ? -p[s] * std::log2(p[s]) : 0.0;
    }
    // entropies of one table: H(R) and every H(R|s)
    const auto entropies = [&](const ConditionCounts& t, const std::vector<double>& pt, double& h_r,
                               std::vector<double>& h_rs) {
        const detail::Marginal m = detail::compute_marginal(t, pt);
        h_r = m.h_r;
        h_rs.assign(ns, 0.0);
        double n_total = 0;
        for (std::size_t s = 0; s < ns; ++s) {
            const std::uint64_t b = t.offsets[s], e = t.offsets[s + 1];
            const double n = static_cast<double>(t.n_trials(s));
            n_total += n;
            h_rs[s] = entropy_bits_from_counts(t.counts.data() + b, e - b, n);
            if (o.inner == InnerEstimator::pt && e > b)
                h_rs[s] += first_order_bias_bits(bayes_count(t.counts.data() + b, e - b, r_tot), n);
        }
        if (o.inner == InnerEstimator::pt && !m.n_r.empty())
            h_r += first_order_bias_bits(bayes_count(m.n_r, r_tot), n_total);
    };
    QeResult res;
    res.flags.ps_not_empirical = !empirical;
    std::array<double, 3> hr{}, level_mi{};
    std::array<std::vector<double>, 3> hrs;
    entropies(c, p, hr[0], hrs[0]);
    for (std::size_t s = 0; s < ns; ++s) level_mi[0] += p[s] * hrs[0][s];
    level_mi[0] = hr[0] - level_mi[0];
    for (std::size_t s = 0; s < ns; ++s) res.level_size[0] += static_cast<double>(n_s[s]);
    const std::uint32_t reps = o.partition == QePartition::shuffled ? o.replicates : 1;
    for (std::size_t lvl = 1; lvl < 3; ++lvl) {
        const std::uint64_t k = lvl == 1 ? 2 : 4;
        hrs[lvl].assign(ns, 0.0);
        std::vector<double> p_sub(ns, 0.0);
        double tot = 0;
        for (std::size_t s = 0; s < ns; ++s) tot += static_cast<double>(n_s[s] / k);
        res.level_size[lvl] = tot;
        for (std::size_t s = 0; s < ns; ++s)
            p_sub[s] = empirical ? static_cast<double>(n_s[s] / k) / tot : p[s];
        double sum_hr = 0, sum_mi = 0;
        for (std::uint32_t m = 0; m < reps; ++m) {
            std::vector<std::vector<std::uint64_t>> order(ns);
            detail::RandomStream rng(o.seed, detail::RandomPurpose::qe_partition,
                                     m * 4u + static_cast<std::uint32_t>(k));
            for (std::size_t s = 0; s < ns; ++s) {
                order[s] = detail::expand_trials(c, s);
                if (o.partition == QePartition::shuffled) detail::shuffle_in_place(order[s], rng);
            }
            for (std::uint64_t j = 0; j < k; ++j) {
                std::vector<std::vector<std::uint64_t>> sub(ns);
                for (std::size_t s = 0; s < ns; ++s)
                    for (std::uint64_t i = 0; i < n_s[s] / k; ++i)
                        sub[s].push_back(
                            order[s][o.partition == QePartition::block ? j + i * k
                                                                       : j * (n_s[s] / k) + i]);
                double h_r = 0;
                std::vector<double> h_rs;
                entropies(counts_from_trials(sub, c.n_bins), p_sub, h_r, h_rs);
                sum_hr += h_r;
                double cond = 0;
                for (std::size_t s = 0; s < ns; ++s) {
                    hrs[lvl][s] += h_rs[s];
                    cond += p_sub[s] * h_rs[s];
                }
                sum_mi += h_r - cond;
            }
        }
        const double norm = static_cast<double>(reps) * static_cast<double>(k);
        hr[lvl] = sum_hr / norm;
        level_mi[lvl] = sum_mi / norm;
        for (double& x : hrs[lvl]) x /= norm;
    }
    detail::combine_qe_levels(res, hr, level_mi, hrs, n_s, p, o.target, used, h_s);
    return res;
}

} // namespace

TEST(QuadraticExtrapolation, SubsetEvaluationEqualsEntropiesOfEachSubsampleTable) {
    const ConditionCounts c = test::random_condition(40, 13, 8, 6, 11);
    std::vector<double> fixed(c.n_stimuli(), 0.0);
    double total = 0;
    for (std::size_t s = 0; s < c.n_stimuli(); ++s)
        if (c.n_trials(s) > 0) total += fixed[s] = 1.0 + static_cast<double>(s % 4);
    for (double& x : fixed) x /= total;
    for (const std::vector<double>& p : {test::empirical(c), fixed})
        for (QePartition part : {QePartition::shuffled, QePartition::block})
            for (InnerEstimator inner : {InnerEstimator::plugin, InnerEstimator::pt})
                for (QeTarget target : {QeTarget::entropies, QeTarget::information}) {
                    QeOptions o;
                    o.partition = part;
                    o.inner = inner;
                    o.target = target;
                    o.replicates = 7;
                    o.seed = 13;
                    const QeResult want = qe_by_tables(c, p, o);
                    const QeResult got = compute_quadratic_extrapolation(c, p, o);
                    EXPECT_EQ(got.mi, want.mi);
                    EXPECT_EQ(got.h_r, want.h_r);
                    EXPECT_EQ(got.h_rs, want.h_rs);
                    for (std::size_t i = 0; i < 3; ++i) {
                        EXPECT_EQ(got.level_mi[i], want.level_mi[i]);
                        EXPECT_EQ(got.level_size[i], want.level_size[i]);
                    }
                }
}
