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

#include "io/run_file.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace memlif {

namespace {

constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();

//! Seed of the reruns: a fixed offset keeps their jitter streams disjoint from the main run's.
constexpr std::uint64_t k_seed_offset = 0x9E3779B97F4A7C15ull;

struct GroundTruthCard {
    bool enabled = false;
    std::vector<std::uint32_t> conditions{0, 1, 2}; //!< indices into the conductance grid
    std::uint32_t repeats = 2000;                   //!< repeats per stimulus of the reruns
    std::string solver = "same";                    //!< same | exact (grid onsets) for the reruns
    template <class V> void visit(V& v) {
        v.flag("enabled", enabled);
        v.integers("conditions", conditions, 0u, 65535u);
        v.integer("repeats", repeats, 1u, 0xFFFFFFFFu);
        v.choice("solver", solver, {"same", "exact"});
    }
};

//! Keeps the finished reruns.
class CollectSink : public ConditionSink {
  public:
    explicit CollectSink(bool (*stop)()) : stop_(stop) {}
    void consume(ConditionOutput&& out) override { outs.push_back(std::move(out)); }
    bool stop_requested() const override { return stop_ && stop_(); }
    std::vector<ConditionOutput> outs;

  private:
    bool (*stop_)();
};

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
        for (std::size_t i = 0; i < gt.conditions.size(); ++i)
            if (gt.conditions[i] >= condition_count(cfg))
                throw ConfigError("ground_truth.conditions[" + std::to_string(i) +
                                  "]: expected a condition index in [0, " +
                                  std::to_string(condition_count(cfg) - 1) + "], got " +
                                  std::to_string(gt.conditions[i]));
    }

    void run(RunContext& ctx) const override {
        const RunConfig& cfg = ctx.cfg;
        const auto t0 = std::chrono::steady_clock::now();
        const GroundTruthPlan gt = *ground_truth_plan(cfg);
        if (!ctx.opts.quiet)
            std::fprintf(stderr, "ground truth: %zu conditions x %zu stimuli x %u repeats\n",
                         gt.plan.points.size(), gt.plan.stimuli.size(), gt.repeats);
        CollectSink sink(ctx.stop_requested);
        SweepSpec spec = gt.plan.spec;
        spec.keep_trial_words = false;
        run_sweep(spec, sink, ctx.backend);
        std::uint64_t trials = 0;
        for (const auto& o : sink.outs)
            trials += o.counts.offsets.empty() ? 0 : o.counts.n_trials_total();
        if (sink.outs.size() != gt.plan.points.size()) {
            ctx.report.interrupted = true;
            ctx.report.stages.push_back({"ground_truth", seconds_since(t0), trials});
            return;
        }
        std::vector<ConditionCounts> reruns;
        for (auto& o : sink.outs) reruns.push_back(std::move(o.counts));
        write_ground_truth(cfg, gt, reruns, ctx.report);
        ctx.report.stages.push_back({"ground_truth", seconds_since(t0), trials});
    }

  private:
    static double seconds_since(std::chrono::steady_clock::time_point t0) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
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
    const std::vector<std::uint32_t>& conditions = gt.conditions;
    if (reruns.size() != conditions.size())
        throw std::invalid_argument("write_ground_truth: one count table per rerun expected");
    // The estimators at the run's repeats, from the counts the sweep stored.
    const EstimatorOptions& opts = cfg.estimator_options;
    EstimatorOptions ref_opts = opts;
    ref_opts.estimators = {"plugin", "pt"};
    ref_opts.accelerator = nullptr;
    const std::size_t n = conditions.size();
    const std::size_t n_s = gt.plan.stimuli.size();
    std::vector<double> ref(n, k_nan), plugin_large(n, k_nan), ref_h_r(n, k_nan),
        ref_h_rs(n, k_nan);
    std::vector<double> ref_sps(n * n_s, k_nan); // the large-sample SpS, for Fig. 6
    std::vector<std::vector<double>> small_mi(opts.estimators.size(),
                                              std::vector<double>(n, k_nan));
    {
        const io::RunReader reader(cfg.output.path);
        for (std::size_t i = 0; i < n; ++i) {
            const EstimatorResults big = compute_estimators(
                reruns[i], gt.plan.p_s, gt.plan.stimuli.n_input_spikes, ref_opts);
            const EstimatorResult* pt = big.find("pt");
            ref[i] = pt->mi;
            ref_h_r[i] = pt->h_r;
            ref_h_rs[i] = pt->h_rs;
            std::copy(pt->sps.begin(), pt->sps.end(), ref_sps.begin() + i * n_s);
            plugin_large[i] = big.find("plugin")->mi;
            if (!reader.is_completed(conditions[i])) continue;
            const EstimatorResults small = compute_estimators(
                reader.counts(conditions[i]), gt.plan.p_s, gt.plan.stimuli.n_input_spikes, opts);
            for (std::size_t e = 0; e < opts.estimators.size(); ++e) {
                const EstimatorResult* r = small.find(opts.estimators[e]);
                // the resampling estimators' point estimate is their corrected value
                const bool corrected =
                    r->kind == EstimatorKind::jackknife || r->kind == EstimatorKind::null;
                small_mi[e][i] = corrected ? r->mi_corrected : r->mi;
            }
        }
    }

    io::AnalysisWriter w(cfg.output.path, "/analysis/ground_truth", true);
    w.write_attr("reference", "pt at ground_truth.repeats");
    w.write_attr("repeats_small", static_cast<std::uint64_t>(cfg.simulation.repeats));
    w.write_attr("repeats_large", static_cast<std::uint64_t>(gt.repeats));
    w.write_attr("seed", gt.seed);
    w.write_attr("solver", gt.solver);
    w.write_u32("condition", conditions, {n}, "");
    w.write_f64("reference_mi_bit", ref, {n}, "bit");
    w.write_f64("plugin_large_mi_bit", plugin_large, {n}, "bit");
    w.write_f64("reference_h_r_bit", ref_h_r, {n}, "bit");
    w.write_f64("reference_h_r_given_s_bit", ref_h_rs, {n}, "bit");
    for (std::size_t e = 0; e < opts.estimators.size(); ++e) {
        std::vector<double> bias(n);
        for (std::size_t i = 0; i < n; ++i) bias[i] = small_mi[e][i] - ref[i];
        w.write_f64(opts.estimators[e] + "_mi_bit", small_mi[e], {n}, "bit");
        w.write_f64(opts.estimators[e] + "_bias_bit", bias, {n}, "bit");
    }
    for (const std::string& name : w.dataset_names()) w.set_axes(name, {"rerun"});
    w.write_f64("reference_sps_bit_per_spike", ref_sps, {n, n_s}, "bit/spike");
    w.set_axes("reference_sps_bit_per_spike", {"rerun", "stimulus"});
    w.close();

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
    for (std::size_t i = 0; i < n; ++i) {
        std::snprintf(line, sizeof line, "%4u %10.5f", conditions[i], ref[i]);
        t += line;
        for (std::size_t e = 0; e < opts.estimators.size(); ++e) {
            std::snprintf(line, sizeof line, " %+10.5f", small_mi[e][i] - ref[i]);
            t += line;
        }
        t += "\n";
    }
}

const Experiment& ground_truth_experiment() {
    static const GroundTruth e;
    return e;
}

} // namespace memlif
