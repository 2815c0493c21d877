// SPDX-License-Identifier: MIT
//! \file tests/host/information/test_support.hpp
//! Small builders for count tables used by the information tests. Expected values never come
//! from here: only inputs.
#pragma once

#include "memlif/core/counts.hpp"

#include <cmath>
#include <cstdint>
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
    for (std::size_t s = 0; s < c.n_stimuli(); ++s)
        total += static_cast<double>(c.n_trials(s));
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

} // namespace memlif::test
