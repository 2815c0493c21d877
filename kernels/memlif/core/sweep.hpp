// SPDX-License-Identifier: MIT
//! \file kernels/memlif/core/sweep.hpp
//! The contract between the run orchestration and a simulation backend (CPU or CUDA). Plain C++:
//! included by cuda/ as well, so it must stay free of CLI11, HDF5 and JSON.
#pragma once

#include "memlif/core/counts.hpp"
#include "memlif/core/plugin_measures.hpp"
#include "memlif/kernels/exact_params.hpp"
#include "memlif/kernels/params.hpp"

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
    SimParams params;                            //!< shared run constants (seed, steps, jitter, ...)
    std::vector<SynapseDrive> drives;            //!< one per condition; the index is the condition id
    ExactParams exact;                           //!< exact solver: its run constants
    std::vector<ExactDrive> exact_drives;        //!< exact solver: one per condition
    std::vector<std::uint16_t> stimulus_codes;   //!< the stimulus set (16-bit patterns)
    std::vector<double> p_s;                     //!< stimulus probabilities (for device-side measures)
    std::vector<std::uint32_t> n_input_spikes;   //!< popcount of each code (SpS denominator)
    std::uint32_t n_repeats = 0;                 //!< repeats 0..n_repeats-1 of every stimulus
    bool keep_trial_words = false;               //!< also return every trial's word
    //! The condition id (the trial id's condition field, ConditionOutput::condition) of drives[i]
    //! (and exact_drives[i]); empty: i. A resumed run simulates only its missing conditions, each
    //! under its own id, so their trials are those of an uninterrupted run.
    std::vector<std::uint32_t> condition_ids;
    std::uint32_t condition_id(std::size_t i) const {
        return condition_ids.empty() ? static_cast<std::uint32_t>(i) : condition_ids[i];
    }
};

//! The sweep restricted to the conditions `ids` (drive indices of `spec`, ascending), each kept
//! under its own condition id: what a resumed run still has to simulate.
inline SweepSpec only_conditions(const SweepSpec& spec, const std::vector<std::uint32_t>& ids) {
    SweepSpec out = spec;
    out.drives.clear();
    out.exact_drives.clear();
    out.condition_ids.clear();
    for (std::uint32_t k : ids) {
        out.drives.push_back(spec.drives.at(k));
        if (!spec.exact_drives.empty()) out.exact_drives.push_back(spec.exact_drives.at(k));
        out.condition_ids.push_back(spec.condition_id(k));
    }
    return out;
}

//! Everything a backend returns for one finished condition.
struct ConditionOutput {
    std::uint32_t condition = 0;
    ConditionCounts counts;                      //!< n(r|s), the primary product
    double mean_output_spikes = 0;               //!< mean output spikes per trial
    std::vector<std::uint64_t> trial_words;      //!< stimulus-major, repeat-minor (if requested)
    bool has_device_plugin = false;              //!< device_plugin was computed by the backend
    PluginMeasures device_plugin;                  //!< plug-in measures reduced on the device
    double kernel_s = 0;                         //!< time spent simulating this condition
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
