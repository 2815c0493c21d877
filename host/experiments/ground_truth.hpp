// SPDX-License-Identifier: MIT
//! \file host/experiments/ground_truth.hpp
//! The ground-truth stage in two halves, so that a sharded run can simulate its part of the
//! reruns and `memlif merge` can write the table from the summed counts with the code `run` uses.
#pragma once

#include "host/experiment.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace memlif {

//! The reruns a card asks for.
struct GroundTruthPlan {
    std::vector<std::uint32_t> conditions; //!< sweep condition indices; rerun i is condition i
    std::uint32_t repeats = 0;             //!< repeats per stimulus of the reruns
    std::uint64_t seed = 0;                //!< the reruns' seed (run seed + a fixed offset)
    std::string solver;                    //!< the reruns' solver: "fixed" or "exact"
    SweepPlan plan;                        //!< the reruns' sweep
};

//! The card's reruns, or nothing when `ground_truth.enabled` is false.
std::optional<GroundTruthPlan> ground_truth_plan(const RunConfig& cfg);

//! Writes /analysis/ground_truth into `cfg.output.path` (whose sweep is complete) from the
//! reruns' counts, one per rerun in plan order, and appends the bias table to `report.text`.
void write_ground_truth(const RunConfig& cfg, const GroundTruthPlan& gt,
                        const std::vector<ConditionCounts>& reruns, RunReport& report);

} // namespace memlif
