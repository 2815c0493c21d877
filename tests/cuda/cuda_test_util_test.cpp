// SPDX-License-Identifier: MIT
//! \file tests/cuda/cuda_test_util_test.cpp
//! CPU test of the comparisons the GPU tests use (tests/cuda/cuda_test_util.hpp), on synthetic
//! data: a near-tie rank swap must pass and a real rank error must fail; a few differing words
//! must pass and a coherent one-bin shift of every word (which leaves MI unchanged) must fail.
#include "cuda_test_util.hpp"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace memlif {
namespace {

using test::count_differing_words;
using test::ranks_agree;
using test::WordDifference;
using test::words_agree;

constexpr double k_tol = 1e-12;
const double k_nan = std::numeric_limits<double>::quiet_NaN();

// ---------------------------------------------------------------------------------------------
// Ranks.

//! Stimuli 1 and 2 agree to 1e-14 and the host and the device order them differently, as a
//! last-bit difference of log2 does; stimulus 3 has no input spikes (NaN, rank 0).
struct NearTie {
    std::vector<double> host_sps{0.5, 0.3, 0.3 + 1e-14, k_nan};
    std::vector<double> dev_sps{0.5, 0.3 + 2e-14, 0.3 + 1e-14, k_nan};
    std::vector<std::uint32_t> host_rank = detail::rank_descending(host_sps);
    std::vector<std::uint32_t> dev_rank = detail::rank_descending(dev_sps);
};

TEST(RanksAgree, IdenticalRanksPass) {
    const NearTie t;
    EXPECT_TRUE(ranks_agree(t.host_rank, t.host_sps, t.host_rank, t.host_sps, k_tol));
}

TEST(RanksAgree, NearTieSwapPasses) {
    const NearTie t;
    // The data really is a swap: an exact comparison of the ranks fails on it.
    ASSERT_NE(t.dev_rank, t.host_rank);
    EXPECT_TRUE(ranks_agree(t.dev_rank, t.dev_sps, t.host_rank, t.host_sps, k_tol));
}

TEST(RanksAgree, RanksInconsistentWithTheDeviceSpsFail) {
    const NearTie t;
    std::vector<std::uint32_t> wrong = t.host_rank;
    std::swap(wrong[0], wrong[1]); // stimulus 0 (SpS 0.5) no longer first
    EXPECT_FALSE(ranks_agree(wrong, t.host_sps, t.host_rank, t.host_sps, k_tol));
}

TEST(RanksAgree, SwapOfDistinctValuesFails) {
    // The device ranks its own values consistently, but they swap stimuli 0 and 1, whose host
    // SpS are 0.2 apart: a real error (the SpS comparison reports it too).
    const NearTie t;
    std::vector<double> dev_sps = t.host_sps;
    std::swap(dev_sps[0], dev_sps[1]);
    EXPECT_FALSE(
        ranks_agree(detail::rank_descending(dev_sps), dev_sps, t.host_rank, t.host_sps, k_tol));
}

TEST(RanksAgree, NanOnOneSideOnlyFails) {
    const NearTie t;
    std::vector<double> dev_sps = t.host_sps;
    dev_sps[3] = 0.1;
    EXPECT_FALSE(
        ranks_agree(detail::rank_descending(dev_sps), dev_sps, t.host_rank, t.host_sps, k_tol));
}

PluginMeasures result_with(const std::vector<double>& sps, const std::vector<std::uint32_t>& rank) {
    PluginMeasures r;
    r.sps = sps;
    r.rank = rank;
    r.sss.assign(sps.size(), 0.0);
    r.i2.assign(sps.size(), 0.0);
    r.h_r_s.assign(sps.size(), 0.0);
    return r;
}

TEST(ExpectPluginNear, AcceptsNearTieAndRejectsRankError) {
    const NearTie t;
    // A failure inside would fail this test: the near-tie is accepted as a whole.
    test::expect_plugin_near(result_with(t.dev_sps, t.dev_rank),
                             result_with(t.host_sps, t.host_rank), k_tol);
    std::vector<std::uint32_t> wrong = t.host_rank;
    std::swap(wrong[0], wrong[1]);
    EXPECT_NONFATAL_FAILURE(test::expect_plugin_near(result_with(t.host_sps, wrong),
                                                     result_with(t.host_sps, t.host_rank), k_tol),
                            "not the ranking of its own SpS");
}

// ---------------------------------------------------------------------------------------------
// Trial words.

constexpr std::uint32_t k_bins = 20;
constexpr std::size_t k_stimuli = 2000;
constexpr std::uint32_t k_repeats = 20;

//! Each stimulus has a preferred word and, 30 % of the time, one of 8 shared others. Bit 19 is
//! always clear and no word is 0, so a one-bin left shift maps every word to a different one and
//! stays a bijection on the response space.
std::vector<std::uint64_t> synthetic_words() {
    std::mt19937_64 rng(20261201);
    std::vector<std::uint64_t> shared(8);
    for (auto& w : shared)
        w = (rng() & 0x7FFFFull) | 1;
    std::vector<std::uint64_t> words;
    for (std::size_t s = 0; s < k_stimuli; ++s) {
        const std::uint64_t own = (rng() & 0x7FFFFull) | 1;
        for (std::uint32_t r = 0; r < k_repeats; ++r)
            words.push_back(rng() % 10 < 3 ? shared[rng() % 8] : own);
    }
    return words;
}

double mi_of(const std::vector<std::uint64_t>& words) {
    const std::vector<double> p_s(k_stimuli, 1.0 / k_stimuli);
    const std::vector<std::uint32_t> n_spk(k_stimuli, 1);
    return compute_plugin(counts_from_words(words, k_stimuli, k_repeats, k_bins), p_s, n_spk).mi;
}

TEST(WordsAgree, IdenticalWordsPassEvenForTheParityBuild) {
    const auto w = synthetic_words();
    const WordDifference d = count_differing_words(w, w);
    EXPECT_EQ(d.differing, 0u);
    EXPECT_EQ(d.total, w.size());
    EXPECT_TRUE(words_agree(d, 0.0));
    EXPECT_TRUE(words_agree(d, test::k_max_differing_word_fraction));
}

TEST(WordsAgree, FewDifferingWordsPassTheDefaultBoundOnly) {
    const auto w = synthetic_words();
    auto v = w;
    for (std::size_t t = 0; t < 10; ++t)
        v[t * 3989] ^= 1ull << 7; // 10 of 40000 = 2.5e-4
    const WordDifference d = count_differing_words(v, w);
    EXPECT_EQ(d.differing, 10u);
    EXPECT_TRUE(words_agree(d, test::k_max_differing_word_fraction));
    EXPECT_FALSE(words_agree(d, 0.0));
}

TEST(WordsAgree, TooManyDifferingWordsFail) {
    const auto w = synthetic_words();
    auto v = w;
    for (std::size_t t = 0; t < 80; ++t)
        v[t * 499] ^= 1ull << 3; // 80 of 40000 = 2e-3
    EXPECT_FALSE(words_agree(count_differing_words(v, w), test::k_max_differing_word_fraction));
}

TEST(WordsAgree, CoherentOneBinShiftFailsAlthoughMiIsUnchanged) {
    const auto w = synthetic_words();
    std::vector<std::uint64_t> shifted;
    for (std::uint64_t x : w)
        shifted.push_back(x << 1);
    // The MI-only check of the parity test cannot see it: relabelling responses keeps MI.
    const double mi = mi_of(w);
    EXPECT_GT(mi, 1.0);
    EXPECT_NEAR(mi_of(shifted), mi, 1e-12);
    const WordDifference d = count_differing_words(shifted, w);
    EXPECT_EQ(d.differing, w.size());
    EXPECT_FALSE(words_agree(d, test::k_max_differing_word_fraction));
}

TEST(WordsAgree, LengthMismatchCountsAsDiffering) {
    const std::vector<std::uint64_t> a{1, 2, 3, 4}, b{1, 2, 3};
    const WordDifference d = count_differing_words(a, b);
    EXPECT_EQ(d.total, 4u);
    EXPECT_EQ(d.differing, 1u);
    EXPECT_FALSE(words_agree(WordDifference{}, 1.0)) << "nothing compared must not pass";
}

} // namespace
} // namespace memlif
