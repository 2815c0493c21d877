// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/synapse_noise.hpp
//! Device noise of the four synapses inside an MI trial (issue 10 item 6; beyond Benatti et al.
//! 2023, whose memristors were deterministic in the MI runs). Three processes, each off at zero
//! amplitude, each a pure function of (seed, trial id) through the trial's Philox layout:
//!
//! * device-to-device: synapse i of a trial is a device drawn from the programmed-state
//!   distribution: it reads G_i exp(sigma_d z_i) instead of G_i (log-normal programming spread,
//!   devices/device_noise.hpp programmed_read_conductance_S). Held for the whole trial.
//!   Draw: (seed, trial id, index 0, stream device_variability, sub-stream 1 + i), words x, y.
//! * cycle-to-cycle read variability: every input spike is one read of its synapse, and the
//!   spike's current is the fixed-state current times exp(sigma_c z) [ASSUMPTION: log-normal, so
//!   the current never changes sign]. An input has at most one spike per input bin, so the draw of
//!   input bin b gives the four spikes of that bin: (seed, trial id, index b, stream read_noise),
//!   normal4 of the block, normal i for input i.
//! * random telegraph noise (devices/rtn.hpp): n_traps identical two-state traps per synapse,
//!   stationary at t = 0, simulated exactly in continuous time; a filled trap k scales the current
//!   by (1 - delta_k). The condition's G is the device's time-averaged read conductance
//!   [ASSUMPTION: a device is programmed by verify reads that average over its traps], so the
//!   factor is normalised to mean 1: f = prod_k (1 - delta_k s_k) / prod_k (1 - delta_k p_k),
//!   p_k = tau_e / (tau_c + tau_e) the stationary occupancy (independent traps: the mean of the
//!   product is the product of the means). Without the normalisation the amplitude would also
//!   lower the mean drive (at 13.6 uS, delta = 0.5 lowered H_PT(R|S) from 5.35 to 4.79 bit,
//!   docs/devices.md §11). Synapse i uses sub-streams 8 i + trap (rtn_start's sub_base = 8 i),
//!   index = flip number. On the fixed-step grid the factor of step k is the trap state at
//!   t = k dt: a flip at t takes effect from the first step k with k dt >= t (rtn_grid_step).
//!
//! For both MI synapse models the spike current is proportional to the read conductance at fixed
//! state (linear: I = G V; UL-GAP: I = G V_read sinh(V/V0)/sinh(V_read/V0), synapse.hpp), so each
//! process multiplies the condition's drive a_i (or weight w_i) by its factor. Every factor is
//! exactly 1.0 at zero amplitude (exp(0) = 1, 1 - 0 = 1, and no draw is made), so a zero amplitude
//! reproduces the noiseless trial bit for bit.
#pragma once

#include "devices/device_noise.hpp"
#include "devices/rtn.hpp"
#include "macros.hpp"
#include "params.hpp"
#include "rng.hpp"
#include "variates.hpp"

#include <cmath>
#include <cstdint>
#include <type_traits>

namespace memlif {

//! The noise switches of the MI synapses (all off by default, as in the seed's MI runs).
struct SynapseNoise {
    //! sigma of ln G_read of each synapse, drawn once per trial (device-to-device) [ASSUMPTION]
    double device_sigma_ln = 0.0;
    //! sigma of ln of each input spike's current (cycle-to-cycle read variability) [ASSUMPTION]
    double read_sigma_ln = 0.0;
    //! traps of every synapse (n_traps = 0: no RTN); times in seconds
    RtnParams rtn;
    //! fixed step (s) on which RTN flips take effect (SimParams' dt; also set for the exact solver)
    double dt_s = 0.0;
};

static_assert(std::is_trivially_copyable<SynapseNoise>::value,
              "SynapseNoise is passed by value to kernels");

//! True when some process is switched on (a trial then takes a noisy entry point). RTN counts as
//! on with n_traps > 0 even at delta = 0: that is the zero-amplitude check of the RTN path.
MEMLIF_HD_INLINE bool synapse_noise_on(const SynapseNoise& n) {
    return n.device_sigma_ln != 0.0 || n.read_sigma_ln != 0.0 || n.rtn.n_traps != 0;
}

//! One multiplicative factor per synapse, in named registers.
struct SynapseFactors {
    double f0 = 1.0, f1 = 1.0, f2 = 1.0, f3 = 1.0;
};

//! Device-to-device factors G'_i / G_i = exp(sigma_d z_i) of trial `trial_id`
//! (programmed_read_conductance_S of a unit target, so the factor is exactly the draw's).
MEMLIF_HD_INLINE SynapseFactors device_factors(const SynapseNoise& n, std::uint64_t seed,
                                               std::uint64_t trial_id) {
    SynapseFactors f;
    if (n.device_sigma_ln == 0.0) return f;
    f.f0 = programmed_read_conductance_S(1.0, n.device_sigma_ln, seed, trial_id, 0);
    f.f1 = programmed_read_conductance_S(1.0, n.device_sigma_ln, seed, trial_id, 1);
    f.f2 = programmed_read_conductance_S(1.0, n.device_sigma_ln, seed, trial_id, 2);
    f.f3 = programmed_read_conductance_S(1.0, n.device_sigma_ln, seed, trial_id, 3);
    return f;
}

//! Read factors exp(sigma_c z_i) of the four input spikes of input bin `bin`.
MEMLIF_HD_INLINE SynapseFactors read_factors(const SynapseNoise& n, std::uint64_t seed,
                                             std::uint64_t trial_id, int bin) {
    SynapseFactors f;
    if (n.read_sigma_ln == 0.0) return f;
    const Normal4 z =
        normal4(trial_draw(seed, trial_id, static_cast<std::uint32_t>(bin), RngStream::read_noise));
    f.f0 = std::exp(n.read_sigma_ln * z.z0);
    f.f1 = std::exp(n.read_sigma_ln * z.z1);
    f.f2 = std::exp(n.read_sigma_ln * z.z2);
    f.f3 = std::exp(n.read_sigma_ln * z.z3);
    return f;
}

//! The four synapses' RTN processes of one trial.
struct SynapseRtn {
    RtnState s0, s1, s2, s3;
};

//! Starts the traps of the four synapses of trial `trial_id` at t = 0 (sub_base 8 i).
MEMLIF_HD_INLINE SynapseRtn synapse_rtn_start(const SynapseNoise& n, std::uint64_t seed,
                                              std::uint64_t trial_id) {
    SynapseRtn r;
    r.s0 = rtn_start(n.rtn, seed, trial_id, 0.0, 0u);
    r.s1 = rtn_start(n.rtn, seed, trial_id, 0.0, 8u);
    r.s2 = rtn_start(n.rtn, seed, trial_id, 0.0, 16u);
    r.s3 = rtn_start(n.rtn, seed, trial_id, 0.0, 24u);
    return r;
}

//! prod_k (1 - delta_k p_k), p_k = tau_e,k / (tau_c,k + tau_e,k): the mean of rtn_factor in the
//! stationary state; exactly 1 when every delta is 0.
MEMLIF_HD_INLINE double rtn_mean_factor(const RtnParams& p) {
    double m = 1.0;
    for (int k = 0; k < k_max_rtn_traps; ++k) {
        if (static_cast<std::uint32_t>(k) >= p.n_traps) break;
        const RtnTrap& t = p.trap[k];
        m *= 1.0 - t.delta * (t.tau_emission_s / (t.tau_capture_s + t.tau_emission_s));
    }
    return m;
}

//! The RTN factor of a synapse's current now, normalised to mean 1 (see the file comment);
//! exactly 1 when every delta is 0.
MEMLIF_HD_INLINE double synapse_rtn_factor(const RtnState& s, const SynapseNoise& n) {
    return rtn_factor(s, n.rtn) / rtn_mean_factor(n.rtn);
}

//! Time (s) of the next flip of any trap of one synapse (1e300 when none).
MEMLIF_HD_INLINE double rtn_next_flip_s(const RtnState& s, const RtnParams& p) {
    double t = 1e300;
    for (int k = 0; k < k_max_rtn_traps; ++k) {
        if (static_cast<std::uint32_t>(k) >= p.n_traps) break;
        t = s.next_flip_s[k] < t ? s.next_flip_s[k] : t;
    }
    return t;
}

//! The first step k with k dt >= t: the step from which a flip at t holds (0xFFFFFFFF beyond
//! every window). Corrected by one step either way so that it agrees exactly with the test
//! `t <= k dt` that rtn_advance_to applies at t = k dt.
MEMLIF_HD_INLINE std::uint32_t rtn_grid_step(double t_s, double dt_s) {
    if (!(t_s < 4.0e9 * dt_s)) return 0xFFFFFFFFu;
    double k = std::ceil(t_s / dt_s);
    if (k < 0.0) k = 0.0;
    if (k * dt_s < t_s)
        k += 1.0;
    else if (k >= 1.0 && (k - 1.0) * dt_s >= t_s)
        k -= 1.0;
    return static_cast<std::uint32_t>(k);
}

} // namespace memlif
