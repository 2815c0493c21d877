// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/devices/linear.hpp
//! Linear conductance I = G V with no state dynamics (model.md §3.1): the reference synapse of the
//! MI runs, whose results the seed states are "valid regardless of the specific device".
#pragma once

#include "device_model.hpp"

namespace memlif {

//! Bounds of the conductance (only used to clamp a state set from outside).
struct LinearParams {
    double g_min_S = 0.0; //!< lowest conductance (S) [ASSUMPTION]
    double g_max_S =
        1e-3; //!< highest conductance (S) [ASSUMPTION]; far above the 1-20 uS of the runs
};

struct LinearState {
    double g_S = 0.0; //!< conductance (S)
};

struct LinearModel : DeviceModelBase {
    using Params = LinearParams;
    using State = LinearState;
    static constexpr DeviceModel id = DeviceModel::linear;

    //! I = G V (model.md §3.1).
    MEMLIF_HD_INLINE static double current_A(const Params&, const State& s, double v_V) {
        return s.g_S * v_V;
    }
    MEMLIF_HD_INLINE static double conductance_S(const Params&, const State& s, double) {
        return s.g_S;
    }
    MEMLIF_HD_INLINE static double temperature_K(const Params&, double, double) { return 300.0; }
    //! No dynamics: d G/dt = 0.
    MEMLIF_HD_INLINE static State rate(const Params&, const State&, double, double, double) {
        return State{0.0};
    }
    MEMLIF_HD_INLINE static State axpy(const State& s, double h, const State& ds) {
        return State{s.g_S + h * ds.g_S};
    }
    MEMLIF_HD_INLINE static void clamp(const Params& p, State& s) {
        s.g_S = clamp_to(s.g_S, p.g_min_S, p.g_max_S);
    }
    MEMLIF_HD_INLINE static State low_state(const Params& p) { return State{p.g_min_S}; }
    MEMLIF_HD_INLINE static State high_state(const Params& p) { return State{p.g_max_S}; }
    MEMLIF_HD_INLINE static State state_from_read_conductance(const Params&, double g_read_S,
                                                              double) {
        return State{g_read_S};
    }
};

} // namespace memlif
