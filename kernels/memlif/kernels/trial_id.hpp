// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/trial_id.hpp
//! The 64-bit trial identity that keys every random draw of a trial.
#pragma once

#include "macros.hpp"

#include <cstdint>

namespace memlif {

//! trial_id = condition index (bits 48..63) | stimulus code (bits 32..47) | repeat (bits 0..31).
//! The stimulus *code* (the 16-bit ordered pattern), not its index in the set, enters the id, so
//! the canonical member of a symmetric class receives exactly the jitters of the same pattern in
//! the 65536-pattern set: the two sets can be compared trial by trial.
MEMLIF_HD_INLINE std::uint64_t make_trial_id(std::uint32_t condition, std::uint32_t stimulus_code,
                                             std::uint32_t repeat) {
    return (static_cast<std::uint64_t>(condition & 0xFFFFu) << 48) |
           (static_cast<std::uint64_t>(stimulus_code & 0xFFFFu) << 32) | repeat;
}

} // namespace memlif
