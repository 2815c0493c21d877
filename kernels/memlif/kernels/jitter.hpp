// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/jitter.hpp
//! Onset delay of an input spike inside its 50 ms bin: Benatti et al. 2023 jitter the onsets with a
//! "Poisson distributed delay"; law, mean, unit and truncation are not given (model.md §4.2).
#pragma once

#include "macros.hpp"
#include "params.hpp"

#include <cmath>
#include <cstdint>

namespace memlif {

//! Onset delay in steps from 32 random bits. Integer arithmetic only, so host and device agree
//! bit for bit.
//!  - uniform: floor(r (max+1) / 2^32), uniform over 0..max;
//!  - table: k = min{k : r < cdf_u32[k]} (inverse CDF by bisection), onset = round(k * unit).
MEMLIF_HD_INLINE std::uint32_t jitter_onset_steps(const JitterParams& j, std::uint32_t r) {
    if (j.law == JitterLaw::uniform) {
        return static_cast<std::uint32_t>((static_cast<std::uint64_t>(r) * (j.max_steps + 1ull)) >> 32);
    }
    if (j.law == JitterLaw::table) {
        std::uint32_t lo = 0, hi = j.table_size - 1; // the last entry absorbs the remaining mass
        while (lo < hi) {
            const std::uint32_t mid = (lo + hi) >> 1;
            if (r < j.cdf_u32[mid]) hi = mid;
            else lo = mid + 1;
        }
        return static_cast<std::uint32_t>((static_cast<std::uint64_t>(lo) * j.unit_q16 + 0x8000u) >> 16);
    }
    return 0;
}

//! Fills the table law for the "Poisson delay": d = k u with k ~ Poisson(mean/u), k <= k_max =
//! floor(d_max/u). clip: P(k_max) takes the whole tail (d = min(k u, d_max)); redraw: the law is
//! conditioned on k <= k_max. Host-side (double precision); returns false if the table is too large.
inline bool make_poisson_jitter_table(JitterParams& j, double mean_units, std::uint32_t k_max,
                                      double unit_steps, bool redraw) {
    if (k_max + 1 > static_cast<std::uint32_t>(k_max_jitter_table)) return false;
    j.law = JitterLaw::table;
    j.table_size = k_max + 1;
    j.unit_q16 = static_cast<std::uint32_t>(std::llround(unit_steps * 65536.0));
    double pmf = std::exp(-mean_units), cdf = 0.0, total = 0.0;
    double p[k_max_jitter_table];
    for (std::uint32_t k = 0; k <= k_max; ++k) {
        p[k] = pmf;
        total += pmf;
        pmf *= mean_units / (k + 1.0);
    }
    const double norm = redraw ? total : 1.0;
    for (std::uint32_t k = 0; k < k_max; ++k) {
        cdf += p[k] / norm;
        const double scaled = std::floor(cdf * 4294967296.0);
        j.cdf_u32[k] = scaled >= 4294967295.0 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(scaled);
    }
    j.cdf_u32[k_max] = 0xFFFFFFFFu;
    return true;
}

} // namespace memlif
