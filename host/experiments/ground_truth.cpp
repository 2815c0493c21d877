// SPDX-License-Identifier: MIT
//! \file host/experiments/ground_truth.cpp
//! Ground truth (follows mi_sweep when `ground_truth.enabled`): reruns chosen conditions with many
//! repeats and records, per estimator, its value at the run's repeat count minus the large-sample
//! reference (PT at the large count), i.e. each estimator's bias measured on this circuit's own
//! responses (information.md §7.4; io/FORMAT.md, /analysis/ground_truth).
#include "host/experiment.hpp"
#include "host/information/estimators.hpp"

#include "io/run_file.hpp"

#include <chrono>
#include <cstdio>
#include <functional>
#include <limits>

namespace memlif {

namespace {

//! Seed of the reruns: a fixed offset keeps their jitter streams disjoint from the main run's.
constexpr std::uint64_t k_seed_offset = 0x9E3779B97F4A7C15ull;

struct GroundTruthCard {
    bool enabled = false;
    std::vector<std::uint32_t> conditions{0, 1, 2}; //!< indices into the conductance grid
    std::uint32_t repeats = 2000;                    //!< repeats per stimulus of the reruns
    template <class V> void visit(V& v) {
        v.flag("enabled", enabled);
        v.integers("conditions", conditions, 0u, 65535u);
        v.integer("repeats", repeats, 1u, 0xFFFFFFFFu);
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
            if (gt.conditions[i] >= cfg.conductances_uS.size())
                throw ConfigError("ground_truth.conditions[" + std::to_string(i) +
                                  "]: expected a condition index in [0, " +
                                  std::to_string(cfg.conductances_uS.size() - 1) + "], got " +
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
        const GroundTruthCard gt = read_section(cfg);
        const auto t0 = std::chrono::steady_clock::now();
        const std::uint64_t seed = cfg.seed + k_seed_offset;
        const SweepPlan plan = make_sweep(cfg, gt.repeats, &seed, gt.conditions);
        const std::size_t n = gt.conditions.size();
        const std::uint64_t trials_per_rerun =
            static_cast<std::uint64_t>(plan.stimuli.size()) * gt.repeats;
        ctx.enter_phase("ground_truth");

        // The estimators at the run's repeats (from the counts the sweep stored), minus the
        // reference of each rerun; one committed row per rerun, so a resumed run reruns only the
        // rows it lacks (each rerun i under its own id i, as an uninterrupted run).
        const EstimatorOptions& opts = cfg.estimator_options;
        EstimatorOptions ref_opts = opts;
        ref_opts.estimators = {"plugin", "pt"};
        ref_opts.accelerator = nullptr;
        const io::RunReader reader(ctx.file, /*writable=*/true);
        io::AnalysisWriter w(reader, "/analysis/ground_truth", io::GroupMode::resume);
        w.write_attr("reference", "pt at ground_truth.repeats");
        w.write_attr("repeats_small", static_cast<std::uint64_t>(cfg.simulation.repeats));
        w.write_attr("repeats_large", static_cast<std::uint64_t>(gt.repeats));
        w.write_attr("seed", seed);
        w.write_u32("condition", gt.conditions, {n}, "");
        w.set_axes("condition", {"rerun"});
        const auto table = [&](const std::string& name) {
            w.create_table(name, n, 0, false, "bit", {"rerun"});
        };
        table("reference_mi_bit");
        table("plugin_large_mi_bit");
        for (const std::string& e : opts.estimators) {
            table(e + "_mi_bit");
            table(e + "_bias_bit");
        }
        w.track_rows(n, "rerun");
        std::vector<std::uint32_t> pending;
        for (std::uint32_t i = 0; i < n; ++i)
            if (!w.row_done(i)) pending.push_back(i);
        ctx.report.resumed_units += n - pending.size();

        if (!pending.empty()) {
            if (!ctx.opts.quiet)
                std::fprintf(stderr, "ground truth: %zu conditions x %zu stimuli x %u repeats\n",
                             pending.size(), plan.stimuli.size(), gt.repeats);
            RowSink sink(ctx.stop_requested, [&](ConditionOutput&& out) {
                const std::uint32_t i = out.condition;
                const EstimatorResults big =
                    compute_estimators(out.counts, plan.p_s, plan.stimuli.n_input_spikes, ref_opts);
                const double ref = big.find("pt")->mi;
                w.write_row("reference_mi_bit", i, {ref});
                w.write_row("plugin_large_mi_bit", i, {big.find("plugin")->mi});
                if (reader.is_completed(gt.conditions[i])) {
                    const EstimatorResults small =
                        compute_estimators(reader.counts(gt.conditions[i]), plan.p_s,
                                           plan.stimuli.n_input_spikes, opts);
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
            });
            SweepSpec spec = plan.spec;
            spec.keep_trial_words = false;
            if (pending.size() != n) spec = only_conditions(spec, pending);
            run_sweep(spec, sink, ctx.backend);
            if (sink.done() != pending.size()) { // a stop after the last rerun changes nothing
                w.close();
                ctx.report.interrupted = true;
                ctx.report.stages.push_back({"ground_truth", seconds_since(t0), 0});
                return;
            }
        }
        w.close();
        ctx.report.stages.push_back({"ground_truth", seconds_since(t0), n * trials_per_rerun});

        std::vector<double> ref = reader.read_f64("/analysis/ground_truth/reference_mi_bit");
        std::vector<std::vector<double>> bias;
        for (const std::string& e : opts.estimators)
            bias.push_back(reader.read_f64("/analysis/ground_truth/" + e + "_bias_bit"));
        std::string& t = ctx.report.text;
        char line[256];
        std::snprintf(line, sizeof line,
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
            std::snprintf(line, sizeof line, "%4u %10.5f", gt.conditions[i], ref[i]);
            t += line;
            for (std::size_t e = 0; e < opts.estimators.size(); ++e) {
                std::snprintf(line, sizeof line, " %+10.5f", bias[e][i]);
                t += line;
            }
            t += "\n";
        }
    }

  private:
    static double seconds_since(std::chrono::steady_clock::time_point t0) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
};

} // namespace

const Experiment& ground_truth_experiment() {
    static const GroundTruth e;
    return e;
}

} // namespace memlif
