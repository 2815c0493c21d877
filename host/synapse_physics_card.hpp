// SPDX-License-Identifier: MIT
//! \file host/synapse_physics_card.hpp
//! Device physics of the MI sweep's synapses, beyond the paper's fixed conductances (issue 10
//! items 5 and 6): `synapse.noise` (device-to-device, cycle-to-cycle read and RTN noise, and an
//! amplitude axis that multiplies the conductance grid) and `synapse.plasticity` (plasticity on
//! during stimulation). Both are off by default, which keeps the seed's MI runs (model.md §6.3).
//! The kernels they feed: kernels/memlif/kernels/synapse_noise.hpp, noisy_trial.hpp,
//! exact_noisy_trial.hpp and plastic_trial.hpp; README "Device noise and plasticity in the MI
//! sweep" documents every key.
#pragma once

#include "card_io.hpp"
#include "card_lists.hpp"
#include "device_card.hpp"

#include "memlif/kernels/params.hpp"
#include "memlif/kernels/plastic_trial.hpp"
#include "memlif/kernels/synapse_noise.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace memlif {

//! Bounds of a lognormal sigma (and of a noise axis amplitude). A factor is exp(sigma z) with |z|
//! up to about 8.3 (the largest normal the 32-bit uniforms give): sigma <= 10 keeps it finite
//! (e^83), while a sigma of 1e300 made every drive infinite without a word. Measured device
//! spreads are sigma ~ 0.01-0.3.
inline constexpr card::Range k_sigma_range{0.0, 10.0};

struct RunConfig;

//! `synapse.noise.axis`: one noise amplitude per value; the sweep runs every conductance point at
//! every amplitude (condition = point x n_amplitudes + amplitude index).
struct NoiseAxisCard {
    //! none | device (device_sigma_ln) | read (read_sigma_ln) | rtn (delta of every trap)
    std::string process = "none";
    std::vector<double> amplitudes; //!< dimensionless (sigma of ln, or a relative step)
    template <class V> void visit(V& v) {
        v.choice("process", process, {"none", "device", "read", "rtn"});
        card::numbers(v, "amplitudes", amplitudes, k_sigma_range, 0, 4096);
    }
};

//! `synapse.noise` [ASSUMPTION: every law and value; the seed's memristors were noiseless].
struct SynapseNoiseCard {
    double device_sigma_ln = 0.0; //!< sigma of ln G_read of each synapse, drawn once per trial
    double read_sigma_ln = 0.0;   //!< sigma of ln of each input spike's current
    std::vector<RtnTrapCard> rtn_traps; //!< traps of every synapse (0-8); empty: no RTN
    NoiseAxisCard axis;
    template <class V> void visit(V& v) {
        v.number("device_sigma_ln", device_sigma_ln, k_sigma_range);
        v.number("read_sigma_ln", read_sigma_ln, k_sigma_range);
        card::sections(v, "rtn_traps", rtn_traps, 0, static_cast<std::size_t>(k_max_rtn_traps));
        v.section("axis", axis);
    }
};

//! `synapse.plasticity`: UL-GAP dynamics during the MI trials (model.md §3.2; defaults are the
//! kernel's UlGapParams, the set of the device kinds; the fixed-state part i0, v0, x0 is
//! synapse.ul_gap's).
struct PlasticityCard {
    bool enabled = false;
    double k_set_m_per_s = UlGapParams{}.k_set_m_per_s;         //!< SET rate prefactor (m/s)
    double alpha_set_per_V = UlGapParams{}.alpha_set_per_V;     //!< SET field acceleration (1/V)
    double k_reset_m_per_s = UlGapParams{}.k_reset_m_per_s;     //!< RESET rate prefactor (m/s)
    double alpha_reset_per_V = UlGapParams{}.alpha_reset_per_V; //!< RESET acceleration (1/V)
    double ea_eV = UlGapParams{}.ea_eV;                         //!< activation energy (eV)
    double t0_K = UlGapParams{}.t0_K;                           //!< ambient temperature (K)
    double r_th_K_per_W = UlGapParams{}.r_th_K_per_W;           //!< thermal resistance (K/W)
    double x_min_m = UlGapParams{}.x_min_m;                     //!< thinnest barrier (m)
    double x_max_m = UlGapParams{}.x_max_m;                     //!< thickest barrier (m)
    //! memristor voltage during a back-spike, -backspike_V (V; with backspike.enabled)
    //! [ASSUMPTION: model.md §6.1's V_bs]
    double backspike_V = 0.115;
    double step_fraction = 0.01; //!< device sub-step <= step_fraction x pulse width (model.md §3.0)
    template <class V> void visit(V& v) {
        v.flag("enabled", enabled);
        v.number("k_set_m_per_s", k_set_m_per_s, card::non_negative);
        v.number("alpha_set_per_V", alpha_set_per_V, card::non_negative);
        v.number("k_reset_m_per_s", k_reset_m_per_s, card::non_negative);
        v.number("alpha_reset_per_V", alpha_reset_per_V, card::non_negative);
        v.number("ea_eV", ea_eV, card::non_negative);
        v.number("t0_K", t0_K, card::positive);
        v.number("r_th_K_per_W", r_th_K_per_W, card::non_negative);
        v.number("x_min_m", x_min_m, card::non_negative);
        v.number("x_max_m", x_max_m, card::positive);
        v.number("backspike_V", backspike_V, card::non_negative);
        v.number("step_fraction", step_fraction, card::Range{0.0, 1.0, true, false});
    }
};

//! Amplitudes of the noise axis (one entry, NaN, when the axis is off: every condition then has
//! the section's own amplitudes).
std::vector<double> noise_axis_values(const SynapseNoiseCard& n);

//! The trial noise of one condition: the section's amplitudes, with the axis process's amplitude
//! replaced by `axis_value` (ignored when the axis is off). dt_s: the fixed step.
SynapseNoise make_synapse_noise(const SynapseNoiseCard& n, double dt_s, double axis_value);

//! The cross-section rules of synapse.noise and synapse.plasticity (ConfigError naming the key):
//! the exact solver takes no RTN and no plasticity (the drive must be piecewise constant), the
//! CUDA backend takes neither noise nor plasticity, plasticity needs the ul-gap synapse with every
//! programmed state inside the bounds, and the axis needs a process and its amplitudes.
void check_synapse_physics(const RunConfig& cfg);

//! Whether the card asks for any synapse noise (a sigma, an RTN trap or a noise axis).
bool noise_on(const SynapseNoiseCard& n);

//! ConfigError naming `key` (simulation.solver, ground_truth.solver) where the exact solver cannot
//! simulate the card's synapses: plasticity on, or RTN traps (the drive changes inside a spike).
void check_exact_solver_applies(const RunConfig& cfg, const std::string& key);

//! The plasticity-on trial's constants from a validated card and its fixed-step constants.
PlasticityParams make_plasticity_params(const RunConfig& cfg);

} // namespace memlif
