// SPDX-License-Identifier: MIT
//! \file host/information/resampling.hpp
//! Helpers shared by the resampling estimators (permutation null, bootstrap): the point estimate
//! recomputed on each replicate, and order statistics of the replicates.
#pragma once

#include "bayes_count.hpp"
#include "marginal.hpp"
#include "memlif/core/counts.hpp"

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

//! The pieces of the plug-in, Miller-Madow and Panzeri-Treves estimates of a table whose cells
//! are a subset of one condition's cells (a bootstrap replicate, a QE subsample), given as cell
//! counts indexed like the condition's CSR entries (0 = absent). Each piece is what
//! compute_plugin, apply_first_order and pt_bin_counts compute on that table built as a
//! ConditionCounts, bit for bit: the same sums in the same order, without building the table or
//! sorting its words again (the parent's CellOrder gives the order of p(r)).
struct SubsetPieces {
    CellMarginal marg;          //!< p(r), n(r), H(R) of the table
    std::vector<double> h_s;    //!< plug-in H(R|s); 0 where the subset has no trial of s
    std::vector<double> bins_s; //!< m^_s (mm) or R~_s (pt); 0 where no trial (plugin: unset)
    double bins = 0;            //!< m^ (mm) or R~ (pt) of the pooled counts
    std::vector<double> sss;    //!< plug-in I_1(s) when asked; NaN where no trial
};

//! Fills `out` for the table with cell counts `cell_counts`, n_s[s] trials of stimulus s and
//! marginal weights weight[s] = p(s)/n_s[s] (0 where n_s[s] = 0). `bins` selects the bin count
//! (plugin: none; mm: observed; pt: BayesCount under r_tot, per stimulus through `cache`).
void subset_pieces(const ConditionCounts& parent, const CellOrder& order,
                   const std::uint64_t* cell_counts, const std::vector<std::uint64_t>& n_s,
                   const std::vector<double>& weight, PointEstimator bins, double r_tot,
                   bool with_sss, BayesCountCache& cache, SubsetPieces& out);

//! Quantile q in [0, 1] of sorted values, linear interpolation between order statistics
//! (Hyndman & Fan 1996 type 7). NaN for an empty vector.
double quantile_sorted(const std::vector<double>& sorted, double q);

//! Sample mean and SD (n - 1 denominator; 0 for fewer than 2 values).
void mean_sd(const std::vector<double>& v, double& mean, double& sd);

} // namespace detail
} // namespace memlif
