// SPDX-License-Identifier: MIT
//! \file host/information/marginal.hpp
//! Shared building blocks: input validation, the response marginal p(r) over a sparse word space,
//! pooled counts n(r), and SpS ranking.
#pragma once

#include "memlif/core/counts.hpp"

#include <cstdint>
#include <vector>

namespace memlif {
namespace detail {

//! Throws std::invalid_argument unless p_s (and n_spk, when non-null) match the counts: sizes,
//! p(s) >= 0, p(s) = 0 where N_s = 0, sum p(s) = 1 within 1e-9, 1 <= n_bins <= 64, no zero count.
void validate_inputs(const ConditionCounts& counts, const std::vector<double>& p_s,
                     const std::vector<std::uint32_t>* n_spk);

//! Marginal of the response over the sparse word space.
struct Marginal {
    std::vector<double> p_r_of_entry; //!< p(r) for every CSR entry (same indexing as counts.words)
    std::vector<std::uint64_t> words; //!< distinct words overall, ascending
    std::vector<std::uint64_t> n_r;   //!< pooled counts n(r) = sum_s n(r|s), same order
    std::vector<double> p_r;          //!< p(r) = sum_s p(s) n(r|s)/N_s, same order
    double h_r = 0;                   //!< -sum_r p(r) log2 p(r), summed in ascending word order
    std::vector<std::uint32_t> word_of_entry; //!< index into `words` of every CSR entry
};

//! Builds p(r) by sorting (word, stimulus) pairs. Stimulus weights p(s)/N_s are applied in
//! ascending stimulus order within each word, so the sum is deterministic.
Marginal compute_marginal(const ConditionCounts& counts, const std::vector<double>& p_s);

//! The CSR entries of a condition sorted by (word, entry), the order compute_marginal sums p(r)
//! in (ascending entry = ascending stimulus within a word). A table whose cells are a subset of
//! these cells (a bootstrap replicate, a QE subsample: cell counts indexed like counts.words,
//! zero where absent) keeps that order, so marginal_of_cells sums it exactly as compute_marginal
//! would sum the table itself, without sorting again.
struct CellOrder {
    std::vector<std::uint32_t> entry;         //!< CSR entries by (word, entry)
    std::vector<std::uint32_t> word_begin;    //!< word w owns entry[word_begin[w], word_begin[w+1])
    std::vector<std::uint64_t> words;         //!< distinct words, ascending
    std::vector<std::uint32_t> stim_of_entry; //!< stimulus of every CSR entry
    std::vector<std::uint32_t> word_of_entry; //!< index into `words` of every CSR entry
};

//! One sort of the condition's cells. Throws std::length_error beyond 2^32 - 1 cells.
CellOrder make_cell_order(const ConditionCounts& counts);

//! Marginal of a table of cell counts over the cells of a CellOrder.
struct CellMarginal {
    std::vector<double> p_r_of_word; //!< p(r) of every word of the order; 0 where absent
    std::vector<std::uint64_t> n_r;  //!< pooled counts of the words present, ascending word
    std::size_t distinct = 0;        //!< number of words present
    double h_r = 0;                  //!< -sum_r p(r) log2 p(r), ascending word order
};

//! p(r) = sum_s weight[s] n(r|s) over the cells with cell_counts[k] > 0, in the order of
//! compute_marginal (same sums, same single-word rule), so with weight[s] = p(s)/N_s of the
//! table it equals compute_marginal of that table bit for bit.
void marginal_of_cells(const CellOrder& order, const std::uint64_t* cell_counts,
                       const double* weight, CellMarginal& out);

//! Ranks by value descending: 1 = largest; NaN gets rank 0; ties go to the lower index.
std::vector<std::uint32_t> rank_descending(const std::vector<double>& values);

//! p(s) = N_s/N, the `empirical` mode; all zeros when N = 0.
std::vector<double> empirical_p_s(const ConditionCounts& counts);

//! True when p_s equals N_s/N to 1e-12 (the `empirical` mode), which some estimators need to
//! know because deleting or resampling trials then changes p(s) too.
bool is_empirical(const ConditionCounts& counts, const std::vector<double>& p_s);

//! Expands stimulus s to one word per trial, in ascending word order (the canonical trial order).
std::vector<std::uint64_t> expand_trials(const ConditionCounts& counts, std::size_t s);

} // namespace detail
} // namespace memlif
