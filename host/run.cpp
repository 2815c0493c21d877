// SPDX-License-Identifier: MIT
//! \file host/run.cpp
#include "run.hpp"

#include "backend.hpp"
#include "information/plugin.hpp"
#include "io/run_file.hpp"
#include "progress.hpp"
#include "stimulus_set.hpp"

#include "memlif/config.hpp"

#include <atomic>
#include <chrono>
#include <csignal>

namespace memlif {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) { g_stop.store(true); }

//! Turns each finished condition into plug-in measures and a file record, in completion order.
class RunSink : public ConditionSink {
  public:
    RunSink(io::RunWriter& writer, const std::vector<double>& p_s, const std::vector<std::uint32_t>& n_spk,
            const std::vector<ConditionPoint>& points, std::uint32_t n_repeats, Progress& progress, bool store_trials)
        : writer_(writer), p_s_(p_s), n_spk_(n_spk), points_(points), n_repeats_(n_repeats), progress_(progress),
          store_trials_(store_trials) {}

    void consume(ConditionOutput&& out) override {
        const PluginMeasures plugin =
            out.has_device_plugin ? std::move(out.device_plugin) : compute_plugin(out.counts, p_s_, n_spk_);
        ConditionStats stats;
        stats.wall_s = out.kernel_s;
        stats.mean_output_spikes = out.mean_output_spikes;
        stats.n_trials = plugin.n_trials;
        writer_.write_condition(out.condition, out.counts, plugin, stats);
        if (store_trials_) {
            const std::size_t n = out.trial_words.size();
            std::vector<std::uint32_t> stim(n), rep(n);
            for (std::size_t t = 0; t < n; ++t) {
                stim[t] = static_cast<std::uint32_t>(t / n_repeats_);
                rep[t] = static_cast<std::uint32_t>(t % n_repeats_);
            }
            writer_.append_trials(out.condition, stim, rep, out.trial_words);
        }
        const auto& pt = points_[out.condition];
        const SummaryRow row = make_summary_row(out.condition, pt.g_S, pt.weight[0], out.mean_output_spikes, plugin);
        rows.push_back(row);
        trials_ += plugin.n_trials;
    }

    void on_progress(std::uint64_t done) override { progress_.update(done); }
    bool stop_requested() const override { return g_stop.load(); }

    std::vector<SummaryRow> rows;
    std::uint64_t trials() const { return trials_; }

  private:
    io::RunWriter& writer_;
    const std::vector<double>& p_s_;
    const std::vector<std::uint32_t>& n_spk_;
    const std::vector<ConditionPoint>& points_;
    std::uint32_t n_repeats_;
    Progress& progress_;
    bool store_trials_;
    std::uint64_t trials_ = 0;
};

} // namespace

void install_stop_handlers() {
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
}

RunReport execute_run(const RunConfig& cfg, const RunOptions& opts) {
    const auto t0 = std::chrono::steady_clock::now();
    const StimulusSet set = make_stimulus_set(cfg.stimulus_set);
    const std::vector<double> p_s = stimulus_probabilities(set, cfg.p_s);
    const SimParams params = make_sim_params(cfg);
    const std::vector<ConditionPoint> points = make_conditions(cfg, params);

    CpuOptions cpu;
    cpu.threads = cfg.threads;
    cpu.batch_trials = cfg.batch_trials;
    const BackendChoice backend = choose_backend(cfg.backend, cpu);

    io::RunMetadata meta;
    meta.software_version = MEMLIF_VERSION;
    meta.git_sha = MEMLIF_GIT_SHA;
    meta.backend = backend.description;
    meta.config_json = cfg.card.dump(2);
    meta.seed = cfg.seed;
    meta.n_bins = cfg.n_bins;
    meta.bin_width_s = cfg.bin_s;
    meta.window_s = cfg.window_s;
    meta.dt_s = cfg.dt_s;
    meta.n_repeats = cfg.repeats;
    meta.stimulus_set = to_string(cfg.stimulus_set);
    meta.p_s_mode = to_string(cfg.p_s);
    meta.synapse_model = cfg.synapse_model == SynapseModel::linear ? "linear" : "ul-gap";
    meta.trial_id_layout =
        "Philox4x32-10; key = (seed & 0xffffffff, seed >> 32); counter = (trial_id & 0xffffffff, trial_id >> 32, "
        "draw, stream); trial_id = condition << 48 | stimulus_code << 32 | repeat; stream 0 = jitter (draw = input "
        "bin, word i = input i), stream 1 = back-spike intervals (draw = back-spike number)";

    io::StimulusTable table;
    table.code = set.codes;
    table.multiplicity = set.multiplicity;
    table.n_input_spikes = set.n_input_spikes;
    table.p_s = p_s;
    io::ConditionAxis axis;
    for (const auto& pt : points) {
        axis.conductance_S.push_back(pt.g_S);
        axis.weight.push_back(pt.weight);
        axis.current_A.push_back(pt.current_A);
    }

    io::RunWriter writer(cfg.output_path, meta, table, axis, cfg.store_trials);

    SweepSpec spec;
    spec.params = params;
    for (const auto& pt : points) spec.drives.push_back(pt.drive);
    spec.stimulus_codes = set.codes;
    spec.p_s = p_s;
    spec.n_input_spikes = set.n_input_spikes;
    spec.n_repeats = cfg.repeats;
    spec.keep_trial_words = cfg.store_trials;

    const std::uint64_t total = static_cast<std::uint64_t>(set.size()) * cfg.repeats * points.size();
    Progress progress(total, opts.quiet);
    RunSink sink(writer, p_s, set.n_input_spikes, points, cfg.repeats, progress, cfg.store_trials);
    try {
        run_sweep(spec, sink, backend);
    } catch (...) {
        progress.finish();
        writer.abort("failed");
        throw;
    }
    progress.finish();

    RunReport rep;
    rep.output_path = cfg.output_path;
    rep.backend = backend.description;
    rep.n_trials = sink.trials();
    rep.rows = std::move(sink.rows);
    rep.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (g_stop.load() || rep.rows.size() != points.size()) {
        rep.interrupted = true;
        writer.abort("interrupted");
    } else {
        writer.finish(rep.wall_s, rep.n_trials);
    }
    return rep;
}

} // namespace memlif
