// SPDX-License-Identifier: MIT
//! \file tests/cuda/group_sums_cuda_test.cpp
//! The GPU replicate tables (cuda/group_sums_cuda.hpp): their sums against the host's evaluation
//! of the same contract (tests/host/information/group_sums_reference.hpp), and the resampling
//! estimators built on them (host/information/accelerated_resampling.hpp) against the host
//! estimators on the same counts, options and seeds: permutation null, stratified bootstrap, QE.
//!
//! Built twice. With MEMLIF_ESTIMATORS_TEST_CPU_ONLY (program cuda_estimators_refusal_test, CPU
//! label, MEMLIF_DISABLE_DEVICE=1 from ctest) only the refusal tests exist: group_sums_cuda
//! throws CudaError before any allocation. Without it (cuda_estimators_test, gpu label, CUDA
//! builds only) the parity tests run: skipped without a device, failed under
//! MEMLIF_REQUIRE_GPU=1.
//!
//! Tolerance: doubles to 1e-12 absolute (bits). The device follows the host's summation order
//! everywhere except the sums over the words of a group (H(R), the pooled BayesCount: block
//! trees) and differs from glibc's log/pow by an ulp; with at most 2^12 distinct words here both
//! effects stay below 1e-13. Integer quantities (counts, word numbers, level sizes) must be
//! equal; the permutation p-value may differ only by replicates whose value ties the observed one
//! to within the tolerance.
#include "cuda/group_sums_cuda.hpp"
#include "host/information/accelerated_resampling.hpp"
#include "memlif/config.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#ifndef MEMLIF_ESTIMATORS_TEST_CPU_ONLY
#include "cuda_test_util.hpp"
#include "group_sums_reference.hpp"
#include "host/information/bootstrap.hpp"
#include "host/information/permutation_null.hpp"
#include "host/information/quadratic_extrapolation.hpp"
#include "host/information/resampling.hpp"
#include "host/information/sampling_error.hpp"

#include <cmath>
#include <random>
#endif

namespace memlif {
namespace {

ConditionCounts tiny_counts() {
    ConditionCounts c;
    c.n_bins = 3;
    c.offsets = {0, 2, 3};
    c.words = {1, 5, 2};
    c.counts = {3, 1, 4};
    return c;
}

#ifdef MEMLIF_ESTIMATORS_TEST_CPU_ONLY

// ---------------------------------------------------------------------------------------------
// CPU: refusal without a device (stub build: "not configured").

class EstimatorsNoDevice : public ::testing::Test {
  protected:
    void SetUp() override { ::setenv("MEMLIF_DISABLE_DEVICE", "1", 1); }
};

void expect_refused(const std::function<void()>& call) {
    try {
        call();
        ADD_FAILURE() << "expected CudaError";
    } catch (const CudaError& e) {
        const std::string msg = e.what();
        const std::string expected = MEMLIF_USE_CUDA ? "no CUDA device" : "not configured";
        EXPECT_NE(msg.find(expected), std::string::npos) << msg;
        EXPECT_EQ(msg.find("cudaMalloc"), std::string::npos) << msg;
    }
}

TEST_F(EstimatorsNoDevice, EverySchemeRefusesBeforeAllocating) {
    const ConditionCounts c = tiny_counts();
    for (ReplicateScheme scheme :
         {ReplicateScheme::observed, ReplicateScheme::label_permutation, ReplicateScheme::bootstrap,
          ReplicateScheme::qe_shuffled, ReplicateScheme::qe_block}) {
        GroupSumsRequest q;
        q.scheme = scheme;
        q.replicates = 3;
        q.p_s = {{0.5, 0.5}, {0.5, 0.5}};
        if (scheme != ReplicateScheme::qe_shuffled && scheme != ReplicateScheme::qe_block)
            q.p_s.pop_back();
        expect_refused([&] { group_sums_cuda(c, q); });
    }
}

TEST_F(EstimatorsNoDevice, RefusalComesBeforeInputValidation) {
    // A malformed request still gets the device error: nothing is looked at without a device.
    expect_refused([&] { group_sums_cuda(tiny_counts(), GroupSumsRequest{}); });
}

TEST_F(EstimatorsNoDevice, AcceleratedEstimatorsOnTheDeviceRefuse) {
    // The host validates, then the first request reaches the device and is refused.
    const ConditionCounts c = tiny_counts();
    const std::vector<double> p{0.5, 0.5};
    const std::vector<std::uint32_t> spk{1, 2};
    const GroupSumsFunction gpu = [](const ConditionCounts& k, const GroupSumsRequest& q) {
        return group_sums_cuda(k, q);
    };
    expect_refused([&] {
        accelerated_permutation_null(c, p, spk, PermutationNullOptions{}, PointEstimator::pt, {},
                                     gpu);
    });
    expect_refused([&] { accelerated_bootstrap(c, p, spk, BootstrapOptions{}, gpu); });
    QeOptions qo;
    qo.small_sample = SmallSamplePolicy::fallback;
    expect_refused([&] { accelerated_quadratic_extrapolation(c, p, qo, gpu); });
}

#else

// ---------------------------------------------------------------------------------------------
// GPU parity with the host.

using test::expect_same_or_both_nan;
using test::GpuTest;

constexpr double k_tol = 1e-12;

struct Table {
    ConditionCounts counts;
    std::vector<double> p_s;
    std::vector<std::uint32_t> n_spk;
};

//! Seeded synthetic condition: each stimulus has a preferred word, each bin flips with
//! probability `flip` (so words are shared across stimuli and MI is moderate). N_s is drawn in
//! [min_trials, max_trials]; the last n_empty stimuli have no trials (p(s) = 0). p(s) is N_s/N
//! (empirical) or seeded random weights. n_spk cycles through 0..4, so some SpS are NaN.
Table make_table(std::uint64_t seed, std::size_t n_stimuli, std::uint32_t min_trials,
                 std::uint32_t max_trials, std::uint32_t n_bins, double flip, bool empirical,
                 std::size_t n_empty = 0) {
    std::mt19937_64 rng(seed);
    const std::uint64_t mask = n_bins >= 64 ? ~0ull : (1ull << n_bins) - 1;
    std::uniform_int_distribution<std::uint32_t> n_dist(min_trials, max_trials);
    std::bernoulli_distribution flip_bit(flip);
    std::vector<std::vector<std::uint64_t>> trials(n_stimuli);
    for (std::size_t s = 0; s + n_empty < n_stimuli; ++s) {
        const std::uint64_t base = rng() & mask;
        const std::uint32_t n = n_dist(rng);
        for (std::uint32_t t = 0; t < n; ++t) {
            std::uint64_t w = base;
            for (std::uint32_t b = 0; b < n_bins; ++b)
                if (flip_bit(rng)) w ^= 1ull << b;
            trials[s].push_back(w);
        }
    }
    Table t;
    t.counts = counts_from_trials(trials, n_bins);
    t.p_s.assign(n_stimuli, 0.0);
    double total = 0;
    std::uniform_real_distribution<double> u(0.5, 1.5);
    for (std::size_t s = 0; s < n_stimuli; ++s) {
        if (trials[s].empty()) continue;
        t.p_s[s] = empirical ? static_cast<double>(trials[s].size()) : u(rng);
        total += t.p_s[s];
    }
    for (double& p : t.p_s) p /= total;
    for (std::size_t s = 0; s < n_stimuli; ++s)
        t.n_spk.push_back(static_cast<std::uint32_t>(s % 5));
    return t;
}

Table tiny() {
    Table t;
    t.counts = tiny_counts();
    t.p_s = {0.5, 0.5};
    t.n_spk = {1, 0};
    return t;
}

GroupSumsFunction gpu_sums(const GroupSumsCudaOptions& cuda = {}) {
    return [cuda](const ConditionCounts& c, const GroupSumsRequest& q) {
        return group_sums_cuda(c, q, cuda);
    };
}

// --- the sums themselves --------------------------------------------------------------------

template <class T>
void expect_ints_equal(const std::vector<T>& a, const std::vector<T>& b, const char* what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    for (std::size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << what << "[" << i << "]";
}

void expect_sums_near(const GroupSums& d, const GroupSums& h) {
    ASSERT_EQ(d.n_groups, h.n_groups);
    ASSERT_EQ(d.n_stimuli, h.n_stimuli);
    expect_ints_equal(d.n_words, h.n_words, "n_words");
    expect_ints_equal(d.n_trials, h.n_trials, "n_trials");
    expect_ints_equal(d.n_s, h.n_s, "n_s");
    expect_ints_equal(d.m_s, h.m_s, "m_s");
    test::expect_vec_near(d.h_r, h.h_r, k_tol, "h_r");
    test::expect_vec_near(d.r_pooled, h.r_pooled, k_tol, "r_pooled");
    test::expect_vec_near(d.h_rs, h.h_rs, k_tol, "h_rs");
    test::expect_vec_near(d.r_s, h.r_s, k_tol, "r_s");
    test::expect_vec_near(d.kl, h.kl, k_tol, "kl");
}

//! A request of every scheme, with every optional sum.
std::vector<GroupSumsRequest> all_requests(const Table& t, std::uint64_t seed) {
    std::vector<GroupSumsRequest> out;
    for (ReplicateScheme scheme :
         {ReplicateScheme::observed, ReplicateScheme::label_permutation, ReplicateScheme::bootstrap,
          ReplicateScheme::qe_shuffled, ReplicateScheme::qe_block}) {
        GroupSumsRequest q;
        q.scheme = scheme;
        q.seed = seed;
        q.replicates = 7;
        q.p_s = {t.p_s};
        if (scheme == ReplicateScheme::qe_shuffled || scheme == ReplicateScheme::qe_block)
            q.p_s.push_back(t.p_s);
        q.bayes_stimuli = q.bayes_pooled = q.surprise = true;
        q.r_tot = std::ldexp(1.0, static_cast<int>(t.counts.n_bins));
        out.push_back(q);
    }
    return out;
}

class GroupSumsCuda : public GpuTest {};

TEST_F(GroupSumsCuda, EverySchemeMatchesTheHostEvaluation) {
    const Table tables[] = {tiny(), make_table(3, 16, 20, 20, 8, 0.1, false),
                            make_table(13, 24, 5, 40, 10, 0.2, true, 3)};
    for (const Table& t : tables)
        for (std::uint64_t seed : {0ull, 0xDEADBEEFCAFEull})
            for (const GroupSumsRequest& q : all_requests(t, seed)) {
                SCOPED_TRACE(static_cast<int>(q.scheme));
                expect_sums_near(group_sums_cuda(t.counts, q),
                                 test::reference_group_sums(t.counts, q));
            }
}

TEST_F(GroupSumsCuda, OptionalSumsStayEmpty) {
    const Table t = make_table(4, 8, 10, 10, 6, 0.2, true);
    GroupSumsRequest q;
    q.scheme = ReplicateScheme::bootstrap;
    q.replicates = 3;
    q.p_s = {t.p_s};
    const GroupSums r = group_sums_cuda(t.counts, q);
    EXPECT_EQ(r.n_groups, 3u);
    EXPECT_EQ(r.h_rs.size(), 3u * 8u);
    EXPECT_TRUE(r.r_s.empty());
    EXPECT_TRUE(r.r_pooled.empty());
    EXPECT_TRUE(r.kl.empty());
}

TEST_F(GroupSumsCuda, ReplicateRangesAndBatchesDoNotChangeTheSums) {
    const Table t = make_table(21, 32, 10, 30, 9, 0.15, false, 2);
    GroupSumsCudaOptions one;
    one.max_batch_bytes = 1; // one replicate per batch
    for (GroupSumsRequest q : all_requests(t, 77)) {
        SCOPED_TRACE(static_cast<int>(q.scheme));
        q.replicates = 9;
        const GroupSums whole = group_sums_cuda(t.counts, q);
        const GroupSums batched = group_sums_cuda(t.counts, q, one);
        EXPECT_EQ(batched.h_r, whole.h_r);
        EXPECT_EQ(batched.r_pooled, whole.r_pooled);
        EXPECT_EQ(batched.h_rs, whole.h_rs);
        EXPECT_EQ(batched.r_s, whole.r_s);
        EXPECT_EQ(batched.kl, whole.kl);
        if (q.scheme == ReplicateScheme::observed || q.scheme == ReplicateScheme::qe_block)
            continue;
        // Replicates 4 .. 8 alone are the tail of the whole request.
        q.first_replicate = 4;
        q.replicates = 5;
        const GroupSums tail = group_sums_cuda(t.counts, q);
        const std::size_t per = q.scheme == ReplicateScheme::qe_shuffled ? 6 : 1;
        const std::size_t g0 = 4 * per, ns = t.counts.n_stimuli();
        ASSERT_EQ(tail.n_groups, 5 * per);
        for (std::size_t g = 0; g < tail.n_groups; ++g) {
            EXPECT_EQ(tail.h_r[g], whole.h_r[g0 + g]);
            EXPECT_EQ(tail.r_pooled[g], whole.r_pooled[g0 + g]);
            for (std::size_t s = 0; s < ns; ++s) {
                EXPECT_EQ(tail.h_rs[g * ns + s], whole.h_rs[(g0 + g) * ns + s]);
                EXPECT_EQ(tail.kl[g * ns + s], whole.kl[(g0 + g) * ns + s]);
            }
        }
    }
}

TEST_F(GroupSumsCuda, MalformedRequestsAreRefused) {
    const Table t = make_table(5, 4, 6, 6, 5, 0.2, true);
    GroupSumsRequest q;
    q.scheme = ReplicateScheme::observed;
    EXPECT_THROW(group_sums_cuda(t.counts, q), std::invalid_argument); // no p(s) row
    q.p_s = {{0.5, 0.5}};
    EXPECT_THROW(group_sums_cuda(t.counts, q), std::invalid_argument); // 2 entries for 4 stimuli
    q.scheme = ReplicateScheme::qe_block;
    q.p_s = {t.p_s};
    EXPECT_THROW(group_sums_cuda(t.counts, q), std::invalid_argument); // QE needs two rows
    q.scheme = ReplicateScheme::bootstrap;
    q.first_replicate = 0xFFFFFFF0u;
    q.replicates = 100;
    EXPECT_THROW(group_sums_cuda(t.counts, q), std::invalid_argument); // beyond 2^32 - 1
}

// --- the estimators on them -----------------------------------------------------------------

//! The host permutation null with the statistic compute_estimators uses, plus every value the
//! statistic returned (observed first), to bound the p-value by near-ties.
PermutationNullResult host_null(const Table& t, const PermutationNullOptions& o, PointEstimator pe,
                                const RtotSpec& rtot, std::vector<double>& values) {
    RtotSpec rt = rtot;
    if (pe == PointEstimator::pt)
        rt = RtotSpec{RtotMode::user, response_space_size(t.counts, rtot)};
    const std::vector<std::uint32_t> spk = t.n_spk;
    values.clear();
    const MiStatistic stat = [&values, pe, rt, spk](const ConditionCounts& c,
                                                    const std::vector<double>& p) {
        const double v = detail::point_estimate(c, p, spk, pe, rt).mi;
        values.push_back(v);
        return v;
    };
    return compute_permutation_null(t.counts, t.p_s, stat, o);
}

void expect_null_matches(const Table& t, const PermutationNullOptions& o, PointEstimator pe,
                         const RtotSpec& rtot = {}, const GroupSumsCudaOptions& cuda = {}) {
    std::vector<double> values;
    const PermutationNullResult h = host_null(t, o, pe, rtot, values);
    const PermutationNullResult d =
        accelerated_permutation_null(t.counts, t.p_s, t.n_spk, o, pe, rtot, gpu_sums(cuda));
    EXPECT_NEAR(d.observed, h.observed, k_tol);
    EXPECT_NEAR(d.null_mean, h.null_mean, k_tol);
    EXPECT_NEAR(d.null_sd, h.null_sd, k_tol);
    EXPECT_NEAR(d.corrected, h.corrected, k_tol);
    EXPECT_EQ(d.replicates, h.replicates);
    EXPECT_EQ(d.quantile_levels, h.quantile_levels);
    test::expect_vec_near(d.quantiles, h.quantiles, k_tol, "null quantiles");
    std::size_t ties = 0;
    for (std::size_t m = 1; m < values.size(); ++m)
        if (std::fabs(values[m] - values[0]) <= k_tol) ++ties;
    EXPECT_LE(std::fabs(d.p_value - h.p_value) * (1.0 + o.replicates), ties + 1e-9)
        << "p " << d.p_value << " vs host " << h.p_value << " with " << ties << " near-ties";
}

void expect_interval_near(const Interval& a, const Interval& b, const char* what, std::size_t i) {
    expect_same_or_both_nan(a.sd, b.sd, k_tol, what, i);
    expect_same_or_both_nan(a.lo, b.lo, k_tol, what, i);
    expect_same_or_both_nan(a.hi, b.hi, k_tol, what, i);
}

void expect_bootstrap_matches(const Table& t, const BootstrapOptions& o,
                              const GroupSumsCudaOptions& cuda = {}) {
    const BootstrapResult h = compute_bootstrap(t.counts, t.p_s, t.n_spk, o);
    const BootstrapResult d = accelerated_bootstrap(t.counts, t.p_s, t.n_spk, o, gpu_sums(cuda));
    EXPECT_EQ(d.replicates, h.replicates);
    EXPECT_EQ(d.confidence, h.confidence);
    expect_interval_near(d.mi, h.mi, "mi", 0);
    expect_interval_near(d.h_r, h.h_r, "h_r", 0);
    expect_interval_near(d.h_rs, h.h_rs, "h_rs", 0);
    ASSERT_EQ(d.sss.size(), h.sss.size());
    ASSERT_EQ(d.sps.size(), h.sps.size());
    for (std::size_t s = 0; s < h.sss.size(); ++s) {
        expect_interval_near(d.sss[s], h.sss[s], "sss", s);
        expect_interval_near(d.sps[s], h.sps[s], "sps", s);
    }
}

void expect_flags_equal(const InformationFlags& a, const InformationFlags& b) {
    EXPECT_EQ(a.mi_negative, b.mi_negative);
    EXPECT_EQ(a.mi_above_log2_s, b.mi_above_log2_s);
    EXPECT_EQ(a.mi_above_h_s, b.mi_above_h_s);
    EXPECT_EQ(a.sps_undefined, b.sps_undefined);
    EXPECT_EQ(a.qe_fallback, b.qe_fallback);
    EXPECT_EQ(a.ps_not_empirical, b.ps_not_empirical);
}

void expect_qe_matches(const Table& t, const QeOptions& o, const GroupSumsCudaOptions& cuda = {}) {
    const QeResult h = compute_quadratic_extrapolation(t.counts, t.p_s, o);
    const QeResult d = accelerated_quadratic_extrapolation(t.counts, t.p_s, o, gpu_sums(cuda));
    EXPECT_NEAR(d.h_r, h.h_r, k_tol);
    EXPECT_NEAR(d.h_rs, h.h_rs, k_tol);
    EXPECT_NEAR(d.mi, h.mi, k_tol);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_NEAR(d.level_mi[i], h.level_mi[i], k_tol) << "level " << i;
        EXPECT_EQ(d.level_size[i], h.level_size[i]) << "level " << i;
        EXPECT_EQ(d.weights[i], h.weights[i]) << "level " << i;
    }
    expect_flags_equal(d.flags, h.flags);
}

class EstimatorsCuda : public GpuTest {};

TEST_F(EstimatorsCuda, NullTinyTableAllEstimators) {
    PermutationNullOptions o;
    o.replicates = 37;
    for (PointEstimator pe : {PointEstimator::plugin, PointEstimator::mm, PointEstimator::pt})
        for (std::uint64_t seed : {0ull, 1ull, 0xDEADBEEFCAFEull}) {
            SCOPED_TRACE(seed);
            o.seed = seed;
            expect_null_matches(tiny(), o, pe);
        }
}

TEST_F(EstimatorsCuda, NullSyntheticTables) {
    PermutationNullOptions o;
    o.replicates = 50;
    o.quantile_levels = {0.0, 0.05, 0.5, 0.95, 1.0};
    for (std::uint64_t seed : {3ull, 4ull}) {
        SCOPED_TRACE(seed);
        o.seed = seed * 7919;
        const Table a = make_table(seed, 16, 40, 40, 8, 0.1, false);
        const Table b = make_table(seed + 10, 24, 5, 60, 10, 0.2, true, 3);
        for (PointEstimator pe : {PointEstimator::plugin, PointEstimator::mm, PointEstimator::pt}) {
            expect_null_matches(a, o, pe);
            expect_null_matches(b, o, pe);
        }
        expect_null_matches(b, o, PointEstimator::pt, RtotSpec{RtotMode::ibtb, 0});
    }
}

TEST_F(EstimatorsCuda, NullIndependentOfBatching) {
    const Table t = make_table(21, 32, 10, 30, 9, 0.15, false, 2);
    PermutationNullOptions o;
    o.replicates = 9;
    o.seed = 77;
    GroupSumsCudaOptions one;
    one.max_batch_bytes = 1; // one replicate per batch
    const auto a = accelerated_permutation_null(t.counts, t.p_s, t.n_spk, o, PointEstimator::pt, {},
                                                gpu_sums());
    const auto b = accelerated_permutation_null(t.counts, t.p_s, t.n_spk, o, PointEstimator::pt, {},
                                                gpu_sums(one));
    EXPECT_EQ(a.observed, b.observed);
    EXPECT_EQ(a.null_mean, b.null_mean);
    EXPECT_EQ(a.null_sd, b.null_sd);
    EXPECT_EQ(a.quantiles, b.quantiles);
    EXPECT_EQ(a.p_value, b.p_value);
    expect_null_matches(t, o, PointEstimator::mm, {}, one);
}

TEST_F(EstimatorsCuda, NullRejectsWhatTheHostRejects) {
    const Table t = make_table(5, 4, 6, 6, 5, 0.2, true);
    PermutationNullOptions o;
    o.replicates = 0;
    const auto null = [&](const std::vector<double>& p, PointEstimator pe, const RtotSpec& r) {
        return accelerated_permutation_null(t.counts, p, t.n_spk, o, pe, r, gpu_sums());
    };
    EXPECT_THROW(null(t.p_s, PointEstimator::plugin, {}), std::invalid_argument);
    o.replicates = 3;
    o.quantile_levels = {1.5};
    EXPECT_THROW(null(t.p_s, PointEstimator::plugin, {}), std::invalid_argument);
    o.quantile_levels = {0.5};
    EXPECT_THROW(null({0.5, 0.5, 0.5, 0.5}, PointEstimator::plugin, {}), std::invalid_argument);
    // R_tot below the observed number of distinct words: the host's SamplingError (exit code 2).
    EXPECT_THROW(null(t.p_s, PointEstimator::pt, RtotSpec{RtotMode::user, 1}), SamplingError);
}

TEST_F(EstimatorsCuda, BootstrapTinyAndSynthetic) {
    BootstrapOptions o;
    o.replicates = 41;
    for (PointEstimator pe : {PointEstimator::plugin, PointEstimator::mm, PointEstimator::pt}) {
        o.estimator = pe;
        for (std::uint64_t seed : {0ull, 11ull}) {
            SCOPED_TRACE(seed);
            o.seed = seed;
            expect_bootstrap_matches(tiny(), o);
            expect_bootstrap_matches(make_table(seed + 1, 12, 20, 20, 7, 0.1, true), o);
            expect_bootstrap_matches(make_table(seed + 2, 20, 3, 50, 10, 0.25, false, 2), o);
        }
    }
    o.estimator = PointEstimator::pt;
    o.rtot = RtotSpec{RtotMode::ibtb, 0};
    o.confidence = 0.8;
    expect_bootstrap_matches(make_table(9, 10, 10, 30, 12, 0.1, false), o);
}

TEST_F(EstimatorsCuda, BootstrapBatchedEqualsSingleBatch) {
    const Table t = make_table(31, 18, 8, 25, 8, 0.2, true, 1);
    BootstrapOptions o;
    o.replicates = 7;
    o.seed = 5;
    GroupSumsCudaOptions one;
    one.max_batch_bytes = 1;
    const auto a = accelerated_bootstrap(t.counts, t.p_s, t.n_spk, o, gpu_sums());
    const auto b = accelerated_bootstrap(t.counts, t.p_s, t.n_spk, o, gpu_sums(one));
    EXPECT_EQ(a.mi.sd, b.mi.sd);
    EXPECT_EQ(a.mi.lo, b.mi.lo);
    EXPECT_EQ(a.mi.hi, b.mi.hi);
    expect_bootstrap_matches(t, o, one);
}

TEST_F(EstimatorsCuda, QeShuffledAndBlockAllModes) {
    const Table eq = make_table(41, 16, 32, 32, 8, 0.1, true);
    const Table uneq = make_table(42, 20, 4, 45, 10, 0.2, false, 2);
    const Table odd = make_table(43, 8, 15, 15, 6, 0.15, true); // floor sizes 7 and 3
    for (QePartition part : {QePartition::shuffled, QePartition::block})
        for (QeTarget target : {QeTarget::entropies, QeTarget::information})
            for (InnerEstimator inner : {InnerEstimator::plugin, InnerEstimator::pt}) {
                QeOptions o;
                o.partition = part;
                o.target = target;
                o.inner = inner;
                o.replicates = 6;
                for (std::uint64_t seed : {0ull, 12345ull}) {
                    SCOPED_TRACE(seed);
                    o.seed = seed;
                    expect_qe_matches(eq, o);
                    expect_qe_matches(uneq, o);
                    expect_qe_matches(odd, o);
                }
            }
}

TEST_F(EstimatorsCuda, QeSmallSamplesAndBatching) {
    const Table small = make_table(51, 6, 2, 3, 6, 0.2, true); // every N_s < 4
    QeOptions o;
    o.small_sample = SmallSamplePolicy::refuse;
    EXPECT_THROW(accelerated_quadratic_extrapolation(small.counts, small.p_s, o, gpu_sums()),
                 SamplingError);
    o.small_sample = SmallSamplePolicy::fallback;
    expect_qe_matches(small, o);
    o.inner = InnerEstimator::pt;
    expect_qe_matches(small, o);

    const Table t = make_table(52, 12, 8, 30, 9, 0.15, false);
    o = QeOptions{};
    o.replicates = 5;
    o.seed = 99;
    GroupSumsCudaOptions one;
    one.max_batch_bytes = 1;
    const QeResult a = accelerated_quadratic_extrapolation(t.counts, t.p_s, o, gpu_sums());
    const QeResult b = accelerated_quadratic_extrapolation(t.counts, t.p_s, o, gpu_sums(one));
    EXPECT_EQ(a.mi, b.mi);
    EXPECT_EQ(a.h_r, b.h_r);
    EXPECT_EQ(a.level_mi, b.level_mi);
    expect_qe_matches(t, o, one);
    o.replicates = 0;
    EXPECT_THROW(accelerated_quadratic_extrapolation(t.counts, t.p_s, o, gpu_sums()),
                 std::invalid_argument);
}

// --- scale: 65536 stimuli -------------------------------------------------------------------

TEST_F(EstimatorsCuda, LargeStimulusSetMatchesHost) {
    // 65536 stimuli x 6..10 trials (~524k trials), 12-bit words: every estimator once, with
    // few replicates so the host reference stays fast.
    const Table t = make_table(2024, 65536, 6, 10, 12, 0.05, false);
    PermutationNullOptions no;
    no.replicates = 6;
    no.seed = 1;
    expect_null_matches(t, no, PointEstimator::plugin);
    expect_null_matches(t, no, PointEstimator::pt);
    BootstrapOptions bo;
    bo.replicates = 4;
    bo.seed = 2;
    expect_bootstrap_matches(t, bo);
    bo.estimator = PointEstimator::mm;
    expect_bootstrap_matches(t, bo);
    QeOptions qo;
    qo.replicates = 3;
    qo.seed = 3;
    expect_qe_matches(t, qo);
    qo.inner = InnerEstimator::pt;
    qo.target = QeTarget::information;
    expect_qe_matches(t, qo);
}

#endif

} // namespace
} // namespace memlif
