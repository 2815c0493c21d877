// SPDX-License-Identifier: MIT
//! \file host/information/estimators.hpp
//! One entry point for every information estimator of a condition (information.md §4, §5):
//! names, options and a uniform result record per estimator.
#pragma once

#include "memlif/core/counts.hpp"
#include "bayes_count.hpp"
#include "permutation_null.hpp"
#include "bootstrap.hpp"
#include "flags.hpp"
#include "plugin.hpp"
#include "quadratic_extrapolation.hpp"
#include "resampling.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace memlif {

enum class EstimatorKind { plugin, mm, pt, qe, sh, null, jackknife, bootstrap, nsb };

//! "plugin", "mm", "pt", "qe", "sh", "null", "jackknife", "bootstrap", "nsb"; anything else throws
//! std::invalid_argument naming the value.
EstimatorKind parse_estimator_name(const std::string& name);
const char* estimator_name(EstimatorKind kind);

//! String forms of the option enums (config keys); each throws std::invalid_argument naming a
//! bad value.
QePartition parse_qe_partition(const std::string& text);       //!< "block" | "shuffled"
QeTarget parse_qe_target(const std::string& text);             //!< "entropies" | "information"
//! "plugin" | "pt" | "qe" ("qe" is valid for sh.inner only; validate_estimator_options refuses
//! it for qe.inner).
InnerEstimator parse_inner_estimator(const std::string& text);
SmallSamplePolicy parse_small_sample_policy(const std::string& text); //!< "refuse" | "fallback"
PointEstimator parse_point_estimator(const std::string& text);        //!< "plugin" | "mm" | "pt"

//! Optional replacements for the three resampling estimators that cost the most (permutation
//! null, stratified bootstrap, QE subsamplings), e.g. make_estimator_accelerator on the GPU group
//! sums (host/information/accelerated_resampling.hpp, cuda/group_sums_cuda.hpp).
//! Each must return what the host function returns for the same seeds; unset members use the host.
struct EstimatorAccelerator {
    std::function<PermutationNullResult(const ConditionCounts&, const std::vector<double>&,
                                        const std::vector<std::uint32_t>&, const PermutationNullOptions&,
                                        PointEstimator, const RtotSpec&)>
        permutation_null;
    std::function<BootstrapResult(const ConditionCounts&, const std::vector<double>&,
                                  const std::vector<std::uint32_t>&, const BootstrapOptions&)>
        bootstrap;
    std::function<QeResult(const ConditionCounts&, const std::vector<double>&, const QeOptions&)>
        quadratic_extrapolation;
};

struct EstimatorOptions {
    std::vector<std::string> estimators{"plugin", "mm", "pt"}; //!< spec default set (§5)
    RtotSpec pt_rtot;       //!< pt.rtot: full (default) | ibtb | integer
    std::uint64_t seed = 0; //!< one seed; estimators use disjoint streams
    // QE (§4.4)
    QePartition qe_partition = QePartition::shuffled;
    QeTarget qe_target = QeTarget::entropies;
    InnerEstimator qe_inner = InnerEstimator::plugin;
    std::uint32_t qe_replicates = 10;                           //!< M for the shuffled partition
    SmallSamplePolicy small_sample = SmallSamplePolicy::refuse; //!< N_s < 4 for QE
    // I_sh (§4.5). sh_inner = qe extrapolates every term with qe_partition, qe_replicates and
    // small_sample above.
    InnerEstimator sh_inner = InnerEstimator::plugin;
    std::uint32_t sh_replicates = 20;
    std::uint32_t sh_bits_per_component = 1;
    // permutation null (§4.6)
    PointEstimator null_estimator = PointEstimator::plugin;
    std::uint32_t null_replicates = 100;
    std::vector<double> null_quantiles{0.05, 0.5, 0.95};
    // bootstrap (§4.7)
    PointEstimator bootstrap_estimator = PointEstimator::plugin;
    std::uint32_t bootstrap_replicates = 200;
    double bootstrap_confidence = 0.95;
    //! Where set, the null, bootstrap and QE subsamplings run there instead of on the host.
    const EstimatorAccelerator* accelerator = nullptr;
};

//! Throws std::invalid_argument naming the first bad field or value (unknown or duplicate
//! estimator name, zero replicates, confidence outside (0, 1), quantile outside [0, 1],
//! qe_inner = qe).
void validate_estimator_options(const EstimatorOptions& options);

//! Result of one estimator. Fields an estimator does not define stay NaN / empty.
struct EstimatorResult {
    EstimatorKind kind = EstimatorKind::plugin;
    std::string name;                 //!< canonical name, e.g. "pt"
    double mi = 0, h_r = 0, h_rs = 0; //!< bits. jackknife: bias-corrected; null: observed
    std::vector<double> sss; //!< per-stimulus I_1 (plugin, mm, pt, bootstrap's point; jackknife:
                             //!< the plug-in I_1, its corrected value is sss_corrected)
    std::vector<double> sps; //!< per-stimulus SpS, NaN where n_spk = 0
    std::vector<std::uint32_t> rank;  //!< SpS rank (1 = best, 0 = NaN)
    InformationFlags flags;
    double mi_se;    //!< jackknife SE, bootstrap SD, NSB posterior SD, null SD
    double mi_ci_lo; //!< bootstrap percentile interval
    double mi_ci_hi;
    double mi_corrected; //!< null: MI - <I_null>; jackknife: bias-corrected MI
    double null_mean;    //!< null: <I_null>
    double p_value;      //!< null: (1 + #{I_null >= I}) / (1 + M)
    std::vector<double> null_quantile_levels, null_quantiles;
    std::vector<double> sss_ci_lo, sss_ci_hi, sps_ci_lo, sps_ci_hi; //!< bootstrap
    //! jackknife: delete-one SE and bias-corrected value of every plug-in SSS I_1(s) and SpS(s)
    //! (compute_jackknife_sss); NaN where N_s < 2, SpS also where n_spk = 0.
    std::vector<double> sss_se, sps_se, sss_corrected, sps_corrected;
    double r_bins;                                                  //!< mm: m^; pt: R~ of H(R)
    std::vector<double> r_bins_s;                                   //!< mm: m^_s; pt: R~_s
    double r_tot;                 //!< pt / nsb: response-space size used
    std::uint32_t replicates = 0; //!< M or B where the estimator resamples
    //! Whether the sampling regime is within this estimator's documented range
    //! (host/information/reliability.hpp).
    bool reliable = true;
    EstimatorResult();
};

struct EstimatorResults {
    PluginMeasures plugin;                  //!< always computed (counts diagnostics, ranks)
    double trials_per_response = 0;         //!< the sampling ratio of reliability.hpp
    std::vector<EstimatorResult> estimates; //!< in the requested order
    std::uint64_t seed = 0;
    RtotSpec pt_rtot;
    //! The estimate with this name, or nullptr.
    const EstimatorResult* find(const std::string& name) const;
};

//! Runs every requested estimator on one condition's counts (information.md §4). Validates the
//! options first; estimator errors (R_tot < m^, QE with N_s < 4 under `refuse`) propagate.
EstimatorResults compute_estimators(const ConditionCounts& counts, const std::vector<double>& p_s,
                                    const std::vector<std::uint32_t>& n_spk,
                                    const EstimatorOptions& options);

} // namespace memlif
