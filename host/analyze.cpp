// SPDX-License-Identifier: MIT
//! \file host/analyze.cpp
#include "analyze.hpp"

#include "estimator_accelerator.hpp"
#include "information/estimator_columns.hpp"
#include "information/reliability.hpp"
#include "information/sampling_error.hpp"

#include "memlif/core/errors.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

namespace memlif {

namespace {

constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();
constexpr double k_z95 = 1.959963984540054;

} // namespace

const std::vector<std::string>& headline_estimators() {
    static const std::vector<std::string> order = {"pt", "mm", "qe", "sh", "nsb", "jackknife"};
    return order;
}

bool only_plugin(const EstimatorOptions& o) { return o.estimators.size() == 1 && o.estimators[0] == "plugin"; }

std::vector<SummaryRow> summary_rows_from_file(const io::RunReader& reader, const std::string& group) {
    const auto axis = reader.axis();
    std::vector<SummaryRow> rows;
    for (std::uint32_t c : reader.completed_conditions())
        rows.push_back(make_summary_row(c, axis.conductance_S[c], axis.weight[c][0],
                                        reader.stats(c).mean_output_spikes, reader.plugin(c)));
    // The corrected column: the first headline estimator in /analysis/run, +- 1.96 SD, the SD from
    // the stratified bootstrap when it ran, else the jackknife SE. Bootstrap replicates are biased
    // (fewer distinct words than the data, information.md §4.7), so their raw percentile interval
    // need not contain the point estimate: only their spread is used.
    const std::string g = group + "/";
    for (const std::string& est : headline_estimators()) {
        // the jackknife's MI column is its bias-corrected value
        if (!reader.has(g + est + "_mi_bit")) continue;
        const auto mi = reader.read_f64(g + est + "_mi_bit");
        std::vector<double> sd(reader.n_conditions(), k_nan);
        for (const char* src : {"jackknife_mi_se_bit", "bootstrap_mi_se_bit"})
            if (reader.has(g + src)) sd = reader.read_f64(g + src); // the bootstrap wins when both ran
        std::vector<std::uint8_t> reliable;
        if (reader.has(g + est + "_reliable")) reliable = reader.read_u8(g + est + "_reliable");
        for (auto& r : rows) {
            if (r.condition >= mi.size() || r.condition >= sd.size()) continue;
            r.corrected_name = est;
            r.mi_corrected = mi[r.condition];
            r.ci_low = r.mi_corrected - k_z95 * sd[r.condition];
            r.ci_high = r.mi_corrected + k_z95 * sd[r.condition];
            r.corrected_reliable = r.condition < reliable.size() ? reliable[r.condition] != 0 : true;
        }
        break;
    }
    return rows;
}

void analyze_into(const std::string& path, const EstimatorOptions& opts, const std::string& group,
                  bool replace, const std::string& information_json) {
    // One read-write handle: counts are read and rows written while it is open, so the analysis
    // holds one condition's results at a time whatever the number of conditions and stimuli.
    const io::RunReader reader(path, /*writable=*/true);
    const auto stimuli = reader.stimuli();
    const std::size_t n_g = reader.n_conditions(), n_s = reader.n_stimuli();
    io::AnalysisWriter w(reader, group, replace);
    std::string names;
    for (const auto& n : opts.estimators) names += (names.empty() ? "" : " ") + n;
    w.write_attr("estimators", names);
    w.write_attr("information_json", information_json);
    w.write_attr("seed", opts.seed);
    std::string flags;
    for (const auto& f : flag_column_names()) flags += (flags.empty() ? "" : " ") + f;
    w.write_attr("flag_columns", flags);

    struct Column {
        std::string dataset;
        std::size_t estimator;
        ColumnSpec spec;
    };
    std::vector<Column> columns;
    for (std::size_t e = 0; e < opts.estimators.size(); ++e) {
        const EstimatorKind kind = parse_estimator_name(opts.estimators[e]);
        for (const ColumnSpec& spec : estimator_columns(kind)) {
            Column col{opts.estimators[e] + "_" + spec.suffix, e, spec};
            const std::size_t width = spec.shape == ColumnShape::stimulus ? n_s
                                      : spec.shape == ColumnShape::flag   ? flag_column_names().size()
                                                                          : 0;
            const std::vector<std::string> axes =
                spec.shape == ColumnShape::stimulus ? std::vector<std::string>{"condition", "stimulus"}
                : spec.shape == ColumnShape::flag   ? std::vector<std::string>{"condition", "flag"}
                                                    : std::vector<std::string>{"condition"};
            w.create_table(col.dataset, n_g, width, spec.is_flag_byte, spec.units, axes);
            columns.push_back(std::move(col));
        }
    }
    w.create_table("trials_per_response", n_g, 0, false, "1", {"condition"});

    for (std::uint32_t c : reader.completed_conditions()) {
        EstimatorResults r;
        try {
            r = compute_estimators(reader.counts(c), stimuli.p_s, stimuli.n_input_spikes, opts);
        } catch (const SamplingError& e) {
            throw ConfigError("information (condition " + std::to_string(c) + " of " + path + "): " + e.what());
        }
        for (const Column& col : columns)
            w.write_row(col.dataset, c, column_values(r.estimates[col.estimator], col.spec, n_s));
        w.write_row("trials_per_response", c, {r.trials_per_response});
    }
    w.close();
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
    nlohmann::json card = migrate_stored_card(parse_card_text(meta.config_json, path + ":/config_json"));
    for (const auto& s : sets) {
        if (s.rfind("information.", 0) != 0)
            throw ConfigError("--set " + s + ": analyze only accepts information.* keys");
        apply_override(card, s);
    }
    if (!estimators.empty()) card["information"]["estimators"] = estimators;
    const RunConfig cfg = resolve_config(card);
    EstimatorOptions opts = cfg.estimator_options;
    opts.seed = meta.seed;
    opts.accelerator = estimator_accelerator_for(backend);
    const std::string g = "/analysis/" + group;
    const std::string info = cfg.card.at("information").dump();
    analyze_into(path, opts, g, replace, info);
    std::fputs(format_summary(summary_rows_from_file(io::RunReader(path), g)).c_str(), stdout);
    std::printf("wrote %s:%s (%s)\n", path.c_str(), g.c_str(), cfg.card["information"]["estimators"].dump().c_str());
    return 0;
}

} // namespace memlif
