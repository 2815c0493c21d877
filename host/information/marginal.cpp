// SPDX-License-Identifier: MIT
//! \file host/information/marginal.cpp
#include "marginal.hpp"

#include "memlif/kernels/entropy.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace memlif {
namespace detail {

void validate_inputs(const ConditionCounts& counts, const std::vector<double>& p_s,
                     const std::vector<std::uint32_t>* n_spk) {
    const std::size_t ns = counts.n_stimuli();
    if (counts.n_bins < 1 || counts.n_bins > 64)
        throw std::invalid_argument("counts.n_bins must be in 1..64, got " +
                                    std::to_string(counts.n_bins));
    if (counts.words.size() != counts.counts.size())
        throw std::invalid_argument("counts.words and counts.counts differ in length");
    if (!counts.offsets.empty() && counts.offsets.back() != counts.words.size())
        throw std::invalid_argument("counts.offsets does not end at the number of entries");
    if (p_s.size() != ns)
        throw std::invalid_argument("p_s has " + std::to_string(p_s.size()) + " entries for " +
                                    std::to_string(ns) + " stimuli");
    if (n_spk != nullptr && n_spk->size() != ns)
        throw std::invalid_argument("n_spk has " + std::to_string(n_spk->size()) + " entries for " +
                                    std::to_string(ns) + " stimuli");
    double sum = 0.0;
    bool any_trials = false;
    for (std::size_t s = 0; s < ns; ++s) {
        if (!(p_s[s] >= 0.0))
            throw std::invalid_argument("p_s[" + std::to_string(s) + "] is negative or NaN");
        const std::uint64_t n = counts.n_trials(s);
        if (n == 0 && p_s[s] != 0.0)
            throw std::invalid_argument("stimulus " + std::to_string(s) +
                                        " has no trials but p(s) = " + std::to_string(p_s[s]));
        any_trials = any_trials || n > 0;
        sum += p_s[s];
    }
    for (std::uint64_t c : counts.counts)
        if (c == 0)
            throw std::invalid_argument("counts contain a zero entry");
    if (any_trials && std::fabs(sum - 1.0) > 1e-9)
        throw std::invalid_argument("p_s sums to " + std::to_string(sum) + ", not 1");
}

Marginal compute_marginal(const ConditionCounts& counts, const std::vector<double>& p_s) {
    struct Item {
        std::uint64_t word;
        std::uint64_t entry; // CSR index; ascending entry = ascending stimulus for equal words
    };
    const std::size_t ns = counts.n_stimuli();
    std::vector<double> weight(ns, 0.0); // p(s)/N_s
    std::vector<Item> items;
    items.reserve(counts.words.size());
    for (std::size_t s = 0; s < ns; ++s) {
        const std::uint64_t n = counts.n_trials(s);
        if (n > 0)
            weight[s] = p_s[s] / static_cast<double>(n);
        for (std::uint64_t k = counts.offsets[s]; k < counts.offsets[s + 1]; ++k)
            items.push_back({counts.words[k], k});
    }
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        return a.word != b.word ? a.word < b.word : a.entry < b.entry;
    });
    // Map entry -> stimulus once so the weight lookup is O(1) inside the sorted sweep.
    std::vector<std::uint32_t> stim_of_entry(counts.words.size());
    for (std::size_t s = 0; s < ns; ++s)
        for (std::uint64_t k = counts.offsets[s]; k < counts.offsets[s + 1]; ++k)
            stim_of_entry[k] = static_cast<std::uint32_t>(s);

    Marginal m;
    m.p_r_of_entry.assign(counts.words.size(), 0.0);
    double h = 0.0;
    for (std::size_t i = 0; i < items.size();) {
        std::size_t j = i;
        double p = 0.0;
        std::uint64_t n = 0;
        while (j < items.size() && items[j].word == items[i].word) {
            const std::uint64_t k = items[j].entry;
            p += weight[stim_of_entry[k]] * static_cast<double>(counts.counts[k]);
            n += counts.counts[k];
            ++j;
        }
        for (std::size_t t = i; t < j; ++t)
            m.p_r_of_entry[items[t].entry] = p;
        m.words.push_back(items[i].word);
        m.n_r.push_back(n);
        m.p_r.push_back(p);
        h += plogp_bits(p);
        i = j;
    }
    // One word overall has p(r) = 1 exactly; the weighted sum can land an ulp away from 1,
    // and "MI = 0 for a single response" (information.md §6) should hold exactly.
    if (m.words.size() == 1) {
        m.p_r[0] = 1.0;
        std::fill(m.p_r_of_entry.begin(), m.p_r_of_entry.end(), 1.0);
        h = 0.0;
    }
    m.h_r = h;
    return m;
}

std::vector<std::uint32_t> rank_descending(const std::vector<double>& values) {
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isnan(values[i]))
            idx.push_back(i);
    std::stable_sort(idx.begin(), idx.end(),
                     [&](std::size_t a, std::size_t b) { return values[a] > values[b]; });
    std::vector<std::uint32_t> rank(values.size(), 0);
    for (std::size_t r = 0; r < idx.size(); ++r)
        rank[idx[r]] = static_cast<std::uint32_t>(r + 1);
    return rank;
}

std::vector<double> empirical_p_s(const ConditionCounts& counts) {
    const std::size_t ns = counts.n_stimuli();
    std::vector<double> p(ns, 0.0);
    std::uint64_t total = 0;
    for (std::size_t s = 0; s < ns; ++s)
        total += counts.n_trials(s);
    if (total == 0)
        return p;
    for (std::size_t s = 0; s < ns; ++s)
        p[s] = static_cast<double>(counts.n_trials(s)) / static_cast<double>(total);
    return p;
}

bool is_empirical(const ConditionCounts& counts, const std::vector<double>& p_s) {
    const std::vector<double> e = empirical_p_s(counts);
    if (e.size() != p_s.size())
        return false;
    for (std::size_t s = 0; s < e.size(); ++s)
        if (std::fabs(e[s] - p_s[s]) > 1e-12)
            return false;
    return true;
}

std::vector<std::uint64_t> expand_trials(const ConditionCounts& counts, std::size_t s) {
    std::vector<std::uint64_t> t;
    t.reserve(counts.n_trials(s));
    for (std::uint64_t k = counts.offsets[s]; k < counts.offsets[s + 1]; ++k)
        t.insert(t.end(), counts.counts[k], counts.words[k]);
    return t;
}

} // namespace detail
} // namespace memlif
