// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/lif.hpp
//! CMOS leaky integrate-and-fire neuron of Benatti et al. 2023 (Sec. 2, Fig. 3): input at virtual
//! ground, integrating capacitor C, leak R_leak (tau = R_leak C), threshold, output spike, reset of
//! the capacitor after T_spike,Delay.
#pragma once

#include "macros.hpp"
#include "params.hpp"

#include <cmath>
#include <cstdint>

namespace memlif {

//! Normalised weight w = I tau / (C V_th): the steady-state u = V/V_th reached under a held input
//! current I, from C dV/dt = I - V/R_leak (model.md §2.3).
MEMLIF_HD_INLINE double normalised_weight(double current_A, double tau_s, double c_F, double v_th_V) {
    return current_A * tau_s / (c_F * v_th_V);
}

//! Exact one-step leak factor exp(-dt/tau) for a current held constant over the step (model.md §2.2).
MEMLIF_HD_INLINE double step_decay(double dt_s, double tau_s) { return std::exp(-dt_s / tau_s); }

//! Per-step increment of u while an input of weight w is on: the exact solution
//! u(t+dt) = u_inf + (u(t) - u_inf) e^{-dt/tau} with u_inf = sum_i w_i is u e^{-dt/tau} + sum_i a_i,
//! a_i = w_i (1 - e^{-dt/tau}).
MEMLIF_HD_INLINE double step_increment(double w, double decay) { return w * (1.0 - decay); }

//! Neuron state in registers: normalised potential, armed flag and pending reset time.
struct LifState {
    float u = 0.0f;              //!< V / V_th
    std::uint32_t reset_at = 0;  //!< step at which the capacitor is discharged (valid when !armed)
    bool armed = true;           //!< false between an output spike and its reset
};

//! Advances the neuron over step k -> k+1 with the summed increment `drive`, then applies the fire
//! and reset rules (model.md §2.2): a threshold crossing at the end of the step emits an output spike
//! with onset (k+1) dt and disarms the neuron; integration continues; at onset + T_delay the potential
//! is reset to 0 and the neuron re-armed. Returns true when a spike is emitted.
MEMLIF_HD_INLINE bool lif_step(LifState& s, float drive, float decay, std::uint32_t k_next,
                               std::uint32_t delay_steps) {
    s.u = s.u * decay + drive;
    bool fired = false;
    if (s.armed && s.u >= 1.0f) {
        fired = true;
        s.armed = false;
        s.reset_at = k_next + delay_steps;
    }
    if (!s.armed && k_next == s.reset_at) {
        s.u = 0.0f;
        s.armed = true;
    }
    return fired;
}

} // namespace memlif
