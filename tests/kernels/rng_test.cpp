// SPDX-License-Identifier: MIT
//! \file tests/kernels/rng_test.cpp
#include "memlif/kernels/rng.hpp"
#include "memlif/kernels/trial_id.hpp"

#include <gtest/gtest.h>

#if __has_include(<Random123/philox.h>)
#include <Random123/philox.h>
#define MEMLIF_HAVE_RANDOM123 1
#else
#define MEMLIF_HAVE_RANDOM123 0
#endif

namespace memlif {
namespace {

struct Kat {
    std::uint32_t ctr[4], key[2], out[4];
};

// Published known-answer vectors of Philox4x32-10 (Random123 kat_vectors, Salmon et al. SC'11).
const Kat k_kat[] = {
    {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
     {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

TEST(Philox, KnownAnswerVectors) {
    for (const Kat& k : k_kat) {
        const Philox4x32 r =
            philox4x32_10({k.ctr[0], k.ctr[1], k.ctr[2], k.ctr[3]}, k.key[0], k.key[1]);
        EXPECT_EQ(r.x, k.out[0]);
        EXPECT_EQ(r.y, k.out[1]);
        EXPECT_EQ(r.z, k.out[2]);
        EXPECT_EQ(r.w, k.out[3]);
    }
}

TEST(Philox, AgreesWithRandom123) {
    if (!MEMLIF_HAVE_RANDOM123)
        GTEST_SKIP() << "Random123 headers not installed (librandom123-dev)";
#if MEMLIF_HAVE_RANDOM123
    r123::Philox4x32 ref;
    for (std::uint32_t i = 0; i < 1000; ++i) {
        const std::uint32_t a = i * 2654435761u, b = i ^ 0xdeadbeefu;
        r123::Philox4x32::ctr_type c = {{a, b, i, ~i}};
        r123::Philox4x32::key_type k = {{b, a + 7}};
        const auto e = ref(c, k);
        const Philox4x32 r = philox4x32_10({a, b, i, ~i}, b, a + 7);
        ASSERT_EQ(r.x, e.v[0]);
        ASSERT_EQ(r.y, e.v[1]);
        ASSERT_EQ(r.z, e.v[2]);
        ASSERT_EQ(r.w, e.v[3]);
    }
#endif
}

TEST(TrialId, FieldsDoNotOverlap) {
    EXPECT_EQ(make_trial_id(0, 0, 0), 0u);
    EXPECT_EQ(make_trial_id(1, 0, 0), 1ull << 48);
    EXPECT_EQ(make_trial_id(0, 0xFFFF, 0), 0xFFFFull << 32);
    EXPECT_EQ(make_trial_id(0, 0, 0xFFFFFFFFu), 0xFFFFFFFFull);
    EXPECT_NE(make_trial_id(2, 3, 4), make_trial_id(3, 2, 4));
}

TEST(TrialDraw, StreamsAndDrawsDiffer) {
    const auto a = trial_draw(42, 7, 0, RngStream::jitter);
    const auto b = trial_draw(42, 7, 1, RngStream::jitter);
    const auto c = trial_draw(42, 7, 0, RngStream::backspike);
    const auto d = trial_draw(43, 7, 0, RngStream::jitter);
    EXPECT_NE(a.x, b.x);
    EXPECT_NE(a.x, c.x);
    EXPECT_NE(a.x, d.x);
}

TEST(U01, OpenInterval) {
    EXPECT_GT(u01_open(0), 0.0);
    EXPECT_LT(u01_open(0xFFFFFFFFu), 1.0);
}

} // namespace
} // namespace memlif
