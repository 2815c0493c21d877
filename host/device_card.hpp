// SPDX-License-Identifier: MIT
//! \file host/device_card.hpp
//! The `device` sub-section of every device experiment kind (iv_sweep, pulse_cycles, rate_rule,
//! theta_burst, and the theta_burst_ladder grid block): which memristor model, its parameter set,
//! where each device starts and which noise processes are drawn. One struct, read the same way by
//! every kind; each kind only chooses different defaults (DeviceCard::defaults).
//!
//! Keys (units in the names; docs/devices.md §3, §4 and §7 give every default and its provenance):
//! - `model`: ul-gap (default, model.md §3.2) | linear (§3.1) | gmms or mss (Knowm generalised
//!   mean metastable switch, §3.4; model.md calls it `mss`) | vteam (§3.5) | yakopcic (§3.6) |
//!   short-long-term (devices.md (c)) | ion-drift (Strukov et al. 2008).
//! - `initial`: low_bound (HRS) | high_bound (LRS) | read_conductance (`initial_g_uS`).
//! - `initial_g_uS`: starting G_read (uS) for `initial = read_conductance`; must lie between the
//!   G_read of the model's two bounds.
//! - `v_read_V`: read voltage (V) that defines G_read and is the read pulse of the protocols
//!   [SEED: 50 mV].
//! - `noise`: `device_variability`, `cycle_variability` (flags), `read_noise_rel` (relative sigma
//!   of each measured read current), `rtn_traps` (0-8 traps: `delta`, `tau_capture_s`,
//!   `tau_emission_s`) (docs/devices.md §4; every sigma of the variability is a model parameter).
//! - one parameter section named after the chosen model (`ul_gap`, `linear`, `gmms`, `vteam`,
//!   `yakopcic`, `short_long_term`, `ion_drift`): its keys are the fields of the same name in
//!   kernels/memlif/kernels/devices/<model>.hpp, whose comments give unit and provenance; only
//!   the chosen model's section is read and written, and a section of another model is refused.
//!   `yakopcic.parameter_set` (knowm_ltspice | nbsto_10um) picks the base set before the keys.
#pragma once

#include "card_io.hpp"
#include "card_lists.hpp"

#include "memlif/core/errors.hpp"
#include "memlif/kernels/protocols/device_protocols.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace memlif {

namespace card {
inline constexpr Range unit_interval{0.0, 1.0, false, false};
inline constexpr Range non_positive{-std::numeric_limits<double>::infinity(), 0.0, false, false};
inline constexpr Range negative{-std::numeric_limits<double>::infinity(), 0.0, false, true};
} // namespace card

//! One RTN trap (kernels/memlif/kernels/devices/rtn.hpp) [ASSUMPTION: every value].
struct RtnTrapCard {
    double delta = 0.05;          //!< relative current step of a filled trap (1)
    double tau_capture_s = 1e-3;  //!< mean empty time (s)
    double tau_emission_s = 1e-3; //!< mean filled time (s)
    template <class V> void visit(V& v) {
        v.number("delta", delta, card::Range{0.0, 1.0, false, true});
        v.number("tau_capture_s", tau_capture_s, card::positive);
        v.number("tau_emission_s", tau_emission_s, card::positive);
    }
};

//! The kernels' RTN parameters of a list of trap cards (at most k_max_rtn_traps, validated where
//! the list is read).
RtnParams rtn_params(const std::vector<RtnTrapCard>& traps);

//! Noise switches of a device population (docs/devices.md §4); all off by default.
struct DeviceNoiseCard {
    bool device_variability = false;    //!< draw each device's parameters (model's d2d sigmas)
    bool cycle_variability = false;     //!< redraw the cycle parameters each switching cycle
    double read_noise_rel = 0.0;        //!< I_meas = I (1 + sigma z) per read (1) [ASSUMPTION]
    std::vector<RtnTrapCard> rtn_traps; //!< random telegraph noise, 0-8 traps
    template <class V> void visit(V& v) {
        v.flag("device_variability", device_variability);
        v.flag("cycle_variability", cycle_variability);
        v.number("read_noise_rel", read_noise_rel, card::non_negative);
        card::sections(v, "rtn_traps", rtn_traps, 0, static_cast<std::size_t>(k_max_rtn_traps));
    }
};

namespace detail {

//! Visits one model's parameter struct (defaults: the kernel's member initialisers).
template <class V> void visit_params(V& v, UlGapParams& p) {
    v.number("i0_A", p.i0_A, card::positive);                               // A [ASSUMPTION]
    v.number("v0_V", p.v0_V, card::positive);                               // V [ASSUMPTION]
    v.number("x0_m", p.x0_m, card::positive);                               // m [ASSUMPTION]
    v.number("x_min_m", p.x_min_m, card::non_negative);                     // m [ASSUMPTION]
    v.number("x_max_m", p.x_max_m, card::positive);                         // m [ASSUMPTION]
    v.number("k_set_m_per_s", p.k_set_m_per_s, card::non_negative);         // m/s [ASSUMPTION]
    v.number("alpha_set_per_V", p.alpha_set_per_V, card::non_negative);     // 1/V [ASSUMPTION]
    v.number("k_reset_m_per_s", p.k_reset_m_per_s, card::non_negative);     // m/s [ASSUMPTION]
    v.number("alpha_reset_per_V", p.alpha_reset_per_V, card::non_negative); // 1/V [ASSUMPTION]
    v.number("ea_eV", p.ea_eV, card::non_negative);                         // eV [ASSUMPTION]
    v.number("t0_K", p.t0_K, card::positive);                               // K [ASSUMPTION]
    v.number("r_th_K_per_W", p.r_th_K_per_W, card::non_negative);           // K/W [ASSUMPTION]
    bool scaling = p.alpha_thermal_scaling != 0;                            // model.md §3.2 option
    v.flag("alpha_thermal_scaling", scaling);
    p.alpha_thermal_scaling = scaling ? 1u : 0u;
    v.number("d2d_sigma_ln_k", p.d2d_sigma_ln_k, card::non_negative);             // 1 [ASSUMPTION]
    v.number("d2d_sigma_x_m", p.d2d_sigma_x_m, card::non_negative);               // m [ASSUMPTION]
    v.number("c2c_sigma_ln_k_reset", p.c2c_sigma_ln_k_reset, card::non_negative); // [ASSUMPTION]
    v.number("c2c_sigma_ln_k_set", p.c2c_sigma_ln_k_set, card::non_negative);     // [ASSUMPTION]
}

template <class V> void visit_params(V& v, LinearParams& p) {
    v.number("g_min_S", p.g_min_S, card::non_negative); // S [ASSUMPTION]
    v.number("g_max_S", p.g_max_S, card::positive);     // S [ASSUMPTION]
}

template <class V> void visit_params(V& v, GmmsParams& p) {
    v.number("r_on_ohm", p.r_on_ohm, card::positive);       // ohm [CODE: galaguna demo]
    v.number("r_off_ohm", p.r_off_ohm, card::positive);     // ohm [CODE]
    v.number("tau_s", p.tau_s, card::positive);             // s [CODE]
    v.number("v_on_V", p.v_on_V);                           // V [CODE]
    v.number("v_off_V", p.v_off_V);                         // V [CODE]
    v.number("beta_per_V", p.beta_per_V, card::positive);   // 1/V [DERIVED]
    v.number("phi", p.phi, card::unit_interval);            // 1 [CODE]
    v.number("alpha_f_A", p.alpha_f_A, card::non_negative); // A [CODE]
    v.number("beta_f_per_V", p.beta_f_per_V);               // 1/V [CODE]
    v.number("alpha_r_A", p.alpha_r_A, card::non_negative); // A [CODE]
    v.number("beta_r_per_V", p.beta_r_per_V);               // 1/V [CODE]
    bool stochastic = p.stochastic != 0;
    v.flag("stochastic", stochastic); // binomial switching [CODE: jspice MSS]
    p.stochastic = stochastic ? 1u : 0u;
    v.integer("n_switches", p.n_switches, 1u, 1000000000u); // [ASSUMPTION]
    bool ostrovskii = p.ostrovskii_v_on != 0;
    v.flag("ostrovskii_v_on", ostrovskii); // [CODE: galaguna demo]
    p.ostrovskii_v_on = ostrovskii ? 1u : 0u;
    v.number("c2c_v_on_mean_V", p.c2c_v_on_mean_V);                                     // V [CODE]
    v.number("c2c_v_on_sigma_V", p.c2c_v_on_sigma_V, card::non_negative);               // V [CODE]
    v.number("c2c_v_off_alpha", p.c2c_v_off_alpha, card::Range{0.0, 2.0, true, false}); // [CODE]
    v.number("c2c_v_off_beta", p.c2c_v_off_beta, card::Range{-1.0, 1.0, false, false}); // [CODE]
    v.number("c2c_v_off_sigma_V", p.c2c_v_off_sigma_V, card::non_negative);             // V [CODE]
    v.number("c2c_v_off_mu_V", p.c2c_v_off_mu_V);                                       // V [CODE]
    v.number("c2c_max_dev_V", p.c2c_max_dev_V, card::non_negative);                     // V [CODE]
    v.number("c2c_amplitude", p.c2c_amplitude, card::non_negative); // 1 [ASSUMPTION]
}

template <class V> void visit_params(V& v, VteamParams& p) {
    v.number("r_off_ohm", p.r_off_ohm, card::positive);             // ohm [CODE: MemTorch VTEAM.py]
    v.number("r_on_ohm", p.r_on_ohm, card::positive);               // ohm [CODE]
    v.number("d_m", p.d_m, card::positive);                         // m [CODE]
    v.number("k_on_m_per_s", p.k_on_m_per_s, card::non_positive);   // m/s [CODE]
    v.number("k_off_m_per_s", p.k_off_m_per_s, card::non_negative); // m/s [CODE]
    v.number("alpha_on", p.alpha_on, card::positive);               // 1 [CODE]
    v.number("alpha_off", p.alpha_off, card::positive);             // 1 [CODE]
    v.number("v_on_V", p.v_on_V, card::negative);                   // V [CODE]
    v.number("v_off_V", p.v_off_V, card::positive);                 // V [CODE]
}

template <class V> void visit_params(V& v, YakopcicParams& p, std::string& set) {
    const std::string before = set;
    v.choice("parameter_set", set, {"knowm_ltspice", "nbsto_10um"});
    if (set != before) // reader only: a new base set, then the keys the user gave on top of it
        p = set == "nbsto_10um" ? yakopcic_nbsto_10um() : YakopcicParams{};
    std::string form = p.form == YakopcicForm::nbsto_2020 ? "nbsto_2020" : "sinh_2011";
    v.choice("form", form, {"sinh_2011", "nbsto_2020"});
    p.form = form == "nbsto_2020" ? YakopcicForm::nbsto_2020 : YakopcicForm::sinh_2011;
    v.number("a1_A", p.a1_A, card::non_negative); // A [CODE: Knowm memristor_yakopcic.sub]
    v.number("a2_A", p.a2_A, card::non_negative); // A [CODE]
    v.number("b_per_V", p.b_per_V);               // 1/V [CODE]
    v.number("g_max_p_A", p.g_max_p_A, card::non_negative);     // A [CODE: memristor_10um.sub]
    v.number("b_max_p_per_V", p.b_max_p_per_V);                 // 1/V [CODE]
    v.number("g_max_n_A", p.g_max_n_A, card::non_negative);     // A [CODE]
    v.number("b_max_n_per_V", p.b_max_n_per_V);                 // 1/V [CODE]
    v.number("g_min_p_A", p.g_min_p_A, card::non_negative);     // A [CODE]
    v.number("b_min_p_per_V", p.b_min_p_per_V);                 // 1/V [CODE]
    v.number("g_min_n_A", p.g_min_n_A, card::non_negative);     // A [CODE]
    v.number("b_min_n_per_V", p.b_min_n_per_V);                 // 1/V [CODE]
    v.number("v_p_V", p.v_p_V, card::non_negative);             // V [CODE]
    v.number("v_n_V", p.v_n_V, card::non_negative);             // V [CODE]
    v.number("a_p_per_s", p.a_p_per_s, card::non_negative);     // 1/s [CODE]
    v.number("a_n_per_s", p.a_n_per_s, card::non_negative);     // 1/s [CODE]
    v.number("x_p", p.x_p, card::Range{0.0, 1.0, false, true}); // 1 [CODE]
    v.number("x_n", p.x_n, card::Range{0.0, 1.0, true, false}); // 1 [DERIVED]
    v.number("alpha_p", p.alpha_p);                             // 1 [CODE]
    v.number("alpha_n", p.alpha_n);                             // 1 [CODE]
    v.number("eta", p.eta);                                     // 1 [CODE]
}

template <class V> void visit_params(V& v, ShortLongTermParams& p) {
    v.number("g_min_S", p.g_min_S, card::non_negative);               // S [ASSUMPTION]
    v.number("g_max_S", p.g_max_S, card::positive);                   // S [ASSUMPTION]
    v.number("v_ref_p_V", p.v_ref_p_V, card::positive);               // V [CODE: devices.md (c)]
    v.number("v_ref_n_V", p.v_ref_n_V, card::positive);               // V [CODE: devices.md (c)]
    v.number("v_s_V", p.v_s_V, card::positive);                       // V [ASSUMPTION]
    v.number("k_lt_p_S_per_s", p.k_lt_p_S_per_s, card::non_negative); // S/s [DERIVED+ASSUMPTION]
    v.number("k_st_p_S_per_s", p.k_st_p_S_per_s, card::non_negative); // S/s [DERIVED+ASSUMPTION]
    v.number("k_lt_n_S_per_s", p.k_lt_n_S_per_s, card::non_negative); // S/s [DERIVED+ASSUMPTION]
    v.number("k_st_n_S_per_s", p.k_st_n_S_per_s, card::non_negative); // S/s [DERIVED+ASSUMPTION]
    v.number("tau_p_s", p.tau_p_s, card::positive);                   // s [CODE: devices.md (c)]
    v.number("tau_n_s", p.tau_n_s, card::positive);                   // s [CODE: devices.md (c)]
}

template <class V> void visit_params(V& v, IonDriftParams& p) {
    v.number("mu_v_m2_per_V_s", p.mu_v_m2_per_V_s, card::positive); // [CODE: MemTorch]
    v.number("d_m", p.d_m, card::positive);                         // m [CODE]
    v.number("r_on_ohm", p.r_on_ohm, card::positive);               // ohm [CODE]
    v.number("r_off_ohm", p.r_off_ohm, card::positive);             // ohm [CODE]
    std::string window = p.window == IonDriftWindow::none     ? "none"
                         : p.window == IonDriftWindow::biolek ? "biolek"
                                                              : "joglekar";
    v.choice("window", window, {"none", "joglekar", "biolek"}); // [CODE: Joglekar]
    p.window = window == "none"     ? IonDriftWindow::none
               : window == "biolek" ? IonDriftWindow::biolek
                                    : IonDriftWindow::joglekar;
    v.integer("window_p", p.window_p, 1u, 32u);                     // [CODE]
    v.number("v_threshold_V", p.v_threshold_V, card::non_negative); // V [ASSUMPTION]
}

//! A parameter struct as a card section.
template <class P> struct ParamsSection {
    P& p;
    template <class V> void visit(V& v) { visit_params(v, p); }
};
struct YakopcicSection {
    YakopcicParams& p;
    std::string& set;
    template <class V> void visit(V& v) { visit_params(v, p, set); }
};

//! The parameter-section names, in DeviceModel order.
inline const char* const k_parameter_sections[] = {
    "linear", "ul_gap", "gmms", "vteam", "yakopcic", "short_long_term", "ion_drift"};

//! A parameter section of a model other than the chosen one is a mistake worth naming.
inline void reject_other_models(card::Reader& r, const std::string& chosen,
                                const std::string& model) {
    for (const char* name : k_parameter_sections)
        if (chosen != name && r.take(name))
            throw ConfigError(card::join(r.path(), name) + ": parameters of another model, but " +
                              card::join(r.path(), "model") + " is \"" + model + "\"");
}
inline void reject_other_models(card::Writer&, const std::string&, const std::string&) {}

} // namespace detail

//! The `device` sub-section (see the file comment).
struct DeviceCard {
    std::string model = "ul-gap";
    std::string initial = "low_bound";
    double initial_g_uS = 2.6; //!< uS; for initial = read_conductance [SEED: 2.6 uS ladder start]
    double v_read_V = 0.05;    //!< V [SEED]
    DeviceNoiseCard noise;
    DeviceSpec params; //!< the parameter sets (spec.model is set from `model` by make_setup)
    std::string yakopcic_set = "knowm_ltspice";

    template <class V> void visit(V& v) {
        v.choice("model", model,
                 {"ul-gap", "linear", "gmms", "mss", "vteam", "yakopcic", "short-long-term",
                  "ion-drift"});
        v.choice("initial", initial, {"low_bound", "high_bound", "read_conductance"});
        v.number("initial_g_uS", initial_g_uS, card::positive);
        v.number("v_read_V", v_read_V, card::positive);
        v.section("noise", noise);
        const std::string key = parameter_section();
        if (key == "ul_gap") {
            detail::ParamsSection<UlGapParams> s{params.ul_gap};
            v.section("ul_gap", s);
        } else if (key == "linear") {
            detail::ParamsSection<LinearParams> s{params.linear};
            v.section("linear", s);
        } else if (key == "gmms") {
            detail::ParamsSection<GmmsParams> s{params.gmms};
            v.section("gmms", s);
        } else if (key == "vteam") {
            detail::ParamsSection<VteamParams> s{params.vteam};
            v.section("vteam", s);
        } else if (key == "yakopcic") {
            detail::YakopcicSection s{params.yakopcic, yakopcic_set};
            v.section("yakopcic", s);
        } else if (key == "short_long_term") {
            detail::ParamsSection<ShortLongTermParams> s{params.short_long_term};
            v.section("short_long_term", s);
        } else {
            detail::ParamsSection<IonDriftParams> s{params.ion_drift};
            v.section("ion_drift", s);
        }
        detail::reject_other_models(v, key, model);
    }

    //! The model id of `model`.
    DeviceModel model_id() const;
    //! The parameter section of the chosen model ("ul_gap", ..., "ion_drift").
    std::string parameter_section() const;

    //! A device card with a kind's own defaults (start, noise).
    static DeviceCard defaults(const char* initial, double initial_g_uS, bool device_variability,
                               bool cycle_variability);
};

//! The kernel setup of the population (device i = Philox id i under `seed`).
DeviceSetup make_device_setup(const DeviceCard& d, std::uint64_t seed);

//! Cross-key rules (bounds ordered, the starting conductance inside the model's range);
//! ConfigError naming `path.key`.
void check_device_card(const DeviceCard& d, const std::string& path);

//! G_read (S) of the model's high-resistance and low-resistance bounds at v_read.
struct ConductanceRange {
    double low_S = 0, high_S = 0;
};
ConductanceRange device_conductance_range(const DeviceCard& d);

} // namespace memlif
