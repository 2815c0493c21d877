// SPDX-License-Identifier: MIT
//! \file host/resource_check.hpp
//! What a run needs of the machine, checked before any work starts: memory for the largest unit
//! of work (one condition), disk for the output, and the threads the CPU backend starts. A run
//! that cannot fit is refused at once (exit 2) with the key to change, instead of dying after
//! hours with std::bad_alloc, a full disk or libgomp's abort.
#pragma once

#include "experiment.hpp"

#include <string>
#include <vector>

namespace memlif {

//! The limits the machine sets a process (the smallest of each kind that applies).
struct MachineLimits {
    double memory_bytes = 0;   //!< memory this process may still use
    std::string memory_source; //!< which limit that is (MemAvailable, RLIMIT_AS, cgroup memory.max)
    double disk_bytes = 0;     //!< bytes the output may still grow by
    std::string disk_source;   //!< which limit that is (free space of DIR, RLIMIT_FSIZE)
};

//! The limits for an output written in directory `dir`.
MachineLimits machine_limits(const std::string& dir);

//! ConfigError naming the key if any stage's memory need exceeds 90% of what the machine allows,
//! or IoError if the output's lower size estimate (less `existing_bytes` already written) exceeds
//! the disk's room.
void check_resources(const std::vector<ResourceNeeds>& needs, const MachineLimits& limits,
                     double existing_bytes);

//! UsageError unless `n` threads can run at once in this process (a thread limit, an address
//! space limit too small for their stacks): tried by starting them, as OpenMP would.
void check_threads(int n, const std::string& key);

} // namespace memlif
