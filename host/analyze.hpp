// SPDX-License-Identifier: MIT
//! \file host/analyze.hpp
//! Estimators on stored counts: `memlif analyze`, the post-run analysis and the summary rows.
#pragma once

#include "config.hpp"
#include "io/run_file.hpp"
#include "summary.hpp"

#include <string>
#include <vector>

namespace memlif {

//! The summary table of a run file (plug-in values, plus the corrected MI and CI of /analysis/run
//! when present).
std::vector<SummaryRow> summary_rows_from_file(const io::RunReader& reader);

//! After `memlif run`: computes the card's estimators (and the ground-truth reruns) on the file just
//! written and returns the rows with corrected MI. Returns `rows` unchanged when only plug-in is asked.
std::vector<SummaryRow> analyze_after_run(const RunConfig& cfg, const std::vector<SummaryRow>& rows, bool quiet);

//! `memlif analyze FILE [--estimators ...] [--set information.key=value ...] [--group NAME]
//! [--replace]`: recomputes the estimators from the stored counts (no re-simulation) into
//! /analysis/NAME, starting from the information options the run used. `backend` ("auto" | "cpu"
//! | "cuda") decides where the null, bootstrap and QE subsamplings run.
int cmd_analyze(const std::string& path, const std::vector<std::string>& estimators,
                const std::vector<std::string>& sets, const std::string& group, bool replace,
                const std::string& backend);

} // namespace memlif
