// SPDX-License-Identifier: MIT
//! \file host/shard.cpp
#include "shard.hpp"
#include "wall_clock.hpp"

#include "experiments/ground_truth.hpp"
#include "multi_device.hpp"
#include "output_file.hpp"
#include "progress.hpp"
#include "run.hpp"

#include "io/shard_file.hpp"

#include "memlif/core/errors.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace memlif {

namespace {

constexpr std::uint32_t k_max_shards = 1u << 20;

bool parse_u32(const std::string& s, std::uint32_t& out) {
    if (s.empty() || s.size() > 9) return false;
    std::uint32_t v = 0;
    for (char ch : s) {
        if (ch < '0' || ch > '9') return false;
        v = v * 10 + static_cast<std::uint32_t>(ch - '0');
    }
    out = v;
    return true;
}

//! Writes each finished piece condition into the shard file under its run condition id.
class ShardSink : public ConditionSink {
  public:
    ShardSink(io::ShardWriter& w, const SweepPiece& piece, std::uint32_t n_repeats,
              Progress& progress, std::uint64_t done_before)
        : w_(w), piece_(piece), n_repeats_(n_repeats), progress_(progress),
          done_before_(done_before) {}

    void consume(ConditionOutput&& out) override {
        const std::uint32_t n_stim = piece_.s_end - piece_.s_begin;
        if (out.counts.n_stimuli() != n_stim)
            throw std::logic_error("shard: a piece came back with the wrong number of stimuli");
        const std::uint64_t n = std::uint64_t(n_stim) * n_repeats_;
        // Both backends give spikes / n as one rounded division of integers below 2^53, so the
        // product rounds back to the integer exactly; the merge divides the summed integers.
        const auto spikes = static_cast<std::uint64_t>(
            std::llround(out.mean_output_spikes * static_cast<double>(n)));
        w_.append(piece_.c_begin + out.condition, piece_.s_begin, out.counts, n, spikes,
                  out.kernel_s);
        ++consumed_;
        trials_ += n;
    }
    void on_progress(std::uint64_t done) override { progress_.update(done_before_ + done); }
    bool stop_requested() const override { return memlif::stop_requested(); }

    std::size_t consumed() const { return consumed_; }
    std::uint64_t trials() const { return trials_; }

  private:
    io::ShardWriter& w_;
    SweepPiece piece_;
    std::uint32_t n_repeats_;
    Progress& progress_;
    std::uint64_t done_before_;
    std::size_t consumed_ = 0;
    std::uint64_t trials_ = 0;
};

//! Simulates the shard's units of one stage into the writer; false if it was stopped.
bool run_stage(io::ShardWriter& w, io::ShardStageKind kind, const SweepPlan& plan, ShardSpec shard,
               const BackendChoice& backend, Progress& progress, std::uint64_t& done,
               std::uint64_t& trials) {
    const auto n_c = static_cast<std::uint32_t>(plan.points.size());
    const auto n_s = static_cast<std::uint32_t>(plan.stimuli.size());
    const UnitRange r = shard_units(std::uint64_t(n_c) * n_s, shard);
    io::ShardStage st;
    st.n_conditions = n_c;
    st.n_stimuli = n_s;
    st.n_repeats = plan.spec.n_repeats;
    st.unit_begin = r.begin;
    st.unit_end = r.end;
    w.begin_stage(kind, st);
    for (const SweepPiece& p : sweep_pieces(r, n_s)) {
        if (memlif::stop_requested()) return false;
        ShardSink sink(w, p, plan.spec.n_repeats, progress, done);
        SweepSpec spec = piece_spec(plan.spec, p);
        spec.keep_trial_words = false;
        run_sweep(spec, sink, backend);
        done += sink.trials();
        trials += sink.trials();
        if (sink.consumed() != p.c_end - p.c_begin) return false;
    }
    w.end_stage();
    return true;
}

} // namespace

ShardSpec parse_shard(const std::string& text) {
    const auto slash = text.find('/');
    ShardSpec s;
    if (slash == std::string::npos || !parse_u32(text.substr(0, slash), s.index) ||
        !parse_u32(text.substr(slash + 1), s.count) || s.count == 0 || s.count > k_max_shards ||
        s.index >= s.count)
        throw UsageError("--shard " + text + ": expected K/N with 0 <= K < N <= " +
                         std::to_string(k_max_shards) + " (e.g. 0/4)");
    return s;
}

UnitRange shard_units(std::uint64_t n_units, ShardSpec s) {
    if (s.count == 0 || s.index >= s.count)
        throw std::invalid_argument("shard_units: shard index must be below the count");
    using U128 = unsigned __int128;
    const auto cut = [&](std::uint64_t k) {
        return static_cast<std::uint64_t>(U128(k) * n_units / s.count);
    };
    return {cut(s.index), cut(std::uint64_t(s.index) + 1)};
}

std::vector<SweepPiece> sweep_pieces(UnitRange r, std::uint32_t n_stimuli) {
    std::vector<SweepPiece> out;
    if (r.size() == 0 || n_stimuli == 0) return out;
    std::uint64_t u = r.begin;
    while (u < r.end) {
        const auto c = static_cast<std::uint32_t>(u / n_stimuli);
        const auto s = static_cast<std::uint32_t>(u % n_stimuli);
        if (s != 0 || r.end - u < n_stimuli) { // a partial condition
            const std::uint64_t stop =
                std::min<std::uint64_t>(r.end, std::uint64_t(c + 1) * n_stimuli);
            out.push_back(
                {c, c + 1, s, static_cast<std::uint32_t>(stop - std::uint64_t(c) * n_stimuli)});
            u = stop;
        } else { // whole conditions
            const auto n_whole = static_cast<std::uint32_t>((r.end - u) / n_stimuli);
            out.push_back({c, c + n_whole, 0, n_stimuli});
            u += std::uint64_t(n_whole) * n_stimuli;
        }
    }
    return out;
}

SweepSpec piece_spec(const SweepSpec& spec, const SweepPiece& p) {
    SweepSpec out;
    out.solver = spec.solver;
    out.params = spec.params;
    out.exact = spec.exact;
    out.n_repeats = spec.n_repeats;
    out.keep_trial_words = spec.keep_trial_words;
    out.plasticity = spec.plasticity;
    for (std::uint32_t c = p.c_begin; c < p.c_end; ++c) {
        out.drives.push_back(spec.drives.at(c));
        if (!spec.exact_drives.empty()) out.exact_drives.push_back(spec.exact_drives.at(c));
        // the per-condition synapse physics travels with its drive (empty: none)
        if (!spec.noise.empty()) out.noise.push_back(spec.noise.at(c));
        if (!spec.conductances.empty()) out.conductances.push_back(spec.conductances.at(c));
        out.condition_ids.push_back(spec.condition_id(c));
    }
    const auto sub = [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        return v.empty() ? V{} : V(v.begin() + p.s_begin, v.begin() + p.s_end);
    };
    out.stimulus_codes = sub(spec.stimulus_codes);
    out.p_s = sub(spec.p_s);
    out.n_input_spikes = sub(spec.n_input_spikes);
    return out;
}

nlohmann::json sweep_identity(const nlohmann::json& card) {
    nlohmann::json c = card;
    c.erase("output"); // where each shard writes; store_trials cannot be sharded (refused)
    if (c.contains("simulation") && c["simulation"].is_object()) {
        auto& sim = c["simulation"];
        for (auto it = sim.begin(); it != sim.end();)
            it = execution_key("simulation." + it.key()) ? sim.erase(it) : std::next(it);
    }
    return c;
}

std::string card_digest(const nlohmann::json& card) {
    const std::string text = sweep_identity(card).dump();
    std::uint64_t h = 0xcbf29ce484222325ull; // FNV-1a 64 (Fowler, Noll, Vo)
    for (unsigned char ch : text) {
        h ^= ch;
        h *= 0x100000001b3ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

std::optional<std::string> describe_shard_file(const std::string& path) {
    if (!io::is_shard_file(path)) return std::nullopt;
    const io::ShardReader r(path);
    const io::ShardIdentity id = r.identity();
    const auto v = r.format_version();
    std::string t = "file:      " + path + "\nfiletype:  memlif-shard " + std::to_string(v[0]) +
                    "." + std::to_string(v[1]) +
                    " (not a run file: merge all shards with `memlif merge`)\n";
    t += "shard:     shard " + std::to_string(id.shard_index) + "/" +
         std::to_string(id.shard_count) + " of card " + id.card_digest + ", seed " +
         std::to_string(id.seed) + "\n";
    t += "software:  memlif " + id.software_version + " (git " + id.git_sha +
         ")\ncreated:   " + id.created_utc + "\nbackend:   " + id.backend + "\n";
    for (auto kind : {io::ShardStageKind::sweep, io::ShardStageKind::ground_truth}) {
        if (!r.has_stage(kind)) continue;
        const char* name = kind == io::ShardStageKind::sweep ? "sweep" : "reruns";
        if (!r.complete() && !r.stage_complete(kind)) { // an interrupted shard: the stage was cut
            t += std::string(name) + ":    cut short (a shard is not resumed)\n";
            continue;
        }
        const io::ShardStage st = r.stage(kind);
        t += std::string(name) + ":    units [" + std::to_string(st.unit_begin) + ", " +
             std::to_string(st.unit_end) + ") of " + std::to_string(st.n_conditions) + " x " +
             std::to_string(st.n_stimuli) + ", " + std::to_string(st.n_repeats) + " repeats\n";
    }
    t += std::string("status:    ") +
         (r.complete() ? "complete" : "INCOMPLETE: " + r.incomplete_reason()) + "\n";
    return t;
}

void check_shardable(const RunConfig& cfg) {
    if (cfg.experiment.kind != "mi_sweep")
        throw ConfigError("experiment.kind = " + cfg.experiment.kind +
                          ": --shard splits an MI sweep (mi_sweep) only; the device kinds "
                          "produce no counts to merge");
    if (cfg.output.store_trials)
        throw ConfigError("output.store_trials: per-trial rows are not sharded; set it to false "
                          "to run with --shard");
}

RunReport execute_shard(const RunConfig& cfg, const RunOptions& opts, ShardSpec shard,
                        const std::vector<std::string>& inputs) {
    check_shardable(cfg);
    // The discipline of a run file (output_file.hpp): no overwrite without --force, never an
    // input, a second writer refused before it touches anything, and the shard written as
    // OUT.partial and renamed only once it is complete. A shard is not resumed, so an interrupted
    // one is kept (its finished units readable) until the next run is asked to replace it.
    const OutputPaths paths = output_paths(cfg.output.path);
    check_output_target(paths, inputs, opts.force);
    const OutputLock lock(paths);
    if (std::filesystem::exists(paths.partial)) {
        if (!opts.force)
            throw IoError("an interrupted shard of '" + paths.target + "' is kept in '" +
                          paths.partial + "' (a shard is not resumed): run it again with --force");
        remove_own_file(paths.partial);
    }
    RunConfig partial = cfg;
    partial.output.path = paths.partial;
    RunReport rep = execute_shard_on(partial, opts, shard, choose_run_backend(cfg), nullptr);
    rep.output_path = rep.interrupted ? paths.partial : paths.target;
    if (!rep.interrupted) commit_file(paths.partial, paths.target);
    return rep;
}

RunReport execute_shard_on(const RunConfig& cfg, const RunOptions& opts, ShardSpec shard,
                           const BackendChoice& backend, std::vector<unsigned char>* image) {
    check_shardable(cfg);
    const auto t0 = std::chrono::steady_clock::now();
    const SweepPlan plan = make_sweep(cfg);
    const std::optional<GroundTruthPlan> gt = ground_truth_plan(cfg);

    RunReport rep;
    rep.output_path = cfg.output.path;
    rep.backend = backend.description;
    const io::RunMetadata meta = make_run_metadata(cfg, backend);
    io::ShardIdentity id;
    id.software_version = meta.software_version;
    id.git_sha = meta.git_sha;
    id.backend = meta.backend;
    id.config_json = meta.config_json;
    id.card_digest = card_digest(cfg.card);
    id.experiment_kind = cfg.experiment.kind;
    id.seed = cfg.seed;
    id.shard_index = shard.index;
    id.shard_count = shard.count;
    id.n_bins = cfg.n_bins;

    const auto stage_trials = [&](const SweepPlan& p) {
        return shard_units(std::uint64_t(p.points.size()) * p.stimuli.size(), shard).size() *
               p.spec.n_repeats;
    };
    std::uint64_t total = stage_trials(plan);
    if (gt) total += stage_trials(gt->plan);
    io::ShardWriter w(image ? "memlif-shard-" + std::to_string(shard.index) : cfg.output.path, id,
                      image != nullptr);
    Progress progress(total, opts.quiet);
    std::uint64_t done = 0;
    bool ok = true;
    try {
        const auto t1 = std::chrono::steady_clock::now();
        std::uint64_t trials = 0;
        ok = run_stage(w, io::ShardStageKind::sweep, plan, shard, backend, progress, done, trials);
        rep.stages.push_back({"sweep", seconds_since(t1), trials});
        if (ok && gt) {
            const auto t2 = std::chrono::steady_clock::now();
            trials = 0;
            ok = run_stage(w, io::ShardStageKind::ground_truth, gt->plan, shard, backend, progress,
                           done, trials);
            rep.stages.push_back({"ground_truth", seconds_since(t2), trials});
        }
    } catch (...) {
        progress.finish();
        w.abort("failed");
        throw;
    }
    progress.finish();
    rep.interrupted = !ok || stop_requested();
    if (rep.interrupted) rep.stop_signal = stop_signal();
    rep.wall_s = seconds_since(t0);
    rep.n_trials = done;
    if (rep.interrupted) {
        w.abort("interrupted");
    } else if (image) {
        *image = w.finish_image(rep.wall_s, rep.n_trials);
    } else {
        w.finish(rep.wall_s, rep.n_trials);
    }
    const UnitRange r = shard_units(std::uint64_t(plan.points.size()) * plan.stimuli.size(), shard);
    char line[256];
    std::snprintf(line, sizeof line,
                  "shard %u/%u: units [%llu, %llu) of %llu (condition x stimulus)%s; merge all %u "
                  "shards with `memlif merge OUT.h5 SHARD...`\n",
                  shard.index, shard.count, static_cast<unsigned long long>(r.begin),
                  static_cast<unsigned long long>(r.end),
                  static_cast<unsigned long long>(plan.points.size() * plan.stimuli.size()),
                  gt ? " and its part of the ground-truth reruns" : "", shard.count);
    rep.text = line;
    return rep;
}

} // namespace memlif
