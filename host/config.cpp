// SPDX-License-Identifier: MIT
//! \file host/config.cpp
#include "config.hpp"

#include "estimator_options.hpp"
#include "experiment.hpp"
#include "multi_device.hpp"

#include "memlif/core/errors.hpp"
#include "memlif/kernels/jitter.hpp"
#include "memlif/kernels/lif.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace memlif {

using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& key, const std::string& what) {
    throw ConfigError(key + ": " + what);
}

//! Number of solver steps in `duration_s`; it must be a whole number of steps so that bin edges and
//! spike widths fall exactly on the grid.
std::uint32_t whole_steps(double duration_s, double dt_s, const std::string& key) {
    const double n = duration_s / dt_s;
    const double r = std::round(n);
    if (std::fabs(n - r) > 1e-6 * std::max(1.0, r))
        fail(key, "must be a whole multiple of simulation.dt_us (" + std::to_string(n) + " steps)");
    if (r > 4.0e9) fail(key, "too many steps (" + std::to_string(r) + ") for simulation.dt_us");
    return static_cast<std::uint32_t>(r);
}

//! The cross-section rules of the core card, and what follows from it.
void derive(RunConfig& c) {
    const StimulusCard& st = c.stimulus;
    c.stimulus_set_kind = st.set == "all" ? StimulusSetKind::all : StimulusSetKind::symmetric;
    c.p_s_mode = st.p_s == "multiplicity" ? StimulusProbability::multiplicity : StimulusProbability::uniform;
    c.synapse_model = c.synapse.model == "linear" ? SynapseModel::linear : SynapseModel::ul_gap;
    if (st.spike_width_ms > st.input_bin_ms * (1 + 1e-12))
        fail("stimulus.spike_width_ms", "an input spike must fit in its input bin (stimulus.input_bin_ms)");
    if (st.jitter.law != "none" && st.jitter.max_ms + st.spike_width_ms > st.input_bin_ms * (1 + 1e-12))
        fail("stimulus.jitter.max_ms", "max delay + spike width must fit in stimulus.input_bin_ms");

    const double nb = c.response.window_ms / c.response.bin_ms;
    if (std::fabs(nb - std::round(nb)) > 1e-9 * nb)
        fail("response.window_ms", "must be a whole number of response.bin_ms");
    if (std::round(nb) > k_max_output_bins)
        fail("response.window_ms", "gives " + std::to_string(std::llround(nb)) + " output bins; at most " +
                                       std::to_string(k_max_output_bins) + " are supported");
    c.n_bins = static_cast<std::uint32_t>(std::llround(nb));

    if (c.simulation.dt_us * 1e-3 > st.spike_width_ms / 10.0)
        fail("simulation.dt_us", "too coarse for stimulus.spike_width_ms: need at least 10 steps per input spike");

    check_devices_value(c.simulation.devices); // its form; whether the devices exist, at run time

    c.conductances_uS = expand_conductance_grid(c.conductance_grid, "conductance_grid");
    if (c.conductances_uS.size() > 65536)
        fail("conductance_grid", "at most 65536 conductance points (the trial id holds 16 bits)");
    for (std::size_t i = 0; i < c.conductances_uS.size(); ++i) {
        const auto& g = c.conductances_uS[i];
        if (c.synapse_model == SynapseModel::ul_gap)
            for (double gi : g)
                if (!(gi > 0))
                    fail("conductance_grid", "point " + std::to_string(i) +
                                                 ": the ul-gap model needs conductances > 0 (use synapse.model=linear for 0)");
        const bool equal = g[0] == g[1] && g[1] == g[2] && g[2] == g[3];
        if (!equal && c.stimulus_set_kind == StimulusSetKind::symmetric && !st.force_symmetric)
            fail("stimulus.set", "point " + std::to_string(i) +
                                     " has unequal per-synapse conductances, which breaks the permutation symmetry "
                                     "of the 'symmetric' set; use stimulus.set=all, or stimulus.force_symmetric=true "
                                     "to deliver only the canonical member of each class");
    }

    c.estimator_options = estimator_options_from(c.information, c.seed); // errors name their key
    const auto& names = c.estimator_options.estimators;
    if (std::find(names.begin(), names.end(), "qe") != names.end() && c.simulation.repeats < 4 &&
        c.estimator_options.small_sample == SmallSamplePolicy::refuse)
        fail("information.qe.small_sample", "QE needs simulation.repeats >= 4 (got " +
                                                std::to_string(c.simulation.repeats) +
                                                "); set it to \"fallback\" to report plug-in with a flag");

    // Integer step counts must exist; checking here keeps make_sim_params free of errors.
    (void)make_sim_params(c);
}

} // namespace

json default_card() { return resolve_config(json::object()).card; }

json parse_card_text(const std::string& text, const std::string& source) {
    try {
        return json::parse(text, nullptr, true, /*ignore_comments=*/true);
    } catch (const json::parse_error& e) {
        throw ConfigError(source + ": invalid JSON: " + e.what());
    }
}

json read_card_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw IoError(path + ": cannot open run card for reading");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_card_text(ss.str(), path);
}

json migrate_stored_card(json card) {
    if (card.is_object() && !card.contains("format")) {
        if (card.contains("backspike") && card["backspike"].is_object()) card["backspike"].erase("amplitude_V");
    }
    return card;
}

void apply_override(json& card, const std::string& assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0) throw ConfigError("--set " + assignment + ": expected key.path=value");
    const std::string key = assignment.substr(0, eq), text = assignment.substr(eq + 1);
    json value;
    try {
        value = json::parse(text);
    } catch (const json::parse_error&) {
        value = text; // a bare word is a string: --set stimulus.set=all
    }
    json* j = &card;
    std::stringstream ss(key);
    std::string part;
    std::vector<std::string> parts;
    while (std::getline(ss, part, '.')) parts.push_back(part);
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        if (j->is_null()) *j = json::object();
        if (!j->is_object()) throw ConfigError("--set " + key + ": the card has a value, not a section, on this path");
        j = &(*j)[parts[i]];
    }
    if (j->is_null()) *j = json::object();
    if (!j->is_object()) throw ConfigError("--set " + key + ": the card has a value, not a section, on this path");
    (*j)[parts.back()] = value;
}

RunConfig resolve_config(const json& user) {
    card::Reader reader(&user, "");
    RunConfig c;
    c.visit(reader);
    derive(c);
    if (!find_experiment(c.experiment.kind, true)) {
        std::string kinds;
        for (const Experiment* e : experiments())
            if (e->is_primary()) kinds += std::string(kinds.empty() ? "" : ", ") + e->kind();
        fail("experiment.kind", "unknown kind \"" + c.experiment.kind + "\"; expected one of " + kinds);
    }
    card::Writer writer;
    c.visit(writer);
    // Every driver's own section is read and checked too, whichever kind runs: a typo in a section
    // that this card does not use is still a typo.
    for (const Experiment* e : experiments()) {
        if (e->section().empty()) continue;
        writer.out[e->section()] = e->resolve_section(reader.take(e->section().c_str()), c);
    }
    reader.finish();
    c.card = std::move(writer.out);
    return c;
}

SimParams make_sim_params(const RunConfig& c) {
    const double dt_s = c.simulation.dt_us * 1e-6;
    const StimulusCard& st = c.stimulus;
    SimParams p;
    p.seed = c.seed;
    p.n_steps = whole_steps(c.response.window_ms * 1e-3, dt_s, "response.window_ms");
    p.steps_per_input_bin = whole_steps(st.input_bin_ms * 1e-3, dt_s, "stimulus.input_bin_ms");
    p.spike_steps = whole_steps(st.spike_width_ms * 1e-3, dt_s, "stimulus.spike_width_ms");
    p.delay_steps = whole_steps(c.neuron.t_delay_ms * 1e-3, dt_s, "neuron.t_delay_ms");
    p.steps_per_output_bin = whole_steps(c.response.bin_ms * 1e-3, dt_s, "response.bin_ms");
    p.n_output_bins = c.n_bins;
    p.decay = step_decay(dt_s, c.neuron.tau_ms * 1e-3);
    const JitterCard& j = st.jitter;
    if (j.law == "uniform") {
        p.jitter.law = JitterLaw::uniform;
        p.jitter.max_steps = static_cast<std::uint32_t>(std::floor(j.max_ms * 1e-3 / dt_s + 1e-9));
    } else if (j.law == "poisson") {
        const double units = j.max_ms / j.unit_ms;
        const auto k_max = static_cast<std::uint32_t>(std::floor(units + 1e-9));
        if (!make_poisson_jitter_table(p.jitter, j.mean_ms / j.unit_ms, k_max, j.unit_ms * 1e-3 / dt_s,
                                       j.truncation == "redraw"))
            fail("stimulus.jitter.unit_ms", "max_ms/unit_ms must be < " + std::to_string(k_max_jitter_table));
    } else {
        p.jitter.law = JitterLaw::none;
    }
    p.backspike.enabled = c.backspike.enabled ? 1u : 0u;
    p.backspike.width_steps = static_cast<std::uint32_t>(std::llround(c.backspike.width_us * 1e-6 / dt_s));
    p.backspike.mean_interval_steps = c.backspike.mean_interval_ms * 1e-3 / dt_s;
    return p;
}

ExactParams make_exact_params(const RunConfig& c, const SimParams& p) {
    const double dt_s = c.simulation.dt_us * 1e-6;
    ExactParams e = exact_params_on_grid(p, dt_s, c.neuron.tau_ms * 1e-3);
    if (c.simulation.exact_onsets == "continuous") {
        const JitterCard& j = c.stimulus.jitter;
        e.timing = OnsetTiming::continuous;
        // the table law keeps the fixed step's CDF over k (the delay is k units of its own, not
        // of dt); continuous timing multiplies k by the unit in seconds
        e.jitter_max_s = j.max_ms * 1e-3;
        e.jitter_unit_s = j.unit_ms * 1e-3;
        e.backspike_width_s = c.backspike.width_us * 1e-6;
        e.backspike_mean_interval_s = c.backspike.mean_interval_ms * 1e-3;
    }
    return e;
}

std::vector<ConditionPoint> make_conditions(const RunConfig& c, const SimParams& p) {
    UlGapParams ul;
    ul.i0_A = c.synapse.ul_gap.i0_A;
    ul.v0_V = c.synapse.ul_gap.v0_V;
    ul.x0_m = c.synapse.ul_gap.x0_nm * 1e-9;
    std::vector<ConditionPoint> out;
    out.reserve(c.conductances_uS.size());
    for (const auto& g_uS : c.conductances_uS) {
        ConditionPoint cp;
        double a[4];
        for (int i = 0; i < 4; ++i) {
            cp.g_S[i] = g_uS[i] * 1e-6;
            cp.current_A[i] = cp.g_S[i] > 0 ? synapse_current_A(c.synapse_model, ul, cp.g_S[i], c.synapse.v_read_V,
                                                                c.stimulus.spike_amplitude_V)
                                            : 0.0;
            cp.weight[i] =
                normalised_weight(cp.current_A[i], c.neuron.tau_ms * 1e-3, c.neuron.c_nF * 1e-9, c.neuron.v_th_V);
            a[i] = step_increment(cp.weight[i], p.decay);
        }
        cp.drive = SynapseDrive{a[0], a[1], a[2], a[3]};
        out.push_back(cp);
    }
    return out;
}

SweepPlan make_sweep(const RunConfig& cfg, std::uint32_t repeats, const std::uint64_t* seed,
                     const std::vector<std::uint32_t>& conditions) {
    SweepPlan plan;
    plan.stimuli = make_stimulus_set(cfg.stimulus_set_kind);
    plan.p_s = stimulus_probabilities(plan.stimuli, cfg.p_s_mode);
    SimParams params = make_sim_params(cfg);
    if (seed) params.seed = *seed;
    const std::vector<ConditionPoint> all = make_conditions(cfg, params);
    if (conditions.empty()) {
        plan.points = all;
    } else {
        for (std::uint32_t k : conditions) plan.points.push_back(all.at(k));
    }
    SweepSpec& spec = plan.spec;
    spec.params = params;
    for (const ConditionPoint& pt : plan.points) spec.drives.push_back(pt.drive);
    if (cfg.simulation.solver == "exact") {
        spec.solver = Solver::exact;
        spec.exact = make_exact_params(cfg, params);
        for (const ConditionPoint& pt : plan.points)
            spec.exact_drives.push_back({pt.weight[0], pt.weight[1], pt.weight[2], pt.weight[3]});
    }
    spec.stimulus_codes = plan.stimuli.codes;
    spec.p_s = plan.p_s;
    spec.n_input_spikes = plan.stimuli.n_input_spikes;
    spec.n_repeats = repeats > 0 ? repeats : cfg.simulation.repeats;
    spec.keep_trial_words = cfg.output.store_trials;
    return plan;
}

} // namespace memlif
