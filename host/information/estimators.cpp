// SPDX-License-Identifier: MIT
//! \file host/information/estimators.cpp
#include "estimators.hpp"

#include "bootstrap.hpp"
#include "jackknife.hpp"
#include "marginal.hpp"
#include "miller_madow.hpp"
#include "nsb.hpp"
#include "panzeri_treves.hpp"
#include "permutation_null.hpp"
#include "reliability.hpp"
#include "shuffle.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace memlif {
namespace {

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

struct NamedKind {
    const char* name;
    EstimatorKind kind;
};
constexpr NamedKind kinds[] = {
    {"plugin", EstimatorKind::plugin},
    {"mm", EstimatorKind::mm},
    {"pt", EstimatorKind::pt},
    {"qe", EstimatorKind::qe},
    {"sh", EstimatorKind::sh},
    {"null", EstimatorKind::null},
    {"jackknife", EstimatorKind::jackknife},
    {"bootstrap", EstimatorKind::bootstrap},
    {"nsb", EstimatorKind::nsb},
};

[[noreturn]] void bad_value(const char* what, const std::string& value, const char* allowed) {
    throw std::invalid_argument(std::string("invalid ") + what + " '" + value + "' (expected " +
                                allowed + ")");
}

void copy_corrected(EstimatorResult& e, const CorrectedResult& c) {
    e.mi = c.mi;
    e.h_r = c.h_r;
    e.h_rs = c.h_rs;
    e.sss = c.sss;
    e.sps = c.sps;
    e.rank = c.rank;
    e.flags = c.flags;
    e.r_bins = c.r_bins;
    e.r_bins_s = c.r_bins_s;
}

} // namespace

EstimatorResult::EstimatorResult()
    : mi_se(nan_value), mi_ci_lo(nan_value), mi_ci_hi(nan_value), mi_corrected(nan_value),
      null_mean(nan_value), p_value(nan_value), r_bins(nan_value), r_tot(nan_value) {}

EstimatorKind parse_estimator_name(const std::string& name) {
    for (const NamedKind& k : kinds)
        if (name == k.name) return k.kind;
    bad_value("estimator name", name, "plugin, mm, pt, qe, sh, null, jackknife, bootstrap or nsb");
}

const char* estimator_name(EstimatorKind kind) {
    for (const NamedKind& k : kinds)
        if (kind == k.kind) return k.name;
    return "unknown";
}

QePartition parse_qe_partition(const std::string& text) {
    if (text == "block") return QePartition::block;
    if (text == "shuffled") return QePartition::shuffled;
    bad_value("qe.partition", text, "block or shuffled");
}

QeTarget parse_qe_target(const std::string& text) {
    if (text == "entropies") return QeTarget::entropies;
    if (text == "information") return QeTarget::information;
    bad_value("qe.target", text, "entropies or information");
}

InnerEstimator parse_inner_estimator(const std::string& text) {
    if (text == "plugin") return InnerEstimator::plugin;
    if (text == "pt") return InnerEstimator::pt;
    if (text == "qe") return InnerEstimator::qe;
    bad_value("inner estimator", text, "plugin, pt or qe");
}

SmallSamplePolicy parse_small_sample_policy(const std::string& text) {
    if (text == "refuse") return SmallSamplePolicy::refuse;
    if (text == "fallback") return SmallSamplePolicy::fallback;
    bad_value("small-sample policy", text, "refuse or fallback");
}

PointEstimator parse_point_estimator(const std::string& text) {
    if (text == "plugin") return PointEstimator::plugin;
    if (text == "mm") return PointEstimator::mm;
    if (text == "pt") return PointEstimator::pt;
    bad_value("point estimator", text, "plugin, mm or pt");
}

void validate_estimator_options(const EstimatorOptions& o) {
    std::vector<EstimatorKind> seen;
    for (const std::string& name : o.estimators) {
        const EstimatorKind k = parse_estimator_name(name);
        if (std::find(seen.begin(), seen.end(), k) != seen.end())
            throw std::invalid_argument("estimator '" + name + "' requested twice");
        seen.push_back(k);
    }
    if (o.qe_inner == InnerEstimator::qe)
        throw std::invalid_argument("qe inner estimator must be plugin or pt, got qe");
    if (o.qe_replicates == 0) throw std::invalid_argument("qe replicates must be >= 1, got 0");
    if (o.sh_replicates == 0) throw std::invalid_argument("sh replicates must be >= 1, got 0");
    if (o.sh_bits_per_component == 0 || o.sh_bits_per_component > 64)
        throw std::invalid_argument("sh bits_per_component must be in 1..64, got " +
                                    std::to_string(o.sh_bits_per_component));
    if (o.null_replicates == 0) throw std::invalid_argument("null replicates must be >= 1, got 0");
    if (o.bootstrap_replicates < 2)
        throw std::invalid_argument("bootstrap replicates must be >= 2, got " +
                                    std::to_string(o.bootstrap_replicates));
    if (!(o.bootstrap_confidence > 0.0 && o.bootstrap_confidence < 1.0))
        throw std::invalid_argument("bootstrap confidence must be in (0, 1), got " +
                                    std::to_string(o.bootstrap_confidence));
    for (double q : o.null_quantiles)
        if (!(q >= 0.0 && q <= 1.0))
            throw std::invalid_argument("null quantile must be in [0, 1], got " +
                                        std::to_string(q));
    if (o.pt_rtot.mode == RtotMode::user && !(o.pt_rtot.user_value >= 1.0))
        throw std::invalid_argument("pt.rtot must be >= 1, got " +
                                    std::to_string(o.pt_rtot.user_value));
}

const EstimatorResult* EstimatorResults::find(const std::string& name) const {
    for (const EstimatorResult& e : estimates)
        if (e.name == name) return &e;
    return nullptr;
}

EstimatorResults compute_estimators(const ConditionCounts& counts, const std::vector<double>& p_s,
                                    const std::vector<std::uint32_t>& n_spk,
                                    const EstimatorOptions& options) {
    validate_estimator_options(options);
    EstimatorResults out;
    out.seed = options.seed;
    out.pt_rtot = options.pt_rtot;
    // One marginal for the estimators that need the full data's p(r) or n(r).
    detail::validate_inputs(counts, p_s, &n_spk);
    const detail::Marginal marg = detail::compute_marginal(counts, p_s);
    out.plugin = detail::plugin_with(counts, p_s, n_spk, marg);
    const PluginMeasures& pl = out.plugin;
    InformationFlags base_flags;
    base_flags.sps_undefined = pl.sps_undefined;
    out.trials_per_response = trials_per_response(pl, p_s);

    for (const std::string& name : options.estimators) {
        EstimatorResult e;
        e.kind = parse_estimator_name(name);
        e.name = estimator_name(e.kind);
        e.flags = base_flags;
        switch (e.kind) {
        case EstimatorKind::plugin: {
            e.mi = pl.mi;
            e.h_r = pl.h_r;
            e.h_rs = pl.h_rs;
            e.sss = pl.sss;
            e.sps = pl.sps;
            e.rank = pl.rank;
            e.r_bins = static_cast<double>(pl.distinct_total);
            e.r_bins_s.assign(pl.distinct_s.begin(), pl.distinct_s.end());
            detail::set_mi_flags(e.flags, e.mi, pl.n_stimuli_used, pl.h_s);
            break;
        }
        case EstimatorKind::mm:
            copy_corrected(e, compute_miller_madow(counts, p_s, n_spk, pl));
            break;
        case EstimatorKind::pt: {
            const CorrectedResult c =
                detail::panzeri_treves_with(counts, p_s, n_spk, options.pt_rtot, pl, marg.n_r);
            copy_corrected(e, c);
            e.r_tot = c.r_tot;
            break;
        }
        case EstimatorKind::qe: {
            QeOptions q;
            q.partition = options.qe_partition;
            q.target = options.qe_target;
            q.inner = options.qe_inner;
            q.rtot = options.pt_rtot;
            q.replicates = options.qe_replicates;
            q.seed = options.seed;
            q.small_sample = options.small_sample;
            const QeResult r = options.accelerator && options.accelerator->quadratic_extrapolation
                                   ? options.accelerator->quadratic_extrapolation(counts, p_s, q)
                                   : compute_quadratic_extrapolation(counts, p_s, q);
            e.mi = r.mi;
            e.h_r = r.h_r;
            e.h_rs = r.h_rs;
            e.flags = r.flags;
            e.flags.sps_undefined = pl.sps_undefined;
            e.replicates = q.partition == QePartition::shuffled ? q.replicates : 0;
            break;
        }
        case EstimatorKind::sh: {
            ShuffleOptions so;
            so.inner = options.sh_inner;
            so.rtot = options.pt_rtot;
            so.replicates = options.sh_replicates;
            so.seed = options.seed;
            so.bits_per_component = options.sh_bits_per_component;
            so.qe_partition = options.qe_partition;
            so.qe_replicates = options.qe_replicates;
            so.small_sample = options.small_sample;
            const ShuffleResult r = compute_shuffle(counts, p_s, so);
            e.mi = r.mi;
            e.h_r = r.h_r;
            e.h_rs = r.h_rs;
            e.flags = r.flags;
            e.flags.sps_undefined = pl.sps_undefined;
            e.replicates = so.replicates;
            break;
        }
        case EstimatorKind::null: {
            PermutationNullOptions no;
            no.replicates = options.null_replicates;
            no.seed = options.seed;
            no.quantile_levels = options.null_quantiles;
            const PermutationNullResult r =
                options.accelerator && options.accelerator->permutation_null
                    ? options.accelerator->permutation_null(counts, p_s, n_spk, no,
                                                            options.null_estimator, options.pt_rtot)
                    : detail::permutation_null_point(counts, p_s, n_spk, no, options.null_estimator,
                                                     options.pt_rtot);
            e.mi = r.observed;
            e.h_r = nan_value;
            e.h_rs = nan_value;
            e.mi_se = r.null_sd;
            e.null_mean = r.null_mean;
            e.mi_corrected = r.corrected;
            e.p_value = r.p_value;
            e.null_quantile_levels = r.quantile_levels;
            e.null_quantiles = r.quantiles;
            e.replicates = r.replicates;
            detail::set_mi_flags(e.flags, e.mi, pl.n_stimuli_used, pl.h_s);
            break;
        }
        case EstimatorKind::jackknife: {
            const JackknifeResult r = detail::jackknife_with(counts, p_s, pl, marg);
            e.mi = r.mi_jk;
            e.h_r = r.h_r_jk;
            e.h_rs = r.h_rs_jk;
            e.mi_se = r.mi_se;
            e.mi_corrected = r.mi_jk;
            e.sss = pl.sss;
            e.sps = pl.sps;
            e.rank = pl.rank;
            const SssJackknifeResult sj = detail::jackknife_sss_with(counts, p_s, pl, marg);
            e.sss_se = sj.sss_se;
            e.sss_corrected = sj.sss_jk;
            e.sps_se.assign(sj.sss_se.size(), nan_value);
            e.sps_corrected.assign(sj.sss_jk.size(), nan_value);
            for (std::size_t s = 0; s < sj.sss_se.size(); ++s) {
                if (n_spk[s] == 0) continue;
                // SpS = I_1/n_spk with n_spk fixed: its jackknife is the SSS one scaled.
                const double k = static_cast<double>(n_spk[s]);
                e.sps_se[s] = sj.sss_se[s] / k;
                e.sps_corrected[s] = sj.sss_jk[s] / k;
            }
            detail::set_mi_flags(e.flags, e.mi, pl.n_stimuli_used, pl.h_s);
            break;
        }
        case EstimatorKind::bootstrap: {
            BootstrapOptions bo;
            bo.replicates = options.bootstrap_replicates;
            bo.seed = options.seed;
            bo.confidence = options.bootstrap_confidence;
            bo.estimator = options.bootstrap_estimator;
            bo.rtot = options.pt_rtot;
            const BootstrapResult r = options.accelerator && options.accelerator->bootstrap
                                          ? options.accelerator->bootstrap(counts, p_s, n_spk, bo)
                                          : compute_bootstrap(counts, p_s, n_spk, bo);
            const detail::PointEstimate pt =
                detail::point_estimate(counts, p_s, n_spk, bo.estimator, bo.rtot);
            e.mi = pt.mi;
            e.h_r = pt.h_r;
            e.h_rs = pt.h_rs;
            e.sss = pt.sss;
            e.sps = pt.sps;
            e.rank = detail::rank_descending(pt.sps);
            e.mi_se = r.mi.sd;
            e.mi_ci_lo = r.mi.lo;
            e.mi_ci_hi = r.mi.hi;
            for (std::size_t s = 0; s < r.sss.size(); ++s) {
                e.sss_ci_lo.push_back(r.sss[s].lo);
                e.sss_ci_hi.push_back(r.sss[s].hi);
                e.sps_ci_lo.push_back(r.sps[s].lo);
                e.sps_ci_hi.push_back(r.sps[s].hi);
            }
            e.replicates = r.replicates;
            detail::set_mi_flags(e.flags, e.mi, pl.n_stimuli_used, pl.h_s);
            break;
        }
        case EstimatorKind::nsb: {
            const NsbResult r = compute_nsb(counts, p_s, options.pt_rtot);
            e.mi = r.mi;
            e.h_r = r.h_r;
            e.h_rs = r.h_rs;
            e.mi_se = r.mi_sd;
            e.r_tot = r.k_bins;
            e.flags = r.flags;
            e.flags.sps_undefined = pl.sps_undefined;
            break;
        }
        }
        // the bootstrap's MI is its point estimator on the data, so is its regime
        const double required = e.kind == EstimatorKind::bootstrap
                                    ? required_trials_per_response(options.bootstrap_estimator)
                                    : required_trials_per_response(e.kind);
        e.reliable = out.trials_per_response >= required;
        out.estimates.push_back(std::move(e));
    }
    return out;
}

} // namespace memlif
