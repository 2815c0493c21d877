// SPDX-License-Identifier: MIT
//! \file host/information/accelerated_resampling.cpp
//! Every step here mirrors a step of the host estimators on the same quantities, in the same
//! order: point_values is detail::point_estimate (compute_plugin, then apply_first_order for MM
//! and PT), sample_entropies is QE's inner estimator, and the null, bootstrap and QE
//! combinations are the host's own (summarise_permutation_null, summarise_bootstrap,
//! combine_qe_levels).
#include "accelerated_resampling.hpp"

#include "marginal.hpp"
#include "sampling_error.hpp"

#include "memlif/kernels/entropy.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace memlif {
namespace {

//! Replicates of `per_replicate` groups each per call: at most max_sums (group, stimulus) sums,
//! at least one replicate.
std::uint32_t replicates_per_call(std::size_t n_stimuli, std::size_t per_replicate,
                                  std::size_t max_sums) {
    const std::size_t per = std::max<std::size_t>(1, n_stimuli * per_replicate);
    const std::size_t n = std::max<std::size_t>(1, max_sums / per);
    return static_cast<std::uint32_t>(std::min<std::size_t>(n, 0xFFFFFFFFu));
}

//! Calls `sums` on replicates [0, total) in chunks, handing each result to `consume(first, r)`.
template <class Consume>
void for_each_chunk(const ConditionCounts& counts, GroupSumsRequest request, std::uint32_t total,
                    std::size_t groups_per_replicate, const GroupSumsFunction& sums,
                    std::size_t max_sums, Consume&& consume) {
    const std::uint32_t chunk =
        replicates_per_call(counts.n_stimuli(), groups_per_replicate, max_sums);
    for (std::uint32_t first = 0; first < total;) {
        request.first_replicate = first;
        request.replicates = std::min(chunk, total - first);
        const GroupSums r = sums(counts, request);
        if (r.n_groups != request.replicates * groups_per_replicate ||
            r.n_stimuli != counts.n_stimuli())
            throw std::logic_error("group sums: wrong number of groups or stimuli returned");
        consume(first, r);
        first += request.replicates;
    }
}

//! The point estimate of group g (detail::point_estimate on its table): compute_plugin, and for
//! MM / PT apply_first_order with (m^, m^_s) or (R~, R~_s). `r_pooled` is the R~ of H(R).
struct PointValues {
    double mi = 0, h_r = 0, h_rs = 0;
    std::vector<double> sss, sps;
};

PointValues point_values(const GroupSums& e, std::size_t g, const std::vector<double>& p_s,
                         const std::vector<std::uint32_t>& n_spk, PointEstimator est,
                         double r_pooled, bool per_stimulus) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::size_t ns = e.n_stimuli;
    PointValues v;
    if (per_stimulus) {
        v.sss.assign(ns, nan);
        v.sps.assign(ns, nan);
    }
    const std::size_t base = g * ns;
    if (est == PointEstimator::plugin) {
        double h_rs = 0.0;
        for (std::size_t s = 0; s < ns; ++s) {
            if (e.n_s[base + s] == 0) continue;
            h_rs += p_s[s] * e.h_rs[base + s];
            if (per_stimulus) v.sss[s] = e.kl[base + s];
        }
        v.h_r = e.h_r[g];
        v.h_rs = h_rs;
        v.mi = v.h_r - v.h_rs;
        if (per_stimulus)
            for (std::size_t s = 0; s < ns; ++s)
                if (n_spk[s] != 0 && !std::isnan(v.sss[s]))
                    v.sps[s] = v.sss[s] / static_cast<double>(n_spk[s]);
        return v;
    }
    const double r_bins = est == PointEstimator::mm ? static_cast<double>(e.n_words[g]) : r_pooled;
    const double term_r = first_order_bias_bits(r_bins, static_cast<double>(e.n_trials[g]));
    v.h_r = e.h_r[g] + term_r;
    double h_rs = 0.0;
    for (std::size_t s = 0; s < ns; ++s) {
        const std::uint32_t n = e.n_s[base + s];
        if (n == 0) continue;
        const double r_s =
            est == PointEstimator::mm ? static_cast<double>(e.m_s[base + s]) : e.r_s[base + s];
        const double term_s = first_order_bias_bits(r_s, static_cast<double>(n));
        h_rs += p_s[s] * (e.h_rs[base + s] + term_s);
        if (per_stimulus) {
            v.sss[s] = e.kl[base + s] - term_s + term_r;
            if (n_spk[s] > 0) v.sps[s] = v.sss[s] / static_cast<double>(n_spk[s]);
        }
    }
    v.h_rs = h_rs;
    v.mi = v.h_r - v.h_rs;
    return v;
}

//! QE's inner estimator on group g: plug-in entropies, plus the PT terms for `pt`.
void sample_entropies(const GroupSums& e, std::size_t g, bool pt, double& h_r,
                      std::vector<double>& h_r_s) {
    const std::size_t ns = e.n_stimuli;
    h_r_s.assign(ns, 0.0);
    h_r = e.h_r[g];
    double n_total = 0.0;
    for (std::size_t s = 0; s < ns; ++s) {
        const std::size_t gs = g * ns + s;
        const double n = static_cast<double>(e.n_s[gs]);
        n_total += n;
        h_r_s[s] = e.h_rs[gs];
        if (pt && e.m_s[gs] > 0) h_r_s[s] += first_order_bias_bits(e.r_s[gs], n);
    }
    if (pt && e.n_words[g] > 0) h_r += first_order_bias_bits(e.r_pooled[g], n_total);
}

GroupSums observed_sums(const ConditionCounts& counts, const std::vector<double>& p_s, bool pt,
                        double r_tot, bool surprise, const GroupSumsFunction& sums) {
    GroupSumsRequest q;
    q.scheme = ReplicateScheme::observed;
    q.p_s = {p_s};
    q.bayes_stimuli = pt;
    q.bayes_pooled = pt;
    q.surprise = surprise;
    q.r_tot = r_tot;
    GroupSums r = sums(counts, q);
    if (r.n_groups != 1 || r.n_stimuli != counts.n_stimuli())
        throw std::logic_error("group sums: wrong number of groups or stimuli returned");
    return r;
}

} // namespace

PermutationNullResult accelerated_permutation_null(const ConditionCounts& counts,
                                                   const std::vector<double>& p_s,
                                                   const std::vector<std::uint32_t>& n_spk,
                                                   const PermutationNullOptions& options,
                                                   PointEstimator estimator, const RtotSpec& rtot,
                                                   const GroupSumsFunction& sums,
                                                   std::size_t max_sums_per_call) {
    detail::validate_inputs(counts, p_s, &n_spk);
    if (options.replicates == 0) throw std::invalid_argument("permutation null needs M >= 1");
    for (double q : options.quantile_levels)
        if (!(q >= 0.0 && q <= 1.0)) throw std::invalid_argument("quantile level outside [0, 1]");
    const bool pt = estimator == PointEstimator::pt;
    const double r_tot = pt ? response_space_size(counts, rtot) : 0.0;

    const GroupSums obs = observed_sums(counts, p_s, pt, r_tot, false, sums);
    // Permutations keep the pooled counts n(r): the observed R~ serves every replicate.
    const double r_pooled = pt ? obs.r_pooled[0] : 0.0;
    const double observed = point_values(obs, 0, p_s, n_spk, estimator, r_pooled, false).mi;

    GroupSumsRequest q;
    q.scheme = ReplicateScheme::label_permutation;
    q.seed = options.seed;
    q.p_s = {p_s};
    q.bayes_stimuli = pt;
    q.r_tot = r_tot;
    std::vector<double> null(options.replicates);
    for_each_chunk(counts, q, options.replicates, 1, sums, max_sums_per_call,
                   [&](std::uint32_t first, const GroupSums& r) {
                       for (std::size_t g = 0; g < r.n_groups; ++g)
                           null[first + g] =
                               point_values(r, g, p_s, n_spk, estimator, r_pooled, false).mi;
                   });
    return detail::summarise_permutation_null(observed, std::move(null), options);
}

BootstrapResult accelerated_bootstrap(const ConditionCounts& counts, const std::vector<double>& p_s,
                                      const std::vector<std::uint32_t>& n_spk,
                                      const BootstrapOptions& options,
                                      const GroupSumsFunction& sums,
                                      std::size_t max_sums_per_call) {
    detail::validate_inputs(counts, p_s, &n_spk);
    if (options.replicates < 2) throw std::invalid_argument("bootstrap needs B >= 2");
    if (!(options.confidence > 0.0 && options.confidence < 1.0))
        throw std::invalid_argument("bootstrap confidence must be in (0, 1)");
    const bool pt = options.estimator == PointEstimator::pt;
    // R_tot is resolved on the data once, as compute_bootstrap does.
    const double r_tot = pt ? response_space_size(counts, options.rtot) : 0.0;

    const std::size_t ns = counts.n_stimuli();
    const std::size_t b_count = options.replicates;
    std::vector<double> mi(b_count), h_r(b_count), h_rs(b_count);
    std::vector<std::vector<double>> sss(ns, std::vector<double>(b_count)),
        sps(ns, std::vector<double>(b_count));
    GroupSumsRequest q;
    q.scheme = ReplicateScheme::bootstrap;
    q.seed = options.seed;
    q.p_s = {p_s};
    q.bayes_stimuli = pt;
    q.bayes_pooled = pt;
    q.surprise = true;
    q.r_tot = r_tot;
    for_each_chunk(counts, q, options.replicates, 1, sums, max_sums_per_call,
                   [&](std::uint32_t first, const GroupSums& r) {
                       for (std::size_t g = 0; g < r.n_groups; ++g) {
                           const PointValues v = point_values(r, g, p_s, n_spk, options.estimator,
                                                              pt ? r.r_pooled[g] : 0.0, true);
                           const std::size_t b = first + g;
                           mi[b] = v.mi;
                           h_r[b] = v.h_r;
                           h_rs[b] = v.h_rs;
                           for (std::size_t s = 0; s < ns; ++s) {
                               sss[s][b] = v.sss[s];
                               sps[s][b] = v.sps[s];
                           }
                       }
                   });
    return detail::summarise_bootstrap(mi, h_r, h_rs, sss, sps, options.replicates,
                                       options.confidence);
}

QeResult accelerated_quadratic_extrapolation(const ConditionCounts& counts,
                                             const std::vector<double>& p_s,
                                             const QeOptions& options,
                                             const GroupSumsFunction& sums,
                                             std::size_t max_sums_per_call) {
    detail::validate_inputs(counts, p_s, nullptr);
    if (options.inner == InnerEstimator::qe)
        throw std::invalid_argument("QE cannot use itself as inner estimator (plugin or pt)");
    const std::size_t ns = counts.n_stimuli();
    const bool empirical = detail::is_empirical(counts, p_s);
    const bool pt = options.inner == InnerEstimator::pt;
    const double r_tot = pt ? response_space_size(counts, options.rtot) : 0.0;

    std::vector<std::uint64_t> n_s(ns);
    std::uint32_t used = 0;
    double h_s = 0;
    bool small = false;
    for (std::size_t s = 0; s < ns; ++s) {
        n_s[s] = counts.n_trials(s);
        if (n_s[s] > 0) ++used;
        if (n_s[s] > 0 && n_s[s] < 4) small = true;
        h_s += plogp_bits(p_s[s]);
    }

    QeResult res;
    res.flags.ps_not_empirical = !empirical;
    const GroupSums full = observed_sums(counts, p_s, pt, r_tot, false, sums);
    double full_h_r = 0;
    std::vector<double> full_h_r_s;
    sample_entropies(full, 0, pt, full_h_r, full_h_r_s);
    if (small) {
        if (options.small_sample == SmallSamplePolicy::refuse)
            throw SamplingError("QE needs N_s >= 4 for every stimulus with trials");
        res.flags.qe_fallback = true;
        res.h_r = full_h_r;
        for (std::size_t s = 0; s < ns; ++s) res.h_rs += p_s[s] * full_h_r_s[s];
        res.mi = res.h_r - res.h_rs;
        detail::set_mi_flags(res.flags, res.mi, used, h_s);
        return res;
    }
    const bool shuffled = options.partition == QePartition::shuffled;
    if (shuffled && options.replicates == 0)
        throw std::invalid_argument("QE shuffled partition needs at least one replicate");

    // Mean subsample entropies per level: hr[k], hrs[k][s]; level 0 is the full data.
    const std::uint64_t ks[3] = {1, 2, 4};
    std::array<double, 3> hr{};
    std::array<std::vector<double>, 3> hrs;
    std::array<double, 3> level_mi{};
    hr[0] = full_h_r;
    hrs[0] = full_h_r_s;
    for (std::size_t s = 0; s < ns; ++s) level_mi[0] += p_s[s] * full_h_r_s[s];
    level_mi[0] = full_h_r - level_mi[0];
    res.level_size[0] = 0;
    for (std::size_t s = 0; s < ns; ++s) res.level_size[0] += static_cast<double>(n_s[s]);
    // Each subsample weighs its marginal with p(s), or with its own floor(N_s/k) / totN_k when
    // p(s) is empirical (sub_p_s of compute_quadratic_extrapolation).
    std::array<std::vector<double>, 3> p_sub;
    for (std::size_t lvl = 1; lvl < 3; ++lvl) {
        double tot = 0;
        for (std::size_t s = 0; s < ns; ++s) tot += static_cast<double>(n_s[s] / ks[lvl]);
        res.level_size[lvl] = tot;
        p_sub[lvl] = p_s;
        if (empirical)
            for (std::size_t s = 0; s < ns; ++s)
                p_sub[lvl][s] = static_cast<double>(n_s[s] / ks[lvl]) / tot;
        hrs[lvl].assign(ns, 0.0);
    }

    GroupSumsRequest q;
    q.scheme = shuffled ? ReplicateScheme::qe_shuffled : ReplicateScheme::qe_block;
    q.seed = options.seed;
    q.p_s = {p_sub[1], p_sub[2]};
    q.bayes_stimuli = pt;
    q.bayes_pooled = pt;
    q.r_tot = r_tot;
    const std::uint32_t reps = shuffled ? options.replicates : 1;
    // The host sums level by level, replicate by replicate, pile by pile: per level that is the
    // order of the chunks, then of the replicates and piles inside each.
    std::array<double, 3> sum_hr{}, sum_mi{};
    std::vector<double> e_h_r_s;
    const auto consume = [&](std::uint32_t, const GroupSums& r) {
        for (std::size_t lvl = 1; lvl < 3; ++lvl)
            for (std::size_t m = 0; m < r.n_groups / 6; ++m)
                for (std::uint64_t j = 0; j < ks[lvl]; ++j) {
                    const std::size_t g = m * 6 + (lvl == 1 ? j : 2 + j);
                    double e_h_r = 0;
                    sample_entropies(r, g, pt, e_h_r, e_h_r_s);
                    sum_hr[lvl] += e_h_r;
                    double hrs_sub = 0;
                    for (std::size_t s = 0; s < ns; ++s) {
                        hrs[lvl][s] += e_h_r_s[s];
                        hrs_sub += p_sub[lvl][s] * e_h_r_s[s];
                    }
                    sum_mi[lvl] += e_h_r - hrs_sub;
                }
    };
    if (shuffled) {
        for_each_chunk(counts, q, reps, 6, sums, max_sums_per_call, consume);
    } else {
        const GroupSums r = sums(counts, q);
        if (r.n_groups != 6 || r.n_stimuli != ns)
            throw std::logic_error("group sums: wrong number of groups or stimuli returned");
        consume(0, r);
    }
    for (std::size_t lvl = 1; lvl < 3; ++lvl) {
        const double norm = static_cast<double>(reps) * static_cast<double>(ks[lvl]);
        hr[lvl] = sum_hr[lvl] / norm;
        level_mi[lvl] = sum_mi[lvl] / norm;
        for (std::size_t s = 0; s < ns; ++s) hrs[lvl][s] /= norm;
    }
    detail::combine_qe_levels(res, hr, level_mi, hrs, n_s, p_s, options.target, used, h_s);
    return res;
}

EstimatorAccelerator make_estimator_accelerator(GroupSumsFunction sums) {
    EstimatorAccelerator a;
    a.permutation_null = [sums](const ConditionCounts& c, const std::vector<double>& p,
                                const std::vector<std::uint32_t>& n,
                                const PermutationNullOptions& o, PointEstimator e,
                                const RtotSpec& r) {
        return accelerated_permutation_null(c, p, n, o, e, r, sums);
    };
    a.bootstrap = [sums](const ConditionCounts& c, const std::vector<double>& p,
                         const std::vector<std::uint32_t>& n, const BootstrapOptions& o) {
        return accelerated_bootstrap(c, p, n, o, sums);
    };
    a.quadratic_extrapolation = [sums](const ConditionCounts& c, const std::vector<double>& p,
                                       const QeOptions& o) {
        return accelerated_quadratic_extrapolation(c, p, o, sums);
    };
    return a;
}

} // namespace memlif
