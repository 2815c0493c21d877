// SPDX-License-Identifier: MIT
//! \file host/information/panzeri_treves.hpp
//! Panzeri-Treves bias correction with Bayesian bin counting, information.md §4.3 and §4.9.
#pragma once

#include "bayes_count.hpp"
#include "first_order.hpp"

namespace memlif {

//! Panzeri-Treves (Panzeri & Treves 1996, *Network* 7:87; Bayesian counting after Pola et al.
//! 2003):
//!   H_PT(R)   = H(R)   + (R~ - 1)/(2 N ln2),     R~   = BayesCount(n(.),   R_tot)
//!   H_PT(R|s) = H(R|s) + (R~_s - 1)/(2 N_s ln2), R~_s = BayesCount(n(.|s), R_tot)
//!   I_PT = H_PT(R) - sum_s p(s) H_PT(R|s);  I_1,PT(s) = I_1(s) - (R~_s-1)/(2N_s ln2) + (R~-1)/(2N
//!   ln2)
//! R~ uses the pooled counts n(r) = sum_s n(r|s). Throws std::invalid_argument if a user R_tot is
//! below the observed number of distinct words.
CorrectedResult compute_panzeri_treves(const ConditionCounts& counts,
                                       const std::vector<double>& p_s,
                                       const std::vector<std::uint32_t>& n_spk,
                                       const RtotSpec& rtot = {});

//! Same, reusing an already computed plug-in result for these inputs.
CorrectedResult compute_panzeri_treves(const ConditionCounts& counts,
                                       const std::vector<double>& p_s,
                                       const std::vector<std::uint32_t>& n_spk,
                                       const RtotSpec& rtot, const PluginMeasures& plugin);

namespace detail {

//! BayesCount of the pooled counts n(r) and of every stimulus, under r_tot: the pooled counts in
//! ascending word order at hand (Marginal::n_r, whatever p(s) it was built with) and the
//! stimuli's counts memoised in `cache`.
void pt_bin_counts(const ConditionCounts& counts, const std::vector<std::uint64_t>& n_r,
                   double r_tot, BayesCountCache& cache, double& r_total, std::vector<double>& r_s);

//! compute_panzeri_treves with the condition's pooled counts n(r) at hand (see above).
CorrectedResult panzeri_treves_with(const ConditionCounts& counts, const std::vector<double>& p_s,
                                    const std::vector<std::uint32_t>& n_spk, const RtotSpec& rtot,
                                    const PluginMeasures& plugin,
                                    const std::vector<std::uint64_t>& n_r);

} // namespace detail
} // namespace memlif
