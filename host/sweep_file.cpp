// SPDX-License-Identifier: MIT
//! \file host/sweep_file.cpp
#include "sweep_file.hpp"

#include "analyze.hpp"
#include "estimator_accelerator.hpp"
#include "information/plugin.hpp"

namespace memlif {

io::StimulusTable stimulus_table(const SweepPlan& plan) {
    io::StimulusTable table;
    table.code = plan.stimuli.codes;
    table.multiplicity = plan.stimuli.multiplicity;
    table.n_input_spikes = plan.stimuli.n_input_spikes;
    table.p_s = plan.p_s;
    return table;
}

io::ConditionAxis condition_axis(const SweepPlan& plan) {
    io::ConditionAxis axis;
    for (const auto& pt : plan.points) {
        axis.conductance_S.push_back(pt.g_S);
        axis.weight.push_back(pt.weight);
        axis.current_A.push_back(pt.current_A);
    }
    return axis;
}

void SweepFileSink::consume(ConditionOutput&& out) {
    ConditionRecord rec;
    rec.plugin = out.has_device_plugin
                     ? std::move(out.device_plugin)
                     : compute_plugin(out.counts, plan_.p_s, plan_.stimuli.n_input_spikes);
    rec.stats.wall_s = out.kernel_s;
    rec.stats.mean_output_spikes = out.mean_output_spikes;
    rec.stats.n_trials = rec.plugin.n_trials;
    rec.counts = std::move(out.counts);
    // A condition's trials are committed with its counts, in the same two-step commit.
    io::ConditionTrials trials;
    if (plan_.spec.keep_trial_words) {
        const std::size_t n = out.trial_words.size();
        const std::uint32_t reps = plan_.spec.n_repeats;
        trials.stimulus.resize(n);
        trials.repeat.resize(n);
        for (std::size_t t = 0; t < n; ++t) {
            trials.stimulus[t] = static_cast<std::uint32_t>(t / reps);
            trials.repeat[t] = static_cast<std::uint32_t>(t % reps);
        }
        trials.word = std::move(out.trial_words);
    }
    writer_.write_condition(ran_.condition_id(out.condition), rec.counts, rec.plugin, rec.stats,
                            plan_.spec.keep_trial_words ? &trials : nullptr);
    ++completed_;
    trials_ += rec.plugin.n_trials;
}

bool analyze_run_stage(const RunConfig& cfg, const std::string& path, io::GroupMode mode,
                       bool (*stop)(), std::size_t* resumed_rows) {
    EstimatorOptions opts = cfg.estimator_options;
    opts.accelerator = estimator_accelerator_for(cfg.simulation.backend);
    if (only_plugin(opts)) return true;
    return analyze_into(path, opts, "/analysis/run", mode, cfg.card.at("information").dump(), stop,
                        resumed_rows);
}

} // namespace memlif
