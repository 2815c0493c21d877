// SPDX-License-Identifier: MIT
//! \file host/information/reliability.cpp
#include "reliability.hpp"

namespace memlif {

double trials_per_response(const PluginMeasures& plugin, const std::vector<double>& p_s) {
    double trials = 0, responses = 0;
    for (std::size_t s = 0; s < plugin.n_s.size() && s < p_s.size(); ++s) {
        if (plugin.n_s[s] == 0) continue;
        trials += p_s[s] * static_cast<double>(plugin.n_s[s]);
        responses += p_s[s] * static_cast<double>(plugin.distinct_s[s]);
    }
    return responses > 0 ? trials / responses : 0.0;
}

double required_trials_per_response(EstimatorKind kind) {
    switch (kind) {
    case EstimatorKind::plugin:
    case EstimatorKind::null:
    case EstimatorKind::bootstrap: return 8.0;
    case EstimatorKind::mm:
    case EstimatorKind::jackknife: return 4.0;
    case EstimatorKind::pt:
    case EstimatorKind::qe:
    case EstimatorKind::nsb:
    case EstimatorKind::sh: return 2.0;
    }
    return 8.0;
}

} // namespace memlif
