// SPDX-License-Identifier: MIT
//! \file host/information/marginal.cpp
#include "marginal.hpp"

#include "memlif/kernels/entropy.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
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
        if (c == 0) throw std::invalid_argument("counts contain a zero entry");
    if (any_trials && std::fabs(sum - 1.0) > 1e-9)
        throw std::invalid_argument("p_s sums to " + std::to_string(sum) + ", not 1");
}

CellOrder make_cell_order(const ConditionCounts& counts) {
    const std::size_t cells = counts.words.size();
    if (cells >= std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("a condition with " + std::to_string(cells) +
                                " occupied cells exceeds the 32-bit cell index");
    CellOrder o;
    o.stim_of_entry.resize(cells);
    for (std::size_t s = 0; s < counts.n_stimuli(); ++s)
        for (std::uint64_t k = counts.offsets[s]; k < counts.offsets[s + 1]; ++k)
            o.stim_of_entry[k] = static_cast<std::uint32_t>(s);
    o.entry.resize(cells);
    for (std::size_t k = 0; k < cells; ++k) o.entry[k] = static_cast<std::uint32_t>(k);
    const std::uint64_t* w = counts.words.data();
    std::sort(o.entry.begin(), o.entry.end(),
              [w](std::uint32_t a, std::uint32_t b) { return w[a] != w[b] ? w[a] < w[b] : a < b; });
    o.word_of_entry.resize(cells);
    for (std::size_t i = 0; i < cells; ++i) {
        const std::uint64_t word = w[o.entry[i]];
        if (o.words.empty() || o.words.back() != word) {
            o.words.push_back(word);
            o.word_begin.push_back(static_cast<std::uint32_t>(i));
        }
        o.word_of_entry[o.entry[i]] = static_cast<std::uint32_t>(o.words.size() - 1);
    }
    o.word_begin.push_back(static_cast<std::uint32_t>(cells));
    return o;
}

void marginal_of_cells(const CellOrder& order, const std::uint64_t* cell_counts,
                       const double* weight, CellMarginal& out) {
    const std::size_t n_words = order.words.size();
    out.p_r_of_word.assign(n_words, 0.0);
    out.n_r.clear();
    out.distinct = 0;
    double h = 0.0;
    std::size_t last = 0;
    for (std::size_t w = 0; w < n_words; ++w) {
        double p = 0.0;
        std::uint64_t n = 0;
        for (std::uint32_t i = order.word_begin[w]; i < order.word_begin[w + 1]; ++i) {
            const std::uint32_t k = order.entry[i];
            const std::uint64_t c = cell_counts[k];
            if (c == 0) continue;
            p += weight[order.stim_of_entry[k]] * static_cast<double>(c);
            n += c;
        }
        if (n == 0) continue;
        out.p_r_of_word[w] = p;
        out.n_r.push_back(n);
        ++out.distinct;
        last = w;
        h += plogp_bits(p);
    }
    // One word overall has p(r) = 1 exactly; the weighted sum can land an ulp away from 1,
    // and "MI = 0 for a single response" (information.md §6) should hold exactly.
    if (out.distinct == 1) {
        out.p_r_of_word[last] = 1.0;
        h = 0.0;
    }
    out.h_r = h;
}

Marginal compute_marginal(const ConditionCounts& counts, const std::vector<double>& p_s) {
    const std::size_t ns = counts.n_stimuli();
    std::vector<double> weight(ns, 0.0); // p(s)/N_s
    for (std::size_t s = 0; s < ns; ++s) {
        const std::uint64_t n = counts.n_trials(s);
        if (n > 0) weight[s] = p_s[s] / static_cast<double>(n);
    }
    const CellOrder order = make_cell_order(counts);
    CellMarginal cm;
    marginal_of_cells(order, counts.counts.data(), weight.data(), cm);
    Marginal m;
    m.words = order.words;
    m.n_r = std::move(cm.n_r);
    m.p_r = std::move(cm.p_r_of_word);
    m.h_r = cm.h_r;
    m.p_r_of_entry.resize(counts.words.size());
    for (std::size_t k = 0; k < counts.words.size(); ++k)
        m.p_r_of_entry[k] = m.p_r[order.word_of_entry[k]];
    m.word_of_entry = order.word_of_entry;
    return m;
}

std::vector<std::uint32_t> rank_descending(const std::vector<double>& values) {
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isnan(values[i])) idx.push_back(i);
    std::stable_sort(idx.begin(), idx.end(),
                     [&](std::size_t a, std::size_t b) { return values[a] > values[b]; });
    std::vector<std::uint32_t> rank(values.size(), 0);
    for (std::size_t r = 0; r < idx.size(); ++r) rank[idx[r]] = static_cast<std::uint32_t>(r + 1);
    return rank;
}

std::vector<double> empirical_p_s(const ConditionCounts& counts) {
    const std::size_t ns = counts.n_stimuli();
    std::vector<double> p(ns, 0.0);
    std::uint64_t total = 0;
    for (std::size_t s = 0; s < ns; ++s) total += counts.n_trials(s);
    if (total == 0) return p;
    for (std::size_t s = 0; s < ns; ++s)
        p[s] = static_cast<double>(counts.n_trials(s)) / static_cast<double>(total);
    return p;
}

bool is_empirical(const ConditionCounts& counts, const std::vector<double>& p_s) {
    const std::vector<double> e = empirical_p_s(counts);
    if (e.size() != p_s.size()) return false;
    for (std::size_t s = 0; s < e.size(); ++s)
        if (std::fabs(e[s] - p_s[s]) > 1e-12) return false;
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
