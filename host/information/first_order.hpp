// SPDX-License-Identifier: MIT
//! \file host/information/first_order.hpp
//! First-order (1/N) bias corrections of the Miller-Madow / Panzeri-Treves family, applied to
//! H(R), H(R|S), MI and per stimulus to SSS and SpS (information.md §4.2, §4.3, §4.9).
#pragma once

#include "flags.hpp"
#include "memlif/core/counts.hpp"
#include "plugin.hpp"

#include <cstdint>
#include <vector>

namespace memlif {

//! A plug-in result shifted by first-order bias terms. All values in bits.
struct CorrectedResult {
    double h_r = 0;                  //!< H(R) + (R_bins - 1)/(2 N ln2)
    double h_rs = 0;                 //!< sum_s p(s) [H(R|s) + (R_bins_s - 1)/(2 N_s ln2)]
    double mi = 0;                   //!< h_r - h_rs
    std::vector<double> sss;         //!< I_1(s) - (R_s - 1)/(2 N_s ln2) + (R - 1)/(2 N ln2) (§4.9)
    std::vector<double> sps;         //!< sss / n_spk; NaN for n_spk = 0 or N_s = 0
    std::vector<std::uint32_t> rank; //!< rank by corrected SpS (1 = best, 0 = NaN)
    double r_bins = 0;               //!< bin count used for H(R): m^ (MM) or R~ (PT)
    std::vector<double> r_bins_s;    //!< bin count used for each H(R|s); 0 for N_s = 0
    double r_tot = 0;                //!< R_tot used by BayesCount (0 for MM)
    InformationFlags flags;
};

namespace detail {

//! Applies the first-order terms given the bin counts; the sum over s uses the given p(s), so
//! sum_s p(s) sss(s) = mi holds exactly up to rounding for any p(s) mode.
CorrectedResult apply_first_order(const ConditionCounts& counts, const std::vector<double>& p_s,
                                  const std::vector<std::uint32_t>& n_spk,
                                  const PluginMeasures& plugin, double r_bins,
                                  const std::vector<double>& r_bins_s);

} // namespace detail
} // namespace memlif
