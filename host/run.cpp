// SPDX-License-Identifier: MIT
//! \file host/run.cpp
#include "run.hpp"

#include "multi_device.hpp"

#include "io/run_file.hpp"

#include "memlif/config.hpp"

#include <atomic>
#include <chrono>
#include <csignal>

namespace memlif {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) { g_stop.store(true); }

} // namespace

void install_stop_handlers() {
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
}

bool stop_requested() { return g_stop.load(); }

io::RunMetadata make_run_metadata(const RunConfig& cfg, const BackendChoice& backend) {
    io::RunMetadata meta;
    meta.software_version = MEMLIF_VERSION;
    meta.git_sha = MEMLIF_GIT_SHA;
    meta.backend = backend.description;
    meta.config_json = cfg.card.dump(2);
    meta.seed = cfg.seed;
    meta.n_bins = cfg.n_bins;
    meta.bin_width_s = cfg.response.bin_ms * 1e-3;
    meta.window_s = cfg.response.window_ms * 1e-3;
    meta.dt_s = cfg.simulation.dt_us * 1e-6;
    meta.n_repeats = cfg.simulation.repeats;
    meta.stimulus_set = to_string(cfg.stimulus_set_kind);
    meta.p_s_mode = to_string(cfg.p_s_mode);
    meta.synapse_model = cfg.synapse.model;
    meta.experiment_kind = cfg.experiment.kind;
    meta.trial_id_layout =
        "Philox4x32-10; key = (seed & 0xffffffff, seed >> 32); counter = (trial_id & 0xffffffff, trial_id >> 32, "
        "draw, stream); trial_id = condition << 48 | stimulus_code << 32 | repeat; stream 0 = jitter (draw = input "
        "bin, word i = input i), stream 1 = back-spike intervals (draw = back-spike number)";
    return meta;
}

RunReport execute_run(const RunConfig& cfg, const RunOptions& opts) {
    const auto t0 = std::chrono::steady_clock::now();
    const Experiment* primary = find_experiment(cfg.experiment.kind, true);
    const BackendChoice backend = choose_run_backend(cfg); // simulation.backend and .devices

    RunReport rep;
    rep.output_path = cfg.output.path;
    rep.backend = backend.description;
    RunContext ctx{cfg, backend, opts, rep, &stop_requested};
    primary->run(ctx);
    for (const Experiment* e : experiments()) {
        if (rep.interrupted || stop_requested()) break;
        if (std::string(e->follows()) == primary->kind() && e->enabled(cfg)) e->run(ctx);
    }
    rep.interrupted = rep.interrupted || stop_requested();
    rep.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rep.n_trials = 0;
    for (const StageTiming& s : rep.stages) rep.n_trials += s.n_trials;
    if (rep.interrupted) {
        io::mark_run_incomplete(cfg.output.path, "interrupted");
    } else {
        io::RuntimeInfo rt;
        rt.wall_s = rep.wall_s;
        rt.n_trials = rep.n_trials;
        rt.trials_per_s = rep.wall_s > 0 ? static_cast<double>(rep.n_trials) / rep.wall_s : 0.0;
        for (const StageTiming& s : rep.stages) rt.stages.push_back({s.name, s.wall_s, s.n_trials});
        io::finish_run(cfg.output.path, rt);
    }
    return rep;
}

} // namespace memlif
