// SPDX-License-Identifier: MIT
//! \file host/information/quadratic_extrapolation.cpp
#include "quadratic_extrapolation.hpp"
#include "sampling_error.hpp"

#include "marginal.hpp"
#include "memlif/kernels/entropy.hpp"
#include "random_stream.hpp"

#include <stdexcept>
#include <string>

namespace memlif {

std::array<double, 3> qe_weights(double n1, double n2, double n4) {
    const double x[3] = {1.0 / n1, 1.0 / n2, 1.0 / n4};
    std::array<double, 3> w{};
    for (int i = 0; i < 3; ++i) {
        double p = 1.0;
        for (int j = 0; j < 3; ++j)
            if (j != i)
                p *= x[j] / (x[j] - x[i]);
        w[static_cast<std::size_t>(i)] = p;
    }
    return w;
}

namespace detail {
namespace {

struct SampleEntropies {
    double h_r = 0;
    std::vector<double> h_r_s;
};

//! Inner estimator on one (sub)sample: plug-in, or plug-in plus the PT terms under r_tot.
SampleEntropies inner_entropies(const ConditionCounts& c, const std::vector<double>& p_s,
                                InnerEstimator inner, double r_tot) {
    SampleEntropies e;
    const std::size_t ns = c.n_stimuli();
    e.h_r_s.assign(ns, 0.0);
    const Marginal m = compute_marginal(c, p_s);
    e.h_r = m.h_r;
    double n_total = 0.0;
    for (std::size_t s = 0; s < ns; ++s) {
        const std::uint64_t b = c.offsets[s], en = c.offsets[s + 1];
        const double n = static_cast<double>(c.n_trials(s));
        n_total += n;
        e.h_r_s[s] = entropy_bits_from_counts(c.counts.data() + b, en - b, n);
        if (inner == InnerEstimator::pt && en > b)
            e.h_r_s[s] += first_order_bias_bits(bayes_count(c.counts.data() + b, en - b, r_tot), n);
    }
    if (inner == InnerEstimator::pt && !m.n_r.empty())
        e.h_r += first_order_bias_bits(bayes_count(m.n_r, r_tot), n_total);
    return e;
}

std::vector<double> sub_p_s(const std::vector<std::uint64_t>& sizes, const std::vector<double>& p_s,
                            bool empirical) {
    if (!empirical)
        return p_s;
    double total = 0;
    for (auto n : sizes)
        total += static_cast<double>(n);
    std::vector<double> p(sizes.size(), 0.0);
    for (std::size_t s = 0; s < sizes.size(); ++s)
        p[s] = static_cast<double>(sizes[s]) / total;
    return p;
}

} // namespace
} // namespace detail

QeResult compute_quadratic_extrapolation(const ConditionCounts& counts,
                                         const std::vector<double>& p_s, const QeOptions& options) {
    detail::validate_inputs(counts, p_s, nullptr);
    if (options.inner == InnerEstimator::qe)
        throw std::invalid_argument("QE cannot use itself as inner estimator (plugin or pt)");
    const std::size_t ns = counts.n_stimuli();
    const bool empirical = detail::is_empirical(counts, p_s);
    const double r_tot =
        options.inner == InnerEstimator::pt ? response_space_size(counts, options.rtot) : 0.0;

    std::vector<std::uint64_t> n_s(ns);
    std::uint32_t used = 0;
    double h_s = 0;
    bool small = false;
    for (std::size_t s = 0; s < ns; ++s) {
        n_s[s] = counts.n_trials(s);
        if (n_s[s] > 0)
            ++used;
        if (n_s[s] > 0 && n_s[s] < 4)
            small = true;
        h_s += plogp_bits(p_s[s]);
    }

    QeResult res;
    res.flags.ps_not_empirical = !empirical;
    const detail::SampleEntropies full = detail::inner_entropies(counts, p_s, options.inner, r_tot);
    if (small) {
        if (options.small_sample == SmallSamplePolicy::refuse)
            throw SamplingError("QE needs N_s >= 4 for every stimulus with trials");
        res.flags.qe_fallback = true;
        res.h_r = full.h_r;
        for (std::size_t s = 0; s < ns; ++s)
            res.h_rs += p_s[s] * full.h_r_s[s];
        res.mi = res.h_r - res.h_rs;
        detail::set_mi_flags(res.flags, res.mi, used, h_s);
        return res;
    }
    if (options.partition == QePartition::shuffled && options.replicates == 0)
        throw std::invalid_argument("QE shuffled partition needs at least one replicate");

    // Mean subsample entropies per level: hr[k], hrs[k][s]; level 0 is the full data.
    const int ks[3] = {1, 2, 4};
    std::array<double, 3> hr{};
    std::array<std::vector<double>, 3> hrs;
    std::array<double, 3> level_mi{};
    hr[0] = full.h_r;
    hrs[0] = full.h_r_s;
    for (std::size_t s = 0; s < ns; ++s)
        level_mi[0] += p_s[s] * full.h_r_s[s];
    level_mi[0] = full.h_r - level_mi[0];
    res.level_size[0] = 0;
    for (std::size_t s = 0; s < ns; ++s)
        res.level_size[0] += static_cast<double>(n_s[s]);

    std::vector<std::vector<std::uint64_t>> canon(ns);
    for (std::size_t s = 0; s < ns; ++s)
        canon[s] = detail::expand_trials(counts, s);

    const std::uint32_t reps = options.partition == QePartition::shuffled ? options.replicates : 1;
    for (int li = 1; li < 3; ++li) {
        const std::size_t lvl = static_cast<std::size_t>(li);
        const std::uint64_t k = static_cast<std::uint64_t>(ks[li]);
        hrs[lvl].assign(ns, 0.0);
        std::vector<std::uint64_t> sizes(ns);
        double tot = 0;
        for (std::size_t s = 0; s < ns; ++s) {
            sizes[s] = n_s[s] / k;
            tot += static_cast<double>(sizes[s]);
        }
        res.level_size[lvl] = tot;
        const std::vector<double> p_sub = detail::sub_p_s(sizes, p_s, empirical);
        double sum_hr = 0, sum_mi = 0;
        for (std::uint32_t m = 0; m < reps; ++m) {
            std::vector<std::vector<std::uint64_t>> order = canon;
            if (options.partition == QePartition::shuffled) {
                // One stream per (replicate, level): halves and quarters are independent draws.
                detail::RandomStream rng(options.seed, detail::RandomPurpose::qe_partition,
                                         m * 4u + static_cast<std::uint32_t>(k));
                for (auto& t : order)
                    detail::shuffle_in_place(t, rng);
            }
            for (std::uint64_t j = 0; j < k; ++j) {
                std::vector<std::vector<std::uint64_t>> sub(ns);
                for (std::size_t s = 0; s < ns; ++s) {
                    sub[s].reserve(sizes[s]);
                    for (std::uint64_t i = 0; i < sizes[s]; ++i) {
                        // block: pile j of a round-robin deal; shuffled: consecutive block j.
                        const std::uint64_t idx =
                            options.partition == QePartition::block ? j + i * k : j * sizes[s] + i;
                        sub[s].push_back(order[s][idx]);
                    }
                }
                const ConditionCounts sc = counts_from_trials(sub, counts.n_bins);
                const detail::SampleEntropies e =
                    detail::inner_entropies(sc, p_sub, options.inner, r_tot);
                sum_hr += e.h_r;
                double hrs_sub = 0;
                for (std::size_t s = 0; s < ns; ++s) {
                    hrs[lvl][s] += e.h_r_s[s];
                    hrs_sub += p_sub[s] * e.h_r_s[s];
                }
                sum_mi += e.h_r - hrs_sub;
            }
        }
        const double norm = static_cast<double>(reps) * static_cast<double>(k);
        hr[lvl] = sum_hr / norm;
        level_mi[lvl] = sum_mi / norm;
        for (std::size_t s = 0; s < ns; ++s)
            hrs[lvl][s] /= norm;
    }
    detail::combine_qe_levels(res, hr, level_mi, hrs, n_s, p_s, options.target, used, h_s);
    return res;
}

void detail::combine_qe_levels(QeResult& res, const std::array<double, 3>& hr,
                               const std::array<double, 3>& level_mi,
                               const std::array<std::vector<double>, 3>& hrs,
                               const std::vector<std::uint64_t>& n_s, const std::vector<double>& p_s,
                               QeTarget target, std::uint32_t used, double h_s) {
    res.level_mi = level_mi;
    res.weights = qe_weights(res.level_size[0], res.level_size[1], res.level_size[2]);
    const auto& w = res.weights;
    res.h_r = w[0] * hr[0] + w[1] * hr[1] + w[2] * hr[2];
    if (target == QeTarget::entropies) {
        double h_rs = 0;
        for (std::size_t s = 0; s < n_s.size(); ++s) {
            if (n_s[s] == 0)
                continue;
            const auto ws = qe_weights(static_cast<double>(n_s[s]), static_cast<double>(n_s[s] / 2),
                                       static_cast<double>(n_s[s] / 4));
            h_rs += p_s[s] * (ws[0] * hrs[0][s] + ws[1] * hrs[1][s] + ws[2] * hrs[2][s]);
        }
        res.h_rs = h_rs;
        res.mi = res.h_r - res.h_rs;
    } else {
        res.mi = w[0] * level_mi[0] + w[1] * level_mi[1] + w[2] * level_mi[2];
        res.h_rs = res.h_r - res.mi;
    }
    detail::set_mi_flags(res.flags, res.mi, used, h_s);
}

} // namespace memlif
