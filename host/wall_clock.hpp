// SPDX-License-Identifier: MIT
//! \file host/wall_clock.hpp
//! Seconds of wall clock since a steady_clock time point: the stage and run timings that /runtime
//! and the report record.
#pragma once

#include <chrono>

namespace memlif {

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace memlif
