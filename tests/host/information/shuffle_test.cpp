// SPDX-License-Identifier: MIT
//! \file tests/host/information/shuffle_test.cpp
//! I_sh against information.md §7.5 (exact average over all permutations) and pyentropy toy1;
//! I_sh with QE on every term against exact expectations enumerated here.
#include "host/information/estimators.hpp"
#include "host/information/plugin.hpp"
#include "host/information/shuffle.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

using namespace memlif;

namespace {

// §7.5: w = 2*b1 + b2 (b2 = bin 0, b1 = bin 1). s0 correlated bins, s1 anti-correlated.
const std::vector<std::uint64_t> s0_trials{0, 3, 3, 0};
const std::vector<std::uint64_t> s1_trials{2, 1, 2, 1};

double entropy_of(const std::vector<std::uint64_t>& w) {
    std::map<std::uint64_t, double> n;
    for (auto x : w) n[x] += 1;
    double h = 0;
    for (auto& [k, c] : n) h -= c / w.size() * std::log2(c / w.size());
    return h;
}

} // namespace

TEST(Shuffle, ExactPermutationAverage) {
    const auto c = counts_from_trials({s0_trials, s1_trials}, 2);
    const PluginMeasures pl = compute_plugin(c, {0.5, 0.5}, {1, 1});
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

// ---- I_sh with QE on every term (information.md §4.4, §4.5) ----

namespace {

//! Independent reference for 2-bit words (b0 = bit 0, b1 = bit 1) and block partitions.
struct QeShReference {
    double h_r = 0, h_rs = 0, h_ind = 0, h_sh = 0;
};

//! Lagrange weights at 1/n = 0 through 1/n1, 1/n2, 1/n4, written out here.
std::array<double, 3> lagrange_at_zero(double n1, double n2, double n4) {
    const double x1 = 1 / n1, x2 = 1 / n2, x4 = 1 / n4;
    return {x2 * x4 / ((x2 - x1) * (x4 - x1)), x1 * x4 / ((x1 - x2) * (x4 - x2)),
            x1 * x2 / ((x1 - x4) * (x2 - x4))};
}

//! Pile j of k: trials j, j+k, ... of the ascending list, floor(n/k) of them.
std::vector<std::uint64_t> deal(std::vector<std::uint64_t> t, std::size_t k, std::size_t j) {
    std::sort(t.begin(), t.end());
    std::vector<std::uint64_t> out;
    for (std::size_t i = 0; i < t.size() / k; ++i) out.push_back(t[j + i * k]);
    return out;
}

double bit_entropy_sum(const std::vector<std::uint64_t>& w) {
    std::vector<std::uint64_t> b0, b1;
    for (auto x : w) {
        b0.push_back(x & 1);
        b1.push_back(x >> 1 & 1);
    }
    return entropy_of(b0) + entropy_of(b1);
}

//! Exact mean over all permutations of bit 1 across the trials (bit 0 in place).
double shuffled_mean_entropy(const std::vector<std::uint64_t>& w) {
    std::vector<std::size_t> perm(w.size());
    std::iota(perm.begin(), perm.end(), 0);
    double sum = 0;
    int count = 0;
    do {
        std::vector<std::uint64_t> v;
        for (std::size_t t = 0; t < w.size(); ++t) v.push_back((w[t] & 1) | (w[perm[t]] & 2));
        sum += entropy_of(v);
        ++count;
    } while (std::next_permutation(perm.begin(), perm.end()));
    return sum / count;
}

//! Equal N_s (divisible by 4) and p(s) = 1/S, so every level pools equal shares.
QeShReference qe_sh_reference(const std::vector<std::vector<std::uint64_t>>& stim) {
    const double n = static_cast<double>(stim[0].size());
    const auto w = lagrange_at_zero(n, n / 2, n / 4);
    const double p = 1.0 / stim.size();
    QeShReference ref;
    const std::size_t ks[3] = {1, 2, 4};
    for (int l = 0; l < 3; ++l) {
        const std::size_t k = ks[l];
        for (std::size_t j = 0; j < k; ++j) {
            std::vector<std::uint64_t> pooled;
            for (const auto& t : stim) {
                const auto pile = deal(t, k, j);
                pooled.insert(pooled.end(), pile.begin(), pile.end());
                ref.h_rs += w[l] / k * p * entropy_of(pile);
                ref.h_ind += w[l] / k * p * bit_entropy_sum(pile);
                ref.h_sh += w[l] / k * p * shuffled_mean_entropy(pile);
            }
            ref.h_r += w[l] / k * entropy_of(pooled);
        }
    }
    return ref;
}

ShuffleOptions qe_block_options(std::uint32_t replicates) {
    ShuffleOptions o;
    o.inner = InnerEstimator::qe;
    o.qe_partition = QePartition::block;
    o.replicates = replicates;
    o.seed = 9;
    return o;
}

} // namespace

TEST(ShuffleQe, WeightsOfTheReferenceAreThoseOfTheSpec) {
    const auto w = lagrange_at_zero(16, 8, 4);
    EXPECT_NEAR(w[0], 8.0 / 3.0, 1e-12);
    EXPECT_NEAR(w[1], -2.0, 1e-12);
    EXPECT_NEAR(w[2], 1.0 / 3.0, 1e-12);
}

TEST(ShuffleQe, ExactExpectationSection75Data) {
    // §7.5 data, N_s = 4: halves {0,3} / {1,2}, quarters single trials (entropy 0).
    // H_QE(R) = 8/3*2 - 2*2 + 1/3*1 = 5/3; H_QE(R|S) = 8/3 - 2 = 2/3; H_ind,QE = 4/3;
    // E[H_sh,QE] = 8/3 * 5/3 - 2 * 1 = 22/9 (both orders of a 2-trial half have entropy 1).
    const auto ref = qe_sh_reference({s0_trials, s1_trials});
    EXPECT_NEAR(ref.h_r, 5.0 / 3.0, 1e-12);
    EXPECT_NEAR(ref.h_rs, 2.0 / 3.0, 1e-12);
    EXPECT_NEAR(ref.h_ind, 4.0 / 3.0, 1e-12);
    EXPECT_NEAR(ref.h_sh, 22.0 / 9.0, 1e-12);
    const auto c = counts_from_trials({s0_trials, s1_trials}, 2);
    const ShuffleResult r = compute_shuffle(c, {0.5, 0.5}, qe_block_options(3000));
    EXPECT_NEAR(r.h_r, ref.h_r, 1e-12);
    EXPECT_NEAR(r.h_rs, ref.h_rs, 1e-12);
    EXPECT_NEAR(r.h_ind_rs, ref.h_ind, 1e-12);
    const double se = r.h_sh_rs_sd / std::sqrt(3000.0);
    EXPECT_GT(se, 0.0);
    EXPECT_NEAR(r.h_sh_rs, ref.h_sh, 4 * se);
    EXPECT_NEAR(r.mi, ref.h_r - ref.h_ind + ref.h_sh - ref.h_rs, 4 * se);
    EXPECT_FALSE(r.flags.qe_fallback);
}

TEST(ShuffleQe, ExactExpectationEightTrials) {
    // N_s = 8: halves of 4 and quarters of 2 are shuffled within themselves. The third
    // stimulus's halves are {0, 0, 3, 3}: entropy 1 unshuffled, more after shuffling, so a
    // version that left the subsamples unshuffled would miss E[H_sh,QE] by about 0.44 bits.
    const std::vector<std::vector<std::uint64_t>> stim{
        {0, 0, 3, 3, 1, 3, 0, 2}, {1, 2, 2, 1, 3, 0, 2, 1}, {3, 0, 3, 0, 0, 3, 3, 0}};
    const auto ref = qe_sh_reference(stim);
    const auto c = counts_from_trials(stim, 2);
    const ShuffleResult r = compute_shuffle(c, test::uniform_p(3), qe_block_options(2000));
    EXPECT_NEAR(r.h_r, ref.h_r, 1e-12);
    EXPECT_NEAR(r.h_rs, ref.h_rs, 1e-12);
    EXPECT_NEAR(r.h_ind_rs, ref.h_ind, 1e-12);
    const double se = r.h_sh_rs_sd / std::sqrt(2000.0);
    EXPECT_GT(se, 0.0);
    EXPECT_NEAR(r.h_sh_rs, ref.h_sh, 4 * se);
    // The plug-in I_sh of the same data differs (no extrapolation), so the test discriminates.
    ShuffleOptions plug = qe_block_options(2000);
    plug.inner = InnerEstimator::plugin;
    EXPECT_GT(std::fabs(compute_shuffle(c, test::uniform_p(3), plug).h_ind_rs - ref.h_ind), 0.01);
}

TEST(ShuffleQe, ShuffledPartitionSharesQePartitionsAndIsReproducible) {
    const auto c = counts_from_trials(
        {{0, 1, 2, 3, 3, 1, 0, 2, 2}, {1, 1, 1, 3, 0, 2}, {2, 2, 0, 0, 3, 1, 1, 3, 2, 0}}, 2);
    const auto p = test::empirical(c);
    ShuffleOptions o;
    o.inner = InnerEstimator::qe;
    o.qe_replicates = 7;
    o.seed = 31;
    const ShuffleResult a = compute_shuffle(c, p, o);
    QeOptions q;
    q.replicates = 7;
    q.seed = 31;
    const QeResult qe = compute_quadratic_extrapolation(c, p, q);
    EXPECT_EQ(a.h_r, qe.h_r);
    EXPECT_EQ(a.h_rs, qe.h_rs);
    const ShuffleResult b = compute_shuffle(c, p, o);
    EXPECT_EQ(a.mi, b.mi);
    EXPECT_EQ(a.h_sh_rs, b.h_sh_rs);
    o.seed = 32;
    EXPECT_NE(compute_shuffle(c, p, o).mi, a.mi);
}

TEST(ShuffleQe, SingleResponseOverallGivesZero) {
    const auto c = counts_from_trials({{5, 5, 5, 5}, {5, 5, 5, 5, 5}}, 3);
    ShuffleOptions o;
    o.inner = InnerEstimator::qe;
    EXPECT_NEAR(compute_shuffle(c, test::empirical(c), o).mi, 0.0, 1e-15);
}

TEST(ShuffleQe, SmallSamplePolicy) {
    const auto c = counts_from_trials({{0, 1, 2, 3}, {1, 2, 3}}, 2);
    const auto p = test::empirical(c);
    ShuffleOptions o;
    o.inner = InnerEstimator::qe;
    EXPECT_THROW(compute_shuffle(c, p, o), std::domain_error);
    o.small_sample = SmallSamplePolicy::fallback;
    const ShuffleResult r = compute_shuffle(c, p, o);
    EXPECT_TRUE(r.flags.qe_fallback);
    ShuffleOptions plug = o;
    plug.inner = InnerEstimator::plugin;
    EXPECT_EQ(r.mi, compute_shuffle(c, p, plug).mi);
}

TEST(ShuffleQe, OptionStrings) {
    EXPECT_EQ(parse_inner_estimator("qe"), InnerEstimator::qe);
    EstimatorOptions o;
    o.qe_inner = InnerEstimator::qe;
    EXPECT_THROW(validate_estimator_options(o), std::invalid_argument);
    QeOptions q;
    q.inner = InnerEstimator::qe;
    const auto c = counts_from_trials({{0, 1, 2, 3}, {1, 2, 3, 3}}, 2);
    EXPECT_THROW(compute_quadratic_extrapolation(c, {0.5, 0.5}, q), std::invalid_argument);
    // The dispatcher forwards sh.inner = qe with the QE partition options.
    EstimatorOptions e;
    e.estimators = {"sh"};
    e.sh_inner = InnerEstimator::qe;
    e.qe_partition = QePartition::block;
    e.seed = 4;
    ShuffleOptions so = qe_block_options(e.sh_replicates);
    so.seed = 4;
    EXPECT_EQ(compute_estimators(c, {0.5, 0.5}, {1, 1}, e).estimates[0].mi,
              compute_shuffle(c, {0.5, 0.5}, so).mi);
}
