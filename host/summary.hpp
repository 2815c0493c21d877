// SPDX-License-Identifier: MIT
//! \file host/summary.hpp
//! The printed per-conductance table of MI, H(R) and H(R|S) (seed Fig. 5 quantities).
#pragma once

#include "memlif/core/plugin_measures.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace memlif {

struct SummaryRow {
    std::uint32_t condition = 0;
    std::array<double, 4> g_uS{};
    double weight = 0;      //!< normalised weight of synapse 1 (all four when symmetric)
    double mean_spikes = 0; //!< mean output spikes per trial
    std::uint64_t n_trials = 0;
    std::uint64_t distinct = 0;       //!< distinct response words overall
    double h_r = 0, h_rs = 0, mi = 0; //!< plug-in, bits
    std::string corrected_name;       //!< e.g. "pt"; empty when no corrected estimator was computed
    double mi_corrected = NAN, ci_low = NAN, ci_high = NAN;
    bool corrected_reliable = true; //!< the corrected estimator is within its sampling regime
};

//! The plug-in part of a row: conductances in siemens, weight of synapse 1, mean output spikes.
SummaryRow make_summary_row(std::uint32_t condition, const std::array<double, 4>& g_S,
                            double weight, double mean_spikes, const PluginMeasures& plugin);

std::string format_summary(const std::vector<SummaryRow>& rows);

} // namespace memlif
