// SPDX-License-Identifier: MIT
//! \file host/information/plugin.hpp
//! Plug-in (maximum-likelihood, "direct method") information measures: Benatti et al. 2023, eqs. 1-3.
#pragma once

#include "../counts.hpp"

#include <cstdint>
#include <vector>

namespace memlif {

//! Per-condition plug-in results. All information quantities in bits.
struct PluginResult {
    double h_r = 0;                   //!< H(R) = -sum_r p(r) log2 p(r)
    double h_rs = 0;                  //!< H(R|S) = sum_s p(s) H(R|s)
    double mi = 0;                    //!< I(R;S) = H(R) - H(R|S)  (eq. 1)
    std::vector<double> sss;          //!< I_1(s) = sum_r p(r|s) log2 p(r|s)/p(r)  (eq. 2), size n_stimuli
    std::vector<double> sps;          //!< SSS(s)/n_spk(s) (eq. 3); NaN where n_spk(s) = 0
    std::vector<std::uint32_t> rank;  //!< rank by SpS, 1 = most informative per spike; 0 where SpS is NaN
    std::uint64_t n_trials = 0;       //!< N
    std::vector<std::uint64_t> n_s;   //!< N_s per stimulus
    std::vector<std::uint32_t> distinct_s; //!< number of distinct responses per stimulus (m_s)
    std::uint64_t distinct_total = 0; //!< number of distinct responses overall (m)
    bool sps_undefined = false;       //!< true if some stimulus has n_spk = 0 (its SpS is NaN)
};

//! Computes the plug-in measures from counts.
//! \param p_s stimulus probabilities (size n_stimuli, sums to 1). p(r) = sum_s p(s) n(r|s)/N_s.
//! \param n_spk input spike count of each stimulus (0..16), the SpS denominator.
//! Stimuli with N_s = 0 must carry p(s) = 0. Throws std::invalid_argument on size mismatch.
PluginResult compute_plugin(const ConditionCounts& counts, const std::vector<double>& p_s,
                            const std::vector<std::uint32_t>& n_spk);

} // namespace memlif
