// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/devices/vteam.hpp
//! VTEAM, the voltage threshold adaptive memristor model (Kvatinsky, Ramadan, Friedman & Kolodny,
//! IEEE TCAS-II 62, 2015), in the form and defaults of MemTorch (model.md §3.5 [CODE:
//! coreylammie/MemTorch memtorch/bh/memristor/VTEAM.py]): no window function, x clipped to [0, d].
//!   dx/dt = k_off (V/v_off - 1)^alpha_off   for V >= v_off > 0
//!         = k_on  (V/v_on  - 1)^alpha_on    for V <= v_on  < 0
//!         = 0                               otherwise
//!   I = V / (R_off x/d + R_on (1 - x/d))
//! x = d is the OFF (high-resistance) end, so in this parametrisation a positive voltage RESETs.
#pragma once

#include "device_model.hpp"

#include <cmath>

namespace memlif {

struct VteamParams {
    double r_off_ohm = 1000.0;   //!< OFF resistance (ohm) [CODE: MemTorch VTEAM.py]
    double r_on_ohm = 50.0;      //!< ON resistance (ohm) [CODE: same]
    double d_m = 3e-9;           //!< state range (m) [CODE: same]
    double k_on_m_per_s = -10.0; //!< ON rate (m/s, negative) [CODE: same]
    double k_off_m_per_s = 5e-4; //!< OFF rate (m/s) [CODE: same]
    double alpha_on = 3.0;       //!< ON exponent [CODE: same]
    double alpha_off = 1.0;      //!< OFF exponent [CODE: same]
    double v_on_V = -0.2;        //!< ON threshold (V, negative) [CODE: same]
    double v_off_V = 0.02;       //!< OFF threshold (V, positive) [CODE: same]
};

struct VteamState {
    double x_m = 0.0; //!< state (m), 0 = ON, d = OFF
};

struct VteamModel : DeviceModelBase {
    using Params = VteamParams;
    using State = VteamState;
    static constexpr DeviceModel id = DeviceModel::vteam;

    MEMLIF_HD_INLINE static double resistance_ohm(const Params& p, const State& s) {
        return p.r_off_ohm * s.x_m / p.d_m + p.r_on_ohm * (1.0 - s.x_m / p.d_m);
    }
    MEMLIF_HD_INLINE static double current_A(const Params& p, const State& s, double v_V) {
        return v_V / resistance_ohm(p, s);
    }
    MEMLIF_HD_INLINE static double conductance_S(const Params& p, const State& s, double) {
        return 1.0 / resistance_ohm(p, s);
    }
    MEMLIF_HD_INLINE static double temperature_K(const Params&, double, double) { return 300.0; }
    MEMLIF_HD_INLINE static State rate(const Params& p, const State&, double v_V, double, double) {
        if (v_V >= p.v_off_V)
            return State{p.k_off_m_per_s * std::pow(v_V / p.v_off_V - 1.0, p.alpha_off)};
        if (v_V <= p.v_on_V)
            return State{p.k_on_m_per_s * std::pow(v_V / p.v_on_V - 1.0, p.alpha_on)};
        return State{0.0};
    }
    MEMLIF_HD_INLINE static State axpy(const State& s, double h, const State& ds) {
        return State{s.x_m + h * ds.x_m};
    }
    MEMLIF_HD_INLINE static void clamp(const Params& p, State& s) {
        s.x_m = clamp_to(s.x_m, 0.0, p.d_m);
    }
    MEMLIF_HD_INLINE static State low_state(const Params& p) { return State{p.d_m}; }
    MEMLIF_HD_INLINE static State high_state(const Params&) { return State{0.0}; }
    //! x = d (1/G - R_on) / (R_off - R_on) (Ohmic device: G_read = 1/R(x)).
    MEMLIF_HD_INLINE static State state_from_read_conductance(const Params& p, double g_read_S,
                                                              double) {
        return State{p.d_m * (1.0 / g_read_S - p.r_on_ohm) / (p.r_off_ohm - p.r_on_ohm)};
    }
};

} // namespace memlif
