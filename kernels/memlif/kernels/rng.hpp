// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/rng.hpp
//! Stateless counter-based Philox4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random numbers:
//! as easy as 1, 2, 3", SC'11). Draw = bijection(counter) under a key, so a trial's random numbers
//! depend only on (seed, trial id, draw index): never on threads, batching or backend.
#pragma once

#include "macros.hpp"

#include <cstdint>

namespace memlif {

//! Four 32-bit words, kept as named fields so nvcc keeps them in registers (no indexed arrays).
struct Philox4x32 {
    std::uint32_t x, y, z, w;
};

namespace detail {

//! High and low halves of the 64-bit product a*b.
MEMLIF_HD_INLINE void mulhilo32(std::uint32_t a, std::uint32_t b, std::uint32_t& hi, std::uint32_t& lo) {
    const std::uint64_t p = static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b);
    hi = static_cast<std::uint32_t>(p >> 32);
    lo = static_cast<std::uint32_t>(p);
}

//! One Philox S-box round (SC'11, Eq. for Philox-4x32: multipliers 0xD2511F53, 0xCD9E8D57).
MEMLIF_HD_INLINE Philox4x32 philox_round(Philox4x32 c, std::uint32_t k0, std::uint32_t k1) {
    std::uint32_t hi0, lo0, hi1, lo1;
    mulhilo32(0xD2511F53u, c.x, hi0, lo0);
    mulhilo32(0xCD9E8D57u, c.z, hi1, lo1);
    return Philox4x32{hi1 ^ c.y ^ k0, lo1, hi0 ^ c.w ^ k1, lo0};
}

} // namespace detail

//! Philox4x32 with 10 rounds; key schedule bumps by the Weyl constants 0x9E3779B9, 0xBB67AE85.
MEMLIF_HD_INLINE Philox4x32 philox4x32_10(Philox4x32 ctr, std::uint32_t k0, std::uint32_t k1) {
#if defined(__CUDACC__)
#pragma unroll
#endif
    for (int r = 0; r < 10; ++r) {
        if (r > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        ctr = detail::philox_round(ctr, k0, k1);
    }
    return ctr;
}

//! Random streams inside one trial (low byte of counter word w): keeps the draws of different
//! purposes disjoint. Values are part of the file format (io/FORMAT.md): append, never renumber.
enum class RngStream : std::uint32_t {
    jitter = 0,             //!< onset delays of the input spikes (trial.hpp)
    backspike = 1,          //!< back-spike intervals (backspike.hpp; device protocols)
    device_variability = 2, //!< device-to-device parameter draws, once per device (devices/)
    cycle_variability = 3,  //!< cycle-to-cycle parameter draws, index = switching cycle
    rtn = 4,                //!< random telegraph noise; sub-stream = trap, index = flip number
    device_switching = 5,   //!< per-step stochastic switching (GMMS binomial), index = step
    presynaptic = 6,        //!< presynaptic spike intervals of the device protocols
    read_noise = 7,         //!< multiplicative read noise, index = read number
};

//! The draw `index` of `stream` for trial `trial_id` under the 64-bit run seed.
//! Layout (documented in io/FORMAT.md): key = (seed_lo, seed_hi), counter = (id_lo, id_hi, index, stream).
MEMLIF_HD_INLINE Philox4x32 trial_draw(std::uint64_t seed, std::uint64_t trial_id, std::uint32_t index,
                                       RngStream stream) {
    const Philox4x32 ctr{static_cast<std::uint32_t>(trial_id), static_cast<std::uint32_t>(trial_id >> 32),
                         index, static_cast<std::uint32_t>(stream)};
    return philox4x32_10(ctr, static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
}

//! As trial_draw, with a 24-bit sub-stream (e.g. the trap of an RTN process) in the upper bytes of
//! the stream word: counter = (id_lo, id_hi, index, stream | sub << 8). sub = 0 is trial_draw.
MEMLIF_HD_INLINE Philox4x32 trial_draw_sub(std::uint64_t seed, std::uint64_t trial_id,
                                           std::uint32_t index, RngStream stream,
                                           std::uint32_t sub) {
    const Philox4x32 ctr{static_cast<std::uint32_t>(trial_id),
                         static_cast<std::uint32_t>(trial_id >> 32), index,
                         static_cast<std::uint32_t>(stream) | (sub << 8)};
    return philox4x32_10(ctr, static_cast<std::uint32_t>(seed),
                         static_cast<std::uint32_t>(seed >> 32));
}

//! Uniform double in (0, 1) from 32 random bits: (r + 0.5) / 2^32, never 0 or 1, so log() is safe.
MEMLIF_HD_INLINE double u01_open(std::uint32_t r) { return (static_cast<double>(r) + 0.5) * 0x1p-32; }

} // namespace memlif
