// SPDX-License-Identifier: MIT
//! \file host/information/resampling.cpp
#include "resampling.hpp"

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

double quantile_sorted(const std::vector<double>& sorted, double q) {
    if (sorted.empty())
        return std::numeric_limits<double>::quiet_NaN();
    const double h = q * static_cast<double>(sorted.size() - 1);
    const std::size_t lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

void mean_sd(const std::vector<double>& v, double& mean, double& sd) {
    mean = 0.0;
    sd = 0.0;
    if (v.empty())
        return;
    for (double x : v)
        mean += x;
    mean /= static_cast<double>(v.size());
    if (v.size() < 2)
        return;
    double ss = 0.0;
    for (double x : v)
        ss += (x - mean) * (x - mean);
    sd = std::sqrt(ss / static_cast<double>(v.size() - 1));
}

} // namespace detail
} // namespace memlif
