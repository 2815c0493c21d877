// SPDX-License-Identifier: MIT
//! \file host/progress.hpp
//! A single progress line with trials/s and ETA, drawn on stderr only when it is a terminal, so CI
//! logs and pipes stay clean.
#pragma once

#include <chrono>
#include <cstdint>

namespace memlif {

class Progress {
  public:
    Progress(std::uint64_t total, bool quiet);
    void update(std::uint64_t done);
    void finish();

  private:
    std::uint64_t total_;
    bool enabled_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_, last_;
};

} // namespace memlif
