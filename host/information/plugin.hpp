// SPDX-License-Identifier: MIT
//! \file host/information/plugin.hpp
//! Plug-in (maximum-likelihood, "direct method") information measures: Benatti et al. 2023, eqs.
//! 1-3.
#pragma once

#include "../counts.hpp"

#include <cstdint>
#include <vector>

namespace memlif {

//! Per-condition plug-in results. All information quantities in bits.
struct PluginResult {
    double h_r = 0;          //!< H(R) = -sum_r p(r) log2 p(r)
    double h_rs = 0;         //!< H(R|S) = sum_s p(s) H(R|s)
    double mi = 0;           //!< I(R;S) = H(R) - H(R|S)  (eq. 1)
    std::vector<double> sss; //!< I_1(s) = sum_r p(r|s) log2 p(r|s)/p(r)  (eq. 2), size n_stimuli
    std::vector<double> sps; //!< SSS(s)/n_spk(s) (eq. 3); NaN where n_spk(s) = 0
    std::vector<std::uint32_t>
        rank;                   //!< rank by SpS, 1 = most informative per spike; 0 where SpS is NaN
    std::uint64_t n_trials = 0; //!< N
    std::vector<std::uint64_t> n_s;        //!< N_s per stimulus
    std::vector<std::uint32_t> distinct_s; //!< number of distinct responses per stimulus (m_s)
    std::uint64_t distinct_total = 0;      //!< number of distinct responses overall (m)
    bool sps_undefined = false;            //!< true if some stimulus has n_spk = 0 (its SpS is NaN)

    // Added beyond the original interface (information.md §1, §6).
    std::vector<double> h_r_s; //!< H(R|s) per stimulus, bits; 0 for stimuli with N_s = 0
    std::vector<double> i2;    //!< I_2(s) = H(R) - H(R|s), "specific information"; NaN if N_s = 0
    double h_s = 0;            //!< H(S) = -sum_s p(s) log2 p(s), bits (upper bound of MI)
    std::uint32_t n_stimuli_used = 0;  //!< stimuli with N_s > 0 (the S of log2 S)
    std::uint32_t n_stimuli_empty = 0; //!< stimuli with N_s = 0: excluded, SSS/SpS/I_2 are NaN
};

//! Computes the plug-in measures from counts (information.md §1, §4.1; Benatti et al. 2023
//! eqs. 1-3):
//!   p(r|s) = n(r|s)/N_s,  p(r) = sum_s p(s) p(r|s),  MI = H(R) - H(R|S),
//!   I_1(s) = D_KL(p(.|s) || p(.)),  SpS(s) = I_1(s)/n_spk(s),  I_2(s) = H(R) - H(R|s).
//! p(r) is built by sorting (word, stimulus) pairs, never a dense 2^L array, and summed in that
//! fixed order so the result is deterministic.
//! \param p_s stimulus probabilities (size n_stimuli, sums to 1). p(r) = sum_s p(s) n(r|s)/N_s.
//! \param n_spk input spike count of each stimulus (0..16), the SpS denominator.
//! Stimuli with N_s = 0 must carry p(s) = 0. Throws std::invalid_argument on size mismatch,
//! negative p(s), p(s) > 0 with N_s = 0, p(s) not summing to 1 (1e-9), or n_bins > 64.
PluginResult compute_plugin(const ConditionCounts& counts, const std::vector<double>& p_s,
                            const std::vector<std::uint32_t>& n_spk);

} // namespace memlif
