// SPDX-License-Identifier: MIT
//! \file tests/host/stimulus_set_test.cpp
//! Stimulus enumeration against the counts derived in model.md §4.3 / information.md §7.6.
#include "host/stimulus_set.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace memlif {
namespace {

TEST(StimulusSet, SymmetricHas3876ClassesWithTheDerivedMultiplicities) {
    const StimulusSet s = make_stimulus_set(StimulusSetKind::symmetric);
    ASSERT_EQ(s.size(), 3876u);
    std::map<std::uint32_t, int> hist;
    std::uint64_t total = 0;
    for (auto m : s.multiplicity) {
        ++hist[m];
        total += m;
    }
    EXPECT_EQ(total, 65536u);
    EXPECT_EQ(hist,
              (std::map<std::uint32_t, int>{{24, 1820}, {12, 1680}, {6, 120}, {4, 240}, {1, 16}}));
}

TEST(StimulusSet, ClassesPerSpikeCount) {
    const StimulusSet s = make_stimulus_set(StimulusSetKind::symmetric);
    std::vector<int> per(17, 0);
    for (auto n : s.n_input_spikes) ++per[n];
    EXPECT_EQ(per, (std::vector<int>{1, 4, 16, 48, 133, 272, 468, 636, 720, 636, 468, 272, 133, 48,
                                     16, 4, 1}));
}

//! The multiset of per-input patterns of an ordered code.
std::multiset<int> classify(std::uint32_t code) {
    return {static_cast<int>(code & 15), static_cast<int>((code >> 4) & 15),
            static_cast<int>((code >> 8) & 15), static_cast<int>((code >> 12) & 15)};
}

TEST(StimulusSet, MultiplicityCountsTheOrderedMembers) {
    const StimulusSet sym = make_stimulus_set(StimulusSetKind::symmetric);
    std::map<std::multiset<int>, std::uint32_t> members;
    for (std::uint32_t code = 0; code < 65536; ++code) ++members[classify(code)];
    ASSERT_EQ(members.size(), 3876u);
    std::set<std::multiset<int>> seen;
    for (std::size_t i = 0; i < sym.size(); ++i) {
        const auto cls = classify(sym.codes[i]);
        EXPECT_TRUE(seen.insert(cls).second) << "duplicate class at " << i;
        EXPECT_EQ(members[cls], sym.multiplicity[i]);
        // canonical member: input i gets P_i of the nondecreasing tuple
        const int p0 = sym.codes[i] & 15, p1 = (sym.codes[i] >> 4) & 15,
                  p2 = (sym.codes[i] >> 8) & 15, p3 = sym.codes[i] >> 12;
        EXPECT_TRUE(p0 <= p1 && p1 <= p2 && p2 <= p3);
    }
    // lexicographic order of the tuple
    EXPECT_EQ(sym.codes.front(), 0u);
    EXPECT_EQ(sym.codes[1], 0x1000u); // (0,0,0,1)
    EXPECT_EQ(sym.codes.back(), 0xFFFFu);
}

TEST(StimulusSet, AllIsTheIdentity) {
    const StimulusSet s = make_stimulus_set(StimulusSetKind::all);
    ASSERT_EQ(s.size(), 65536u);
    for (std::uint32_t c = 0; c < 65536; c += 977) {
        EXPECT_EQ(s.codes[c], c);
        EXPECT_EQ(s.multiplicity[c], 1u);
    }
}

double entropy_bits(const std::vector<double>& p) {
    double h = 0;
    for (double x : p) h -= x > 0 ? x * std::log2(x) : 0;
    return h;
}

TEST(StimulusSet, ProbabilityModesHaveTheSpecEntropies) {
    const StimulusSet s = make_stimulus_set(StimulusSetKind::symmetric);
    // information.md §2: H(S) = 11.9203528554 (uniform classes), 11.7836123803 (multiplicity)
    EXPECT_NEAR(entropy_bits(stimulus_probabilities(s, StimulusProbability::uniform)),
                11.9203528554, 1e-10);
    EXPECT_NEAR(entropy_bits(stimulus_probabilities(s, StimulusProbability::multiplicity)),
                11.7836123803, 1e-10);
}

} // namespace
} // namespace memlif
