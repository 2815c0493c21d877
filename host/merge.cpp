// SPDX-License-Identifier: MIT
//! \file host/merge.cpp
#include "merge.hpp"
#include "wall_clock.hpp"

#include "output_file.hpp"

#include "analyze.hpp"
#include "experiments/ground_truth.hpp"
#include "progress.hpp"
#include "run.hpp"
#include "shard.hpp"
#include "sweep_file.hpp"

#include "io/run_file.hpp"
#include "io/text.hpp"

#include "memlif/core/errors.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <tuple>
#include <unistd.h>

namespace memlif {

namespace {

std::string q(const std::string& s) { return io::in_quotes(s); }

std::string shard_name(const io::ShardIdentity& id) {
    return std::to_string(id.shard_index) + "/" + std::to_string(id.shard_count);
}

//! The first key in which two resolved cards differ, as a JSON pointer ("/neuron/tau_ms").
std::string first_difference(const nlohmann::json& a, const nlohmann::json& b) {
    const nlohmann::json patch = nlohmann::json::diff(a, b);
    return patch.empty() ? "?" : patch[0].value("path", "?");
}

//! Refuses any set of shards that is not exactly one sweep, naming the file at fault.
void check_shard_set(const std::vector<io::ShardReader>& shards,
                     const std::vector<io::ShardIdentity>& ids) {
    if (shards.empty()) throw UsageError("merge: no shard files given");
    const io::ShardIdentity& a = ids[0];
    const std::string& a_path = shards[0].path();
    for (std::size_t i = 0; i < shards.size(); ++i) {
        const io::ShardIdentity& b = ids[i];
        const std::string& p = shards[i].path();
        if (!shards[i].complete())
            throw UsageError(q(p) + ": shard " + shard_name(b) + " is incomplete (" +
                             shards[i].incomplete_reason() + "); run it again");
        if (i == 0) continue;
        if (b.experiment_kind != a.experiment_kind)
            throw UsageError(q(p) + ": experiment kind " + b.experiment_kind + ", but " +
                             q(a_path) + " is " + a.experiment_kind);
        if (b.shard_count != a.shard_count)
            throw UsageError(q(p) + " is shard " + shard_name(b) + ", but " + q(a_path) +
                             " is shard " + shard_name(a) +
                             ": all shards must split one sweep "
                             "into the same N");
        if (b.seed != a.seed)
            throw UsageError(q(p) + ": seed " + std::to_string(b.seed) + ", but " + q(a_path) +
                             " has seed " + std::to_string(a.seed) + ": shards of another run");
        if (b.card_digest != a.card_digest) {
            const auto ca =
                sweep_identity(stored_card_from_text(a.config_json, a_path + ":/config_json"));
            const auto cb =
                sweep_identity(stored_card_from_text(b.config_json, p + ":/config_json"));
            throw UsageError(q(p) + ": another card than " + q(a_path) + " (first difference at " +
                             first_difference(ca, cb) + "): shards of another sweep");
        }
        if (b.software_version != a.software_version || b.git_sha != a.git_sha)
            throw UsageError(q(p) + " was written by memlif " + b.software_version + " (git " +
                             b.git_sha + "), " + q(a_path) + " by memlif " + a.software_version +
                             " (git " + a.git_sha + "): shards must come from one build");
    }
    std::vector<std::size_t> owner(a.shard_count, shards.size());
    for (std::size_t i = 0; i < shards.size(); ++i) {
        const std::uint32_t k = ids[i].shard_index;
        if (k >= a.shard_count)
            throw UsageError(q(shards[i].path()) + ": shard index " + std::to_string(k) +
                             " is not below its shard count " + std::to_string(a.shard_count));
        if (owner[k] != shards.size())
            throw UsageError(q(shards[i].path()) + ": shard " + shard_name(ids[i]) +
                             " is given twice (also " + q(shards[owner[k]].path()) + ")");
        owner[k] = i;
    }
    std::string missing;
    std::size_t n_missing = 0;
    for (std::uint32_t k = 0; k < a.shard_count; ++k) {
        if (owner[k] != shards.size()) continue;
        if (n_missing++ < 8)
            missing += (missing.empty() ? "" : ", ") + std::to_string(k) + "/" +
                       std::to_string(a.shard_count);
    }
    if (n_missing > 0)
        throw UsageError("merge: " + std::to_string(n_missing) + " of " +
                         std::to_string(a.shard_count) + " shards missing (" + missing +
                         (n_missing > 8 ? ", ..." : "") + ") beside " + q(a_path));
}

//! Checks that each shard's stage covers exactly the units its index owns in `plan`.
void check_stage(const io::ShardReader& shard, const io::ShardIdentity& id, io::ShardStageKind kind,
                 const SweepPlan& plan) {
    const char* what = kind == io::ShardStageKind::sweep ? "sweep" : "ground-truth reruns";
    if (!shard.has_stage(kind))
        throw UsageError(q(shard.path()) + ": holds no " + what + " part (" +
                         io::shard_stage_path(kind) + ")");
    const io::ShardStage st = shard.stage(kind);
    const auto n_c = static_cast<std::uint32_t>(plan.points.size());
    const auto n_s = static_cast<std::uint32_t>(plan.stimuli.size());
    const UnitRange want = shard_units(std::uint64_t(n_c) * n_s, {id.shard_index, id.shard_count});
    if (st.n_conditions != n_c || st.n_stimuli != n_s || st.n_repeats != plan.spec.n_repeats ||
        st.unit_begin != want.begin || st.unit_end != want.end)
        throw UsageError(q(shard.path()) + ": its " + what + " part covers units [" +
                         std::to_string(st.unit_begin) + ", " + std::to_string(st.unit_end) +
                         ") of " + std::to_string(st.n_conditions) + " x " +
                         std::to_string(st.n_stimuli) + ", but shard " + shard_name(id) +
                         " of its card owns [" + std::to_string(want.begin) + ", " +
                         std::to_string(want.end) + ")");
}

//! Sums the shards' rows of one condition into its counts; IoError naming the condition if the
//! shards do not hold exactly `n_repeats` trials of every stimulus.
ConditionCounts sum_condition(const std::vector<io::ShardReader>& shards,
                              const std::vector<io::ShardStage>& stages, io::ShardStageKind kind,
                              std::uint32_t c, std::uint32_t n_s, std::uint32_t n_repeats,
                              std::uint32_t n_bins, std::uint64_t& spikes, double& wall_s) {
    std::vector<std::tuple<std::uint32_t, std::uint64_t, std::uint64_t>> rows;
    std::vector<std::uint32_t> st;
    std::vector<std::uint64_t> wd, ct;
    spikes = 0;
    wall_s = 0;
    for (std::size_t i = 0; i < shards.size(); ++i) {
        if (stages[i].n_trials[c] == 0) continue;
        spikes += stages[i].output_spikes[c];
        wall_s += stages[i].wall_s[c];
        shards[i].condition_rows(kind, c, st, wd, ct);
        for (std::size_t k = 0; k < st.size(); ++k) rows.emplace_back(st[k], wd[k], ct[k]);
    }
    std::sort(rows.begin(), rows.end());
    ConditionCounts out;
    out.n_bins = n_bins;
    out.offsets.assign(std::size_t(n_s) + 1, 0);
    std::vector<std::uint64_t> per_stimulus(n_s, 0);
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const auto [s, w, n] = rows[k];
        if (s >= n_s)
            throw IoError("merge: stimulus index out of range in condition " + std::to_string(c));
        per_stimulus[s] += n;
        if (!out.words.empty() && k > 0 && std::get<0>(rows[k - 1]) == s &&
            std::get<1>(rows[k - 1]) == w) {
            out.counts.back() += n; // the same unit in two shards is refused above; sum anyway
            continue;
        }
        out.words.push_back(w);
        out.counts.push_back(n);
        out.offsets[s + 1] = out.words.size();
    }
    for (std::uint32_t s = 0; s < n_s; ++s) {
        if (per_stimulus[s] != n_repeats)
            throw IoError("merge: condition " + std::to_string(c) + ", stimulus " +
                          std::to_string(s) + " holds " + std::to_string(per_stimulus[s]) +
                          " trials over the shards, " + "expected " + std::to_string(n_repeats));
        out.offsets[s + 1] = std::max(out.offsets[s + 1], out.offsets[s]);
    }
    return out;
}

//! Removes the temporary file unless the merge got to the rename.
struct TempFile {
    std::string path;
    bool keep = false;
    ~TempFile() {
        if (!keep) std::remove(path.c_str());
    }
};

//! Thrown where a merge polls a stop (SIGINT, SIGTERM): unwinding removes the temporary file and
//! releases the lock, so a stopped merge leaves nothing behind.
struct MergeStopped {};

void stop_point() {
    if (stop_requested()) throw MergeStopped{};
}

RunReport merge_shards_impl(const std::string& out, const std::vector<io::ShardReader>& shards,
                            const MergeOptions& opts) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<io::ShardIdentity> ids;
    for (const auto& s : shards) ids.push_back(s.identity());
    check_shard_set(shards, ids);
    // As a run writes its file (output_file.hpp): never one of the shards, no overwrite without
    // --force, a second writer refused before anything is touched.
    const OutputPaths paths = output_paths(out);
    std::vector<std::string> inputs;
    for (const auto& s : shards) inputs.push_back(s.path());
    check_output_target(paths, inputs, opts.force);
    const OutputLock lock(paths);

    // The card of the shards, with the output it is merged into.
    nlohmann::json card =
        stored_card_from_text(ids[0].config_json, shards[0].path() + ":/config_json");
    card["output"]["path"] = out;
    if (!opts.backend.empty()) card["simulation"]["backend"] = opts.backend;
    RunConfig cfg = resolve_config(card);
    const SweepPlan plan = make_sweep(cfg);
    const std::optional<GroundTruthPlan> gt = ground_truth_plan(cfg);
    for (std::size_t i = 0; i < shards.size(); ++i) {
        check_stage(shards[i], ids[i], io::ShardStageKind::sweep, plan);
        if (gt) check_stage(shards[i], ids[i], io::ShardStageKind::ground_truth, gt->plan);
    }

    // Written beside OUT and renamed at the end: OUT is either the whole merge or untouched.
    TempFile tmp{out + ".merge-" + std::to_string(::getpid())};
    cfg.output.path = tmp.path; // the card keeps OUT
    CpuOptions cpu;
    BackendChoice backend = choose_backend("cpu", cpu);
    backend.description =
        "merge of " + std::to_string(shards.size()) + " shards (" + ids[0].backend + ")";
    RunReport rep;
    rep.output_path = out;
    rep.backend = backend.description;

    const auto n_c = static_cast<std::uint32_t>(plan.points.size());
    const auto n_s = static_cast<std::uint32_t>(plan.stimuli.size());
    std::uint64_t shard_trials = 0;
    {
        std::vector<io::ShardStage> stages;
        for (const auto& s : shards) stages.push_back(s.stage(io::ShardStageKind::sweep));
        io::RunWriter writer(tmp.path, make_run_metadata(cfg, backend), stimulus_table(plan),
                             condition_axis(plan), false);
        Progress progress(0, true);
        SweepFileSink sink(writer, plan, progress, nullptr);
        for (std::uint32_t c = 0; c < n_c; ++c) {
            stop_point();
            ConditionOutput o;
            o.condition = c;
            std::uint64_t spikes = 0;
            o.counts = sum_condition(shards, stages, io::ShardStageKind::sweep, c, n_s,
                                     plan.spec.n_repeats, cfg.n_bins, spikes, o.kernel_s);
            const std::uint64_t n = std::uint64_t(n_s) * plan.spec.n_repeats;
            // as the backends compute it: one division of the integer totals
            o.mean_output_spikes = n ? static_cast<double>(spikes) / static_cast<double>(n) : 0.0;
            sink.consume(std::move(o));
        }
        writer.close();
        shard_trials = sink.trials();
    }
    rep.stages.push_back({"merge", seconds_since(t0), 0});

    stop_point();
    const auto t1 = std::chrono::steady_clock::now();
    analyze_run_stage(cfg);
    rep.stages.push_back({"analysis", seconds_since(t1), 0});

    // The follow-up stages in run order: those that simulate nothing run as in `run`; the
    // ground-truth table is written from the shards' summed reruns.
    RunOptions ropts;
    ropts.quiet = opts.quiet;
    RunContext ctx{cfg, backend, ropts, rep, nullptr, tmp.path, false, {}};
    ctx.enter_phase = [&](const std::string& phase) { io::set_run_phase(tmp.path, phase); };
    for (const Experiment* e : experiments()) {
        if (std::string(e->follows()) != "mi_sweep" || !e->enabled(cfg)) continue;
        stop_point();
        if (std::string(e->kind()) == "ground_truth") {
            const auto t2 = std::chrono::steady_clock::now();
            std::vector<io::ShardStage> stages;
            for (const auto& s : shards)
                stages.push_back(s.stage(io::ShardStageKind::ground_truth));
            std::vector<ConditionCounts> reruns;
            const auto k = static_cast<std::uint32_t>(gt->plan.points.size());
            for (std::uint32_t c = 0; c < k; ++c) {
                std::uint64_t spikes = 0;
                double wall = 0;
                reruns.push_back(sum_condition(shards, stages, io::ShardStageKind::ground_truth, c,
                                               n_s, gt->plan.spec.n_repeats, cfg.n_bins, spikes,
                                               wall));
            }
            write_ground_truth(cfg, *gt, reruns, rep);
            rep.stages.push_back({"ground_truth", seconds_since(t2), 0});
        } else {
            e->run(ctx);
        }
    }

    rep.wall_s = seconds_since(t0);
    io::RuntimeInfo rt;
    rt.wall_s = rep.wall_s;
    rt.n_trials = 0; // the merge simulates nothing; the shards' trials are in /results
    for (const StageTiming& s : rep.stages) rt.stages.push_back({s.name, s.wall_s, s.n_trials});
    stop_point();
    io::finish_run(tmp.path, rt);
    commit_file(tmp.path, out); // fsync, rename, fsync of the directory
    tmp.keep = true;
    rep.n_trials = shard_trials;
    rep.rows = summary_rows_from_file(io::RunReader(out));
    return rep;
}

} // namespace

RunReport merge_shards(const std::string& out, const std::vector<io::ShardReader>& shards,
                       const MergeOptions& opts) {
    try {
        return merge_shards_impl(out, shards, opts);
    } catch (const MergeStopped&) {
        RunReport rep;
        rep.interrupted = true;
        rep.stop_signal = stop_signal();
        rep.output_path = out;
        return rep;
    }
}

int cmd_merge(const std::string& out, const std::vector<std::string>& shard_paths,
              const MergeOptions& opts) {
    std::vector<io::ShardReader> shards;
    for (const auto& p : shard_paths) shards.emplace_back(p);
    const RunReport rep = merge_shards(out, shards, opts);
    if (rep.interrupted) {
        std::fprintf(stderr, "memlif: merge interrupted; nothing was written to '%s'\n",
                     out.c_str());
        return interrupted_exit_code(rep.stop_signal);
    }
    if (!opts.quiet) std::cout << format_summary(rep.rows) << rep.text;
    std::printf("merged %zu shards (%llu trials) in %.3f s -> %s\n", shards.size(),
                static_cast<unsigned long long>(rep.n_trials), rep.wall_s, out.c_str());
    return 0;
}

} // namespace memlif
