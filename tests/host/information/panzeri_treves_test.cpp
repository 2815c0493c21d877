// SPDX-License-Identifier: MIT
//! \file tests/host/information/panzeri_treves_test.cpp
//! BayesCount, Miller-Madow and Panzeri-Treves against information.md §4.3, §6 and §7.2.
#include "host/information/miller_madow.hpp"
#include "host/information/panzeri_treves.hpp"
#include "host/information/sampling_error.hpp"
#include "test_support.hpp"

#include "memlif/kernels/bayes_count.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>

using namespace memlif;
using memlif::test::make_counts;

namespace {

double plugin_entropy(const std::vector<std::uint64_t>& c) {
    double n = 0, h = 0;
    for (auto x : c) n += static_cast<double>(x);
    for (auto x : c) h -= x / n * std::log2(x / n);
    return h;
}

} // namespace

TEST(BayesCount, Table) {
    struct Case {
        std::vector<std::uint64_t> counts;
        double r_tot, r_tilde, pt_term, mm_term, h;
    };
    const std::vector<std::uint64_t> ones(15, 1);
    const Case cases[] = {
        {{5, 5, 5}, 8, 3, 0.0961796694, 0.0961796694, 1.5849625007},
        {{10, 3, 1, 1}, 16, 6, 0.2404491735, 0.1442695041, 1.3752793655},
        {{13, 1, 1}, 16, 5, 0.1923593388, 0.0961796694, 0.6998428399},
        {{15}, 16, 1, 0, 0, 0},
        {{7, 4, 2, 1, 1}, 32, 7, 0.2885390082, 0.1923593388, 1.9301249653},
        {{3, 3, 3, 3, 3}, 32, 6, 0.2404491735, 0.1923593388, 2.3219280949},
        {ones, 64, 30, 1.3946052062, 0.6732576857, 3.9068905956},
        {{8, 7}, 2, 2, 0.0480898347, 0.0480898347, 0.9967916320},
    };
    for (const Case& c : cases) {
        const double r = bayes_count(c.counts, c.r_tot);
        EXPECT_EQ(r, c.r_tilde) << "counts[0] " << c.counts[0] << " R_tot " << c.r_tot;
        double n = 0;
        for (auto x : c.counts) n += static_cast<double>(x);
        EXPECT_NEAR((r - 1) / (2 * n * std::log(2.0)), c.pt_term, 1e-10);
        EXPECT_NEAR((c.counts.size() - 1.0) / (2 * n * std::log(2.0)), c.mm_term, 1e-10);
        EXPECT_NEAR(plugin_entropy(c.counts), c.h, 1e-10);
        // The same vector as one stimulus through PT: H_PT(R) = H + PT term.
        test::Histogram h;
        for (std::size_t k = 0; k < c.counts.size(); ++k) h.push_back({k, c.counts[k]});
        const auto counts = make_counts({h}, 6);
        const CorrectedResult pt =
            compute_panzeri_treves(counts, {1.0}, {1}, RtotSpec{RtotMode::user, c.r_tot});
        EXPECT_NEAR(pt.h_r, c.h + c.pt_term, 1e-9);
        EXPECT_EQ(pt.r_bins, c.r_tilde);
        const CorrectedResult mm = compute_miller_madow(counts, {1.0}, {1});
        EXPECT_NEAR(mm.h_r, c.h + c.mm_term, 1e-9);
    }
}

TEST(BayesCount, ObservedAtLeastRtotReturnsRtot) {
    EXPECT_EQ(bayes_count({1, 1, 1}, 2.0), 2.0);
    EXPECT_EQ(bayes_count({4, 2}, 2.0), 2.0);
    EXPECT_EQ(bayes_count({9}, 1.0), 1.0);
}

TEST(BayesCount, HugeResponseSpace) {
    // R_tot = 2^64 must neither overflow nor loop forever; R~ is still a small integer.
    const std::vector<std::uint64_t> ones(15, 1);
    const double r = bayes_count(ones, std::ldexp(1.0, 64));
    EXPECT_GE(r, 15.0);
    EXPECT_LT(r, 100.0);
    EXPECT_EQ(r, std::floor(r));
}

TEST(PanzeriTreves, DeterministicLayoutsMatchMillerMadow) {
    struct Case {
        std::vector<std::vector<std::uint64_t>> trials;
        std::uint32_t bins;
        double h_r, h_rs, mi;
    };
    const Case cases[] = {
        {{{0, 0, 0, 1}, {1, 1, 1, 0}}, 1, 1.0901684401, 0.9916150046, 0.0985534355},
        {{{0, 0, 0, 0}, {0, 0, 1, 1}}, 1, 0.9014465645, 0.5901684401, 0.3112781245},
        {{{0, 0}, {1, 1}, {2, 2}, {3, 3}}, 2, 2.2705053202, 0.0, 2.2705053202},
    };
    for (const Case& c : cases) {
        const ConditionCounts counts = counts_from_trials(c.trials, c.bins);
        const auto p = test::empirical(counts);
        const auto spk = test::spikes(p.size());
        const CorrectedResult mm = compute_miller_madow(counts, p, spk);
        const CorrectedResult pt = compute_panzeri_treves(counts, p, spk); // full: 2^L = 2 or 4
        for (const CorrectedResult* r : {&mm, &pt}) {
            EXPECT_NEAR(r->h_r, c.h_r, 1e-10);
            EXPECT_NEAR(r->h_rs, c.h_rs, 1e-10);
            EXPECT_NEAR(r->mi, c.mi, 1e-10);
            double avg = 0;
            for (std::size_t s = 0; s < p.size(); ++s) avg += p[s] * r->sss[s];
            EXPECT_NEAR(avg, r->mi, 1e-12);
        }
        EXPECT_EQ(pt.r_tot, std::ldexp(1.0, static_cast<int>(c.bins)));
    }
    // Identity K = 4, N_s = 2: PT exceeds log2 S and says so.
    const auto id = counts_from_trials({{0, 0}, {1, 1}, {2, 2}, {3, 3}}, 2);
    const CorrectedResult pt = compute_panzeri_treves(id, test::uniform_p(4), test::spikes(4));
    EXPECT_TRUE(pt.flags.mi_above_log2_s);
    EXPECT_TRUE(pt.flags.mi_above_h_s);
    EXPECT_FALSE(pt.flags.mi_negative);
}

TEST(PanzeriTreves, ClosedFormPerStimulusCorrection) {
    // Two stimuli with different repertoires; check §4.9 against terms computed here.
    const auto c = counts_from_trials({{0, 0, 0, 1, 2}, {3, 3, 3, 3, 3, 3, 0}}, 2);
    const auto p = test::empirical(c);
    const std::vector<std::uint32_t> spk{2, 0};
    const PluginMeasures pl = compute_plugin(c, p, spk);
    const CorrectedResult pt = compute_panzeri_treves(c, p, spk, RtotSpec{RtotMode::user, 4});
    const double r_all = bayes_count({4, 1, 1, 6}, 4);
    const double r0 = bayes_count({3, 1, 1}, 4), r1 = bayes_count({1, 6}, 4);
    const double l2 = std::log(2.0);
    EXPECT_NEAR(pt.h_r, pl.h_r + (r_all - 1) / (2 * 12 * l2), 1e-12);
    EXPECT_NEAR(pt.sss[0], pl.sss[0] - (r0 - 1) / (2 * 5 * l2) + (r_all - 1) / (2 * 12 * l2),
                1e-12);
    EXPECT_NEAR(pt.sss[1], pl.sss[1] - (r1 - 1) / (2 * 7 * l2) + (r_all - 1) / (2 * 12 * l2),
                1e-12);
    EXPECT_NEAR(pt.sps[0], pt.sss[0] / 2, 1e-12);
    EXPECT_TRUE(std::isnan(pt.sps[1]));
    EXPECT_TRUE(pt.flags.sps_undefined);
    EXPECT_EQ(pt.rank, (std::vector<std::uint32_t>{1, 0}));
    EXPECT_NEAR(p[0] * pt.sss[0] + p[1] * pt.sss[1], pt.mi, 1e-12);
}

TEST(PanzeriTreves, NegativeCorrectedMiIsFlaggedNotClamped) {
    const auto c = counts_from_trials({{0, 1}, {0, 1}}, 1);
    const CorrectedResult mm = compute_miller_madow(c, {0.5, 0.5}, {1, 1});
    const double l2 = std::log(2.0);
    EXPECT_NEAR(mm.mi, 1 / (8 * l2) - 1 / (4 * l2), 1e-12);
    EXPECT_TRUE(mm.flags.mi_negative);
}

TEST(PanzeriTreves, SingleResponseOverallGivesZero) {
    const auto c = counts_from_trials({{7, 7, 7}, {7, 7}, {7, 7, 7, 7}}, 3);
    const auto p = test::empirical(c);
    EXPECT_EQ(compute_miller_madow(c, p, test::spikes(3)).mi, 0.0);
    EXPECT_EQ(compute_panzeri_treves(c, p, test::spikes(3)).mi, 0.0);
    EXPECT_EQ(compute_panzeri_treves(c, p, test::spikes(3), parse_rtot("ibtb")).mi, 0.0);
}

TEST(PanzeriTreves, RtotConventions) {
    const auto c = counts_from_trials({{0, 1, 8}, {9, 9, 1}}, 20);
    EXPECT_EQ(response_space_size(c, parse_rtot("full")), std::ldexp(1.0, 20));
    EXPECT_EQ(response_space_size(c, parse_rtot("ibtb")), 4.0); // bins 0 and 3 hold spikes
    EXPECT_EQ(response_space_size(c, parse_rtot("7")), 7.0);
    EXPECT_THROW(response_space_size(c, parse_rtot("3")), SamplingError); // m^ = 4
    EXPECT_THROW(compute_panzeri_treves(c, {0.5, 0.5}, {1, 1}, parse_rtot("2")), SamplingError);
    EXPECT_THROW(parse_rtot("fulll"), std::invalid_argument);
    EXPECT_THROW(parse_rtot("-3"), std::invalid_argument);
    EXPECT_THROW(parse_rtot("0"), std::invalid_argument);
    try {
        parse_rtot("bogus");
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("bogus"), std::string::npos);
    }
    const auto c64 = counts_from_trials({{1ull << 63, 0}, {0, 0}}, 64);
    EXPECT_EQ(response_space_size(c64, parse_rtot("full")), std::ldexp(1.0, 64));
    EXPECT_NO_THROW(compute_panzeri_treves(c64, {0.5, 0.5}, {1, 1}));
}

namespace {

//! information.md §4.3 BayesCount transcribed term by term (every count's term evaluated and
//! summed in index order): the reference for bayes_count's grouped evaluation.
double bayes_count_term_by_term(const std::vector<std::uint64_t>& counts, double r_tot) {
    double n = 0, r0 = 0;
    for (auto c : counts)
        if (c != 0) {
            n += static_cast<double>(c);
            r0 += 1;
        }
    if (r0 >= r_tot) return r_tot;
    if (n == 0) return 0;
    double e = r0;
    for (auto c : counts)
        if (c != 0) e -= std::pow(1.0 - static_cast<double>(c) / n, n);
    double d_prev = r_tot, d = std::fabs(r0 - e), r = r0;
    const double unit = 1.0 - std::pow(n / (n + r0), 1.0 / n);
    while (d < d_prev && r < r_tot) {
        r += 1;
        const double gamma = (r - r0) * unit;
        e = 0;
        for (auto c : counts)
            if (c != 0)
                e += 1.0 -
                     std::pow(1.0 - (static_cast<double>(c) + 1.0) / (n + r0) * (1.0 - gamma), n);
        e += (r - r0) * (1.0 - std::pow(1.0 - gamma / (r - r0), n));
        d_prev = d;
        d = std::fabs(r0 - e);
    }
    r -= 1;
    if (d < d_prev) r += 1;
    return r;
}

} // namespace

TEST(BayesCount, GroupedEvaluationEqualsTermByTermLoop) {
    // Pooled-like vectors (thousands of words, mostly seen once or twice, a long tail), where
    // bayes_count decides with grouped sums, and short per-stimulus vectors, with zeros mixed in.
    std::mt19937_64 gen(5);
    for (int trial = 0; trial < 12; ++trial) {
        const std::size_t m =
            trial < 4 ? 150 + 250 * static_cast<std::size_t>(trial) : 1 + gen() % 15;
        std::vector<std::uint64_t> c(m);
        for (auto& x : c) {
            const std::uint64_t u = gen() % 100;
            x = u < 45   ? 1
                : u < 65 ? 2
                : u < 75 ? 3
                : u < 80 ? 0
                         : 1 + gen() % (u < 95 ? 30 : 3000);
        }
        for (double r_tot : {std::ldexp(1.0, 20), std::ldexp(1.0, 14), 4.0 * static_cast<double>(m),
                             static_cast<double>(m) + 3.0, std::ldexp(1.0, 64)}) {
            const double want = bayes_count_term_by_term(c, r_tot);
            EXPECT_EQ(bayes_count(c, r_tot), want) << "m " << m << " R_tot " << r_tot;
            // The device's iteration (kernels/, the GPU estimators) is the same loop.
            EXPECT_EQ(bayes_count_from_counts(c.data(), c.size(), r_tot), want)
                << "m " << m << " R_tot " << r_tot;
            detail::BayesCountCache cache;
            EXPECT_EQ(cache(c.data(), c.size(), r_tot), want);
            EXPECT_EQ(cache(c.data(), c.size(), r_tot), want); // from the memo
        }
    }
}
