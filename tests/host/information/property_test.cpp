// SPDX-License-Identifier: MIT
//! \file tests/host/information/property_test.cpp
//! Seeded Monte-Carlo properties (information.md §7.4): under independence the plug-in mean is the
//! chi-square mean (S-1)(R-1)/(2N ln2) and PT, QE and I_sh (PT or QE terms)
//! average about 0. Tolerance 3 SE of the
//! mean over datasets (plus the O(1/N^2) slack of the first-order formula for plug-in).
#include "host/information/panzeri_treves.hpp"
#include "host/information/plugin.hpp"
#include "host/information/quadratic_extrapolation.hpp"
#include "host/information/shuffle.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

using namespace memlif;

TEST(Property, IndependenceMeans) {
    const int n_stim = 4, n_words = 4, n_s = 40, n_sets = 300;
    std::mt19937_64 gen(20240601);
    std::uniform_int_distribution<std::uint64_t> word(0, n_words - 1);
    std::vector<double> plug, pt, qe, sh, sh_qe;
    for (int d = 0; d < n_sets; ++d) {
        std::vector<std::vector<std::uint64_t>> t(n_stim);
        for (auto& v : t)
            for (int i = 0; i < n_s; ++i) v.push_back(word(gen));
        const auto c = counts_from_trials(t, 2);
        const auto p = test::uniform_p(n_stim);
        const auto spk = test::spikes(n_stim);
        plug.push_back(compute_plugin(c, p, spk).mi);
        pt.push_back(compute_panzeri_treves(c, p, spk).mi);
        QeOptions qo;
        qo.seed = static_cast<std::uint64_t>(d);
        qe.push_back(compute_quadratic_extrapolation(c, p, qo).mi);
        // Plug-in I_sh keeps the H(R) - H_ind(R|S) bias (about +0.023 bits here); the recipe of
        // Panzeri et al. 2007 combines I_sh with PT, which is what is expected to average to 0.
        ShuffleOptions so;
        so.inner = InnerEstimator::pt;
        so.seed = static_cast<std::uint64_t>(d);
        sh.push_back(compute_shuffle(c, p, so).mi);
        // I_sh with QE on every term (§4.5): also expected to average about 0.
        so.inner = InnerEstimator::qe;
        so.replicates = 5;
        so.qe_replicates = 2;
        sh_qe.push_back(compute_shuffle(c, p, so).mi);
    }
    auto mean_se = [](const std::vector<double>& v, double& m, double& se) {
        m = 0;
        for (double x : v) m += x;
        m /= v.size();
        double ss = 0;
        for (double x : v) ss += (x - m) * (x - m);
        se = std::sqrt(ss / (v.size() - 1) / v.size());
    };
    double m, se;
    mean_se(plug, m, se);
    const double chi2 = (n_stim - 1.0) * (n_words - 1.0) / (2.0 * n_stim * n_s * std::log(2.0));
    EXPECT_NEAR(m, chi2, 3 * se + 0.05 * chi2);
    mean_se(pt, m, se);
    EXPECT_NEAR(m, 0.0, 3 * se + 0.005);
    mean_se(qe, m, se);
    EXPECT_NEAR(m, 0.0, 3 * se + 0.005);
    mean_se(sh, m, se);
    EXPECT_NEAR(m, 0.0, 3 * se + 0.005);
    mean_se(sh_qe, m, se);
    std::printf("[ info ] independence: mean I_sh,QE = %.5f (SE %.5f)\n", m, se);
    EXPECT_NEAR(m, 0.0, 3 * se + 0.005);
}

TEST(Property, ConvergenceOfEstimatorsWithTrials) {
    // BSC eps = 0.1 with exactly proportional counts at growing N_s: PT -> plug-in -> truth, and
    // the MM/PT correction shrinks like 1/N_s.
    const double truth = 1 - test::h2(0.1);
    double prev_gap = 1;
    for (std::uint64_t scale : {2u, 20u, 200u}) {
        const auto c =
            test::make_counts({{{0, 9 * scale}, {1, scale}}, {{0, scale}, {1, 9 * scale}}}, 1);
        const double plug = compute_plugin(c, {0.5, 0.5}, {1, 1}).mi;
        const double pt = compute_panzeri_treves(c, {0.5, 0.5}, {1, 1}).mi;
        EXPECT_NEAR(plug, truth, 1e-12);
        const double gap = std::fabs(pt - plug);
        EXPECT_LT(gap, prev_gap);
        EXPECT_NEAR(gap * static_cast<double>(10 * scale), 1.0 / (2 * std::log(2.0)) * 0.5, 1e-9);
        prev_gap = gap;
    }
}
