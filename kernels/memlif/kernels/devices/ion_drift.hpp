// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/devices/ion_drift.hpp
//! Linear ion drift memristor (Strukov, Snider, Stewart & Williams, Nature 453, 2008, the HP
//! model), the classical device of memristor recurrent-network work such as seed 003 (Zoppo,
//! Marrone & Corinto, Front. Neurosci. 14:240, 2020). With x = w/D the doped fraction (x = 1 ON):
//!   R(x) = R_on x + R_off (1 - x),  I = V / R(x)
//!   dx/dt = (mu_v R_on / D^2) i(t) f(x, i)
//! with a window f that stops the drift at the boundaries:
//!   Joglekar (Joglekar & Wolf, Eur. J. Phys. 30, 2009):  f = 1 - (2x - 1)^{2p}
//!   Biolek (Biolek, Biolek & Biolkova, Radioengineering 18, 2009): f = 1 - (x - stp(-i))^{2p},
//!   stp(i) = 1 for i >= 0, else 0.
//! The Joglekar window is 0 at both ends, so a device placed exactly at x = 0 or 1 never leaves it
//! (its known boundary lock); Biolek's window releases the device when the current reverses.
//! Defaults [CODE: coreylammie/MemTorch memtorch/bh/memristor/LinearIonDrift.py; the same values
//! as Strukov et al. 2008]. MemTorch also gates the drift by +-0.55 V write thresholds; here the
//! threshold is a parameter, 0 (no threshold, as in the HP model) by default [ASSUMPTION].
#pragma once

#include "device_model.hpp"

#include <cmath>
#include <cstdint>

namespace memlif {

enum class IonDriftWindow : std::uint32_t {
    none = 0,     //!< f = 1 (only the clamp to [0, 1] bounds the state)
    joglekar = 1, //!< f = 1 - (2x - 1)^{2p}
    biolek = 2,   //!< f = 1 - (x - stp(-i))^{2p}
};

struct IonDriftParams {
    double mu_v_m2_per_V_s =
        1e-14;               //!< dopant mobility (m^2 V^-1 s^-1) [CODE: MemTorch LinearIonDrift.py]
    double d_m = 10e-9;      //!< film thickness D (m) [CODE: same]
    double r_on_ohm = 100.0; //!< fully doped resistance (ohm) [CODE: same]
    double r_off_ohm = 16e3; //!< undoped resistance (ohm) [CODE: same]
    IonDriftWindow window = IonDriftWindow::joglekar; //!< [CODE: same, Joglekar]
    std::uint32_t window_p = 1; //!< window exponent p (1..32) [CODE: same, p = 1]
    double v_threshold_V =
        0.0; //!< drift only for |V| >= threshold (V) [ASSUMPTION]; MemTorch: 0.55
};

struct IonDriftState {
    double x = 0.0; //!< doped fraction w/D, in [0, 1]; 1 = ON
};

struct IonDriftModel : DeviceModelBase {
    using Params = IonDriftParams;
    using State = IonDriftState;
    static constexpr DeviceModel id = DeviceModel::ion_drift;

    MEMLIF_HD_INLINE static double resistance_ohm(const Params& p, const State& s) {
        return p.r_on_ohm * s.x + p.r_off_ohm * (1.0 - s.x);
    }
    MEMLIF_HD_INLINE static double current_A(const Params& p, const State& s, double v_V) {
        return v_V / resistance_ohm(p, s);
    }
    MEMLIF_HD_INLINE static double conductance_S(const Params& p, const State& s, double) {
        return 1.0 / resistance_ohm(p, s);
    }
    MEMLIF_HD_INLINE static double temperature_K(const Params&, double, double) { return 300.0; }

    //! y^{2p} for integer p by repeated multiplication (p clipped to 1..32).
    MEMLIF_HD_INLINE static double even_power(double y, std::uint32_t p) {
        const double y2 = y * y;
        double r = y2;
        const std::uint32_t n = p < 1u ? 1u : (p > 32u ? 32u : p);
        for (std::uint32_t k = 1; k < n; ++k)
            r *= y2;
        return r;
    }
    MEMLIF_HD_INLINE static double window_value(const Params& p, double x, double i_A) {
        if (p.window == IonDriftWindow::joglekar)
            return 1.0 - even_power(2.0 * x - 1.0, p.window_p);
        if (p.window == IonDriftWindow::biolek)
            return 1.0 - even_power(x - (i_A < 0.0 ? 1.0 : 0.0), p.window_p);
        return 1.0;
    }
    //! dx/dt = (mu_v R_on / D^2) i f(x, i), with i the device current (including any RTN factor).
    MEMLIF_HD_INLINE static State rate(const Params& p, const State& s, double v_V, double i_A,
                                       double) {
        if (std::fabs(v_V) < p.v_threshold_V)
            return State{0.0};
        return State{p.mu_v_m2_per_V_s * p.r_on_ohm / (p.d_m * p.d_m) * i_A *
                     window_value(p, s.x, i_A)};
    }
    MEMLIF_HD_INLINE static State axpy(const State& s, double h, const State& ds) {
        return State{s.x + h * ds.x};
    }
    MEMLIF_HD_INLINE static void clamp(const Params&, State& s) { s.x = clamp_to(s.x, 0.0, 1.0); }
    MEMLIF_HD_INLINE static State low_state(const Params&) { return State{0.0}; }
    MEMLIF_HD_INLINE static State high_state(const Params&) { return State{1.0}; }
    //! x = (R_off - 1/G) / (R_off - R_on).
    MEMLIF_HD_INLINE static State state_from_read_conductance(const Params& p, double g_read_S,
                                                              double) {
        return State{(p.r_off_ohm - 1.0 / g_read_S) / (p.r_off_ohm - p.r_on_ohm)};
    }
};

} // namespace memlif
