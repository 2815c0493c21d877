// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/exact_params.hpp
//! Run constants of the exact event-driven solver (exact_trial.hpp). Times are in seconds and the
//! membrane is normalised to the threshold (u = V / V_th), as in the fixed step; the drive is the
//! normalised weight of each input instead of a per-step increment. Trivially copyable, filled on
//! the host, passed by value to kernels.
#pragma once

#include "params.hpp"

#include <cstdint>
#include <type_traits>

namespace memlif {

//! Where the exact solver places input onsets and back-spike onsets.
enum class OnsetTiming : std::uint32_t {
    //! On the fixed-step grid: the same integer step counts run_trial draws (jitter_onset_steps,
    //! backspike_interval_steps) times grid_dt_s. Both solvers then see identical onsets, so the
    //! exact solver is the fixed step's oracle on the same trials.
    grid = 0,
    //! In continuous time from the same 32-bit draws: uniform law d = u01_open(r) jitter_max_s;
    //! table law d = k jitter_unit_s (the Poisson delay is discrete in its own unit, not in dt);
    //! back-spike intervals -mean ln(u01_open(r)) unrounded.
    continuous = 1,
};

//! Everything an exact trial needs except the per-condition weights (ExactDrive).
struct ExactParams {
    std::uint64_t seed = 0;   //!< Philox key, the run seed (as SimParams::seed)
    double tau_s = 0;         //!< membrane time constant tau = R_leak C (s)
    double window_s = 0;      //!< output window T_out (s); crossings at or after it are lost
    double input_bin_s = 0;   //!< input bin width (s); input bin b starts at b input_bin_s
    double spike_width_s = 0; //!< input spike width T_spk (s)
    double delay_s = 0;       //!< T_spike,Delay from a threshold crossing to the reset (s)
    double output_bin_s = 0;  //!< output bin width (s): bit j <=> onset in [j bin, (j+1) bin)
    std::uint32_t n_output_bins = 0; //!< L = window / output bin (<= 64)
    OnsetTiming timing = OnsetTiming::grid;
    double grid_dt_s = 0; //!< grid timing: the step length (s) of the step counts below
    //! Onset-delay law. grid: SimParams::jitter verbatim (step units). continuous: `law` and, for
    //! the table law, `table_size` and `cdf_u32`; max_steps and unit_q16 are not used.
    JitterParams jitter;
    double jitter_max_s = 0;  //!< continuous, uniform law: largest onset delay (s)
    double jitter_unit_s = 0; //!< continuous, table law: delay unit (s), delay = k unit
    //! Back-spikes. `enabled` in both timings; grid: width_steps and mean_interval_steps verbatim
    //! from SimParams::backspike.
    BackspikeParams backspike;
    double backspike_width_s = 0;         //!< continuous: blocking width (s)
    double backspike_mean_interval_s = 0; //!< continuous: mean interval between onsets (s)
};

//! Per-condition drive: the normalised weight w_i = I_i tau / (C V_th) of each input (model.md
//! §2.3), i.e. the u that input i held on alone would settle at. Inputs add: u_inf = sum of the
//! weights of the inputs that are on.
struct ExactDrive {
    double w0 = 0, w1 = 0, w2 = 0, w3 = 0;
};

static_assert(std::is_trivially_copyable<ExactParams>::value,
              "ExactParams is passed by value to kernels");
static_assert(std::is_trivially_copyable<ExactDrive>::value,
              "ExactDrive is passed by value to kernels");

//! Grid-timing exact constants from the fixed-step ones, so that run_exact_trial and run_trial see
//! the same onsets and back-spikes on every trial. dt_s and tau_s are the values SimParams was
//! built from (RunConfig::dt_s, RunConfig::tau_s). Host-side.
inline ExactParams exact_params_on_grid(const SimParams& p, double dt_s, double tau_s) {
    ExactParams e;
    e.seed = p.seed;
    e.tau_s = tau_s;
    e.window_s = p.n_steps * dt_s;
    e.input_bin_s = p.steps_per_input_bin * dt_s;
    e.spike_width_s = p.spike_steps * dt_s;
    e.delay_s = p.delay_steps * dt_s;
    e.output_bin_s = p.steps_per_output_bin * dt_s;
    e.n_output_bins = p.n_output_bins;
    e.timing = OnsetTiming::grid;
    e.grid_dt_s = dt_s;
    e.jitter = p.jitter;
    e.backspike = p.backspike;
    return e;
}

} // namespace memlif
