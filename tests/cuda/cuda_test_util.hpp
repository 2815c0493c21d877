// SPDX-License-Identifier: MIT
//! \file tests/cuda/cuda_test_util.hpp
//! Shared pieces of the CUDA tests: the device fixture (skip without a device, fail under
//! MEMLIF_REQUIRE_GPU=1), small sweeps built through the run-card path, and result comparisons.
//! The comparisons are plain host code, so tests/cuda/cuda_test_util_test.cpp checks them on the
//! CPU with synthetic data: a comparison that passes wrong results, or fails correct ones, would
//! otherwise only show on a GPU machine.
#pragma once

#include "cuda/cuda_backend.hpp"
#include "host/config.hpp"
#include "host/information/marginal.hpp"
#include "host/information/plugin.hpp"
#include "host/stimulus_set.hpp"
#include "memlif/core/sweep.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <sstream>
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

//! SpS ranks of the device against the host's. The device's log2 is not glibc's, so two stimuli
//! whose SpS agree to the last bits can swap ranks: such a swap is accepted when the host's SpS of
//! the two agree within `tol`. Required exactly: the device ranked its own SpS correctly (the
//! rule of rank_descending: descending, ties to the lower index, NaN gets 0), and the same
//! stimuli have rank 0 (NaN SpS) on both sides.
inline ::testing::AssertionResult ranks_agree(const std::vector<std::uint32_t>& dev_rank,
                                              const std::vector<double>& dev_sps,
                                              const std::vector<std::uint32_t>& host_rank,
                                              const std::vector<double>& host_sps, double tol) {
    const std::size_t n = host_rank.size();
    if (dev_rank.size() != n || dev_sps.size() != n || host_sps.size() != n)
        return ::testing::AssertionFailure() << "rank/SpS sizes differ";
    if (dev_rank != detail::rank_descending(dev_sps))
        return ::testing::AssertionFailure() << "device ranks are not the ranking of its own SpS";
    // at[r] = the stimulus of rank r (1-based), on each side.
    std::vector<std::size_t> dev_at(n + 1, n), host_at(n + 1, n);
    for (std::size_t s = 0; s < n; ++s) {
        if ((dev_rank[s] == 0) != (host_rank[s] == 0))
            return ::testing::AssertionFailure()
                   << "stimulus " << s << ": rank " << dev_rank[s] << " on the device, "
                   << host_rank[s] << " on the host (one of the SpS is NaN)";
        if (dev_rank[s] > n || host_rank[s] > n)
            return ::testing::AssertionFailure() << "stimulus " << s << ": rank out of range";
        dev_at[dev_rank[s]] = s;
        host_at[host_rank[s]] = s;
    }
    std::size_t bad = 0;
    std::ostringstream first;
    for (std::size_t r = 1; r <= n; ++r) {
        const std::size_t a = host_at[r], b = dev_at[r];
        if (a == b) continue;
        if (a == n || b == n) {
            if (bad++ == 0) first << "rank " << r << " is missing on one side";
            continue;
        }
        if (std::fabs(host_sps[a] - host_sps[b]) > tol && bad++ == 0)
            first << "rank " << r << ": stimulus " << b << " on the device (host SpS "
                  << host_sps[b] << "), stimulus " << a << " on the host (SpS " << host_sps[a]
                  << "), |difference| > " << tol;
    }
    if (bad > 0)
        return ::testing::AssertionFailure()
               << bad << " rank position(s) differ beyond a near-tie; " << first.str();
    return ::testing::AssertionSuccess();
}

//! Trial words of two backends for the same trials.
struct WordDifference {
    std::uint64_t differing = 0;
    std::uint64_t total = 0;
    double fraction() const {
        return total > 0 ? static_cast<double>(differing) / static_cast<double>(total) : 0.0;
    }
    WordDifference& operator+=(const WordDifference& o) {
        differing += o.differing;
        total += o.total;
        return *this;
    }
};

//! Positions where a and b differ (a length mismatch counts every unmatched position).
inline WordDifference count_differing_words(const std::vector<std::uint64_t>& a,
                                            const std::vector<std::uint64_t>& b) {
    WordDifference d;
    const std::size_t n = a.size() < b.size() ? a.size() : b.size();
    d.total = a.size() > b.size() ? a.size() : b.size();
    d.differing = d.total - n;
    for (std::size_t t = 0; t < n; ++t) d.differing += a[t] != b[t] ? 1 : 0;
    return d;
}

//! Default build: FMA contraction in the float membrane update may move a threshold crossing that
//! lies within rounding of the threshold, so a few words may differ from the CPU's. MI alone does
//! not bound that: relabelling every word (a one-bin shift of all of them, say) leaves MI
//! unchanged. So the fraction of differing words is bounded as well.
constexpr double k_max_differing_word_fraction = 1e-3;

//! Passes when no word differs, or when fewer than `max_fraction` of them do. max_fraction = 0
//! demands equality (the -fmad=false parity build).
inline ::testing::AssertionResult words_agree(const WordDifference& d, double max_fraction) {
    if (d.total == 0) return ::testing::AssertionFailure() << "no words compared";
    if (d.differing == 0 || d.fraction() < max_fraction) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << d.differing << " of " << d.total << " trial words differ (fraction " << d.fraction()
           << ", allowed < " << max_fraction << ")";
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
    EXPECT_TRUE(ranks_agree(dev.rank, dev.sps, host.rank, host.sps, tol));
}

} // namespace test
} // namespace memlif
