// SPDX-License-Identifier: MIT
//! \file host/experiments/registry.cpp
//! The list of experiment drivers. A new kind adds its driver file and one line here.
#include "host/experiment.hpp"

namespace memlif {

// Each driver file defines one of these.
const Experiment& mi_sweep_experiment();
const Experiment& ground_truth_experiment();
const Experiment& iv_sweep_experiment();
const Experiment& pulse_cycles_experiment();
const Experiment& rate_rule_experiment();
const Experiment& theta_burst_experiment();
const Experiment& ladder_experiment();
const Experiment& synapse_physics_experiment();

const std::vector<const Experiment*>& experiments() {
    static const std::vector<const Experiment*> all = {
        &mi_sweep_experiment(),     // primary: the MI sweep over stimuli x repeats x conductances
        &iv_sweep_experiment(),     // primary: DC I-V sweeps of a device population (Fig. 1b)
        &pulse_cycles_experiment(), // primary: LTD/LTP pulse cycles (Fig. 1c,d)
        &rate_rule_experiment(),    // primary: dG/dt against the presynaptic rate (Fig. 2b)
        &theta_burst_experiment(),  // primary: theta-burst trains and the ladder (Fig. 4)
        &ground_truth_experiment(), // follows mi_sweep: estimator bias against large-N reruns
        &ladder_experiment(),       // follows mi_sweep: the theta-burst ladder of the grid
        &synapse_physics_experiment(), // follows mi_sweep: its noise axis and plasticity switch
    };
    return all;
}

const Experiment* find_experiment(const std::string& kind, bool primary_only) {
    for (const Experiment* e : experiments())
        if (kind == e->kind() && (!primary_only || e->is_primary())) return e;
    return nullptr;
}

nlohmann::json Experiment::resolve_section(const nlohmann::json* user, const RunConfig& cfg) const {
    (void)user;
    (void)cfg;
    return nlohmann::json::object();
}

} // namespace memlif
