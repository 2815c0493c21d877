// SPDX-License-Identifier: MIT
//! \file host/stimulus_set.hpp
//! The stimulus sets of Benatti et al. 2023 (Sec. 3): 4 inputs x 4 bins = 16-bit patterns.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace memlif {

enum class StimulusSetKind { symmetric, all };
enum class StimulusProbability { uniform, multiplicity };

//! A stimulus set with one entry per stimulus.
struct StimulusSet {
    StimulusSetKind kind = StimulusSetKind::symmetric;
    std::vector<std::uint16_t> codes; //!< bit 4 i + b = spike of input i in input bin b
    std::vector<std::uint32_t>
        multiplicity; //!< ordered patterns represented (4!/prod k_j! per class)
    std::vector<std::uint32_t> n_input_spikes; //!< popcount(code), 0..16
    std::size_t size() const { return codes.size(); }
};

//! `symmetric`: the 3876 multisets {P1 <= P2 <= P3 <= P4} of 4-bit per-input patterns, in
//! lexicographic order of the nondecreasing tuple, each delivered as its canonical member
//! (input i gets P_i), with multiplicity 4!/prod_j k_j! (model.md §4.3). `all`: the 65536 patterns,
//! code = index, multiplicity 1.
StimulusSet make_stimulus_set(StimulusSetKind kind);

//! p(s): uniform over the set, or proportional to the multiplicity (then the class MI equals the MI
//! over the 65536 equiprobable patterns for a permutation-symmetric neuron, information.md §2).
std::vector<double> stimulus_probabilities(const StimulusSet& set, StimulusProbability mode);

const char* to_string(StimulusSetKind k);
const char* to_string(StimulusProbability p);

} // namespace memlif
