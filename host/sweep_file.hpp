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
    //! `ran` is the spec given to the backend when it is not plan.spec (a resumed run's missing
    //! conditions, host/run.hpp): a ConditionOutput's `condition` is its drive's position there,
    //! and the file's condition index is ran->condition_id(condition).
    SweepFileSink(io::RunWriter& writer, const SweepPlan& plan, Progress& progress, bool (*stop)(),
                  const SweepSpec* ran = nullptr)
        : writer_(writer), plan_(plan), ran_(ran ? *ran : plan.spec), progress_(progress),
          stop_(stop) {}

    void consume(ConditionOutput&& out) override;
    void on_progress(std::uint64_t done) override { progress_.update(done); }
    bool stop_requested() const override { return stop_ && stop_(); }

    std::size_t completed() const { return completed_; }
    std::uint64_t trials() const { return trials_; }

  private:
    io::RunWriter& writer_;
    const SweepPlan& plan_;
    const SweepSpec& ran_;
    Progress& progress_;
    bool (*stop_)();
    std::size_t completed_ = 0;
    std::uint64_t trials_ = 0;
};

//! The card's estimators from the counts stored in `path` into /analysis/run (the same code as
//! `memlif analyze`); nothing when the card asks for the plug-in alone. With `mode` resume the
//! rows an interrupted run committed are kept (and counted into `resumed_rows`); polls `stop`
//! between conditions and returns false if it stopped early.
bool analyze_run_stage(const RunConfig& cfg, const std::string& path,
                       io::GroupMode mode = io::GroupMode::replace, bool (*stop)() = nullptr,
                       std::size_t* resumed_rows = nullptr);
//! The same into `cfg.output.path`, to the end (memlif merge).
inline void analyze_run_stage(const RunConfig& cfg) {
    (void)analyze_run_stage(cfg, cfg.output.path);
}

} // namespace memlif
