// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/rounding.hpp
//! Double-precision operations rounded one at a time, on the host and on the device alike.
//!
//! g++ on x86-64 under -std=c++17 never fuses a product into a following sum: every `+` and `*`
//! is rounded once. nvcc contracts `a * b + c` into one fused multiply-add unless built with
//! -fmad=false. The ordered sums that must round as the host does (p(r), H(R|s), SSS(s), the
//! BayesCount iteration, ...) are therefore written with these helpers, which are the
//! non-contractible intrinsics on the device and the plain operators on the host: one spelling,
//! the host's roundings in both CUDA builds (bench/RESULTS.md, "Arithmetic differences between
//! the backends").
#pragma once

#include "memlif/kernels/macros.hpp"

namespace memlif {

//! a + b, rounded to nearest; never fused with a neighbouring product.
MEMLIF_HD_INLINE double add_rn(double a, double b) {
#if MEMLIF_DEVICE_COMPILE
    return __dadd_rn(a, b);
#else
    return a + b;
#endif
}

//! a * b, rounded to nearest; never fused with a neighbouring sum.
MEMLIF_HD_INLINE double mul_rn(double a, double b) {
#if MEMLIF_DEVICE_COMPILE
    return __dmul_rn(a, b);
#else
    return a * b;
#endif
}

//! a / b, rounded to nearest (IEEE division on both sides; spelt out for symmetry).
MEMLIF_HD_INLINE double div_rn(double a, double b) {
#if MEMLIF_DEVICE_COMPILE
    return __ddiv_rn(a, b);
#else
    return a / b;
#endif
}

//! acc + a * b with the product and the sum rounded separately.
MEMLIF_HD_INLINE double add_product_rn(double acc, double a, double b) {
    return add_rn(acc, mul_rn(a, b));
}

} // namespace memlif
