// SPDX-License-Identifier: MIT
//! \file host/config.hpp
//! The run card: JSON with units in key names. The default card is the paper's experiment
//! (Benatti et al. 2023): symmetric set, 15 repeats, 2.6/6.2/13.6 uS plus a 16-point log grid
//! 1-20 uS for the Fig. 5 curve. Unknown keys, wrong types and out-of-range values are rejected
//! with a ConfigError naming the key path.
#pragma once

#include "conductance_grid.hpp"
#include "stimulus_set.hpp"

#include "memlif/kernels/params.hpp"
#include "memlif/kernels/synapse.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace memlif {

//! The validated run card.
struct RunConfig {
    nlohmann::json card;            //!< the fully resolved card (defaults + user card + overrides)
    std::uint64_t seed = 0;
    // neuron
    double tau_s = 0, c_F = 0, v_th_V = 0, t_delay_s = 0;
    // synapse
    SynapseModel synapse_model = SynapseModel::ul_gap;
    UlGapParams ul_gap;
    double v_read_V = 0;
    // stimulus
    StimulusSetKind stimulus_set = StimulusSetKind::symmetric;
    StimulusProbability p_s = StimulusProbability::uniform;
    bool force_symmetric = false;
    double input_bin_s = 0, spike_width_s = 0, spike_amplitude_V = 0;
    std::string jitter_law;         //!< none | uniform | poisson
    double jitter_mean_s = 0, jitter_unit_s = 0, jitter_max_s = 0;
    bool jitter_redraw = false;
    // back-spikes
    bool backspike_enabled = false;
    double backspike_mean_interval_s = 0, backspike_width_s = 0, backspike_amplitude_V = 0;
    // response
    double window_s = 0, bin_s = 0;
    std::uint32_t n_bins = 0;
    // simulation
    double dt_s = 0;
    std::uint32_t repeats = 0;
    std::string backend;            //!< auto | cpu | cuda
    int threads = 0;
    std::uint64_t batch_trials = 0;
    // grid
    std::vector<ConductancePoint> conductances_uS;
    // information
    nlohmann::json information;     //!< the "information" section (validated estimator options)
    // ground truth
    std::vector<std::uint32_t> ground_truth_conditions;
    std::uint32_t ground_truth_repeats = 0;
    // output
    std::string output_path;
    bool store_trials = false;
};

//! The complete default card (`memlif dump-default`).
nlohmann::json default_card();

//! Parses card text (JSON, `//` comments allowed); `source` names the file in error messages.
nlohmann::json parse_card_text(const std::string& text, const std::string& source);

//! Reads and parses a card file; IoError if unreadable, ConfigError if malformed.
nlohmann::json read_card_file(const std::string& path);

//! Applies a `key.path=value` override (value parsed as JSON, else taken as a string).
void apply_override(nlohmann::json& card, const std::string& assignment);

//! Merges `user` over the defaults (unknown keys rejected) and validates everything.
RunConfig resolve_config(const nlohmann::json& user);

//! Derived kernel constants (steps, decay, jitter table, back-spikes) from a validated config.
SimParams make_sim_params(const RunConfig& cfg);

//! One condition: per-synapse conductance, current during an input spike, normalised weight and
//! the kernel drive.
struct ConditionPoint {
    std::array<double, 4> g_S{};
    std::array<double, 4> current_A{};
    std::array<double, 4> weight{};
    SynapseDrive drive;
};

//! Evaluates the synapse model at each conductance point (model.md §2.3, §3.2).
std::vector<ConditionPoint> make_conditions(const RunConfig& cfg, const SimParams& p);

} // namespace memlif
