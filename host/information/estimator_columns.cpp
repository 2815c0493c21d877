// SPDX-License-Identifier: MIT
//! \file host/information/estimator_columns.cpp
#include "estimator_columns.hpp"

#include <limits>
#include <stdexcept>

namespace memlif {

namespace {

using K = EstimatorKind;
constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

//! A column, the estimators that define it and the result field that holds it.
struct ColumnDef {
    ColumnSpec spec;
    std::vector<K> kinds;
    double EstimatorResult::*scalar = nullptr;              //!< condition columns
    std::vector<double> EstimatorResult::*vector = nullptr; //!< stimulus columns
};

bool defines(const ColumnDef& d, K k) {
    for (K x : d.kinds)
        if (x == k) return true;
    return false;
}

const std::vector<ColumnDef>& table() {
    using R = EstimatorResult;
    const auto cond = [](const char* s, const char* u, std::vector<K> k, double R::*f) {
        return ColumnDef{{s, u, ColumnShape::condition}, std::move(k), f, nullptr};
    };
    const auto stim = [](const char* s, const char* u, std::vector<K> k, std::vector<double> R::*f) {
        return ColumnDef{{s, u, ColumnShape::stimulus}, std::move(k), nullptr, f};
    };
    // Through a function like the others: brace-initialising these two entries in place makes
    // g++ 12 -O3 warn (-Wmaybe-uninitialized, a false positive) on ColumnSpec::suffix.
    const auto byte = [](const char* s, ColumnShape shape, std::vector<K> k) {
        return ColumnDef{{s, "1", shape, true}, std::move(k), nullptr, nullptr};
    };
    const std::vector<K> all = {K::plugin, K::mm, K::pt, K::qe, K::sh, K::null, K::jackknife, K::bootstrap, K::nsb};
    const std::vector<K> entropies = {K::plugin, K::mm, K::pt, K::qe, K::sh, K::jackknife, K::bootstrap, K::nsb};
    const std::vector<K> surprise = {K::plugin, K::mm, K::pt, K::jackknife, K::bootstrap};
    static const std::vector<ColumnDef> t = {
        cond("mi_bit", "bit", all, &R::mi),
        cond("h_r_bit", "bit", entropies, &R::h_r),
        cond("h_r_given_s_bit", "bit", entropies, &R::h_rs),
        cond("mi_se_bit", "bit", {K::null, K::jackknife, K::bootstrap, K::nsb}, &R::mi_se),
        cond("mi_ci_low_bit", "bit", {K::bootstrap}, &R::mi_ci_lo),
        cond("mi_ci_high_bit", "bit", {K::bootstrap}, &R::mi_ci_hi),
        cond("mi_corrected_bit", "bit", {K::null, K::jackknife}, &R::mi_corrected),
        cond("null_mean_bit", "bit", {K::null}, &R::null_mean),
        cond("p_value", "1", {K::null}, &R::p_value),
        cond("r_tot", "1", {K::pt, K::nsb}, &R::r_tot),
        byte("flags", ColumnShape::flag, all),
        byte("reliable", ColumnShape::condition, all),
        stim("sss_bit", "bit", surprise, &R::sss),
        stim("sps_bit_per_spike", "bit/spike", surprise, &R::sps),
        stim("sss_ci_low_bit", "bit", {K::bootstrap}, &R::sss_ci_lo),
        stim("sss_ci_high_bit", "bit", {K::bootstrap}, &R::sss_ci_hi),
        stim("sps_ci_low_bit_per_spike", "bit/spike", {K::bootstrap}, &R::sps_ci_lo),
        stim("sps_ci_high_bit_per_spike", "bit/spike", {K::bootstrap}, &R::sps_ci_hi),
        stim("sss_se_bit", "bit", {K::jackknife}, &R::sss_se),
        stim("sps_se_bit_per_spike", "bit/spike", {K::jackknife}, &R::sps_se),
        stim("sss_corrected_bit", "bit", {K::jackknife}, &R::sss_corrected),
        stim("sps_corrected_bit_per_spike", "bit/spike", {K::jackknife}, &R::sps_corrected),
    };
    return t;
}

} // namespace

const std::vector<std::string>& flag_column_names() {
    static const std::vector<std::string> names = {"mi_negative",   "mi_above_log2_s", "mi_above_h_s",
                                                   "sps_undefined", "qe_fallback",     "ps_not_empirical"};
    return names;
}

std::vector<ColumnSpec> estimator_columns(EstimatorKind kind) {
    std::vector<ColumnSpec> out;
    for (const ColumnDef& d : table())
        if (defines(d, kind)) out.push_back(d.spec);
    return out;
}

std::vector<double> column_values(const EstimatorResult& e, const ColumnSpec& column, std::size_t n_stimuli) {
    for (const ColumnDef& d : table()) {
        if (d.spec.suffix != column.suffix) continue;
        if (d.spec.suffix == "flags") {
            const InformationFlags& f = e.flags;
            return {double(f.mi_negative), double(f.mi_above_log2_s), double(f.mi_above_h_s),
                    double(f.sps_undefined), double(f.qe_fallback),    double(f.ps_not_empirical)};
        }
        if (d.spec.suffix == "reliable") return {e.reliable ? 1.0 : 0.0};
        if (d.scalar) return {e.*d.scalar};
        const std::vector<double>& v = e.*d.vector;
        // an estimator that defines the column but produced nothing for this condition: NaN
        return v.size() == n_stimuli ? v : std::vector<double>(n_stimuli, nan_value);
    }
    throw std::invalid_argument("column_values: unknown column " + column.suffix);
}

} // namespace memlif
