// SPDX-License-Identifier: MIT
//! \file host/analyze.hpp
//! Estimators on stored counts: `memlif analyze`, the MI sweep's post-run analysis and the summary
//! rows of a file.
#pragma once

#include "config.hpp"
#include "summary.hpp"

#include "io/run_file.hpp"

#include <string>
#include <vector>

namespace memlif {

//! The estimators whose MI the summary table shows as the corrected value, in order of
//! preference (the first present in an analysis group wins).
const std::vector<std::string>& headline_estimators();

//! The summary table of a run file: the plug-in values of /results, plus the corrected MI and its
//! 95% interval from the analysis group `group` when present.
std::vector<SummaryRow> summary_rows_from_file(const io::RunReader& reader,
                                               const std::string& group = "/analysis/run");

//! True if `opts` asks for the plug-in estimator alone (nothing to add to /results).
bool only_plugin(const EstimatorOptions& opts);

//! Computes the estimators of `opts` on every completed condition of the file at `path` and
//! writes them, one committed row per condition, into `group` (`mode`: a new group, a replaced
//! one, or the continuation of an interrupted one, whose committed rows are kept).
//! `information_json` is recorded with the group. Polls `stop` between conditions; returns
//! false if it stopped early (the rows committed so far stay). `resumed_rows`, if given, is
//! increased by the rows found committed. ConfigError when the data cannot honour a request
//! (e.g. QE with N_s < 4 under small_sample = refuse).
bool analyze_into(const std::string& path, const EstimatorOptions& opts, const std::string& group,
                  io::GroupMode mode, const std::string& information_json, bool (*stop)() = nullptr,
                  std::size_t* resumed_rows = nullptr);

//! `memlif analyze FILE [--estimators ...] [--set information.key=value ...] [--group NAME]
//! [--replace]`: recomputes the estimators from the stored counts (no re-simulation) into
//! /analysis/NAME, starting from the information options the run used. `backend` ("auto" | "cpu"
//! | "cuda") decides where the null, bootstrap and QE subsamplings run. The group is written into
//! a copy of FILE that replaces it only once complete (FILE is never left half-written), under
//! FILE's lock. NAME must not be `run` or `ground_truth` (written by `memlif run`). Returns the
//! exit code: 0, or 128 + the signal that stopped it (FILE then unchanged).
int cmd_analyze(const std::string& path, const std::vector<std::string>& estimators,
                const std::vector<std::string>& sets, const std::string& group, bool replace,
                const std::string& backend, bool (*stop)() = nullptr,
                int (*stop_signal)() = nullptr);

} // namespace memlif
