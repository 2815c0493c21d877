// SPDX-License-Identifier: MIT
//! \file host/information/flags.hpp
//! Diagnostic flags shared by all estimators: out-of-range values are reported, never clamped
//! (information.md §6).
#pragma once

#include <cmath>
#include <cstdint>

namespace memlif {

struct InformationFlags {
    bool mi_negative = false; //!< MI < 0 (possible after bias correction)
    bool mi_above_log2_s =
        false;                 //!< MI > log2 S, S = stimuli with trials (e.g. PT, identity channel)
    bool mi_above_h_s = false; //!< MI > H(S) of the p(s) mode
    bool sps_undefined = false;    //!< some stimulus has n_spk = 0, its SpS is NaN
    bool qe_fallback = false;      //!< QE could not run (N_s < 4) and fell back to plug-in
    bool ps_not_empirical = false; //!< p(s) != N_s/N: bias terms keep N (approximation, §2)
};

namespace detail {

//! Slack for the bound checks, so that an exact plug-in MI = log2 S does not trip on rounding.
constexpr double flag_tolerance = 1e-12;

inline void set_mi_flags(InformationFlags& f, double mi, std::uint32_t n_stimuli_used, double h_s) {
    f.mi_negative = mi < -flag_tolerance;
    f.mi_above_log2_s =
        n_stimuli_used > 0 && mi > std::log2(static_cast<double>(n_stimuli_used)) + flag_tolerance;
    f.mi_above_h_s = mi > h_s + flag_tolerance;
}

} // namespace detail
} // namespace memlif
