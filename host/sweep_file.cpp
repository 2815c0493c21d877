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
    writer_.write_condition(out.condition, rec.counts, rec.plugin, rec.stats);
    if (plan_.spec.keep_trial_words) {
        const std::size_t n = out.trial_words.size();
        const std::uint32_t reps = plan_.spec.n_repeats;
        std::vector<std::uint32_t> stim(n), rep(n);
        for (std::size_t t = 0; t < n; ++t) {
            stim[t] = static_cast<std::uint32_t>(t / reps);
            rep[t] = static_cast<std::uint32_t>(t % reps);
        }
        writer_.append_trials(out.condition, stim, rep, out.trial_words);
    }
    ++completed_;
    trials_ += rec.plugin.n_trials;
}

void analyze_run_stage(const RunConfig& cfg) {
    EstimatorOptions opts = cfg.estimator_options;
    opts.accelerator = estimator_accelerator_for(cfg.simulation.backend);
    if (!only_plugin(opts))
        analyze_into(cfg.output.path, opts, "/analysis/run", true,
                     cfg.card.at("information").dump());
}

} // namespace memlif
