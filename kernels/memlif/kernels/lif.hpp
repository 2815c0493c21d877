// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/lif.hpp
//! CMOS leaky integrate-and-fire neuron of Benatti et al. 2023 (Sec. 2, Fig. 3): input at virtual
//! ground, integrating capacitor C, leak R_leak (tau = R_leak C), threshold, output spike, reset of
//! the capacitor after T_spike,Delay.
//!
//! The membrane state is a double. In float the step u <- u e^{-dt/tau} + a drifts: e^{-dt/tau}
//! rounded to float changes the effective tau by up to 2^-25 / (dt/tau) (6e-5 at dt = 10 us,
//! 6e-4 at 1 us), and near steady state the increment falls below half an ulp of u and the
//! recurrence stalls up to 2^-24 tau/dt below its target. Both put u 4e-5 (10 us) to 1.5e-4 (1 us)
//! away from the closed form at the end of a 10 ms pulse, enough to make a stimulus whose exact
//! peak is 0.99995 V_th fire. In double both effects are below 1e-12. The step keeps the same two
//! dependent operations (multiply, add), so its latency on x86 is unchanged.
#pragma once

#include "macros.hpp"
#include "params.hpp"

#include <cmath>
#include <cstdint>

namespace memlif {

//! Normalised weight w = I tau / (C V_th): the steady-state u = V/V_th reached under a held input
//! current I, from C dV/dt = I - V/R_leak (model.md §2.3).
MEMLIF_HD_INLINE double normalised_weight(double current_A, double tau_s, double c_F,
                                          double v_th_V) {
    return current_A * tau_s / (c_F * v_th_V);
}

//! Exact one-step leak factor exp(-dt/tau) for a current held constant over the step (model.md
//! §2.2).
MEMLIF_HD_INLINE double step_decay(double dt_s, double tau_s) { return std::exp(-dt_s / tau_s); }

//! Per-step increment of u while an input of weight w is on: the exact solution
//! u(t+dt) = u_inf + (u(t) - u_inf) e^{-dt/tau} with u_inf = sum_i w_i is u e^{-dt/tau} + sum_i
//! a_i, a_i = w_i (1 - e^{-dt/tau}).
MEMLIF_HD_INLINE double step_increment(double w, double decay) { return w * (1.0 - decay); }

//! Neuron state in registers: normalised potential, armed flag and pending reset time.
struct LifState {
    double u = 0.0;             //!< V / V_th
    std::uint32_t reset_at = 0; //!< step at which the capacitor is discharged (valid when !armed)
    bool armed = true;          //!< false between an output spike and its reset
};

//! The exact propagator over one step of held drive (model.md §2.2): u(t+dt) = u(t) e^{-dt/tau} +
//! sum_i a_i. Kept apart from the fire/reset rule so a multi-trial loop can run it on many trials
//! per step and test the rule only when it can act. T is double, or a vector of doubles whose
//! lanes are independent trials (trial_batch.hpp): the same IEEE multiply and add per lane.
template <class T> MEMLIF_HD_INLINE T lif_integrate(T u, T drive, double decay) {
    return u * decay + drive;
}

//! True when lif_fire_reset would change the state at step k_next: an armed neuron at or above
//! threshold, or a disarmed one whose reset is due.
MEMLIF_HD_INLINE bool lif_rule_due(const LifState& s, std::uint32_t k_next) {
    return s.armed ? s.u >= 1.0 : k_next == s.reset_at;
}

//! Fire and reset rules at the end of step k_next - 1 (model.md §2.2): a threshold crossing emits
//! an output spike with onset k_next dt and disarms the neuron; integration continues; at onset +
//! T_delay the potential is reset to 0 and the neuron re-armed. Returns true when a spike is
//! emitted.
MEMLIF_HD_INLINE bool lif_fire_reset(LifState& s, std::uint32_t k_next, std::uint32_t delay_steps) {
    bool fired = false;
    if (s.armed && s.u >= 1.0) {
        fired = true;
        s.armed = false;
        s.reset_at = k_next + delay_steps;
    }
    if (!s.armed && k_next == s.reset_at) {
        s.u = 0.0;
        s.armed = true;
    }
    return fired;
}

//! Advances the neuron over step k -> k+1 with the summed increment `drive`, then applies the fire
//! and reset rules (lif_fire_reset). Returns true when a spike is emitted.
MEMLIF_HD_INLINE bool lif_step(LifState& s, double drive, double decay, std::uint32_t k_next,
                               std::uint32_t delay_steps) {
    s.u = lif_integrate(s.u, drive, decay);
    return lif_fire_reset(s, k_next, delay_steps);
}

} // namespace memlif
