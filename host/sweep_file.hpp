// SPDX-License-Identifier: MIT
//! \file host/sweep_file.hpp
//! How an MI sweep becomes a run file, written once for `memlif run`
//! (host/experiments/mi_sweep.cpp) and `memlif merge` (host/merge.cpp): the stimulus table and
//! condition axis of a plan, the sink that turns each finished condition into its /counts and
//! /results rows, and the post-sweep analysis stage. A merged file is therefore written by the very
//! code that writes a run.
#pragma once

#include "config.hpp"
#include "progress.hpp"

#include "io/run_file.hpp"

#include <cstdint>
#include <string>

namespace memlif {

//! The /stimuli table of a plan.
io::StimulusTable stimulus_table(const SweepPlan& plan);
//! The /axes of a plan.
io::ConditionAxis condition_axis(const SweepPlan& plan);

//! Turns each finished condition into plug-in measures and a file record, in completion order.
class SweepFileSink : public ConditionSink {
  public:
    SweepFileSink(io::RunWriter& writer, const SweepPlan& plan, Progress& progress, bool (*stop)())
        : writer_(writer), plan_(plan), progress_(progress), stop_(stop) {}

    void consume(ConditionOutput&& out) override;
    void on_progress(std::uint64_t done) override { progress_.update(done); }
    bool stop_requested() const override { return stop_ && stop_(); }

    std::size_t completed() const { return completed_; }
    std::uint64_t trials() const { return trials_; }

  private:
    io::RunWriter& writer_;
    const SweepPlan& plan_;
    Progress& progress_;
    bool (*stop_)();
    std::size_t completed_ = 0;
    std::uint64_t trials_ = 0;
};

//! The card's estimators from the counts stored in `cfg.output.path` into /analysis/run (the
//! same code as `memlif analyze`); nothing when the card asks for the plug-in alone.
void analyze_run_stage(const RunConfig& cfg);

} // namespace memlif
