// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/devices/ul_gap.hpp
//! UL-GAP, the UniMORE-like barrier-gap model, memlif's default dynamic synapse (model.md §3.2).
//! Structure of the Stanford/PKU gap model (Yu & Wong; Jiang et al.; model.md §3.3): the state is
//! the thickness x of the conductive-filament barrier of an equivalent oxide RRAM (t_ox = 40 nm in
//! Benatti et al. 2023, Fig. 1e), the current is trap-assisted tunnelling that grows exponentially
//! as x shrinks, and x moves by thermally activated, field-accelerated SET/RESET rates. The real
//! UniMORE equations and the Knowm C-SDC parameters are not public (model.md §3.8): every number
//! here is an [ASSUMPTION] tuned only to the seed's qualitative pulse behaviour.
#pragma once

#include "device_model.hpp"

#include <cmath>
#include <cstdint>

namespace memlif {

//! UL-GAP parameters (model.md §3.2 table). The first three fields are the fixed-state (MI run)
//! parameters; the rest drive the dynamics.
struct UlGapParams {
    double i0_A = 20.4e-6;   //!< current prefactor (A) [ASSUMPTION]; G = 30 uS at x = 1 nm with V0
    double v0_V = 0.25;      //!< sinh voltage scale (V) [ASSUMPTION]; Stanford default [CODE]
    double x0_m = 1.0e-9;    //!< barrier e-folding length (m) [ASSUMPTION]: G changes e-fold per nm
    double x_min_m = 1.5e-9; //!< thinnest barrier (m) [ASSUMPTION]; G_read ~ 18 uS
    double x_max_m = 6.0e-9; //!< thickest barrier (m) [ASSUMPTION]; G_read ~ 0.2 uS
    double k_set_m_per_s = 5e-10;    //!< SET rate prefactor K_S (m/s) [ASSUMPTION]
    double alpha_set_per_V = 20.0;   //!< SET field acceleration alpha_S (1/V) [ASSUMPTION]
    double k_reset_m_per_s = 1.2e-8; //!< RESET rate prefactor K_R (m/s) [ASSUMPTION]
    double alpha_reset_per_V = 40.0; //!< RESET field acceleration alpha_R (1/V) [ASSUMPTION]
    double ea_eV = 0.6;        //!< activation energy (eV) [ASSUMPTION]; Stanford default [CODE]
    double t0_K = 300.0;       //!< ambient temperature (K) [ASSUMPTION]
    double r_th_K_per_W = 1e5; //!< thermal resistance (K/W) [ASSUMPTION]; range 1e4-1e6
    //! 1: alpha -> alpha T0/T (model.md §3.2 option; Stanford form alpha = gamma a0 q/(t_ox k_B T))
    std::uint32_t alpha_thermal_scaling = 0;
    //! Device-to-device: sigma of ln K_S and ln K_R (independent, log-normal) [ASSUMPTION]
    double d2d_sigma_ln_k = 0.2;
    //! Device-to-device: sigma of the normal shifts of x_min and x_max (m) [ASSUMPTION]
    double d2d_sigma_x_m = 0.1e-9;
    //! Cycle-to-cycle: sigma of ln K_R per switching cycle ("abrupt RESET with strong
    //! cycle-to-cycle variability" [SEED]) [ASSUMPTION]
    double c2c_sigma_ln_k_reset = 0.5;
    //! Cycle-to-cycle: sigma of ln K_S per switching cycle (SET "gradual and predictable" [SEED])
    //! [ASSUMPTION]
    double c2c_sigma_ln_k_set = 0.05;
};

struct UlGapState {
    double x_m = 0.0; //!< barrier thickness (m)
};

struct UlGapModel : DeviceModelBase {
    using Params = UlGapParams;
    using State = UlGapState;
    static constexpr DeviceModel id = DeviceModel::ul_gap;

    //! I(V_d, x) = I0 exp(-x/x0) sinh(V_d/V0) (model.md §3.2, Stanford/PKU current).
    MEMLIF_HD_INLINE static double current_A(const Params& p, const State& s, double v_V) {
        return p.i0_A * std::exp(-s.x_m / p.x0_m) * std::sinh(v_V / p.v0_V);
    }

    //! dI/dV_d = (I0/V0) exp(-x/x0) cosh(V_d/V0).
    MEMLIF_HD_INLINE static double conductance_S(const Params& p, const State& s, double v_V) {
        return p.i0_A / p.v0_V * std::exp(-s.x_m / p.x0_m) * std::cosh(v_V / p.v0_V);
    }

    //! Joule heating T = T0 + R_th |V_d I| (model.md §3.2).
    MEMLIF_HD_INLINE static double temperature_K(const Params& p, double v_V, double i_A) {
        return p.t0_K + p.r_th_K_per_W * std::fabs(v_V * i_A);
    }

    //! Arrhenius factor theta(T) = exp(-(E_a/k_B)(1/T - 1/T0)); exactly 1 at T = T0.
    MEMLIF_HD_INLINE static double arrhenius(const Params& p, double t_K) {
        return std::exp(-(p.ea_eV / k_boltzmann_eV_per_K) * (1.0 / t_K - 1.0 / p.t0_K));
    }

    //! Asymmetric switching rates (model.md §3.2):
    //!   V_d > 0 (SET, x shrinks):   dx/dt = -K_S sinh(alpha_S V_d)   theta(T)
    //!   V_d < 0 (RESET, x grows):   dx/dt = +K_R sinh(alpha_R |V_d|) theta(T)
    //! with alpha -> alpha T0/T when alpha_thermal_scaling is set.
    MEMLIF_HD_INLINE static State rate(const Params& p, const State&, double v_V, double,
                                       double t_K) {
        const double scale = p.alpha_thermal_scaling ? p.t0_K / t_K : 1.0;
        const double theta = arrhenius(p, t_K);
        if (v_V > 0.0)
            return State{-p.k_set_m_per_s * std::sinh(p.alpha_set_per_V * scale * v_V) * theta};
        if (v_V < 0.0)
            return State{p.k_reset_m_per_s * std::sinh(p.alpha_reset_per_V * scale * -v_V) * theta};
        return State{0.0};
    }

    MEMLIF_HD_INLINE static State axpy(const State& s, double h, const State& ds) {
        return State{s.x_m + h * ds.x_m};
    }
    //! Hard bounds x in [x_min, x_max] (model.md §3.2; the tanh-smoothed window is not provided).
    MEMLIF_HD_INLINE static void clamp(const Params& p, State& s) {
        s.x_m = clamp_to(s.x_m, p.x_min_m, p.x_max_m);
    }
    MEMLIF_HD_INLINE static State low_state(const Params& p) { return State{p.x_max_m}; }
    MEMLIF_HD_INLINE static State high_state(const Params& p) { return State{p.x_min_m}; }

    //! x = -x0 ln[G V_read / (I0 sinh(V_read/V0))], the inverse of
    //! G_read(x) = (I0/V0) exp(-x/x0) sinh(u)/u, u = V_read/V0 (model.md §3.2, §9).
    MEMLIF_HD_INLINE static State state_from_read_conductance(const Params& p, double g_read_S,
                                                              double v_read_V) {
        return State{-p.x0_m *
                     std::log(g_read_S * v_read_V / (p.i0_A * std::sinh(v_read_V / p.v0_V)))};
    }

    //! Device-to-device variability (model.md §3.2): K_S, K_R log-normal, x bounds shifted by
    //! normals; the bounds are kept ordered.
    MEMLIF_HD_INLINE static void apply_device_variability(Params& p, const Philox4x32& r) {
        const Normal4 z = normal4(r);
        p.k_set_m_per_s *= std::exp(p.d2d_sigma_ln_k * z.z0);
        p.k_reset_m_per_s *= std::exp(p.d2d_sigma_ln_k * z.z1);
        p.x_min_m += p.d2d_sigma_x_m * z.z2;
        p.x_max_m += p.d2d_sigma_x_m * z.z3;
        if (p.x_max_m < p.x_min_m) {
            const double t = p.x_max_m;
            p.x_max_m = p.x_min_m;
            p.x_min_m = t;
        }
    }

    //! Cycle-to-cycle variability (model.md §3.2): K_R (and K_S) of this cycle are the device's
    //! values times independent log-normal factors, drawn afresh each cycle (never compounded).
    MEMLIF_HD_INLINE static void apply_cycle_variability(Params& p, const Params& device,
                                                         const Philox4x32& r) {
        const NormalPair z = normal_pair(r.x, r.y);
        p.k_reset_m_per_s = device.k_reset_m_per_s * std::exp(p.c2c_sigma_ln_k_reset * z.z0);
        p.k_set_m_per_s = device.k_set_m_per_s * std::exp(p.c2c_sigma_ln_k_set * z.z1);
    }
};

//! Balance rate of the rate rule at T = T0 and R_s = 0 (model.md §6.2):
//!   nu0 = lambda_bs Delta x_bs / Delta x_pre,
//!   Delta x_pre = K_S sinh(alpha_S V_pre) T_pre,  Delta x_bs = K_R sinh(alpha_R V_bs) T_bs.
//! The barrier drift per unit time is nu Delta x_pre - lambda_bs Delta x_bs, so ln G drifts up for
//! nu > nu0 and down for nu < nu0. Joule heating and the bounds are neglected.
MEMLIF_HD_INLINE double ulgap_balance_rate_Hz(const UlGapParams& p, double v_pre_V, double t_pre_s,
                                              double v_bs_V, double t_bs_s,
                                              double mean_interval_bs_s) {
    const double dx_pre = p.k_set_m_per_s * std::sinh(p.alpha_set_per_V * v_pre_V) * t_pre_s;
    const double dx_bs = p.k_reset_m_per_s * std::sinh(p.alpha_reset_per_V * v_bs_V) * t_bs_s;
    return dx_bs / (mean_interval_bs_s * dx_pre);
}

} // namespace memlif
