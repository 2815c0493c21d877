// SPDX-License-Identifier: MIT
//! \file host/config.cpp
#include "config.hpp"

#include "card_text.hpp"
#include "estimator_options.hpp"
#include "experiment.hpp"
#include "multi_device.hpp"

#include "memlif/core/errors.hpp"
#include "memlif/kernels/jitter.hpp"
#include "memlif/kernels/lif.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace memlif {

using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& key, const std::string& what) {
    throw ConfigError(key + ": " + what);
}

//! A number for a message: six significant digits, never a 300-digit expansion.
std::string num(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", x);
    return buf;
}

//! Largest step count the kernels' 32-bit step counters take.
constexpr double k_max_steps = 4.0e9;

//! Number of solver steps in `duration_s`; it must be a whole number of steps so that bin edges and
//! spike widths fall exactly on the grid, at least `min_steps` (a duration that rounds to no step
//! would silently switch its feature off) and no more than the 32-bit step counters hold.
std::uint32_t whole_steps(double duration_s, double dt_s, const std::string& key,
                          double min_steps = 0) {
    const double n = duration_s / dt_s;
    if (!std::isfinite(n) || n > k_max_steps)
        fail(key,
             "too many steps (" + num(n) + ") for simulation.dt_us; at most " + num(k_max_steps));
    const double r = std::round(n);
    if (std::fabs(n - r) > 1e-6 * std::max(1.0, r))
        fail(key, "must be a whole multiple of simulation.dt_us (" + num(n) + " steps)");
    if (r < min_steps)
        fail(key,
             "is " + num(n) + " steps of simulation.dt_us; at least " + num(min_steps) + " needed");
    return static_cast<std::uint32_t>(r);
}

//! Every derived number of a condition must be finite: an overflow in the device model (e.g.
//! sinh(V/V0) for a tiny V0) would otherwise reach /axes and the kernels as inf or NaN.
void check_conditions(const RunConfig& c, const std::vector<ConditionPoint>& points) {
    const char* current_keys =
        c.synapse_model == SynapseModel::ul_gap
            ? "synapse.ul_gap.*, synapse.v_read_V, stimulus.spike_amplitude_V"
            : "stimulus.spike_amplitude_V";
    for (std::size_t k = 0; k < points.size(); ++k) {
        const ConditionPoint& p = points[k];
        const std::string at = "conductance_grid point " + std::to_string(k);
        for (int i = 0; i < 4; ++i) {
            if (!std::isfinite(p.current_A[i]))
                fail(at, "the synaptic current of synapse " + std::to_string(i) + " is " +
                             num(p.current_A[i]) + " A, not a finite number; check " +
                             current_keys);
            if (!std::isfinite(p.weight[i]))
                fail(at, "the normalised weight of synapse " + std::to_string(i) + " is " +
                             num(p.weight[i]) +
                             "; check neuron.tau_ms, neuron.c_nF, neuron.v_th_V and " +
                             current_keys);
        }
        const double drive[4] = {p.drive.a0, p.drive.a1, p.drive.a2, p.drive.a3};
        for (int i = 0; i < 4; ++i)
            if (!std::isfinite(drive[i]))
                fail(at, "the per-step drive of synapse " + std::to_string(i) + " (weight " +
                             num(p.weight[i]) + ") is not a finite number; check " + current_keys);
    }
}

//! The cross-section rules of the core card, and what follows from it.
void derive(RunConfig& c) {
    const StimulusCard& st = c.stimulus;
    c.stimulus_set_kind = st.set == "all" ? StimulusSetKind::all : StimulusSetKind::symmetric;
    c.p_s_mode =
        st.p_s == "multiplicity" ? StimulusProbability::multiplicity : StimulusProbability::uniform;
    c.synapse_model = c.synapse.model == "linear" ? SynapseModel::linear : SynapseModel::ul_gap;
    if (st.spike_width_ms > st.input_bin_ms * (1 + 1e-12))
        fail("stimulus.spike_width_ms",
             "an input spike must fit in its input bin (stimulus.input_bin_ms)");
    if (st.jitter.law != "none" &&
        st.jitter.max_ms + st.spike_width_ms > st.input_bin_ms * (1 + 1e-12))
        fail("stimulus.jitter.max_ms", "max delay + spike width must fit in stimulus.input_bin_ms");

    const double nb = c.response.window_ms / c.response.bin_ms;
    if (!std::isfinite(nb) || std::round(nb) > k_max_output_bins)
        fail("response.window_ms", "/ response.bin_ms gives " + num(nb) + " output bins; at most " +
                                       std::to_string(k_max_output_bins) + " are supported");
    if (std::fabs(nb - std::round(nb)) > 1e-9 * nb || std::round(nb) < 1)
        fail("response.window_ms", "must be a whole number of response.bin_ms (" + num(nb) + ")");
    c.n_bins = static_cast<std::uint32_t>(std::llround(nb));

    if (c.simulation.dt_us * 1e-3 > st.spike_width_ms / 10.0)
        fail("simulation.dt_us",
             "too coarse for stimulus.spike_width_ms: need at least 10 steps per input spike");

    check_devices_value(c.simulation.devices); // its form; whether the devices exist, at run time

    c.conductances_uS = expand_conductance_grid(c.conductance_grid, "conductance_grid");
    for (std::size_t i = 0; i < c.conductances_uS.size(); ++i) {
        const auto& g = c.conductances_uS[i];
        if (c.synapse_model == SynapseModel::ul_gap)
            for (double gi : g)
                if (!(gi > 0))
                    fail("conductance_grid", "point " + std::to_string(i) +
                                                 ": the ul-gap model needs conductances > 0 (use "
                                                 "synapse.model=linear for 0)");
        const bool equal = g[0] == g[1] && g[1] == g[2] && g[2] == g[3];
        if (!equal && c.stimulus_set_kind == StimulusSetKind::symmetric && !st.force_symmetric)
            fail("stimulus.set",
                 "point " + std::to_string(i) +
                     " has unequal per-synapse conductances, which breaks the permutation symmetry "
                     "of the 'symmetric' set; use stimulus.set=all, or "
                     "stimulus.force_symmetric=true "
                     "to deliver only the canonical member of each class");
    }

    check_synapse_physics(c); // synapse.noise, synapse.plasticity (errors name their key)

    c.estimator_options = estimator_options_from(c.information, c.seed); // errors name their key
    const auto& names = c.estimator_options.estimators;
    if (std::find(names.begin(), names.end(), "qe") != names.end() && c.simulation.repeats < 4 &&
        c.estimator_options.small_sample == SmallSamplePolicy::refuse)
        fail("information.qe.small_sample",
             "QE needs simulation.repeats >= 4 (got " + std::to_string(c.simulation.repeats) +
                 "); set it to \"fallback\" to report plug-in with a flag");

    // Integer step counts must exist and every derived number be finite; checking here keeps
    // make_sim_params and make_conditions free of errors.
    const SimParams p = make_sim_params(c);
    check_conditions(c, make_conditions(c, p));
}

} // namespace

bool execution_key(const std::string& key_path) {
    return key_path == "output.path" || key_path == "simulation.backend" ||
           key_path == "simulation.devices" || key_path == "simulation.threads" ||
           key_path == "simulation.batch_trials";
}

json default_card() { return resolve_config(json::object()).card; }

json parse_card_text(const std::string& text, const std::string& source) {
    return parse_json_text(text, source);
}

json read_card_file(const std::string& path) {
    // Only a regular file is read, and only up to a size: /dev/zero would be read forever, a FIFO
    // would block the open, and a directory is not "invalid JSON".
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw IoError(path + ": cannot open run card for reading (" + std::strerror(errno) + ")");
    if (S_ISDIR(st.st_mode)) throw IoError(path + ": is a directory, not a run card");
    if (!S_ISREG(st.st_mode))
        throw IoError(path + ": not a regular file (a run card is a JSON file)");
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        throw IoError(path + ": cannot open run card for reading (" + std::strerror(errno) + ")");
    std::string text;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            throw IoError(path + ": cannot read run card (" + std::strerror(err) + ")");
        }
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > k_max_card_bytes) {
            ::close(fd);
            throw IoError(path + ": larger than " + std::to_string(k_max_card_bytes >> 20) +
                          " MiB, not a run card");
        }
    }
    ::close(fd);
    json card = parse_card_text(text, path);
    if (!card.is_object())
        throw ConfigError(path + ": a run card is a JSON object ({\"key\": value, ...}), got " +
                          std::string(card.type_name()));
    return card;
}

json stored_card_from_text(const std::string& text, const std::string& source) {
    json card = parse_card_text(text, source);
    if (!card.is_object())
        throw IoError(source + " holds " + std::string(card.type_name()) +
                      ", not a run card (a JSON object)");
    return migrate_stored_card(std::move(card));
}

json migrate_stored_card(json card) {
    if (card.is_object() && !card.contains("format")) {
        if (card.contains("backspike") && card["backspike"].is_object())
            card["backspike"].erase("amplitude_V");
    }
    return card;
}

namespace {

//! A card file is valid UTF-8 (the JSON parser checks), a command-line argument need not be: a key
//! or string that is not would make every later dump() of the card throw (a fuzz finding).
//! ConfigError "`what` TEXT: not valid UTF-8 text", TEXT quoted with the bad bytes replaced.
void require_utf8(const std::string& text, const std::string& what) {
    try {
        (void)json(text).dump();
    } catch (const json::type_error&) {
        throw ConfigError(what + " " +
                          json(text).dump(-1, ' ', false, json::error_handler_t::replace) +
                          ": not valid UTF-8 text");
    }
}

} // namespace

void apply_override(json& card, const std::string& assignment) {
    require_utf8(assignment, "--set");
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw ConfigError("--set " + assignment + ": expected key.path=value");
    const std::string key = assignment.substr(0, eq), text = assignment.substr(eq + 1);
    const std::string where = "--set " + key;
    bool bare_word = false;
    json value = parse_json_text(text, where, &bare_word);
    if (bare_word) value = text; // a bare word is a string: --set stimulus.set=all
    std::vector<std::string> parts;
    for (std::size_t begin = 0;;) {
        const std::size_t dot = key.find('.', begin);
        parts.push_back(
            key.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin));
        if (parts.back().empty()) throw ConfigError(where + ": empty component in the key path");
        if (parts.size() > k_max_card_depth)
            throw ConfigError(where + ": key path deeper than " + std::to_string(k_max_card_depth) +
                              " levels");
        if (dot == std::string::npos) break;
        begin = dot + 1;
    }
    if (!card.is_object())
        throw ConfigError(where + ": the card is " + std::string(card.type_name()) +
                          ", not a JSON object");
    json* j = &card;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        if (j->is_null()) *j = json::object();
        if (!j->is_object())
            throw ConfigError(where + ": the card has a value, not a section, on this path");
        j = &(*j)[parts[i]];
    }
    if (j->is_null()) *j = json::object();
    if (!j->is_object())
        throw ConfigError(where + ": the card has a value, not a section, on this path");
    (*j)[parts.back()] = std::move(value);
}

void apply_string_override(json& card, const std::string& key, const std::string& value) {
    require_utf8(value, key + " =");
    apply_override(card, key + "=" + json(value).dump());
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
        fail("experiment.kind",
             "unknown kind \"" + c.experiment.kind + "\"; expected one of " + kinds);
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
        p.jitter.max_steps = whole_steps(j.max_ms * 1e-3, dt_s, "stimulus.jitter.max_ms");
    } else if (j.law == "poisson") {
        // The delay is k units, k <= k_max = floor(max_ms / unit_ms) (kernels/jitter.hpp). The
        // unit is a whole number of steps (at least one: a shorter unit rounds every delay to 0),
        // and k_max is checked in double before any integer conversion.
        const std::uint32_t unit_steps =
            whole_steps(j.unit_ms * 1e-3, dt_s, "stimulus.jitter.unit_ms", 1);
        if (unit_steps >= 65536u)
            fail("stimulus.jitter.unit_ms",
                 "is " + num(unit_steps) +
                     " steps of simulation.dt_us; at most 65535 are supported");
        const double units = j.max_ms / j.unit_ms;
        if (!(units + 1e-9 < k_max_jitter_table))
            fail("stimulus.jitter.unit_ms", "max_ms/unit_ms = " + num(units) + " must be < " +
                                                std::to_string(k_max_jitter_table));
        const auto k_max = static_cast<std::uint32_t>(std::floor(units + 1e-9));
        const double mean_units = j.mean_ms / j.unit_ms;
        // redraw conditions the law on k <= k_max: its normalisation starts at exp(-mean), which
        // underflows to 0 for a mean far above the unit (the table would be NaN)
        if (j.truncation == "redraw" && !(std::exp(-mean_units) > 0))
            fail("stimulus.jitter.mean_ms", "mean_ms/unit_ms = " + num(mean_units) +
                                                " is too large for truncation = redraw; use clip");
        if (!make_poisson_jitter_table(p.jitter, mean_units, k_max, unit_steps,
                                       j.truncation == "redraw"))
            fail("stimulus.jitter.unit_ms",
                 "max_ms/unit_ms must be < " + std::to_string(k_max_jitter_table));
    } else {
        p.jitter.law = JitterLaw::none;
    }
    p.backspike.enabled = c.backspike.enabled ? 1u : 0u;
    if (c.backspike.enabled) {
        p.backspike.width_steps =
            whole_steps(c.backspike.width_us * 1e-6, dt_s, "backspike.width_us", 1);
        // An interval is drawn as -mean ln(u) + 0.5 steps with u >= 2^-32 (kernels/backspike.hpp)
        // and must fit the 32-bit step count: at most 22.2 mean intervals.
        p.backspike.mean_interval_steps = c.backspike.mean_interval_ms * 1e-3 / dt_s;
        if (!(p.backspike.mean_interval_steps * 22.2 < k_max_steps))
            fail("backspike.mean_interval_ms", "is " + num(p.backspike.mean_interval_steps) +
                                                   " steps of simulation.dt_us; at most " +
                                                   num(k_max_steps / 22.2) + " are supported");
    }
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
            cp.current_A[i] =
                cp.g_S[i] > 0 ? synapse_current_A(c.synapse_model, ul, cp.g_S[i],
                                                  c.synapse.v_read_V, c.stimulus.spike_amplitude_V)
                              : 0.0;
            cp.weight[i] = normalised_weight(cp.current_A[i], c.neuron.tau_ms * 1e-3,
                                             c.neuron.c_nF * 1e-9, c.neuron.v_th_V);
            a[i] = step_increment(cp.weight[i], p.decay);
        }
        cp.drive = SynapseDrive{a[0], a[1], a[2], a[3]};
        out.push_back(cp);
    }
    return out;
}

std::size_t condition_count(const RunConfig& cfg) {
    return cfg.conductances_uS.size() * noise_axis_values(cfg.synapse.noise).size();
}

SweepPlan make_sweep(const RunConfig& cfg, std::uint32_t repeats, const std::uint64_t* seed,
                     const std::vector<std::uint32_t>& conditions) {
    SweepPlan plan;
    plan.stimuli = make_stimulus_set(cfg.stimulus_set_kind);
    plan.p_s = stimulus_probabilities(plan.stimuli, cfg.p_s_mode);
    SimParams params = make_sim_params(cfg);
    if (seed) params.seed = *seed;
    const std::vector<ConditionPoint> grid = make_conditions(cfg, params);
    const std::vector<double> amplitudes = noise_axis_values(cfg.synapse.noise);
    const std::size_t n_all = grid.size() * amplitudes.size();
    std::vector<std::uint32_t> chosen = conditions;
    if (chosen.empty())
        for (std::size_t k = 0; k < n_all; ++k) chosen.push_back(static_cast<std::uint32_t>(k));
    SweepSpec& spec = plan.spec;
    spec.params = params;
    const SynapseNoiseCard& noise = cfg.synapse.noise;
    const bool noisy = noise_on(noise);
    if (cfg.synapse.plasticity.enabled) spec.plasticity = make_plasticity_params(cfg);
    for (std::uint32_t k : chosen) {
        if (k >= n_all)
            throw std::out_of_range("make_sweep: condition " + std::to_string(k) + " of " +
                                    std::to_string(n_all));
        const std::uint32_t g = static_cast<std::uint32_t>(k / amplitudes.size());
        const double a = amplitudes[k % amplitudes.size()];
        plan.points.push_back(grid[g]);
        plan.grid_point.push_back(g);
        plan.noise_amplitude.push_back(a);
        if (noisy) spec.noise.push_back(make_synapse_noise(noise, cfg.simulation.dt_us * 1e-6, a));
        if (spec.plasticity.enabled) {
            const auto& gs = grid[g].g_S;
            spec.conductances.push_back({gs[0], gs[1], gs[2], gs[3]});
        }
    }
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
