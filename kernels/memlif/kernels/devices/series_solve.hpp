// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/devices/series_solve.hpp
//! The measurement circuit of Benatti et al. 2023 (Fig. 1, model.md §8): source -> R_s -> device
//! -> ground, with an optional current compliance of the source. Given the source voltage V_s and
//! the device state, the device voltage V_d solves
//!   V_s = V_d + R_s k I(V_d, state)                                  (k: RTN factor, rtn.hpp)
//! and, if |k I| then exceeds the compliance I_cc, the source turns current-limited and V_d solves
//!   k I(V_d, state) = sign(V_s) I_cc                                 (model.md §8 [ASSUMPTION]).
//! Both residuals increase strictly with V_d for every model (all I-V laws are increasing), so the
//! root is unique and bracketed; it is found by Newton steps safeguarded by bisection on the
//! bracket (at most 100 iterations; converges in a few from a warm start).
#pragma once

#include "../macros.hpp"

#include <cmath>
#include <cstdint>

namespace memlif {

//! The source side of a device measurement.
struct Circuit {
    //! Series resistor (ohm): 10 kOhm in the device tests, 0 in the neuron circuit [SEED]
    double r_series_ohm = 0.0;
    //! Source current compliance (A); 0 = none. 10 uA in the DC sweep [SEED]
    double i_compliance_A = 0.0;
};

//! Device voltage and current of the solved circuit.
struct OperatingPoint {
    double v_device_V = 0.0;
    double i_A = 0.0;
    std::uint32_t limited = 0; //!< 1: the source is at its compliance
};

namespace detail {

//! Root of an increasing function on [lo, hi] by bracketed Newton. F: f(v, value, slope).
template <class F>
MEMLIF_HD_NOINLINE double solve_increasing(const F& f, double lo, double hi, double guess) {
    double fl = 0.0, fh = 0.0, d = 0.0;
    // Widen the bracket if needed (only models with I(0) != 0 need it).
    for (int k = 0; k < 60; ++k) {
        f(lo, fl, d);
        if (fl <= 0.0)
            break;
        lo -= (hi - lo) + 1.0;
    }
    for (int k = 0; k < 60; ++k) {
        f(hi, fh, d);
        if (fh >= 0.0)
            break;
        hi += (hi - lo) + 1.0;
    }
    if (fl == 0.0)
        return lo;
    if (fh == 0.0)
        return hi;
    double v = guess > lo && guess < hi ? guess : 0.5 * (lo + hi);
    for (int it = 0; it < 100; ++it) {
        double fv = 0.0, slope = 0.0;
        f(v, fv, slope);
        if (fv == 0.0)
            return v;
        if (fv > 0.0)
            hi = v;
        else
            lo = v;
        double next = slope > 0.0 ? v - fv / slope : 0.5 * (lo + hi);
        if (!(next > lo && next < hi))
            next = 0.5 * (lo + hi);
        if (std::fabs(next - v) <= 1e-15 + 1e-13 * std::fabs(v))
            return next;
        v = next;
    }
    return v;
}

template <class M> struct SeriesResidual {
    const typename M::Params& p;
    const typename M::State& s;
    double k, r_s, v_s;
    MEMLIF_HD_INLINE void operator()(double v, double& f, double& df) const {
        f = v + r_s * k * M::current_A(p, s, v) - v_s;
        df = 1.0 + r_s * k * M::conductance_S(p, s, v);
    }
};

template <class M> struct ComplianceResidual {
    const typename M::Params& p;
    const typename M::State& s;
    double k, i_target;
    MEMLIF_HD_INLINE void operator()(double v, double& f, double& df) const {
        f = k * M::current_A(p, s, v) - i_target;
        df = k * M::conductance_S(p, s, v);
    }
};

} // namespace detail

//! Solves the measurement circuit at source voltage v_source for a device of state s whose
//! current is scaled by k (RTN). With R_s = 0 and no compliance, V_d = V_s exactly.
template <class M>
MEMLIF_HD_NOINLINE OperatingPoint solve_operating_point(const typename M::Params& p,
                                                        const typename M::State& s, double k,
                                                        double v_source_V, const Circuit& c,
                                                        double v_guess_V) {
    OperatingPoint op;
    op.v_device_V = v_source_V;
    if (c.r_series_ohm > 0.0) {
        const detail::SeriesResidual<M> f{p, s, k, c.r_series_ohm, v_source_V};
        const double lo = v_source_V < 0.0 ? v_source_V : 0.0;
        const double hi = v_source_V > 0.0 ? v_source_V : 0.0;
        op.v_device_V = detail::solve_increasing(f, lo, hi, v_guess_V);
    }
    op.i_A = k * M::current_A(p, s, op.v_device_V);
    if (c.i_compliance_A > 0.0 && std::fabs(op.i_A) > c.i_compliance_A) {
        const double target = op.i_A > 0.0 ? c.i_compliance_A : -c.i_compliance_A;
        const detail::ComplianceResidual<M> g{p, s, k, target};
        const double lo = op.v_device_V < 0.0 ? op.v_device_V : 0.0;
        const double hi = op.v_device_V > 0.0 ? op.v_device_V : 0.0;
        op.v_device_V = detail::solve_increasing(g, lo, hi, op.v_device_V);
        op.i_A = k * M::current_A(p, s, op.v_device_V);
        op.limited = 1;
    }
    return op;
}

} // namespace memlif
