// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/devices/rtn.hpp
//! Random telegraph noise from N independent two-state traps (model.md §3.2; the UniMORE model
//! includes "multi-level random telegraph noise", Puglisi et al., IEEE TED 65, 2018). Trap k is
//! empty (s_k = 0) or filled (s_k = 1); it stays empty for an exponential time of mean tau_c
//! (capture) and filled for one of mean tau_e (emission). A filled trap lowers the device current
//! by the relative step delta_k:
//!   I_eff = I(V, state) * prod_k (1 - delta_k s_k)                               [ASSUMPTION]
//! Capture and emission times are bias-independent here [ASSUMPTION].
//!
//! The process is simulated exactly, event by event: flip j of trap k uses the Philox draw
//! (seed, device id, index = j, stream rtn, sub-stream = sub_base + k), where sub_base separates
//! several devices that share one id (e.g. the 4 synapses of a trial: sub_base = 8 x synapse);
//! draw 0 gives the initial occupancy (stationary: P(filled) = tau_e/(tau_c + tau_e)) and, by
//! memorylessness, the first dwell. The trajectory is therefore independent of the integration
//! step and of batching.
#pragma once

#include "../macros.hpp"
#include "../rng.hpp"
#include "../variates.hpp"

#include <cstdint>

namespace memlif {

constexpr int k_max_rtn_traps = 8;

struct RtnTrap {
    double delta = 0.0;           //!< relative current step of a filled trap [ASSUMPTION]
    double tau_capture_s = 1e-3;  //!< mean empty time (s) [ASSUMPTION]
    double tau_emission_s = 1e-3; //!< mean filled time (s) [ASSUMPTION]
};

struct RtnParams {
    std::uint32_t n_traps = 0; //!< 0 = RTN off; at most k_max_rtn_traps
    RtnTrap trap[k_max_rtn_traps];
};

struct RtnState {
    std::uint32_t filled_mask = 0;        //!< bit k = trap k filled
    std::uint32_t sub_base = 0;           //!< first Philox sub-stream of these traps
    std::uint32_t flips[k_max_rtn_traps]; //!< flips drawn so far per trap
    double next_flip_s[k_max_rtn_traps];  //!< absolute time of the next flip (s)
};

//! Starts the traps at time t0 in their stationary distribution.
MEMLIF_HD_NOINLINE inline RtnState rtn_start(const RtnParams& p, std::uint64_t seed,
                                             std::uint64_t device_id, double t0_s,
                                             std::uint32_t sub_base = 0) {
    RtnState s;
    s.sub_base = sub_base;
    for (int k = 0; k < k_max_rtn_traps; ++k) {
        s.flips[k] = 0;
        s.next_flip_s[k] = 1e300;
        if (static_cast<std::uint32_t>(k) >= p.n_traps) continue;
        const RtnTrap& t = p.trap[k];
        const Philox4x32 r = trial_draw_sub(seed, device_id, 0, RngStream::rtn,
                                            sub_base + static_cast<std::uint32_t>(k));
        const bool filled = u01_open(r.x) < t.tau_emission_s / (t.tau_capture_s + t.tau_emission_s);
        if (filled) s.filled_mask |= 1u << k;
        s.next_flip_s[k] =
            t0_s + exponential_variate(r.y, filled ? t.tau_emission_s : t.tau_capture_s);
        s.flips[k] = 1;
    }
    return s;
}

//! Applies every flip with time <= t, however many (a long stretch at 0 V holds thousands when the
//! dwell times are short; a per-call cap made the trajectory depend on how time was cut). The
//! guard only stops a runaway loop: 2^26 flips of one trap in one call.
MEMLIF_HD_NOINLINE inline void rtn_advance_to(RtnState& s, const RtnParams& p, std::uint64_t seed,
                                              std::uint64_t device_id, double t_s) {
    for (int k = 0; k < k_max_rtn_traps; ++k) {
        if (static_cast<std::uint32_t>(k) >= p.n_traps) break;
        const RtnTrap& t = p.trap[k];
        for (std::uint32_t guard = 0; guard < (1u << 26) && s.next_flip_s[k] <= t_s; ++guard) {
            s.filled_mask ^= 1u << k;
            const bool filled = (s.filled_mask >> k) & 1u;
            const Philox4x32 r = trial_draw_sub(seed, device_id, s.flips[k], RngStream::rtn,
                                                s.sub_base + static_cast<std::uint32_t>(k));
            s.next_flip_s[k] +=
                exponential_variate(r.x, filled ? t.tau_emission_s : t.tau_capture_s);
            ++s.flips[k];
        }
    }
}

//! prod_k (1 - delta_k s_k): exactly 1 when every delta is 0.
MEMLIF_HD_INLINE double rtn_factor(const RtnState& s, const RtnParams& p) {
    double f = 1.0;
    for (int k = 0; k < k_max_rtn_traps; ++k) {
        if (static_cast<std::uint32_t>(k) >= p.n_traps) break;
        if ((s.filled_mask >> k) & 1u) f *= 1.0 - p.trap[k].delta;
    }
    return f;
}

} // namespace memlif
