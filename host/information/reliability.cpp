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

// Measured thresholds (docs/estimators.md, "Thresholds"): rho_min, the smallest calibrated rho
// above which every calibration point of both parameter sets had |bias| <= max(0.1 bit, 5 % of the
// reference), rounded up to 0.1; tests/host/information/reliability_test.cpp checks them against
// docs/estimators_calibration.json. Their order follows Panzeri et al. 2007: the plug-in needs the
// most trials per response, the first-order corrections with estimated unseen responses (PT,
// QE, jackknife) the fewest. The null's MI - <I_null> over-corrects at all but the one most
// sampled, least informative calibration point (its shuffled stimuli use the pooled repertoire), so
// no threshold is claimed and it is never flagged reliable as an MI estimate: use its p-value.
double required_trials_per_response(EstimatorKind kind) {
    constexpr double never = std::numeric_limits<double>::infinity();
    switch (kind) {
    case EstimatorKind::plugin:
        return 9.7;
    case EstimatorKind::mm:
        return 7.4;
    case EstimatorKind::pt:
        return 5.2;
    case EstimatorKind::qe:
        return 5.2;
    case EstimatorKind::sh:
        return 13.2;
    case EstimatorKind::nsb:
        return 15.8;
    case EstimatorKind::jackknife:
        return 5.2;
    case EstimatorKind::bootstrap:
        return required_trials_per_response(PointEstimator::pt);
    case EstimatorKind::null:
        return never;
    }
    return never;
}

double required_trials_per_response(PointEstimator point) {
    switch (point) {
    case PointEstimator::plugin:
        return required_trials_per_response(EstimatorKind::plugin);
    case PointEstimator::mm:
        return required_trials_per_response(EstimatorKind::mm);
    case PointEstimator::pt:
        return required_trials_per_response(EstimatorKind::pt);
    }
    return required_trials_per_response(EstimatorKind::plugin);
}

} // namespace memlif
