// SPDX-License-Identifier: MIT
//! \file tests/kernels/random_stream_test.cpp
//! The resampling streams (memlif/kernels/random_stream.hpp): the sequential draws the host
//! estimators make and the random access the GPU makes must be the same numbers.
#include "memlif/kernels/random_stream.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace memlif {
namespace {

constexpr std::uint64_t k_seed = 0x0123456789ABCDEFull;

TEST(RandomStream, U32NumbersAreTheLanesOfPhiloxBlocks) {
    // Documented layout: block b = philox4x32_10((b_lo, b_hi, replicate, purpose), seed).
    RandomStream rng(k_seed, RandomPurpose::bootstrap, 7);
    for (std::uint32_t b = 0; b < 5; ++b) {
        const Philox4x32 r = philox4x32_10(
            {b, 0, 7, static_cast<std::uint32_t>(RandomPurpose::bootstrap)},
            static_cast<std::uint32_t>(k_seed), static_cast<std::uint32_t>(k_seed >> 32));
        EXPECT_EQ(rng.next_u32(), r.x);
        EXPECT_EQ(rng.next_u32(), r.y);
        EXPECT_EQ(rng.next_u32(), r.z);
        EXPECT_EQ(rng.next_u32(), r.w);
    }
}

TEST(RandomStream, RandomAccessEqualsTheSequentialU64Draws) {
    for (RandomPurpose purpose : {RandomPurpose::qe_partition, RandomPurpose::label_permutation}) {
        RandomStream rng(k_seed, purpose, 123);
        for (std::uint64_t d = 0; d < 100; ++d)
            EXPECT_EQ(RandomStream::u64_at(k_seed, purpose, 123, d), rng.next_u64()) << d;
    }
}

TEST(RandomStream, BelowRejectsExactlyWhereBelowAtSaysSo) {
    // n = 2^63 + 1 rejects about half of all draws: 2^64 mod n = 2^63 - 1.
    const std::uint64_t n = (1ull << 63) + 1;
    const std::uint64_t threshold = (1ull << 63) - 1;
    const RandomPurpose p = RandomPurpose::label_permutation;
    RandomStream rng(k_seed, p, 3);
    std::uint64_t d = 0;
    int rejections = 0;
    for (int call = 0; call < 40; ++call) {
        // The sequential below(): skip the rejected numbers, take the next one mod n.
        std::uint64_t expected = 0;
        for (;; ++d) {
            bool rejected = false;
            const std::uint64_t v = RandomStream::below_at(k_seed, p, 3, d, n, rejected);
            const std::uint64_t raw = RandomStream::u64_at(k_seed, p, 3, d);
            EXPECT_EQ(rejected, raw < threshold) << d;
            EXPECT_EQ(v, raw % n);
            if (!rejected) {
                expected = v;
                ++d;
                break;
            }
            ++rejections;
        }
        EXPECT_EQ(rng.below(n), expected) << call;
    }
    EXPECT_GT(rejections, 5); // the path was exercised (about 40 expected)
}

TEST(RandomStream, SmallRangesAreNeverRejectedInPractice) {
    // For n <= 2^32 a rejection has probability < 2^-32 per draw: below_at and below agree.
    RandomStream rng(k_seed, RandomPurpose::qe_partition, 0);
    for (std::uint64_t d = 0; d < 1000; ++d) {
        const std::uint64_t n = 1 + d % 97;
        bool rejected = true;
        const std::uint64_t v =
            RandomStream::below_at(k_seed, RandomPurpose::qe_partition, 0, d, n, rejected);
        EXPECT_FALSE(rejected);
        EXPECT_EQ(v, rng.below(n));
        EXPECT_LT(v, n);
    }
}

TEST(RandomStream, PurposesAndReplicatesAreDisjointStreams) {
    std::vector<std::uint64_t> first;
    for (RandomPurpose p : {RandomPurpose::qe_partition, RandomPurpose::bin_shuffle,
                            RandomPurpose::label_permutation, RandomPurpose::bootstrap})
        for (std::uint32_t rep : {0u, 1u}) first.push_back(RandomStream::u64_at(k_seed, p, rep, 0));
    for (std::size_t i = 0; i < first.size(); ++i)
        for (std::size_t j = i + 1; j < first.size(); ++j) EXPECT_NE(first[i], first[j]);
}

} // namespace
} // namespace memlif
