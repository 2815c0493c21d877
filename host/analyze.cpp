// SPDX-License-Identifier: MIT
//! \file host/analyze.cpp
#include "analyze.hpp"
#include "run.hpp"

#include "estimator_accelerator.hpp"
#include "information/estimator_columns.hpp"
#include "information/reliability.hpp"
#include "information/sampling_error.hpp"
#include "output_file.hpp"

#include "memlif/core/errors.hpp"

#include <cctype>
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

bool only_plugin(const EstimatorOptions& o) {
    return o.estimators.size() == 1 && o.estimators[0] == "plugin";
}

std::vector<SummaryRow> summary_rows_from_file(const io::RunReader& reader,
                                               const std::string& group) {
    const auto axis = reader.axis();
    std::vector<SummaryRow> rows;
    for (std::uint32_t c : reader.completed_conditions())
        rows.push_back(make_summary_row(c, axis.conductance_S[c], axis.weight[c][0],
                                        reader.stats(c).mean_output_spikes, reader.plugin(c)));
    // The corrected column: the first headline estimator in /analysis/run, +- 1.96 SD, the SD from
    // the stratified bootstrap when it ran, else the jackknife SE. Bootstrap replicates are biased
    // (fewer distinct words than the data, information.md §4.7), so their raw percentile interval
    // need not contain the point estimate: only their spread is used. Every column read must be
    // float64 / uint8 [n_conditions] (read_condition_*: IoError otherwise, never an index past a
    // short one); rows the analysis has not committed yet are left without a corrected value.
    const std::string g = group + "/";
    std::vector<std::uint8_t> analysed;
    if (reader.has(g + "completed")) analysed = reader.read_condition_u8(g + "completed");
    for (const std::string& est : headline_estimators()) {
        // the jackknife's MI column is its bias-corrected value
        if (!reader.has(g + est + "_mi_bit")) continue;
        const auto mi = reader.read_condition_f64(g + est + "_mi_bit");
        std::vector<double> sd(reader.n_conditions(), k_nan);
        for (const char* src : {"jackknife_mi_se_bit", "bootstrap_mi_se_bit"})
            if (reader.has(g + src))
                sd = reader.read_condition_f64(g + src); // the bootstrap wins when both ran
        std::vector<std::uint8_t> reliable(reader.n_conditions(), 1);
        if (reader.has(g + est + "_reliable"))
            reliable = reader.read_condition_u8(g + est + "_reliable");
        for (auto& r : rows) {
            if (!analysed.empty() && analysed[r.condition] == 0) continue;
            r.corrected_name = est;
            r.mi_corrected = mi[r.condition];
            r.ci_low = r.mi_corrected - k_z95 * sd[r.condition];
            r.ci_high = r.mi_corrected + k_z95 * sd[r.condition];
            r.corrected_reliable = reliable[r.condition] != 0;
        }
        break;
    }
    return rows;
}

bool analyze_into(const std::string& path, const EstimatorOptions& opts, const std::string& group,
                  io::GroupMode mode, const std::string& information_json, bool (*stop)(),
                  std::size_t* resumed_rows) {
    // One read-write handle: counts are read and rows written while it is open, so the analysis
    // holds one condition's results at a time whatever the number of conditions and stimuli.
    const io::RunReader reader(path, /*writable=*/true);
    const auto stimuli = reader.stimuli();
    const std::size_t n_g = reader.n_conditions(), n_s = reader.n_stimuli();
    io::AnalysisWriter w(reader, group, mode);
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
                                      : spec.shape == ColumnShape::flag ? flag_column_names().size()
                                                                        : 0;
            const std::vector<std::string> axes =
                spec.shape == ColumnShape::stimulus
                    ? std::vector<std::string>{"condition", "stimulus"}
                : spec.shape == ColumnShape::flag ? std::vector<std::string>{"condition", "flag"}
                                                  : std::vector<std::string>{"condition"};
            w.create_table(col.dataset, n_g, width, spec.is_flag_byte, spec.units, axes);
            columns.push_back(std::move(col));
        }
    }
    w.create_table("trials_per_response", n_g, 0, false, "1", {"condition"});
    w.track_rows(n_g, "condition");

    // The estimators' preconditions on the stimulus axis, which the reader does not check (a
    // hand-built file may leave stimuli out): broken in a file, they are a format error (exit 2),
    // not the estimators' std::invalid_argument (exit 1, which marks a bug).
    double p_sum = 0;
    for (double p : stimuli.p_s) p_sum += p;
    if (std::fabs(p_sum - 1.0) > 1e-9)
        throw IoError("'" + path + "' breaks the memlif-run format: /stimuli/p_s sums to " +
                      std::to_string(p_sum) + ", not 1");
    bool complete = true;
    for (std::uint32_t c : reader.completed_conditions()) {
        if (w.row_done(c)) {
            if (resumed_rows) ++*resumed_rows;
            continue;
        }
        if (stop && stop()) {
            complete = false;
            break;
        }
        EstimatorResults r;
        const ConditionCounts counts = reader.counts(c);
        for (std::size_t s = 0; s < n_s; ++s)
            if (stimuli.p_s[s] != 0 && counts.n_trials(s) == 0)
                throw IoError("'" + path + "' breaks the memlif-run format: stimulus " +
                              std::to_string(s) + " has p(s) > 0 but no trials in condition " +
                              std::to_string(c));
        try {
            r = compute_estimators(counts, stimuli.p_s, stimuli.n_input_spikes, opts);
        } catch (const SamplingError& e) {
            throw ConfigError("information (condition " + std::to_string(c) + " of " + path +
                              "): " + e.what());
        }
        for (const Column& col : columns)
            w.write_row(col.dataset, c, column_values(r.estimates[col.estimator], col.spec, n_s));
        w.write_row("trials_per_response", c, {r.trials_per_response});
        w.commit_row(c);
    }
    w.close();
    return complete;
}

int cmd_analyze(const std::string& path, const std::vector<std::string>& estimators,
                const std::vector<std::string>& sets, const std::string& group, bool replace,
                const std::string& backend, bool (*stop)(), int (*stop_signal)()) {
    // The name is checked first: "" or "a/b" would name other groups (--group "" --replace used
    // to unlink every /analysis group), and run and ground_truth belong to `memlif run`.
    bool ok = !group.empty() && group.front() != '.';
    for (char ch : group)
        ok = ok &&
             (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.');
    if (!ok)
        throw UsageError(
            "--group " +
            nlohmann::json(group).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
            ": expected a name of letters, digits, '_', '-' and '.' (not starting with '.')");
    if (group == "run" || group == "ground_truth")
        throw UsageError("--group " + group + ": /analysis/" + group +
                         " is written by `memlif run`; choose another name");
    const OutputPaths paths = output_paths(path);
    const OutputLock lock(paths);
    io::RunMetadata meta;
    {
        const io::RunReader reader(path);
        meta = reader.metadata();
    }
    // the card the run used, with the command line's information.* overrides, validated again
    nlohmann::json card = stored_card_from_text(meta.config_json, path + ":/config_json");
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
    {
        // The group is written into a copy that replaces the file only once it is complete: a full
        // disk, an error or a signal leaves the file as it was.
        const io::RunReader reader(path);
        if (reader.has(g) && !replace)
            throw IoError("'" + path + "': group '" + g +
                          "' already exists (replace it explicitly with --replace)");
    }
    const std::string temp = path + ".analyze-partial";
    copy_for_update(path, temp);
    bool done = false;
    try {
        done = analyze_into(temp, opts, g, replace ? io::GroupMode::replace : io::GroupMode::create,
                            info, stop);
        if (done) commit_file(temp, path);
    } catch (...) {
        std::remove(temp.c_str()); // unlinked even while HDF5 holds it open after a failed write
        throw;
    }
    if (!done) {
        std::remove(temp.c_str());
        const int sig = stop_signal ? stop_signal() : 0;
        std::fprintf(stderr, "memlif: analyze interrupted; '%s' is unchanged\n", path.c_str());
        return interrupted_exit_code(sig);
    }
    std::fputs(format_summary(summary_rows_from_file(io::RunReader(path), g)).c_str(), stdout);
    std::printf("wrote %s:%s (%s)\n", path.c_str(), g.c_str(),
                cfg.card["information"]["estimators"].dump().c_str());
    return 0;
}

} // namespace memlif
