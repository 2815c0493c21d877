// SPDX-License-Identifier: MIT
//! \file tests/cuda/cuda_test_util.hpp
//! Shared pieces of the CUDA tests: the device fixture (skip without a device, fail under
//! MEMLIF_REQUIRE_GPU=1), small sweeps built through the run-card path, and result comparisons.
#pragma once

#include "cuda/cuda_backend.hpp"
#include "host/config.hpp"
#include "host/information/plugin.hpp"
#include "host/stimulus_set.hpp"
#include "memlif/core/sweep.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace memlif {
namespace test {

inline bool gpu_required() {
    const char* v = std::getenv("MEMLIF_REQUIRE_GPU");
    return v != nullptr && v[0] != '\0' && std::strcmp(v, "0") != 0;
}

//! Device tests derive from this: without a device they are skipped, or fail when the environment
//! says a GPU must be there (so a broken driver cannot pass silently on the GPU machine).
class GpuTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (device_count() > 0) return;
        if (gpu_required()) FAIL() << "MEMLIF_REQUIRE_GPU=1 but no usable CUDA device was found";
        GTEST_SKIP() << "no CUDA device";
    }
};

//! A sweep through the run-card path: `overrides` are `key.path=value` assignments.
inline SweepSpec card_spec(const std::vector<std::string>& overrides) {
    nlohmann::json card = nlohmann::json::object();
    for (const auto& o : overrides) apply_override(card, o);
    return make_sweep(resolve_config(card)).spec;
}

inline void expect_counts_equal(const ConditionCounts& a, const ConditionCounts& b) {
    EXPECT_EQ(a.n_bins, b.n_bins);
    EXPECT_EQ(a.offsets, b.offsets);
    EXPECT_EQ(a.words, b.words);
    EXPECT_EQ(a.counts, b.counts);
}

inline void expect_same_or_both_nan(double a, double b, double tol, const char* what,
                                    std::size_t i) {
    if (std::isnan(a) || std::isnan(b)) {
        EXPECT_TRUE(std::isnan(a) && std::isnan(b))
            << what << "[" << i << "]: " << a << " vs " << b;
    } else {
        EXPECT_NEAR(a, b, tol) << what << "[" << i << "]";
    }
}

inline void expect_vec_near(const std::vector<double>& a, const std::vector<double>& b, double tol,
                            const char* what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    for (std::size_t i = 0; i < a.size(); ++i) expect_same_or_both_nan(a[i], b[i], tol, what, i);
}

//! Device plug-in results against the host estimator on the same counts.
inline void expect_plugin_near(const PluginMeasures& dev, const PluginMeasures& host, double tol) {
    EXPECT_NEAR(dev.h_r, host.h_r, tol);
    EXPECT_NEAR(dev.h_rs, host.h_rs, tol);
    EXPECT_NEAR(dev.mi, host.mi, tol);
    EXPECT_NEAR(dev.h_s, host.h_s, tol);
    EXPECT_EQ(dev.n_trials, host.n_trials);
    EXPECT_EQ(dev.n_s, host.n_s);
    EXPECT_EQ(dev.distinct_s, host.distinct_s);
    EXPECT_EQ(dev.distinct_total, host.distinct_total);
    EXPECT_EQ(dev.sps_undefined, host.sps_undefined);
    EXPECT_EQ(dev.n_stimuli_used, host.n_stimuli_used);
    EXPECT_EQ(dev.n_stimuli_empty, host.n_stimuli_empty);
    expect_vec_near(dev.sss, host.sss, tol, "sss");
    expect_vec_near(dev.sps, host.sps, tol, "sps");
    expect_vec_near(dev.i2, host.i2, tol, "i2");
    expect_vec_near(dev.h_r_s, host.h_r_s, tol, "h_r_s");
    EXPECT_EQ(dev.rank, host.rank);
}

} // namespace test
} // namespace memlif
