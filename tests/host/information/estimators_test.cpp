// SPDX-License-Identifier: MIT
//! \file tests/host/information/estimators_test.cpp
//! Dispatcher: name validation, option validation, and that each estimator is wired through.
#include "host/information/estimators.hpp"
#include "host/information/sampling_error.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>

using namespace memlif;

namespace {

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

ConditionCounts bsc_like() {
    std::vector<std::uint64_t> s0, s1;
    for (int i = 0; i < 16; ++i) {
        s0.push_back(i % 4 == 0 ? 1 : 0);
        s1.push_back(i % 4 == 0 ? 0 : 1);
    }
    return counts_from_trials({s0, s1}, 1);
}

} // namespace

TEST(Estimators, NamesRoundTripAndBadNamesAreNamed) {
    for (const char* n :
         {"plugin", "mm", "pt", "qe", "sh", "null", "jackknife", "bootstrap", "nsb"})
        EXPECT_STREQ(estimator_name(parse_estimator_name(n)), n);
    EXPECT_NE(message_of([] { parse_estimator_name("miller"); }).find("'miller'"),
              std::string::npos);
    EXPECT_THROW(parse_estimator_name("PT"), std::invalid_argument);
    EXPECT_NE(message_of([] { parse_qe_partition("blocks"); }).find("blocks"), std::string::npos);
    EXPECT_THROW(parse_qe_target("mi"), std::invalid_argument);
    EXPECT_THROW(parse_inner_estimator("nsb"), std::invalid_argument);
    EXPECT_THROW(parse_small_sample_policy("ignore"), std::invalid_argument);
    EXPECT_THROW(parse_point_estimator("qe"), std::invalid_argument);
    EXPECT_EQ(parse_qe_partition("block"), QePartition::block);
    EXPECT_EQ(parse_point_estimator("pt"), PointEstimator::pt);
}

TEST(Estimators, OptionValidation) {
    EstimatorOptions o;
    EXPECT_NO_THROW(validate_estimator_options(o));
    o.estimators = {"plugin", "bogus"};
    EXPECT_NE(message_of([&] { validate_estimator_options(o); }).find("bogus"), std::string::npos);
    o.estimators = {"pt", "pt"};
    EXPECT_THROW(validate_estimator_options(o), std::invalid_argument);
    o = EstimatorOptions{};
    o.bootstrap_confidence = 1.5;
    EXPECT_THROW(validate_estimator_options(o), std::invalid_argument);
    o = EstimatorOptions{};
    o.null_replicates = 0;
    EXPECT_THROW(validate_estimator_options(o), std::invalid_argument);
}

TEST(Estimators, AllEstimatorsRun) {
    const auto c = bsc_like();
    EstimatorOptions o;
    o.estimators = {"plugin", "mm", "pt", "qe", "sh", "null", "jackknife", "bootstrap", "nsb"};
    o.seed = 2024;
    o.null_replicates = 50;
    o.bootstrap_replicates = 50;
    const EstimatorResults r = compute_estimators(c, {0.5, 0.5}, {1, 0}, o);
    ASSERT_EQ(r.estimates.size(), 9u);
    const double exact = 1 - test::h2(0.25);
    EXPECT_NEAR(r.find("plugin")->mi, exact, 1e-12);
    EXPECT_NEAR(r.plugin.mi, exact, 1e-12);
    EXPECT_TRUE(r.find("plugin")->flags.sps_undefined);
    // MM = PT here (R_tot = 2 = m^).
    EXPECT_NEAR(r.find("mm")->mi, r.find("pt")->mi, 1e-12);
    EXPECT_EQ(r.find("pt")->r_tot, 2.0);
    EXPECT_EQ(r.find("pt")->sss.size(), 2u);
    EXPECT_TRUE(std::isnan(r.find("pt")->sps[1]));
    EXPECT_TRUE(std::isfinite(r.find("qe")->mi));
    EXPECT_TRUE(std::isfinite(r.find("sh")->mi));
    const EstimatorResult* null = r.find("null");
    EXPECT_NEAR(null->mi, exact, 1e-12);
    EXPECT_GT(null->p_value, 0.0);
    EXPECT_LE(null->p_value, 1.0);
    EXPECT_EQ(null->null_quantiles.size(), 3u);
    EXPECT_NEAR(null->mi_corrected, null->mi - null->null_mean, 1e-15);
    EXPECT_GT(r.find("jackknife")->mi_se, 0.0);
    const EstimatorResult* boot = r.find("bootstrap");
    EXPECT_LT(boot->mi_ci_lo, boot->mi_ci_hi);
    EXPECT_EQ(boot->sss_ci_lo.size(), 2u);
    EXPECT_GT(r.find("nsb")->mi_se, 0.0);
    EXPECT_EQ(r.find("nope"), nullptr);
    // Deterministic under the seed.
    const EstimatorResults again = compute_estimators(c, {0.5, 0.5}, {1, 0}, o);
    EXPECT_EQ(again.find("qe")->mi, r.find("qe")->mi);
    EXPECT_EQ(again.find("bootstrap")->mi_ci_lo, boot->mi_ci_lo);
}

TEST(Estimators, SingleResponseOverallGivesZeroExceptNsb) {
    const auto c = counts_from_trials({{2, 2, 2, 2, 2}, {2, 2, 2, 2}, {2, 2, 2, 2, 2, 2}}, 2);
    EstimatorOptions o;
    o.estimators = {"plugin", "mm", "pt", "qe", "sh", "jackknife", "nsb"};
    const EstimatorResults r = compute_estimators(c, test::empirical(c), {1, 2, 3}, o);
    for (const char* n : {"plugin", "mm", "pt", "qe", "sh", "jackknife"})
        EXPECT_NEAR(r.find(n)->mi, 0.0, 1e-12) << n;
    EXPECT_TRUE(std::isfinite(r.find("nsb")->mi));
}

TEST(Estimators, ErrorsPropagate) {
    const auto c = counts_from_trials({{0, 1, 2}, {3, 3, 1}}, 2);
    EstimatorOptions o;
    o.estimators = {"pt"};
    o.pt_rtot = parse_rtot("3"); // m^ = 4
    EXPECT_THROW(compute_estimators(c, {0.5, 0.5}, {1, 1}, o), SamplingError);
    o.estimators = {"qe"};
    o.pt_rtot = {};
    EXPECT_THROW(compute_estimators(c, {0.5, 0.5}, {1, 1}, o), std::domain_error);
    o.small_sample = SmallSamplePolicy::fallback;
    EXPECT_TRUE(compute_estimators(c, {0.5, 0.5}, {1, 1}, o).find("qe")->flags.qe_fallback);
}

TEST(Estimators, AcceleratorReplacesTheResamplingEstimators) {
    const auto c = bsc_like();
    EstimatorOptions o;
    o.estimators = {"qe", "null", "bootstrap"};
    o.seed = 11;
    o.null_replicates = 30;
    o.bootstrap_replicates = 30;
    const EstimatorResults host = compute_estimators(c, {0.5, 0.5}, {1, 0}, o);

    // an accelerator that delegates to the host functions gives the host results ...
    int calls = 0;
    EstimatorAccelerator same;
    same.quadratic_extrapolation = [&](const ConditionCounts& k, const std::vector<double>& p,
                                       const QeOptions& q) {
        ++calls;
        return compute_quadratic_extrapolation(k, p, q);
    };
    same.bootstrap = [&](const ConditionCounts& k, const std::vector<double>& p,
                         const std::vector<std::uint32_t>& n, const BootstrapOptions& b) {
        ++calls;
        return compute_bootstrap(k, p, n, b);
    };
    o.accelerator = &same;
    const EstimatorResults via = compute_estimators(c, {0.5, 0.5}, {1, 0}, o);
    EXPECT_EQ(calls, 2); // the unset permutation_null member stays on the host
    EXPECT_EQ(via.find("qe")->mi, host.find("qe")->mi);
    EXPECT_EQ(via.find("bootstrap")->mi_ci_lo, host.find("bootstrap")->mi_ci_lo);
    EXPECT_EQ(via.find("null")->p_value, host.find("null")->p_value);

    // ... and whatever the accelerator returns is what the dispatcher reports
    EstimatorAccelerator marked;
    marked.permutation_null = [](const ConditionCounts&, const std::vector<double>&,
                                 const std::vector<std::uint32_t>&, const PermutationNullOptions&,
                                 PointEstimator, const RtotSpec&) {
        PermutationNullResult r;
        r.null_mean = 42.0;
        return r;
    };
    o.accelerator = &marked;
    EXPECT_EQ(compute_estimators(c, {0.5, 0.5}, {1, 0}, o).find("null")->null_mean, 42.0);
}
