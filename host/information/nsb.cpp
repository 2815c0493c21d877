// SPDX-License-Identifier: MIT
//! \file host/information/nsb.cpp
#include "nsb.hpp"
#include "sampling_error.hpp"

#include "marginal.hpp"
#include "memlif/kernels/entropy.hpp"
#include "parallel.hpp"
#include "special_functions.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

namespace memlif {
namespace {

//! Bins grouped by count value: every bin with the same count contributes identically, and the
//! K - m empty bins (K up to 2^64) are one group with count 0.
struct CountGroups {
    std::vector<double> value; // n_k
    std::vector<double> mult;  // number of bins with that count
    double n = 0;              // N
    double k = 0;              // K
};

//! Per-beta quantities (natural log units).
struct BetaTerms {
    double log_weight; // ln[P(n|β) p(β) β], up to a constant
    double h1;         // <H>_β
    double h2;         // <H^2>_β
};

BetaTerms beta_terms(const CountGroups& g, double x) {
    const double beta = std::exp(x);
    const double kb = g.k * beta;
    const double a_tot = g.n + kb;
    double log_l = -detail::log_rising(kb, g.n);
    for (std::size_t i = 0; i < g.value.size(); ++i)
        if (g.value[i] > 0) log_l += g.mult[i] * detail::log_rising(beta, g.value[i]);
    const double dxi = g.k * detail::trigamma(kb + 1.0) - detail::trigamma(beta + 1.0);
    BetaTerms t;
    t.log_weight = log_l + std::log(std::max(dxi, std::numeric_limits<double>::min())) + x;

    const double psi_a2 = detail::digamma(a_tot + 2.0);
    const double tri_a2 = detail::trigamma(a_tot + 2.0);
    double h1 = detail::digamma(a_tot + 1.0);
    double s1 = 0, s2 = 0, t2 = 0, diag = 0;
    for (std::size_t i = 0; i < g.value.size(); ++i) {
        const double a = g.value[i] + beta, m = g.mult[i];
        const double psi_a1 = detail::digamma(a + 1.0);
        h1 -= m * a / a_tot * psi_a1;
        const double u = psi_a1 - psi_a2;
        s1 += m * a * u;
        s2 += m * a * a * u * u;
        t2 += m * a * a;
        const double v = detail::digamma(a + 2.0) - psi_a2;
        diag += m * a * (a + 1.0) * (v * v + detail::trigamma(a + 2.0) - tri_a2);
    }
    // E[H^2] = [sum_{i!=k} a_i a_k (u_i u_k - psi1(A+2)) + sum_i a_i(a_i+1)(v_i^2 + psi1(a_i+2)
    //           - psi1(A+2))] / (A (A+1)), with the i != k sum from (sum)^2 - sum of squares.
    const double cross = (s1 * s1 - s2) - tri_a2 * (a_tot * a_tot - t2);
    t.h1 = h1;
    t.h2 = (cross + diag) / (a_tot * (a_tot + 1.0));
    return t;
}

} // namespace

namespace {

//! nsb_entropy, with the integrand evaluated in parallel over the grid when `parallel` (the
//! evaluations land in per-point slots and are summed in grid order: the same value).
NsbEntropy nsb_entropy_impl(const std::uint64_t* counts, std::size_t n_counts, double k_bins,
                            bool parallel) {
    CountGroups g;
    std::map<std::uint64_t, double> by_value;
    double occupied = 0;
    for (std::size_t i = 0; i < n_counts; ++i) {
        if (counts[i] == 0) continue;
        by_value[counts[i]] += 1.0;
        g.n += static_cast<double>(counts[i]);
        occupied += 1.0;
    }
    if (g.n == 0) return {0.0, 0.0};
    if (!(k_bins >= occupied))
        throw SamplingError("NSB alphabet size K is below the number of occupied bins");
    if (k_bins <= 1.0) return {0.0, 0.0};
    g.k = k_bins;
    for (const auto& [v, m] : by_value) {
        g.value.push_back(static_cast<double>(v));
        g.mult.push_back(m);
    }
    if (k_bins > occupied) {
        g.value.push_back(0.0);
        g.mult.push_back(k_bins - occupied);
    }

    // Locate the peak of the integrand in x = ln β on a coarse grid, then integrate on the range
    // where it stays above e^-50 of the peak.
    const double x_min = -60.0, x_max = 40.0, coarse = 0.25;
    std::vector<double> xs, lw;
    for (double x = x_min; x <= x_max; x += coarse) xs.push_back(x);
    lw.resize(xs.size());
    const auto n_coarse = static_cast<std::ptrdiff_t>(xs.size());
    // Each point costs a few special functions per count group.
    parallel = parallel && g.value.size() >= 8;
    MEMLIF_OMP(omp parallel for schedule(static) if (parallel))
    for (std::ptrdiff_t i = 0; i < n_coarse; ++i)
        lw[static_cast<std::size_t>(i)] = beta_terms(g, xs[static_cast<std::size_t>(i)]).log_weight;
    double best = -std::numeric_limits<double>::infinity();
    for (double w : lw) best = std::max(best, w);
    std::size_t lo = 0, hi = xs.size() - 1;
    while (lo + 1 < xs.size() && lw[lo + 1] < best - 50.0) ++lo;
    while (hi > 0 && lw[hi - 1] < best - 50.0) --hi;
    const double a = xs[lo], b = xs[hi];
    const int intervals = 4000; // even, for Simpson
    const double step = (b - a) / intervals;
    std::vector<BetaTerms> t(intervals + 1);
    MEMLIF_OMP(omp parallel for schedule(static) if (parallel))
    for (int i = 0; i <= intervals; ++i)
        t[static_cast<std::size_t>(i)] = beta_terms(g, a + step * i);
    double z = 0, m1 = 0, m2 = 0;
    for (int i = 0; i <= intervals; ++i) {
        const BetaTerms& ti = t[static_cast<std::size_t>(i)];
        const double c = (i == 0 || i == intervals) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0);
        const double w = c * std::exp(ti.log_weight - best);
        z += w;
        m1 += w * ti.h1;
        m2 += w * ti.h2;
    }
    const double mean = m1 / z;
    const double var = std::max(0.0, m2 / z - mean * mean);
    return {mean / ln2, std::sqrt(var) / ln2};
}

} // namespace

NsbEntropy nsb_entropy(const std::uint64_t* counts, std::size_t n_counts, double k_bins) {
    return nsb_entropy_impl(counts, n_counts, k_bins, false);
}

NsbResult compute_nsb(const ConditionCounts& counts, const std::vector<double>& p_s,
                      const RtotSpec& rtot) {
    detail::validate_inputs(counts, p_s, nullptr);
    const std::size_t ns = counts.n_stimuli();
    NsbResult r;
    r.k_bins = response_space_size(counts, rtot);
    const detail::Marginal m = detail::compute_marginal(counts, detail::empirical_p_s(counts));
    const NsbEntropy all = nsb_entropy_impl(m.n_r.data(), m.n_r.size(), r.k_bins, true);
    r.h_r = all.h;
    r.h_r_sd = all.sd;
    r.h_r_s.assign(ns, 0.0);
    r.h_r_s_sd.assign(ns, 0.0);

    // H_NSB of one stimulus depends on its multiset of counts only (nsb_entropy groups the
    // counts by value), and stimuli share a few hundred multisets: each is integrated once, in
    // parallel, and the per-stimulus values are summed in stimulus order as before.
    std::map<std::vector<std::uint64_t>, std::uint32_t> profile_index;
    std::vector<const std::vector<std::uint64_t>*> profiles;
    std::vector<std::uint32_t> profile_of(ns, 0);
    std::vector<std::uint64_t> key;
    for (std::size_t s = 0; s < ns; ++s) {
        const std::uint64_t b = counts.offsets[s], e = counts.offsets[s + 1];
        if (e == b) continue;
        key.assign(counts.counts.begin() + static_cast<std::ptrdiff_t>(b),
                   counts.counts.begin() + static_cast<std::ptrdiff_t>(e));
        std::sort(key.begin(), key.end());
        const auto ins =
            profile_index.emplace(key, static_cast<std::uint32_t>(profile_index.size()));
        if (ins.second) profiles.push_back(&ins.first->first);
        profile_of[s] = ins.first->second;
    }
    std::vector<NsbEntropy> per_profile(profiles.size());
    const auto n_profiles = static_cast<std::ptrdiff_t>(profiles.size());
    // K >= the distinct words overall >= any stimulus's (response_space_size checked it), so
    // nsb_entropy cannot throw inside the parallel loop.
    MEMLIF_OMP(omp parallel for schedule(dynamic) if (n_profiles > 1))
    for (std::ptrdiff_t i = 0; i < n_profiles; ++i) {
        const std::vector<std::uint64_t>& c = *profiles[static_cast<std::size_t>(i)];
        per_profile[static_cast<std::size_t>(i)] =
            nsb_entropy_impl(c.data(), c.size(), r.k_bins, false);
    }

    double var = 0, h_s = 0;
    std::uint32_t used = 0;
    for (std::size_t s = 0; s < ns; ++s) {
        h_s += plogp_bits(p_s[s]);
        const std::uint64_t b = counts.offsets[s], e = counts.offsets[s + 1];
        if (e == b) continue;
        ++used;
        const NsbEntropy& hs = per_profile[profile_of[s]];
        r.h_r_s[s] = hs.h;
        r.h_r_s_sd[s] = hs.sd;
        r.h_rs += p_s[s] * hs.h;
        var += p_s[s] * p_s[s] * hs.sd * hs.sd;
    }
    r.h_rs_sd = std::sqrt(var);
    r.mi = r.h_r - r.h_rs;
    r.mi_sd = std::sqrt(r.h_r_sd * r.h_r_sd + var);
    r.flags.ps_not_empirical = !detail::is_empirical(counts, p_s);
    detail::set_mi_flags(r.flags, r.mi, used, h_s);
    return r;
}

} // namespace memlif
