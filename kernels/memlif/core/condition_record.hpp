// SPDX-License-Identifier: MIT
//! \file kernels/memlif/core/condition_record.hpp
//! What the run file stores for one finished condition (conductance point): its response counts,
//! its plug-in measures and the bookkeeping of the simulation. Produced by host/ from a backend's
//! ConditionOutput, written and read back by io/.
#pragma once

#include "memlif/core/counts.hpp"
#include "memlif/core/plugin_measures.hpp"

#include <cstdint>

namespace memlif {

//! Per-condition bookkeeping of the simulation itself.
struct ConditionStats {
    double wall_s = 0;             //!< wall time spent on this condition, seconds
    double mean_output_spikes = 0; //!< mean output spikes per trial
    std::uint64_t n_trials = 0;    //!< trials simulated (equals the counts' N in a correct run)
};

//! One finished condition as stored in /counts and /results.
struct ConditionRecord {
    ConditionCounts counts; //!< n(r|s)
    PluginMeasures plugin;  //!< the plug-in measures of `counts`
    ConditionStats stats;
};

} // namespace memlif
