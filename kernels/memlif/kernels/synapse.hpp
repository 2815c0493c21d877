// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/synapse.hpp
//! Memristive synapse at a fixed state (plasticity off, as in the MI runs of Benatti et al. 2023).
//! The neuron input is a virtual ground, so the synaptic current depends only on the presynaptic
//! voltage and the device state, never on the membrane (model.md §2.1). The physics lives in the
//! device models (devices/); these are the fixed-state entry points of the MI runs, and
//! device_fixed_state_current_A (devices/device_spec.hpp) does the same for every model.
#pragma once

#include "devices/ul_gap.hpp"
#include "macros.hpp"

#include <cmath>
#include <cstdint>

namespace memlif {

enum class SynapseModel : std::uint32_t {
    linear = 0, //!< I = G V
    ul_gap = 1, //!< UniMORE-like gap model, I = I0 exp(-x/x0) sinh(V/V0)
};

//! Linear conductance: I = G V (model.md §3.1).
MEMLIF_HD_INLINE double linear_current_A(double g_S, double v_V) { return g_S * v_V; }

//! UL-GAP device current I(V, x) = I0 exp(-x/x0) sinh(V/V0) (model.md §3.2; structure of the
//! Stanford/PKU gap model, Yu & Wong / Jiang et al.).
MEMLIF_HD_INLINE double ulgap_current_A(const UlGapParams& p, double x_m, double v_V) {
    return UlGapModel::current_A(p, UlGapState{x_m}, v_V);
}

//! Read conductance G_read(x) = I(V_read, x) / V_read (model.md §3.2, V_read = 50 mV [SEED]).
MEMLIF_HD_INLINE double ulgap_read_conductance_S(const UlGapParams& p, double x_m, double v_read_V) {
    return ulgap_current_A(p, x_m, v_read_V) / v_read_V;
}

//! Inverse of ulgap_read_conductance_S: x = -x0 ln[G V_read / (I0 sinh(V_read/V0))].
MEMLIF_HD_INLINE double ulgap_state_from_read_conductance_m(const UlGapParams& p, double g_read_S,
                                                            double v_read_V) {
    return UlGapModel::state_from_read_conductance(p, g_read_S, v_read_V).x_m;
}

//! Current through a synapse of read conductance G at spike voltage V for either model.
//! For UL-GAP this reduces to G V_read sinh(V/V0) / sinh(V_read/V0): at V = 0.1 V, V0 = 0.25 V the
//! current exceeds the linear G V by sinh(0.4) / (2 sinh(0.2)) = 1.0201 (model.md §3.2).
MEMLIF_HD_INLINE double synapse_current_A(SynapseModel model, const UlGapParams& p, double g_read_S,
                                          double v_read_V, double v_V) {
    if (model == SynapseModel::linear) return linear_current_A(g_read_S, v_V);
    return ulgap_current_A(p, ulgap_state_from_read_conductance_m(p, g_read_S, v_read_V), v_V);
}

} // namespace memlif
