// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/bayes_count.hpp
//! BayesCount, the Bayesian estimate of the number of relevant response bins (Panzeri & Treves
//! 1996, Network 7:87; Pola, Schultz, Petersen & Panzeri 2003, Network 14:35): the R~ of the PT
//! bias correction (information.md §4.3), written once for the host estimators and the GPU.
//!
//! Given m^ = R0 occupied bins of counts c_k (sample size n = sum c_k) in a declared space of
//! R_tot bins, R~ is the R >= R0 whose expected number of occupied bins best matches R0, under
//! the add-one posterior where the R - R0 unseen bins share the mass
//!   gamma(R) = (R - R0) (1 - (n / (n + R0))^(1/n))
//! and every seen bin has probability p_k = (c_k + 1) / (n + R0) (1 - gamma):
//!   E(R) = sum_k [1 - (1 - p_k)^n] + (R - R0) [1 - (1 - gamma / (R - R0))^n],
//! starting from E(R0) = R0 - sum_k (1 - c_k / n)^n. R grows by 1 while |R0 - E(R)| shrinks and
//! R < R_tot; R_tot itself is returned without iterating when R0 >= R_tot.
//!
//! The two sums over the occupied bins are the only costly part. bayes_count_iteration takes them
//! from a `Sums` object, so that one thread summing in index order (bayes_count_from_counts, the
//! host's order) and a block of GPU threads summing as a tree share every other step. Products
//! feeding sums are rounded separately (rounding.hpp), as the host rounds them.
#pragma once

#include "memlif/kernels/macros.hpp"
#include "memlif/kernels/rounding.hpp"

#include <cmath>
#include <cstdint>

namespace memlif {

//! The BayesCount iteration for n trials in r0 occupied bins of a space of r_tot bins. `sums`
//! provides the two sums over the occupied bins k (c_k > 0), each in the caller's order:
//!   seen_expectation(r0, n)        = r0 - sum_k (1 - c_k / n)^n
//!   seen_occupancy(n, r0, gamma)   = sum_k [1 - (1 - (c_k + 1) / (n + r0) (1 - gamma))^n]
template <class Sums>
MEMLIF_HD_INLINE double bayes_count_iteration(double n, double r0, double r_tot, const Sums& sums) {
    if (r0 >= r_tot) return r_tot;
    if (n == 0.0) return 0.0;
    double e = sums.seen_expectation(r0, n);
    double d_prev = r_tot;
    double d = std::fabs(r0 - e);
    double r = r0;
    // Mass of the unseen bins per unit (R - R0): independent of R, so hoisted out of the loop.
    const double unseen_unit = 1.0 - std::pow(n / (n + r0), 1.0 / n);
    while (d < d_prev && r < r_tot) {
        r += 1.0;
        const double gamma = mul_rn(r - r0, unseen_unit);
        e = add_product_rn(sums.seen_occupancy(n, r0, gamma), r - r0,
                           1.0 - std::pow(1.0 - gamma / (r - r0), n));
        d_prev = d;
        d = std::fabs(r0 - e);
    }
    r -= 1.0;
    if (d < d_prev) r += 1.0;
    return r;
}

//! The sums of bayes_count_iteration over a count vector, by one thread in index order; zero
//! counts are skipped. `Count` is any unsigned integer type.
template <class Count> struct SequentialBinSums {
    const Count* counts;
    std::uint64_t n_counts;

    MEMLIF_HD_INLINE double seen_expectation(double r0, double n) const {
        double e = r0;
        for (std::uint64_t k = 0; k < n_counts; ++k)
            if (counts[k] != 0) e -= std::pow(1.0 - static_cast<double>(counts[k]) / n, n);
        return e;
    }
    MEMLIF_HD_INLINE double seen_occupancy(double n, double r0, double gamma) const {
        double e = 0.0;
        for (std::uint64_t k = 0; k < n_counts; ++k) {
            if (counts[k] == 0) continue;
            const double post =
                mul_rn((static_cast<double>(counts[k]) + 1.0) / (n + r0), 1.0 - gamma);
            e += 1.0 - std::pow(1.0 - post, n);
        }
        return e;
    }
};

//! BayesCount of one count vector (zero counts ignored) in a space of r_tot bins.
template <class Count>
MEMLIF_HD_INLINE double bayes_count_from_counts(const Count* counts, std::uint64_t n_counts,
                                                double r_tot) {
    double n = 0.0, r0 = 0.0;
    for (std::uint64_t k = 0; k < n_counts; ++k) {
        if (counts[k] == 0) continue;
        n += static_cast<double>(counts[k]);
        r0 += 1.0;
    }
    return bayes_count_iteration(n, r0, r_tot, SequentialBinSums<Count>{counts, n_counts});
}

} // namespace memlif
