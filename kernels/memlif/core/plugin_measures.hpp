// SPDX-License-Identifier: MIT
//! \file kernels/memlif/core/plugin_measures.hpp
//! The plug-in ("direct method") measures of one condition, as the run file stores them in
//! /results (Benatti et al. 2023, eqs. 1-3). Filled by the host estimator (compute_plugin) or by
//! the device reduction of the CUDA backend; stored and read back by io/.
#pragma once

#include <cstdint>
#include <vector>

namespace memlif {

//! Per-condition plug-in results. All information quantities in bits.
struct PluginMeasures {
    double h_r = 0;          //!< H(R) = -sum_r p(r) log2 p(r)
    double h_rs = 0;         //!< H(R|S) = sum_s p(s) H(R|s)
    double mi = 0;           //!< I(R;S) = H(R) - H(R|S)  (eq. 1)
    std::vector<double> sss; //!< I_1(s) = sum_r p(r|s) log2 p(r|s)/p(r)  (eq. 2), size n_stimuli
    std::vector<double> sps; //!< SSS(s)/n_spk(s) (eq. 3); NaN where n_spk(s) = 0
    //! rank by SpS, 1 = most informative per spike; 0 where SpS is NaN
    std::vector<std::uint32_t> rank;
    std::uint64_t n_trials = 0;            //!< N
    std::vector<std::uint64_t> n_s;        //!< N_s per stimulus
    std::vector<std::uint32_t> distinct_s; //!< number of distinct responses per stimulus (m_s)
    std::uint64_t distinct_total = 0;      //!< number of distinct responses overall (m)
    bool sps_undefined = false;            //!< true if some stimulus has n_spk = 0 (its SpS is NaN)

    // Computed by the host estimator only (information.md §1, §6); not stored in /results.
    std::vector<double> h_r_s; //!< H(R|s) per stimulus, bits; 0 for stimuli with N_s = 0
    std::vector<double> i2;    //!< I_2(s) = H(R) - H(R|s), "specific information"; NaN if N_s = 0
    double h_s = 0;            //!< H(S) = -sum_s p(s) log2 p(s), bits (upper bound of MI)
    std::uint32_t n_stimuli_used = 0;  //!< stimuli with N_s > 0 (the S of log2 S)
    std::uint32_t n_stimuli_empty = 0; //!< stimuli with N_s = 0: excluded, SSS/SpS/I_2 are NaN
};

} // namespace memlif
