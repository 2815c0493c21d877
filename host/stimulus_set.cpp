// SPDX-License-Identifier: MIT
//! \file host/stimulus_set.cpp
#include "stimulus_set.hpp"

#include <bitset>

namespace memlif {

namespace {

std::uint32_t factorial(std::uint32_t n) { return n <= 1 ? 1 : n * factorial(n - 1); }

//! 4! / prod_j k_j! for a nondecreasing tuple.
std::uint32_t class_multiplicity(const std::uint32_t (&p)[4]) {
    std::uint32_t denom = 1;
    for (int i = 0; i < 4;) {
        int j = i;
        while (j < 4 && p[j] == p[i]) ++j;
        denom *= factorial(static_cast<std::uint32_t>(j - i));
        i = j;
    }
    return factorial(4) / denom;
}

} // namespace

StimulusSet make_stimulus_set(StimulusSetKind kind) {
    StimulusSet set;
    set.kind = kind;
    auto add = [&set](std::uint32_t code, std::uint32_t mult) {
        set.codes.push_back(static_cast<std::uint16_t>(code));
        set.multiplicity.push_back(mult);
        set.n_input_spikes.push_back(static_cast<std::uint32_t>(std::bitset<16>(code).count()));
    };
    if (kind == StimulusSetKind::all) {
        for (std::uint32_t code = 0; code < 65536; ++code) add(code, 1);
        return set;
    }
    for (std::uint32_t a = 0; a < 16; ++a)
        for (std::uint32_t b = a; b < 16; ++b)
            for (std::uint32_t c = b; c < 16; ++c)
                for (std::uint32_t d = c; d < 16; ++d) {
                    const std::uint32_t p[4] = {a, b, c, d};
                    add(a | (b << 4) | (c << 8) | (d << 12), class_multiplicity(p));
                }
    return set;
}

std::vector<double> stimulus_probabilities(const StimulusSet& set, StimulusProbability mode) {
    std::vector<double> p(set.size());
    if (mode == StimulusProbability::uniform) {
        for (auto& x : p) x = 1.0 / static_cast<double>(set.size());
        return p;
    }
    double total = 0;
    for (auto m : set.multiplicity) total += m;
    for (std::size_t s = 0; s < p.size(); ++s) p[s] = set.multiplicity[s] / total;
    return p;
}

const char* to_string(StimulusSetKind k) { return k == StimulusSetKind::all ? "all" : "symmetric"; }

const char* to_string(StimulusProbability p) {
    return p == StimulusProbability::uniform ? "uniform" : "multiplicity";
}

} // namespace memlif
