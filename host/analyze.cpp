// SPDX-License-Identifier: MIT
//! \file host/analyze.cpp
#include "analyze.hpp"

#include "backend.hpp"
#include "memlif/core/errors.hpp"
#include "estimator_accelerator.hpp"
#include "estimator_options.hpp"
#include "information/estimators.hpp"
#include "stimulus_set.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

namespace memlif {

namespace {

constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();

//! Seed of the ground-truth reruns: a fixed offset keeps their jitter streams disjoint from the
//! main run's (documented in io/FORMAT.md).
constexpr std::uint64_t k_ground_truth_seed_offset = 0x9E3779B97F4A7C15ull;

//! Per-condition estimator tables, NaN for conditions that are not completed.
struct EstimatorTable {
    std::string name;
    std::vector<double> mi, h_r, h_rs, se, ci_lo, ci_hi, corrected, null_mean, p_value, r_tot;
    std::vector<std::uint8_t> flags;  // [n_g, 6]
    std::vector<double> sss, sps;     // [n_g, n_s] where defined
    std::vector<double> sss_ci_lo, sss_ci_hi, sps_ci_lo, sps_ci_hi; // bootstrap, [n_g, n_s]
    std::vector<double> sss_se, sps_se, sss_corr, sps_corr;         // jackknife, [n_g, n_s]
    bool has_sss = false, has_ci = false, has_se = false;
};

std::vector<std::uint8_t> flag_row(const InformationFlags& f) {
    return {f.mi_negative, f.mi_above_log2_s, f.mi_above_h_s, f.sps_undefined, f.qe_fallback, f.ps_not_empirical};
}

constexpr double k_z95 = 1.959963984540054;

//! The corrected MI and its 95% CI shown in the summary table: PT (else the first corrected
//! estimator) +- 1.96 SD, the SD from the stratified bootstrap when it ran, else the jackknife SE.
//! Bootstrap replicates are biased (fewer distinct words than the data, information.md §4.7), so
//! their raw percentile interval need not contain the point estimate: only their spread is used.
void fill_corrected(SummaryRow& row, const EstimatorResults& r, const EstimatorOptions& o) {
    const EstimatorResult* point = r.find("pt");
    for (const char* name : {"mm", "qe", "sh", "nsb", "jackknife"})
        if (!point) point = r.find(name);
    if (!point) return;
    row.corrected_name = point->name;
    row.mi_corrected = point->kind == EstimatorKind::jackknife ? point->mi_corrected : point->mi;
    if (std::isnan(row.mi_corrected)) row.mi_corrected = point->mi;
    const EstimatorResult* boot = r.find("bootstrap");
    const EstimatorResult* jack = r.find("jackknife");
    (void)o;
    const double sd = boot && !std::isnan(boot->mi_se) ? boot->mi_se : jack ? jack->mi_se : k_nan;
    row.ci_low = row.mi_corrected - k_z95 * sd;
    row.ci_high = row.mi_corrected + k_z95 * sd;
}

//! Computes the estimators on every completed condition of `reader` and writes /analysis/<group>.
std::vector<SummaryRow> analyze_into(const std::string& path, const EstimatorOptions& opts,
                                     const std::string& group, bool replace, const std::string& card_info,
                                     std::vector<EstimatorResults>* keep,
                                     std::vector<std::uint32_t>* completed = nullptr) {
    // HDF5 refuses a read-write open while the file is open read-only: read everything first.
    std::optional<io::RunReader> reader_storage(std::in_place, path);
    const io::RunReader& reader = *reader_storage;
    const auto stimuli = reader.stimuli();
    const std::size_t n_g = reader.n_conditions(), n_s = reader.n_stimuli();
    std::vector<SummaryRow> rows = summary_rows_from_file(reader);
    std::vector<EstimatorTable> tables;
    for (const auto& name : opts.estimators) {
        EstimatorTable t;
        t.name = name;
        for (auto* v : {&t.mi, &t.h_r, &t.h_rs, &t.se, &t.ci_lo, &t.ci_hi, &t.corrected, &t.null_mean, &t.p_value,
                        &t.r_tot})
            v->assign(n_g, k_nan);
        t.flags.assign(n_g * 6, 0);
        for (auto* v : {&t.sss, &t.sps, &t.sss_ci_lo, &t.sss_ci_hi, &t.sps_ci_lo, &t.sps_ci_hi, &t.sss_se, &t.sps_se,
                        &t.sss_corr, &t.sps_corr})
            v->assign(n_g * n_s, k_nan);
        tables.push_back(std::move(t));
    }
    std::size_t row = 0;
    for (std::uint32_t c : reader.completed_conditions()) {
        EstimatorResults r;
        try {
            r = compute_estimators(reader.counts(c), stimuli.p_s, stimuli.n_input_spikes, opts);
        } catch (const std::logic_error& e) {
            // invalid_argument or domain_error, e.g. QE with N_s < 4 under small_sample = refuse: a request the data cannot honour
            throw ConfigError("information (condition " + std::to_string(c) + " of " + path + "): " + e.what());
        }
        for (auto& t : tables) {
            const EstimatorResult* e = r.find(t.name);
            if (!e) continue;
            t.mi[c] = e->mi;
            t.h_r[c] = e->h_r;
            t.h_rs[c] = e->h_rs;
            t.se[c] = e->mi_se;
            t.ci_lo[c] = e->mi_ci_lo;
            t.ci_hi[c] = e->mi_ci_hi;
            t.corrected[c] = e->mi_corrected;
            t.null_mean[c] = e->null_mean;
            t.p_value[c] = e->p_value;
            t.r_tot[c] = e->r_tot;
            const auto f = flag_row(e->flags);
            std::copy(f.begin(), f.end(), t.flags.begin() + c * 6);
            if (e->sss.size() == n_s) {
                t.has_sss = true;
                std::copy(e->sss.begin(), e->sss.end(), t.sss.begin() + c * n_s);
                if (e->sps.size() == n_s) std::copy(e->sps.begin(), e->sps.end(), t.sps.begin() + c * n_s);
            }
            if (e->sss_ci_lo.size() == n_s) {
                t.has_ci = true;
                std::copy(e->sss_ci_lo.begin(), e->sss_ci_lo.end(), t.sss_ci_lo.begin() + c * n_s);
                std::copy(e->sss_ci_hi.begin(), e->sss_ci_hi.end(), t.sss_ci_hi.begin() + c * n_s);
                std::copy(e->sps_ci_lo.begin(), e->sps_ci_lo.end(), t.sps_ci_lo.begin() + c * n_s);
                std::copy(e->sps_ci_hi.begin(), e->sps_ci_hi.end(), t.sps_ci_hi.begin() + c * n_s);
            }
            if (e->sss_se.size() == n_s) {
                t.has_se = true;
                std::copy(e->sss_se.begin(), e->sss_se.end(), t.sss_se.begin() + c * n_s);
                std::copy(e->sps_se.begin(), e->sps_se.end(), t.sps_se.begin() + c * n_s);
                std::copy(e->sss_corrected.begin(), e->sss_corrected.end(), t.sss_corr.begin() + c * n_s);
                std::copy(e->sps_corrected.begin(), e->sps_corrected.end(), t.sps_corr.begin() + c * n_s);
            }
        }
        fill_corrected(rows[row++], r, opts);
        if (keep) keep->push_back(r);
    }
    if (completed) *completed = reader.completed_conditions();
    reader_storage.reset();
    io::AnalysisWriter w(path, group, replace);
    std::string names;
    for (const auto& n : opts.estimators) names += (names.empty() ? "" : " ") + n;
    w.write_attr("estimators", names);
    w.write_attr("information_json", card_info);
    w.write_attr("seed", static_cast<double>(opts.seed));
    const std::vector<std::size_t> g_shape{n_g}, gs_shape{n_g, n_s}, flag_shape{n_g, 6};
    w.write_attr("flag_columns", "mi_negative mi_above_log2_s mi_above_h_s sps_undefined qe_fallback ps_not_empirical");
    for (const auto& t : tables) {
        const std::string p = t.name + "_";
        w.write_f64(p + "mi_bit", t.mi, g_shape, "bit");
        w.write_f64(p + "h_r_bit", t.h_r, g_shape, "bit");
        w.write_f64(p + "h_r_given_s_bit", t.h_rs, g_shape, "bit");
        w.write_f64(p + "mi_se_bit", t.se, g_shape, "bit");
        w.write_f64(p + "mi_ci_low_bit", t.ci_lo, g_shape, "bit");
        w.write_f64(p + "mi_ci_high_bit", t.ci_hi, g_shape, "bit");
        w.write_f64(p + "mi_corrected_bit", t.corrected, g_shape, "bit");
        w.write_f64(p + "null_mean_bit", t.null_mean, g_shape, "bit");
        w.write_f64(p + "p_value", t.p_value, g_shape, "1");
        w.write_f64(p + "r_tot", t.r_tot, g_shape, "1");
        w.write_u8(p + "flags", t.flags, flag_shape, "1");
        for (const char* n : {"mi_bit", "h_r_bit", "h_r_given_s_bit", "mi_se_bit", "mi_ci_low_bit", "mi_ci_high_bit",
                              "mi_corrected_bit", "null_mean_bit", "p_value", "r_tot"})
            w.set_axes(p + n, {"condition"});
        w.set_axes(p + "flags", {"condition", "flag"});
        if (t.has_sss) {
            w.write_f64(p + "sss_bit", t.sss, gs_shape, "bit");
            w.write_f64(p + "sps_bit_per_spike", t.sps, gs_shape, "bit/spike");
            w.set_axes(p + "sss_bit", {"condition", "stimulus"});
            w.set_axes(p + "sps_bit_per_spike", {"condition", "stimulus"});
        }
        if (t.has_ci) {
            const std::pair<const char*, const std::vector<double>*> ci[] = {
                {"sss_ci_low_bit", &t.sss_ci_lo}, {"sss_ci_high_bit", &t.sss_ci_hi},
                {"sps_ci_low_bit_per_spike", &t.sps_ci_lo}, {"sps_ci_high_bit_per_spike", &t.sps_ci_hi}};
            for (const auto& [name, data] : ci) {
                w.write_f64(p + name, *data, gs_shape, std::string(name).find("sps") == 0 ? "bit/spike" : "bit");
                w.set_axes(p + name, {"condition", "stimulus"});
            }
        }
        if (t.has_se) {
            const std::pair<const char*, const std::vector<double>*> se[] = {
                {"sss_se_bit", &t.sss_se}, {"sps_se_bit_per_spike", &t.sps_se},
                {"sss_corrected_bit", &t.sss_corr}, {"sps_corrected_bit_per_spike", &t.sps_corr}};
            for (const auto& [name, data] : se) {
                w.write_f64(p + name, *data, gs_shape, std::string(name).find("sps") == 0 ? "bit/spike" : "bit");
                w.set_axes(p + name, {"condition", "stimulus"});
            }
        }
    }
    w.close();
    return rows;
}

bool only_plugin(const EstimatorOptions& o) { return o.estimators.size() == 1 && o.estimators[0] == "plugin"; }

//! Collects the finished ground-truth conditions.
class CollectSink : public ConditionSink {
  public:
    void consume(ConditionOutput&& out) override { outs.push_back(std::move(out)); }
    std::vector<ConditionOutput> outs;
};

//! Ground-truth mode: reruns the chosen conditions with many repeats, then records, per estimator,
//! its value at the run's repeat count minus the large-sample reference (PT at the large count).
void run_ground_truth(const RunConfig& cfg, const EstimatorOptions& opts,
                      const std::vector<EstimatorResults>& small, const std::vector<std::uint32_t>& completed,
                      bool quiet) {
    const StimulusSet set = make_stimulus_set(cfg.stimulus_set);
    const std::vector<double> p_s = stimulus_probabilities(set, cfg.p_s);
    SweepSpec spec;
    spec.params = make_sim_params(cfg);
    spec.params.seed = cfg.seed + k_ground_truth_seed_offset;
    const auto points = make_conditions(cfg, spec.params);
    for (std::uint32_t c : cfg.ground_truth_conditions) spec.drives.push_back(points[c].drive);
    spec.stimulus_codes = set.codes;
    spec.p_s = p_s;
    spec.n_input_spikes = set.n_input_spikes;
    spec.n_repeats = cfg.ground_truth_repeats;
    CpuOptions cpu;
    cpu.threads = cfg.threads;
    cpu.batch_trials = cfg.batch_trials;
    CollectSink sink;
    if (!quiet)
        std::fprintf(stderr, "ground truth: %zu conditions x %zu stimuli x %u repeats\n", spec.drives.size(),
                     set.size(), spec.n_repeats);
    run_sweep(spec, sink, choose_backend(cfg.backend, cpu));

    EstimatorOptions ref_opts = opts;
    ref_opts.estimators = {"plugin", "pt"};
    const std::size_t n = cfg.ground_truth_conditions.size();
    std::vector<double> ref(n, k_nan), plugin_large(n, k_nan);
    std::vector<std::uint32_t> cond(cfg.ground_truth_conditions.begin(), cfg.ground_truth_conditions.end());
    std::vector<std::vector<double>> small_mi(opts.estimators.size(), std::vector<double>(n, k_nan));
    for (std::size_t i = 0; i < sink.outs.size(); ++i) {
        const EstimatorResults big = compute_estimators(sink.outs[i].counts, p_s, set.n_input_spikes, ref_opts);
        ref[i] = big.find("pt")->mi;
        plugin_large[i] = big.find("plugin")->mi;
        for (std::size_t k = 0; k < completed.size(); ++k) {
            if (completed[k] != cond[i]) continue;
            for (std::size_t e = 0; e < opts.estimators.size(); ++e) {
                const EstimatorResult* r = small[k].find(opts.estimators[e]);
                if (!r) continue;
                // the corrected value of the resampling estimators is their point estimate
                const bool use_corrected = r->kind == EstimatorKind::jackknife || r->kind == EstimatorKind::null;
                small_mi[e][i] = use_corrected ? r->mi_corrected : r->mi;
            }
        }
    }
    io::AnalysisWriter w(cfg.output_path, "/analysis/ground_truth", true);
    w.write_attr("reference", "pt at ground_truth.repeats");
    w.write_attr("repeats_small", static_cast<double>(cfg.repeats));
    w.write_attr("repeats_large", static_cast<double>(cfg.ground_truth_repeats));
    w.write_attr("seed", static_cast<double>(spec.params.seed));
    w.write_u32("condition", cond, {n}, "1");
    w.write_f64("reference_mi_bit", ref, {n}, "bit");
    w.write_f64("plugin_large_mi_bit", plugin_large, {n}, "bit");
    for (std::size_t e = 0; e < opts.estimators.size(); ++e) {
        std::vector<double> bias(n);
        for (std::size_t i = 0; i < n; ++i) bias[i] = small_mi[e][i] - ref[i];
        w.write_f64(opts.estimators[e] + "_mi_bit", small_mi[e], {n}, "bit");
        w.write_f64(opts.estimators[e] + "_bias_bit", bias, {n}, "bit");
    }
    w.close();
    if (!quiet) {
        std::printf("ground truth (%u repeats, reference = PT): estimator(%u repeats) - reference, bits\n",
                    cfg.ground_truth_repeats, cfg.repeats);
        std::printf("%4s %10s", "cond", "reference");
        for (const auto& name : opts.estimators) std::printf(" %10s", name.c_str());
        std::printf("\n");
        for (std::size_t i = 0; i < n; ++i) {
            std::printf("%4u %10.5f", cond[i], ref[i]);
            for (std::size_t e = 0; e < opts.estimators.size(); ++e) std::printf(" %+10.5f", small_mi[e][i] - ref[i]);
            std::printf("\n");
        }
    }
}

} // namespace

std::vector<SummaryRow> summary_rows_from_file(const io::RunReader& reader) {
    const auto axis = reader.axis();
    std::vector<SummaryRow> rows;
    for (std::uint32_t c : reader.completed_conditions()) {
        const SummaryRow r =
            make_summary_row(c, axis.conductance_S[c], axis.weight[c][0], reader.stats(c).mean_output_spikes, reader.plugin(c));
        rows.push_back(r);
    }
    // the corrected column comes from the post-run analysis, if it was computed
    for (const char* est : {"pt", "mm", "qe", "sh", "nsb"}) {
        const std::string base = std::string("/analysis/run/") + est;
        if (!reader.has(base + "_mi_bit")) continue;
        const auto mi = reader.read_f64(base + "_mi_bit");
        std::vector<double> sd(reader.n_conditions(), k_nan);
        for (const char* src : {"/analysis/run/jackknife_mi_se_bit", "/analysis/run/bootstrap_mi_se_bit"})
            if (reader.has(src)) sd = reader.read_f64(src); // the bootstrap wins when both ran
        for (auto& r : rows) {
            r.corrected_name = est;
            r.mi_corrected = mi[r.condition];
            r.ci_low = r.mi_corrected - k_z95 * sd[r.condition];
            r.ci_high = r.mi_corrected + k_z95 * sd[r.condition];
        }
        break;
    }
    return rows;
}

std::vector<SummaryRow> analyze_after_run(const RunConfig& cfg, const std::vector<SummaryRow>& rows, bool quiet) {
    EstimatorOptions opts = estimator_options_from_card(cfg.information, cfg.seed);
    opts.accelerator = estimator_accelerator_for(cfg.backend);
    const bool gt = !cfg.ground_truth_conditions.empty();
    if (only_plugin(opts) && !gt) return rows;
    std::vector<EstimatorResults> small;
    std::vector<std::uint32_t> completed;
    std::vector<SummaryRow> out = analyze_into(cfg.output_path, opts, "/analysis/run", true, cfg.information.dump(),
                                               gt ? &small : nullptr, &completed);
    if (gt) run_ground_truth(cfg, opts, small, completed, quiet);
    return out;
}

int cmd_analyze(const std::string& path, const std::vector<std::string>& estimators,
                const std::vector<std::string>& sets, const std::string& group, bool replace,
                const std::string& backend) {
    io::RunMetadata meta;
    {
        const io::RunReader reader(path);
        meta = reader.metadata();
    }
    // the card the run used, with the command line's information.* overrides, validated again
    nlohmann::json card = parse_card_text(meta.config_json, path + ":/config_json");
    for (const auto& s : sets) {
        if (s.rfind("information.", 0) != 0)
            throw ConfigError("--set " + s + ": analyze only accepts information.* keys");
        apply_override(card, s);
    }
    if (!estimators.empty()) card["information"]["estimators"] = estimators;
    const nlohmann::json resolved = resolve_config(card).information;
    EstimatorOptions opts = estimator_options_from_card(resolved, meta.seed);
    opts.accelerator = estimator_accelerator_for(backend);
    const std::string g = "/analysis/" + group;
    const auto rows = analyze_into(path, opts, g, replace, resolved.dump(), nullptr);
    std::fputs(format_summary(rows).c_str(), stdout);
    std::printf("wrote %s:%s (%s)\n", path.c_str(), g.c_str(), resolved["estimators"].dump().c_str());
    return 0;
}

} // namespace memlif
