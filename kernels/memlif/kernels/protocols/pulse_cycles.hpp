// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/protocols/pulse_cycles.hpp
//! The LTD/LTP pulse cycles of Benatti et al. 2023, Fig. 1c,d (model.md §8): an initial SET train,
//! then identical cycles of a depression train and a potentiation train; each pulse is followed by
//! a read, and the resistance after each pulse is R = V_read / I_read - R_s [SEED].
//! Defaults [SEED]: SET 20 x (+0.6 V, 100 us); LTD 20 x (-0.2 V, 10 us); LTP 20 x (+0.55 V, 30 us);
//! read +50 mV for 50 us; R_s = 10 kOhm; 15 cycles. Gaps and edges are not stated: default no gap
//! and ideal edges [ASSUMPTION].
//! Switching cycles (for cycle-to-cycle variability): the initial SET is cycle 0, LTD/LTP cycle c
//! is cycle c + 1.
#pragma once

#include "../devices/integrator.hpp"
#include "../macros.hpp"

#include <cstdint>

namespace memlif {

struct PulseTrain {
    std::uint32_t n_pulses = 0; //!< pulses in the train
    double v_V = 0.0;           //!< pulse amplitude at the source (V)
    double width_s = 0.0;       //!< pulse width (s)
};

struct PulseCycleProtocol {
    PulseTrain set{20, 0.6, 100e-6}; //!< initial SET [SEED]
    PulseTrain ltd{20, -0.2, 10e-6}; //!< depression [SEED]
    PulseTrain ltp{20, 0.55, 30e-6}; //!< potentiation [SEED]
    std::uint32_t n_cycles = 15;     //!< LTD/LTP cycles [SEED]
    double v_read_V = 0.05;          //!< [SEED]
    double t_read_s = 50e-6;         //!< [SEED] (the Fig. 1c caption's "50ms" is taken as a typo)
    double gap_s = 0.0;              //!< 0 V gap before and after each read (s) [ASSUMPTION]
    Circuit circuit{10e3, 0.0};      //!< R_s = 10 kOhm [SEED], no compliance
    StepRule step;                   //!< h <= pulse/100 by default
};

//! Entries written: set.n + n_cycles (ltd.n + ltp.n).
MEMLIF_HD_INLINE std::uint32_t pulse_cycle_points(const PulseCycleProtocol& pr) {
    return pr.set.n_pulses + pr.n_cycles * (pr.ltd.n_pulses + pr.ltp.n_pulses);
}

//! Caller-provided output arrays of pulse_cycle_points entries, in time order (SET pulses, then
//! per cycle the LTD and the LTP pulses). Null members are skipped.
struct PulseCycleOutput {
    double* r_ohm = nullptr;    //!< R = V_read / I_read - R_s after each pulse (ohm)
    double* i_read_A = nullptr; //!< the read current (A)
    double* g_read_S = nullptr; //!< G_read of the state after the read (S), the undisturbed truth
};

namespace detail {
template <class M>
MEMLIF_HD_NOINLINE void pulse_and_read(DeviceInstance<M>& d, const PulseCycleProtocol& pr,
                                       const PulseTrain& tr, const PulseCycleOutput& out,
                                       std::uint32_t& k) {
    for (std::uint32_t j = 0; j < tr.n_pulses; ++j) {
        drive_segment(d, pr.circuit, tr.v_V, tr.width_s, step_cap_s(pr.step, tr.width_s),
                      pr.step.scheme, false);
        drive_segment(d, pr.circuit, 0.0, pr.gap_s, 0.0, pr.step.scheme, false);
        const double i = read_current_A(d, pr.circuit, pr.v_read_V, pr.t_read_s, pr.step);
        drive_segment(d, pr.circuit, 0.0, pr.gap_s, 0.0, pr.step.scheme, false);
        if (out.r_ohm)
            out.r_ohm[k] = pr.v_read_V / i - pr.circuit.r_series_ohm;
        if (out.i_read_A)
            out.i_read_A[k] = i;
        if (out.g_read_S)
            out.g_read_S[k] = state_conductance_S(d, pr.v_read_V);
        ++k;
    }
}
} // namespace detail

//! Runs the protocol on device d from its current state.
template <class M>
MEMLIF_HD_NOINLINE void run_pulse_cycles(DeviceInstance<M>& d, const PulseCycleProtocol& pr,
                                         const PulseCycleOutput& out) {
    std::uint32_t k = 0;
    begin_cycle(d, 0);
    detail::pulse_and_read(d, pr, pr.set, out, k);
    for (std::uint32_t c = 0; c < pr.n_cycles; ++c) {
        begin_cycle(d, c + 1);
        detail::pulse_and_read(d, pr, pr.ltd, out, k);
        detail::pulse_and_read(d, pr, pr.ltp, out, k);
    }
}

} // namespace memlif
