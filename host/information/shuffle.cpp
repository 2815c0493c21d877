// SPDX-License-Identifier: MIT
//! \file host/information/shuffle.cpp
#include "shuffle.hpp"
#include "sampling_error.hpp"

#include "marginal.hpp"
#include "memlif/kernels/entropy.hpp"
#include "parallel.hpp"
#include "random_stream.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace memlif {
namespace detail {
namespace {

//! Mean and SD of the H_sh replicates, I_sh = H(R) - H_ind(R|S) + H_sh(R|S) - H(R|S), flags.
void finish_shuffle(ShuffleResult& r, double sum, double sum_sq, std::uint32_t replicates,
                    const ConditionCounts& counts, const std::vector<double>& p_s,
                    std::uint32_t used, double h_s) {
    const double mm = static_cast<double>(replicates);
    r.h_sh_rs = sum / mm;
    r.h_sh_rs_sd =
        replicates > 1 ? std::sqrt(std::max(0.0, (sum_sq - sum * sum / mm) / (mm - 1.0))) : 0.0;
    r.mi = r.h_r - r.h_ind_rs + r.h_sh_rs - r.h_rs;
    r.flags.ps_not_empirical = !detail::is_empirical(counts, p_s);
    detail::set_mi_flags(r.flags, r.mi, used, h_s);
}

std::uint64_t component_mask(std::uint32_t bits) {
    return bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
}

//! Inner entropy of one stimulus from its (sorted or unsorted) trial words.
double stimulus_entropy(std::vector<std::uint64_t> words, InnerEstimator inner, double r_tot) {
    std::sort(words.begin(), words.end());
    std::vector<std::uint64_t> c;
    for (std::size_t i = 0; i < words.size();) {
        std::size_t j = i;
        while (j < words.size() && words[j] == words[i]) ++j;
        c.push_back(j - i);
        i = j;
    }
    const double n = static_cast<double>(words.size());
    double h = entropy_bits_from_counts(c.data(), c.size(), n);
    if (inner == InnerEstimator::pt && !c.empty())
        h += first_order_bias_bits(bayes_count(c, r_tot), n);
    return h;
}

//! Plug-in sum_i H(R_i) of one trial list: entropy of each component's values across trials.
double component_entropy_sum(const std::vector<std::uint64_t>& words, std::uint32_t n_bins,
                             std::uint32_t bits_per_component) {
    const std::uint32_t nc = n_components(n_bins, bits_per_component);
    const std::uint64_t mask = component_mask(bits_per_component);
    const double n = static_cast<double>(words.size());
    std::vector<std::uint64_t> vals(words.size()), c;
    double h = 0.0;
    for (std::uint32_t i = 0; i < nc; ++i) {
        const std::uint32_t shift = i * bits_per_component;
        for (std::size_t t = 0; t < words.size(); ++t) vals[t] = (words[t] >> shift) & mask;
        std::sort(vals.begin(), vals.end());
        c.clear();
        for (std::size_t a = 0; a < vals.size();) {
            std::size_t b = a;
            while (b < vals.size() && vals[b] == vals[a]) ++b;
            c.push_back(b - a);
            a = b;
        }
        h += entropy_bits_from_counts(c.data(), c.size(), n);
    }
    return h;
}

//! Entropy (inner estimator) of one stimulus's trials after permuting components 1..nc-1 across
//! them with draws from rng; component 0 stays in place (only relative permutations change the
//! word multiset).
double shuffled_entropy(const std::vector<std::uint64_t>& trials, std::uint32_t n_bins,
                        std::uint32_t bits_per_component, RandomStream& rng, InnerEstimator inner,
                        double r_tot, std::vector<std::vector<std::uint32_t>>& perms) {
    for (std::size_t i = 1; i < perms.size(); ++i) {
        perms[i].resize(trials.size());
        std::iota(perms[i].begin(), perms[i].end(), 0u);
        shuffle_in_place(perms[i], rng);
    }
    return stimulus_entropy(shuffle_components(trials, n_bins, bits_per_component, perms), inner,
                            r_tot);
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
        if (n == 0) continue;
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
                while (b < vals.size() && vals[b].first == vals[a].first) sum += vals[b++].second;
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

namespace {

//! I_sh with quadratic extrapolation of every term (see compute_shuffle).
ShuffleResult compute_shuffle_qe(const ConditionCounts& counts, const std::vector<double>& p_s,
                                 const ShuffleOptions& options) {
    const std::size_t ns = counts.n_stimuli();
    std::vector<std::uint64_t> n_s(ns);
    bool small = false;
    std::uint32_t used = 0;
    double h_s = 0.0;
    for (std::size_t s = 0; s < ns; ++s) {
        n_s[s] = counts.n_trials(s);
        small = small || (n_s[s] > 0 && n_s[s] < 4);
        used += n_s[s] > 0 ? 1u : 0u;
        h_s += plogp_bits(p_s[s]);
    }
    if (small) {
        if (options.small_sample == SmallSamplePolicy::refuse)
            throw SamplingError("I_sh with QE needs N_s >= 4 for every stimulus with trials");
        ShuffleOptions plug = options;
        plug.inner = InnerEstimator::plugin;
        ShuffleResult r = compute_shuffle(counts, p_s, plug);
        r.flags.qe_fallback = true;
        return r;
    }
    if (options.qe_partition == QePartition::shuffled && options.qe_replicates == 0)
        throw std::invalid_argument("I_sh with QE: shuffled partition needs >= 1 replicate");

    ShuffleResult r;
    QeOptions q;
    q.partition = options.qe_partition;
    q.target = QeTarget::entropies;
    q.inner = InnerEstimator::plugin;
    q.replicates = options.qe_replicates;
    q.seed = options.seed;
    q.small_sample = SmallSamplePolicy::refuse;
    const QeResult qr = compute_quadratic_extrapolation(counts, p_s, q);
    r.h_r = qr.h_r;
    r.h_rs = qr.h_rs;

    // The partitions of compute_quadratic_extrapolation: piles[level][m * k + j][s], k = 2, 4.
    std::vector<std::vector<std::uint64_t>> canon(ns);
    for (std::size_t s = 0; s < ns; ++s) canon[s] = detail::expand_trials(counts, s);
    const std::uint32_t reps =
        options.qe_partition == QePartition::shuffled ? options.qe_replicates : 1;
    const std::uint64_t ks[2] = {2, 4};
    std::vector<std::vector<std::vector<std::uint64_t>>> piles[2];
    for (int lvl = 0; lvl < 2; ++lvl) {
        const std::uint64_t k = ks[lvl];
        for (std::uint32_t m = 0; m < reps; ++m) {
            std::vector<std::vector<std::uint64_t>> order = canon;
            if (options.qe_partition == QePartition::shuffled) {
                detail::RandomStream rng(options.seed, detail::RandomPurpose::qe_partition,
                                         m * 4u + static_cast<std::uint32_t>(k));
                for (auto& t : order) detail::shuffle_in_place(t, rng);
            }
            for (std::uint64_t j = 0; j < k; ++j) {
                std::vector<std::vector<std::uint64_t>> pile(ns);
                for (std::size_t s = 0; s < ns; ++s) {
                    const std::uint64_t size = n_s[s] / k;
                    for (std::uint64_t i = 0; i < size; ++i)
                        pile[s].push_back(
                            order[s][options.qe_partition == QePartition::block ? j + i * k
                                                                                : j * size + i]);
                }
                piles[lvl].push_back(std::move(pile));
            }
        }
    }
    // Per-stimulus Lagrange weights from floor(N_s/k); the sub-level weights already divide by
    // the number of piles averaged.
    std::vector<std::array<double, 3>> w(ns);
    for (std::size_t s = 0; s < ns; ++s) {
        if (n_s[s] == 0) continue;
        w[s] = qe_weights(static_cast<double>(n_s[s]), static_cast<double>(n_s[s] / 2),
                          static_cast<double>(n_s[s] / 4));
        w[s][1] /= static_cast<double>(piles[0].size());
        w[s][2] /= static_cast<double>(piles[1].size());
    }

    const std::uint32_t bpc = options.bits_per_component;
    for (std::size_t s = 0; s < ns; ++s) {
        if (n_s[s] == 0) continue;
        double h = w[s][0] * detail::component_entropy_sum(canon[s], counts.n_bins, bpc);
        for (int lvl = 0; lvl < 2; ++lvl)
            for (const auto& pile : piles[lvl])
                h += w[s][lvl + 1] * detail::component_entropy_sum(pile[s], counts.n_bins, bpc);
        r.h_ind_rs += p_s[s] * h;
    }

    const std::uint32_t nc = detail::n_components(counts.n_bins, bpc);
    // Replicate rep owns its streams and its slot; the slots are summed in replicate order.
    std::vector<double> h_sh(options.replicates, 0.0);
    const auto n_rep = static_cast<std::ptrdiff_t>(options.replicates);
    double n_total = 0.0;
    for (std::uint64_t n : n_s) n_total += static_cast<double>(n);
    [[maybe_unused]] const bool threads = detail::worth_threads(
        static_cast<double>(options.replicates) * static_cast<double>(1 + 2 * reps) * n_total *
        static_cast<double>(nc));
    MEMLIF_OMP(omp parallel if (threads)) {
        std::vector<std::vector<std::uint32_t>> perms(nc);
        std::vector<double> h(ns, 0.0);
        MEMLIF_OMP(omp for schedule(dynamic))
        for (std::ptrdiff_t ri = 0; ri < n_rep; ++ri) {
            const auto rep = static_cast<std::uint32_t>(ri);
            // Full data: the draws of the plug-in I_sh; subsamples: a second stream per
            // replicate.
            detail::RandomStream rng(options.seed, detail::RandomPurpose::bin_shuffle, rep);
            detail::RandomStream sub_rng(options.seed, detail::RandomPurpose::bin_shuffle,
                                         rep | 0x80000000u);
            std::fill(h.begin(), h.end(), 0.0);
            for (std::size_t s = 0; s < ns; ++s)
                if (n_s[s] > 0)
                    h[s] = w[s][0] * detail::shuffled_entropy(canon[s], counts.n_bins, bpc, rng,
                                                              InnerEstimator::plugin, 0.0, perms);
            for (int lvl = 0; lvl < 2; ++lvl)
                for (const auto& pile : piles[lvl])
                    for (std::size_t s = 0; s < ns; ++s)
                        if (n_s[s] > 0)
                            h[s] += w[s][lvl + 1] *
                                    detail::shuffled_entropy(pile[s], counts.n_bins, bpc, sub_rng,
                                                             InnerEstimator::plugin, 0.0, perms);
            double v = 0.0;
            for (std::size_t s = 0; s < ns; ++s) v += p_s[s] * h[s];
            h_sh[rep] = v;
        }
    }
    double sum = 0.0, sum_sq = 0.0;
    for (double v : h_sh) {
        sum += v;
        sum_sq += v * v;
    }
    detail::finish_shuffle(r, sum, sum_sq, options.replicates, counts, p_s, used, h_s);
    return r;
}

} // namespace

ShuffleResult compute_shuffle(const ConditionCounts& counts, const std::vector<double>& p_s,
                              const ShuffleOptions& options) {
    detail::validate_inputs(counts, p_s, nullptr);
    if (options.replicates == 0) throw std::invalid_argument("I_sh needs at least one shuffle");
    if (options.inner == InnerEstimator::qe) return compute_shuffle_qe(counts, p_s, options);
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
        if (n == 0) continue;
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
    for (std::size_t s = 0; s < ns; ++s) trials[s] = detail::expand_trials(counts, s);
    // Replicate rep owns its stream and its slot; the slots are summed in replicate order.
    std::vector<double> h_sh(options.replicates, 0.0);
    const auto n_rep = static_cast<std::ptrdiff_t>(options.replicates);
    [[maybe_unused]] const bool threads = detail::worth_threads(
        static_cast<double>(options.replicates) * n_total * static_cast<double>(nc));
    MEMLIF_OMP(omp parallel if (threads)) {
        std::vector<std::vector<std::uint32_t>> perms(nc);
        MEMLIF_OMP(omp for schedule(dynamic))
        for (std::ptrdiff_t ri = 0; ri < n_rep; ++ri) {
            const auto rep = static_cast<std::uint32_t>(ri);
            detail::RandomStream rng(options.seed, detail::RandomPurpose::bin_shuffle, rep);
            double h = 0.0;
            for (std::size_t s = 0; s < ns; ++s) {
                if (trials[s].empty()) continue;
                h += p_s[s] * detail::shuffled_entropy(trials[s], counts.n_bins,
                                                       options.bits_per_component, rng,
                                                       options.inner, r_tot, perms);
            }
            h_sh[rep] = h;
        }
    }
    double sum = 0.0, sum_sq = 0.0;
    for (double h : h_sh) {
        sum += h;
        sum_sq += h * h;
    }
    detail::finish_shuffle(r, sum, sum_sq, options.replicates, counts, p_s, used, h_s);
    return r;
}

} // namespace memlif
