// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/random_stream.hpp
//! Seeded, counter-based random draws of the resampling estimators (QE shuffles, I_sh shuffles,
//! permutation null, bootstrap), on the host and on the device. Every replicate owns its own
//! Philox4x32-10 stream (rng.hpp), so replicate m gives the same draws whatever M, thread count,
//! batching or backend is.
//!
//! Stream (seed, purpose, replicate): block b is philox4x32_10(counter = (b_lo, b_hi, replicate,
//! purpose), key = (seed_lo, seed_hi)); its four 32-bit lanes x, y, z, w are the stream's u32
//! numbers 4b .. 4b + 3, and u64 number d is two consecutive u32, high word first. So u64 number d
//! is lanes (x, y) or (z, w) of block d / 2, which the device reads at random (u64_at) while the
//! host reads the same numbers in sequence (next_u64).
#pragma once

#include "memlif/kernels/macros.hpp"
#include "memlif/kernels/rng.hpp"

#include <cstdint>

namespace memlif {

//! Distinguishes the estimators' streams under one user seed (counter word w).
enum class RandomPurpose : std::uint32_t {
    qe_partition = 0x51450001u,
    bin_shuffle = 0x53480002u,
    label_permutation = 0x4e550003u,
    bootstrap = 0x42530004u,
};

//! One replicate's stream: sequential draws (next_u32, next_u64, below) and, for parallel
//! consumers, random access to the u64 numbers (u64_at, below_at).
class RandomStream {
  public:
    MEMLIF_HD RandomStream(std::uint64_t seed, RandomPurpose purpose, std::uint32_t replicate)
        : seed_(seed), purpose_(static_cast<std::uint32_t>(purpose)), replicate_(replicate) {}

    //! Philox block b of the stream.
    MEMLIF_HD_INLINE static Philox4x32 philox_block(std::uint64_t seed, std::uint32_t purpose,
                                                    std::uint32_t replicate, std::uint64_t b) {
        const Philox4x32 ctr{static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(b >> 32),
                             replicate, purpose};
        return philox4x32_10(ctr, static_cast<std::uint32_t>(seed),
                             static_cast<std::uint32_t>(seed >> 32));
    }

    //! u64 number `draw` of the stream (what the draw + 1-th next_u64 returns when only u64
    //! numbers are drawn).
    MEMLIF_HD_INLINE static std::uint64_t u64_at(std::uint64_t seed, RandomPurpose purpose,
                                                 std::uint32_t replicate, std::uint64_t draw) {
        const Philox4x32 r =
            philox_block(seed, static_cast<std::uint32_t>(purpose), replicate, draw >> 1);
        return (draw & 1u) ? (static_cast<std::uint64_t>(r.z) << 32 | r.w)
                           : (static_cast<std::uint64_t>(r.x) << 32 | r.y);
    }

    //! below(n) evaluated on u64 number `draw` alone. `rejected` is set where below() would
    //! reject that number and draw again (probability < n / 2^64): from there on the sequential
    //! draws are shifted, and a parallel consumer must redo the replicate with a RandomStream.
    MEMLIF_HD_INLINE static std::uint64_t below_at(std::uint64_t seed, RandomPurpose purpose,
                                                   std::uint32_t replicate, std::uint64_t draw,
                                                   std::uint64_t n, bool& rejected) {
        const std::uint64_t r = u64_at(seed, purpose, replicate, draw);
        rejected = r < threshold(n);
        return r % n;
    }

    MEMLIF_HD_INLINE std::uint32_t next_u32() {
        if (pos_ == 4) refill();
        return buf_[pos_++];
    }
    MEMLIF_HD_INLINE std::uint64_t next_u64() {
        const std::uint64_t hi = next_u32();
        return hi << 32 | next_u32();
    }
    //! Uniform integer in [0, n), n >= 1, without modulo bias (rejection below 2^64 mod n).
    MEMLIF_HD_INLINE std::uint64_t below(std::uint64_t n) {
        const std::uint64_t t = threshold(n);
        for (;;) {
            const std::uint64_t r = next_u64();
            if (r >= t) return r % n;
        }
    }

  private:
    //! 2^64 mod n: the numbers below it are rejected, so that r % n is uniform.
    MEMLIF_HD_INLINE static std::uint64_t threshold(std::uint64_t n) { return (0 - n) % n; }

    MEMLIF_HD_INLINE void refill() {
        const Philox4x32 r = philox_block(seed_, purpose_, replicate_, index_);
        buf_[0] = r.x;
        buf_[1] = r.y;
        buf_[2] = r.z;
        buf_[3] = r.w;
        pos_ = 0;
        ++index_;
    }

    std::uint64_t seed_;
    std::uint32_t purpose_;
    std::uint32_t replicate_;
    std::uint64_t index_ = 0;
    std::uint32_t buf_[4] = {0, 0, 0, 0};
    int pos_ = 4;
};

} // namespace memlif
