// SPDX-License-Identifier: MIT
//! \file host/experiments/synapse_physics.cpp
//! The synapse_physics stage (follows mi_sweep when the card switches on synapse.noise or
//! synapse.plasticity): records in /analysis/synapse_physics what each condition's synapses did
//! beyond the fixed conductance of /axes: its grid point and noise amplitude (the noise axis,
//! host/synapse_physics_card.hpp), the noise amplitudes in force, and whether plasticity was on
//! (then every trial starts from the same programmed device state; io/FORMAT.md).
#include "host/experiment.hpp"
#include "host/synapse_physics_card.hpp"

#include "io/kind_file.hpp"

#include <chrono>

namespace memlif {

namespace {

class SynapsePhysics final : public Experiment {
  public:
    const char* kind() const override { return "synapse_physics"; }
    const char* summary() const override {
        return "records the device noise axis and the plasticity switch of the MI sweep "
               "(follows mi_sweep)";
    }
    const char* follows() const override { return "mi_sweep"; }
    bool enabled(const RunConfig& cfg) const override {
        return noise_on(cfg.synapse.noise) || cfg.synapse.plasticity.enabled;
    }

    void run(RunContext& ctx) const override {
        const auto t0 = std::chrono::steady_clock::now();
        const RunConfig& cfg = ctx.cfg;
        ctx.enter_phase("synapse_physics");
        if (ctx.stop_requested && ctx.stop_requested()) {
            ctx.report.interrupted = true;
            return;
        }
        const SynapseNoiseCard& n = cfg.synapse.noise;
        const std::vector<double> values = noise_axis_values(n);
        const std::size_t n_cond = condition_count(cfg);
        std::vector<std::uint32_t> grid_point(n_cond);
        std::vector<double> amplitude(n_cond);
        for (std::size_t k = 0; k < n_cond; ++k) {
            grid_point[k] = static_cast<std::uint32_t>(k / values.size());
            amplitude[k] = values[k % values.size()];
        }
        io::KindGroupWriter w(ctx.file, io::kind_layout::synapse_physics(), {{"condition", n_cond}},
                              true);
        w.write("grid_point", grid_point);
        w.write("noise_amplitude", amplitude);
        w.attr("noise_process", n.axis.process);
        w.attr("device_sigma_ln", n.device_sigma_ln);
        w.attr("read_sigma_ln", n.read_sigma_ln);
        w.attr("n_rtn_traps", static_cast<std::uint64_t>(n.rtn_traps.size()));
        w.attr("plasticity", cfg.synapse.plasticity.enabled
                                 ? "on: every trial starts from the same device state, the "
                                   "programmed state of its condition; the synapses evolve "
                                   "during the trial (UL-GAP) and are reset before the next"
                                 : "off: fixed conductances, as in the seed");
        w.attr("noise_json", cfg.card.at("synapse").at("noise").dump());
        w.attr("plasticity_json", cfg.card.at("synapse").at("plasticity").dump());
        w.close();
        ctx.report.stages.push_back(
            {"synapse_physics",
             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 0});
    }
};

} // namespace

const Experiment& synapse_physics_experiment() {
    static const SynapsePhysics e;
    return e;
}

} // namespace memlif
