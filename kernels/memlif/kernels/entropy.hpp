// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/entropy.hpp
//! Entropy primitives on counts, shared by the host estimators and the CUDA reductions.
//! Plain pointers and doubles only: no exceptions, no containers, no I/O (kernels/ rules).
#pragma once

#include "memlif/kernels/macros.hpp"
#include "memlif/kernels/rounding.hpp"

#include <cmath>
#include <cstdint>

namespace memlif {

//! ln 2, so that bits = nats / ln 2 is written the same way everywhere.
constexpr double ln2 = 0.693147180559945309417232121458176568;

//! x ln x with the convention 0 ln 0 = 0 (information.md §0).
MEMLIF_HD_INLINE double xlnx(double x) { return x > 0.0 ? x * std::log(x) : 0.0; }

//! -p log2 p, the contribution of one probability to an entropy in bits; 0 for p <= 0.
MEMLIF_HD_INLINE double plogp_bits(double p) { return p > 0.0 ? -p * std::log2(p) : 0.0; }

//! s + x ln x with the product and the sum rounded separately (add_product_rn), as g++ computes
//! it on x86-64: the device's H(R|s) then differs from the host's only through its log(), in the
//! default build and the -fmad=false build alike (bench/RESULTS.md, "Arithmetic differences
//! between the backends").
MEMLIF_HD_INLINE double add_xlnx(double s, double x) {
    return x > 0.0 ? add_product_rn(s, x, std::log(x)) : s;
}

//! Plug-in entropy in bits of a count vector with the given total (information.md §4.1):
//! H = (ln N - (1/N) sum_k C_k ln C_k) / ln 2. Summed in index order, so host and device agree
//! whenever they see the counts in the same order. Zero counts are allowed and ignored. `Count`
//! is any unsigned integer type (the host's 64-bit CSR counts, the device's 32-bit cell counts).
template <class Count>
MEMLIF_HD_INLINE double entropy_bits_from_counts(const Count* counts, std::uint64_t n,
                                                 double total) {
    if (total <= 0.0) return 0.0;
    double s = 0.0;
    for (std::uint64_t k = 0; k < n; ++k) s = add_xlnx(s, static_cast<double>(counts[k]));
    const double h = (std::log(total) - s / total) / ln2;
    // A single occupied bin gives ln N - ln N, which can round to -1e-17; entropy is >= 0.
    return h > 0.0 ? h : 0.0;
}

//! Plug-in entropy in bits of a probability vector (entries need not be normalised further).
MEMLIF_HD_INLINE double entropy_bits_from_probs(const double* p, std::uint64_t n) {
    double h = 0.0;
    for (std::uint64_t k = 0; k < n; ++k) h += plogp_bits(p[k]);
    return h;
}

//! Binary entropy h2(p) in bits.
MEMLIF_HD_INLINE double binary_entropy_bits(double p) {
    return plogp_bits(p) + plogp_bits(1.0 - p);
}

//! First-order bias term (R - 1) / (2 N ln 2) in bits (Miller 1955; Panzeri & Treves 1996), with
//! R = observed bins (Miller-Madow) or the Bayesian bin count (PT). Zero for N = 0.
MEMLIF_HD_INLINE double first_order_bias_bits(double r_bins, double n) {
    return n > 0.0 ? (r_bins - 1.0) / (2.0 * n * ln2) : 0.0;
}

} // namespace memlif
