// SPDX-License-Identifier: MIT
//! \file host/information/reliability.cpp
#include "reliability.hpp"

#include <limits>

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

// Measured thresholds: rho_min of docs/estimators.md (the smallest calibrated rho above which every
// calibration point was within tolerance), rounded up to 0.1; tests/host/information/
// reliability_test.cpp checks them against docs/estimators_calibration.json.
double required_trials_per_response(EstimatorKind kind) {
    constexpr double never = std::numeric_limits<double>::infinity();
    switch (kind) {
    case EstimatorKind::plugin: return 8.0;
    case EstimatorKind::mm: return 4.0;
    case EstimatorKind::pt: return 2.0;
    case EstimatorKind::qe: return 2.0;
    case EstimatorKind::sh: return 2.0;
    case EstimatorKind::nsb: return 2.0;
    case EstimatorKind::jackknife: return 4.0;
    case EstimatorKind::bootstrap: return required_trials_per_response(PointEstimator::pt);
    case EstimatorKind::null: return never;
    }
    return never;
}

double required_trials_per_response(PointEstimator point) {
    switch (point) {
    case PointEstimator::plugin: return required_trials_per_response(EstimatorKind::plugin);
    case PointEstimator::mm: return required_trials_per_response(EstimatorKind::mm);
    case PointEstimator::pt: return required_trials_per_response(EstimatorKind::pt);
    }
    return required_trials_per_response(EstimatorKind::plugin);
}

} // namespace memlif
