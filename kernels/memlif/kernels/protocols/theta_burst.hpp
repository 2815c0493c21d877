// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/protocols/theta_burst.hpp
//! Theta-burst LTP trains (Benatti et al. 2023, Fig. 4; model.md §7): bursts of presynaptic spikes
//! step the conductance up between MI sweeps (2.6 -> 6.2 -> 13.6 uS [SEED]). The protocol numbers
//! are not in the seed; the defaults are model.md §7 [ASSUMPTION]: bursts of 5 spikes (10 ms wide,
//! 20 ms period), 10 bursts at 5 Hz per train, back-spikes running. With G ~ exp(-x/x0) and a
//! fixed barrier change per spike, each train multiplies G by a nearly constant factor.
//! Trains repeat until G reaches each target in turn (or a fixed number of trains is done).
#pragma once

#include "../devices/integrator.hpp"
#include "../macros.hpp"
#include "spike_drive.hpp"

#include <cstdint>

namespace memlif {

constexpr int k_max_theta_targets = 8;

struct ThetaBurstProtocol {
    std::uint32_t spikes_per_burst = 5;  //!< [ASSUMPTION] model.md §7
    double spike_period_s = 20e-3;       //!< onset-to-onset inside a burst (s) [ASSUMPTION]
    std::uint32_t bursts_per_train = 10; //!< [ASSUMPTION]
    double burst_period_s = 200e-3;      //!< 5 Hz (s) [ASSUMPTION]
    double train_gap_s =
        0.0; //!< 0 V interval after each train, back-spikes running (s) [ASSUMPTION]
    std::uint32_t max_trains = 20; //!< hard limit on trains (and the length of the output arrays)
    //! Targets of G_read in increasing order (S); 0 targets = run max_trains. The run stops once
    //! the last target is reached (checked after each train). Default: the seed's 6.2 and 13.6 uS.
    std::uint32_t n_targets = 2;
    double target_g_S[k_max_theta_targets] = {6.2e-6, 13.6e-6};
    double v_read_V = 0.05; //!< conductance read-out voltage (V) [SEED]
    SpikeDriveSetup drive;  //!< waveform, back-spikes, circuit (R_s = 0), step rule
};

struct ThetaBurstResult {
    double g_start_S = 0.0;     //!< G_read before the first train
    std::uint32_t n_trains = 0; //!< trains applied
    //! trains after which target k was first reached (0 = not reached)
    std::uint32_t trains_to_target[k_max_theta_targets] = {};
    std::uint32_t n_pre = 0;        //!< presynaptic spikes delivered
    std::uint32_t n_backspikes = 0; //!< back-spike windows delivered
};

namespace detail {
//! Onsets of one burst: t0, t0 + T, ..., t0 + (n-1) T.
struct BurstOnsets {
    double t0_s, period_s;
    std::uint32_t n, count;
    MEMLIF_HD_INLINE double operator()() {
        if (count >= n)
            return k_never_s;
        return t0_s + static_cast<double>(count++) * period_s;
    }
};
} // namespace detail

//! Caller-provided output arrays; null members are skipped.
struct ThetaBurstOutput {
    double* g_after_train_S =
        nullptr; //!< [max_trains]: G_read after each train (first n_trains valid)
    double* g_after_burst_S = nullptr; //!< [max_trains * bursts_per_train]: after each burst
};

//! Runs the protocol on device d from its clock. G is read from the state (no read pulse).
template <class M>
MEMLIF_HD_NOINLINE ThetaBurstResult run_theta_burst(DeviceInstance<M>& d,
                                                    const ThetaBurstProtocol& pr,
                                                    const ThetaBurstOutput& out) {
    ThetaBurstResult res;
    res.g_start_S = state_conductance_S(d, pr.v_read_V);
    BackspikeClock bc = backspike_clock_start(pr.drive.backspike, d.seed, d.device_id, d.t_s);
    std::uint32_t next_target = 0;
    const std::uint32_t n_targets = pr.n_targets < static_cast<std::uint32_t>(k_max_theta_targets)
                                        ? pr.n_targets
                                        : static_cast<std::uint32_t>(k_max_theta_targets);
    for (std::uint32_t train = 0; train < pr.max_trains; ++train) {
        for (std::uint32_t b = 0; b < pr.bursts_per_train; ++b) {
            const double t0 = d.t_s;
            detail::BurstOnsets onsets{t0, pr.spike_period_s, pr.spikes_per_burst, 0};
            double pending = onsets();
            res.n_pre += drive_spikes(d, pr.drive, bc, onsets, pending, t0 + pr.burst_period_s);
            if (out.g_after_burst_S)
                out.g_after_burst_S[train * pr.bursts_per_train + b] =
                    state_conductance_S(d, pr.v_read_V);
        }
        if (pr.train_gap_s > 0.0) {
            detail::BurstOnsets none{d.t_s, 0.0, 0, 0};
            double pending = k_never_s;
            drive_spikes(d, pr.drive, bc, none, pending, d.t_s + pr.train_gap_s);
        }
        const double g = state_conductance_S(d, pr.v_read_V);
        if (out.g_after_train_S)
            out.g_after_train_S[train] = g;
        res.n_trains = train + 1;
        while (next_target < n_targets && g >= pr.target_g_S[next_target])
            res.trains_to_target[next_target++] = train + 1;
        if (n_targets > 0 && next_target == n_targets)
            break;
    }
    res.n_backspikes = bc.delivered;
    return res;
}

} // namespace memlif
