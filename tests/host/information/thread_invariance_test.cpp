// SPDX-License-Identifier: MIT
//! \file tests/host/information/thread_invariance_test.cpp
//! The estimators give the same bits whatever the number of OpenMP threads: every replicate owns
//! its random stream and its result slot, and every sum over slots runs in index order
//! (host/information/parallel.hpp).
#include "host/information/estimators.hpp"
#include "host/information/parallel.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

using namespace memlif;

namespace {

std::uint64_t bits(double x) {
    std::uint64_t b = 0;
    std::memcpy(&b, &x, sizeof b);
    return b;
}

void expect_same(const std::vector<double>& a, const std::vector<double>& b,
                 const std::string& what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    for (std::size_t i = 0; i < a.size(); ++i)
        ASSERT_EQ(bits(a[i]), bits(b[i])) << what << "[" << i << "]: " << a[i] << " vs " << b[i];
}

void expect_same(const EstimatorResult& a, const EstimatorResult& b) {
    const std::string n = a.name + ".";
    const double EstimatorResult::*scalars[] = {
        &EstimatorResult::mi,           &EstimatorResult::h_r,       &EstimatorResult::h_rs,
        &EstimatorResult::mi_se,        &EstimatorResult::mi_ci_lo,  &EstimatorResult::mi_ci_hi,
        &EstimatorResult::mi_corrected, &EstimatorResult::null_mean, &EstimatorResult::p_value,
        &EstimatorResult::r_bins,       &EstimatorResult::r_tot};
    for (auto f : scalars)
        EXPECT_EQ(bits(a.*f), bits(b.*f)) << n << "scalar " << a.*f << " vs " << b.*f;
    const std::vector<double> EstimatorResult::*vectors[] = {&EstimatorResult::sss,
                                                             &EstimatorResult::sps,
                                                             &EstimatorResult::null_quantiles,
                                                             &EstimatorResult::sss_ci_lo,
                                                             &EstimatorResult::sss_ci_hi,
                                                             &EstimatorResult::sps_ci_lo,
                                                             &EstimatorResult::sps_ci_hi,
                                                             &EstimatorResult::sss_se,
                                                             &EstimatorResult::sps_se,
                                                             &EstimatorResult::sss_corrected,
                                                             &EstimatorResult::sps_corrected,
                                                             &EstimatorResult::r_bins_s};
    for (auto f : vectors) expect_same(a.*f, b.*f, n + "vector");
    EXPECT_EQ(a.rank, b.rank) << n;
    EXPECT_EQ(a.replicates, b.replicates) << n;
}

EstimatorResults run_with_threads(int threads, const ConditionCounts& c,
                                  const std::vector<double>& p, const std::vector<std::uint32_t>& k,
                                  const EstimatorOptions& o) {
#if MEMLIF_USE_OPENMP
    const int before = omp_get_max_threads();
    omp_set_num_threads(threads);
    EstimatorResults r = compute_estimators(c, p, k, o);
    omp_set_num_threads(before);
    return r;
#else
    (void)threads;
    return compute_estimators(c, p, k, o);
#endif
}

//! Large enough that every threaded loop runs in parallel (detail::worth_threads).
ConditionCounts big_condition() { return test::random_condition(3000, 16, 10, 42); }

std::vector<std::uint32_t> spikes_of(std::size_t n) {
    std::vector<std::uint32_t> k(n);
    for (std::size_t s = 0; s < n; ++s)
        k[s] = static_cast<std::uint32_t>(s % 17); // some 0: SpS undefined there
    return k;
}

void check_thread_counts(const ConditionCounts& c, const std::vector<double>& p,
                         const EstimatorOptions& o) {
    const std::vector<std::uint32_t> k = spikes_of(c.n_stimuli());
    const EstimatorResults one = run_with_threads(1, c, p, k, o);
    for (int t : {2, 3}) {
        const EstimatorResults many = run_with_threads(t, c, p, k, o);
        ASSERT_EQ(one.estimates.size(), many.estimates.size());
        for (std::size_t i = 0; i < one.estimates.size(); ++i) {
            SCOPED_TRACE("threads " + std::to_string(t));
            expect_same(one.estimates[i], many.estimates[i]);
        }
    }
}

} // namespace

TEST(ThreadInvariance, AllNineFamiliesDefaultOptions) {
#if !MEMLIF_USE_OPENMP
    GTEST_SKIP() << "built without OpenMP";
#endif
    const ConditionCounts c = big_condition();
    EstimatorOptions o;
    o.estimators = {"plugin", "mm", "pt", "qe", "sh", "null", "jackknife", "bootstrap", "nsb"};
    o.seed = 7;
    o.bootstrap_estimator = PointEstimator::pt; // the card's default
    o.qe_replicates = 5;
    o.sh_replicates = 6;
    o.null_replicates = 30;
    o.bootstrap_replicates = 30;
    check_thread_counts(c, test::empirical(c), o);
}

TEST(ThreadInvariance, OtherInnerEstimatorsAndFixedStimulusProbabilities) {
#if !MEMLIF_USE_OPENMP
    GTEST_SKIP() << "built without OpenMP";
#endif
    // Stimuli without trials, p(s) not N_s/N, PT inside QE, I_sh and the null, MM bootstrap.
    const ConditionCounts c = test::random_condition(3000, 16, 10, 43, 97);
    std::vector<double> p(c.n_stimuli(), 0.0);
    double total = 0;
    for (std::size_t s = 0; s < c.n_stimuli(); ++s)
        if (c.n_trials(s) > 0) total += p[s] = 1.0 + static_cast<double>(s % 5);
    for (double& x : p) x /= total;
    EstimatorOptions o;
    o.estimators = {"pt", "qe", "sh", "null", "bootstrap"};
    o.seed = 11;
    o.qe_replicates = 5;
    o.sh_replicates = 6;
    o.null_replicates = 30;
    o.bootstrap_replicates = 30;
    o.qe_inner = InnerEstimator::pt;
    o.sh_inner = InnerEstimator::pt;
    o.null_estimator = PointEstimator::pt;
    o.bootstrap_estimator = PointEstimator::mm;
    check_thread_counts(c, p, o);
    o.estimators = {"qe", "sh", "null"};
    o.qe_partition = QePartition::block;
    o.sh_inner = InnerEstimator::qe;
    o.null_estimator = PointEstimator::mm;
    check_thread_counts(c, p, o);
}
