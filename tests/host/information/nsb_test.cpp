// SPDX-License-Identifier: MIT
//! \file tests/host/information/nsb_test.cpp
//! NSB against information.md §7.2 and its special functions against closed forms.
#include "host/information/nsb.hpp"
#include "host/information/special_functions.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

using namespace memlif;

TEST(SpecialFunctions, DigammaTrigammaClosedForms) {
    const double euler_gamma = 0.57721566490153286061;
    const double pi = 3.14159265358979323846;
    EXPECT_NEAR(detail::digamma(1.0), -euler_gamma, 1e-13);
    EXPECT_NEAR(detail::digamma(0.5), -euler_gamma - 2 * std::log(2.0), 1e-13);
    EXPECT_NEAR(detail::digamma(10.0),
                -euler_gamma +
                    (1 + 1. / 2 + 1. / 3 + 1. / 4 + 1. / 5 + 1. / 6 + 1. / 7 + 1. / 8 + 1. / 9),
                1e-13);
    EXPECT_NEAR(detail::trigamma(1.0), pi * pi / 6, 1e-13);
    EXPECT_NEAR(detail::trigamma(0.5), pi * pi / 2, 1e-12);
    EXPECT_NEAR(detail::trigamma(3.0), pi * pi / 6 - 1 - 0.25, 1e-13);
    // Derivative check: trigamma = d digamma/dx.
    EXPECT_NEAR((detail::digamma(2.3 + 1e-5) - detail::digamma(2.3 - 1e-5)) / 2e-5,
                detail::trigamma(2.3), 1e-8);
    for (double a : {1e-9, 0.3, 2.5, 17.0, 1e6})
        for (double n : {1.0, 7.0, 40.0, 1000.5})
            EXPECT_NEAR(detail::log_rising(a, n), std::lgamma(a + n) - std::lgamma(a),
                        1e-9 * std::max(1.0, std::fabs(std::lgamma(a + n))))
                << a << " " << n;
    // Huge a: ln G(a + n) - ln G(a) ~ n ln a.
    EXPECT_NEAR(detail::log_rising(1e18, 50.0), 50.0 * std::log(1e18), 1e-9);
}

TEST(Nsb, Table) {
    struct Case {
        std::vector<std::uint64_t> counts;
        double k, h;
    };
    const Case cases[] = {{{8, 7}, 2, 0.9630670},
                          {{10, 3, 1, 1}, 16, 1.7115202},
                          {{7, 4, 2, 1, 1}, 32, 2.3786203},
                          {{5, 5, 5}, 8, 1.7774762},
                          {std::vector<std::uint64_t>(15, 1), 64, 5.6749807}};
    for (const Case& c : cases) {
        const NsbEntropy e = nsb_entropy(c.counts, c.k);
        EXPECT_NEAR(e.h, c.h, 1e-4) << "K " << c.k;
        EXPECT_GT(e.sd, 0.0);
    }
}

TEST(Nsb, NddReadmeVectorInNats) {
    const std::vector<std::uint64_t> counts{4, 12, 4,  5, 3, 1,  5,  1, 2, 2,
                                            2, 2,  11, 3, 4, 12, 12, 1, 2};
    const NsbEntropy e = nsb_entropy(counts, 100);
    const double ln2 = std::log(2.0);
    EXPECT_NEAR(e.h * ln2, 2.8060922529931225, 1e-4);
    EXPECT_NEAR(e.sd * ln2, 0.11945501149743358, 1e-3);
}

TEST(Nsb, ConditionLevelAndSingleResponse) {
    // Single response overall: NSB MI need not be 0 (H from N trials < H from N_s trials), §6.
    const auto c = counts_from_trials({{1, 1, 1, 1}, {1, 1, 1, 1}}, 2);
    const NsbResult r = compute_nsb(c, {0.5, 0.5});
    EXPECT_EQ(r.k_bins, 4.0);
    EXPECT_LT(r.h_r, r.h_rs);
    EXPECT_NEAR(r.h_r, nsb_entropy({8}, 4).h, 1e-12);
    EXPECT_NEAR(r.h_rs, nsb_entropy({4}, 4).h, 1e-12);
    EXPECT_TRUE(r.flags.mi_negative);
    // Large declared space works (K = 2^20).
    const auto d = counts_from_trials({{1, 2, 3, 3}, {7, 7, 9, 1}}, 20);
    const NsbResult q = compute_nsb(d, {0.5, 0.5});
    EXPECT_TRUE(std::isfinite(q.mi));
    EXPECT_TRUE(std::isfinite(q.mi_sd));
}

TEST(Nsb, ConditionReusesEachCountMultisetsIntegral) {
    // compute_nsb integrates each distinct multiset of a stimulus's counts once; every stimulus
    // must still get exactly nsb_entropy of its own counts, and H(R) that of the pooled counts.
    const ConditionCounts c = test::random_condition(80, 15, 12, 8, 13);
    const std::vector<double> p = test::empirical(c);
    const NsbResult r = compute_nsb(c, p);
    for (std::size_t s = 0; s < c.n_stimuli(); ++s) {
        const std::uint64_t b = c.offsets[s], e = c.offsets[s + 1];
        if (b == e) {
            EXPECT_EQ(r.h_r_s[s], 0.0);
            continue;
        }
        const NsbEntropy want = nsb_entropy(c.counts.data() + b, e - b, r.k_bins);
        EXPECT_EQ(r.h_r_s[s], want.h) << s;
        EXPECT_EQ(r.h_r_s_sd[s], want.sd) << s;
    }
    std::map<std::uint64_t, std::uint64_t> pooled;
    for (std::size_t k = 0; k < c.words.size(); ++k) pooled[c.words[k]] += c.counts[k];
    std::vector<std::uint64_t> n_r;
    for (const auto& [w, n] : pooled) n_r.push_back(n);
    const NsbEntropy all = nsb_entropy(n_r, r.k_bins);
    EXPECT_EQ(r.h_r, all.h);
    EXPECT_EQ(r.h_r_sd, all.sd);
}
