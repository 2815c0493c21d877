// SPDX-License-Identifier: MIT
//! \file host/experiments/mi_sweep.cpp
//! The MI sweep (experiment.kind = "mi_sweep", the default): every stimulus x repeat at every
//! conductance point, on the chosen backend; counts and plug-in measures streamed into /counts and
//! /results one condition at a time (so a run that dies keeps every completed condition), then the
//! card's estimators computed from the stored counts into /analysis/run (Benatti et al. 2023,
//! Sec. 3-4; io/FORMAT.md).
#include "host/analyze.hpp"
#include "host/experiment.hpp"
#include "host/progress.hpp"
#include "host/sweep_file.hpp"

#include "io/run_file.hpp"

#include <chrono>

namespace memlif {

namespace {

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

        io::RunWriter writer(cfg.output.path, make_run_metadata(cfg, ctx.backend),
                             stimulus_table(plan), condition_axis(plan), cfg.output.store_trials);

        const std::uint64_t total = static_cast<std::uint64_t>(plan.stimuli.size()) *
                                    plan.spec.n_repeats * plan.points.size();
        Progress progress(total, ctx.opts.quiet);
        SweepFileSink sink(writer, plan, progress, ctx.stop_requested);
        try {
            run_sweep(plan.spec, sink, ctx.backend);
        } catch (...) {
            progress.finish();
            writer.abort("failed");
            throw;
        }
        progress.finish();
        ctx.report.stages.push_back({"sweep", seconds_since(t0), sink.trials()});
        if (sink.completed() != plan.points.size() ||
            (ctx.stop_requested && ctx.stop_requested())) {
            ctx.report.interrupted = true;
            writer.abort("interrupted");
            ctx.report.rows = summary_rows_from_file(io::RunReader(cfg.output.path));
            return;
        }
        writer.close();

        // The card's estimators, from the counts just stored (the same code as `memlif analyze`).
        const auto t1 = std::chrono::steady_clock::now();
        analyze_run_stage(cfg);
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
