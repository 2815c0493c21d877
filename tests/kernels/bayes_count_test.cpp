// SPDX-License-Identifier: MIT
//! \file tests/kernels/bayes_count_test.cpp
//! The shared BayesCount iteration (memlif/kernels/bayes_count.hpp). Its values against
//! published behaviour are tested with the PT estimator (tests/host/information/
//! panzeri_treves_test.cpp); here: the count type does not matter, zero counts are ignored, and
//! another summation order (a pairwise tree, as a GPU block sums) gives the same integer R~.
#include "memlif/kernels/bayes_count.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace memlif {
namespace {

//! Pairwise (tree) summation of f over the non-zero counts.
template <class F>
double tree_sum(const std::vector<std::uint64_t>& c, F f, std::size_t lo, std::size_t hi) {
    if (hi - lo == 1) return c[lo] != 0 ? f(static_cast<double>(c[lo])) : 0.0;
    const std::size_t mid = lo + (hi - lo) / 2;
    return tree_sum(c, f, lo, mid) + tree_sum(c, f, mid, hi);
}

struct TreeBinSums {
    const std::vector<std::uint64_t>& c;
    double seen_expectation(double r0, double n) const {
        return r0 - tree_sum(
                        c, [n](double x) { return std::pow(1.0 - x / n, n); }, 0, c.size());
    }
    double seen_occupancy(double n, double r0, double gamma) const {
        return tree_sum(
            c,
            [=](double x) { return 1.0 - std::pow(1.0 - (x + 1.0) / (n + r0) * (1.0 - gamma), n); },
            0, c.size());
    }
};

std::vector<std::vector<std::uint64_t>> count_vectors() {
    std::vector<std::vector<std::uint64_t>> v = {{1}, {5, 1}, {1, 1, 1, 1}, {40, 3, 2, 1, 1, 1}};
    std::mt19937_64 rng(17);
    for (int k = 0; k < 20; ++k) {
        std::vector<std::uint64_t> c(1 + rng() % 300);
        for (auto& x : c) x = 1 + (rng() % 4 == 0 ? rng() % 50 : 0);
        v.push_back(c);
    }
    return v;
}

TEST(BayesCount, SameForEveryCountType) {
    for (const auto& c : count_vectors()) {
        const std::vector<std::uint32_t> c32(c.begin(), c.end());
        for (double r_tot : {64.0, 1024.0, std::ldexp(1.0, 40)})
            EXPECT_EQ(bayes_count_from_counts(c32.data(), c32.size(), r_tot),
                      bayes_count_from_counts(c.data(), c.size(), r_tot));
    }
}

TEST(BayesCount, ZeroCountsAreIgnored) {
    const std::vector<std::uint64_t> with = {0, 7, 0, 0, 2, 1, 0}, without = {7, 2, 1};
    EXPECT_EQ(bayes_count_from_counts(with.data(), with.size(), 100.0),
              bayes_count_from_counts(without.data(), without.size(), 100.0));
}

TEST(BayesCount, BoundsOfTheIteration) {
    const std::vector<std::uint64_t> c = {3, 1, 1, 2};
    EXPECT_EQ(bayes_count_from_counts(c.data(), c.size(), 4.0), 4.0); // m^ >= R_tot: R_tot
    EXPECT_EQ(bayes_count_from_counts(c.data(), 0, 10.0), 0.0);       // no trials
    const double r = bayes_count_from_counts(c.data(), c.size(), 1e6);
    EXPECT_GE(r, 4.0); // never below m^
    EXPECT_EQ(r, std::floor(r));
}

TEST(BayesCount, TreeSummedIterationGivesTheSameBinCount) {
    for (const auto& c : count_vectors()) {
        double n = 0, r0 = 0;
        for (auto x : c)
            if (x != 0) {
                n += static_cast<double>(x);
                r0 += 1;
            }
        for (double r_tot : {512.0, std::ldexp(1.0, 20)})
            EXPECT_EQ(bayes_count_iteration(n, r0, r_tot, TreeBinSums{c}),
                      bayes_count_from_counts(c.data(), c.size(), r_tot))
                << c.size() << " bins";
    }
}

} // namespace
} // namespace memlif
