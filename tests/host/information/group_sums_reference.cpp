// SPDX-License-Identifier: MIT
//! \file tests/host/information/group_sums_reference.cpp
#include "group_sums_reference.hpp"

#include "host/information/bayes_count.hpp"
#include "host/information/marginal.hpp"
#include "host/information/random_stream.hpp"
#include "memlif/kernels/entropy.hpp"

#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace memlif::test {
namespace {

using Trials = std::vector<std::vector<std::uint64_t>>;

Trials canonical_trials(const ConditionCounts& counts) {
    Trials t(counts.n_stimuli());
    for (std::size_t s = 0; s < t.size(); ++s) t[s] = detail::expand_trials(counts, s);
    return t;
}

//! compute_permutation_null's replicate m.
ConditionCounts permuted(const ConditionCounts& counts, const Trials& canon, std::uint64_t seed,
                         std::uint32_t m) {
    std::vector<std::uint64_t> pool;
    for (const auto& t : canon) pool.insert(pool.end(), t.begin(), t.end());
    detail::RandomStream rng(seed, RandomPurpose::label_permutation, m);
    detail::shuffle_in_place(pool, rng);
    Trials out(canon.size());
    std::size_t at = 0;
    for (std::size_t s = 0; s < canon.size(); ++s) {
        out[s].assign(pool.begin() + static_cast<std::ptrdiff_t>(at),
                      pool.begin() + static_cast<std::ptrdiff_t>(at + canon[s].size()));
        at += canon[s].size();
    }
    return counts_from_trials(out, counts.n_bins);
}

//! compute_bootstrap's replicate b: trial below(N_s) of the canonical order, N_s times.
ConditionCounts resampled(const ConditionCounts& counts, const Trials& canon, std::uint64_t seed,
                          std::uint32_t b) {
    detail::RandomStream rng(seed, RandomPurpose::bootstrap, b);
    Trials out(canon.size());
    for (std::size_t s = 0; s < canon.size(); ++s)
        for (std::size_t t = 0; t < canon[s].size(); ++t)
            out[s].push_back(canon[s][rng.below(canon[s].size())]);
    return counts_from_trials(out, counts.n_bins);
}

//! The six QE subsamples of replicate m (halves, then quarters).
void qe_piles(const ConditionCounts& counts, const Trials& canon, bool shuffled, std::uint64_t seed,
              std::uint32_t m, std::vector<ConditionCounts>& out) {
    for (std::uint64_t k : {2u, 4u}) {
        Trials order = canon;
        if (shuffled) {
            detail::RandomStream rng(seed, RandomPurpose::qe_partition,
                                     m * 4u + static_cast<std::uint32_t>(k));
            for (auto& t : order) detail::shuffle_in_place(t, rng);
        }
        for (std::uint64_t j = 0; j < k; ++j) {
            Trials sub(canon.size());
            for (std::size_t s = 0; s < canon.size(); ++s) {
                const std::uint64_t size = canon[s].size() / k;
                for (std::uint64_t i = 0; i < size; ++i)
                    sub[s].push_back(order[s][shuffled ? j * size + i : j + i * k]);
            }
            out.push_back(counts_from_trials(sub, counts.n_bins));
        }
    }
}

} // namespace

std::vector<ConditionCounts> reference_replicate_tables(const ConditionCounts& counts,
                                                        const GroupSumsRequest& q) {
    const Trials canon = canonical_trials(counts);
    std::vector<ConditionCounts> tables;
    const std::uint32_t m0 = q.first_replicate;
    switch (q.scheme) {
    case ReplicateScheme::observed:
        tables.push_back(counts);
        break;
    case ReplicateScheme::label_permutation:
        for (std::uint32_t m = m0; m < m0 + q.replicates; ++m)
            tables.push_back(permuted(counts, canon, q.seed, m));
        break;
    case ReplicateScheme::bootstrap:
        for (std::uint32_t b = m0; b < m0 + q.replicates; ++b)
            tables.push_back(resampled(counts, canon, q.seed, b));
        break;
    case ReplicateScheme::qe_shuffled:
        for (std::uint32_t m = m0; m < m0 + q.replicates; ++m)
            qe_piles(counts, canon, true, q.seed, m, tables);
        break;
    case ReplicateScheme::qe_block:
        qe_piles(counts, canon, false, q.seed, 0, tables);
        break;
    }
    return tables;
}

GroupSums reference_group_sums(const ConditionCounts& counts, const GroupSumsRequest& q) {
    const std::vector<ConditionCounts> tables = reference_replicate_tables(counts, q);
    const bool qe =
        q.scheme == ReplicateScheme::qe_shuffled || q.scheme == ReplicateScheme::qe_block;
    if (q.p_s.size() != (qe ? 2u : 1u)) throw std::invalid_argument("reference: p_s rows");
    const std::size_t ns = counts.n_stimuli();
    GroupSums r;
    r.n_groups = tables.size();
    r.n_stimuli = ns;
    for (std::size_t g = 0; g < tables.size(); ++g) {
        const ConditionCounts& c = tables[g];
        // QE groups 6m + {0, 1} are halves (row 0), 6m + {2 .. 5} quarters (row 1).
        const std::vector<double>& p_s = qe ? q.p_s[(g % 6) < 2 ? 0 : 1] : q.p_s[0];
        const detail::Marginal marg = detail::compute_marginal(c, p_s);
        r.h_r.push_back(marg.h_r);
        r.n_words.push_back(static_cast<std::uint32_t>(marg.words.size()));
        r.n_trials.push_back(c.n_trials_total());
        if (q.bayes_pooled)
            r.r_pooled.push_back(marg.n_r.empty() ? 0.0 : bayes_count(marg.n_r, q.r_tot));
        for (std::size_t s = 0; s < ns; ++s) {
            const std::uint64_t b = c.offsets[s], e = c.offsets[s + 1];
            const std::uint64_t n = c.n_trials(s);
            r.n_s.push_back(static_cast<std::uint32_t>(n));
            r.m_s.push_back(static_cast<std::uint32_t>(e - b));
            r.h_rs.push_back(
                entropy_bits_from_counts(c.counts.data() + b, e - b, static_cast<double>(n)));
            if (q.bayes_stimuli)
                r.r_s.push_back(e > b ? bayes_count(c.counts.data() + b, e - b, q.r_tot) : 0.0);
            if (q.surprise) {
                double kl = 0.0;
                for (std::uint64_t k = b; k < e; ++k) {
                    const double qq = static_cast<double>(c.counts[k]) / static_cast<double>(n);
                    kl += qq * std::log2(qq / marg.p_r_of_entry[k]);
                }
                r.kl.push_back(kl);
            }
        }
    }
    return r;
}

} // namespace memlif::test
