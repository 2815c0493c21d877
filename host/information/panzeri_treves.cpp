// SPDX-License-Identifier: MIT
//! \file host/information/panzeri_treves.cpp
#include "panzeri_treves.hpp"

#include "marginal.hpp"

namespace memlif {
namespace detail {

void pt_bin_counts(const ConditionCounts& counts, const std::vector<std::uint64_t>& n_r,
                   double r_tot, BayesCountCache& cache, double& r_total,
                   std::vector<double>& r_s) {
    const std::size_t ns = counts.n_stimuli();
    r_s.assign(ns, 0.0);
    for (std::size_t s = 0; s < ns; ++s) {
        const std::uint64_t b = counts.offsets[s], e = counts.offsets[s + 1];
        if (e > b) r_s[s] = cache(counts.counts.data() + b, e - b, r_tot);
    }
    r_total = n_r.empty() ? 0.0 : bayes_count(n_r, r_tot);
}

CorrectedResult panzeri_treves_with(const ConditionCounts& counts, const std::vector<double>& p_s,
                                    const std::vector<std::uint32_t>& n_spk, const RtotSpec& rtot,
                                    const PluginMeasures& plugin,
                                    const std::vector<std::uint64_t>& n_r) {
    const double r_tot = response_space_size(counts, rtot);
    double r_total = 0.0;
    std::vector<double> r_s;
    BayesCountCache cache;
    pt_bin_counts(counts, n_r, r_tot, cache, r_total, r_s);
    CorrectedResult c = apply_first_order(counts, p_s, n_spk, plugin, r_total, r_s);
    c.r_tot = r_tot;
    return c;
}

} // namespace detail

CorrectedResult compute_panzeri_treves(const ConditionCounts& counts,
                                       const std::vector<double>& p_s,
                                       const std::vector<std::uint32_t>& n_spk,
                                       const RtotSpec& rtot) {
    return compute_panzeri_treves(counts, p_s, n_spk, rtot, compute_plugin(counts, p_s, n_spk));
}

CorrectedResult compute_panzeri_treves(const ConditionCounts& counts,
                                       const std::vector<double>& p_s,
                                       const std::vector<std::uint32_t>& n_spk,
                                       const RtotSpec& rtot, const PluginMeasures& plugin) {
    // Only the pooled counts matter, so the p(s) passed is irrelevant: use N_s/N.
    const detail::Marginal m = detail::compute_marginal(counts, detail::empirical_p_s(counts));
    return detail::panzeri_treves_with(counts, p_s, n_spk, rtot, plugin, m.n_r);
}

} // namespace memlif
