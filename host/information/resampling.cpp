// SPDX-License-Identifier: MIT
//! \file host/information/resampling.cpp
#include "resampling.hpp"

#include "memlif/kernels/entropy.hpp"
#include "miller_madow.hpp"
#include "panzeri_treves.hpp"
#include "plugin.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace memlif {
namespace detail {

PointEstimate point_estimate(const ConditionCounts& counts, const std::vector<double>& p_s,
                             const std::vector<std::uint32_t>& n_spk, PointEstimator estimator,
                             const RtotSpec& rtot) {
    const PluginMeasures pl = compute_plugin(counts, p_s, n_spk);
    PointEstimate e;
    if (estimator == PointEstimator::plugin) {
        e.mi = pl.mi;
        e.h_r = pl.h_r;
        e.h_rs = pl.h_rs;
        e.sss = pl.sss;
        e.sps = pl.sps;
        return e;
    }
    const CorrectedResult c = estimator == PointEstimator::mm
                                  ? compute_miller_madow(counts, p_s, n_spk, pl)
                                  : compute_panzeri_treves(counts, p_s, n_spk, rtot, pl);
    e.mi = c.mi;
    e.h_r = c.h_r;
    e.h_rs = c.h_rs;
    e.sss = c.sss;
    e.sps = c.sps;
    return e;
}

void subset_pieces(const ConditionCounts& parent, const CellOrder& order,
                   const std::uint64_t* cell_counts, const std::vector<std::uint64_t>& n_s,
                   const std::vector<double>& weight, PointEstimator bins, double r_tot,
                   bool with_sss, BayesCountCache& cache, SubsetPieces& out) {
    const std::size_t ns = parent.n_stimuli();
    marginal_of_cells(order, cell_counts, weight.data(), out.marg);
    out.h_s.assign(ns, 0.0);
    if (bins != PointEstimator::plugin) out.bins_s.assign(ns, 0.0);
    if (with_sss) out.sss.assign(ns, std::numeric_limits<double>::quiet_NaN());
    for (std::size_t s = 0; s < ns; ++s) {
        if (n_s[s] == 0) continue;
        const std::uint64_t b = parent.offsets[s], e = parent.offsets[s + 1];
        const double n = static_cast<double>(n_s[s]);
        // Absent cells add x ln x = 0 to the entropy's sum, which leaves every partial sum as
        // it is: the value is that of the table's own (shorter) count list.
        out.h_s[s] = entropy_bits_from_counts(cell_counts + b, e - b, n);
        if (with_sss) {
            double kl = 0.0;
            for (std::uint64_t k = b; k < e; ++k) {
                if (cell_counts[k] == 0) continue;
                const double q = static_cast<double>(cell_counts[k]) / n;
                kl += q * std::log2(q / out.marg.p_r_of_word[order.word_of_entry[k]]);
            }
            out.sss[s] = kl;
        }
        if (bins == PointEstimator::mm) {
            std::uint64_t m = 0;
            for (std::uint64_t k = b; k < e; ++k) m += cell_counts[k] != 0 ? 1 : 0;
            out.bins_s[s] = static_cast<double>(m);
        } else if (bins == PointEstimator::pt) {
            out.bins_s[s] = cache(cell_counts + b, e - b, r_tot);
        }
    }
    if (bins == PointEstimator::mm)
        out.bins = static_cast<double>(out.marg.distinct);
    else if (bins == PointEstimator::pt)
        out.bins = out.marg.n_r.empty() ? 0.0 : bayes_count(out.marg.n_r, r_tot);
}

double quantile_sorted(const std::vector<double>& sorted, double q) {
    if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
    const double h = q * static_cast<double>(sorted.size() - 1);
    const std::size_t lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

void mean_sd(const std::vector<double>& v, double& mean, double& sd) {
    mean = 0.0;
    sd = 0.0;
    if (v.empty()) return;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    if (v.size() < 2) return;
    double ss = 0.0;
    for (double x : v) ss += (x - mean) * (x - mean);
    sd = std::sqrt(ss / static_cast<double>(v.size() - 1));
}

} // namespace detail
} // namespace memlif
