// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/protocols/dc_sweep.hpp
//! DC I-V sweep with current compliance (Benatti et al. 2023, Fig. 1b; model.md §8): per cycle the
//! source ramps 0 -> +V_max (SET) -> 0 -> V_min (RESET) -> 0 through R_s, with |I| limited to the
//! compliance [SEED: -0.8 ... +0.4 V, 10 uA; ASSUMPTION: order, 1 V/s, ideal ramp].
//! The ramp is integrated in steps of dv_step (h = dv_step / rate), the source ramping linearly
//! within each step. SET and RESET voltages per cycle [ASSUMPTION: definition]: the source voltage
//! at which G_read of the state first exceeds ratio x its value at the start of the positive half
//! (SET), and first falls below 1/ratio of its value at the start of the negative half (RESET);
//! NaN when it never does. Each sweep cycle is one switching cycle (cycle-to-cycle variability).
#pragma once

#include "../devices/integrator.hpp"
#include "../macros.hpp"

#include <cmath>
#include <cstdint>

namespace memlif {

struct DcSweepProtocol {
    double v_max_V = 0.4;            //!< SET end of the sweep (V) [SEED]
    double v_min_V = -0.8;           //!< RESET end of the sweep (V) [SEED]
    double rate_V_per_s = 1.0;       //!< sweep rate (V/s) [ASSUMPTION]
    double dv_step_V = 1e-3;         //!< integration step in source voltage (V) [ASSUMPTION]
    std::uint32_t sample_every = 10; //!< one I-V sample every this many steps
    std::uint32_t n_cycles = 1;
    double switch_ratio = 2.0;    //!< G_read ratio that defines the SET/RESET voltage [ASSUMPTION]
    double v_read_V = 0.05;       //!< G_read voltage (V) [SEED]
    Circuit circuit{10e3, 10e-6}; //!< R_s = 10 kOhm and 10 uA compliance [SEED]
    IntegratorScheme scheme = IntegratorScheme::rk4;
};

namespace detail {
MEMLIF_HD_INLINE std::uint32_t dc_leg_steps(double dv_V, double step_V) {
    const double n = std::floor(std::fabs(dv_V) / step_V + 0.5);
    return n < 1.0 ? 1u : static_cast<std::uint32_t>(n);
}
MEMLIF_HD_INLINE double quiet_nan() { return __builtin_nan(""); }
} // namespace detail

//! Integration steps per cycle (four legs).
MEMLIF_HD_INLINE std::uint32_t dc_sweep_steps_per_cycle(const DcSweepProtocol& pr) {
    return 2 * detail::dc_leg_steps(pr.v_max_V, pr.dv_step_V) +
           2 * detail::dc_leg_steps(pr.v_min_V, pr.dv_step_V);
}

//! Samples per cycle: the cycle start and every sample_every-th step.
MEMLIF_HD_INLINE std::uint32_t dc_sweep_samples_per_cycle(const DcSweepProtocol& pr) {
    const std::uint32_t every = pr.sample_every > 0 ? pr.sample_every : 1u;
    return dc_sweep_steps_per_cycle(pr) / every + 1;
}

//! Caller-provided output arrays. Per cycle c and sample s (n_s = dc_sweep_samples_per_cycle):
//! index c n_s + s. Per cycle: index c. Null members are skipped.
struct DcSweepOutput {
    double* v_source_V = nullptr; //!< source voltage of each sample (V)
    double* i_A = nullptr;        //!< current of each sample (A)
    double* v_device_V = nullptr; //!< device voltage of each sample (V)
    double* g_read_S = nullptr;   //!< G_read of the state at each sample (S)
    double* v_set_V = nullptr;    //!< SET voltage per cycle (V), NaN if none
    double* v_reset_V = nullptr;  //!< RESET voltage per cycle (V), NaN if none
};

namespace detail {
MEMLIF_HD_INLINE void dc_store(const DcSweepOutput& out, std::uint32_t k, double v_source_V,
                               const OperatingPoint& op, double g_S) {
    if (out.v_source_V)
        out.v_source_V[k] = v_source_V;
    if (out.i_A)
        out.i_A[k] = op.i_A;
    if (out.v_device_V)
        out.v_device_V[k] = op.v_device_V;
    if (out.g_read_S)
        out.g_read_S[k] = g_S;
}
//! Source voltage where G crosses `target` inside a step (linear interpolation in G).
MEMLIF_HD_INLINE double dc_crossing_V(double v0, double v1, double g0, double g1, double target) {
    return g1 != g0 ? v0 + (v1 - v0) * (target - g0) / (g1 - g0) : v1;
}
} // namespace detail

//! Runs the sweep on device d, cycle by cycle from its current state. The SET/RESET voltages are
//! interpolated inside the step where G_read crosses its threshold.
template <class M>
MEMLIF_HD_NOINLINE void run_dc_sweep(DeviceInstance<M>& d, const DcSweepProtocol& pr,
                                     const DcSweepOutput& out) {
    const std::uint32_t every = pr.sample_every > 0 ? pr.sample_every : 1u;
    const std::uint32_t n_s = dc_sweep_samples_per_cycle(pr);
    const double ends[5] = {0.0, pr.v_max_V, 0.0, pr.v_min_V, 0.0};
    for (std::uint32_t c = 0; c < pr.n_cycles; ++c) {
        begin_cycle(d, c);
        std::uint32_t step = 0, sample = 0;
        const std::uint32_t base = c * n_s;
        double g = state_conductance_S(d, pr.v_read_V);
        detail::dc_store(out, base + sample++, 0.0, device_operating_point(d, 0.0, pr.circuit), g);
        double v_set = detail::quiet_nan(), v_reset = detail::quiet_nan();
        double g_ref = g;
        for (int leg = 0; leg < 4; ++leg) {
            const double va = ends[leg], vb = ends[leg + 1];
            if (leg == 2)
                g_ref = g;
            const std::uint32_t n = detail::dc_leg_steps(vb - va, pr.dv_step_V);
            const double dv = (vb - va) / static_cast<double>(n);
            const double h = std::fabs(dv) / pr.rate_V_per_s;
            for (std::uint32_t j = 0; j < n; ++j) {
                const double v0 = va + static_cast<double>(j) * dv;
                const double v1 = j + 1 == n ? vb : va + static_cast<double>(j + 1) * dv;
                device_step(d, pr.circuit, v0, v1, h, pr.scheme);
                d.t_s += h;
                rtn_advance_to(d.rtn, d.noise.rtn, d.seed, d.device_id, d.t_s);
                ++step;
                const double g_prev = g;
                g = state_conductance_S(d, pr.v_read_V);
                const double up = pr.switch_ratio * g_ref, down = g_ref / pr.switch_ratio;
                if (leg < 2 && std::isnan(v_set) && g >= up)
                    v_set = detail::dc_crossing_V(v0, v1, g_prev, g, up);
                if (leg >= 2 && std::isnan(v_reset) && g <= down)
                    v_reset = detail::dc_crossing_V(v0, v1, g_prev, g, down);
                if (step % every == 0 && sample < n_s)
                    detail::dc_store(out, base + sample++, v1,
                                     device_operating_point(d, v1, pr.circuit), g);
            }
        }
        if (out.v_set_V)
            out.v_set_V[c] = v_set;
        if (out.v_reset_V)
            out.v_reset_V[c] = v_reset;
    }
}

} // namespace memlif
