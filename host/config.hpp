// SPDX-License-Identifier: MIT
//! \file host/config.hpp
//! The validated run card. The user's card only holds the keys it changes; resolve_config reads
//! it over the defaults of the typed sections (host/card.hpp and each experiment driver's own
//! section), refuses unknown keys, wrong types and out-of-range values with a ConfigError naming
//! the key path, checks the cross-section rules and derives what the run needs.
#pragma once

#include "card.hpp"
#include "conductance_grid.hpp"
#include "information/estimators.hpp"
#include "stimulus_set.hpp"

#include "memlif/core/sweep.hpp"
#include "memlif/kernels/params.hpp"
#include "memlif/kernels/synapse.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace memlif {

//! The validated run card: the typed core sections plus what follows from them.
struct RunConfig : CoreCard {
    nlohmann::json card; //!< the fully resolved card (every section, defaults filled in)

    // Derived once from the sections above.
    StimulusSetKind stimulus_set_kind = StimulusSetKind::symmetric;
    StimulusProbability p_s_mode = StimulusProbability::uniform;
    SynapseModel synapse_model = SynapseModel::ul_gap;
    std::uint32_t n_bins = 0;                      //!< output bins, response.window_ms / bin_ms
    std::vector<ConductancePoint> conductances_uS; //!< the expanded conductance grid
    EstimatorOptions estimator_options;            //!< `information`, keyed by `seed`
};

//! The complete default card (`memlif dump-default`): the serialised default sections.
nlohmann::json default_card();

//! Parses card text (JSON, `//` comments allowed); `source` names the file in error messages.
nlohmann::json parse_card_text(const std::string& text, const std::string& source);

//! Reads and parses a card file; IoError if unreadable, ConfigError if malformed.
nlohmann::json read_card_file(const std::string& path);

//! A card stored by an older memlif (no `format` key) brought to the current format: keys that
//! were retired are dropped (`backspike.amplitude_V`, which no MI run used).
nlohmann::json migrate_stored_card(nlohmann::json card);

//! The card a file stores (its /config_json text): parsed (ConfigError naming `source`), an
//! object (IoError naming `source` otherwise) and migrated to the current format. Every reader of
//! a stored card goes through here (resume, analyze, merge).
nlohmann::json stored_card_from_text(const std::string& text, const std::string& source);

//! Keys that change how the work is done, never its result: output.path, simulation.backend,
//! .devices, .threads and .batch_trials. They may differ between an interrupted run and its
//! resumption (which keeps the same kind of backend, checked apart) and between the shards of one
//! sweep; every other key is part of the result's identity.
bool execution_key(const std::string& key_path);

//! Applies a `key.path=value` override (value parsed as JSON, else taken as a string).
void apply_override(nlohmann::json& card, const std::string& assignment);

//! Sets `key` to the string `value` taken verbatim, never parsed as JSON (-o PATH, --backend);
//! ConfigError naming the key if the value is not valid UTF-8.
void apply_string_override(nlohmann::json& card, const std::string& key, const std::string& value);

//! Reads `user` over the defaults (unknown keys rejected) and validates everything, including
//! the sections of every experiment driver.
RunConfig resolve_config(const nlohmann::json& user);

//! Derived kernel constants (steps, decay, jitter table, back-spikes) from a validated config.
SimParams make_sim_params(const RunConfig& cfg);

//! The exact solver's constants (kernels/exact_params.hpp) from a validated config and its
//! fixed-step constants: grid onsets reuse the fixed step's step counts, so both solvers see the
//! same trials; continuous onsets map the same draws to continuous time.
ExactParams make_exact_params(const RunConfig& cfg, const SimParams& p);

//! One condition: per-synapse conductance, current during an input spike, normalised weight and
//! the kernel drive.
struct ConditionPoint {
    std::array<double, 4> g_S{};
    std::array<double, 4> current_A{};
    std::array<double, 4> weight{};
    SynapseDrive drive;
};

//! Number of conditions of the card's sweep: grid points x noise-axis amplitudes.
std::size_t condition_count(const RunConfig& cfg);

//! Evaluates the synapse model at each conductance point (model.md §2.3, §3.2).
std::vector<ConditionPoint> make_conditions(const RunConfig& cfg, const SimParams& p);

//! A sweep built from a card: what the backend runs and what the measures need.
struct SweepPlan {
    StimulusSet stimuli;
    std::vector<double> p_s;            //!< p(s) of each stimulus
    std::vector<ConditionPoint> points; //!< one per condition of `spec`
    //! Per condition of `spec`: its conductance grid point and its amplitude on the noise axis
    //! (NaN without an axis; synapse.noise.axis)
    std::vector<std::uint32_t> grid_point;
    std::vector<double> noise_amplitude;
    SweepSpec spec; //!< the backend's input
};

//! The one place a sweep is assembled from a card (run, ground truth, analyze, bench, tests).
//! `repeats` and `seed` default to the card's; `conditions` selects conditions (all if empty),
//! which become conditions 0.. of the plan in the given order. Without a noise axis the
//! conditions are the grid points; with one (synapse.noise.axis) condition
//! g x n_amplitudes + a is grid point g at amplitude a.
SweepPlan make_sweep(const RunConfig& cfg, std::uint32_t repeats = 0,
                     const std::uint64_t* seed = nullptr,
                     const std::vector<std::uint32_t>& conditions = {});

} // namespace memlif
