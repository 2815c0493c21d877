// SPDX-License-Identifier: MIT
//! \file tests/host/information/accelerated_resampling_test.cpp
//! The accelerated resampling estimators (host/information/accelerated_resampling.hpp) on the
//! host's evaluation of the group-sums contract (group_sums_reference.hpp) against the host
//! estimators themselves (compute_permutation_null, compute_bootstrap,
//! compute_quadratic_extrapolation), an independent implementation of the same replicates.
//! Both sides then do the same roundings in the same order, so the results must be equal, not
//! just close. The GPU tests (tests/cuda/group_sums_cuda_test.cpp) pair the same combination
//! with the device's sums.
#include "host/information/accelerated_resampling.hpp"
#include "host/information/bootstrap.hpp"
#include "host/information/estimators.hpp"
#include "host/information/permutation_null.hpp"
#include "host/information/quadratic_extrapolation.hpp"
#include "host/information/resampling.hpp"
#include "host/information/sampling_error.hpp"

#include "group_sums_reference.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

namespace memlif {
namespace {

struct Table {
    ConditionCounts counts;
    std::vector<double> p_s;
    std::vector<std::uint32_t> n_spk;
};

//! Seeded synthetic condition: each stimulus has a preferred word and every bin flips with
//! probability `flip`, so words are shared across stimuli; N_s in [min_trials, max_trials]; the
//! last n_empty stimuli have no trials. p(s) is N_s/N (empirical) or seeded random weights;
//! n_spk cycles through 0..4, so some SpS are NaN.
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
    t.counts.n_bins = 3;
    t.counts.offsets = {0, 2, 3};
    t.counts.words = {1, 5, 2};
    t.counts.counts = {3, 1, 4};
    t.p_s = {0.5, 0.5};
    t.n_spk = {1, 0};
    return t;
}

//! The reference sums, counting the calls and checking every request is well formed.
struct CountingSums {
    int calls = 0;
    GroupSumsFunction function() {
        return [this](const ConditionCounts& c, const GroupSumsRequest& q) {
            ++calls;
            for (const auto& row : q.p_s) EXPECT_EQ(row.size(), c.n_stimuli());
            return test::reference_group_sums(c, q);
        };
    }
};

//! Doubles that must be equal: the same value, or both NaN.
void expect_same(double a, double b, const char* what) {
    if (std::isnan(a) || std::isnan(b)) {
        EXPECT_TRUE(std::isnan(a) && std::isnan(b)) << what << ": " << a << " vs " << b;
    } else {
        EXPECT_EQ(a, b) << what;
    }
}

PermutationNullResult host_null(const Table& t, const PermutationNullOptions& o, PointEstimator pe,
                                const RtotSpec& rtot) {
    // The statistic compute_estimators gives the host null: R_tot resolved on the observed data.
    RtotSpec rt = rtot;
    if (pe == PointEstimator::pt)
        rt = RtotSpec{RtotMode::user, response_space_size(t.counts, rtot)};
    const std::vector<std::uint32_t> spk = t.n_spk;
    const MiStatistic stat = [pe, rt, spk](const ConditionCounts& c, const std::vector<double>& p) {
        return detail::point_estimate(c, p, spk, pe, rt).mi;
    };
    return compute_permutation_null(t.counts, t.p_s, stat, o);
}

void expect_null_equal(const PermutationNullResult& a, const PermutationNullResult& h) {
    EXPECT_EQ(a.observed, h.observed);
    EXPECT_EQ(a.null_mean, h.null_mean);
    EXPECT_EQ(a.null_sd, h.null_sd);
    EXPECT_EQ(a.quantile_levels, h.quantile_levels);
    EXPECT_EQ(a.quantiles, h.quantiles);
    EXPECT_EQ(a.p_value, h.p_value);
    EXPECT_EQ(a.corrected, h.corrected);
    EXPECT_EQ(a.replicates, h.replicates);
}

void expect_interval_equal(const Interval& a, const Interval& b, const char* what) {
    expect_same(a.sd, b.sd, what);
    expect_same(a.lo, b.lo, what);
    expect_same(a.hi, b.hi, what);
}

void expect_bootstrap_equal(const BootstrapResult& a, const BootstrapResult& h) {
    EXPECT_EQ(a.replicates, h.replicates);
    EXPECT_EQ(a.confidence, h.confidence);
    expect_interval_equal(a.mi, h.mi, "mi");
    expect_interval_equal(a.h_r, h.h_r, "h_r");
    expect_interval_equal(a.h_rs, h.h_rs, "h_rs");
    ASSERT_EQ(a.sss.size(), h.sss.size());
    ASSERT_EQ(a.sps.size(), h.sps.size());
    for (std::size_t s = 0; s < h.sss.size(); ++s) {
        SCOPED_TRACE(s);
        expect_interval_equal(a.sss[s], h.sss[s], "sss");
        expect_interval_equal(a.sps[s], h.sps[s], "sps");
    }
}

void expect_qe_equal(const QeResult& a, const QeResult& h) {
    EXPECT_EQ(a.h_r, h.h_r);
    EXPECT_EQ(a.h_rs, h.h_rs);
    EXPECT_EQ(a.mi, h.mi);
    EXPECT_EQ(a.level_mi, h.level_mi);
    EXPECT_EQ(a.level_size, h.level_size);
    EXPECT_EQ(a.weights, h.weights);
    EXPECT_EQ(a.flags.mi_negative, h.flags.mi_negative);
    EXPECT_EQ(a.flags.mi_above_log2_s, h.flags.mi_above_log2_s);
    EXPECT_EQ(a.flags.mi_above_h_s, h.flags.mi_above_h_s);
    EXPECT_EQ(a.flags.qe_fallback, h.flags.qe_fallback);
    EXPECT_EQ(a.flags.ps_not_empirical, h.flags.ps_not_empirical);
}

const PointEstimator k_point[] = {PointEstimator::plugin, PointEstimator::mm, PointEstimator::pt};

TEST(AcceleratedResampling, NullEqualsTheHostNull) {
    const Table tables[] = {tiny(), make_table(3, 16, 20, 20, 8, 0.1, false),
                            make_table(13, 24, 5, 40, 10, 0.2, true, 3)};
    PermutationNullOptions o;
    o.replicates = 23;
    o.quantile_levels = {0.0, 0.05, 0.5, 0.95, 1.0};
    for (const Table& t : tables)
        for (PointEstimator pe : k_point)
            for (std::uint64_t seed : {0ull, 0xDEADBEEFCAFEull}) {
                SCOPED_TRACE(seed);
                o.seed = seed;
                CountingSums sums;
                expect_null_equal(accelerated_permutation_null(t.counts, t.p_s, t.n_spk, o, pe, {},
                                                               sums.function()),
                                  host_null(t, o, pe, {}));
                EXPECT_EQ(sums.calls, 2); // the observed table, then every permutation at once
            }
    const Table& t = tables[2];
    expect_null_equal(accelerated_permutation_null(t.counts, t.p_s, t.n_spk, o, PointEstimator::pt,
                                                   RtotSpec{RtotMode::ibtb, 0},
                                                   CountingSums{}.function()),
                      host_null(t, o, PointEstimator::pt, RtotSpec{RtotMode::ibtb, 0}));
}

TEST(AcceleratedResampling, BootstrapEqualsTheHostBootstrap) {
    const Table tables[] = {tiny(), make_table(4, 12, 20, 20, 7, 0.1, true),
                            make_table(14, 20, 3, 30, 10, 0.25, false, 2)};
    BootstrapOptions o;
    o.replicates = 29;
    for (const Table& t : tables)
        for (PointEstimator pe : k_point)
            for (std::uint64_t seed : {0ull, 11ull}) {
                SCOPED_TRACE(seed);
                o.estimator = pe;
                o.seed = seed;
                CountingSums sums;
                expect_bootstrap_equal(
                    accelerated_bootstrap(t.counts, t.p_s, t.n_spk, o, sums.function()),
                    compute_bootstrap(t.counts, t.p_s, t.n_spk, o));
                EXPECT_EQ(sums.calls, 1);
            }
    o.estimator = PointEstimator::pt;
    o.rtot = RtotSpec{RtotMode::ibtb, 0};
    o.confidence = 0.8;
    const Table t = make_table(9, 10, 10, 30, 12, 0.1, false);
    expect_bootstrap_equal(
        accelerated_bootstrap(t.counts, t.p_s, t.n_spk, o, CountingSums{}.function()),
        compute_bootstrap(t.counts, t.p_s, t.n_spk, o));
}

TEST(AcceleratedResampling, QeEqualsTheHostQeInEveryMode) {
    const Table tables[] = {make_table(41, 16, 32, 32, 8, 0.1, true),
                            make_table(42, 20, 4, 45, 10, 0.2, false, 2),
                            make_table(43, 8, 15, 15, 6, 0.15, true)}; // floor sizes 7 and 3
    for (QePartition part : {QePartition::shuffled, QePartition::block})
        for (QeTarget target : {QeTarget::entropies, QeTarget::information})
            for (InnerEstimator inner : {InnerEstimator::plugin, InnerEstimator::pt}) {
                QeOptions o;
                o.partition = part;
                o.target = target;
                o.inner = inner;
                o.replicates = 5;
                o.seed = 12345;
                for (const Table& t : tables) {
                    CountingSums sums;
                    expect_qe_equal(
                        accelerated_quadratic_extrapolation(t.counts, t.p_s, o, sums.function()),
                        compute_quadratic_extrapolation(t.counts, t.p_s, o));
                    EXPECT_EQ(sums.calls, 2); // the full data, then every subsample at once
                }
            }
}

TEST(AcceleratedResampling, QeSmallSamplesAsTheHost) {
    const Table small = make_table(51, 6, 2, 3, 6, 0.2, true); // every N_s < 4
    QeOptions o;
    EXPECT_THROW(
        accelerated_quadratic_extrapolation(small.counts, small.p_s, o, CountingSums{}.function()),
        SamplingError);
    o.small_sample = SmallSamplePolicy::fallback;
    for (InnerEstimator inner : {InnerEstimator::plugin, InnerEstimator::pt}) {
        o.inner = inner;
        expect_qe_equal(accelerated_quadratic_extrapolation(small.counts, small.p_s, o,
                                                            CountingSums{}.function()),
                        compute_quadratic_extrapolation(small.counts, small.p_s, o));
    }
}

TEST(AcceleratedResampling, ChunkedRequestsGiveTheSameResults) {
    // One replicate per request (at most 1 sum per call): every replicate is asked for on its
    // own, in order, and the results are those of one request.
    const Table t = make_table(21, 12, 6, 20, 9, 0.15, false, 1);
    PermutationNullOptions no;
    no.replicates = 7;
    no.seed = 77;
    CountingSums one;
    expect_null_equal(accelerated_permutation_null(t.counts, t.p_s, t.n_spk, no, PointEstimator::pt,
                                                   {}, one.function(), 1),
                      host_null(t, no, PointEstimator::pt, {}));
    EXPECT_EQ(one.calls, 1 + 7);

    BootstrapOptions bo;
    bo.replicates = 6;
    bo.seed = 5;
    bo.estimator = PointEstimator::mm;
    CountingSums three;
    // 12 stimuli: 40 sums per call hold 3 replicates.
    expect_bootstrap_equal(
        accelerated_bootstrap(t.counts, t.p_s, t.n_spk, bo, three.function(), 40),
        compute_bootstrap(t.counts, t.p_s, t.n_spk, bo));
    EXPECT_EQ(three.calls, 2);

    QeOptions qo;
    qo.replicates = 5;
    qo.seed = 99;
    qo.inner = InnerEstimator::pt;
    CountingSums each;
    expect_qe_equal(accelerated_quadratic_extrapolation(t.counts, t.p_s, qo, each.function(), 1),
                    compute_quadratic_extrapolation(t.counts, t.p_s, qo));
    EXPECT_EQ(each.calls, 1 + 5);
}

TEST(AcceleratedResampling, RefusesWhatTheHostRefusesBeforeAnyCall) {
    const Table t = make_table(5, 4, 6, 6, 5, 0.2, true);
    CountingSums sums;
    const GroupSumsFunction f = sums.function();
    PermutationNullOptions no;
    no.replicates = 0;
    EXPECT_THROW(
        accelerated_permutation_null(t.counts, t.p_s, t.n_spk, no, PointEstimator::plugin, {}, f),
        std::invalid_argument);
    no.replicates = 3;
    no.quantile_levels = {1.5};
    EXPECT_THROW(
        accelerated_permutation_null(t.counts, t.p_s, t.n_spk, no, PointEstimator::plugin, {}, f),
        std::invalid_argument);
    no.quantile_levels = {0.5};
    EXPECT_THROW(accelerated_permutation_null(t.counts, {0.5, 0.5, 0.5, 0.5}, t.n_spk, no,
                                              PointEstimator::plugin, {}, f),
                 std::invalid_argument);
    // A user R_tot below the observed number of distinct words: the host's SamplingError.
    EXPECT_THROW(accelerated_permutation_null(t.counts, t.p_s, t.n_spk, no, PointEstimator::pt,
                                              RtotSpec{RtotMode::user, 1}, f),
                 SamplingError);
    BootstrapOptions bo;
    bo.replicates = 1;
    EXPECT_THROW(accelerated_bootstrap(t.counts, t.p_s, t.n_spk, bo, f), std::invalid_argument);
    bo.replicates = 10;
    bo.confidence = 1.0;
    EXPECT_THROW(accelerated_bootstrap(t.counts, t.p_s, t.n_spk, bo, f), std::invalid_argument);
    QeOptions qo;
    qo.inner = InnerEstimator::qe;
    EXPECT_THROW(accelerated_quadratic_extrapolation(t.counts, t.p_s, qo, f),
                 std::invalid_argument);
    qo.inner = InnerEstimator::plugin;
    qo.replicates = 0;
    EXPECT_THROW(accelerated_quadratic_extrapolation(t.counts, t.p_s, qo, f),
                 std::invalid_argument);
    // Only the last refusal needs the full-data sums (QE's small-sample check comes first).
    EXPECT_EQ(sums.calls, 1);
}

TEST(AcceleratedResampling, WrongGroupCountIsABug) {
    const Table t = make_table(6, 4, 6, 6, 5, 0.2, true);
    const GroupSumsFunction short_by_one = [](const ConditionCounts& c, const GroupSumsRequest& q) {
        GroupSums r = test::reference_group_sums(c, q);
        if (q.scheme != ReplicateScheme::observed) r.n_groups -= 1;
        return r;
    };
    PermutationNullOptions no;
    no.replicates = 4;
    EXPECT_THROW(accelerated_permutation_null(t.counts, t.p_s, t.n_spk, no, PointEstimator::plugin,
                                              {}, short_by_one),
                 std::logic_error);
    BootstrapOptions bo;
    bo.replicates = 4;
    EXPECT_THROW(accelerated_bootstrap(t.counts, t.p_s, t.n_spk, bo, short_by_one),
                 std::logic_error);
}

TEST(AcceleratedResampling, AcceleratorInComputeEstimatorsGivesTheHostResults) {
    const Table t = make_table(8, 10, 8, 24, 8, 0.15, true);
    EstimatorOptions o;
    o.estimators = {"qe", "null", "bootstrap"};
    o.seed = 3;
    o.null_replicates = 15;
    o.bootstrap_replicates = 15;
    o.null_estimator = PointEstimator::pt;
    const EstimatorResults host = compute_estimators(t.counts, t.p_s, t.n_spk, o);
    CountingSums sums;
    const EstimatorAccelerator acc = make_estimator_accelerator(sums.function());
    o.accelerator = &acc;
    const EstimatorResults via = compute_estimators(t.counts, t.p_s, t.n_spk, o);
    EXPECT_EQ(sums.calls, 2 + 2 + 1);
    for (const char* name : {"qe", "null", "bootstrap"}) {
        SCOPED_TRACE(name);
        const EstimatorResult* a = via.find(name);
        const EstimatorResult* h = host.find(name);
        ASSERT_NE(a, nullptr);
        ASSERT_NE(h, nullptr);
        EXPECT_EQ(a->mi, h->mi);
        expect_same(a->mi_se, h->mi_se, "mi_se");
        expect_same(a->mi_ci_lo, h->mi_ci_lo, "mi_ci_lo");
        expect_same(a->mi_corrected, h->mi_corrected, "mi_corrected");
        expect_same(a->p_value, h->p_value, "p_value");
    }
}

} // namespace
} // namespace memlif
