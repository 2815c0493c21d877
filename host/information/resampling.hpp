// SPDX-License-Identifier: MIT
//! \file host/information/resampling.hpp
//! Helpers shared by the resampling estimators (permutation null, bootstrap): the point estimate
//! recomputed on each replicate, and order statistics of the replicates.
#pragma once

#include "memlif/core/counts.hpp"
#include "bayes_count.hpp"

#include <cstdint>
#include <vector>

namespace memlif {

//! Point estimators with a closed form cheap enough to recompute on every replicate.
enum class PointEstimator { plugin, mm, pt };

namespace detail {

//! MI, entropies and per-stimulus SSS/SpS of one point estimator.
struct PointEstimate {
    double mi = 0, h_r = 0, h_rs = 0;
    std::vector<double> sss, sps;
};

PointEstimate point_estimate(const ConditionCounts& counts, const std::vector<double>& p_s,
                             const std::vector<std::uint32_t>& n_spk, PointEstimator estimator,
                             const RtotSpec& rtot);

//! Quantile q in [0, 1] of sorted values, linear interpolation between order statistics
//! (Hyndman & Fan 1996 type 7). NaN for an empty vector.
double quantile_sorted(const std::vector<double>& sorted, double q);

//! Sample mean and SD (n - 1 denominator; 0 for fewer than 2 values).
void mean_sd(const std::vector<double>& v, double& mean, double& sd);

} // namespace detail
} // namespace memlif
