// SPDX-License-Identifier: MIT
//! \file tests/host/information/reliability_test.cpp
//! The sampling ratio rho (host/information/reliability.hpp) on hand-counted tables, the flag it
//! sets, and the thresholds against the calibration they were measured in
//! (docs/estimators_calibration.json, scored by tools/memlifpy/reliability_calibration.py).
#include "host/information/estimators.hpp"
#include "host/information/reliability.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <string>

namespace memlif {
namespace {

using test::make_counts;

TEST(Reliability, RhoIsTrialsOverDistinctResponsesPerStimulus) {
    // s0: 4 trials, 2 distinct words; s1: 4 trials, 1 word. Uniform p(s):
    // rho = (0.5*4 + 0.5*4) / (0.5*2 + 0.5*1) = 4 / 1.5.
    const ConditionCounts c = make_counts({{{0, 2}, {1, 2}}, {{3, 4}}}, 3);
    const EstimatorResults r = compute_estimators(c, {0.5, 0.5}, test::spikes(2), {});
    EXPECT_DOUBLE_EQ(r.trials_per_response, 4.0 / 1.5);
    EXPECT_DOUBLE_EQ(trials_per_response(r.plugin, {0.5, 0.5}), 4.0 / 1.5);
}

TEST(Reliability, RhoWeighsStimuliByPsAndSkipsStimuliWithoutTrials) {
    // s0: 6 trials in 3 words, s1: no trials, s2: 2 trials in 2 words. The estimators need
    // p(s) = 0 where there are no trials: p = (0.4, 0, 0.6) gives
    // rho = (0.4*6 + 0.6*2) / (0.4*3 + 0.6*2) = 3.6 / 2.4.
    const ConditionCounts c = make_counts({{{1, 2}, {2, 2}, {5, 2}}, {}, {{0, 1}, {7, 1}}}, 3);
    const EstimatorResults r = compute_estimators(c, {0.4, 0.0, 0.6}, test::spikes(3), {});
    EXPECT_NEAR(r.trials_per_response, 3.6 / 2.4, 1e-15);
    // trials_per_response itself skips a stimulus without trials whatever its weight:
    // p = (0.2, 0.3, 0.5): (0.2*6 + 0.5*2) / (0.2*3 + 0.5*2) = 2.2 / 1.6.
    EXPECT_NEAR(trials_per_response(r.plugin, {0.2, 0.3, 0.5}), 2.2 / 1.6, 1e-15);
}

TEST(Reliability, RhoIsAtLeastOneAndEqualsNsForDeterministicResponses) {
    // m_s <= N_s, so rho >= 1; a deterministic stimulus (one word in all N_s trials) gives N_s.
    const ConditionCounts every_trial_new =
        make_counts({{{0, 1}, {1, 1}, {2, 1}}, {{4, 1}, {5, 1}, {6, 1}}}, 3);
    EXPECT_DOUBLE_EQ(compute_estimators(every_trial_new, test::uniform_p(2), test::spikes(2), {})
                         .trials_per_response,
                     1.0);
    const ConditionCounts deterministic = make_counts({{{0, 9}}, {{1, 9}}}, 3);
    EXPECT_DOUBLE_EQ(compute_estimators(deterministic, test::uniform_p(2), test::spikes(2), {})
                         .trials_per_response,
                     9.0);
}

TEST(Reliability, FlagFollowsEachEstimatorsThreshold) {
    // Deterministic responses with N_s trials: rho = N_s exactly, so each estimator's flag flips
    // at its threshold (rho is exact here, no rounding between the two sides).
    EstimatorOptions o;
    o.estimators = {"plugin", "mm", "pt", "jackknife", "null"};
    o.null_replicates = 3;
    for (std::uint64_t n : {1u, 2u, 3u, 5u, 8u, 13u, 21u, 34u, 55u, 89u}) {
        const ConditionCounts c = make_counts({{{0, n}}, {{1, n}}, {{2, n}}}, 2);
        const EstimatorResults r = compute_estimators(c, test::uniform_p(3), test::spikes(3), o);
        ASSERT_DOUBLE_EQ(r.trials_per_response, static_cast<double>(n));
        for (const EstimatorResult& e : r.estimates)
            EXPECT_EQ(e.reliable, static_cast<double>(n) >= required_trials_per_response(e.kind))
                << e.name << " at rho " << n;
    }
}

TEST(Reliability, BootstrapFollowsItsPointEstimator) {
    // The bootstrap's MI is its point estimator on the data, so its flag is that estimator's.
    for (PointEstimator p : {PointEstimator::plugin, PointEstimator::mm, PointEstimator::pt}) {
        EstimatorOptions o;
        o.estimators = {"bootstrap"};
        o.bootstrap_estimator = p;
        o.bootstrap_replicates = 2;
        for (std::uint64_t n : {1u, 2u, 4u, 9u, 30u, 100u}) {
            const ConditionCounts c = make_counts({{{0, n}}, {{1, n}}}, 2);
            const EstimatorResults r =
                compute_estimators(c, test::uniform_p(2), test::spikes(2), o);
            EXPECT_EQ(r.estimates[0].reliable,
                      static_cast<double>(n) >= required_trials_per_response(p));
        }
    }
    EXPECT_EQ(required_trials_per_response(PointEstimator::plugin),
              required_trials_per_response(EstimatorKind::plugin));
    EXPECT_EQ(required_trials_per_response(PointEstimator::mm),
              required_trials_per_response(EstimatorKind::mm));
    EXPECT_EQ(required_trials_per_response(PointEstimator::pt),
              required_trials_per_response(EstimatorKind::pt));
}

//! The calibration's scored thresholds (rho_min, null where none worked), rounded up to 0.1 as
//! reliability.cpp states; the C++ values must be those, so neither can change alone.
TEST(Reliability, ThresholdsAreTheCalibratedOnes) {
    std::ifstream in(std::string(MEMLIF_SOURCE_DIR) + "/docs/estimators_calibration.json");
    ASSERT_TRUE(in) << "docs/estimators_calibration.json missing";
    const nlohmann::json cal = nlohmann::json::parse(in);
    ASSERT_TRUE(cal.contains("thresholds"));
    const nlohmann::json& t = cal["thresholds"];
    for (EstimatorKind k :
         {EstimatorKind::plugin, EstimatorKind::mm, EstimatorKind::pt, EstimatorKind::qe,
          EstimatorKind::sh, EstimatorKind::null, EstimatorKind::jackknife,
          EstimatorKind::bootstrap, EstimatorKind::nsb}) {
        const std::string name = estimator_name(k);
        ASSERT_TRUE(t.contains(name)) << name;
        const double got = k == EstimatorKind::bootstrap
                               ? required_trials_per_response(PointEstimator::pt)
                               : required_trials_per_response(k);
        if (t[name]["rho_min"].is_null()) {
            EXPECT_TRUE(std::isinf(got)) << name << ": no calibrated threshold, so never reliable";
        } else {
            const double want = std::ceil(t[name]["rho_min"].get<double>() * 10.0 - 1e-9) / 10.0;
            EXPECT_DOUBLE_EQ(got, want) << name;
        }
    }
}

} // namespace
} // namespace memlif
