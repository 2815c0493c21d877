// SPDX-License-Identifier: MIT
//! \file host/summary.cpp
#include "summary.hpp"

#include <cstdio>

namespace memlif {

SummaryRow make_summary_row(std::uint32_t condition, const std::array<double, 4>& g_S,
                            double weight, double mean_spikes, const PluginMeasures& plugin) {
    SummaryRow r;
    r.condition = condition;
    for (int i = 0; i < 4; ++i) r.g_uS[i] = g_S[i] * 1e6;
    r.weight = weight;
    r.mean_spikes = mean_spikes;
    r.n_trials = plugin.n_trials;
    r.distinct = plugin.distinct_total;
    r.h_r = plugin.h_r;
    r.h_rs = plugin.h_rs;
    r.mi = plugin.mi;
    return r;
}

std::string format_summary(const std::vector<SummaryRow>& rows) {
    bool corrected = false;
    std::string cname;
    for (const auto& r : rows)
        if (!r.corrected_name.empty()) {
            corrected = true;
            cname = r.corrected_name;
        }
    std::string out;
    char line[512];
    std::snprintf(line, sizeof line, "%4s  %-27s %7s %7s %8s %8s %9s %9s %9s", "cond",
                  "G_uS (syn 1..4)", "w1", "<n_out>", "N", "distinct", "H(R)/bit", "H(R|S)",
                  "MI/bit");
    out += line;
    if (corrected) {
        std::snprintf(line, sizeof line, "  %10s %21s", ("MI_" + cname).c_str(), "95% CI");
        out += line;
    }
    out += "\n";
    for (const auto& r : rows) {
        char g[64];
        if (r.g_uS[0] == r.g_uS[1] && r.g_uS[1] == r.g_uS[2] && r.g_uS[2] == r.g_uS[3])
            std::snprintf(g, sizeof g, "%.4g", r.g_uS[0]);
        else
            std::snprintf(g, sizeof g, "%.3g,%.3g,%.3g,%.3g", r.g_uS[0], r.g_uS[1], r.g_uS[2],
                          r.g_uS[3]);
        std::snprintf(line, sizeof line, "%4u  %-27s %7.4f %7.3f %8llu %8llu %9.5f %9.5f %9.5f",
                      r.condition, g, r.weight, r.mean_spikes,
                      static_cast<unsigned long long>(r.n_trials),
                      static_cast<unsigned long long>(r.distinct), r.h_r, r.h_rs, r.mi);
        out += line;
        if (corrected) {
            if (!r.corrected_name.empty())
                std::snprintf(line, sizeof line, "  %10.5f [%9.5f, %9.5f]%s", r.mi_corrected,
                              r.ci_low, r.ci_high, r.corrected_reliable ? "" : " undersampled");
            else
                std::snprintf(line, sizeof line, "  %10s %21s", "-", "-");
            out += line;
        }
        out += "\n";
    }
    return out;
}

} // namespace memlif
