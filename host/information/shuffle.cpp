// SPDX-License-Identifier: MIT
//! \file host/information/shuffle.cpp
#include "shuffle.hpp"

#include "marginal.hpp"
#include "memlif/kernels/entropy.hpp"
#include "random_stream.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace memlif {
namespace detail {
namespace {

std::uint64_t component_mask(std::uint32_t bits) {
    return bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
}

//! Inner entropy of one stimulus from its (sorted or unsorted) trial words.
double stimulus_entropy(std::vector<std::uint64_t> words, InnerEstimator inner, double r_tot) {
    std::sort(words.begin(), words.end());
    std::vector<std::uint64_t> c;
    for (std::size_t i = 0; i < words.size();) {
        std::size_t j = i;
        while (j < words.size() && words[j] == words[i])
            ++j;
        c.push_back(j - i);
        i = j;
    }
    const double n = static_cast<double>(words.size());
    double h = entropy_bits_from_counts(c.data(), c.size(), n);
    if (inner == InnerEstimator::pt && !c.empty())
        h += first_order_bias_bits(bayes_count(c, r_tot), n);
    return h;
}

} // namespace

std::uint32_t n_components(std::uint32_t n_bins, std::uint32_t bits_per_component) {
    if (bits_per_component == 0 || bits_per_component > 64)
        throw std::invalid_argument("bits_per_component must be in 1..64");
    return (n_bins + bits_per_component - 1) / bits_per_component;
}

std::vector<std::uint64_t>
shuffle_components(const std::vector<std::uint64_t>& trials, std::uint32_t n_bins,
                   std::uint32_t bits_per_component,
                   const std::vector<std::vector<std::uint32_t>>& perms) {
    const std::uint32_t nc = n_components(n_bins, bits_per_component);
    const std::uint64_t mask = component_mask(bits_per_component);
    std::vector<std::uint64_t> out(trials.size(), 0);
    for (std::uint32_t i = 0; i < nc; ++i) {
        const std::uint32_t shift = i * bits_per_component;
        const std::uint64_t m = mask << shift;
        const bool permuted = i < perms.size() && !perms[i].empty();
        for (std::size_t t = 0; t < trials.size(); ++t)
            out[t] |= trials[permuted ? perms[i][t] : t] & m;
    }
    return out;
}

double independent_conditional_entropy(const ConditionCounts& counts,
                                       const std::vector<double>& p_s,
                                       std::uint32_t bits_per_component, InnerEstimator inner) {
    const std::uint32_t nc = n_components(counts.n_bins, bits_per_component);
    const std::uint64_t mask = component_mask(bits_per_component);
    const double r_tot_component = std::ldexp(1.0, static_cast<int>(bits_per_component));
    double h = 0.0;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> vals; // (component value, count)
    for (std::size_t s = 0; s < counts.n_stimuli(); ++s) {
        const double n = static_cast<double>(counts.n_trials(s));
        if (n == 0)
            continue;
        double hs = 0.0;
        for (std::uint32_t i = 0; i < nc; ++i) {
            const std::uint32_t shift = i * bits_per_component;
            vals.clear();
            for (std::uint64_t k = counts.offsets[s]; k < counts.offsets[s + 1]; ++k)
                vals.push_back({(counts.words[k] >> shift) & mask, counts.counts[k]});
            std::sort(vals.begin(), vals.end());
            std::vector<std::uint64_t> c;
            for (std::size_t a = 0; a < vals.size();) {
                std::size_t b = a;
                std::uint64_t sum = 0;
                while (b < vals.size() && vals[b].first == vals[a].first)
                    sum += vals[b++].second;
                c.push_back(sum);
                a = b;
            }
            hs += entropy_bits_from_counts(c.data(), c.size(), n);
            if (inner == InnerEstimator::pt)
                hs += first_order_bias_bits(bayes_count(c, r_tot_component), n);
        }
        h += p_s[s] * hs;
    }
    return h;
}

} // namespace detail

ShuffleResult compute_shuffle(const ConditionCounts& counts, const std::vector<double>& p_s,
                              const ShuffleOptions& options) {
    detail::validate_inputs(counts, p_s, nullptr);
    if (options.replicates == 0)
        throw std::invalid_argument("I_sh needs at least one shuffle");
    const std::size_t ns = counts.n_stimuli();
    const std::uint32_t nc = detail::n_components(counts.n_bins, options.bits_per_component);
    const double r_tot =
        options.inner == InnerEstimator::pt ? response_space_size(counts, options.rtot) : 0.0;

    ShuffleResult r;
    const detail::Marginal m = detail::compute_marginal(counts, p_s);
    double n_total = 0.0, h_s = 0.0;
    std::uint32_t used = 0;
    for (std::size_t s = 0; s < ns; ++s) {
        const std::uint64_t b = counts.offsets[s], e = counts.offsets[s + 1];
        const double n = static_cast<double>(counts.n_trials(s));
        n_total += n;
        h_s += plogp_bits(p_s[s]);
        if (n == 0)
            continue;
        ++used;
        double h = entropy_bits_from_counts(counts.counts.data() + b, e - b, n);
        if (options.inner == InnerEstimator::pt)
            h += first_order_bias_bits(bayes_count(counts.counts.data() + b, e - b, r_tot), n);
        r.h_rs += p_s[s] * h;
    }
    r.h_r = m.h_r;
    if (options.inner == InnerEstimator::pt && !m.n_r.empty())
        r.h_r += first_order_bias_bits(bayes_count(m.n_r, r_tot), n_total);
    r.h_ind_rs = detail::independent_conditional_entropy(counts, p_s, options.bits_per_component,
                                                         options.inner);

    std::vector<std::vector<std::uint64_t>> trials(ns);
    for (std::size_t s = 0; s < ns; ++s)
        trials[s] = detail::expand_trials(counts, s);
    double sum = 0.0, sum_sq = 0.0;
    std::vector<std::vector<std::uint32_t>> perms(nc);
    for (std::uint32_t rep = 0; rep < options.replicates; ++rep) {
        detail::RandomStream rng(options.seed, detail::RandomPurpose::bin_shuffle, rep);
        double h_sh = 0.0;
        for (std::size_t s = 0; s < ns; ++s) {
            if (trials[s].empty())
                continue;
            // Component 0 stays in place: only relative permutations change the word multiset.
            for (std::uint32_t i = 1; i < nc; ++i) {
                perms[i].resize(trials[s].size());
                std::iota(perms[i].begin(), perms[i].end(), 0u);
                detail::shuffle_in_place(perms[i], rng);
            }
            const auto shuffled = detail::shuffle_components(trials[s], counts.n_bins,
                                                             options.bits_per_component, perms);
            h_sh += p_s[s] * detail::stimulus_entropy(shuffled, options.inner, r_tot);
        }
        sum += h_sh;
        sum_sq += h_sh * h_sh;
    }
    const double mm = static_cast<double>(options.replicates);
    r.h_sh_rs = sum / mm;
    r.h_sh_rs_sd = options.replicates > 1
                       ? std::sqrt(std::max(0.0, (sum_sq - sum * sum / mm) / (mm - 1.0)))
                       : 0.0;
    r.mi = r.h_r - r.h_ind_rs + r.h_sh_rs - r.h_rs;
    r.flags.ps_not_empirical = !detail::is_empirical(counts, p_s);
    detail::set_mi_flags(r.flags, r.mi, used, h_s);
    return r;
}

} // namespace memlif
