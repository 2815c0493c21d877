// SPDX-License-Identifier: MIT
//! \file host/information/permutation_null.cpp
#include "permutation_null.hpp"

#include "marginal.hpp"
#include "random_stream.hpp"
#include "resampling.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace memlif {

PermutationNullResult compute_permutation_null(const ConditionCounts& counts,
                                               const std::vector<double>& p_s,
                                               const MiStatistic& statistic,
                                               const PermutationNullOptions& options) {
    detail::validate_inputs(counts, p_s, nullptr);
    if (options.replicates == 0)
        throw std::invalid_argument("permutation null needs M >= 1");
    for (double q : options.quantile_levels)
        if (!(q >= 0.0 && q <= 1.0))
            throw std::invalid_argument("quantile level outside [0, 1]");
    const std::size_t ns = counts.n_stimuli();
    std::vector<std::uint64_t> pool; // canonical order: stimuli ascending, words ascending
    std::vector<std::uint64_t> n_s(ns);
    for (std::size_t s = 0; s < ns; ++s) {
        const auto t = detail::expand_trials(counts, s);
        n_s[s] = t.size();
        pool.insert(pool.end(), t.begin(), t.end());
    }

    const double observed = statistic(counts, p_s);
    std::vector<double> null(options.replicates);
    std::vector<std::vector<std::uint64_t>> trials(ns);
    for (std::uint32_t m = 0; m < options.replicates; ++m) {
        detail::RandomStream rng(options.seed, detail::RandomPurpose::label_permutation, m);
        std::vector<std::uint64_t> perm = pool;
        detail::shuffle_in_place(perm, rng);
        std::size_t at = 0;
        for (std::size_t s = 0; s < ns; ++s) {
            trials[s].assign(perm.begin() + static_cast<std::ptrdiff_t>(at),
                             perm.begin() + static_cast<std::ptrdiff_t>(at + n_s[s]));
            at += n_s[s];
        }
        null[m] = statistic(counts_from_trials(trials, counts.n_bins), p_s);
    }
    return detail::summarise_permutation_null(observed, std::move(null), options);
}

PermutationNullResult detail::summarise_permutation_null(double observed, std::vector<double> null,
                                                         const PermutationNullOptions& options) {
    PermutationNullResult r;
    r.observed = observed;
    r.replicates = options.replicates;
    std::uint32_t at_least = 0;
    for (double x : null)
        if (x >= observed) ++at_least;
    detail::mean_sd(null, r.null_mean, r.null_sd);
    std::sort(null.begin(), null.end());
    r.quantile_levels = options.quantile_levels;
    for (double q : options.quantile_levels)
        r.quantiles.push_back(detail::quantile_sorted(null, q));
    r.p_value = (1.0 + at_least) / (1.0 + options.replicates);
    r.corrected = r.observed - r.null_mean;
    return r;
}

} // namespace memlif
