// SPDX-License-Identifier: MIT
//! \file host/information/jackknife.cpp
#include "jackknife.hpp"

#include "marginal.hpp"
#include "memlif/kernels/entropy.hpp"
#include "plugin.hpp"

#include <algorithm>
#include <cmath>

namespace memlif {
namespace {

double xlog2x(double x) { return x > 0.0 ? x * std::log2(x) : 0.0; }

struct LeaveOneOut {
    double mi, h_r, h_rs;
};

//! Accumulates weighted leave-one-out values, then forms the jackknife estimate and SE.
struct Accumulator {
    std::vector<LeaveOneOut> values;
    std::vector<double> weights;

    void finish(double full, double n, double LeaveOneOut::*field, double& jk, double& se) const {
        double mean = 0.0;
        for (std::size_t i = 0; i < values.size(); ++i)
            mean += weights[i] * (values[i].*field);
        mean /= n;
        double ss = 0.0;
        for (std::size_t i = 0; i < values.size(); ++i) {
            const double d = values[i].*field - mean;
            ss += weights[i] * d * d;
        }
        jk = n * full - (n - 1.0) * mean;
        se = std::sqrt((n - 1.0) / n * ss);
    }
};

} // namespace

JackknifeResult compute_jackknife(const ConditionCounts& counts, const std::vector<double>& p_s) {
    detail::validate_inputs(counts, p_s, nullptr);
    const std::size_t ns = counts.n_stimuli();
    const std::vector<std::uint32_t> no_spk(ns, 1);
    const PluginResult pl = compute_plugin(counts, p_s, no_spk);
    const detail::Marginal marg = detail::compute_marginal(counts, p_s);

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

    Accumulator acc;
    acc.values.reserve(counts.words.size());
    acc.weights.reserve(counts.words.size());
    if (detail::is_empirical(counts, p_s)) {
        // Pooled count n(r) of every entry, from the sorted marginal.
        double sum_fr = 0.0, sum_fs = 0.0, sum_frs = 0.0;
        for (std::uint64_t v : marg.n_r)
            sum_fr += xlog2x(static_cast<double>(v));
        for (std::size_t s = 0; s < ns; ++s)
            sum_fs += xlog2x(static_cast<double>(pl.n_s[s]));
        for (std::uint64_t v : counts.counts)
            sum_frs += xlog2x(static_cast<double>(v));
        const double n1 = n - 1.0;
        for (std::size_t s = 0; s < ns; ++s) {
            const double n_s = static_cast<double>(pl.n_s[s]);
            for (std::uint64_t k = counts.offsets[s]; k < counts.offsets[s + 1]; ++k) {
                const std::size_t ri = static_cast<std::size_t>(
                    std::lower_bound(marg.words.begin(), marg.words.end(), counts.words[k]) -
                    marg.words.begin());
                const double n_r = static_cast<double>(marg.n_r[ri]);
                const double n_rs = static_cast<double>(counts.counts[k]);
                const double a = sum_fr - xlog2x(n_r) + xlog2x(n_r - 1.0);
                const double b = sum_fs - xlog2x(n_s) + xlog2x(n_s - 1.0);
                const double c = sum_frs - xlog2x(n_rs) + xlog2x(n_rs - 1.0);
                LeaveOneOut v;
                v.h_r = (xlog2x(n1) - a) / n1;
                v.h_rs = (b - c) / n1;
                v.mi = v.h_r - v.h_rs;
                acc.values.push_back(v);
                acc.weights.push_back(n_rs);
            }
        }
    } else {
        double g = 0.0; // sum_r p(r) log2 p(r) = -H(R)
        for (double p : marg.p_r)
            g -= plogp_bits(p);
        std::vector<std::uint64_t> tmp;
        for (std::size_t s = 0; s < ns; ++s) {
            const std::uint64_t b = counts.offsets[s], e = counts.offsets[s + 1];
            const double n_s = static_cast<double>(pl.n_s[s]);
            if (e == b)
                continue;
            for (std::uint64_t k = b; k < e; ++k) {
                LeaveOneOut v;
                if (pl.n_s[s] == 1) {
                    // The stimulus disappears: renormalise p(s) over the rest and recompute.
                    ConditionCounts c2 = counts;
                    c2.words.erase(c2.words.begin() + static_cast<std::ptrdiff_t>(k));
                    c2.counts.erase(c2.counts.begin() + static_cast<std::ptrdiff_t>(k));
                    for (std::size_t t = s + 1; t <= ns; ++t)
                        --c2.offsets[t];
                    std::vector<double> p2 = p_s;
                    const double rest = 1.0 - p2[s];
                    p2[s] = 0.0;
                    for (double& p : p2)
                        p = rest > 0 ? p / rest : 0.0;
                    const PluginResult q = compute_plugin(c2, p2, no_spk);
                    v = {q.mi, q.h_r, q.h_rs};
                } else {
                    // Only p(r) of the words of s move; H(R|s) is recomputed from its counts.
                    double g2 = g;
                    tmp.assign(counts.counts.begin() + static_cast<std::ptrdiff_t>(b),
                               counts.counts.begin() + static_cast<std::ptrdiff_t>(e));
                    tmp[k - b] -= 1;
                    for (std::uint64_t j = b; j < e; ++j) {
                        const double p_old = marg.p_r_of_entry[j];
                        const double p_new = p_old -
                                             p_s[s] * static_cast<double>(counts.counts[j]) / n_s +
                                             p_s[s] * static_cast<double>(tmp[j - b]) / (n_s - 1.0);
                        g2 += plogp_bits(p_old) - plogp_bits(std::max(p_new, 0.0));
                    }
                    const double h_s_new =
                        entropy_bits_from_counts(tmp.data(), tmp.size(), n_s - 1.0);
                    v.h_r = -g2;
                    v.h_rs = pl.h_rs - p_s[s] * pl.h_r_s[s] + p_s[s] * h_s_new;
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

} // namespace memlif
