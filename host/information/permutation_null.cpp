// SPDX-License-Identifier: MIT
//! \file host/information/permutation_null.cpp
#include "permutation_null.hpp"

#include "marginal.hpp"
#include "memlif/kernels/entropy.hpp"
#include "parallel.hpp"
#include "random_stream.hpp"
#include "resampling.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <utility>

namespace memlif {
namespace {

void check_options(const PermutationNullOptions& options) {
    if (options.replicates == 0) throw std::invalid_argument("permutation null needs M >= 1");
    for (double q : options.quantile_levels)
        if (!(q >= 0.0 && q <= 1.0)) throw std::invalid_argument("quantile level outside [0, 1]");
}

//! The pooled trials in the canonical order (stimuli ascending, words ascending within a
//! stimulus, expand_trials), each as the index of its word in the ascending distinct words, and
//! N_s. Replicate m permutes them with shuffle_in_place on its own stream: the same swaps as on
//! the words themselves, so trial t of the permutation carries the same word.
struct Pool {
    std::vector<std::uint32_t> ids;
    std::vector<std::uint64_t> n_s;
};

Pool make_pool(const ConditionCounts& counts, const std::vector<std::uint32_t>& word_of_entry) {
    Pool p;
    const std::size_t ns = counts.n_stimuli();
    p.n_s.resize(ns);
    for (std::size_t s = 0; s < ns; ++s) {
        p.n_s[s] = counts.n_trials(s);
        for (std::uint64_t k = counts.offsets[s]; k < counts.offsets[s + 1]; ++k)
            p.ids.insert(p.ids.end(), counts.counts[k], word_of_entry[k]);
    }
    return p;
}

void permute(const Pool& pool, std::uint64_t seed, std::uint32_t m,
             std::vector<std::uint32_t>& perm) {
    detail::RandomStream rng(seed, detail::RandomPurpose::label_permutation, m);
    perm = pool.ids;
    detail::shuffle_in_place(perm, rng);
}

//! Mean, SD, quantiles and p-value of the null replicates (in replicate order).
PermutationNullResult summarise(double observed, std::vector<double> null,
                                const PermutationNullOptions& options) {
    PermutationNullResult r;
    r.observed = observed;
    r.replicates = options.replicates;
    std::uint32_t at_least = 0;
    for (double v : null)
        if (v >= observed) ++at_least;
    detail::mean_sd(null, r.null_mean, r.null_sd);
    std::sort(null.begin(), null.end());
    r.quantile_levels = options.quantile_levels;
    for (double q : options.quantile_levels)
        r.quantiles.push_back(detail::quantile_sorted(null, q));
    r.p_value = (1.0 + at_least) / (1.0 + options.replicates);
    r.corrected = r.observed - r.null_mean;
    return r;
}

bool worth_threads(const Pool& pool, const PermutationNullOptions& options) {
    return detail::worth_threads(static_cast<double>(options.replicates) *
                                 static_cast<double>(pool.ids.size()));
}

} // namespace

PermutationNullResult detail::summarise_permutation_null(double observed, std::vector<double> null,
                                                         const PermutationNullOptions& options) {
    return summarise(observed, std::move(null), options);
}

PermutationNullResult compute_permutation_null(const ConditionCounts& counts,
                                               const std::vector<double>& p_s,
                                               const MiStatistic& statistic,
                                               const PermutationNullOptions& options) {
    detail::validate_inputs(counts, p_s, nullptr);
    check_options(options);
    const std::size_t ns = counts.n_stimuli();
    const detail::Marginal marg = detail::compute_marginal(counts, p_s);
    const Pool pool = make_pool(counts, marg.word_of_entry);
    const double observed = statistic(counts, p_s);

    std::vector<double> null(options.replicates);
    std::exception_ptr error;
    const auto n_rep = static_cast<std::ptrdiff_t>(options.replicates);
    [[maybe_unused]] const bool threads = worth_threads(pool, options);
    MEMLIF_OMP(omp parallel if (threads)) {
        std::vector<std::uint32_t> perm;
        std::vector<std::vector<std::uint64_t>> trials(ns);
        MEMLIF_OMP(omp for schedule(dynamic))
        for (std::ptrdiff_t mi = 0; mi < n_rep; ++mi) {
            const auto m = static_cast<std::uint32_t>(mi);
            permute(pool, options.seed, m, perm);
            std::size_t at = 0;
            for (std::size_t s = 0; s < ns; ++s) {
                trials[s].resize(pool.n_s[s]);
                for (std::uint64_t t = 0; t < pool.n_s[s]; ++t)
                    trials[s][t] = marg.words[perm[at++]];
            }
            // No exception may leave a parallel region: the first one is rethrown below.
            try {
                null[m] = statistic(counts_from_trials(trials, counts.n_bins), p_s);
            } catch (...) {
                MEMLIF_OMP(omp critical)
                if (!error) error = std::current_exception();
            }
        }
    }
    if (error) std::rethrow_exception(error);
    return summarise(observed, std::move(null), options);
}

namespace detail {

PermutationNullResult permutation_null_point(const ConditionCounts& counts,
                                             const std::vector<double>& p_s,
                                             const std::vector<std::uint32_t>& n_spk,
                                             const PermutationNullOptions& options,
                                             PointEstimator estimator, const RtotSpec& rtot) {
    validate_inputs(counts, p_s, &n_spk);
    check_options(options);
    const std::size_t ns = counts.n_stimuli();
    // R_tot is fixed on the observed data so every permutation sees the same space.
    const RtotSpec rt = estimator == PointEstimator::pt
                            ? RtotSpec{RtotMode::user, response_space_size(counts, rtot)}
                            : rtot;
    const double observed = point_estimate(counts, p_s, n_spk, estimator, rt).mi;
    const Marginal marg = compute_marginal(counts, p_s);
    const Pool pool = make_pool(counts, marg.word_of_entry);
    const std::size_t n_words = marg.words.size();
    std::vector<double> weight(ns, 0.0);
    std::uint64_t n_total = 0;
    for (std::size_t s = 0; s < ns; ++s) {
        n_total += pool.n_s[s];
        if (pool.n_s[s] > 0) weight[s] = p_s[s] / static_cast<double>(pool.n_s[s]);
    }
    // A permutation keeps the pooled counts n(r), hence the distinct words (MM) and R~ (PT).
    double bins = 0.0;
    if (estimator == PointEstimator::mm)
        bins = static_cast<double>(n_words);
    else if (estimator == PointEstimator::pt && !marg.n_r.empty())
        bins = bayes_count(marg.n_r, rt.user_value);
    const double term_r = first_order_bias_bits(bins, static_cast<double>(n_total));

    // What point_estimate computes on the permuted table (compute_plugin, apply_first_order,
    // pt_bin_counts), in the same order: p(r) summed per word over ascending stimuli, H(R) over
    // ascending words, H(R|S) over ascending stimuli.
    std::vector<double> null(options.replicates);
    const auto n_rep = static_cast<std::ptrdiff_t>(options.replicates);
    [[maybe_unused]] const bool threads = worth_threads(pool, options);
    MEMLIF_OMP(omp parallel if (threads)) {
        std::vector<std::uint32_t> perm;
        std::vector<double> p_r(n_words);
        std::vector<std::uint64_t> run_counts, count_of(n_words, 0);
        std::vector<std::uint32_t> distinct;
        BayesCountCache cache;
        MEMLIF_OMP(omp for schedule(dynamic))
        for (std::ptrdiff_t mi = 0; mi < n_rep; ++mi) {
            const auto m = static_cast<std::uint32_t>(mi);
            permute(pool, options.seed, m, perm);
            std::fill(p_r.begin(), p_r.end(), 0.0);
            double h_rs = 0.0;
            std::size_t at = 0;
            for (std::size_t s = 0; s < ns; ++s) {
                const std::uint64_t n = pool.n_s[s];
                if (n == 0) continue;
                // The stimulus's distinct words with their counts, ascending (the table's CSR
                // order): count into per-word slots, then sort the few distinct words.
                distinct.clear();
                for (std::uint64_t t = 0; t < n; ++t) {
                    const std::uint32_t w = perm[at + t];
                    if (count_of[w] == 0) distinct.push_back(w);
                    ++count_of[w];
                }
                at += n;
                std::sort(distinct.begin(), distinct.end());
                run_counts.clear();
                for (std::uint32_t w : distinct) {
                    const std::uint64_t c = count_of[w];
                    count_of[w] = 0;
                    p_r[w] += weight[s] * static_cast<double>(c);
                    run_counts.push_back(c);
                }
                const double nd = static_cast<double>(n);
                const double h = entropy_bits_from_counts(run_counts.data(), run_counts.size(), nd);
                if (estimator == PointEstimator::plugin) {
                    h_rs += p_s[s] * h;
                } else {
                    const double bins_s =
                        estimator == PointEstimator::mm
                            ? static_cast<double>(run_counts.size())
                            : cache(run_counts.data(), run_counts.size(), rt.user_value);
                    h_rs += p_s[s] * (h + first_order_bias_bits(bins_s, nd));
                }
            }
            double h_r = 0.0;
            for (double p : p_r) h_r += plogp_bits(p);
            if (n_words == 1) h_r = 0.0; // compute_marginal's single-word rule
            null[m] = estimator == PointEstimator::plugin ? h_r - h_rs : (h_r + term_r) - h_rs;
        }
    }
    return summarise(observed, std::move(null), options);
}

} // namespace detail
} // namespace memlif
