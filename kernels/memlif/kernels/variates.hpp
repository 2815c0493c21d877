// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/variates.hpp
//! Random variates built from Philox words (rng.hpp): standard normals, exponentials, binomials
//! and the alpha-stable law. Every function is a pure map of its input words, so a draw depends
//! only on the Philox counter that produced them (never on threads or batching).
#pragma once

#include "macros.hpp"
#include "rng.hpp"

#include <cmath>
#include <cstdint>

namespace memlif {

constexpr double k_pi = 3.14159265358979323846;

//! Two independent standard normals.
struct NormalPair {
    double z0, z1;
};

//! Box-Muller transform (Box & Muller, Ann. Math. Stat. 29, 1958): with U1, U2 uniform on (0, 1),
//! z0 = sqrt(-2 ln U1) cos(2 pi U2) and z1 = sqrt(-2 ln U1) sin(2 pi U2) are independent N(0, 1).
//! u01_open never returns 0, so the radius is finite and 0 * z is exactly 0 (zero-amplitude noise
//! reproduces the noiseless result bit for bit).
MEMLIF_HD_INLINE NormalPair normal_pair(std::uint32_t r1, std::uint32_t r2) {
    const double radius = std::sqrt(-2.0 * std::log(u01_open(r1)));
    const double angle = 2.0 * k_pi * u01_open(r2);
    return NormalPair{radius * std::cos(angle), radius * std::sin(angle)};
}

//! Four independent standard normals from one Philox block.
struct Normal4 {
    double z0, z1, z2, z3;
};

MEMLIF_HD_INLINE Normal4 normal4(const Philox4x32& r) {
    const NormalPair a = normal_pair(r.x, r.y);
    const NormalPair b = normal_pair(r.z, r.w);
    return Normal4{a.z0, a.z1, b.z0, b.z1};
}

//! Exponential variate of mean `mean` by inversion: -mean ln U.
MEMLIF_HD_INLINE double exponential_variate(std::uint32_t r, double mean) {
    return -mean * std::log(u01_open(r));
}

//! Binomial(n, p) variate.
//! * n p < 16 (after the symmetry p -> 1 - p for p > 1/2): exact inversion of the CDF with the
//!   recursion P(k+1) = P(k) (n - k) p / ((k + 1) (1 - p)) (Devroye, "Non-Uniform Random Variate
//!   Generation", 1986, §X.4), at most 256 terms (P(K > 256) < 1e-100 when n p < 16).
//! * otherwise: the normal approximation round(n p + sqrt(n p (1 - p)) z), clipped to [0, n], the
//!   rule of the published stochastic GMMS memristor model (model.md §3.4).
//! `r_u` feeds the inversion, the standard normal `z` the approximation. Two counts drawn from one
//! Philox block take z0 and z1 of one normal_pair (independent normals); two pairs built from the
//! same two words in either order are not (their squares correlate).
MEMLIF_HD_NOINLINE inline std::uint32_t binomial_variate(std::uint32_t n, double p,
                                                         std::uint32_t r_u, double z) {
    if (n == 0 || !(p > 0.0)) return 0u;
    if (p >= 1.0) return n;
    const bool flip = p > 0.5;
    const double q_p = flip ? 1.0 - p : p;
    const double nd = static_cast<double>(n);
    std::uint32_t k = 0;
    if (nd * q_p < 16.0) {
        const double u = u01_open(r_u);
        const double ratio = q_p / (1.0 - q_p);
        double pk = std::exp(nd * std::log1p(-q_p));
        double cdf = pk;
        while (u > cdf && k < n && k < 256u) {
            pk *= ratio * static_cast<double>(n - k) / static_cast<double>(k + 1);
            ++k;
            cdf += pk;
        }
    } else {
        const double mean = nd * q_p;
        const double sd = std::sqrt(mean * (1.0 - q_p));
        const double v = std::floor(mean + sd * z + 0.5);
        k = v <= 0.0 ? 0u : (v >= nd ? n : static_cast<std::uint32_t>(v));
    }
    return flip ? n - k : k;
}

//! Alpha-stable variate S(alpha, beta, sigma, mu) in the S1 parametrisation (Samorodnitsky & Taqqu
//! 1994), alpha != 1, by the Chambers-Mallows-Stuck method (JASA 71, 1976; Weron, Stat. Probab.
//! Lett. 28, 1996): with V uniform on (-pi/2, pi/2) and W exponential of mean 1,
//!   B = atan(beta tan(pi alpha/2)) / alpha,  S = (1 + beta^2 tan^2(pi alpha/2))^(1/(2 alpha)),
//!   X = S sin(alpha (V + B)) / cos(V)^(1/alpha) * (cos(V - alpha (V + B)) / W)^((1-alpha)/alpha)
//! and the variate is sigma X + mu.
MEMLIF_HD_NOINLINE inline double stable_variate(double alpha, double beta, double sigma, double mu,
                                                std::uint32_t r_v, std::uint32_t r_w) {
    const double v = k_pi * (u01_open(r_v) - 0.5);
    const double w = -std::log(u01_open(r_w));
    const double t = beta * std::tan(0.5 * k_pi * alpha);
    const double b = std::atan(t) / alpha;
    const double s = std::pow(1.0 + t * t, 1.0 / (2.0 * alpha));
    const double x = s * std::sin(alpha * (v + b)) / std::pow(std::cos(v), 1.0 / alpha) *
                     std::pow(std::cos(v - alpha * (v + b)) / w, (1.0 - alpha) / alpha);
    return sigma * x + mu;
}

} // namespace memlif
