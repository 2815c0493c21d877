// SPDX-License-Identifier: MIT
//! \file tests/host/information/jackknife_sss_test.cpp
//! Per-stimulus delete-one jackknife of the plug-in SSS I_1(s) and SpS (information.md §4.7,
//! §4.9): a hand-computed case, brute-force leave-one-out references (every trial deleted and the
//! plug-in recomputed from scratch), the estimator record, and the cost at seed scale.
#include "host/information/estimators.hpp"
#include "host/information/jackknife.hpp"
#include "host/information/plugin.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>

using namespace memlif;

namespace {

//! Independent reference: I_1(s') for every s' with one trial of cell k (stimulus s) removed and
//! everything recomputed from counts. Empirical p(s) follows N_s/N; a fixed p(s) is kept, and
//! renormalised when s loses its only trial.
std::vector<double> sss_without(const ConditionCounts& c, std::size_t s, std::uint64_t k,
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
    // Plain definition, no library call: I_1 = sum_r p(r|s) log2(p(r|s)/p(r)).
    std::vector<double> p_r_of(d.words.size(), 0.0);
    for (std::size_t a = 0; a < d.words.size(); ++a)
        for (std::size_t t = 0; t < d.n_stimuli(); ++t)
            for (std::uint64_t j = d.offsets[t]; j < d.offsets[t + 1]; ++j)
                if (d.words[j] == d.words[a])
                    p_r_of[a] += q[t] * static_cast<double>(d.counts[j]) /
                                 static_cast<double>(d.n_trials(t));
    std::vector<double> out(d.n_stimuli(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t t = 0; t < d.n_stimuli(); ++t) {
        const double nt = static_cast<double>(d.n_trials(t));
        if (nt == 0) continue;
        double v = 0;
        for (std::uint64_t j = d.offsets[t]; j < d.offsets[t + 1]; ++j) {
            const double pr = static_cast<double>(d.counts[j]) / nt;
            v += pr * std::log2(pr / p_r_of[j]);
        }
        out[t] = v;
    }
    return out;
}

void check_sss_against_brute_force(const ConditionCounts& c, const std::vector<double>& p,
                                   bool empirical) {
    const std::size_t ns = c.n_stimuli();
    std::vector<std::vector<double>> loo; // one row per deleted trial
    std::vector<std::size_t> deleted_stim;
    for (std::size_t s = 0; s < ns; ++s)
        for (std::uint64_t k = c.offsets[s]; k < c.offsets[s + 1]; ++k) {
            const auto v = sss_without(c, s, k, p, empirical);
            for (std::uint64_t i = 0; i < c.counts[k]; ++i) {
                loo.push_back(v);
                deleted_stim.push_back(s);
            }
        }
    const double n = static_cast<double>(loo.size());
    const SssJackknifeResult jk = compute_jackknife_sss(c, p);
    const PluginMeasures pl = compute_plugin(c, p, std::vector<std::uint32_t>(ns, 1));
    ASSERT_EQ(jk.sss.size(), ns);
    EXPECT_EQ(jk.n_trials, loo.size());
    for (std::size_t s = 0; s < ns; ++s) {
        if (c.n_trials(s) < 2) {
            EXPECT_TRUE(std::isnan(jk.sss_jk[s])) << s;
            EXPECT_TRUE(std::isnan(jk.sss_se[s])) << s;
            continue;
        }
        double mean = 0;
        for (const auto& v : loo) mean += v[s];
        mean /= n;
        double ss = 0;
        for (const auto& v : loo) ss += (v[s] - mean) * (v[s] - mean);
        EXPECT_NEAR(jk.sss[s], pl.sss[s], 1e-14) << s;
        EXPECT_NEAR(jk.sss_jk[s], n * pl.sss[s] - (n - 1) * mean, 1e-10) << "stimulus " << s;
        EXPECT_NEAR(jk.sss_se[s], std::sqrt((n - 1) / n * ss), 1e-10) << "stimulus " << s;
    }
}

//! Random table: n_stim stimuli, N_s in [n_min, n_max], words from a skewed alphabet.
ConditionCounts random_counts(std::mt19937_64& gen, int n_stim, int n_min, int n_max, int n_words) {
    std::uniform_int_distribution<int> size(n_min, n_max);
    std::geometric_distribution<int> word(0.35);
    std::uniform_int_distribution<int> shift(0, 2);
    std::vector<std::vector<std::uint64_t>> t(static_cast<std::size_t>(n_stim));
    for (auto& v : t) {
        const int sh = shift(gen); // stimuli prefer different words
        for (int i = size(gen); i > 0; --i)
            v.push_back(static_cast<std::uint64_t>((word(gen) + sh) % n_words));
    }
    return counts_from_trials(t, 4);
}

} // namespace

TEST(JackknifeSss, HandComputedDeterministicChannel) {
    // s0 -> word 0 twice, s1 -> word 1 twice, empirical p(s). I_1(s) = 1. Deleting a trial of
    // s0 gives I_1(s0) = log2 3 (p(0) = 1/3) and deleting one of s1 gives I_1(s0) = log2(3/2).
    const auto c = counts_from_trials({{0, 0}, {1, 1}}, 1);
    const SssJackknifeResult jk = compute_jackknife_sss(c, {0.5, 0.5});
    const double mean = 0.5 * (std::log2(3.0) + std::log2(1.5));
    for (std::size_t s = 0; s < 2; ++s) {
        EXPECT_NEAR(jk.sss[s], 1.0, 1e-15);
        EXPECT_NEAR(jk.sss_jk[s], 4.0 - 3.0 * mean, 1e-12);
        EXPECT_NEAR(jk.sss_se[s], std::sqrt(0.75), 1e-12); // deviations +-1/2 over 4 deletions
    }
}

TEST(JackknifeSss, MatchesBruteForceSmallTables) {
    const auto c = counts_from_trials({{0, 0, 1, 2, 2, 2}, {1, 1, 3}, {0, 3, 3, 3, 3}}, 2);
    check_sss_against_brute_force(c, test::empirical(c), true);
    check_sss_against_brute_force(c, {0.2, 0.5, 0.3}, false);
    // Single-trial stimulus: no leave-one-out value of its own; its deletion removes it.
    const auto d = counts_from_trials({{0, 1, 1, 2}, {3}, {0, 0, 3}}, 2);
    check_sss_against_brute_force(d, test::empirical(d), true);
    check_sss_against_brute_force(d, {0.4, 0.2, 0.4}, false);
    // A word emitted once overall, and a stimulus with one word only.
    const auto e = counts_from_trials({{5, 6, 6}, {6, 6, 6, 6}, {7, 6}}, 3);
    check_sss_against_brute_force(e, test::empirical(e), true);
    check_sss_against_brute_force(e, {0.5, 0.25, 0.25}, false);
}

TEST(JackknifeSss, MatchesBruteForceRandomTables) {
    std::mt19937_64 gen(77);
    for (int rep = 0; rep < 4; ++rep) {
        const auto c = random_counts(gen, 12, 1, 9, 7);
        check_sss_against_brute_force(c, test::empirical(c), true);
        std::uniform_real_distribution<double> u(0.2, 1.0);
        std::vector<double> p(c.n_stimuli());
        double sum = 0;
        for (double& x : p) sum += (x = u(gen));
        for (double& x : p) x /= sum;
        check_sss_against_brute_force(c, p, false);
    }
}

TEST(JackknifeSss, EstimatorRecordKeepsPluginSssAndScalesSps) {
    const auto c = counts_from_trials({{0, 0, 1, 2, 2, 2}, {1, 1, 3}, {0, 3, 3, 3, 3}, {2}}, 2);
    const auto p = test::empirical(c);
    const std::vector<std::uint32_t> spk{2, 0, 4, 1};
    EstimatorOptions o;
    o.estimators = {"jackknife"};
    const EstimatorResults r = compute_estimators(c, p, spk, o);
    const EstimatorResult* e = r.find("jackknife");
    ASSERT_NE(e, nullptr);
    const PluginMeasures pl = compute_plugin(c, p, spk);
    const SssJackknifeResult jk = compute_jackknife_sss(c, p);
    ASSERT_EQ(e->sss.size(), 4u);
    ASSERT_EQ(e->sss_se.size(), 4u);
    ASSERT_EQ(e->sps_se.size(), 4u);
    ASSERT_EQ(e->sss_corrected.size(), 4u);
    ASSERT_EQ(e->sps_corrected.size(), 4u);
    for (std::size_t s = 0; s < 4; ++s) {
        EXPECT_EQ(e->sss[s], pl.sss[s]);
        EXPECT_EQ(e->rank[s], pl.rank[s]);
    }
    for (std::size_t s : {0u, 2u}) {
        EXPECT_EQ(e->sss_se[s], jk.sss_se[s]);
        EXPECT_EQ(e->sss_corrected[s], jk.sss_jk[s]);
        EXPECT_NEAR(e->sps_se[s], jk.sss_se[s] / spk[s], 1e-15);
        EXPECT_NEAR(e->sps_corrected[s], jk.sss_jk[s] / spk[s], 1e-15);
        EXPECT_NEAR(e->sps[s], pl.sss[s] / spk[s], 1e-15);
    }
    EXPECT_FALSE(std::isnan(e->sss_se[1]));
    EXPECT_TRUE(std::isnan(e->sps_se[1])); // n_spk = 0
    EXPECT_TRUE(std::isnan(e->sps_corrected[1]));
    EXPECT_TRUE(std::isnan(e->sss_se[3])); // N_s = 1
    EXPECT_TRUE(std::isnan(e->sps_corrected[3]));
    // Other estimators leave the new fields empty.
    o.estimators = {"plugin"};
    EXPECT_TRUE(compute_estimators(c, p, spk, o).estimates[0].sss_se.empty());
}

TEST(JackknifeSss, SeedScaleIsLinearInCells) {
    // 3876 stimuli x 15 repeats, ~2000 distinct 20-bit words shared across stimuli.
    std::mt19937_64 gen(3876);
    std::vector<std::uint64_t> pool(2000);
    for (auto& w : pool) w = gen() & 0xFFFFFu;
    std::uniform_int_distribution<int> local(0, 39);
    std::vector<std::vector<std::uint64_t>> t(3876);
    for (std::size_t s = 0; s < t.size(); ++s)
        for (int i = 0; i < 15; ++i) {
            // Each stimulus draws from 40 pool words around its own position: heavy sharing.
            const std::size_t idx = (s / 2 + static_cast<std::size_t>(local(gen))) % pool.size();
            t[s].push_back(pool[idx]);
        }
    const auto c = counts_from_trials(t, 20);
    const auto p = test::empirical(c);
    const SssJackknifeResult jk = compute_jackknife_sss(c, p);
    EXPECT_LE(jk.n_terms, 2 * c.words.size()); // O(occupied cells), no cell x cell pairs
    for (std::size_t s = 0; s < c.n_stimuli(); ++s) {
        ASSERT_TRUE(std::isfinite(jk.sss_se[s]));
        ASSERT_GE(jk.sss_se[s], 0.0);
    }
    // Fixed p(s) (multiplicity-like weights): pairs of stimuli sharing words, still fast here.
    std::vector<double> w(c.n_stimuli());
    double sum = 0;
    for (std::size_t s = 0; s < w.size(); ++s) sum += (w[s] = static_cast<double>(1 + s % 4));
    for (double& x : w) x /= sum;
    const SssJackknifeResult jf = compute_jackknife_sss(c, w);
    for (std::size_t s = 0; s < c.n_stimuli(); ++s) ASSERT_TRUE(std::isfinite(jf.sss_se[s]));
}

TEST(JackknifeSss, FixedPsWorstCaseSharing) {
    // Fixed p(s) is O(sum_r k_r^2): worst case, all 3876 stimuli emit the same 15 words.
    std::vector<std::vector<std::uint64_t>> t(3876);
    std::mt19937_64 gen(15);
    std::uniform_int_distribution<std::uint64_t> word(0, 14);
    for (auto& v : t)
        for (int i = 0; i < 15; ++i) v.push_back(word(gen));
    const auto c = counts_from_trials(t, 20);
    std::vector<double> w(c.n_stimuli());
    double sum = 0;
    for (std::size_t s = 0; s < w.size(); ++s) sum += (w[s] = static_cast<double>(1 + s % 3));
    for (double& x : w) x /= sum;
    const SssJackknifeResult jf = compute_jackknife_sss(c, w);
    for (std::size_t s = 0; s < c.n_stimuli(); ++s) ASSERT_TRUE(std::isfinite(jf.sss_se[s]));
}
