// SPDX-License-Identifier: MIT
//! \file tests/host/information/shuffle_test.cpp
//! I_sh against information.md §7.5 (exact average over all permutations) and pyentropy toy1.
#include "host/information/plugin.hpp"
#include "host/information/shuffle.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

using namespace memlif;

namespace {

// §7.5: w = 2*b1 + b2 (b2 = bin 0, b1 = bin 1). s0 correlated bins, s1 anti-correlated.
const std::vector<std::uint64_t> s0_trials{0, 3, 3, 0};
const std::vector<std::uint64_t> s1_trials{2, 1, 2, 1};

double entropy_of(const std::vector<std::uint64_t>& w) {
    std::map<std::uint64_t, double> n;
    for (auto x : w)
        n[x] += 1;
    double h = 0;
    for (auto& [k, c] : n)
        h -= c / w.size() * std::log2(c / w.size());
    return h;
}

} // namespace

TEST(Shuffle, ExactPermutationAverage) {
    const auto c = counts_from_trials({s0_trials, s1_trials}, 2);
    const PluginResult pl = compute_plugin(c, {0.5, 0.5}, {1, 1});
    EXPECT_NEAR(pl.h_r, 2.0, 1e-12);
    EXPECT_NEAR(pl.h_rs, 1.0, 1e-12);
    EXPECT_NEAR(detail::independent_conditional_entropy(c, {0.5, 0.5}, 1, InnerEstimator::plugin),
                2.0, 1e-12);
    // Enumerate all 4! x 4! relative permutations of bin 1 (bin 0 fixed) through the estimator's
    // own component shuffler.
    std::vector<std::uint32_t> p0{0, 1, 2, 3};
    double sum = 0;
    int count = 0;
    do {
        std::vector<std::uint32_t> p1{0, 1, 2, 3};
        do {
            const auto a = detail::shuffle_components(s0_trials, 2, 1, {{}, p0});
            const auto b = detail::shuffle_components(s1_trials, 2, 1, {{}, p1});
            sum += 0.5 * entropy_of(a) + 0.5 * entropy_of(b);
            ++count;
        } while (std::next_permutation(p1.begin(), p1.end()));
    } while (std::next_permutation(p0.begin(), p0.end()));
    EXPECT_EQ(count, 576);
    const double e_hsh = sum / count;
    EXPECT_NEAR(e_hsh, 1.6666666667, 1e-10);
    EXPECT_NEAR(pl.h_r - 2.0 + e_hsh - pl.h_rs, 0.6666666667, 1e-10);
}

TEST(Shuffle, SeededEstimatorConvergesToPermutationAverage) {
    const auto c = counts_from_trials({s0_trials, s1_trials}, 2);
    ShuffleOptions o;
    o.replicates = 4000;
    o.seed = 42;
    const ShuffleResult r = compute_shuffle(c, {0.5, 0.5}, o);
    EXPECT_NEAR(r.h_r, 2.0, 1e-12);
    EXPECT_NEAR(r.h_rs, 1.0, 1e-12);
    EXPECT_NEAR(r.h_ind_rs, 2.0, 1e-12);
    const double se = r.h_sh_rs_sd / std::sqrt(4000.0);
    EXPECT_GT(se, 0.0);
    EXPECT_NEAR(r.h_sh_rs, 5.0 / 3.0, 4 * se);
    EXPECT_NEAR(r.mi, 2.0 / 3.0, 4 * se);
    // Reproducible under the same seed.
    EXPECT_EQ(compute_shuffle(c, {0.5, 0.5}, o).mi, r.mi);
}

TEST(Shuffle, ComponentShufflerMovesOnlyPermutedComponents) {
    const std::vector<std::uint64_t> t{0b0110, 0b1001, 0b1111};
    const auto out = detail::shuffle_components(t, 4, 2, {{}, {2, 0, 1}});
    // Low 2 bits stay; high 2 bits come from trials 2, 0, 1.
    EXPECT_EQ(out, (std::vector<std::uint64_t>{0b1110, 0b0101, 0b1011}));
}

TEST(Shuffle, PyentropyToy1IndependentEntropy) {
    auto w = [](std::uint64_t a, std::uint64_t b, std::uint64_t c) { return a | b << 2 | c << 4; };
    const auto c = counts_from_trials(
        {{w(0, 1, 1), w(1, 1, 2), w(1, 1, 1)}, {w(0, 1, 1), w(0, 2, 1), w(0, 0, 0)}}, 6);
    EXPECT_NEAR(detail::independent_conditional_entropy(c, {0.5, 0.5}, 2, InnerEstimator::plugin),
                2.1699250014423122, 1e-12);
    ShuffleOptions o;
    o.bits_per_component = 2;
    const ShuffleResult r = compute_shuffle(c, {0.5, 0.5}, o);
    EXPECT_NEAR(r.h_r, 2.2516291673878226, 1e-12);
    EXPECT_NEAR(r.h_rs, 1.5849625007211561, 1e-12);
    EXPECT_NEAR(r.h_ind_rs, 2.1699250014423122, 1e-12);
}

TEST(Shuffle, SingleResponseOverallGivesZero) {
    const auto c = counts_from_trials({{5, 5, 5, 5}, {5, 5, 5}}, 3);
    for (InnerEstimator inner : {InnerEstimator::plugin, InnerEstimator::pt}) {
        ShuffleOptions o;
        o.inner = inner;
        EXPECT_NEAR(compute_shuffle(c, test::empirical(c), o).mi, 0.0, 1e-15);
    }
}

TEST(Shuffle, PtPerComponentUsesBinaryResponseSpace) {
    // One stimulus, one bin with counts [3, 1]: R~ over R_tot = 2 is 2.
    const auto c = counts_from_trials({{0, 0, 0, 1}}, 1);
    const double h = detail::independent_conditional_entropy(c, {1.0}, 1, InnerEstimator::pt);
    EXPECT_NEAR(h, test::h2(0.25) + 1.0 / (2 * 4 * std::log(2.0)), 1e-12);
}
