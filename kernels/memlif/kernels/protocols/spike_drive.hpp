// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/protocols/spike_drive.hpp
//! A synapse driven by presynaptic spikes and Poisson back-spikes, in continuous time (model.md
//! §6): the waveform shared by the rate rule (§6.2) and the theta-burst protocol (§7).
//! * A presynaptic spike is a waveform of up to 4 rectangular parts (default: +0.1 V for 10 ms,
//!   model.md §6.1 [ASSUMPTION]; optional potentiation prefix and negative tail).
//! * A back-spike puts -V_bs across the memristor for 300 us [SEED width; ASSUMPTION amplitude] and
//!   disconnects the synapse from its source (model.md §2.1), so it masks a presynaptic spike in
//!   progress (whose timing runs on underneath). Onsets form a Poisson process of mean interval
//!   1 s [SEED]; draw m of (seed, device id, stream backspike) gives the m-th interval. Back-spikes
//!   that overlap merge.
//! * Between spikes the source is at 0 V and the state relaxes exactly (integrator.hpp).
//! The waveform is cut at every edge; each piece is integrated with the step of its pulse.
#pragma once

#include "../devices/integrator.hpp"
#include "../macros.hpp"
#include "../rng.hpp"
#include "../variates.hpp"

#include <cstdint>

namespace memlif {

constexpr int k_max_spike_parts = 4;
constexpr double k_never_s = 1e300; //!< "no further event"

//! Presynaptic spike waveform seen by the memristor.
struct SpikeWaveform {
    std::uint32_t n_parts = 1;                                  //!< 1..k_max_spike_parts
    double v_V[k_max_spike_parts] = {0.1, 0.0, 0.0, 0.0};       //!< part voltages (V) [ASSUMPTION]
    double width_s[k_max_spike_parts] = {10e-3, 0.0, 0.0, 0.0}; //!< part widths (s) [SEED: 10 ms]
};

MEMLIF_HD_INLINE double spike_length_s(const SpikeWaveform& w) {
    double t = 0.0;
    for (std::uint32_t j = 0; j < w.n_parts && j < static_cast<std::uint32_t>(k_max_spike_parts);
         ++j)
        t += w.width_s[j];
    return t;
}

//! Poisson back-spikes across the synapse (model.md §6.1).
struct BackspikeDrive {
    std::uint32_t enabled = 1;
    double amplitude_V =
        0.115; //!< V_bs: the memristor sees -V_bs (V) [ASSUMPTION]; nu0 ~ 10 Hz with UL-GAP
    double width_s = 300e-6;      //!< [SEED]
    double mean_interval_s = 1.0; //!< mean onset-to-onset interval (s) [SEED: "lambda = 1 s"]
};

//! The back-spike process between calls: the current (or next) window and the next onset.
struct BackspikeClock {
    double on_s = k_never_s;     //!< onset of the current or next back-spike window
    double end_s = k_never_s;    //!< its end
    double next_s = k_never_s;   //!< onset of the back-spike after it
    std::uint32_t count = 0;     //!< intervals drawn
    std::uint32_t delivered = 0; //!< back-spike windows entered (merged back-spikes count once)
};

namespace detail {
MEMLIF_HD_INLINE double backspike_interval_s(const BackspikeDrive& b, std::uint64_t seed,
                                             std::uint64_t id, std::uint32_t index) {
    return exponential_variate(trial_draw(seed, id, index, RngStream::backspike).x,
                               b.mean_interval_s);
}
} // namespace detail

//! Starts the process at t0 (the first onset one exponential interval later).
MEMLIF_HD_INLINE BackspikeClock backspike_clock_start(const BackspikeDrive& b, std::uint64_t seed,
                                                      std::uint64_t id, double t0_s) {
    BackspikeClock c;
    if (!b.enabled)
        return c;
    c.on_s = t0_s + detail::backspike_interval_s(b, seed, id, c.count++);
    c.end_s = c.on_s + b.width_s;
    c.next_s = c.on_s + detail::backspike_interval_s(b, seed, id, c.count++);
    return c;
}

//! Moves the window forward once time t has reached its end, merging overlapping back-spikes.
MEMLIF_HD_NOINLINE inline void backspike_clock_update(BackspikeClock& c, const BackspikeDrive& b,
                                                      std::uint64_t seed, std::uint64_t id,
                                                      double t_s) {
    if (!b.enabled)
        return;
    for (int guard = 0; guard < 1024 && t_s >= c.end_s; ++guard) {
        c.on_s = c.next_s;
        c.end_s = c.on_s + b.width_s;
        c.next_s = c.on_s + detail::backspike_interval_s(b, seed, id, c.count++);
        for (int g2 = 0; g2 < 1024 && c.next_s < c.end_s; ++g2) {
            c.end_s = c.next_s + b.width_s;
            c.next_s = c.next_s + detail::backspike_interval_s(b, seed, id, c.count++);
        }
    }
}

//! Electrical and numerical setting of a spike-driven synapse.
struct SpikeDriveSetup {
    SpikeWaveform pre;
    BackspikeDrive backspike;
    Circuit circuit; //!< R_s = 0 in the neuron circuit [SEED]
    StepRule step;
};

//! Drives the device from its clock to t_end. `next_onset` is a functor returning successive
//! presynaptic onsets (k_never_s when none); an onset earlier than the end of the previous spike
//! is delayed to that end (spikes never overlap). The first onset to use is `pending_onset_s`
//! (in/out, so a schedule can span calls). Returns the number of presynaptic spikes started.
template <class M, class NextOnset>
MEMLIF_HD_NOINLINE std::uint32_t drive_spikes(DeviceInstance<M>& d, const SpikeDriveSetup& su,
                                              BackspikeClock& bc, NextOnset& next_onset,
                                              double& pending_onset_s, double t_end_s) {
    const std::uint32_t n_parts = su.pre.n_parts < static_cast<std::uint32_t>(k_max_spike_parts)
                                      ? su.pre.n_parts
                                      : static_cast<std::uint32_t>(k_max_spike_parts);
    double cum[k_max_spike_parts + 1];
    cum[0] = 0.0;
    for (std::uint32_t j = 0; j < n_parts; ++j)
        cum[j + 1] = cum[j] + su.pre.width_s[j];
    const double length = cum[n_parts];
    std::uint32_t started = 0;
    double sp_on = pending_onset_s; // onset of the current or next spike
    double t = d.t_s;
    for (std::uint32_t guard = 0; guard < 0xFFFFFFF0u && t < t_end_s; ++guard) {
        backspike_clock_update(bc, su.backspike, d.seed, d.device_id, t);
        if (length > 0.0 && t >= sp_on + length) {
            double nxt = next_onset();
            if (nxt < sp_on + length)
                nxt = sp_on + length;
            sp_on = nxt;
        }
        double edge = t_end_s;
        double v = 0.0, width = 0.0;
        const bool bs_active = su.backspike.enabled && t >= bc.on_s && t < bc.end_s;
        if (bs_active) {
            v = -su.backspike.amplitude_V;
            width = su.backspike.width_s;
            if (bc.end_s < edge)
                edge = bc.end_s;
        } else if (su.backspike.enabled && bc.on_s > t && bc.on_s < edge) {
            edge = bc.on_s;
        }
        if (length > 0.0 && t >= sp_on) {
            std::uint32_t j = 0;
            while (j + 1 < n_parts && t >= sp_on + cum[j + 1])
                ++j;
            if (!bs_active) {
                v = su.pre.v_V[j];
                width = su.pre.width_s[j];
            }
            const double part_end = sp_on + cum[j + 1];
            if (part_end < edge)
                edge = part_end;
        } else if (length > 0.0 && sp_on > t && sp_on < edge) {
            edge = sp_on;
        }
        if (length > 0.0 && t == sp_on)
            ++started;
        if (su.backspike.enabled && t == bc.on_s)
            ++bc.delivered;
        if (!(edge > t))
            break;
        drive_segment(d, su.circuit, v, edge - t, width > 0.0 ? step_cap_s(su.step, width) : 0.0,
                      su.step.scheme, false);
        d.t_s = edge;
        t = edge;
    }
    pending_onset_s = sp_on;
    return started;
}

} // namespace memlif
