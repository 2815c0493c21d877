// SPDX-License-Identifier: MIT
//! \file host/information/random_stream.hpp
//! The resampling estimators' random streams (memlif/kernels/random_stream.hpp, shared with the
//! GPU) under their host names, and the host's Fisher-Yates shuffle of a vector.
#pragma once

#include "memlif/kernels/random_stream.hpp"

#include <cstddef>
#include <utility>
#include <vector>

namespace memlif {
namespace detail {

using ::memlif::RandomPurpose;
using ::memlif::RandomStream;

//! Fisher-Yates shuffle driven by the stream (uniform over all permutations): for i = n .. 2,
//! swap v[i - 1] with v[below(i)]. The GPU replays exactly these swaps (cuda/group_sums.cu).
template <class T> void shuffle_in_place(std::vector<T>& v, RandomStream& rng) {
    for (std::size_t i = v.size(); i > 1; --i) {
        const std::size_t j = static_cast<std::size_t>(rng.below(i));
        std::swap(v[i - 1], v[j]);
    }
}

} // namespace detail
} // namespace memlif
