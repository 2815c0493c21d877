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

//! Table law: the delay index k = min{k : r < cdf_u32[k]}, the last entry taking the remaining
//! mass. Indexed search: the guide bounds k to [guide[g], guide[g + 1]] for the bucket g of the
//! top 7 bits, and a short scan (0 or 1 steps for the 41-entry Poisson table) finds it. A
//! bisection over the whole table cost about 6 dependent loads per onset, the largest cost of an
//! exact trial. Shared by the fixed step (k units rounded to steps) and the exact solver (k units
//! in seconds), so both draw the same k from the same 32 bits.
MEMLIF_HD_INLINE std::uint32_t jitter_table_index(const JitterParams& j, std::uint32_t r) {
    const std::uint32_t g = r >> 25;
    std::uint32_t k = j.guide[g];
    const std::uint32_t hi = j.guide[g + 1];
    while (k < hi && j.cdf_u32[k] <= r)
        ++k;
    return k;
}

//! The k of jitter_table_index by a plain scan of the CDF (the definition; host-side).
inline std::uint32_t jitter_table_index_by_scan(const JitterParams& j, std::uint32_t r) {
    std::uint32_t k = 0;
    while (k + 1 < j.table_size && j.cdf_u32[k] <= r)
        ++k;
    return k;
}

//! Fills the guide of a table law whose table_size and cdf_u32 are set (host-side).
inline void finish_jitter_table(JitterParams& j) {
    for (int g = 0; g < k_jitter_guide; ++g)
        j.guide[g] = static_cast<std::uint8_t>(
            jitter_table_index_by_scan(j, static_cast<std::uint32_t>(g) << 25));
    j.guide[k_jitter_guide] = static_cast<std::uint8_t>(j.table_size - 1);
}

//! Onset delay in steps from 32 random bits. Integer arithmetic only, so host and device agree
//! bit for bit.
//!  - uniform: floor(r (max+1) / 2^32), uniform over 0..max;
//!  - table: k = min{k : r < cdf_u32[k]} (inverse CDF, jitter_table_index), onset = round(k *
//!  unit).
MEMLIF_HD_INLINE std::uint32_t jitter_onset_steps(const JitterParams& j, std::uint32_t r) {
    if (j.law == JitterLaw::uniform) {
        return static_cast<std::uint32_t>((static_cast<std::uint64_t>(r) * (j.max_steps + 1ull)) >>
                                          32);
    }
    if (j.law == JitterLaw::table) {
        const std::uint32_t k = jitter_table_index(j, r);
        return static_cast<std::uint32_t>((static_cast<std::uint64_t>(k) * j.unit_q16 + 0x8000u) >>
                                          16);
    }
    return 0;
}

//! Fills the table law for the "Poisson delay": d = k u with k ~ Poisson(mean/u), k <= k_max =
//! floor(d_max/u). clip: P(k_max) takes the whole tail (d = min(k u, d_max)); redraw: the law is
//! conditioned on k <= k_max. Host-side (double precision); returns false if the table is too
//! large.
inline bool make_poisson_jitter_table(JitterParams& j, double mean_units, std::uint32_t k_max,
                                      double unit_steps, bool redraw) {
    if (k_max + 1 > static_cast<std::uint32_t>(k_max_jitter_table))
        return false;
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
    finish_jitter_table(j);
    return true;
}

} // namespace memlif
