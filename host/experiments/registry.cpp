// SPDX-License-Identifier: MIT
//! \file host/experiments/registry.cpp
//! The list of experiment drivers. A new kind adds its driver file and one line here.
#include "host/experiment.hpp"

namespace memlif {

// Each driver file defines one of these.
const Experiment& mi_sweep_experiment();
const Experiment& ground_truth_experiment();

const std::vector<const Experiment*>& experiments() {
    static const std::vector<const Experiment*> all = {
        &mi_sweep_experiment(),     // primary: the MI sweep over stimuli x repeats x conductances
        &ground_truth_experiment(), // follows mi_sweep: estimator bias against large-N reruns
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
