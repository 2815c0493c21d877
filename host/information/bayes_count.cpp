// SPDX-License-Identifier: MIT
//! \file host/information/bayes_count.cpp
#include "bayes_count.hpp"
#include "sampling_error.hpp"

#include "memlif/kernels/bayes_count.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace memlif {

RtotSpec parse_rtot(const std::string& text) {
    if (text == "full") return {RtotMode::full, 0};
    if (text == "ibtb") return {RtotMode::ibtb, 0};
    bool digits = !text.empty() && text.size() <= 20;
    for (char ch : text) digits = digits && ch >= '0' && ch <= '9';
    if (digits) {
        const double v = std::strtod(text.c_str(), nullptr);
        if (v >= 1) return {RtotMode::user, v};
    }
    throw std::invalid_argument("invalid pt.rtot value '" + text +
                                "' (expected \"full\", \"ibtb\" or a positive integer)");
}

double response_space_size(const ConditionCounts& counts, const RtotSpec& spec) {
    switch (spec.mode) {
    case RtotMode::full:
        return std::ldexp(1.0, static_cast<int>(counts.n_bins));
    case RtotMode::ibtb: {
        std::uint64_t any = 0;
        for (std::uint64_t w : counts.words) any |= w;
        int bits = 0;
        for (; any != 0; any &= any - 1) ++bits;
        return std::ldexp(1.0, bits);
    }
    case RtotMode::user: {
        // Distinct words overall: the per-stimulus lists are sorted, so a merge would do, but a
        // sort of a copy is simpler and this runs once per condition.
        std::vector<std::uint64_t> w(counts.words);
        std::sort(w.begin(), w.end());
        const double m = static_cast<double>(std::unique(w.begin(), w.end()) - w.begin());
        if (!(spec.user_value >= m))
            throw SamplingError("pt.rtot = " + std::to_string(spec.user_value) +
                                " is below the observed number of distinct responses " +
                                std::to_string(static_cast<std::uint64_t>(m)));
        return spec.user_value;
    }
    }
    throw std::invalid_argument("unknown R_tot mode");
}

namespace {

constexpr double unit_roundoff = 0x1p-53;

//! 1 - (1 - post)^n, the expected occupancy of a seen bin in bayes_count, for 0 <= post <= 1.
//! When n post > 40 (and n < 2^40) the power is below e^-39.9 < 2^-54, so the difference rounds
//! to exactly 1: the pow call is skipped without changing a bit.
double seen_occupancy(double post, double n) {
    if (post > 0.0 && post * n > 40.0 && n < 0x1p40) return 1.0;
    return 1.0 - std::pow(1.0 - post, n);
}

} // namespace

double bayes_count(const std::uint64_t* counts, std::size_t n_counts, double r_tot) {
    double n = 0.0, r0 = 0.0;
    for (std::size_t k = 0; k < n_counts; ++k) {
        if (counts[k] == 0) continue;
        n += static_cast<double>(counts[k]);
        r0 += 1.0;
    }
    if (r0 >= r_tot) return r_tot;
    if (n == 0.0) return 0.0;

    // The result is decided by the comparisons d < d_prev only. Every term of the sums behind d
    // depends on its count alone, and pooled counts repeat a few values thousands of times (most
    // words are seen once or twice), so each distinct value's term is evaluated once per
    // iteration. The sum in index order (the value of d that decides) costs one addition per
    // word; for long vectors a grouped sum sum_j mult_j term_j with a rigorous rounding bound
    // decides instead, and the ordered sums are formed only when the bound cannot separate the
    // two values. The returned R is therefore the one the term-by-term loop gives, bit for bit.
    thread_local std::vector<std::uint64_t> values;
    thread_local std::vector<double> mult;
    thread_local std::vector<std::uint32_t> slot;
    thread_local std::vector<double> term, prev_term;
    values.clear();
    for (std::size_t k = 0; k < n_counts; ++k)
        if (counts[k] != 0) values.push_back(counts[k]);
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    const std::size_t n_values = values.size();
    slot.clear();
    mult.assign(n_values, 0.0);
    for (std::size_t k = 0; k < n_counts; ++k)
        if (counts[k] != 0) {
            const auto j = static_cast<std::uint32_t>(
                std::lower_bound(values.begin(), values.end(), counts[k]) - values.begin());
            slot.push_back(j);
            mult[j] += 1.0;
        }
    const std::size_t m = slot.size();
    term.resize(n_values);
    prev_term.resize(n_values);
    const auto ordered_sum = [](const std::vector<double>& t) {
        double s = 0.0;
        for (std::uint32_t j : slot) s += t[j];
        return s;
    };
    const auto grouped_sum = [n_values](const std::vector<double>& t) {
        double s = 0.0;
        for (std::size_t j = 0; j < n_values; ++j) s += mult[j] * t[j];
        return s;
    };

    for (std::size_t j = 0; j < n_values; ++j)
        term[j] = std::pow(1.0 - static_cast<double>(values[j]) / n, n);
    double e = r0;
    for (std::uint32_t j : slot) e -= term[j];
    // d (this iteration) and d_prev, each either exact (the ordered sum) or grouped, with
    // the unseen-bin term of their iteration kept for an exact recomputation.
    double d_prev = r_tot;
    double d = std::fabs(r0 - e);
    bool d_exact = true, prev_exact = true;
    double unseen = 0.0, prev_unseen = 0.0;
    double bound = 0.0, prev_bound = 0.0;
    const bool grouped = m > 2 * n_values + 32;
    // d < d_prev as the ordered sums decide it.
    const auto d_below_prev = [&]() {
        const double margin = bound + prev_bound;
        if (d < d_prev - margin) return true;
        if (d > d_prev + margin) return false;
        if (!d_exact) {
            d = std::fabs(r0 - (ordered_sum(term) + unseen));
            d_exact = true;
            bound = 0.0;
        }
        if (!prev_exact) {
            d_prev = std::fabs(r0 - (ordered_sum(prev_term) + prev_unseen));
            prev_exact = true;
            prev_bound = 0.0;
        }
        return d < d_prev;
    };
    double r = r0;
    // Mass of the unseen bins per unit (R - R0): independent of R, so hoisted out of the loop.
    const double unseen_unit = 1.0 - std::pow(n / (n + r0), 1.0 / n);
    while (d_below_prev() && r < r_tot) {
        r += 1.0;
        const double gamma = (r - r0) * unseen_unit;
        std::swap(term, prev_term);
        for (std::size_t j = 0; j < n_values; ++j) {
            const double post = (static_cast<double>(values[j]) + 1.0) / (n + r0) * (1.0 - gamma);
            term[j] = seen_occupancy(post, n);
        }
        d_prev = d;
        prev_exact = d_exact;
        prev_unseen = unseen;
        prev_bound = bound;
        unseen = (r - r0) * (1.0 - std::pow(1.0 - gamma / (r - r0), n));
        // Grouped only while every term lies in [0, 1] (gamma <= 1), where the bound holds:
        // both sums err by at most (m + values) u sum|t| <= (m + values) u m, the unseen term
        // and d add u (m + r); doubled twice for margin.
        if (grouped && gamma <= 1.0) {
            d = std::fabs(r0 - (grouped_sum(term) + unseen));
            d_exact = false;
            bound = 4.0 * static_cast<double>(m + n_values + 8) * unit_roundoff *
                    (static_cast<double>(m) + r + 1.0);
        } else {
            d = std::fabs(r0 - (ordered_sum(term) + unseen));
            d_exact = true;
            bound = 0.0;
        }
    }
    r -= 1.0;
    if (d_below_prev()) r += 1.0;
    return r;
}

namespace detail {

std::size_t BayesCountCache::Hash::operator()(const std::vector<std::uint64_t>& v) const {
    std::uint64_t h = 0x9e3779b97f4a7c15ull ^ v.size();
    for (std::uint64_t x : v) {
        h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    }
    return static_cast<std::size_t>(h);
}

double BayesCountCache::operator()(const std::uint64_t* counts, std::size_t n_counts,
                                   double r_tot) {
    // Long vectors (pooled counts) rarely repeat; bounded memory for the rest.
    constexpr std::size_t max_key = 64, max_entries = 1u << 16;
    if (n_counts > max_key) return bayes_count(counts, n_counts, r_tot);
    if (r_tot != r_tot_ || memo_.size() >= max_entries) {
        memo_.clear();
        r_tot_ = r_tot;
    }
    key_.clear();
    for (std::size_t k = 0; k < n_counts; ++k)
        if (counts[k] != 0) key_.push_back(counts[k]);
    const auto it = memo_.find(key_);
    if (it != memo_.end()) return it->second;
    const double r = bayes_count(key_.data(), key_.size(), r_tot);
    memo_.emplace(key_, r);
    return r;
}

} // namespace detail
} // namespace memlif
