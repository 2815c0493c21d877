// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/exact_noisy_trial.hpp
//! The exact event-driven MI trial (exact_trial.hpp) with the per-trial and per-spike synapse
//! noise of synapse_noise.hpp: device-to-device factors (constant over the trial) and read factors
//! (constant over each input spike). Both keep the drive piecewise constant with the same edges,
//! so each input bin is the exact solver's bin with its weights w_i times the factors. The same
//! jitter and back-spike draws as run_exact_trial; with both amplitudes zero the factors are
//! exactly 1.0 and the result equals run_exact_trial's bit for bit.
//!
//! Precondition (checked on the host: check_exact_solver_applies, host/synapse_physics_card.cpp,
//! for simulation.solver and ground_truth.solver): n.rtn.n_traps == 0. RTN
//! changes the weight inside a spike, which the exact bin (sorted equal-width spikes of constant
//! weight) does not model; RTN runs on the fixed step (noisy_trial.hpp).
#pragma once

#include "exact_params.hpp"
#include "exact_trial.hpp"
#include "macros.hpp"
#include "synapse_noise.hpp"

#include <cstdint>

namespace memlif {

namespace detail {

//! The drive source of exact_trial_events (exact_trial.hpp) for a noisy trial: bin b's weights
//! are the condition's times the trial's device factors and the bin's read factors.
struct ExactNoisyDrive {
    ExactDrive d;
    const SynapseNoise& n;
    std::uint64_t seed, trial_id;
    SynapseFactors dev;

    MEMLIF_HD_INLINE ExactNoisyDrive(const ExactDrive& d_, const SynapseNoise& n_,
                                     std::uint64_t seed_, std::uint64_t trial_id_)
        : d(d_), n(n_), seed(seed_), trial_id(trial_id_),
          dev(device_factors(n_, seed_, trial_id_)) {}
    MEMLIF_HD_INLINE ExactDrive bin_drive(int b) const {
        const SynapseFactors rd = read_factors(n, seed, trial_id, b);
        return ExactDrive{d.w0 * dev.f0 * rd.f0, d.w1 * dev.f1 * rd.f1, d.w2 * dev.f2 * rd.f2,
                          d.w3 * dev.f3 * rd.f3};
    }
};

template <bool Backspikes>
MEMLIF_HD_INLINE TrialResult run_exact_noisy_trial_impl(const ExactParams& p, const ExactDrive& d,
                                                        const SynapseNoise& n, std::uint32_t code,
                                                        std::uint64_t trial_id) {
    ExactNoObserver obs;
    return exact_trial_events<Backspikes>(p, ExactNoisyDrive(d, n, p.seed, trial_id), code,
                                          trial_id, obs);
}

} // namespace detail

//! Simulates trial `trial_id` of stimulus `code` exactly with the device-to-device and read noise
//! of `n` (RTN must be off). Depends only on (p, d, n, code, trial_id).
MEMLIF_HD_INLINE TrialResult run_exact_noisy_trial(const ExactParams& p, const ExactDrive& d,
                                                   const SynapseNoise& n, std::uint32_t code,
                                                   std::uint64_t trial_id) {
    if (p.backspike.enabled)
        return detail::run_exact_noisy_trial_impl<true>(p, d, n, code, trial_id);
    return detail::run_exact_noisy_trial_impl<false>(p, d, n, code, trial_id);
}

} // namespace memlif
