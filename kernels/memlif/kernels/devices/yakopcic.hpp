// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/devices/yakopcic.hpp
//! Yakopcic memristor model (Yakopcic, Taha, Subramanyam, Pino & Rogers, IEEE EDL 32, 2011; 2020
//! generalisation for Nb:SrTiO3), with its two public parameter sets:
//! * `sinh_2011`: the Knowm LTspice subcircuit (model.md §3.6 [CODE: knowm/memristor-models-4-all
//!   Yakopcic/LTSpice/memristor_yakopcic.sub]):
//!   I = a1 x sinh(b V) (V >= 0),  a2 x sinh(b V) (V < 0);
//! * `nbsto_2020`: the Nb:SrTiO3 10 um fit (devices.md (a) [CODE: thomastiotto/Memristor-Models
//!   SPICE model/sub/memristor_10um.sub]):
//!   I = g_max,p sinh(b_max,p V) x + g_min,p (1 - e^{-b_min,p V}) (1 - x)        (V >= 0)
//!     = g_max,n (1 - e^{-b_max,n V}) x + g_min,n sinh(b_min,n V) (1 - x)      (V < 0).
//! Both share the state equation dx/dt = eta g(V) f(V, x) with
//!   g(V) = A_p (e^V - e^{V_p})       V > V_p
//!        = -A_n (e^{-V} - e^{V_n})   V < -V_n        (V_n a positive magnitude here)
//!        = 0                          otherwise
//!   f (eta V >= 0) = e^{-alpha_p (x - x_p)} w_p(x) for x >= x_p, else 1
//!   f (eta V <  0) = e^{alpha_n (x - x_n)} w_n(x)  for x <= x_n, else 1
//!   w_p(x) = (x_p - x)/(1 - x_p) + 1,  w_n(x) = x / x_n
//! The Knowm file writes the negative window with x_n' = 1 - x_n: x <= 1 - x_n',
//! w_n = x/(1 - x_n'), e^{alpha_n (x + x_n' - 1)}; its x_n' = 0.5 is x_n = 0.5 here [DERIVED].
//! The Nb:SrTiO3 file's thresholds are signed (V < V_n); its V_n = 0 is the same in both.
#pragma once

#include "device_model.hpp"

#include <cmath>
#include <cstdint>

namespace memlif {

enum class YakopcicForm : std::uint32_t {
    sinh_2011 = 0,  //!< Knowm LTspice current law
    nbsto_2020 = 1, //!< Nb:SrTiO3 asymmetric current law
};

//! Defaults: the Knowm LTspice set [CODE: memristor_yakopcic.sub, active .params line; the file's
//! commented alternative has V_p = 0.16, V_n = 0.15]. yakopcic_nbsto_10um() gives the other set.
struct YakopcicParams {
    YakopcicForm form = YakopcicForm::sinh_2011; //!< current law of the set
    double a1_A = 0.17;                          //!< sinh_2011: V >= 0 current prefactor (A) [CODE]
    double a2_A = 0.17;                          //!< sinh_2011: V < 0 current prefactor (A) [CODE]
    double b_per_V = 0.05;                       //!< sinh_2011: sinh slope (1/V) [CODE]
    //! nbsto_2020 current parameters (A, 1/V): ON state (max) and OFF state (min), each for V >= 0
    //! (p) and V < 0 (n); 0 in the Knowm set, the memristor_10um.sub values [CODE] in
    //! yakopcic_nbsto_10um()
    double g_max_p_A = 0, b_max_p_per_V = 0;
    double g_max_n_A = 0, b_max_n_per_V = 0;
    double g_min_p_A = 0, b_min_p_per_V = 0;
    double g_min_n_A = 0, b_min_n_per_V = 0;
    double v_p_V = 0.65;       //!< positive threshold (V) [CODE]
    double v_n_V = 0.56;       //!< negative threshold magnitude (V) [CODE]
    double a_p_per_s = 4000.0; //!< positive state-motion magnitude A_p (1/s) [CODE]
    double a_n_per_s = 4000.0; //!< negative state-motion magnitude A_n (1/s) [CODE]
    double x_p = 0.3;          //!< state above which positive motion decays [CODE]
    //! state below which negative motion decays; the Knowm file's x_n = 0.5 enters as 1 - x_n
    //! [DERIVED]
    double x_n = 0.5;
    double alpha_p = 1.0; //!< positive decay rate [CODE]
    double alpha_n = 5.0; //!< negative decay rate [CODE]
    double eta = 1.0;     //!< direction of state motion relative to V [CODE]
};

//! The Nb:SrTiO3 10 um device fit (devices.md (a) [CODE: memristor_10um.sub]); initial x0 = 0.
MEMLIF_HD_INLINE YakopcicParams yakopcic_nbsto_10um() {
    YakopcicParams p;
    p.form = YakopcicForm::nbsto_2020;
    p.g_max_p_A = 4.338454236e-4;
    p.b_max_p_per_V = 4.988561168;
    p.g_max_n_A = 8.44e-6;
    p.b_max_n_per_V = 6.272960721;
    p.g_min_p_A = 0.03135053798;
    p.b_min_p_per_V = 0.002125127287;
    p.g_min_n_A = 1.45e-5;
    p.b_min_n_per_V = 3.295533935;
    p.a_p_per_s = 0.071;
    p.a_n_per_s = 0.02662694665;
    p.v_p_V = 0.0;
    p.v_n_V = 0.0;
    p.x_p = 0.11;
    p.x_n = 0.1433673316;
    p.alpha_p = 9.2;
    p.alpha_n = 0.7013461469;
    p.eta = 1.0;
    return p;
}

struct YakopcicState {
    double x = 0.0; //!< state variable, in [0, 1]
};

struct YakopcicModel : DeviceModelBase {
    using Params = YakopcicParams;
    using State = YakopcicState;
    static constexpr DeviceModel id = DeviceModel::yakopcic;

    MEMLIF_HD_INLINE static double current_A(const Params& p, const State& s, double v_V) {
        if (p.form == YakopcicForm::sinh_2011)
            return (v_V >= 0.0 ? p.a1_A : p.a2_A) * s.x * std::sinh(p.b_per_V * v_V);
        if (v_V >= 0.0)
            return p.g_max_p_A * std::sinh(p.b_max_p_per_V * v_V) * s.x -
                   p.g_min_p_A * std::expm1(-p.b_min_p_per_V * v_V) * (1.0 - s.x);
        return -p.g_max_n_A * std::expm1(-p.b_max_n_per_V * v_V) * s.x +
               p.g_min_n_A * std::sinh(p.b_min_n_per_V * v_V) * (1.0 - s.x);
    }
    MEMLIF_HD_INLINE static double conductance_S(const Params& p, const State& s, double v_V) {
        if (p.form == YakopcicForm::sinh_2011)
            return (v_V >= 0.0 ? p.a1_A : p.a2_A) * s.x * p.b_per_V * std::cosh(p.b_per_V * v_V);
        if (v_V >= 0.0)
            return p.g_max_p_A * p.b_max_p_per_V * std::cosh(p.b_max_p_per_V * v_V) * s.x +
                   p.g_min_p_A * p.b_min_p_per_V * std::exp(-p.b_min_p_per_V * v_V) * (1.0 - s.x);
        return p.g_max_n_A * p.b_max_n_per_V * std::exp(-p.b_max_n_per_V * v_V) * s.x +
               p.g_min_n_A * p.b_min_n_per_V * std::cosh(p.b_min_n_per_V * v_V) * (1.0 - s.x);
    }
    MEMLIF_HD_INLINE static double temperature_K(const Params&, double, double) { return 300.0; }

    //! Threshold function g(V).
    MEMLIF_HD_INLINE static double drive_per_s(const Params& p, double v_V) {
        if (v_V > p.v_p_V)
            return p.a_p_per_s * (std::exp(v_V) - std::exp(p.v_p_V));
        if (v_V < -p.v_n_V)
            return -p.a_n_per_s * (std::exp(-v_V) - std::exp(p.v_n_V));
        return 0.0;
    }
    //! Window f(V, x).
    MEMLIF_HD_INLINE static double window(const Params& p, double v_V, double x) {
        if (p.eta * v_V >= 0.0)
            return x >= p.x_p
                       ? std::exp(-p.alpha_p * (x - p.x_p)) * ((p.x_p - x) / (1.0 - p.x_p) + 1.0)
                       : 1.0;
        return x <= p.x_n ? std::exp(p.alpha_n * (x - p.x_n)) * (x / p.x_n) : 1.0;
    }
    MEMLIF_HD_INLINE static State rate(const Params& p, const State& s, double v_V, double,
                                       double) {
        return State{p.eta * drive_per_s(p, v_V) * window(p, v_V, s.x)};
    }
    MEMLIF_HD_INLINE static State axpy(const State& s, double h, const State& ds) {
        return State{s.x + h * ds.x};
    }
    MEMLIF_HD_INLINE static void clamp(const Params&, State& s) { s.x = clamp_to(s.x, 0.0, 1.0); }
    MEMLIF_HD_INLINE static State low_state(const Params&) { return State{0.0}; }
    MEMLIF_HD_INLINE static State high_state(const Params&) { return State{1.0}; }
    //! I(V_read, x) is affine in x in both forms: solve G V_read = I(V_read, x) for x.
    MEMLIF_HD_INLINE static State state_from_read_conductance(const Params& p, double g_read_S,
                                                              double v_read_V) {
        const double i0 = current_A(p, State{0.0}, v_read_V);
        const double i1 = current_A(p, State{1.0}, v_read_V);
        return State{(g_read_S * v_read_V - i0) / (i1 - i0)};
    }
};

} // namespace memlif
