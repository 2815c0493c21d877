// SPDX-License-Identifier: MIT
//! \file host/experiments/mi_sweep.cpp
//! The MI sweep (experiment.kind = "mi_sweep", the default): every stimulus x repeat at every
//! conductance point, on the chosen backend; counts and plug-in measures committed into /counts
//! and /results one condition at a time (so a run that dies keeps every completed condition, and
//! a resumed run simulates only the others), then the card's estimators computed from the stored
//! counts into /analysis/run, one committed row per condition (Benatti et al. 2023, Sec. 3-4;
//! io/FORMAT.md).
#include "host/analyze.hpp"
#include "host/experiment.hpp"
#include "host/information/estimator_columns.hpp"
#include "host/progress.hpp"
#include "host/sweep_file.hpp"
#include "host/wall_clock.hpp"

#include "io/run_file.hpp"

#include <chrono>
#include <cstring>
#include <memory>

namespace memlif {

namespace {

//! The file's condition axis must be the one this card gives (a resumed file of another card,
//! or of a build whose device model differs, is refused before anything is added to it).
void check_same_axis(const io::ConditionAxis& file, const io::ConditionAxis& card,
                     const std::string& path) {
    const auto same = [](const std::vector<std::array<double, 4>>& a,
                         const std::vector<std::array<double, 4>>& b) {
        return a.size() == b.size() &&
               (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(a[0])) == 0);
    };
    if (!same(file.conductance_S, card.conductance_S) || !same(file.weight, card.weight) ||
        !same(file.current_A, card.current_A))
        throw IoError(
            path +
            ": its /axes differ from the ones this card and build give; it cannot be resumed");
}

class MiSweep final : public Experiment {
  public:
    const char* kind() const override { return "mi_sweep"; }
    const char* summary() const override {
        return "stimuli x repeats x conductance points -> counts, plug-in and corrected MI";
    }

    ResourceNeeds resources(const RunConfig& cfg) const override {
        const double n_s = static_cast<double>(make_stimulus_set(cfg.stimulus_set_kind).size());
        // every condition of the sweep: grid points x noise-axis amplitudes
        const double n_g = static_cast<double>(condition_count(cfg));
        const double trials = n_s * cfg.simulation.repeats; // per condition
        ResourceNeeds r;
        r.key = "simulation.repeats";
        // One condition at a time. Its words are counted as each stimulus completes, so what is
        // held is one batch of words and the condition's CSR counts: 51 MB for the 65536 x 2000
        // sweep (0.4 B per trial, bench/RESULTS.md, issue 9); 2 B per trial leaves room for
        // conditions with more distinct words. With store_trials all its words (8 B) and trial
        // rows (24 B) besides. CSR counts grow to 16 B per trial only when nearly every word is
        // distinct: the estimate refuses what cannot fit in the common case and does not refuse
        // runs that fit.
        r.peak_memory_bytes = trials * (2.0 + (cfg.output.store_trials ? 32.0 : 0.0)) +
                              8.0 * static_cast<double>(cfg.simulation.batch_trials) + n_s * 256.0;
        // At least: the per-stimulus /results rows, one count row per stimulus (compressed), the
        // per-stimulus analysis columns, and the stored trials at a generous compression.
        double stimulus_columns = 0;
        for (const std::string& e : cfg.estimator_options.estimators)
            for (const ColumnSpec& c : estimator_columns(parse_estimator_name(e)))
                stimulus_columns += c.shape == ColumnShape::stimulus ? 1 : 0;
        r.disk_bytes = n_g * n_s * (32.0 + 6.0 + 8.0 * stimulus_columns) +
                       (cfg.output.store_trials ? n_g * trials * 2.0 : 0.0);
        return r;
    }

    void run(RunContext& ctx) const override {
        const RunConfig& cfg = ctx.cfg;
        const auto t0 = std::chrono::steady_clock::now();
        const SweepPlan plan = make_sweep(cfg);
        const std::size_t n_g = plan.points.size();

        const io::ConditionAxis axis = condition_axis(plan);
        std::unique_ptr<io::RunWriter> writer;
        if (ctx.resume) {
            check_same_axis(io::RunReader(ctx.file).axis(), axis, ctx.file);
            writer = std::make_unique<io::RunWriter>(ctx.file, io::RunWriter::Resume{});
        } else {
            const io::StimulusTable table = stimulus_table(plan);
            io::RunMetadata meta = make_run_metadata(cfg, ctx.backend);
            meta.phase = "sweep";
            writer = std::make_unique<io::RunWriter>(ctx.file, meta, table, axis,
                                                     cfg.output.store_trials);
        }
        const std::vector<std::uint32_t> pending = writer->pending_conditions();
        ctx.report.resumed_units += n_g - pending.size();
        if (!writer->repaired_conditions().empty())
            ctx.report.text += std::to_string(writer->repaired_conditions().size()) +
                               " completed conditions whose rows the interruption had damaged are "
                               "simulated again\n";

        if (!pending.empty()) {
            if (ctx.resume) writer->set_phase("sweep");
            SweepSpec spec = plan.spec;
            if (pending.size() != n_g) spec = only_conditions(spec, pending);
            const std::uint64_t total =
                static_cast<std::uint64_t>(plan.stimuli.size()) * spec.n_repeats * pending.size();
            Progress progress(total, ctx.opts.quiet);
            SweepFileSink sink(*writer, plan, progress, ctx.stop_requested, &spec);
            try {
                run_sweep(spec, sink, ctx.backend);
            } catch (...) {
                progress.finish();
                if (!io::h5::poisoned()) writer->abort("failed");
                throw;
            }
            progress.finish();
            // A stop after the last condition is honoured by the analysis, which records itself
            // as the phase (a sweep with every condition done is not an interrupted sweep).
            if (sink.completed() != pending.size()) {
                ctx.report.stages.push_back(
                    {"sweep", seconds_since(t0), completed_trials(*writer, plan)});
                ctx.report.interrupted = true;
                writer->abort("interrupted");
                ctx.report.rows = summary_rows_from_file(io::RunReader(ctx.file));
                return;
            }
        }
        // The trials the finished sweep stands for, however many sessions it took.
        const std::uint64_t sweep_trials = completed_trials(*writer, plan);
        writer->close();
        ctx.report.stages.push_back({"sweep", seconds_since(t0), sweep_trials});

        // The card's estimators, from the counts just stored (the same code as `memlif analyze`).
        const auto t1 = std::chrono::steady_clock::now();
        ctx.enter_phase("analysis");
        const bool done = analyze_run_stage(cfg, ctx.file, io::GroupMode::resume,
                                            ctx.stop_requested, &ctx.report.resumed_units);
        ctx.report.stages.push_back({"analysis", seconds_since(t1), 0});
        if (!done) ctx.report.interrupted = true;
        ctx.report.rows = summary_rows_from_file(io::RunReader(ctx.file));
    }

  private:
    static std::uint64_t completed_trials(const io::RunWriter& writer, const SweepPlan& plan) {
        return static_cast<std::uint64_t>(writer.n_conditions_completed()) * plan.stimuli.size() *
               plan.spec.n_repeats;
    }
};

} // namespace

const Experiment& mi_sweep_experiment() {
    static const MiSweep e;
    return e;
}

} // namespace memlif
