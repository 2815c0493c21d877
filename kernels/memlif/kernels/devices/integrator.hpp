// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/devices/integrator.hpp
//! Device-level integration of a voltage waveform (model.md §3.0, §8; issue 10 "Numerics").
//!
//! * A waveform is a sequence of segments, each a constant source voltage (a pulse, a read, a
//!   gap) or a linear ramp (a DC sweep step). Segment edges are exact: a segment of duration T is
//!   cut into n = ceil(T / h_max) equal steps, and the device clock is set to t0 + T at its end, so
//!   event times never drift off the pulse edges.
//! * The step is proportional to the pulse: h_max = step_fraction * (nominal width of the pulse
//!   that drives the segment), step_fraction = 1/100 by default (model.md §3.0: <= T_pulse/100),
//!   with an optional absolute cap.
//! * Each step is one explicit Runge-Kutta step (Euler, Heun or the classical 4th-order scheme) of
//!   d state/dt = rate(V_d, state, T), where every stage solves the series circuit for V_d
//!   (series_solve.hpp) and the Joule temperature; every stage state and the result are clamped
//!   to the model's bounds. Stochastic models (GMMS) take one binomial step instead.
//! * At 0 V (a gap) the device current is 0 and the state relaxes by the model's exact solution
//!   (identity, or the closed-form decay of GMMS and the short-term model): no steps.
//! * RTN is event-driven (rtn.hpp) and held constant within a step.
#pragma once

#include "../macros.hpp"
#include "../rng.hpp"
#include "device_model.hpp"
#include "device_noise.hpp"
#include "rtn.hpp"
#include "series_solve.hpp"

#include <cmath>
#include <cstdint>

namespace memlif {

enum class IntegratorScheme : std::uint32_t {
    euler = 0, //!< first order
    heun = 1,  //!< explicit trapezoid, second order
    rk4 = 2,   //!< classical Runge-Kutta, fourth order
};

//! How a segment is cut into steps.
struct StepRule {
    double step_fraction = 0.01; //!< h <= step_fraction * pulse width (model.md §3.0) [ASSUMPTION]
    double max_step_s = 0.0;     //!< absolute cap on h (s); 0 = none
    IntegratorScheme scheme = IntegratorScheme::rk4; //!< [ASSUMPTION]
};

//! One simulated device: its parameters, state, noise processes and clock. Trivially copyable;
//! one per CUDA thread.
template <class M> struct DeviceInstance {
    typename M::Params device;   //!< this device's parameters (after device-to-device variability)
    typename M::Params p;        //!< the current switching cycle's parameters
    typename M::State s;         //!< state
    DeviceNoise noise;           //!< noise switches
    RtnState rtn;                //!< RTN trap occupancy
    double t_s = 0.0;            //!< device clock (s)
    double v_device_V = 0.0;     //!< last device voltage (warm start of the circuit solve)
    std::uint64_t seed = 0;      //!< Philox key
    std::uint64_t device_id = 0; //!< Philox counter words 0-1 (the device or trial id)
    std::uint32_t n_switch_draws = 0; //!< per-step stochastic draws used (GMMS)
    std::uint32_t n_reads = 0;        //!< reads made (read-noise index)
};

//! A device at time 0 in state s0 (clamped to its bounds), with device-to-device variability drawn
//! if switched on and the RTN traps started.
template <class M>
MEMLIF_HD_NOINLINE DeviceInstance<M>
make_device_instance(const typename M::Params& p, const typename M::State& s0,
                     const DeviceNoise& noise, std::uint64_t seed, std::uint64_t device_id) {
    DeviceInstance<M> d;
    d.device = p;
    if (noise.device_variability)
        M::apply_device_variability(d.device,
                                    trial_draw(seed, device_id, 0, RngStream::device_variability));
    d.p = d.device;
    d.s = s0;
    M::clamp(d.p, d.s);
    d.noise = noise;
    d.rtn = rtn_start(noise.rtn, seed, device_id, 0.0);
    d.seed = seed;
    d.device_id = device_id;
    return d;
}

//! Starts switching cycle `cycle`: with cycle-to-cycle variability on, the cycle's parameters are
//! redrawn from the device's (draw index = cycle).
template <class M> MEMLIF_HD_INLINE void begin_cycle(DeviceInstance<M>& d, std::uint32_t cycle) {
    if (d.noise.cycle_variability)
        M::apply_cycle_variability(
            d.p, d.device, trial_draw(d.seed, d.device_id, cycle, RngStream::cycle_variability));
}

//! d state/dt with the circuit solved at the given state.
template <class M> struct DeviceEval {
    typename M::State ds;
    OperatingPoint op;
};

template <class M>
MEMLIF_HD_NOINLINE DeviceEval<M>
evaluate_device(const typename M::Params& p, const typename M::State& s, double k_rtn,
                double v_source_V, const Circuit& c, double v_guess_V) {
    DeviceEval<M> e;
    e.op = solve_operating_point<M>(p, s, k_rtn, v_source_V, c, v_guess_V);
    const double t_K = M::temperature_K(p, e.op.v_device_V, e.op.i_A);
    e.ds = M::rate(p, s, e.op.v_device_V, e.op.i_A, t_K);
    return e;
}

//! The operating point of the device now, at source voltage v_source (no state change).
template <class M>
MEMLIF_HD_INLINE OperatingPoint device_operating_point(const DeviceInstance<M>& d,
                                                       double v_source_V, const Circuit& c) {
    return solve_operating_point<M>(d.p, d.s, rtn_factor(d.rtn, d.noise.rtn), v_source_V, c,
                                    d.v_device_V);
}

//! One step of length h with the source ramping linearly from v0 (at t) to v1 (at t + h).
template <class M>
MEMLIF_HD_NOINLINE void device_step(DeviceInstance<M>& d, const Circuit& c, double v0_V,
                                    double v1_V, double h_s, IntegratorScheme scheme) {
    using State = typename M::State;
    const double k = rtn_factor(d.rtn, d.noise.rtn);
    bool stepped = false;
    if constexpr (M::has_stochastic_step) {
        if (M::is_stochastic(d.p)) {
            const OperatingPoint op = solve_operating_point<M>(d.p, d.s, k, v0_V, c, d.v_device_V);
            const Philox4x32 r =
                trial_draw(d.seed, d.device_id, d.n_switch_draws++, RngStream::device_switching);
            M::stochastic_step(d.p, d.s, op.v_device_V, op.i_A, h_s, r);
            M::clamp(d.p, d.s);
            d.v_device_V = op.v_device_V;
            stepped = true;
        }
    }
    if (!stepped) {
        const DeviceEval<M> e1 = evaluate_device<M>(d.p, d.s, k, v0_V, c, d.v_device_V);
        State next;
        if (scheme == IntegratorScheme::euler) {
            next = M::axpy(d.s, h_s, e1.ds);
        } else if (scheme == IntegratorScheme::heun) {
            State sp = M::axpy(d.s, h_s, e1.ds);
            M::clamp(d.p, sp);
            const DeviceEval<M> e2 = evaluate_device<M>(d.p, sp, k, v1_V, c, e1.op.v_device_V);
            next = M::axpy(M::axpy(d.s, 0.5 * h_s, e1.ds), 0.5 * h_s, e2.ds);
        } else {
            const double vm = 0.5 * (v0_V + v1_V);
            State s2 = M::axpy(d.s, 0.5 * h_s, e1.ds);
            M::clamp(d.p, s2);
            const DeviceEval<M> e2 = evaluate_device<M>(d.p, s2, k, vm, c, e1.op.v_device_V);
            State s3 = M::axpy(d.s, 0.5 * h_s, e2.ds);
            M::clamp(d.p, s3);
            const DeviceEval<M> e3 = evaluate_device<M>(d.p, s3, k, vm, c, e2.op.v_device_V);
            State s4 = M::axpy(d.s, h_s, e3.ds);
            M::clamp(d.p, s4);
            const DeviceEval<M> e4 = evaluate_device<M>(d.p, s4, k, v1_V, c, e3.op.v_device_V);
            next = M::axpy(M::axpy(M::axpy(M::axpy(d.s, h_s / 6.0, e1.ds), h_s / 3.0, e2.ds),
                                   h_s / 3.0, e3.ds),
                           h_s / 6.0, e4.ds);
        }
        M::clamp(d.p, next);
        d.s = next;
        d.v_device_V = e1.op.v_device_V;
    }
}

//! Steps for a segment of the given duration under the step cap h_max: ceil(T / h_max), >= 1
//! (a relative slack of 1e-9 keeps T = 100 h_max at 100 steps despite rounding).
MEMLIF_HD_INLINE std::uint32_t segment_steps(double duration_s, double h_max_s) {
    if (!(h_max_s > 0.0)) return 1u;
    const double n = std::ceil(duration_s / h_max_s * (1.0 - 1e-9));
    if (n < 1.0) return 1u;
    if (n > 4.0e9) return 4000000000u;
    return static_cast<std::uint32_t>(n);
}

//! The step cap for a pulse of nominal width `pulse_width_s`.
MEMLIF_HD_INLINE double step_cap_s(const StepRule& rule, double pulse_width_s) {
    const double h = rule.step_fraction * pulse_width_s;
    return rule.max_step_s > 0.0 && rule.max_step_s < h ? rule.max_step_s : h;
}

//! What a constant-voltage segment measured.
struct SegmentResult {
    double i_mean_A = 0.0; //!< time average of the current (trapezoid over the steps)
};

//! Holds the source at v_source for duration T (a pulse, a read or a gap); h <= h_max. With
//! `measure` the mean current over the segment is returned (one extra circuit solve per step).
template <class M>
MEMLIF_HD_NOINLINE SegmentResult drive_segment(DeviceInstance<M>& d, const Circuit& c,
                                               double v_source_V, double duration_s, double h_max_s,
                                               IntegratorScheme scheme, bool measure) {
    SegmentResult res;
    const double t0 = d.t_s;
    if (!(duration_s > 0.0)) return res;
    if (v_source_V == 0.0 && M::current_A(d.p, d.s, 0.0) == 0.0) {
        bool relaxed = false;
        if constexpr (M::has_stochastic_step) {
            if (M::is_stochastic(d.p)) {
                M::stochastic_relax(d.p, d.s, duration_s,
                                    trial_draw(d.seed, d.device_id, d.n_switch_draws++,
                                               RngStream::device_switching));
                relaxed = true;
            }
        }
        if (!relaxed) M::relax(d.p, d.s, duration_s);
        M::clamp(d.p, d.s);
        d.t_s = t0 + duration_s;
        rtn_advance_to(d.rtn, d.noise.rtn, d.seed, d.device_id, d.t_s);
        d.v_device_V = 0.0;
        return res;
    }
    const std::uint32_t n = segment_steps(duration_s, h_max_s);
    const double h = duration_s / static_cast<double>(n);
    double i_prev = 0.0, area = 0.0;
    if (measure) i_prev = device_operating_point(d, v_source_V, c).i_A;
    for (std::uint32_t j = 0; j < n; ++j) {
        device_step(d, c, v_source_V, v_source_V, h, scheme);
        d.t_s = j + 1 == n ? t0 + duration_s : t0 + static_cast<double>(j + 1) * h;
        rtn_advance_to(d.rtn, d.noise.rtn, d.seed, d.device_id, d.t_s);
        if (measure) {
            const double i_now = device_operating_point(d, v_source_V, c).i_A;
            area += 0.5 * (i_prev + i_now);
            i_prev = i_now;
        }
    }
    const OperatingPoint end = device_operating_point(d, v_source_V, c);
    d.v_device_V = end.v_device_V;
    res.i_mean_A = measure ? area / static_cast<double>(n) : end.i_A;
    return res;
}

//! A read pulse: drives v_read for t_read (the read disturbs the state like any pulse) and
//! returns the measured current, the segment mean times the read-noise factor of this read.
template <class M>
MEMLIF_HD_NOINLINE double read_current_A(DeviceInstance<M>& d, const Circuit& c, double v_read_V,
                                         double t_read_s, const StepRule& rule) {
    const SegmentResult r =
        drive_segment(d, c, v_read_V, t_read_s, step_cap_s(rule, t_read_s), rule.scheme, true);
    const double f = read_noise_factor(d.noise, d.seed, d.device_id, d.n_reads++);
    return r.i_mean_A * f;
}

//! The state's read conductance G_read = I(V_read)/V_read without driving the device (no
//! disturb, no noise): the "true" weight of a synapse.
template <class M>
MEMLIF_HD_INLINE double state_conductance_S(const DeviceInstance<M>& d, double v_read_V) {
    return read_conductance_S<M>(d.p, d.s, v_read_V);
}

} // namespace memlif
