// SPDX-License-Identifier: MIT
//! \file tests/host/information/resampling_test.cpp
//! Jackknife (§4.7, §7.2), stratified bootstrap (§4.7) and permutation null (§4.6).
#include "host/information/bootstrap.hpp"
#include "host/information/estimators.hpp"
#include "host/information/jackknife.hpp"
#include "host/information/marginal.hpp"
#include "host/information/permutation_null.hpp"
#include "host/information/plugin.hpp"
#include "host/information/random_stream.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <stdexcept>

using namespace memlif;

namespace {

//! Brute-force delete-one: remove one trial of cell k and recompute the plug-in MI.
double mi_without(const ConditionCounts& c, std::size_t s, std::uint64_t k,
                  const std::vector<double>& p, bool empirical) {
    std::vector<std::vector<std::uint64_t>> trials(c.n_stimuli());
    for (std::size_t t = 0; t < c.n_stimuli(); ++t)
        for (std::uint64_t j = c.offsets[t]; j < c.offsets[t + 1]; ++j)
            trials[t].insert(trials[t].end(), c.counts[j] - (j == k ? 1 : 0), c.words[j]);
    const ConditionCounts d = counts_from_trials(trials, c.n_bins);
    std::vector<double> q = p;
    if (empirical) {
        q = test::empirical(d);
    } else if (d.n_trials(s) == 0) {
        const double rest = 1 - q[s];
        q[s] = 0;
        for (double& x : q) x /= rest;
    }
    return compute_plugin(d, q, std::vector<std::uint32_t>(c.n_stimuli(), 1)).mi;
}

void check_against_brute_force(const ConditionCounts& c, const std::vector<double>& p,
                               bool empirical) {
    double n = 0, sum = 0, sum_sq = 0;
    for (std::size_t s = 0; s < c.n_stimuli(); ++s)
        for (std::uint64_t k = c.offsets[s]; k < c.offsets[s + 1]; ++k) {
            const double v = mi_without(c, s, k, p, empirical);
            const double w = static_cast<double>(c.counts[k]);
            n += w;
            sum += w * v;
            sum_sq += w * v * v;
        }
    const double mean = sum / n;
    const double full = compute_plugin(c, p, std::vector<std::uint32_t>(c.n_stimuli(), 1)).mi;
    const JackknifeResult jk = compute_jackknife(c, p);
    EXPECT_NEAR(jk.mi_jk, n * full - (n - 1) * mean, 1e-10);
    EXPECT_NEAR(jk.mi_se, std::sqrt((n - 1) / n * (sum_sq - n * mean * mean)), 1e-8);
}

} // namespace

TEST(Jackknife, EntropyOfEightSeven) {
    const auto c = test::make_counts({{{0, 8}, {1, 7}}}, 1);
    const JackknifeResult jk = compute_jackknife(c, {1.0});
    EXPECT_NEAR(jk.h_r, 0.9967916320, 1e-10);
    EXPECT_NEAR(jk.h_r_jk, 1.0483839910, 1e-10);
    EXPECT_NEAR(jk.mi, 0.0, 1e-15);
    EXPECT_EQ(jk.n_trials, 15u);
    EXPECT_EQ(jk.n_cells, 2u);
}

TEST(Jackknife, MatchesBruteForceLeaveOneOut) {
    const auto c = counts_from_trials({{0, 0, 1, 2, 2, 2}, {1, 1, 3}, {0, 3, 3, 3, 3}}, 2);
    check_against_brute_force(c, test::empirical(c), true);
    check_against_brute_force(c, {0.2, 0.5, 0.3}, false);
    // A stimulus with a single trial disappears when that trial is deleted.
    const auto d = counts_from_trials({{0, 1, 1, 2}, {3}, {0, 0, 3}}, 2);
    check_against_brute_force(d, test::empirical(d), true);
    check_against_brute_force(d, {0.4, 0.2, 0.4}, false);
}

TEST(Jackknife, SingleResponseOverallGivesZero) {
    const auto c = counts_from_trials({{4, 4, 4}, {4, 4}}, 3);
    const JackknifeResult jk = compute_jackknife(c, test::empirical(c));
    EXPECT_NEAR(jk.mi_jk, 0.0, 1e-12);
    EXPECT_NEAR(jk.mi_se, 0.0, 1e-12);
}

TEST(Jackknife, AllSilentSeedScaleConditionIsExactlyZero) {
    // A neuron that never fires on the paper's set: 3876 stimuli x 15 repeats, all word 0. The
    // general leave-one-out update left -2.4e-11 here and raised mi_negative (issue 8).
    const std::vector<std::vector<std::uint64_t>> t(3876, std::vector<std::uint64_t>(15, 0));
    const auto c = counts_from_trials(t, 20);
    const auto p = test::empirical(c);
    const JackknifeResult jk = compute_jackknife(c, p);
    EXPECT_EQ(jk.mi_jk, 0.0);
    EXPECT_EQ(jk.mi_se, 0.0);
    EstimatorOptions o;
    o.estimators = {"jackknife"};
    const EstimatorResults r = compute_estimators(c, p, std::vector<std::uint32_t>(3876, 1), o);
    EXPECT_EQ(r.find("jackknife")->mi, 0.0);
    EXPECT_FALSE(r.find("jackknife")->flags.mi_negative);
    const SssJackknifeResult sj = compute_jackknife_sss(c, p);
    for (std::size_t s = 0; s < 3876; ++s) EXPECT_EQ(sj.sss_jk[s], 0.0);
}

TEST(Bootstrap, SeededIntervalsAndUndefinedSpS) {
    const auto c = counts_from_trials({{0, 0, 0, 1, 1, 2, 0, 0}, {2, 2, 3, 3, 3, 1, 2, 2}}, 2);
    BootstrapOptions o;
    o.replicates = 300;
    o.seed = 3;
    const BootstrapResult a = compute_bootstrap(c, {0.5, 0.5}, {0, 2}, o);
    const BootstrapResult b = compute_bootstrap(c, {0.5, 0.5}, {0, 2}, o);
    EXPECT_EQ(a.mi.lo, b.mi.lo);
    EXPECT_EQ(a.mi.hi, b.mi.hi);
    EXPECT_LT(a.mi.lo, a.mi.hi);
    EXPECT_GT(a.mi.sd, 0.0);
    const double mi = compute_plugin(c, {0.5, 0.5}, {0, 2}).mi;
    EXPECT_LT(a.mi.lo, mi);
    EXPECT_GT(a.mi.hi, mi);
    ASSERT_EQ(a.sss.size(), 2u);
    EXPECT_TRUE(std::isnan(a.sps[0].lo));
    EXPECT_FALSE(std::isnan(a.sps[1].lo));
    EXPECT_NEAR(a.sps[1].lo, a.sss[1].lo / 2, 1e-12);
    o.estimator = PointEstimator::pt;
    EXPECT_NO_THROW(compute_bootstrap(c, {0.5, 0.5}, {0, 2}, o));
}

TEST(Bootstrap, SingleResponseOverallHasZeroSpread) {
    const auto c = counts_from_trials({{1, 1, 1}, {1, 1, 1, 1}}, 1);
    const BootstrapResult r = compute_bootstrap(c, test::empirical(c), {1, 1});
    EXPECT_EQ(r.mi.sd, 0.0);
    EXPECT_EQ(r.mi.lo, 0.0);
    EXPECT_EQ(r.mi.hi, 0.0);
}

TEST(Bootstrap, SpreadAgreesWithJackknifeStandardError) {
    // Property (BSC eps = 0.1, N_s = 200): two different SE estimators of the same MI agree to
    // within sampling noise of B = 400 (relative SE of an SD ~ 1/sqrt(2B) = 3.5 %) plus the
    // jackknife's own small-sample error.
    std::vector<std::uint64_t> s0, s1;
    for (int i = 0; i < 200; ++i) {
        s0.push_back(i % 10 == 0 ? 1 : 0);
        s1.push_back(i % 10 == 0 ? 0 : 1);
    }
    const auto c = counts_from_trials({s0, s1}, 1);
    BootstrapOptions o;
    o.replicates = 400;
    o.seed = 11;
    const BootstrapResult b = compute_bootstrap(c, {0.5, 0.5}, {1, 1}, o);
    const JackknifeResult j = compute_jackknife(c, {0.5, 0.5});
    EXPECT_NEAR(b.mi.sd / j.mi_se, 1.0, 0.15);
}

TEST(PermutationNull, InformativeChannelIsSignificant) {
    std::vector<std::vector<std::uint64_t>> t(4);
    for (std::uint64_t s = 0; s < 4; ++s) t[s] = std::vector<std::uint64_t>(10, s);
    const auto c = counts_from_trials(t, 2);
    PermutationNullOptions o;
    o.replicates = 199;
    o.seed = 5;
    const MiStatistic plugin_mi = [](const ConditionCounts& cc, const std::vector<double>& p) {
        return compute_plugin(cc, p, std::vector<std::uint32_t>(cc.n_stimuli(), 1)).mi;
    };
    const PermutationNullResult r = compute_permutation_null(c, test::uniform_p(4), plugin_mi, o);
    EXPECT_NEAR(r.observed, 2.0, 1e-12);
    EXPECT_NEAR(r.p_value, 1.0 / 200.0, 1e-15);
    EXPECT_LT(r.quantiles[2], 1.0);
    EXPECT_LE(r.quantiles[0], r.quantiles[1]);
    EXPECT_LE(r.quantiles[1], r.quantiles[2]);
    EXPECT_NEAR(r.corrected, r.observed - r.null_mean, 1e-15);
    // Reproducible.
    EXPECT_EQ(compute_permutation_null(c, test::uniform_p(4), plugin_mi, o).null_mean, r.null_mean);
}

TEST(PermutationNull, IndependenceNullMeanIsChiSquareMean) {
    // Property (§7.4): S = 4 stimuli, 4 equiprobable words, N_s = 40. The null mean of plug-in MI
    // is ~ (S-1)(R-1)/(2 N ln2) = 9/(320 ln2); allow 10 % for the O(1/N) terms and MC noise
    // (M = 1000, relative SE about 1.5 %).
    std::vector<std::vector<std::uint64_t>> t(4);
    for (std::uint64_t s = 0; s < 4; ++s)
        for (int i = 0; i < 40; ++i) t[s].push_back(static_cast<std::uint64_t>(i % 4));
    const auto c = counts_from_trials(t, 2);
    PermutationNullOptions o;
    o.replicates = 1000;
    o.seed = 17;
    const MiStatistic plugin_mi = [](const ConditionCounts& cc, const std::vector<double>& p) {
        return compute_plugin(cc, p, std::vector<std::uint32_t>(cc.n_stimuli(), 1)).mi;
    };
    const PermutationNullResult r = compute_permutation_null(c, test::uniform_p(4), plugin_mi, o);
    EXPECT_NEAR(r.observed, 0.0, 1e-12);
    EXPECT_NEAR(r.p_value, 1.0, 1e-12); // every null value >= 0 = observed
    const double chi2_mean = 9.0 / (2 * 160 * std::log(2.0));
    EXPECT_NEAR(r.null_mean / chi2_mean, 1.0, 0.10);
}

namespace {

std::uint64_t bits(double x) {
    std::uint64_t b = 0;
    std::memcpy(&b, &x, sizeof b);
    return b;
}

void expect_same(const Interval& a, const Interval& b, const char* what, std::size_t s) {
    EXPECT_EQ(bits(a.sd), bits(b.sd)) << what << " " << s;
    EXPECT_EQ(bits(a.lo), bits(b.lo)) << what << " " << s;
    EXPECT_EQ(bits(a.hi), bits(b.hi)) << what << " " << s;
}

//! The stratified bootstrap as the spec states it, each replicate built as a table and passed
//! to point_estimate: the reference for compute_bootstrap's subset evaluation.
BootstrapResult bootstrap_by_tables(const ConditionCounts& c, const std::vector<double>& p,
                                    const std::vector<std::uint32_t>& k,
                                    const BootstrapOptions& o) {
    RtotSpec rt = o.rtot;
    if (o.estimator == PointEstimator::pt)
        rt = RtotSpec{RtotMode::user, response_space_size(c, o.rtot)};
    const std::size_t ns = c.n_stimuli();
    std::vector<double> mi, h_r, h_rs;
    std::vector<std::vector<double>> sss(ns), sps(ns);
    for (std::uint32_t b = 0; b < o.replicates; ++b) {
        detail::RandomStream rng(o.seed, detail::RandomPurpose::bootstrap, b);
        std::vector<std::vector<std::uint64_t>> trials(ns);
        for (std::size_t s = 0; s < ns; ++s) {
            const std::vector<std::uint64_t> all = detail::expand_trials(c, s);
            for (std::size_t t = 0; t < all.size(); ++t)
                trials[s].push_back(all[static_cast<std::size_t>(rng.below(all.size()))]);
        }
        const detail::PointEstimate e =
            detail::point_estimate(counts_from_trials(trials, c.n_bins), p, k, o.estimator, rt);
        mi.push_back(e.mi);
        h_r.push_back(e.h_r);
        h_rs.push_back(e.h_rs);
        for (std::size_t s = 0; s < ns; ++s) {
            sss[s].push_back(e.sss[s]);
            sps[s].push_back(e.sps[s]);
        }
    }
    return detail::summarise_bootstrap(mi, h_r, h_rs, sss, sps, o.replicates, o.confidence);
}

std::vector<double> weighted_p(const ConditionCounts& c) {
    std::vector<double> p(c.n_stimuli(), 0.0);
    double total = 0;
    for (std::size_t s = 0; s < c.n_stimuli(); ++s)
        if (c.n_trials(s) > 0) total += p[s] = 1.0 + static_cast<double>(s % 3);
    for (double& x : p) x /= total;
    return p;
}

} // namespace

TEST(Bootstrap, EqualsPointEstimateOfEachReplicateTable) {
    // Stimuli without trials, SpS undefined for n_spk = 0, empirical and fixed p(s).
    const ConditionCounts c = test::random_condition(60, 12, 8, 3, 7);
    std::vector<std::uint32_t> k(c.n_stimuli());
    for (std::size_t s = 0; s < k.size(); ++s) k[s] = static_cast<std::uint32_t>(s % 5);
    for (const std::vector<double>& p : {test::empirical(c), weighted_p(c)})
        for (PointEstimator e : {PointEstimator::plugin, PointEstimator::mm, PointEstimator::pt}) {
            BootstrapOptions o;
            o.replicates = 40;
            o.seed = 9;
            o.estimator = e;
            const BootstrapResult want = bootstrap_by_tables(c, p, k, o);
            const BootstrapResult got = compute_bootstrap(c, p, k, o);
            expect_same(got.mi, want.mi, "mi", 0);
            expect_same(got.h_r, want.h_r, "h_r", 0);
            expect_same(got.h_rs, want.h_rs, "h_rs", 0);
            ASSERT_EQ(got.sss.size(), want.sss.size());
            for (std::size_t s = 0; s < got.sss.size(); ++s) {
                expect_same(got.sss[s], want.sss[s], "sss", s);
                expect_same(got.sps[s], want.sps[s], "sps", s);
            }
        }
}

TEST(PermutationNull, PointEstimatorPathEqualsStatisticOnPermutedTables) {
    const ConditionCounts c = test::random_condition(50, 10, 8, 4, 9);
    std::vector<std::uint32_t> k(c.n_stimuli(), 2);
    for (const std::vector<double>& p : {test::empirical(c), weighted_p(c)})
        for (PointEstimator e : {PointEstimator::plugin, PointEstimator::mm, PointEstimator::pt}) {
            PermutationNullOptions o;
            o.replicates = 30;
            o.seed = 21;
            const RtotSpec rt = e == PointEstimator::pt
                                    ? RtotSpec{RtotMode::user, response_space_size(c, RtotSpec{})}
                                    : RtotSpec{};
            const MiStatistic stat = [&](const ConditionCounts& cc, const std::vector<double>& pp) {
                return detail::point_estimate(cc, pp, k, e, rt).mi;
            };
            const PermutationNullResult want = compute_permutation_null(c, p, stat, o);
            const PermutationNullResult got =
                detail::permutation_null_point(c, p, k, o, e, RtotSpec{});
            EXPECT_EQ(bits(got.observed), bits(want.observed));
            EXPECT_EQ(bits(got.null_mean), bits(want.null_mean));
            EXPECT_EQ(bits(got.null_sd), bits(want.null_sd));
            EXPECT_EQ(bits(got.p_value), bits(want.p_value));
            ASSERT_EQ(got.quantiles.size(), want.quantiles.size());
            for (std::size_t i = 0; i < got.quantiles.size(); ++i)
                EXPECT_EQ(bits(got.quantiles[i]), bits(want.quantiles[i]));
        }
}
