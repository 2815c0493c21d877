// SPDX-License-Identifier: MIT
//! \file host/experiments/mi_sweep.cpp
//! The MI sweep (experiment.kind = "mi_sweep", the default): every stimulus x repeat at every
//! conductance point, on the chosen backend; counts and plug-in measures streamed into /counts and
//! /results one condition at a time (so a run that dies keeps every completed condition), then the
//! card's estimators computed from the stored counts into /analysis/run (Benatti et al. 2023,
//! Sec. 3-4; io/FORMAT.md).
#include "host/analyze.hpp"
#include "host/estimator_accelerator.hpp"
#include "host/experiment.hpp"
#include "host/information/plugin.hpp"
#include "host/progress.hpp"

#include "io/run_file.hpp"

#include <chrono>

namespace memlif {

namespace {

//! Turns each finished condition into plug-in measures and a file record, in completion order.
class RunSink : public ConditionSink {
  public:
    RunSink(io::RunWriter& writer, const SweepPlan& plan, Progress& progress, bool (*stop)())
        : writer_(writer), plan_(plan), progress_(progress), stop_(stop) {}

    void consume(ConditionOutput&& out) override {
        ConditionRecord rec;
        rec.plugin = out.has_device_plugin
                         ? std::move(out.device_plugin)
                         : compute_plugin(out.counts, plan_.p_s, plan_.stimuli.n_input_spikes);
        rec.stats.wall_s = out.kernel_s;
        rec.stats.mean_output_spikes = out.mean_output_spikes;
        rec.stats.n_trials = rec.plugin.n_trials;
        rec.counts = std::move(out.counts);
        writer_.write_condition(out.condition, rec.counts, rec.plugin, rec.stats);
        if (plan_.spec.keep_trial_words) {
            const std::size_t n = out.trial_words.size();
            const std::uint32_t reps = plan_.spec.n_repeats;
            std::vector<std::uint32_t> stim(n), rep(n);
            for (std::size_t t = 0; t < n; ++t) {
                stim[t] = static_cast<std::uint32_t>(t / reps);
                rep[t] = static_cast<std::uint32_t>(t % reps);
            }
            writer_.append_trials(out.condition, stim, rep, out.trial_words);
        }
        ++completed_;
        trials_ += rec.plugin.n_trials;
    }

    void on_progress(std::uint64_t done) override { progress_.update(done); }
    bool stop_requested() const override { return stop_ && stop_(); }

    std::size_t completed() const { return completed_; }
    std::uint64_t trials() const { return trials_; }

  private:
    io::RunWriter& writer_;
    const SweepPlan& plan_;
    Progress& progress_;
    bool (*stop_)();
    std::size_t completed_ = 0;
    std::uint64_t trials_ = 0;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

class MiSweep final : public Experiment {
  public:
    const char* kind() const override { return "mi_sweep"; }
    const char* summary() const override {
        return "stimuli x repeats x conductance points -> counts, plug-in and corrected MI";
    }

    void run(RunContext& ctx) const override {
        const RunConfig& cfg = ctx.cfg;
        const auto t0 = std::chrono::steady_clock::now();
        const SweepPlan plan = make_sweep(cfg);

        io::StimulusTable table;
        table.code = plan.stimuli.codes;
        table.multiplicity = plan.stimuli.multiplicity;
        table.n_input_spikes = plan.stimuli.n_input_spikes;
        table.p_s = plan.p_s;
        io::ConditionAxis axis;
        for (const auto& pt : plan.points) {
            axis.conductance_S.push_back(pt.g_S);
            axis.weight.push_back(pt.weight);
            axis.current_A.push_back(pt.current_A);
        }
        io::RunWriter writer(cfg.output.path, make_run_metadata(cfg, ctx.backend), table, axis,
                             cfg.output.store_trials);

        const std::uint64_t total =
            static_cast<std::uint64_t>(plan.stimuli.size()) * plan.spec.n_repeats * plan.points.size();
        Progress progress(total, ctx.opts.quiet);
        RunSink sink(writer, plan, progress, ctx.stop_requested);
        try {
            run_sweep(plan.spec, sink, ctx.backend);
        } catch (...) {
            progress.finish();
            writer.abort("failed");
            throw;
        }
        progress.finish();
        ctx.report.stages.push_back({"sweep", seconds_since(t0), sink.trials()});
        if (sink.completed() != plan.points.size() || (ctx.stop_requested && ctx.stop_requested())) {
            ctx.report.interrupted = true;
            writer.abort("interrupted");
            ctx.report.rows = summary_rows_from_file(io::RunReader(cfg.output.path));
            return;
        }
        writer.close();

        // The card's estimators, from the counts just stored (the same code as `memlif analyze`).
        const auto t1 = std::chrono::steady_clock::now();
        EstimatorOptions opts = cfg.estimator_options;
        opts.accelerator = estimator_accelerator_for(cfg.simulation.backend);
        if (!only_plugin(opts))
            analyze_into(cfg.output.path, opts, "/analysis/run", true, cfg.card.at("information").dump());
        ctx.report.stages.push_back({"analysis", seconds_since(t1), 0});
        ctx.report.rows = summary_rows_from_file(io::RunReader(cfg.output.path));
    }
};

} // namespace

const Experiment& mi_sweep_experiment() {
    static const MiSweep e;
    return e;
}

} // namespace memlif
