// SPDX-License-Identifier: MIT
//! \file host/experiments/ground_truth.cpp
//! Ground truth (follows mi_sweep when `ground_truth.enabled`): reruns chosen conditions with many
//! repeats and records, per estimator, its value at the run's repeat count minus the large-sample
//! reference (PT at the large count), i.e. each estimator's bias measured on this circuit's own
//! responses (information.md §7.4; io/FORMAT.md, /analysis/ground_truth). `ground_truth.solver =
//! "exact"` reruns a fixed-step card with the exact solver on grid onsets, the fixed step's oracle
//! (README "Solvers"): the same trials to within the step's 0.03-0.3 % of words, about 100x faster.
#include "ground_truth.hpp"

#include "host/experiment.hpp"
#include "host/information/estimators.hpp"
#include "host/synapse_physics_card.hpp"
#include "host/wall_clock.hpp"

#include "io/run_file.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <limits>
#include <stdexcept>

namespace memlif {

namespace {

//! Seed of the reruns: a fixed offset keeps their jitter streams disjoint from the main run's.
constexpr std::uint64_t k_seed_offset = 0x9E3779B97F4A7C15ull;

struct GroundTruthCard {
    bool enabled = false;
    //! condition indices (grid point x n_amplitudes + amplitude, as the sweep numbers them)
    std::vector<std::uint32_t> conditions{0, 1, 2};
    std::uint32_t repeats = 2000; //!< repeats per stimulus of the reruns
    std::string solver = "same";  //!< same | exact (grid onsets) for the reruns
    template <class V> void visit(V& v) {
        v.flag("enabled", enabled);
        v.integers("conditions", conditions, 0u, 65535u);
        v.integer("repeats", repeats, 1u, 0xFFFFFFFFu);
        v.choice("solver", solver, {"same", "exact"});
    }
};

//! Hands each finished rerun to `row` (which writes and commits its row) as it arrives.
class RowSink : public ConditionSink {
  public:
    RowSink(bool (*stop)(), std::function<void(ConditionOutput&&)> row)
        : stop_(stop), row_(std::move(row)) {}
    void consume(ConditionOutput&& out) override {
        row_(std::move(out));
        ++done_;
    }
    bool stop_requested() const override { return stop_ && stop_(); }
    std::size_t done() const { return done_; }

  private:
    bool (*stop_)();
    std::function<void(ConditionOutput&&)> row_;
    std::size_t done_ = 0;
};

//! Opens (or, resuming, continues) the /analysis/ground_truth tables of `w`, one row per rerun.
void open_ground_truth_tables(io::AnalysisWriter& w, const RunConfig& cfg,
                              const GroundTruthPlan& gt) {
    const std::size_t n = gt.conditions.size();
    w.write_attr("reference", "pt at ground_truth.repeats");
    w.write_attr("repeats_small", static_cast<std::uint64_t>(cfg.simulation.repeats));
    w.write_attr("repeats_large", static_cast<std::uint64_t>(gt.repeats));
    w.write_attr("seed", gt.seed);
    w.write_attr("solver", gt.solver);
    w.write_u32("condition", gt.conditions, {n}, "");
    w.set_axes("condition", {"rerun"});
    const auto table = [&](const std::string& name) {
        w.create_table(name, n, 0, false, "bit", {"rerun"});
    };
    table("reference_mi_bit");
    table("plugin_large_mi_bit");
    table("reference_h_r_bit");
    table("reference_h_r_given_s_bit");
    for (const std::string& e : cfg.estimator_options.estimators) {
        table(e + "_mi_bit");
        table(e + "_bias_bit");
    }
    // the large-sample SpS, for Fig. 6
    w.create_table("reference_sps_bit_per_spike", n, gt.plan.stimuli.size(), false, "bit/spike",
                   {"rerun", "stimulus"});
    w.track_rows(n, "rerun");
}

//! Writes and commits row `i` of the ground-truth tables from the counts of rerun `i`; the
//! estimators at the run's repeats come from the counts the sweep stored in `reader`'s file
//! (their row stays NaN where that condition is not complete).
void write_ground_truth_row(io::AnalysisWriter& w, const io::RunReader& reader,
                            const RunConfig& cfg, const GroundTruthPlan& gt, std::uint32_t i,
                            const ConditionCounts& counts) {
    const EstimatorOptions& opts = cfg.estimator_options;
    EstimatorOptions ref_opts = opts;
    ref_opts.estimators = {"plugin", "pt"};
    ref_opts.accelerator = nullptr;
    const EstimatorResults big =
        compute_estimators(counts, gt.plan.p_s, gt.plan.stimuli.n_input_spikes, ref_opts);
    const EstimatorResult* pt = big.find("pt");
    const double ref = pt->mi;
    w.write_row("reference_mi_bit", i, {ref});
    w.write_row("plugin_large_mi_bit", i, {big.find("plugin")->mi});
    w.write_row("reference_h_r_bit", i, {pt->h_r});
    w.write_row("reference_h_r_given_s_bit", i, {pt->h_rs});
    w.write_row("reference_sps_bit_per_spike", i, pt->sps);
    if (reader.is_completed(gt.conditions[i])) {
        const EstimatorResults small = compute_estimators(
            reader.counts(gt.conditions[i]), gt.plan.p_s, gt.plan.stimuli.n_input_spikes, opts);
        for (const std::string& e : opts.estimators) {
            const EstimatorResult* r = small.find(e);
            // the resampling estimators' point estimate is their corrected value
            const bool corrected =
                r->kind == EstimatorKind::jackknife || r->kind == EstimatorKind::null;
            const double mi = corrected ? r->mi_corrected : r->mi;
            w.write_row(e + "_mi_bit", i, {mi});
            w.write_row(e + "_bias_bit", i, {mi - ref});
        }
    }
    w.commit_row(i);
}

//! Appends the bias table of the finished /analysis/ground_truth of `reader`'s file to
//! `report.text`.
void report_ground_truth(const io::RunReader& reader, const RunConfig& cfg,
                         const GroundTruthPlan& gt, RunReport& report) {
    const EstimatorOptions& opts = cfg.estimator_options;
    const std::vector<double> ref = reader.read_f64("/analysis/ground_truth/reference_mi_bit");
    std::vector<std::vector<double>> bias;
    for (const std::string& e : opts.estimators)
        bias.push_back(reader.read_f64("/analysis/ground_truth/" + e + "_bias_bit"));
    std::string& t = report.text;
    char line[256];
    std::snprintf(
        line, sizeof line,
        "ground truth (%u repeats, reference = PT): estimator(%u repeats) - reference, bits\n",
        gt.repeats, cfg.simulation.repeats);
    t += line;
    std::snprintf(line, sizeof line, "%4s %10s", "cond", "reference");
    t += line;
    for (const auto& name : opts.estimators) {
        std::snprintf(line, sizeof line, " %10s", name.c_str());
        t += line;
    }
    t += "\n";
    for (std::size_t i = 0; i < gt.conditions.size(); ++i) {
        std::snprintf(line, sizeof line, "%4u %10.5f", gt.conditions[i], ref[i]);
        t += line;
        for (std::size_t e = 0; e < opts.estimators.size(); ++e) {
            std::snprintf(line, sizeof line, " %+10.5f", bias[e][i]);
            t += line;
        }
        t += "\n";
    }
}

class GroundTruth final : public SectionExperiment<GroundTruthCard> {
  public:
    const char* kind() const override { return "ground_truth"; }
    const char* summary() const override {
        return "estimator bias: chosen conditions rerun with many repeats (follows mi_sweep)";
    }
    std::string section() const override { return "ground_truth"; }
    const char* follows() const override { return "mi_sweep"; }
    bool enabled(const RunConfig& cfg) const override { return read_section(cfg).enabled; }

    void check(const GroundTruthCard& gt, const RunConfig& cfg) const override {
        if (!gt.enabled) return;
        // the reruns would otherwise drop RTN, or run plasticity on the fixed step labelled exact
        if (gt.solver == "exact") check_exact_solver_applies(cfg, "ground_truth.solver");
        for (std::size_t i = 0; i < gt.conditions.size(); ++i)
            if (gt.conditions[i] >= condition_count(cfg))
                throw ConfigError("ground_truth.conditions[" + std::to_string(i) +
                                  "]: expected a condition index in [0, " +
                                  std::to_string(condition_count(cfg) - 1) + "], got " +
                                  std::to_string(gt.conditions[i]));
    }

    ResourceNeeds resources(const RunConfig& cfg) const override {
        const GroundTruthCard gt = read_section(cfg);
        ResourceNeeds r;
        if (!gt.enabled) return r;
        // One rerun at a time: its trial words and their CSR counts (the counts are not stored).
        const double trials =
            static_cast<double>(make_stimulus_set(cfg.stimulus_set_kind).size()) * gt.repeats;
        r.peak_memory_bytes = trials * 24.0;
        r.key = "ground_truth.repeats";
        return r;
    }

    void run(RunContext& ctx) const override {
        const RunConfig& cfg = ctx.cfg;
        const auto t0 = std::chrono::steady_clock::now();
        const GroundTruthPlan gt = *ground_truth_plan(cfg);
        const std::size_t n = gt.conditions.size();
        const std::uint64_t trials_per_rerun =
            static_cast<std::uint64_t>(gt.plan.stimuli.size()) * gt.repeats;
        ctx.enter_phase("ground_truth");

        // One committed row per rerun, so a resumed run reruns only the rows it lacks (each
        // rerun i under its own id i, as an uninterrupted run).
        const io::RunReader reader(ctx.file, /*writable=*/true);
        io::AnalysisWriter w(reader, "/analysis/ground_truth", io::GroupMode::resume);
        open_ground_truth_tables(w, cfg, gt);
        std::vector<std::uint32_t> pending;
        for (std::uint32_t i = 0; i < n; ++i)
            if (!w.row_done(i)) pending.push_back(i);
        ctx.report.resumed_units += n - pending.size();

        if (!pending.empty()) {
            if (!ctx.opts.quiet)
                std::fprintf(stderr, "ground truth: %zu conditions x %zu stimuli x %u repeats\n",
                             pending.size(), gt.plan.stimuli.size(), gt.repeats);
            SweepSpec spec = gt.plan.spec;
            spec.keep_trial_words = false;
            if (pending.size() != n) spec = only_conditions(spec, pending);
            // out.condition is the drive's position in `spec`; its rerun is its condition id
            RowSink sink(ctx.stop_requested, [&](ConditionOutput&& out) {
                write_ground_truth_row(w, reader, cfg, gt, spec.condition_id(out.condition),
                                       out.counts);
            });
            run_sweep(spec, sink, ctx.backend);
            if (sink.done() != pending.size()) { // a stop after the last rerun changes nothing
                w.close();
                ctx.report.interrupted = true;
                ctx.report.stages.push_back(
                    {"ground_truth", seconds_since(t0), sink.done() * trials_per_rerun});
                return;
            }
        }
        w.close();
        ctx.report.stages.push_back({"ground_truth", seconds_since(t0), n * trials_per_rerun});
        report_ground_truth(reader, cfg, gt, ctx.report);
    }
};

} // namespace

std::optional<GroundTruthPlan> ground_truth_plan(const RunConfig& cfg) {
    const GroundTruthCard card =
        card::from_json<GroundTruthCard>(&cfg.card.at("ground_truth"), "ground_truth");
    if (!card.enabled) return std::nullopt;
    GroundTruthPlan gt;
    gt.conditions = card.conditions;
    gt.repeats = card.repeats;
    gt.seed = cfg.seed + k_seed_offset;
    RunConfig rerun_cfg = cfg;
    if (card.solver == "exact" && cfg.simulation.solver != "exact") {
        rerun_cfg.simulation.solver = "exact";
        rerun_cfg.simulation.exact_onsets = "grid";
    }
    gt.solver = rerun_cfg.simulation.solver;
    gt.plan = make_sweep(rerun_cfg, gt.repeats, &gt.seed, gt.conditions);
    return gt;
}

void write_ground_truth(const RunConfig& cfg, const GroundTruthPlan& gt,
                        const std::vector<ConditionCounts>& reruns, RunReport& report) {
    if (reruns.size() != gt.conditions.size())
        throw std::invalid_argument("write_ground_truth: one count table per rerun expected");
    const io::RunReader reader(cfg.output.path, /*writable=*/true);
    {
        io::AnalysisWriter w(reader, "/analysis/ground_truth", io::GroupMode::replace);
        open_ground_truth_tables(w, cfg, gt);
        for (std::uint32_t i = 0; i < reruns.size(); ++i)
            write_ground_truth_row(w, reader, cfg, gt, i, reruns[i]);
        w.close();
    }
    report_ground_truth(reader, cfg, gt, report);
}

const Experiment& ground_truth_experiment() {
    static const GroundTruth e;
    return e;
}

} // namespace memlif
