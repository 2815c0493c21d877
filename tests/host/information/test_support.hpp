// SPDX-License-Identifier: MIT
//! \file tests/host/information/test_support.hpp
//! Small builders for count tables used by the information tests. Expected values never come
//! from here: only inputs.
#pragma once

#include "memlif/core/counts.hpp"

#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace memlif::test {

//! One stimulus as (word, count) pairs; words must be ascending and counts > 0 (CSR invariant).
using Histogram = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

inline ConditionCounts make_counts(const std::vector<Histogram>& per_stimulus,
                                   std::uint32_t n_bins) {
    ConditionCounts c;
    c.n_bins = n_bins;
    c.offsets.push_back(0);
    for (const Histogram& h : per_stimulus) {
        for (const auto& [w, n] : h) {
            c.words.push_back(w);
            c.counts.push_back(n);
        }
        c.offsets.push_back(c.words.size());
    }
    return c;
}

inline double h2(double p) {
    auto t = [](double x) { return x > 0 ? -x * std::log2(x) : 0.0; };
    return t(p) + t(1 - p);
}

inline std::vector<double> uniform_p(std::size_t n) { return std::vector<double>(n, 1.0 / n); }

inline std::vector<double> empirical(const ConditionCounts& c) {
    std::vector<double> p;
    double total = 0;
    for (std::size_t s = 0; s < c.n_stimuli(); ++s) total += static_cast<double>(c.n_trials(s));
    for (std::size_t s = 0; s < c.n_stimuli(); ++s)
        p.push_back(static_cast<double>(c.n_trials(s)) / total);
    return p;
}

inline std::vector<std::uint32_t> spikes(std::size_t n, std::uint32_t v = 1) {
    return std::vector<std::uint32_t>(n, v);
}

//! Binomial probability C(n,k) p^k (1-p)^(n-k), computed in the test by lgamma.
inline double binom_pmf(int n, int k, double p) {
    const double lc = std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0);
    return std::exp(lc + k * std::log(p) + (n - k) * std::log1p(-p));
}

//! A condition with repeated responses, like a simulated one: stimulus s emits, in each of its
//! trials, one of a few words drawn from a stimulus-specific pool (word r of the pool with
//! weight ~ 1/(r+1)), so words repeat within and across stimuli. `empty_every` > 0 leaves every
//! such stimulus without trials. Inputs only: no expected value comes from here.
inline ConditionCounts random_condition(std::size_t n_stimuli, std::size_t n_trials,
                                        std::uint32_t n_bins, std::uint64_t seed,
                                        std::size_t empty_every = 0) {
    std::mt19937_64 gen(seed);
    const std::uint64_t mask = n_bins >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n_bins) - 1;
    std::vector<std::vector<std::uint64_t>> trials(n_stimuli);
    for (std::size_t s = 0; s < n_stimuli; ++s) {
        if (empty_every > 0 && s % empty_every == empty_every - 1) continue;
        const std::size_t pool_size = 1 + gen() % 8;
        std::vector<std::uint64_t> pool(pool_size);
        for (auto& w : pool)
            w = gen() % 3 == 0 ? gen() & mask : (gen() % 16) & mask; // shared small words
        for (std::size_t t = 0; t < n_trials; ++t) {
            // index r with probability ~ 1/(r+1)
            std::size_t r = 0;
            while (r + 1 < pool_size && gen() % (r + 2) != 0) ++r;
            trials[s].push_back(pool[r]);
        }
    }
    return counts_from_trials(trials, n_bins);
}

} // namespace memlif::test
