// SPDX-License-Identifier: MIT
//! \file host/information/jackknife.hpp
//! Delete-one jackknife of the plug-in MI and entropies, and of the per-stimulus specific surprise
//! I_1(s) (SSS), information.md §4.7, §4.9.
#pragma once

#include "memlif/core/counts.hpp"
#include "memlif/core/plugin_measures.hpp"

#include <cstdint>
#include <vector>

namespace memlif {

struct JackknifeResult {
    double mi = 0, mi_jk = 0, mi_se = 0;       //!< plug-in, bias-corrected, SE (bits)
    double h_r = 0, h_r_jk = 0, h_r_se = 0;    //!< same for H(R)
    double h_rs = 0, h_rs_jk = 0, h_rs_se = 0; //!< same for H(R|S)
    std::uint64_t n_trials = 0;                //!< N, the number of deletions
    std::uint64_t n_cells = 0;                 //!< occupied (r, s) cells actually evaluated
};

//! Delete-one jackknife over all N trials (Efron & Stein 1981, *Ann Stat* 9:586; Zahl 1977 for
//! entropy):  theta_JK = N theta - ((N-1)/N) sum_i theta_(-i),
//!            SE^2 = ((N-1)/N) sum_i (theta_(-i) - mean_(.))^2.
//! theta depends only on counts, so the sum runs over occupied cells (r, s) weighted by n(r|s).
//! Deleting a trial of s changes n(r|s), N_s and N; in `empirical` mode (p_s = N_s/N, detected)
//! p(s) follows, otherwise p(s) stays fixed (renormalised if a stimulus loses its last trial).
//! Empirical mode is O(cells) from N I = f(N) - sum_r f(n_r) - sum_s f(N_s) + sum_rs f(n_rs),
//! f(x) = x log2 x; fixed p(s) is O(sum_s m_s^2). Every leave-one-out change theta_(-i) - theta
//! is formed from local differences (O(1/N) terms), and theta_JK = theta - (N-1) mean(change), so
//! rounding does not grow with N.
JackknifeResult compute_jackknife(const ConditionCounts& counts, const std::vector<double>& p_s);

//! Per-stimulus delete-one jackknife of the plug-in SSS (see compute_jackknife_sss).
struct SssJackknifeResult {
    std::vector<double> sss;    //!< plug-in I_1(s), bits; NaN where N_s = 0
    std::vector<double> sss_jk; //!< bias-corrected I_1(s); NaN where N_s < 2
    std::vector<double> sss_se; //!< jackknife SE of I_1(s); NaN where N_s < 2
    std::uint64_t n_trials = 0; //!< N, the number of deletions per stimulus
    //! Work done: number of (deletion class, stimulus) pairs with a non-zero change that were
    //! evaluated (or, with fixed p(s), (stimulus, stimulus) pairs sharing a word). Diagnostic only.
    std::uint64_t n_terms = 0;
};

//! Delete-one jackknife over all N trials (Efron & Stein 1981, *Ann Stat* 9:586) of every
//! stimulus's plug-in specific surprise (DeWeese & Meister 1999, *Network* 10:325; Benatti et al.
//! 2023, eq. 2)
//!     I_1(s) = sum_r p(r|s) log2[p(r|s)/p(r)],
//!     I_1,JK(s) = N I_1(s) - ((N-1)/N) sum_i I_1,(-i)(s),
//!     SE^2(s)   = ((N-1)/N) sum_i (I_1,(-i)(s) - mean_i I_1,(-i)(s))^2.
//! Deleting a trial of s' at word r' moves n(r'|s'), N_s', N and p(r) of every stimulus, so every
//! deletion changes every I_1(s); the sums are nevertheless exact and cheap:
//! * `empirical` p(s) = N_s/N (detected): I_1(s) = log2(N/N_s) + D_s/N_s with
//!   D_s = sum_r n(r|s) log2[n(r|s)/n(r)]. A deletion at (r', s') with s' != s shifts I_1(s) by
//!   log2((N-1)/N) - [r' in s] (n(r'|s)/N_s) log2[(n(r')-1)/n(r')], a value that depends on r'
//!   but not on s'. Per stimulus only its own m_s cells and the other-stimulus trials of its m_s
//!   words differ from the common shift: O(sum_s m_s) = O(occupied cells) in all.
//! * fixed p(s): deleting a trial of s' (N_s' >= 2) multiplies p(r) of every word of s' by a
//!   factor that depends on (r, s') only, except at r' itself; I_1(s) changes by
//!   -G(s,s') - [r' in s] p(r'|s) e(r', s') with G(s,s') = sum_{r in s and s'} p(r|s) g(r, s').
//!   The weighted sums over the deletions of s' follow from G(s,s') and two more sums over shared
//!   words: O(sum_r k_r^2 + sum_s m_s^2), k_r = number of stimuli that emit r. A stimulus with
//!   one trial disappears when deleted and p(s) is renormalised over the rest (as in
//!   compute_jackknife).
//! Stimuli with N_s = 1 have no leave-one-out value of their own and get NaN (they still count
//! as deletions for the others).
SssJackknifeResult compute_jackknife_sss(const ConditionCounts& counts,
                                         const std::vector<double>& p_s);

namespace detail {

struct Marginal;

//! compute_jackknife and compute_jackknife_sss on validated inputs with the condition's plug-in
//! measures (any n_spk: only the n_spk-free fields are read) and marginal at hand.
JackknifeResult jackknife_with(const ConditionCounts& counts, const std::vector<double>& p_s,
                               const PluginMeasures& pl, const Marginal& marg);
SssJackknifeResult jackknife_sss_with(const ConditionCounts& counts, const std::vector<double>& p_s,
                                      const PluginMeasures& pl, const Marginal& marg);

} // namespace detail

} // namespace memlif
