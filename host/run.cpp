// SPDX-License-Identifier: MIT
//! \file host/run.cpp
#include "run.hpp"

#include "card_text.hpp"
#include "multi_device.hpp"
#include "output_file.hpp"
#include "resource_check.hpp"

#include "io/checkpoint.hpp"
#include "io/run_file.hpp"

#include "memlif/config.hpp"

#if MEMLIF_USE_OPENMP
#include <omp.h>
#endif

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace memlif {

namespace {

std::atomic<int> g_stop{0};

extern "C" void on_stop_signal(int sig) {
    // The first signal asks for a stop at the next check; a second one ends the process now,
    // which is safe because the file is consistent at every instant (its last commit).
    int expected = 0;
    if (!g_stop.compare_exchange_strong(expected, sig)) {
        std::signal(sig, SIG_DFL);
        std::raise(sig);
    }
}

const char* signal_name(int sig) {
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

//! The first key path where two resolved cards differ ("" if none), with both values.
std::string first_difference(const nlohmann::json& a, const nlohmann::json& b,
                             const std::string& path, std::string& va, std::string& vb) {
    if (execution_key(path)) return "";
    if (a.is_object() && b.is_object()) {
        for (auto it = a.begin(); it != a.end(); ++it) {
            const std::string sub = path.empty() ? it.key() : path + "." + it.key();
            if (!b.contains(it.key())) {
                va = it.value().dump();
                vb = "absent";
                return sub;
            }
            const std::string d = first_difference(it.value(), b.at(it.key()), sub, va, vb);
            if (!d.empty()) return d;
        }
        for (auto it = b.begin(); it != b.end(); ++it)
            if (!a.contains(it.key())) {
                va = "absent";
                vb = it.value().dump();
                return path.empty() ? it.key() : path + "." + it.key();
            }
        return "";
    }
    if (a == b) return "";
    va = a.dump();
    vb = b.dump();
    if (va.size() > 60) va = va.substr(0, 57) + "...";
    if (vb.size() > 60) vb = vb.substr(0, 57) + "...";
    return path.empty() ? "<card>" : path;
}

std::string backend_kind(const std::string& description) {
    return description.substr(0, description.find(':'));
}

int cpu_threads(const RunConfig& cfg) {
    if (cfg.simulation.threads > 0) return static_cast<int>(cfg.simulation.threads);
#if MEMLIF_USE_OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

} // namespace

void install_stop_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; // HDF5's writes are not interrupted half-way
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::signal(SIGXFSZ, SIG_IGN);
}

bool stop_requested() { return g_stop.load() != 0; }

int stop_signal() { return g_stop.load(); }

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
        "Philox4x32-10; key = (seed & 0xffffffff, seed >> 32); counter = (trial_id & 0xffffffff, "
        "trial_id >> 32, "
        "draw, stream); trial_id = condition << 48 | stimulus_code << 32 | repeat; stream 0 = "
        "jitter (draw = input "
        "bin, word i = input i), stream 1 = back-spike intervals (draw = back-spike number)";
    return meta;
}

namespace {

//! Keeps a copy of the partial file as it is now, at the start of a stage after the sweep (or of
//! the finish), as paths.snapshot. HDF5 orders no metadata writes: a SIGKILL inside a flush that
//! creates or grows groups can leave a group heap or B-tree pointing at objects never written
//! (1 in about 100 random kills of tests/cli/resume_test.cpp did), which no repair undoes. The
//! stages after the sweep create such objects; the sweep's row commits are read back and cut by
//! RunWriter(path, Resume) instead. Best effort: without the room for a copy the run goes on
//! without one, saying so once.
void snapshot_partial(const OutputPaths& paths) {
    const std::string tmp = paths.snapshot + ".new";
    try {
        copy_for_update(paths.partial, tmp);
        commit_file(tmp, paths.snapshot);
        io::checkpoint("snapshot");
    } catch (const IoError& e) {
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        std::filesystem::remove(paths.snapshot, ec); // an older phase's copy would be wrong
        static bool said = false;
        if (!said)
            std::fprintf(stderr, "memlif: no snapshot of the partial file kept (%s)\n", e.what());
        said = true;
    }
}

//! Resuming: where the partial file cannot be read whole (torn by a kill inside a flush) and a
//! snapshot exists, the snapshot replaces it, and the run continues from the start of the stage
//! it was taken at. Without a snapshot the partial file stays as it is, for the reader to refuse.
void restore_torn_partial(const OutputPaths& paths) {
    namespace fs = std::filesystem;
    if (!fs::exists(paths.partial) || !fs::exists(paths.snapshot)) return;
    try {
        io::check_run_file_readable(paths.partial); // after repair_end_of_allocation (stored_card)
        return;
    } catch (const IoError& e) {
        std::fprintf(stderr,
                     "memlif: '%s' was torn by the interruption (%s); continuing from its snapshot "
                     "'%s'\n",
                     paths.partial.c_str(), e.what(), paths.snapshot.c_str());
    }
    commit_file(paths.snapshot, paths.partial);
}

} // namespace

nlohmann::json stored_card(const std::string& path) {
    const OutputPaths paths = output_paths(path);
    if (!std::filesystem::exists(paths.partial)) {
        std::string why = "'" + paths.partial + "' does not exist";
        if (std::filesystem::exists(paths.target))
            why += " ('" + paths.target + "' is there: a finished run is not resumed)";
        throw IoError("no interrupted run of '" + paths.target + "' to resume: " + why);
    }
    // Under the output's lock (a running writer refuses this), the file is first made readable
    // where a kill inside a flush left it behind itself.
    static std::unique_ptr<OutputLock>
        lock; // held until the process ends (execute_run nests in it)
    if (!lock) lock = std::make_unique<OutputLock>(paths);
    io::repair_end_of_allocation(paths.partial);
    restore_torn_partial(paths);
    // read_stored_run, not RunReader: a device kind's file has no MI layout and resumes too
    const io::StoredRun meta = io::read_stored_run(paths.partial);
    const auto v = meta.format_version;
    if (v[1] < 3)
        throw IoError("'" + paths.partial + "' was written in format " + std::to_string(v[0]) +
                      "." + std::to_string(v[1]) +
                      ", before runs could be resumed; start it again with --force");
    if (meta.software_version != MEMLIF_VERSION || meta.git_sha != MEMLIF_GIT_SHA)
        throw UsageError(
            "'" + paths.partial + "' was started by memlif " + meta.software_version + " (git " +
            meta.git_sha + "), this is memlif " + MEMLIF_VERSION + " (git " + MEMLIF_GIT_SHA +
            "): resume it with the build that started it, or start again with --force");
    return stored_card_from_text(meta.config_json, paths.partial + ":/config_json");
}

RunConfig resume_config(const std::string& path, const nlohmann::json* user) {
    const OutputPaths paths = output_paths(path);
    const nlohmann::json stored = stored_card(path);
    RunConfig cfg = resolve_config(user ? *user : stored);
    std::string in_file, now;
    const std::string key = first_difference(stored, cfg.card, "", in_file, now);
    if (!key.empty())
        throw ConfigError(
            key + ": is " + in_file + " in the interrupted run '" + paths.partial + "' but " + now +
            " now; a run is resumed only with the card it was started with (the card and seed "
            "are read from the file: omit the card and --set, except for simulation.backend, "
            ".devices, .threads and .batch_trials)");
    cfg.card = stored; // the file's own record stays as it is
    cfg.output.path = paths.target;
    return cfg;
}

RunReport execute_run(const RunConfig& cfg, const RunOptions& opts,
                      const std::vector<std::string>& inputs) {
    const auto t0 = std::chrono::steady_clock::now();
    const Experiment* primary = find_experiment(cfg.experiment.kind, true);
    const OutputPaths paths = output_paths(cfg.output.path);
    if (opts.resume) {
        for (const std::string& in : inputs)
            if (same_file(paths.partial, in) || same_file(paths.target, in))
                throw IoError("the output '" + paths.target + "' is the input '" + in +
                              "' (the same file)");
        // the finished run would be renamed onto it: the same rule as a new run's, without a
        // --force (which --resume does not take)
        struct stat st {};
        if (std::filesystem::exists(paths.partial) && ::lstat(paths.target.c_str(), &st) == 0)
            throw IoError("'" + paths.target + "' exists; the resumed run of '" + paths.partial +
                          "' would replace it: move it away first");
    } else {
        check_output_target(paths, inputs, opts.force);
    }
    // From here on no other memlif writes this output; what is checked below stays true.
    const OutputLock lock(paths);
    namespace fs = std::filesystem;
    if (opts.resume) {
        if (!fs::exists(paths.partial)) (void)stored_card(paths.target); // throws the explanation
    } else if (fs::exists(paths.partial)) {
        if (!opts.force) {
            std::string state;
            try {
                const io::StoredRun r = io::read_stored_run(paths.partial);
                state = " (phase " + r.phase +
                        (r.n_conditions == 0
                             ? std::string()
                             : ", " + std::to_string(r.n_conditions_completed) + " of " +
                                   std::to_string(r.n_conditions) + " conditions") +
                        ")";
            } catch (const IoError&) {
                state = " (unreadable)";
            }
            throw IoError("an interrupted run of '" + paths.target + "' is kept in '" +
                          paths.partial + "'" + state + ": continue it with `memlif run --resume " +
                          paths.target + "`, or start again with --force");
        }
        remove_own_file(paths.partial);
    }
    if (!opts.resume) remove_own_file(paths.snapshot); // a copy of an earlier, discarded run

    const BackendChoice backend = choose_run_backend(cfg); // simulation.backend and .devices
    if (opts.resume) {
        const std::string was = io::read_stored_run(paths.partial).backend;
        if (backend_kind(was) != backend_kind(backend.description))
            throw UsageError("'" + paths.partial + "' was started on " + was +
                             "; it is resumed on the same kind of "
                             "backend only (this one is " +
                             backend.description + "; use --backend)");
    }

    // Everything the run will need, before anything is written.
    std::vector<ResourceNeeds> needs{primary->resources(cfg)};
    for (const Experiment* e : experiments())
        if (std::string(e->follows()) == primary->kind() && e->enabled(cfg))
            needs.push_back(e->resources(cfg));
    const std::string dir = fs::path(paths.target).parent_path().empty()
                                ? "."
                                : fs::path(paths.target).parent_path().string();
    std::error_code ec;
    const double existing =
        opts.resume ? static_cast<double>(fs::file_size(paths.partial, ec)) : 0.0;
    check_resources(needs, machine_limits(dir), ec ? 0.0 : existing);
    if (backend.kind == BackendKind::cpu) check_threads(cpu_threads(cfg), "simulation.threads");

    RunReport rep;
    rep.output_path = paths.target;
    rep.backend = backend.description;
    if (opts.resume && io::read_stored_run(paths.partial).complete) {
        // Killed between sealing the file and renaming it: only the rename is left to do.
        commit_file(paths.partial, paths.target);
        io::checkpoint("renamed");
        fs::remove(paths.snapshot);
        rep.phase = "complete";
        rep.text = "the interrupted run was complete; renamed it\n";
        return rep;
    }
    RunContext ctx{cfg, backend, opts, rep, &stop_requested, paths.partial, opts.resume, {}};
    ctx.enter_phase = [&](const std::string& phase) {
        io::set_run_phase(ctx.file, phase);
        if (phase != "sweep") snapshot_partial(paths);
        rep.phase = phase;
    };
    rep.phase = "sweep";
    try {
        primary->run(ctx);
        // A stop is honoured by the stage that is running (each polls it); a stage that starts
        // after it records itself as the phase and stops at once.
        for (const Experiment* e : experiments()) {
            if (rep.interrupted) break;
            if (std::string(e->follows()) == primary->kind() && e->enabled(cfg)) e->run(ctx);
        }
    } catch (const std::exception& e) {
        // The file stays for inspection (and, once the cause is fixed, for --resume), saying why.
        if (!io::h5::poisoned() && fs::exists(paths.partial)) {
            try {
                io::mark_run_incomplete(paths.partial, std::string("failed: ") + e.what());
            } catch (...) {
            }
        }
        if (fs::exists(paths.partial))
            std::fprintf(stderr, "memlif: the run stopped in phase %s; its file is kept as '%s'\n",
                         rep.phase.c_str(), paths.partial.c_str());
        throw;
    }
    rep.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rep.n_trials = 0;
    for (const StageTiming& s : rep.stages) rep.n_trials += s.n_trials;
    // A stop that came after the last unit of work does not leave a finished run unfinished.
    if (rep.interrupted) {
        rep.stop_signal = stop_signal();
        rep.partial_path = paths.partial;
        const std::string reason =
            rep.stop_signal ? std::string("interrupted by ") + signal_name(rep.stop_signal)
                            : "interrupted";
        io::mark_run_incomplete(paths.partial, reason);
        return rep;
    }
    io::RuntimeInfo rt;
    rt.wall_s = rep.wall_s;
    rt.n_trials = rep.n_trials;
    rt.trials_per_s = rep.wall_s > 0 ? static_cast<double>(rep.n_trials) / rep.wall_s : 0.0;
    for (const StageTiming& s : rep.stages) rt.stages.push_back({s.name, s.wall_s, s.n_trials});
    snapshot_partial(paths); // finish_run adds /runtime: a kill inside it is undone the same way
    io::finish_run(paths.partial, rt);
    fs::remove(paths.snapshot); // the sealed file is whole: a resume only renames it
    commit_file(paths.partial, paths.target);
    io::checkpoint("renamed");
    rep.phase = "complete";
    return rep;
}

} // namespace memlif
