// SPDX-License-Identifier: MIT
//! \file host/information/random_stream.hpp
//! Seeded, counter-based random draws for the resampling estimators (QE shuffles, I_sh shuffles,
//! permutation null, bootstrap). Every replicate owns its own Philox stream, so replicate m gives
//! the same draws whatever M, thread count or evaluation order is.
#pragma once

#include "memlif/kernels/rng.hpp"

#include <cstdint>
#include <utility>
#include <vector>

namespace memlif {
namespace detail {

//! Distinguishes the estimators' streams under one user seed (counter word w).
enum class RandomPurpose : std::uint32_t {
    qe_partition = 0x51450001u,
    bin_shuffle = 0x53480002u,
    label_permutation = 0x4e550003u,
    bootstrap = 0x42530004u,
};

//! Sequential view of the Philox4x32-10 stream key = seed, counter = (i_lo, i_hi, replicate,
//! purpose).
class RandomStream {
  public:
    RandomStream(std::uint64_t seed, RandomPurpose purpose, std::uint32_t replicate)
        : seed_(seed), purpose_(static_cast<std::uint32_t>(purpose)), replicate_(replicate) {}

    std::uint32_t next_u32() {
        if (pos_ == 4)
            refill();
        return buf_[pos_++];
    }
    std::uint64_t next_u64() {
        const std::uint64_t hi = next_u32();
        return hi << 32 | next_u32();
    }
    //! Uniform integer in [0, n), n >= 1, without modulo bias (rejection below 2^64 mod n).
    std::uint64_t below(std::uint64_t n) {
        const std::uint64_t threshold = (0 - n) % n;
        for (;;) {
            const std::uint64_t r = next_u64();
            if (r >= threshold)
                return r % n;
        }
    }

  private:
    void refill() {
        const Philox4x32 ctr{static_cast<std::uint32_t>(index_),
                             static_cast<std::uint32_t>(index_ >> 32), replicate_, purpose_};
        const Philox4x32 r = philox4x32_10(ctr, static_cast<std::uint32_t>(seed_),
                                           static_cast<std::uint32_t>(seed_ >> 32));
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

//! Fisher-Yates shuffle driven by the stream (uniform over all permutations).
template <class T> void shuffle_in_place(std::vector<T>& v, RandomStream& rng) {
    for (std::size_t i = v.size(); i > 1; --i) {
        const std::size_t j = static_cast<std::size_t>(rng.below(i));
        std::swap(v[i - 1], v[j]);
    }
}

} // namespace detail
} // namespace memlif
