// SPDX-License-Identifier: MIT
//! \file host/run.hpp
//! `memlif run`: config -> backend sweep -> counts -> plug-in measures -> HDF5, one condition at a
//! time, so a run that dies keeps every completed condition.
#pragma once

#include "config.hpp"
#include "summary.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace memlif {

struct RunOptions {
    bool quiet = false; //!< no progress line, no table
};

struct RunReport {
    std::string output_path;
    std::string backend;
    double wall_s = 0;
    std::uint64_t n_trials = 0;
    bool interrupted = false;
    std::vector<SummaryRow> rows;
};

//! Executes a validated run. IoError if the output cannot be created (before any simulation).
RunReport execute_run(const RunConfig& cfg, const RunOptions& opts);

//! Installs SIGINT/SIGTERM handlers that ask a running sweep to stop after the current batch.
void install_stop_handlers();

} // namespace memlif
