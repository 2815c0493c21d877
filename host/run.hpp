// SPDX-License-Identifier: MIT
//! \file host/run.hpp
//! `memlif run`: picks the backend, runs the card's experiment driver and its follow-up stages
//! (host/experiment.hpp), then seals the output file with the run's timing.
#pragma once

#include "experiment.hpp"

namespace memlif {

//! Executes a validated run. IoError if the output cannot be created (before any simulation).
RunReport execute_run(const RunConfig& cfg, const RunOptions& opts);

//! Installs SIGINT/SIGTERM handlers that ask a running experiment to stop at its next check.
void install_stop_handlers();

//! True once SIGINT or SIGTERM arrived (after install_stop_handlers).
bool stop_requested();

} // namespace memlif
