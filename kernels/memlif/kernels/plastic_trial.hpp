// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/plastic_trial.hpp
//! The MI trial with plasticity on during stimulation (issue 10 item 5; beyond Benatti et al.
//! 2023, who disabled plasticity in the MI runs, model.md §6.3). Each of the four synapses is a
//! UL-GAP device (devices/ul_gap.hpp) that every trial starts in the same state, the barrier
//! x_i = state_from_read_conductance(G_i) of the condition's read conductance (times the trial's
//! device-to-device factor when that noise is on). While input i spikes, the memristor sees the
//! spike voltage V_spk (virtual-ground input, model.md §2.1) and its barrier moves by the SET rate
//! (each spike potentiates, ~1.8 % in G per 0.1 V x 10 ms spike with the default set, model.md
//! §6.1); during a back-spike every memristor sees -V_bs and is disconnected from the neuron.
//!
//! The drive is no longer constant between pulse edges, so the trial runs step by step (the
//! per-step path; the fixed-state trial keeps its segment loop, trial.hpp):
//!   step k: I_i = I(V_spk, x_i(k dt)) f_read,i(bin) f_rtn,i(k dt)   while input i is on,
//!           a_i = step_increment(normalised_weight(I_i)),  u <- u e^{-dt/tau} + sum_i a_i
//!           (the fire/reset rule, jitter, back-spike and output coding of run_trial),
//!   then    x_i advances over [k dt, (k+1) dt] at the voltage it saw in step k by
//!           device_step (devices/integrator.hpp: RK4 with Joule heating, clamped to the bounds),
//!           in ceil(dt / (step_fraction * pulse width)) sub-steps.
//! Device-to-device noise programs the device to G_i f_dev,i (its state, not its current, carries
//! the factor). The current of step k uses the state at the step's start (explicit in the coupling,
//! exact in the limit dt -> 0; at dt = 10 us a spike moves x by ~2e-4 of x0 per step). With every
//! rate zero (k_set = k_reset = 0) the drive is bit for bit the fixed-state drive of
//! make_conditions and the trial equals run_trial, or run_noisy_trial with read noise and RTN
//! (tests/kernels/plastic_trial_test.cpp, synapse_noise_test.cpp); device-to-device noise enters
//! here through the state, there through the drive, and the two differ by rounding. RTN scales the
//! current seen by the neuron; the device's own Joule heating ignores it [ASSUMPTION: the trap
//! steps of a few percent change the 0.1 V heating by < 1e-3 K].
#pragma once

#include "backspike.hpp"
#include "devices/integrator.hpp"
#include "devices/ul_gap.hpp"
#include "lif.hpp"
#include "macros.hpp"
#include "params.hpp"
#include "synapse_noise.hpp"
#include "trial.hpp"

#include <cstdint>
#include <type_traits>

namespace memlif {

//! Run constants of the plasticity-on trial (filled on the host from the card).
struct PlasticityParams {
    std::uint32_t enabled = 0;
    UlGapParams device;          //!< fixed-state part from synapse.ul_gap, dynamics from the card
    double v_spike_V = 0.1;      //!< presynaptic spike voltage across the memristor (V)
    double v_read_V = 0.05;      //!< read voltage that defines G_read (V) [SEED]
    double v_backspike_V = 0;    //!< the memristor sees -V_bs during a back-spike (V) [ASSUMPTION]
    double dt_s = 1e-5;          //!< the neuron's fixed step (s)
    double tau_s = 0.02;         //!< membrane time constant (s)
    double c_F = 13.6e-9;        //!< integrating capacitance (F)
    double v_th_V = 0.5;         //!< threshold (V)
    double spike_width_s = 0.01; //!< input spike width (s): the pulse of the step rule
    double backspike_width_s = 3e-4; //!< back-spike width (s): the pulse of the step rule
    StepRule step;                   //!< device sub-steps (pulse/100, RK4 by default)
};

static_assert(std::is_trivially_copyable<PlasticityParams>::value,
              "PlasticityParams is passed by value to kernels");

//! The read conductances (S) a condition programs into its four synapses.
struct SynapseConductances {
    double g0_S = 0, g1_S = 0, g2_S = 0, g3_S = 0;
};

namespace detail {

//! Per-step drive of a synapse at state x: step_increment(normalised_weight(I(V_spk, x))), the
//! functions make_conditions uses for the fixed-state drive.
MEMLIF_HD_INLINE double plastic_drive(const PlasticityParams& p, double decay, double x_m) {
    const double i_A = UlGapModel::current_A(p.device, UlGapState{x_m}, p.v_spike_V);
    return step_increment(normalised_weight(i_A, p.tau_s, p.c_F, p.v_th_V), decay);
}

//! A synapse of the trial: a UL-GAP device (no noise of its own: the trial's noise is applied to
//! the current the neuron sees).
MEMLIF_HD_INLINE DeviceInstance<UlGapModel> plastic_synapse(const PlasticityParams& p, double g_S,
                                                            double f_dev) {
    DeviceInstance<UlGapModel> d;
    d.device = p.device;
    d.p = p.device;
    // Not clamped here: the programmed state is the condition's G (checked inside the bounds on
    // the host); a device-to-device draw outside them moves to the bound at its first step.
    d.s = UlGapModel::state_from_read_conductance(p.device, g_S * f_dev, p.v_read_V);
    return d;
}

//! Advances one synapse over one neuron step at source voltage v (0 V: no motion for UL-GAP).
MEMLIF_HD_INLINE void plastic_advance(DeviceInstance<UlGapModel>& d, const PlasticityParams& p,
                                      double v_V, double pulse_width_s) {
    if (v_V == 0.0) return;
    const std::uint32_t n = segment_steps(p.dt_s, step_cap_s(p.step, pulse_width_s));
    const double h = p.dt_s / static_cast<double>(n);
    const Circuit c; // R_s = 0: the neuron input is a virtual ground [SEED]
    for (std::uint32_t j = 0; j < n; ++j) device_step(d, c, v_V, v_V, h, p.step.scheme);
}

MEMLIF_HD_INLINE bool in_window(std::uint32_t k, std::uint32_t on, std::uint32_t off) {
    return k >= on && k < off;
}

//! The drive of one synapse in step k: its state's drive times the spike's read factor and, with
//! RTN, the traps' factor at t = k dt (the product in the order of run_noisy_trial, so that equal
//! factors give equal bits).
MEMLIF_HD_INLINE double plastic_synapse_drive(const PlasticityParams& pp, double decay,
                                              const DeviceInstance<UlGapModel>& d, double f_read,
                                              RtnState& rtn, const SynapseNoise& n,
                                              std::uint64_t seed, std::uint64_t trial_id,
                                              std::uint32_t k, bool rtn_on) {
    const double a = plastic_drive(pp, decay, d.s.x_m) * f_read;
    if (!rtn_on) return a;
    rtn_advance_to(rtn, n.rtn, seed, trial_id, static_cast<double>(k) * n.dt_s);
    return a * synapse_rtn_factor(rtn, n);
}

template <bool Backspikes>
MEMLIF_HD_NOINLINE TrialResult run_plastic_trial_impl(const SimParams& p,
                                                      const PlasticityParams& pp,
                                                      const SynapseConductances& g,
                                                      const SynapseNoise& n, std::uint32_t code,
                                                      std::uint64_t trial_id) {
    TrialResult res;
    LifState s;
    BackspikeState bs = backspike_start(p.backspike, p.seed, trial_id);
    const SynapseFactors dev = device_factors(n, p.seed, trial_id);
    const bool rtn_on = n.rtn.n_traps != 0;
    SynapseRtn rtn;
    if (rtn_on) rtn = synapse_rtn_start(n, p.seed, trial_id);
    // The device-to-device factor moves the programmed state, not the current (the device is
    // the one with conductance G f); the current then follows from that state.
    DeviceInstance<UlGapModel> d0 = plastic_synapse(pp, g.g0_S, dev.f0);
    DeviceInstance<UlGapModel> d1 = plastic_synapse(pp, g.g1_S, dev.f1);
    DeviceInstance<UlGapModel> d2 = plastic_synapse(pp, g.g2_S, dev.f2);
    DeviceInstance<UlGapModel> d3 = plastic_synapse(pp, g.g3_S, dev.f3);
    std::uint32_t k = 0;
    for (int b = 0; b <= k_input_bins; ++b) {
        const bool in_bins = b < k_input_bins;
        const BinWindows w = in_bins ? bin_windows(p, code, trial_id, b) : BinWindows{};
        const SynapseFactors rd = in_bins ? read_factors(n, p.seed, trial_id, b) : SynapseFactors{};
        const std::uint32_t end = bin_end_step(p, b);
        for (; k < end; ++k) {
            const bool on0 = in_window(k, w.on0, w.off0), on1 = in_window(k, w.on1, w.off1);
            const bool on2 = in_window(k, w.on2, w.off2), on3 = in_window(k, w.on3, w.off3);
            SynapseDrive ds;
            if (on0)
                ds.a0 = plastic_synapse_drive(pp, p.decay, d0, rd.f0, rtn.s0, n, p.seed, trial_id,
                                              k, rtn_on);
            if (on1)
                ds.a1 = plastic_synapse_drive(pp, p.decay, d1, rd.f1, rtn.s1, n, p.seed, trial_id,
                                              k, rtn_on);
            if (on2)
                ds.a2 = plastic_synapse_drive(pp, p.decay, d2, rd.f2, rtn.s2, n, p.seed, trial_id,
                                              k, rtn_on);
            if (on3)
                ds.a3 = plastic_synapse_drive(pp, p.decay, d3, rd.f3, rtn.s3, n, p.seed, trial_id,
                                              k, rtn_on);
            double drive = window_drive(w, ds, k);
            bool blocked = false;
            if (Backspikes && backspike_blocks(bs, p.backspike, p.seed, trial_id, k)) {
                drive = 0.0;
                blocked = true;
            }
            if (lif_step(s, drive, p.decay, k + 1, p.delay_steps)) record_spike(res, p, k + 1);
            if (blocked) {
                plastic_advance(d0, pp, -pp.v_backspike_V, pp.backspike_width_s);
                plastic_advance(d1, pp, -pp.v_backspike_V, pp.backspike_width_s);
                plastic_advance(d2, pp, -pp.v_backspike_V, pp.backspike_width_s);
                plastic_advance(d3, pp, -pp.v_backspike_V, pp.backspike_width_s);
            } else {
                plastic_advance(d0, pp, on0 ? pp.v_spike_V : 0.0, pp.spike_width_s);
                plastic_advance(d1, pp, on1 ? pp.v_spike_V : 0.0, pp.spike_width_s);
                plastic_advance(d2, pp, on2 ? pp.v_spike_V : 0.0, pp.spike_width_s);
                plastic_advance(d3, pp, on3 ? pp.v_spike_V : 0.0, pp.spike_width_s);
            }
        }
    }
    return res;
}

} // namespace detail

//! Simulates trial `trial_id` of stimulus `code` with plasticity on: the condition programs the
//! read conductances `g`, the trial's noise is `n` (all off: SynapseNoise{}). Depends only on
//! (p, pp, g, n, code, trial_id).
MEMLIF_HD_INLINE TrialResult run_plastic_trial(const SimParams& p, const PlasticityParams& pp,
                                               const SynapseConductances& g, const SynapseNoise& n,
                                               std::uint32_t code, std::uint64_t trial_id) {
    if (p.backspike.enabled)
        return detail::run_plastic_trial_impl<true>(p, pp, g, n, code, trial_id);
    return detail::run_plastic_trial_impl<false>(p, pp, g, n, code, trial_id);
}

} // namespace memlif
