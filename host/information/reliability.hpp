// SPDX-License-Identifier: MIT
//! \file host/information/reliability.hpp
//! Whether a condition is sampled well enough for an estimator to be trusted. The limited-sampling
//! bias of every estimator is governed by how many trials each stimulus has against how many
//! distinct responses it evokes (Panzeri, Senatore, Montemurro & Petersen, J Neurophysiol 98
//! (2007) 1064: the plug-in needs N_s well above the number of relevant responses R_s; the PT and
//! QE corrections hold down to N_s of the order of R_s; the shuffle estimator with a correction
//! down to about the same). memlif measures the ratio
//!     rho = sum_s p(s) N_s / sum_s p(s) m_s,
//! trials per stimulus over responses seen per stimulus (m_s = distinct words of stimulus s,
//! a lower bound on R_s, so rho is an optimistic ratio), and flags an estimator unreliable where
//! rho is below the estimator's threshold. The thresholds were set against memlif's own
//! ground-truth reruns of the paper card (docs/estimators.md).
#pragma once

#include "estimators.hpp"

#include <vector>

namespace memlif {

//! rho of the counts behind `plugin` (0 when no stimulus has trials).
double trials_per_response(const PluginMeasures& plugin, const std::vector<double>& p_s);

//! The smallest rho at which `kind` is within its documented regime.
double required_trials_per_response(EstimatorKind kind);

} // namespace memlif
