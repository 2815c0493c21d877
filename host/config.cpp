// SPDX-License-Identifier: MIT
//! \file host/config.cpp
#include "config.hpp"

#include "memlif/core/errors.hpp"
#include "estimator_options.hpp"
#include "memlif/core/errors.hpp"

#include "memlif/kernels/jitter.hpp"
#include "memlif/kernels/lif.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

namespace memlif {

using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& key, const std::string& what) { throw ConfigError(key + ": " + what); }

//! Sections whose value is a list or free-form and so is not diffed key by key.
bool is_opaque(const std::string& key) {
    return key == "conductance_grid" || key == "information.estimators" || key == "ground_truth.conditions";
}

//! Recursive merge of `user` into `base`, rejecting keys the default card does not have (nlohmann's
//! defaults machinery would silently ignore a misspelt key, architecture.md pitfall 8).
void merge_checked(json& base, const json& user, const std::string& path) {
    if (!user.is_object()) fail(path.empty() ? "<card>" : path, "expected an object, got " + user.dump());
    for (auto it = user.begin(); it != user.end(); ++it) {
        const std::string key = path.empty() ? it.key() : path + "." + it.key();
        if (!base.contains(it.key())) fail(key, "unknown key");
        json& slot = base[it.key()];
        if (slot.is_object() && !is_opaque(key)) {
            merge_checked(slot, it.value(), key);
        } else {
            slot = it.value();
        }
    }
}

const json& at(const json& card, const std::string& dotted) {
    const json* j = &card;
    std::stringstream ss(dotted);
    std::string part;
    while (std::getline(ss, part, '.')) j = &j->at(part);
    return *j;
}

double number(const json& card, const std::string& key) {
    const json& v = at(card, key);
    if (!v.is_number()) fail(key, "expected a number, got " + v.dump());
    const double x = v.get<double>();
    if (!std::isfinite(x)) fail(key, "must be finite");
    return x;
}

double positive(const json& card, const std::string& key) {
    const double x = number(card, key);
    if (!(x > 0)) fail(key, "must be > 0, got " + at(card, key).dump());
    return x;
}

double non_negative(const json& card, const std::string& key) {
    const double x = number(card, key);
    if (x < 0) fail(key, "must be >= 0, got " + at(card, key).dump());
    return x;
}

std::uint64_t integer(const json& card, const std::string& key, std::uint64_t lo, std::uint64_t hi) {
    const json& v = at(card, key);
    if (!v.is_number_integer()) fail(key, "expected an integer, got " + v.dump());
    if (v.is_number_unsigned()) {
        const auto x = v.get<std::uint64_t>();
        if (x < lo || x > hi)
            fail(key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + v.dump());
        return x;
    }
    const auto x = v.get<long long>();
    if (x < 0 || static_cast<std::uint64_t>(x) < lo || static_cast<std::uint64_t>(x) > hi)
        fail(key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + v.dump());
    return static_cast<std::uint64_t>(x);
}

bool boolean(const json& card, const std::string& key) {
    const json& v = at(card, key);
    if (!v.is_boolean()) fail(key, "expected true or false, got " + v.dump());
    return v.get<bool>();
}

std::string choice(const json& card, const std::string& key, std::initializer_list<const char*> allowed) {
    const json& v = at(card, key);
    std::string list;
    for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
    if (!v.is_string()) fail(key, "expected one of " + list + ", got " + v.dump());
    const auto s = v.get<std::string>();
    for (const char* a : allowed)
        if (s == a) return s;
    fail(key, "expected one of " + list + ", got \"" + s + "\"");
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

} // namespace

json default_card() {
    return json{
        {"seed", 20230523},
        {"neuron", {{"tau_ms", 20.0}, {"c_nF", 13.6}, {"v_th_V", 0.5}, {"t_delay_ms", 10.0}}},
        {"synapse",
         {{"model", "ul-gap"},
          {"v_read_V", 0.05},
          {"ul_gap", {{"i0_A", 20.4e-6}, {"v0_V", 0.25}, {"x0_nm", 1.0}}}}},
        {"stimulus",
         {{"set", "symmetric"},
          {"p_s", "uniform"},
          {"force_symmetric", false},
          {"input_bin_ms", 50.0},
          {"spike_width_ms", 10.0},
          {"spike_amplitude_V", 0.1},
          {"jitter",
           {{"law", "poisson"}, {"mean_ms", 20.0}, {"unit_ms", 1.0}, {"max_ms", 40.0}, {"truncation", "clip"}}}}},
        {"backspike", {{"enabled", false}, {"mean_interval_ms", 1000.0}, {"width_us", 300.0}, {"amplitude_V", 0.115}}},
        {"response", {{"window_ms", 200.0}, {"bin_ms", 10.0}}},
        {"simulation", {{"dt_us", 10.0}, {"repeats", 15}, {"backend", "auto"}, {"threads", 0}, {"batch_trials", 65536}}},
        {"conductance_grid",
         json::array({json{{"kind", "list"}, {"values_uS", {2.6, 6.2, 13.6}}},
                      json{{"kind", "log"}, {"start_uS", 1.0}, {"stop_uS", 20.0}, {"n", 16}}})},
        {"information",
         {{"estimators", {"plugin", "mm", "pt", "jackknife"}},
          {"pt_rtot", "full"},
          {"qe", {{"partition", "shuffled"}, {"target", "entropies"}, {"inner", "plugin"}, {"replicates", 10},
                  {"small_sample", "refuse"}}},
          {"sh", {{"inner", "plugin"}, {"replicates", 20}}},
          {"null", {{"estimator", "plugin"}, {"replicates", 100}}},
          {"bootstrap", {{"estimator", "pt"}, {"replicates", 200}, {"confidence", 0.95}}}}},
        {"ground_truth", {{"enabled", false}, {"conditions", json::array({0, 1, 2})}, {"repeats", 2000}}},
        {"output", {{"path", "memlif_out.h5"}, {"store_trials", false}}},
    };
}

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
    json card = default_card();
    merge_checked(card, user, "");

    RunConfig c;
    c.card = card;
    c.seed = integer(card, "seed", 0, std::numeric_limits<std::uint64_t>::max());

    c.tau_s = positive(card, "neuron.tau_ms") * 1e-3;
    c.c_F = positive(card, "neuron.c_nF") * 1e-9;
    c.v_th_V = positive(card, "neuron.v_th_V");
    c.t_delay_s = non_negative(card, "neuron.t_delay_ms") * 1e-3;

    c.synapse_model = choice(card, "synapse.model", {"ul-gap", "linear"}) == "linear" ? SynapseModel::linear
                                                                                      : SynapseModel::ul_gap;
    c.v_read_V = positive(card, "synapse.v_read_V");
    c.ul_gap.i0_A = positive(card, "synapse.ul_gap.i0_A");
    c.ul_gap.v0_V = positive(card, "synapse.ul_gap.v0_V");
    c.ul_gap.x0_m = positive(card, "synapse.ul_gap.x0_nm") * 1e-9;

    c.stimulus_set = choice(card, "stimulus.set", {"symmetric", "all"}) == "all" ? StimulusSetKind::all
                                                                                 : StimulusSetKind::symmetric;
    c.p_s = choice(card, "stimulus.p_s", {"uniform", "multiplicity"}) == "multiplicity"
                ? StimulusProbability::multiplicity
                : StimulusProbability::uniform;
    c.force_symmetric = boolean(card, "stimulus.force_symmetric");
    c.input_bin_s = positive(card, "stimulus.input_bin_ms") * 1e-3;
    c.spike_width_s = positive(card, "stimulus.spike_width_ms") * 1e-3;
    c.spike_amplitude_V = number(card, "stimulus.spike_amplitude_V");
    c.jitter_law = choice(card, "stimulus.jitter.law", {"poisson", "uniform", "none"});
    c.jitter_mean_s = non_negative(card, "stimulus.jitter.mean_ms") * 1e-3;
    c.jitter_unit_s = positive(card, "stimulus.jitter.unit_ms") * 1e-3;
    c.jitter_max_s = non_negative(card, "stimulus.jitter.max_ms") * 1e-3;
    c.jitter_redraw = choice(card, "stimulus.jitter.truncation", {"clip", "redraw"}) == "redraw";
    if (c.spike_width_s > c.input_bin_s * (1 + 1e-12))
        fail("stimulus.spike_width_ms", "an input spike must fit in its input bin (stimulus.input_bin_ms)");
    if (c.jitter_law != "none" && c.jitter_max_s + c.spike_width_s > c.input_bin_s * (1 + 1e-12))
        fail("stimulus.jitter.max_ms", "max delay + spike width must fit in stimulus.input_bin_ms");

    c.backspike_enabled = boolean(card, "backspike.enabled");
    c.backspike_mean_interval_s = positive(card, "backspike.mean_interval_ms") * 1e-3;
    c.backspike_width_s = non_negative(card, "backspike.width_us") * 1e-6;
    c.backspike_amplitude_V = number(card, "backspike.amplitude_V");

    c.window_s = positive(card, "response.window_ms") * 1e-3;
    c.bin_s = positive(card, "response.bin_ms") * 1e-3;
    const double nb = c.window_s / c.bin_s;
    if (std::fabs(nb - std::round(nb)) > 1e-9 * nb)
        fail("response.window_ms", "must be a whole number of response.bin_ms");
    if (std::round(nb) > k_max_output_bins)
        fail("response.window_ms", "gives " + std::to_string(std::llround(nb)) + " output bins; at most " +
                                       std::to_string(k_max_output_bins) + " are supported");
    c.n_bins = static_cast<std::uint32_t>(std::llround(nb));

    c.dt_s = positive(card, "simulation.dt_us") * 1e-6;
    if (c.dt_s > c.spike_width_s / 10.0)
        fail("simulation.dt_us", "too coarse for stimulus.spike_width_ms: need at least 10 steps per input spike");
    c.repeats = static_cast<std::uint32_t>(integer(card, "simulation.repeats", 1, 0xFFFFFFFFull));
    c.backend = choice(card, "simulation.backend", {"auto", "cpu", "cuda"});
    c.threads = static_cast<int>(integer(card, "simulation.threads", 0, 4096));
    c.batch_trials = integer(card, "simulation.batch_trials", 1, 1ull << 32);

    c.conductances_uS = expand_conductance_grid(at(card, "conductance_grid"), "conductance_grid");
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
        if (!equal && c.stimulus_set == StimulusSetKind::symmetric && !c.force_symmetric)
            fail("stimulus.set", "point " + std::to_string(i) +
                                     " has unequal per-synapse conductances, which breaks the permutation symmetry "
                                     "of the 'symmetric' set; use stimulus.set=all, or stimulus.force_symmetric=true "
                                     "to deliver only the canonical member of each class");
    }

    c.information = at(card, "information");
    {
        const EstimatorOptions eo = estimator_options_from_card(c.information, c.seed); // errors name their key
        const bool qe = std::find(eo.estimators.begin(), eo.estimators.end(), "qe") != eo.estimators.end();
        if (qe && c.repeats < 4 && eo.small_sample == SmallSamplePolicy::refuse)
            fail("information.qe.small_sample", "QE needs simulation.repeats >= 4 (got " + std::to_string(c.repeats) +
                                                    "); set it to \"fallback\" to report plug-in with a flag");
    }

    if (boolean(card, "ground_truth.enabled")) {
        c.ground_truth_repeats = static_cast<std::uint32_t>(integer(card, "ground_truth.repeats", 1, 0xFFFFFFFFull));
        const json& gt = at(card, "ground_truth.conditions");
        if (!gt.is_array() || gt.empty()) fail("ground_truth.conditions", "expected a non-empty list of indices");
        for (std::size_t i = 0; i < gt.size(); ++i) {
            const std::string key = "ground_truth.conditions[" + std::to_string(i) + "]";
            if (!gt[i].is_number_integer() || gt[i].get<long long>() < 0 ||
                gt[i].get<long long>() >= static_cast<long long>(c.conductances_uS.size()))
                fail(key, "expected a condition index in [0, " + std::to_string(c.conductances_uS.size() - 1) +
                              "], got " + gt[i].dump());
            c.ground_truth_conditions.push_back(gt[i].get<std::uint32_t>());
        }
    }

    const json& path = at(card, "output.path");
    if (!path.is_string() || path.get<std::string>().empty()) fail("output.path", "expected a file name");
    c.output_path = path.get<std::string>();
    c.store_trials = boolean(card, "output.store_trials");

    // Integer step counts must exist; checking here keeps make_sim_params free of errors.
    (void)make_sim_params(c);
    return c;
}

SimParams make_sim_params(const RunConfig& c) {
    SimParams p;
    p.seed = c.seed;
    p.n_steps = whole_steps(c.window_s, c.dt_s, "response.window_ms");
    p.steps_per_input_bin = whole_steps(c.input_bin_s, c.dt_s, "stimulus.input_bin_ms");
    p.spike_steps = whole_steps(c.spike_width_s, c.dt_s, "stimulus.spike_width_ms");
    p.delay_steps = whole_steps(c.t_delay_s, c.dt_s, "neuron.t_delay_ms");
    p.steps_per_output_bin = whole_steps(c.bin_s, c.dt_s, "response.bin_ms");
    p.n_output_bins = c.n_bins;
    p.decay = static_cast<float>(step_decay(c.dt_s, c.tau_s));
    if (c.jitter_law == "uniform") {
        p.jitter.law = JitterLaw::uniform;
        p.jitter.max_steps = static_cast<std::uint32_t>(std::floor(c.jitter_max_s / c.dt_s + 1e-9));
    } else if (c.jitter_law == "poisson") {
        const double units = c.jitter_max_s / c.jitter_unit_s;
        const auto k_max = static_cast<std::uint32_t>(std::floor(units + 1e-9));
        if (!make_poisson_jitter_table(p.jitter, c.jitter_mean_s / c.jitter_unit_s, k_max, c.jitter_unit_s / c.dt_s,
                                       c.jitter_redraw))
            fail("stimulus.jitter.unit_ms", "max_ms/unit_ms must be < " + std::to_string(k_max_jitter_table));
    } else {
        p.jitter.law = JitterLaw::none;
    }
    p.backspike.enabled = c.backspike_enabled ? 1u : 0u;
    p.backspike.width_steps = static_cast<std::uint32_t>(std::llround(c.backspike_width_s / c.dt_s));
    p.backspike.mean_interval_steps = c.backspike_mean_interval_s / c.dt_s;
    return p;
}

std::vector<ConditionPoint> make_conditions(const RunConfig& c, const SimParams& p) {
    std::vector<ConditionPoint> out;
    out.reserve(c.conductances_uS.size());
    for (const auto& g_uS : c.conductances_uS) {
        ConditionPoint cp;
        float a[4];
        for (int i = 0; i < 4; ++i) {
            cp.g_S[i] = g_uS[i] * 1e-6;
            cp.current_A[i] = cp.g_S[i] > 0 ? synapse_current_A(c.synapse_model, c.ul_gap, cp.g_S[i], c.v_read_V,
                                                                c.spike_amplitude_V)
                                            : 0.0;
            cp.weight[i] = normalised_weight(cp.current_A[i], c.tau_s, c.c_F, c.v_th_V);
            a[i] = static_cast<float>(step_increment(cp.weight[i], p.decay));
        }
        cp.drive = SynapseDrive{a[0], a[1], a[2], a[3]};
        out.push_back(cp);
    }
    return out;
}

} // namespace memlif
