// SPDX-License-Identifier: MIT
//! \file tests/kernels/rounding_test.cpp
//! The separately rounded operations (memlif/kernels/rounding.hpp) on the host: never fused.
#include "memlif/kernels/rounding.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace memlif {
namespace {

TEST(Rounding, ProductAndSumAreRoundedSeparately) {
    // (1 + 2^-30)(1 - 2^-30) = 1 - 2^-60 rounds to 1, so the separate roundings give exactly 0
    // where a fused multiply-add keeps -2^-60.
    const double a = 1.0 + std::ldexp(1.0, -30), b = 1.0 - std::ldexp(1.0, -30);
    EXPECT_EQ(add_product_rn(-1.0, a, b), 0.0);
    EXPECT_EQ(add_rn(mul_rn(a, b), -1.0), 0.0);
    EXPECT_EQ(std::fma(a, b, -1.0), -std::ldexp(1.0, -60));
    EXPECT_EQ(div_rn(1.0, 3.0), 1.0 / 3.0);
}

} // namespace
} // namespace memlif
