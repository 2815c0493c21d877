// SPDX-License-Identifier: MIT
//! \file kernels/memlif/core/counts.cpp
#include "memlif/core/counts.hpp"

#include <algorithm>

namespace memlif {

namespace {

//! Sorts one stimulus's trial words and appends them run-length encoded (ascending, counts > 0).
void append_stimulus(ConditionCounts& c, std::vector<std::uint64_t>& w) {
    std::sort(w.begin(), w.end());
    for (std::size_t i = 0; i < w.size();) {
        std::size_t j = i + 1;
        while (j < w.size() && w[j] == w[i]) ++j;
        c.words.push_back(w[i]);
        c.counts.push_back(j - i);
        i = j;
    }
    c.offsets.push_back(c.words.size());
}

} // namespace

ConditionCounts
counts_from_trials(const std::vector<std::vector<std::uint64_t>>& words_per_stimulus,
                   std::uint32_t n_bins) {
    ConditionCounts c;
    c.n_bins = n_bins;
    c.offsets.reserve(words_per_stimulus.size() + 1);
    c.offsets.push_back(0);
    std::vector<std::uint64_t> w;
    for (const auto& trials : words_per_stimulus) {
        w.assign(trials.begin(), trials.end());
        append_stimulus(c, w);
    }
    return c;
}

ConditionCounts counts_from_words(const std::vector<std::uint64_t>& words, std::size_t n_stimuli,
                                  std::uint32_t n_repeats, std::uint32_t n_bins) {
    ConditionCounts c;
    c.n_bins = n_bins;
    c.offsets.reserve(n_stimuli + 1);
    c.offsets.push_back(0);
    append_counts_from_words(c, words.data(), n_stimuli, n_repeats);
    return c;
}

void append_counts_from_words(ConditionCounts& c, const std::uint64_t* words, std::size_t n_stimuli,
                              std::uint32_t n_repeats) {
    std::vector<std::uint64_t> w;
    for (std::size_t s = 0; s < n_stimuli; ++s) {
        w.assign(words + s * n_repeats, words + (s + 1) * n_repeats);
        append_stimulus(c, w);
    }
}

} // namespace memlif
