// SPDX-License-Identifier: MIT
//! \file host/information/jackknife.cpp
#include "jackknife.hpp"

#include "marginal.hpp"
#include "memlif/kernels/entropy.hpp"
#include "parallel.hpp"
#include "plugin.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace memlif {
namespace {

double xlog2x(double x) { return x > 0.0 ? x * std::log2(x) : 0.0; }

constexpr double inv_ln2 = 1.4426950408889634; // 1 / ln 2

//! a log2(a/b), with 0 log 0 = 0.
double xlog2_ratio(double a, double b) { return a > 0.0 ? a * std::log2(a / b) : 0.0; }

//! log2(1 + x), accurate for small x.
double log2_1p(double x) { return std::log1p(x) * inv_ln2; }

//! Empirical p(s): per stimulus, the deletions that shift I_1(s) by more than the common
//! log2((N-1)/N) are its own m_s cells and the other-stimulus trials of its m_s words.
void sss_jackknife_empirical(const ConditionCounts& counts, const detail::Marginal& marg,
                             const std::vector<std::uint32_t>& word_of,
                             const std::vector<std::uint64_t>& n_s, SssJackknifeResult& r) {
    const double n = static_cast<double>(r.n_trials);
    const double shift_n = log2_1p(-1.0 / n); // log2((N-1)/N), common to every deletion
    const auto n_stim = static_cast<std::ptrdiff_t>(counts.n_stimuli());
    std::uint64_t n_terms = 0;
    // Stimuli are independent: each writes its own slots.
    [[maybe_unused]] const bool threads =
        detail::worth_threads(static_cast<double>(counts.words.size()) * 16.0);
    MEMLIF_OMP(omp parallel for schedule(static, 256) reduction(+ : n_terms) if (threads))
    for (std::ptrdiff_t si = 0; si < n_stim; ++si) {
        const auto s = static_cast<std::size_t>(si);
        if (n_s[s] < 2) continue;
        thread_local std::vector<std::pair<double, double>> terms; // (deletions, extra shift)
        const double ns = static_cast<double>(n_s[s]);
        const std::uint64_t b = counts.offsets[s], e = counts.offsets[s + 1];
        double d_s = 0.0; // D_s = sum_r n(r|s) log2[n(r|s)/n(r)]
        for (std::uint64_t k = b; k < e; ++k)
            d_s += xlog2_ratio(static_cast<double>(counts.counts[k]),
                               static_cast<double>(marg.n_r[word_of[k]]));
        terms.clear();
        double w_moved = 0.0;
        for (std::uint64_t k = b; k < e; ++k) {
            const double n_rs = static_cast<double>(counts.counts[k]);
            const double n_r = static_cast<double>(marg.n_r[word_of[k]]);
            // Own trial at r: N_s -> N_s - 1 and only term r of D_s changes.
            const double d_new = d_s - xlog2_ratio(n_rs, n_r) + xlog2_ratio(n_rs - 1.0, n_r - 1.0);
            terms.push_back({n_rs, log2_1p(1.0 / (ns - 1.0)) + d_new / (ns - 1.0) - d_s / ns});
            w_moved += n_rs;
            // Another stimulus's trial at r: n(r) -> n(r) - 1.
            const double w = n_r - n_rs;
            if (w > 0.0) {
                terms.push_back({w, -(n_rs / ns) * log2_1p(-1.0 / n_r)});
                w_moved += w;
            }
        }
        const double w_zero = n - w_moved; // deletions with only the common shift
        double mean = 0.0;
        for (const auto& [w, d] : terms) mean += w * d;
        mean /= n;
        double ss = w_zero * mean * mean;
        for (const auto& [w, d] : terms) ss += w * (d - mean) * (d - mean);
        r.sss_jk[s] = r.sss[s] - (n - 1.0) * (shift_n + mean);
        r.sss_se[s] = std::sqrt((n - 1.0) / n * ss);
        n_terms += terms.size();
    }
    r.n_terms += n_terms;
}

//! Fixed p(s): see compute_jackknife_sss. With c = p(s')/(N_s'(N_s'-1)), deleting a trial of s'
//! at r' adds c n(r|s') to p(r) for r != r' and c (n(r'|s') - N_s') at r', so
//! g(r, s') = log2(1 + c n(r|s')/p(r)) and e(r', s') = log2(1 - c N_s'/(p(r') + c n(r'|s'))).
//! Both depend on the cell (r, s') only and are tabulated once; the pair sweep is multiply-adds.
void sss_jackknife_fixed(const ConditionCounts& counts, const std::vector<double>& p_s,
                         const detail::Marginal& marg, const std::vector<std::uint32_t>& word_of,
                         const std::vector<std::uint64_t>& n_s, SssJackknifeResult& r) {
    const std::size_t ns = counts.n_stimuli();
    const std::size_t cells = counts.words.size();
    const double n = static_cast<double>(r.n_trials);
    std::vector<double> c_of(ns, 0.0);
    // Single-trial stimuli vanish when deleted: p(r) -> (p(r) - p(s')[r = r'])/(1 - p(s')),
    // a common shift c1(s') = log2(1 - p(s')) for every other stimulus.
    std::vector<double> c1_of(ns, 0.0);
    double single_sum = 0.0, single_sq = 0.0;
    for (std::size_t s = 0; s < ns; ++s) {
        const double m = static_cast<double>(n_s[s]);
        if (n_s[s] >= 2) c_of[s] = p_s[s] / (m * (m - 1.0));
        if (n_s[s] == 1) {
            c1_of[s] = log2_1p(-p_s[s]);
            single_sum += c1_of[s];
            single_sq += c1_of[s] * c1_of[s];
        }
    }
    // Cells grouped by word (counting sort; ascending stimulus within a word), each with the
    // factors its deletions contribute to a stimulus that shares the word.
    struct Cell {
        std::uint32_t stim;
        bool single; //!< N_s' = 1: g = -log2(1 - p(s')/p(r)), c1 = log2(1 - p(s'))
        double g;    //!< g(r, s'), or the single-trial term
        double ne;   //!< n(r|s') e(r, s')
        double ne2;  //!< n(r|s') e(r, s')^2
    };
    std::vector<std::uint64_t> word_off(marg.words.size() + 1, 0);
    for (std::uint32_t w : word_of) ++word_off[w + 1];
    for (std::size_t w = 0; w < marg.words.size(); ++w) word_off[w + 1] += word_off[w];
    std::vector<Cell> by_word(cells);
    std::vector<std::uint64_t> fill(word_off.begin(), word_off.end() - 1);
    for (std::size_t s = 0; s < ns; ++s)
        for (std::uint64_t k = counts.offsets[s]; k < counts.offsets[s + 1]; ++k) {
            Cell cell{static_cast<std::uint32_t>(s), n_s[s] == 1, 0.0, 0.0, 0.0};
            const double p = marg.p_r_of_entry[k];
            const double n2 = static_cast<double>(counts.counts[k]);
            if (cell.single) {
                cell.g = -log2_1p(-p_s[s] / p);
            } else {
                const double c = c_of[s];
                const double e = log2_1p(-c * static_cast<double>(n_s[s]) / (p + c * n2));
                cell.g = log2_1p(c * n2 / p);
                cell.ne = n2 * e;
                cell.ne2 = n2 * e * e;
            }
            by_word[fill[word_of[k]]++] = cell;
        }
    std::vector<double> g_acc(ns, 0.0), e1_acc(ns, 0.0), e2_acc(ns, 0.0);
    std::vector<char> marked(ns, 0);
    std::vector<std::uint32_t> touched;
    for (std::size_t s = 0; s < ns; ++s) {
        if (n_s[s] < 2) continue;
        const double m = static_cast<double>(n_s[s]);
        const std::uint64_t b = counts.offsets[s], e = counts.offsets[s + 1];
        double sum_d = single_sum, sum_d2 = single_sq;
        // Own deletions: recompute I_1(s) over its m_s words.
        for (std::uint64_t kd = b; kd < e; ++kd) {
            double v = 0.0;
            for (std::uint64_t k = b; k < e; ++k) {
                const double n_rs = static_cast<double>(counts.counts[k]);
                const bool deleted_here = k == kd;
                const double n_new = deleted_here ? n_rs - 1.0 : n_rs;
                if (n_new == 0.0) continue;
                const double p_new =
                    marg.p_r_of_entry[k] + c_of[s] * (deleted_here ? n_rs - m : n_rs);
                const double q = n_new / (m - 1.0);
                v += q * std::log2(q / p_new);
            }
            const double d = v - r.sss[s];
            const double w = static_cast<double>(counts.counts[kd]);
            sum_d += w * d;
            sum_d2 += w * d * d;
            ++r.n_terms;
        }
        // Deletions of other stimuli that share a word with s.
        for (std::uint64_t k = b; k < e; ++k) {
            const double q = static_cast<double>(counts.counts[k]) / m;
            const std::uint32_t w = word_of[k];
            for (std::uint64_t i = word_off[w]; i < word_off[w + 1]; ++i) {
                const Cell& cell = by_word[i];
                const std::uint32_t s2 = cell.stim;
                if (s2 == s) continue;
                if (cell.single) {
                    const double e1 = q * cell.g;
                    sum_d += e1;
                    sum_d2 += 2.0 * c1_of[s2] * e1 + e1 * e1;
                    ++r.n_terms;
                    continue;
                }
                if (!marked[s2]) {
                    marked[s2] = 1;
                    touched.push_back(s2);
                }
                g_acc[s2] += q * cell.g;
                e1_acc[s2] += q * cell.ne;
                e2_acc[s2] += q * q * cell.ne2;
            }
        }
        for (std::uint32_t s2 : touched) {
            const double m2 = static_cast<double>(n_s[s2]);
            const double g = g_acc[s2];
            sum_d += -m2 * g - e1_acc[s2];
            sum_d2 += m2 * g * g + 2.0 * g * e1_acc[s2] + e2_acc[s2];
            g_acc[s2] = e1_acc[s2] = e2_acc[s2] = 0.0;
            marked[s2] = 0;
        }
        r.n_terms += touched.size();
        touched.clear();
        const double mean = sum_d / n;
        const double ss = std::max(0.0, sum_d2 - n * mean * mean);
        r.sss_jk[s] = r.sss[s] - (n - 1.0) * mean;
        r.sss_se[s] = std::sqrt((n - 1.0) / n * ss);
    }
}

//! Change theta_(-i) - theta of the three quantities for one deleted trial. Working with the
//! changes (each O(1/N), computed from local differences) rather than the leave-one-out values
//! keeps theta_JK = theta - (N-1) mean_i(delta_i) accurate at large N: an absolute rounding error
//! in every leave-one-out value would be summed N times.
struct LeaveOneOut {
    double mi, h_r, h_rs;
};

//! Accumulates weighted leave-one-out changes, then forms the jackknife estimate and SE.
struct Accumulator {
    std::vector<LeaveOneOut> values;
    std::vector<double> weights;

    void finish(double full, double n, double LeaveOneOut::*field, double& jk, double& se) const {
        double mean = 0.0;
        for (std::size_t i = 0; i < values.size(); ++i) mean += weights[i] * (values[i].*field);
        mean /= n;
        double ss = 0.0;
        for (std::size_t i = 0; i < values.size(); ++i) {
            const double d = values[i].*field - mean;
            ss += weights[i] * d * d;
        }
        jk = full - (n - 1.0) * mean;
        se = std::sqrt((n - 1.0) / n * ss);
    }
};

//! Change of the plug-in entropy log2 M - (1/M) sum_k f(c_k) (f(x) = x log2 x) when one count
//! drops from c to c - 1 and M to M - 1, given the entropy h before:
//!     log2((M-1)/M) - (log2 M - h)/(M-1) + (f(c) - f(c-1))/(M-1).
double entropy_change_one_less(double h, double m, double c) {
    return log2_1p(-1.0 / m) - (std::log2(m) - h) / (m - 1.0) +
           (xlog2x(c) - xlog2x(c - 1.0)) / (m - 1.0);
}

//! plogp(p + d) - plogp(p), plogp(x) = -x log2 x, without cancellation:
//!     -d log2(p + d) - p log2(1 + d/p).
double plogp_change(double p, double d) {
    if (d == 0.0) return 0.0;
    const double q = p + d;
    if (q <= 0.0) return -plogp_bits(p);
    return -d * std::log2(q) - p * log2_1p(d / p);
}

} // namespace

JackknifeResult compute_jackknife(const ConditionCounts& counts, const std::vector<double>& p_s) {
    detail::validate_inputs(counts, p_s, nullptr);
    const std::vector<std::uint32_t> no_spk(counts.n_stimuli(), 1);
    const detail::Marginal marg = detail::compute_marginal(counts, p_s);
    return detail::jackknife_with(counts, p_s, detail::plugin_with(counts, p_s, no_spk, marg),
                                  marg);
}

JackknifeResult detail::jackknife_with(const ConditionCounts& counts,
                                       const std::vector<double>& p_s, const PluginMeasures& pl,
                                       const Marginal& marg) {
    const std::size_t ns = counts.n_stimuli();
    const std::vector<std::uint32_t> no_spk(ns, 1);
    JackknifeResult r;
    r.mi = pl.mi;
    r.h_r = pl.h_r;
    r.h_rs = pl.h_rs;
    r.n_trials = pl.n_trials;
    r.n_cells = counts.words.size();
    const double n = static_cast<double>(pl.n_trials);
    if (pl.n_trials < 2) {
        r.mi_jk = r.mi;
        r.h_r_jk = r.h_r;
        r.h_rs_jk = r.h_rs;
        return r;
    }
    if (pl.distinct_total <= 1) {
        // One response word in every trial (e.g. a neuron that never fires): every leave-one-out
        // table has zero entropy too, so the jackknife is exactly 0 with SE 0 (information.md
        // §6), not the rounding residue of the general update.
        r.mi_jk = r.h_r_jk = r.h_rs_jk = 0.0;
        r.mi_se = r.h_r_se = r.h_rs_se = 0.0;
        return r;
    }

    Accumulator acc;
    acc.values.reserve(counts.words.size());
    acc.weights.reserve(counts.words.size());
    if (detail::is_empirical(counts, p_s)) {
        // H(R) = log2 N - (1/N) sum_r f(n_r); H(R|S) = (1/N) [sum_s f(N_s) - sum_rs f(n_rs)].
        const std::vector<std::uint32_t>& word_of = marg.word_of_entry;
        for (std::size_t s = 0; s < ns; ++s) {
            const double n_s = static_cast<double>(pl.n_s[s]);
            for (std::uint64_t k = counts.offsets[s]; k < counts.offsets[s + 1]; ++k) {
                const double n_r = static_cast<double>(marg.n_r[word_of[k]]);
                const double n_rs = static_cast<double>(counts.counts[k]);
                LeaveOneOut v;
                v.h_r = entropy_change_one_less(pl.h_r, n, n_r);
                v.h_rs = (pl.h_rs + xlog2x(n_s - 1.0) - xlog2x(n_s) + xlog2x(n_rs) -
                          xlog2x(n_rs - 1.0)) /
                         (n - 1.0);
                v.mi = v.h_r - v.h_rs;
                acc.values.push_back(v);
                acc.weights.push_back(n_rs);
            }
        }
    } else {
        for (std::size_t s = 0; s < ns; ++s) {
            const std::uint64_t b = counts.offsets[s], e = counts.offsets[s + 1];
            const double n_s = static_cast<double>(pl.n_s[s]);
            if (e == b) continue;
            const double c = pl.n_s[s] >= 2 ? p_s[s] / (n_s * (n_s - 1.0)) : 0.0;
            for (std::uint64_t k = b; k < e; ++k) {
                LeaveOneOut v;
                if (pl.n_s[s] == 1) {
                    // The stimulus disappears: renormalise p(s) over the rest and recompute.
                    ConditionCounts c2 = counts;
                    c2.words.erase(c2.words.begin() + static_cast<std::ptrdiff_t>(k));
                    c2.counts.erase(c2.counts.begin() + static_cast<std::ptrdiff_t>(k));
                    for (std::size_t t = s + 1; t <= ns; ++t) --c2.offsets[t];
                    std::vector<double> p2 = p_s;
                    const double rest = 1.0 - p2[s];
                    p2[s] = 0.0;
                    for (double& p : p2) p = rest > 0 ? p / rest : 0.0;
                    const PluginMeasures q = compute_plugin(c2, p2, no_spk);
                    v = {q.mi - pl.mi, q.h_r - pl.h_r, q.h_rs - pl.h_rs};
                } else {
                    // Only p(r) of the words of s move: by c n(r|s), and by c (n(r|s) - N_s) at
                    // the deleted word; H(R|s) loses one count.
                    v.h_r = 0.0;
                    for (std::uint64_t j = b; j < e; ++j) {
                        const double n_js = static_cast<double>(counts.counts[j]);
                        const double d = c * (j == k ? n_js - n_s : n_js);
                        v.h_r += plogp_change(marg.p_r_of_entry[j], d);
                    }
                    v.h_rs = p_s[s] * entropy_change_one_less(
                                          pl.h_r_s[s], n_s, static_cast<double>(counts.counts[k]));
                    v.mi = v.h_r - v.h_rs;
                }
                acc.values.push_back(v);
                acc.weights.push_back(static_cast<double>(counts.counts[k]));
            }
        }
    }
    acc.finish(r.mi, n, &LeaveOneOut::mi, r.mi_jk, r.mi_se);
    acc.finish(r.h_r, n, &LeaveOneOut::h_r, r.h_r_jk, r.h_r_se);
    acc.finish(r.h_rs, n, &LeaveOneOut::h_rs, r.h_rs_jk, r.h_rs_se);
    return r;
}

SssJackknifeResult compute_jackknife_sss(const ConditionCounts& counts,
                                         const std::vector<double>& p_s) {
    detail::validate_inputs(counts, p_s, nullptr);
    const detail::Marginal marg = detail::compute_marginal(counts, p_s);
    const std::vector<std::uint32_t> no_spk(counts.n_stimuli(), 1);
    return detail::jackknife_sss_with(counts, p_s, detail::plugin_with(counts, p_s, no_spk, marg),
                                      marg);
}

SssJackknifeResult detail::jackknife_sss_with(const ConditionCounts& counts,
                                              const std::vector<double>& p_s,
                                              const PluginMeasures& pl, const Marginal& marg) {
    const std::size_t ns = counts.n_stimuli();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    SssJackknifeResult r;
    r.sss = pl.sss;
    r.sss_jk.assign(ns, nan);
    r.sss_se.assign(ns, nan);
    r.n_trials = pl.n_trials;
    if (pl.n_trials < 2) return r;
    if (pl.distinct_total <= 1) {
        // A single response word overall: I_1(s) = 0 for every leave-one-out table as well.
        for (std::size_t s = 0; s < ns; ++s)
            if (pl.n_s[s] >= 2) r.sss_jk[s] = r.sss_se[s] = 0.0;
        return r;
    }
    const std::vector<std::uint32_t>& word_of = marg.word_of_entry;
    if (detail::is_empirical(counts, p_s))
        sss_jackknife_empirical(counts, marg, word_of, pl.n_s, r);
    else
        sss_jackknife_fixed(counts, p_s, marg, word_of, pl.n_s, r);
    return r;
}

} // namespace memlif
