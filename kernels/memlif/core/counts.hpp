// SPDX-License-Identifier: MIT
//! \file kernels/memlif/core/counts.hpp
//! Response counts n(r|s) of one condition (one conductance point), the product every estimator
//! reads.
#pragma once

#include <cstdint>
#include <vector>

namespace memlif {

//! Sparse per-stimulus response histogram in CSR form.
//! Stimulus s owns entries [offsets[s], offsets[s+1]); within a stimulus, words are strictly
//! ascending and every count is > 0. Word bit b is output time bin b (bin 0 earliest, "lsb_first").
struct ConditionCounts {
    std::uint32_t n_bins = 0;           //!< L, response word length in bins (1..64)
    std::vector<std::uint64_t> offsets; //!< size n_stimuli + 1, offsets[0] = 0
    std::vector<std::uint64_t> words;   //!< response words, ascending within each stimulus
    std::vector<std::uint64_t> counts;  //!< n(r|s) > 0, same length as words

    std::size_t n_stimuli() const { return offsets.empty() ? 0 : offsets.size() - 1; }
    //! N: number of trials of all stimuli.
    std::uint64_t n_trials_total() const {
        std::uint64_t n = 0;
        for (std::uint64_t c : counts) n += c;
        return n;
    }
    //! N_s: number of trials of stimulus s.
    std::uint64_t n_trials(std::size_t s) const {
        std::uint64_t n = 0;
        for (std::uint64_t k = offsets[s]; k < offsets[s + 1]; ++k) n += counts[k];
        return n;
    }
};

//! Builds CSR counts from per-stimulus lists of (word, count) pairs; used by tests and tools.
//! Each inner vector is a list of response words observed for that stimulus (one entry per trial).
ConditionCounts
counts_from_trials(const std::vector<std::vector<std::uint64_t>>& words_per_stimulus,
                   std::uint32_t n_bins);

//! Builds the CSR counts of one condition from its trial words, laid out stimulus-major with
//! `n_repeats` consecutive words per stimulus. Shared by both backends' host-side paths and tests.
ConditionCounts counts_from_words(const std::vector<std::uint64_t>& words, std::size_t n_stimuli,
                                  std::uint32_t n_repeats, std::uint32_t n_bins);

//! Appends the stimuli of `words` (n_stimuli x n_repeats trial words, stimulus-major) to `c`,
//! whose offsets must already hold its leading 0: a condition counted slice by slice of whole
//! stimuli equals counts_from_words of all its words, without holding them all at once.
void append_counts_from_words(ConditionCounts& c, const std::uint64_t* words, std::size_t n_stimuli,
                              std::uint32_t n_repeats);

} // namespace memlif
