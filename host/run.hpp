// SPDX-License-Identifier: MIT
//! \file host/run.hpp
//! `memlif run`: checks the output and the machine, takes the output's lock, runs the card's
//! experiment driver and its follow-up stages (host/experiment.hpp) into a temporary beside the
//! output, then seals it with the run's timing and renames it onto the output
//! (host/output_file.hpp). An interrupted run keeps its temporary, and `--resume` continues it.
#pragma once

#include "experiment.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace memlif {

//! Executes a validated run. `inputs` are the files the run read (the card): the output may be
//! none of them. IoError if the output cannot be created or is refused, ConfigError if the run
//! cannot fit the machine (both before any simulation).
RunReport execute_run(const RunConfig& cfg, const RunOptions& opts,
                      const std::vector<std::string>& inputs = {});

//! The configuration to resume the interrupted run of `path` (the output or its .partial): the
//! card stored in the file, with `user` (a card, or the stored card with --set overrides; null:
//! none given) checked against it. Only keys that do not change any result may differ
//! (simulation.threads, simulation.batch_trials; output.path is ignored): any other difference is
//! a ConfigError naming the first key that differs. UsageError if the file was written by another
//! build. The returned config's output.path is the output named by `path`.
RunConfig resume_config(const std::string& path, const nlohmann::json* user);

//! The stored card of the interrupted run of `path`, for `--set` overrides on resume.
nlohmann::json stored_card(const std::string& path);

//! Installs SIGINT/SIGTERM handlers that ask a running experiment to stop at its next check; a
//! second signal ends the process at once (the file is consistent at every instant). SIGXFSZ is
//! ignored, so a file size limit fails the write (a clear error) instead of killing the process.
void install_stop_handlers();

//! True once SIGINT or SIGTERM arrived (after install_stop_handlers).
bool stop_requested();

//! The signal that asked to stop (SIGINT or SIGTERM), 0 if none.
int stop_signal();

//! The exit code of a stopped command: 128 + the signal, as a shell reports a process the signal
//! ended (130 SIGINT, 143 SIGTERM); 130 if no signal is recorded.
inline int interrupted_exit_code(int signal) { return signal > 0 ? 128 + signal : 130; }

} // namespace memlif
