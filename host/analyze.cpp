// SPDX-License-Identifier: MIT
//! \file host/analyze.cpp
#include "analyze.hpp"

#include "errors.hpp"

#include <cstdio>

namespace memlif {

std::vector<SummaryRow> summary_rows_from_file(const io::RunReader& reader) {
    const auto axis = reader.axis();
    std::vector<SummaryRow> rows;
    for (std::uint32_t c : reader.completed_conditions()) {
        const PluginResult p = reader.plugin(c);
        const io::ConditionStats st = reader.stats(c);
        SummaryRow r;
        r.condition = c;
        for (int i = 0; i < 4; ++i) r.g_uS[i] = axis.conductance_S[c][i] * 1e6;
        r.weight = axis.weight[c][0];
        r.mean_spikes = st.mean_output_spikes;
        r.n_trials = p.n_trials;
        r.distinct = p.distinct_total;
        r.h_r = p.h_r;
        r.h_rs = p.h_rs;
        r.mi = p.mi;
        rows.push_back(r);
    }
    return rows;
}

std::vector<SummaryRow> analyze_after_run(const RunConfig&, const std::vector<SummaryRow>& rows, bool) {
    return rows;
}

int cmd_analyze(const std::string& path, const std::vector<std::string>&, const std::vector<std::string>&, bool) {
    const io::RunReader reader(path);
    std::fputs(format_summary(summary_rows_from_file(reader)).c_str(), stdout);
    return 0;
}

} // namespace memlif
