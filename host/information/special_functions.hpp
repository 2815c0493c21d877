// SPDX-License-Identifier: MIT
//! \file host/information/special_functions.hpp
//! Digamma, trigamma and the log rising factorial for the NSB integrals (information.md §4.8).
#pragma once

namespace memlif {
namespace detail {

//! psi_0(x) for x > 0: recurrence psi(x) = psi(x+1) - 1/x up to x >= 10, then the asymptotic
//! series ln x - 1/(2x) - sum B_2k/(2k x^2k) (Abramowitz & Stegun 6.3.5, 6.3.18).
double digamma(double x);

//! psi_1(x) for x > 0: recurrence psi1(x) = psi1(x+1) + 1/x^2 up to x >= 10, then
//! 1/x + 1/(2x^2) + sum B_2k/x^(2k+1) (Abramowitz & Stegun 6.4.6, 6.4.12).
double trigamma(double x);

//! ln Gamma(a + n) - ln Gamma(a) for a > 0, n >= 0, accurate when a >> n or a << 1, where the
//! difference of two lgamma calls loses all digits (K beta up to 2^64).
double log_rising(double a, double n);

} // namespace detail
} // namespace memlif
