// SPDX-License-Identifier: MIT
//! \file host/information/first_order.cpp
#include "first_order.hpp"

#include "marginal.hpp"
#include "memlif/kernels/entropy.hpp"

#include <cmath>
#include <limits>

namespace memlif {
namespace detail {

CorrectedResult apply_first_order(const ConditionCounts& counts, const std::vector<double>& p_s,
                                  const std::vector<std::uint32_t>& n_spk,
                                  const PluginMeasures& plugin, double r_bins,
                                  const std::vector<double>& r_bins_s) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::size_t ns = counts.n_stimuli();
    CorrectedResult c;
    c.r_bins = r_bins;
    c.r_bins_s = r_bins_s;
    // H(R) keeps the total sample size N even outside `empirical` p(s) (information.md §2).
    const double term_r = first_order_bias_bits(r_bins, static_cast<double>(plugin.n_trials));
    c.h_r = plugin.h_r + term_r;
    c.sss.assign(ns, nan);
    c.sps.assign(ns, nan);
    double h_rs = 0.0;
    for (std::size_t s = 0; s < ns; ++s) {
        if (plugin.n_s[s] == 0) continue;
        const double term_s =
            first_order_bias_bits(r_bins_s[s], static_cast<double>(plugin.n_s[s]));
        h_rs += p_s[s] * (plugin.h_r_s[s] + term_s);
        c.sss[s] = plugin.sss[s] - term_s + term_r;
        if (n_spk[s] > 0) c.sps[s] = c.sss[s] / static_cast<double>(n_spk[s]);
    }
    c.h_rs = h_rs;
    c.mi = c.h_r - c.h_rs;
    c.rank = rank_descending(c.sps);
    c.flags.sps_undefined = plugin.sps_undefined;
    c.flags.ps_not_empirical = !is_empirical(counts, p_s);
    set_mi_flags(c.flags, c.mi, plugin.n_stimuli_used, plugin.h_s);
    return c;
}

} // namespace detail
} // namespace memlif
