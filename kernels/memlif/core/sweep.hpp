// SPDX-License-Identifier: MIT
//! \file kernels/memlif/core/sweep.hpp
//! The contract between the run orchestration and a simulation backend (CPU or CUDA). Plain C++:
//! included by cuda/ as well, so it must stay free of CLI11, HDF5 and JSON.
#pragma once

#include "memlif/core/counts.hpp"
#include "memlif/core/plugin_measures.hpp"
#include "memlif/kernels/exact_params.hpp"
#include "memlif/kernels/params.hpp"
#include "memlif/kernels/plastic_trial.hpp"
#include "memlif/kernels/synapse_noise.hpp"

#include <cstdint>
#include <vector>

namespace memlif {

//! Which trial function simulates a sweep.
enum class Solver : std::uint32_t {
    fixed = 0, //!< run_trial (kernels/trial.hpp): fixed step dt
    exact = 1, //!< run_exact_trial (kernels/exact_trial.hpp): event-driven, closed form
};

//! A sweep: every stimulus x repeat at every condition (conductance point).
struct SweepSpec {
    Solver solver = Solver::fixed;
    SimParams params;                 //!< shared run constants (seed, steps, jitter, ...)
    std::vector<SynapseDrive> drives; //!< one per condition; its trial ids carry condition_id(i)
    ExactParams exact;                //!< exact solver: its run constants
    std::vector<ExactDrive> exact_drives;      //!< exact solver: one per condition
    std::vector<std::uint16_t> stimulus_codes; //!< the stimulus set (16-bit patterns)
    std::vector<double> p_s; //!< stimulus probabilities (for device-side measures)
    std::vector<std::uint32_t> n_input_spikes; //!< popcount of each code (SpS denominator)
    std::uint32_t n_repeats = 0;               //!< repeats 0..n_repeats-1 of every stimulus
    bool keep_trial_words = false;             //!< also return every trial's word
    //! Device noise of the synapses (kernels/synapse_noise.hpp): one per condition, or empty for
    //! none. A condition whose noise is all off takes the noiseless path.
    std::vector<SynapseNoise> noise;
    //! Plasticity on during stimulation (kernels/plastic_trial.hpp): every trial runs the
    //! per-step plasticity-on trial from the programmed conductances of its condition.
    PlasticityParams plasticity;
    std::vector<SynapseConductances> conductances; //!< plasticity: one per condition
    //! The run's condition id of each drive, which keys its trials (kernels/trial_id.hpp); empty:
    //! drive c is condition c. A part of a sweep (a shard, one device's share) runs a subset of
    //! the drives under their own ids, so every trial is the one the whole sweep would simulate.
    std::vector<std::uint32_t> condition_ids;

    //! The trial-id condition of drive `c`.
    std::uint32_t condition_id(std::uint32_t c) const {
        return condition_ids.empty() ? c : condition_ids[c];
    }
};

//! Whether condition c of the sweep has device noise switched on.
inline bool condition_noise_on(const SweepSpec& spec, std::uint32_t c) {
    return c < spec.noise.size() && synapse_noise_on(spec.noise[c]);
}

//! Whether the sweep needs more than the fixed-state noiseless trial: device noise at some
//! condition, or plasticity (the backends that lack them must refuse the sweep).
inline bool sweep_has_device_physics(const SweepSpec& spec) {
    if (spec.plasticity.enabled) return true;
    for (const SynapseNoise& n : spec.noise)
        if (synapse_noise_on(n)) return true;
    return false;
}

//! The sweep restricted to the drives `ids` (drive indices of `spec`, ascending), each kept under
//! its own condition id and with its own noise and conductances: what a resumed run still has to
//! simulate. Its ConditionOutput::condition is the position in `ids`.
inline SweepSpec only_conditions(const SweepSpec& spec, const std::vector<std::uint32_t>& ids) {
    SweepSpec out = spec;
    out.drives.clear();
    out.exact_drives.clear();
    out.noise.clear();
    out.conductances.clear();
    out.condition_ids.clear();
    for (std::uint32_t k : ids) {
        out.drives.push_back(spec.drives.at(k));
        if (!spec.exact_drives.empty()) out.exact_drives.push_back(spec.exact_drives.at(k));
        if (!spec.noise.empty()) out.noise.push_back(spec.noise.at(k));
        if (!spec.conductances.empty()) out.conductances.push_back(spec.conductances.at(k));
        out.condition_ids.push_back(spec.condition_id(k));
    }
    return out;
}

//! Everything a backend returns for one finished condition.
struct ConditionOutput {
    std::uint32_t condition = 0;            //!< the drive's index in the spec (not its id)
    ConditionCounts counts;                 //!< n(r|s), the primary product
    double mean_output_spikes = 0;          //!< mean output spikes per trial
    std::vector<std::uint64_t> trial_words; //!< stimulus-major, repeat-minor (if requested)
    bool has_device_plugin = false;         //!< device_plugin was computed by the backend
    PluginMeasures device_plugin;           //!< plug-in measures reduced on the device
    double kernel_s = 0;                    //!< time spent simulating this condition
};

//! Receives finished conditions in condition order; called from the backend's calling thread.
class ConditionSink {
  public:
    virtual ~ConditionSink() = default;
    virtual void consume(ConditionOutput&& out) = 0;
    //! Trials simulated so far in the whole sweep (for the progress line).
    virtual void on_progress(std::uint64_t trials_done) { (void)trials_done; }
    //! Polled at least every ~0.1 s of simulation (the CPU backend slices each condition, the CUDA
    //! backend polls between chunks); a true answer ends the sweep and drops the condition being
    //! simulated.
    virtual bool stop_requested() const { return false; }
};

} // namespace memlif
