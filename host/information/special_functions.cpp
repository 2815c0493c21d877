// SPDX-License-Identifier: MIT
//! \file host/information/special_functions.cpp
#include "special_functions.hpp"

#include <cmath>

namespace memlif {
namespace detail {

double digamma(double x) {
    double r = 0.0;
    while (x < 10.0) {
        r -= 1.0 / x;
        x += 1.0;
    }
    const double f = 1.0 / (x * x);
    const double series =
        f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))));
    return r + std::log(x) - 0.5 / x - series;
}

double trigamma(double x) {
    double r = 0.0;
    while (x < 10.0) {
        r += 1.0 / (x * x);
        x += 1.0;
    }
    const double f = 1.0 / (x * x);
    const double series =
        1.0 / x + 0.5 * f +
        (f / x) * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f * (1.0 / 30 - f * (5.0 / 66)))));
    return r + series;
}

namespace {

//! ln Gamma(z) - (z - 1/2) ln z + z - ln(2 pi)/2: the Stirling correction series, z >= 16.
double stirling_correction(double z) {
    const double f = 1.0 / (z * z);
    return (1.0 / z) * (1.0 / 12 - f * (1.0 / 360 - f * (1.0 / 1260 - f * (1.0 / 1680))));
}

} // namespace

double log_rising(double a, double n) {
    if (n == 0.0) return 0.0;
    if (n <= 32.0 && n == std::floor(n)) {
        double s = 0.0;
        for (double j = 0; j < n; j += 1.0) s += std::log(a + j);
        return s;
    }
    // Shift a up: ln G(a+n) - ln G(a) = [ln G(a+1+n) - ln G(a+1)] + ln a - ln(a+n).
    double r = 0.0;
    while (a < 16.0) {
        r += std::log(a) - std::log(a + n);
        a += 1.0;
    }
    // Stirling difference written so that no two large terms cancel:
    // (a - 1/2) ln(1 + n/a) + n ln(a + n) - n + c(a+n) - c(a).
    return r + (a - 0.5) * std::log1p(n / a) + n * std::log(a + n) - n +
           stirling_correction(a + n) - stirling_correction(a);
}

} // namespace detail
} // namespace memlif
