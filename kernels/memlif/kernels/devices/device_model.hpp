// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/devices/device_model.hpp
//! The common interface of the memristor device models (model.md §3.0).
//!
//! A model is a struct `M` of static MEMLIF_HD_INLINE functions over two trivially copyable
//! structs, `M::Params` (one parameter set; every field carries its unit and provenance tag) and
//! `M::State` (the state variables, with their units in the names). Code that runs a device is a
//! template over `M`, so a CUDA thread runs one model with no virtual call; DeviceSpec
//! (device_spec.hpp) picks the model at run time with one switch.
//!
//! Required members (units SI: V, A, S, ohm, s, m, K):
//! - `id`: the DeviceModel value;
//! - `current_A(p, s, v)`: I(V_d, state);
//! - `conductance_S(p, s, v)`: dI/dV_d at fixed state (Newton solve of the series circuit);
//! - `temperature_K(p, v, i)`: temperature under power v i (Joule heating; ambient if none);
//! - `rate(p, s, v, i, T)`: d state/dt at device voltage v, current i, temperature T;
//! - `axpy(s, h, ds)`: s + h ds, component-wise (Runge-Kutta stages);
//! - `clamp(p, s)`: projects the state into its bounds;
//! - `low_state(p)`, `high_state(p)`: the high-resistance (HRS) and low-resistance (LRS) bounds;
//! - `state_from_read_conductance(p, G, V_read)`: exact inverse of read_conductance_S (no clamp).
//!
//! Optional members, defaulted in DeviceModelBase:
//! - `relax(p, s, t)`: exact evolution over t at 0 V; default identity (no motion at 0 V);
//! - `apply_device_variability(p, r)`: r is one Philox block, drawn once per device; default none;
//! - `apply_cycle_variability(p, device_p, r)`: one Philox block per switching cycle; default none;
//! - `has_stochastic_step`, `is_stochastic(p)`, `stochastic_step(...)`, `stochastic_relax(...)`:
//!   default deterministic.
#pragma once

#include "../macros.hpp"
#include "../rng.hpp"
#include "../variates.hpp"

#include <cmath>
#include <cstdint>

namespace memlif {

//! Model identifiers (model.md §3.0). linear and ul_gap keep the values of SynapseModel.
enum class DeviceModel : std::uint32_t {
    linear = 0,          //!< I = G V, no dynamics (model.md §3.1)
    ul_gap = 1,          //!< UniMORE-like barrier-gap model (model.md §3.2), default dynamic model
    gmms = 2,            //!< Knowm generalised mean metastable switch (model.md §3.4)
    vteam = 3,           //!< VTEAM (model.md §3.5)
    yakopcic = 4,        //!< Yakopcic (model.md §3.6, devices.md (a))
    short_long_term = 5, //!< volatile short-term + retained long-term conductance (devices.md (c))
    ion_drift = 6,       //!< Strukov/HP linear ion drift with a window function
};

constexpr std::uint32_t k_device_model_count = 7;

//! Boltzmann constant in eV/K (CODATA 2018, exact: 1.380649e-23 J/K / 1.602176634e-19 C).
constexpr double k_boltzmann_eV_per_K = 8.617333262e-5;

//! Defaults of the optional interface members.
struct DeviceModelBase {
    static constexpr bool has_stochastic_step = false;

    template <class P, class S> MEMLIF_HD_INLINE static void relax(const P&, S&, double) {}

    template <class P>
    MEMLIF_HD_INLINE static void apply_device_variability(P&, const Philox4x32&) {}

    template <class P>
    MEMLIF_HD_INLINE static void apply_cycle_variability(P&, const P&, const Philox4x32&) {}

    template <class P> MEMLIF_HD_INLINE static bool is_stochastic(const P&) { return false; }

    template <class P, class S>
    MEMLIF_HD_INLINE static void stochastic_step(const P&, S&, double, double, double,
                                                 const Philox4x32&) {}

    template <class P, class S>
    MEMLIF_HD_INLINE static void stochastic_relax(const P&, S&, double, const Philox4x32&) {}
};

//! Read conductance G_read = I(V_read, state) / V_read (model.md §3.0; V_read = 50 mV [SEED]).
template <class M>
MEMLIF_HD_INLINE double read_conductance_S(const typename M::Params& p, const typename M::State& s,
                                           double v_read_V) {
    return M::current_A(p, s, v_read_V) / v_read_V;
}

//! Logistic function 1 / (1 + e^{-z}), written so that neither tail cancels.
MEMLIF_HD_INLINE double logistic(double z) {
    return z >= 0.0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
}

//! Clamp to [lo, hi].
MEMLIF_HD_INLINE double clamp_to(double v, double lo, double hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

} // namespace memlif
