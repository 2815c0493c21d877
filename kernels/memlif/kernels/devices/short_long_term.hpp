// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/devices/short_long_term.hpp
//! Volatile short-term plus retained long-term conductance, in the spirit of the SrTiO3 synapse of
//! seed 002 (Weilenmann et al., Nat. Commun. 15:6898, 2024: short-term memory and plasticity
//! alongside long-term weights in one non-filamentary device). That paper's device equations are
//! not public (devices.md); the form below is an [ASSUMPTION] (devices.md (c) template):
//!   G = G_LT + G_ST,  I = G V (ohmic, low-conductance non-filamentary regime [ASSUMPTION])
//!   V > 0:  dG_LT/dt = +k_lt,p s_p(V) (G_max - G_LT) / (G_max - G_min)
//!           dG_ST/dt = +k_st,p s_p(V) - G_ST/tau
//!   V < 0:  dG_LT/dt = -k_lt,n s_n(V) (G_LT - G_min) / (G_max - G_min)
//!           dG_ST/dt = -k_st,n s_n(V) - G_ST/tau
//!   s_p(V) = sinh(V/V_s) / sinh(V_ref,p/V_s),  s_n(V) = sinh(|V|/V_s) / sinh(V_ref,n/V_s)
//!   tau = tau_p while G_ST > 0 (after potentiation), tau_n while G_ST < 0 (after depression)
//! so each pulse increments both parts, the short-term part decays exponentially at rest (exactly
//! solved by relax) and the long-term part is retained. G_LT is kept in [G_min, G_max] and G_ST
//! such that G stays in [G_min, G_max].
//!
//! Public numbers used (devices.md (c), "Mean model parameter values for Vp=1.4V and Vn=-2.6V",
//! 500 pulses of 500 us): tau_p = 0.728 s, tau_n = 1.241 s; the reference voltages 1.4 V, 2.6 V;
//! volatile fractions alpha/(alpha + offset) of the resistance change: 0.806 (potentiation),
//! 0.695 (depression) [DERIVED], which set k_st/(k_st + k_lt). The published relaxation is a
//! stretched exponential (beta_p = 0.537, beta_n = 0.641); this ODE form has beta = 1
//! [ASSUMPTION]. The absolute scale (total change 1 uS per 0.25 s of pulse at the reference
//! voltage) and G_min, G_max, V_s are [ASSUMPTION].
#pragma once

#include "device_model.hpp"

#include <cmath>

namespace memlif {

struct ShortLongTermParams {
    double g_min_S = 0.1e-6; //!< lowest total conductance (S) [ASSUMPTION]
    double g_max_S = 10e-6;  //!< highest total conductance (S) [ASSUMPTION]
    double v_ref_p_V = 1.4;  //!< potentiation reference voltage (V) [CODE: devices.md (c)]
    double v_ref_n_V = 2.6;  //!< depression reference voltage magnitude (V) [CODE: devices.md (c)]
    double v_s_V = 0.25;     //!< voltage scale of the sinh nonlinearity (V) [ASSUMPTION]
    //! Long-term potentiation rate at V_ref,p (S/s): 0.194 of 1 uS / 0.25 s [DERIVED + ASSUMPTION]
    double k_lt_p_S_per_s = 0.194 * 4e-6;
    //! Short-term potentiation rate at V_ref,p (S/s): 0.806 of 1 uS / 0.25 s [DERIVED + ASSUMPTION]
    double k_st_p_S_per_s = 0.806 * 4e-6;
    //! Long-term depression rate at V_ref,n (S/s): 0.305 of 1 uS / 0.25 s [DERIVED + ASSUMPTION]
    double k_lt_n_S_per_s = 0.305 * 4e-6;
    //! Short-term depression rate at V_ref,n (S/s): 0.695 of 1 uS / 0.25 s [DERIVED + ASSUMPTION]
    double k_st_n_S_per_s = 0.695 * 4e-6;
    double tau_p_s =
        0.728; //!< decay of a positive short-term part (s) [CODE: devices.md (c) tau_p]
    double tau_n_s =
        1.241; //!< decay of a negative short-term part (s) [CODE: devices.md (c) tau_n]
};

struct ShortLongTermState {
    double g_lt_S = 0.0; //!< retained (long-term) conductance (S)
    double g_st_S = 0.0; //!< volatile (short-term) conductance (S), either sign
};

struct ShortLongTermModel : DeviceModelBase {
    using Params = ShortLongTermParams;
    using State = ShortLongTermState;
    static constexpr DeviceModel id = DeviceModel::short_long_term;

    MEMLIF_HD_INLINE static double current_A(const Params&, const State& s, double v_V) {
        return (s.g_lt_S + s.g_st_S) * v_V;
    }
    MEMLIF_HD_INLINE static double conductance_S(const Params&, const State& s, double) {
        return s.g_lt_S + s.g_st_S;
    }
    MEMLIF_HD_INLINE static double temperature_K(const Params&, double, double) { return 300.0; }
    MEMLIF_HD_INLINE static double tau_s(const Params& p, const State& s) {
        return s.g_st_S >= 0.0 ? p.tau_p_s : p.tau_n_s;
    }
    MEMLIF_HD_INLINE static State rate(const Params& p, const State& s, double v_V, double,
                                       double) {
        const double span = p.g_max_S - p.g_min_S;
        const double decay = -s.g_st_S / tau_s(p, s);
        if (v_V > 0.0) {
            const double sp = std::sinh(v_V / p.v_s_V) / std::sinh(p.v_ref_p_V / p.v_s_V);
            return State{p.k_lt_p_S_per_s * sp * (p.g_max_S - s.g_lt_S) / span,
                         p.k_st_p_S_per_s * sp + decay};
        }
        if (v_V < 0.0) {
            const double sn = std::sinh(-v_V / p.v_s_V) / std::sinh(p.v_ref_n_V / p.v_s_V);
            return State{-p.k_lt_n_S_per_s * sn * (s.g_lt_S - p.g_min_S) / span,
                         -p.k_st_n_S_per_s * sn + decay};
        }
        return State{0.0, decay};
    }
    MEMLIF_HD_INLINE static State axpy(const State& s, double h, const State& ds) {
        return State{s.g_lt_S + h * ds.g_lt_S, s.g_st_S + h * ds.g_st_S};
    }
    MEMLIF_HD_INLINE static void clamp(const Params& p, State& s) {
        s.g_lt_S = clamp_to(s.g_lt_S, p.g_min_S, p.g_max_S);
        s.g_st_S = clamp_to(s.g_st_S, p.g_min_S - s.g_lt_S, p.g_max_S - s.g_lt_S);
    }
    MEMLIF_HD_INLINE static State low_state(const Params& p) { return State{p.g_min_S, 0.0}; }
    MEMLIF_HD_INLINE static State high_state(const Params& p) { return State{p.g_max_S, 0.0}; }
    //! A read conductance is taken as fully retained: G_LT = G, G_ST = 0.
    MEMLIF_HD_INLINE static State state_from_read_conductance(const Params&, double g_read_S,
                                                              double) {
        return State{g_read_S, 0.0};
    }
    //! At V = 0 only the short-term part moves: G_ST(t) = G_ST e^{-t/tau} (exact; the sign of G_ST,
    //! hence tau, does not change during the decay).
    MEMLIF_HD_INLINE static void relax(const Params& p, State& s, double t_s) {
        s.g_st_S *= std::exp(-t_s / tau_s(p, s));
    }
};

} // namespace memlif
