// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/noisy_trial.hpp
//! The fixed-step MI trial with device noise in its synapses (synapse_noise.hpp): the trial of
//! run_trial (trial.hpp; the same jitter and back-spike draws, the same step, fire and reset rules
//! and output coding) whose per-input drive is the condition's drive times the trial's
//! device-to-device factor, the spike's read factor and, while an RTN trap is filled, the trap's
//! (1 - delta). The drive stays piecewise constant; the segments now also end at the steps where
//! an RTN flip of a spiking synapse takes effect. With every amplitude zero each factor is exactly
//! 1.0 and the result equals run_trial's bit for bit (tests/kernels/noisy_trial_test.cpp).
//!
//! One trial per call (one per CUDA thread); host and device; the RTN states (4 x RtnState) are
//! the only sizeable locals.
#pragma once

#include "backspike.hpp"
#include "lif.hpp"
#include "macros.hpp"
#include "params.hpp"
#include "synapse_noise.hpp"
#include "trial.hpp"

#include <cstdint>

namespace memlif {

namespace detail {

//! The drive of one input bin: the condition's drive times the trial's device factors and the
//! bin's read factors, input by input.
MEMLIF_HD_INLINE SynapseDrive noisy_bin_drive(const SynapseDrive& d, const SynapseFactors& dev,
                                              const SynapseFactors& rd) {
    return SynapseDrive{d.a0 * dev.f0 * rd.f0, d.a1 * dev.f1 * rd.f1, d.a2 * dev.f2 * rd.f2,
                        d.a3 * dev.f3 * rd.f3};
}

//! Brings one synapse's traps to t = k dt and returns its drive times the RTN factor; lowers
//! `seg_end` to the step of the synapse's next flip while its spike of this bin is not over.
MEMLIF_HD_INLINE double rtn_scaled_drive(RtnState& s, const SynapseNoise& n, std::uint64_t seed,
                                         std::uint64_t trial_id, std::uint32_t k, double a,
                                         std::uint32_t spike_off, std::uint32_t& seg_end) {
    rtn_advance_to(s, n.rtn, seed, trial_id, static_cast<double>(k) * n.dt_s);
    if (k < spike_off) clip_to_edge(seg_end, k, rtn_grid_step(rtn_next_flip_s(s, n.rtn), n.dt_s));
    return a * synapse_rtn_factor(s, n);
}

//! The drive source of trial_steps (trial.hpp) for a noisy trial: bin b's drive is the
//! condition's times the trial's device factors and the bin's read factors; with RTN a segment's
//! drive is further scaled by each trap's state, and the segment ends at the next flip.
template <bool Rtn> struct NoisyDrive {
    SynapseDrive d;
    const SynapseNoise& n;
    std::uint64_t seed, trial_id;
    SynapseFactors dev;
    SynapseRtn rtn;

    MEMLIF_HD_INLINE NoisyDrive(const SynapseDrive& d_, const SynapseNoise& n_, std::uint64_t seed_,
                                std::uint64_t trial_id_)
        : d(d_), n(n_), seed(seed_), trial_id(trial_id_),
          dev(device_factors(n_, seed_, trial_id_)) {
        if (Rtn) rtn = synapse_rtn_start(n_, seed_, trial_id_);
    }
    MEMLIF_HD_INLINE SynapseDrive bin_drive(int b) const {
        return noisy_bin_drive(
            d, dev, b < k_input_bins ? read_factors(n, seed, trial_id, b) : SynapseFactors{});
    }
    MEMLIF_HD_INLINE SynapseDrive segment_drive(const SynapseDrive& db, const BinWindows& w,
                                                std::uint32_t k, std::uint32_t& seg_end) {
        if (!Rtn) return db;
        SynapseDrive ds;
        ds.a0 = rtn_scaled_drive(rtn.s0, n, seed, trial_id, k, db.a0, w.off0, seg_end);
        ds.a1 = rtn_scaled_drive(rtn.s1, n, seed, trial_id, k, db.a1, w.off1, seg_end);
        ds.a2 = rtn_scaled_drive(rtn.s2, n, seed, trial_id, k, db.a2, w.off2, seg_end);
        ds.a3 = rtn_scaled_drive(rtn.s3, n, seed, trial_id, k, db.a3, w.off3, seg_end);
        return ds;
    }
};

template <bool Backspikes, bool Rtn>
MEMLIF_HD_INLINE TrialResult run_noisy_trial_impl(const SimParams& p, const SynapseDrive& d,
                                                  const SynapseNoise& n, std::uint32_t code,
                                                  std::uint64_t trial_id) {
    NoisyDrive<Rtn> src(d, n, p.seed, trial_id);
    return trial_steps<Backspikes>(p, src, code, trial_id);
}

} // namespace detail

//! Simulates trial `trial_id` of stimulus `code` under drive `d` with the synapse noise `n`
//! (fixed step). Depends only on (p, d, n, code, trial_id); equals run_trial when every amplitude
//! of `n` is zero.
MEMLIF_HD_INLINE TrialResult run_noisy_trial(const SimParams& p, const SynapseDrive& d,
                                             const SynapseNoise& n, std::uint32_t code,
                                             std::uint64_t trial_id) {
    const bool rtn = n.rtn.n_traps != 0;
    if (p.backspike.enabled)
        return rtn ? detail::run_noisy_trial_impl<true, true>(p, d, n, code, trial_id)
                   : detail::run_noisy_trial_impl<true, false>(p, d, n, code, trial_id);
    return rtn ? detail::run_noisy_trial_impl<false, true>(p, d, n, code, trial_id)
               : detail::run_noisy_trial_impl<false, false>(p, d, n, code, trial_id);
}

} // namespace memlif
