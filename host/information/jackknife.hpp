// SPDX-License-Identifier: MIT
//! \file host/information/jackknife.hpp
//! Delete-one jackknife of the plug-in MI and entropies, information.md §4.7.
#pragma once

#include "../counts.hpp"

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
//! f(x) = x log2 x; fixed p(s) is O(sum_s m_s^2).
JackknifeResult compute_jackknife(const ConditionCounts& counts, const std::vector<double>& p_s);

} // namespace memlif
