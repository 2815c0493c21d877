// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/exact_trial.hpp
//! The exact event-driven solver of one trial (model.md §2.2, performance.md §5.4). The drive is
//! piecewise constant (rectangular input spikes, back-spikes that disconnect the inputs), so
//! between two events the membrane follows its closed form
//!     u(t + h) = u_inf + (u(t) - u_inf) e^{-h/tau},   u_inf = sum of the weights of the inputs on,
//! and a threshold crossing inside a segment is solved for in closed form,
//!     t_c = t + tau ln[(u_inf - u(t)) / (u_inf - 1)]        (armed, u(t) < 1 < u_inf),
//! in double precision. The events are the input-spike edges, the back-spike edges, the crossings
//! and the resets; there is no time step. Fire/reset rule of model.md §2.2: a spike with onset t_c,
//! disarmed until the reset at exactly t_c + T_delay, where u := 0 and the neuron re-arms. The
//! output bit is floor(t_c / output bin); crossings at or after the window end are lost.
//!
//! Same trial layout, Philox streams and draw indices as run_trial (trial.hpp): RngStream::jitter
//! index b gives the four onsets of input bin b, RngStream::backspike index j the j-th back-spike
//! interval. No new draw. Same TrialResult. Scope: fixed-state synapses (plasticity off), i.e.
//! every card whose drive is piecewise constant.
//!
//! Cost: one exp per input spike and per reset, one log per crossing, no exp per segment: the
//! state is kept scaled by e^{(t - t_ref)/tau} (ExactState), under which a held u_inf only adds to
//! it. The spikes of an input bin are sorted by onset and the bin loop is specialised on their
//! number, so a segment tests only the spikes that exist. Registers only: fixed-size arrays with
//! compile-time indices, no containers; one trial per call (one per CUDA thread).
//!
//! Preconditions (validated on the host): tau_s > 0; every spike fits in its input bin (onset
//! delay + width <= input_bin_s), as for the fixed step; input_bin_s < 700 tau_s (the scaling
//! stays inside the double range within a bin); weights finite. With delay_s = 0 a held input
//! above threshold fires every tau ln(u_inf / (u_inf - 1)), which is > 0 for u_inf < 2^53.
#pragma once

#include "backspike.hpp"
#include "exact_params.hpp"
#include "jitter.hpp"
#include "macros.hpp"
#include "params.hpp"
#include "rng.hpp"
#include "trial.hpp"
#include "variates.hpp"

#include <cmath>
#include <cstdint>

namespace memlif {

//! Observer of an exact trial that records nothing (the production path); tests pass one that
//! records spike, reset and edge times.
struct ExactNoObserver {
    //! A threshold crossing at t_s <= the window end (the solver stops there; a crossing exactly
    //! at the end is reported but, like the fixed step's, not coded).
    MEMLIF_HD_INLINE void on_spike(double t_s) { (void)t_s; }
    //! The reset at t_s = t_c + T_delay.
    MEMLIF_HD_INLINE void on_reset(double t_s) { (void)t_s; }
    //! The solver reached the event time t_s (an edge, reset or back-spike) with the membrane at
    //! u = v / e (the scaled state, ExactState; passed unscaled so the production path divides
    //! nothing).
    MEMLIF_HD_INLINE void on_event(double t_s, double v, double e) {
        (void)t_s;
        (void)v;
        (void)e;
    }
};

namespace detail {

//! Time beyond every event of a trial: the edges of absent pulses, the reset of an armed neuron.
constexpr double k_exact_never = 1.0e300;

//! Onset delay (s) inside its input bin from 32 random bits (the draw run_trial uses for the same
//! input and bin).
MEMLIF_HD_FORCE_INLINE double exact_onset_delay_s(const ExactParams& p, std::uint32_t r) {
    if (p.timing == OnsetTiming::grid)
        return static_cast<double>(jitter_onset_steps(p.jitter, r)) * p.grid_dt_s;
    if (p.jitter.law == JitterLaw::uniform) return u01_open(r) * p.jitter_max_s;
    if (p.jitter.law == JitterLaw::table)
        return static_cast<double>(jitter_table_index(p.jitter, r)) * p.jitter_unit_s;
    return 0.0;
}

//! The input spikes of one input bin, sorted by onset: slots 0..n-1 hold the n present spikes
//! [on_k, on_k + T_spk) with their weights; absent slots sit at k_exact_never. Fixed-size arrays
//! indexed only by compile-time constants (fully unrolled loops), so they live in registers.
struct ExactBin {
    double on[k_inputs];
    double w[k_inputs];
    int n;
};

//! Orders slots a < b by onset (a compare-exchange of the sorting network).
MEMLIF_HD_INLINE void exact_order(ExactBin& s, int a, int b) {
    const bool swap = s.on[b] < s.on[a];
    const double on_a = swap ? s.on[b] : s.on[a], on_b = swap ? s.on[a] : s.on[b];
    const double w_a = swap ? s.w[b] : s.w[a], w_b = swap ? s.w[a] : s.w[b];
    s.on[a] = on_a;
    s.on[b] = on_b;
    s.w[a] = w_a;
    s.w[b] = w_b;
}

MEMLIF_HD_INLINE void exact_slot(ExactBin& s, const ExactParams& p, std::uint32_t code, int input,
                                 int bin, std::uint32_t r, double w) {
    const bool present = stimulus_bit(code, input, bin);
    s.on[input] = present ? bin * p.input_bin_s + exact_onset_delay_s(p, r) : k_exact_never;
    s.w[input] = present ? w : 0.0;
    s.n += present ? 1 : 0;
}

//! The spikes of input bin `bin` from its jitter draw (RngStream::jitter, index = bin, word i for
//! input i: the draw run_trial uses), sorted by onset with the optimal 4-input network.
MEMLIF_HD_INLINE ExactBin exact_bin(const ExactParams& p, const ExactDrive& d, std::uint32_t code,
                                    std::uint64_t trial_id, int bin) {
    const Philox4x32 r =
        trial_draw(p.seed, trial_id, static_cast<std::uint32_t>(bin), RngStream::jitter);
    ExactBin s;
    s.n = 0;
    exact_slot(s, p, code, 0, bin, r.x, d.w0);
    exact_slot(s, p, code, 1, bin, r.y, d.w1);
    exact_slot(s, p, code, 2, bin, r.z, d.w2);
    exact_slot(s, p, code, 3, bin, r.w, d.w3);
    exact_order(s, 0, 1);
    exact_order(s, 2, 3);
    exact_order(s, 0, 2);
    exact_order(s, 1, 3);
    exact_order(s, 1, 2);
    return s;
}

//! Lowers `next` to `edge` when the edge lies strictly inside (t, next).
MEMLIF_HD_INLINE void exact_clip(double& next, double t, double edge) {
    next = (edge > t && edge < next) ? edge : next;
}

//! Back-spike schedule in registers. Onsets are kept in `units` (grid: steps, exact integers in a
//! double; continuous: seconds) and converted once per back-spike.
struct ExactBackspikeState {
    double next_onset_s = k_exact_never;
    double block_end_s = 0.0;
    double next_onset_units = 0.0;
    std::uint32_t count = 0;
};

//! Interval before back-spike number `index`, in units: grid: backspike_interval_steps (the fixed
//! step's rounded draw); continuous: -mean ln(u01_open(r)) seconds.
MEMLIF_HD_INLINE double exact_backspike_interval_units(const ExactParams& p, std::uint64_t trial_id,
                                                       std::uint32_t index) {
    if (p.timing == OnsetTiming::grid)
        return static_cast<double>(backspike_interval_steps(p.backspike, p.seed, trial_id, index));
    const Philox4x32 r = trial_draw(p.seed, trial_id, index, RngStream::backspike);
    return exponential_variate(r.x, p.backspike_mean_interval_s);
}

MEMLIF_HD_INLINE double exact_units_to_s(const ExactParams& p, double units) {
    return p.timing == OnsetTiming::grid ? units * p.grid_dt_s : units;
}

//! The process starts at t = 0 with no back-spike in progress (as backspike_start).
MEMLIF_HD_INLINE ExactBackspikeState exact_backspike_start(const ExactParams& p,
                                                           std::uint64_t trial_id) {
    ExactBackspikeState s;
    s.next_onset_units = exact_backspike_interval_units(p, trial_id, 0);
    s.next_onset_s = exact_units_to_s(p, s.next_onset_units);
    s.count = 1;
    return s;
}

//! Starts every back-spike whose onset is at or before t: it blocks [onset, onset + width).
MEMLIF_HD_INLINE void exact_backspike_advance(ExactBackspikeState& s, const ExactParams& p,
                                              std::uint64_t trial_id, double t) {
    while (s.next_onset_s <= t) {
        s.block_end_s = p.timing == OnsetTiming::grid
                            ? (s.next_onset_units + p.backspike.width_steps) * p.grid_dt_s
                            : s.next_onset_s + p.backspike_width_s;
        s.next_onset_units += exact_backspike_interval_units(p, trial_id, s.count++);
        s.next_onset_s = exact_units_to_s(p, s.next_onset_units);
    }
}

//! Output coding of a crossing at t_c (model.md §5): bit floor(t_c / output bin), lost at or
//! after the window end.
MEMLIF_HD_INLINE void exact_record_spike(TrialResult& res, const ExactParams& p, double t_c) {
    if (!(t_c < p.window_s)) return;
    const auto bin = static_cast<std::uint32_t>(t_c / p.output_bin_s);
    if (bin < p.n_output_bins) {
        res.word |= 1ull << bin;
        ++res.n_spikes;
    }
}

//! Largest (t - t_ref) / tau a trial lets its scaled state reach before re-basing (exp(300) is far
//! from the double range, exp(709)). The default card never re-bases: 200 ms / 20 ms = 10.
constexpr double k_exact_rebase = 300.0;

//! State of an exact trial, carried from one input bin to the next. The membrane is kept scaled,
//! v = u e, with e = exp((t - t_ref) / tau): then u_inf held from t1 to t2 adds
//! u_inf (e(t2) - e(t1)) to v, the decay is implicit, and e at a spike edge is one exp per spike
//! (on) and one multiply (off = on + T_spk) instead of one exp per segment. v only grows between
//! resets (it adds non-negative terms), so u = v / e keeps full relative precision.
struct ExactState {
    double t = 0.0;                 //!< time reached (s)
    double t_ref = 0.0;             //!< reference time of the scaling (s)
    double e = 1.0;                 //!< exp((t - t_ref) / tau)
    double v = 0.0;                 //!< u(t) e
    double reset_t = k_exact_never; //!< pending reset time (s) while disarmed
    double e_reset = 0.0;           //!< its e; 0 = not known, computed when reached
    bool armed = true;
    ExactBackspikeState bs;
    TrialResult res;
};

//! Per-trial constants of the scaled solution.
struct ExactConstants {
    double inv_tau;
    double e_spike; //!< exp(T_spk / tau): e(off) = e(on) e_spike
    double g_spike; //!< 1 - exp(-T_spk / tau): the most one spike of weight 1 adds to u
    double e_delay; //!< exp(T_delay / tau): e(reset) = e(t_c) e_delay; 0 if out of range
};

MEMLIF_HD_INLINE ExactConstants exact_constants(const ExactParams& p) {
    ExactConstants c;
    c.inv_tau = 1.0 / p.tau_s;
    c.e_spike = std::exp(p.spike_width_s * c.inv_tau);
    c.g_spike = 1.0 - 1.0 / c.e_spike;
    // e(reset) = e(t_c) e_delay is used only for a reset before the end of the current bin, where
    // e <= exp(max(k_exact_rebase, input_bin_s / tau)) < exp(700): finite. A longer delay (where
    // the product could overflow before it is needed) falls back to one exp when the reset is
    // reached.
    c.e_delay = p.delay_s * c.inv_tau < k_exact_rebase ? std::exp(p.delay_s * c.inv_tau) : 0.0;
    return c;
}

//! Moves the scaling reference to t0 >= st.t, across a stretch without input (u_inf = 0): u
//! relaxes freely, and a reset due on the way sets it to 0. Keeps e in range on long windows.
template <class Observer>
MEMLIF_HD_INLINE void exact_rebase(ExactState& st, double t0, double inv_tau, Observer& obs) {
    double u = st.v / st.e;
    if (!st.armed && st.reset_t <= t0) {
        u = 0.0;
        st.armed = true;
        obs.on_reset(st.reset_t);
        st.reset_t = k_exact_never;
    }
    u *= std::exp((st.t - t0) * inv_tau);
    st.t = t0;
    st.t_ref = t0;
    st.e = 1.0;
    st.v = u;
    st.e_reset = 0.0; // relative to the old reference: recompute when reached
}

//! Lowers `next` to an edge strictly inside (t, next), taking its scaled time e along.
MEMLIF_HD_INLINE void exact_clip_edge(double& next, double& e_next, bool& lazy, double t,
                                      double edge, double e_edge) {
    const bool take = edge > t && edge < next;
    next = take ? edge : next;
    e_next = take ? e_edge : e_next;
    lazy = take ? false : lazy;
}

//! Lowers `next` to an edge whose e is computed only if it is taken (back-spike, window).
MEMLIF_HD_INLINE void exact_clip_lazy(double& next, bool& lazy, double t, double edge) {
    const bool take = edge > t && edge < next;
    next = take ? edge : next;
    lazy = take ? true : lazy;
}

//! The reset at st.reset_t (<= the current event): u := 0 and the neuron re-arms.
template <class Observer> MEMLIF_HD_INLINE void exact_reset(ExactState& st, Observer& obs) {
    obs.on_reset(st.reset_t);
    st.v = 0.0;
    st.armed = true;
    st.reset_t = k_exact_never;
    st.e_reset = 0.0;
}

//! Advances the state through the N present spikes of one input bin, up to the end of its last
//! spike (or the window end).
//!
//! Fast path: the membrane is linear between resets, so v (the scaled u) is its start value plus
//! one term per input spike, and an armed neuron can only cross where u peaks, at an input's end.
//! When u stays below threshold at every input end (or the neuron stays disarmed, or re-arms too
//! late to rise to threshold) no crossing can occur, and the bin is v += sum_k w_k (e(off_k) -
//! e(on_k)) without visiting its edges in order (most bins at low and middle G).
//!
//! Otherwise each pass of the loop is one segment of constant u_inf from t to the next event: a
//! spike edge, the reset, a back-spike edge, or a threshold crossing.
template <int N, bool Backspikes, class Observer>
MEMLIF_HD_INLINE void exact_run_bin(ExactState& st, const ExactParams& p, const ExactBin& bin,
                                    const ExactConstants& c, std::uint64_t trial_id,
                                    Observer& obs) {
    // sorted by onset with equal widths: the last spike to end is slot N - 1
    const double last_off = bin.on[N - 1] + p.spike_width_s;
    const double stop = last_off < p.window_s ? last_off : p.window_s;
    if (!(st.t < stop)) return;
    if ((stop - st.t_ref) * c.inv_tau > k_exact_rebase) exact_rebase(st, bin.on[0], c.inv_tau, obs);
    double on[N], off[N], w[N], e_on[N], e_off[N];
    double w_sum = 0.0;
    for (int k = 0; k < N; ++k) {
        on[k] = bin.on[k];
        off[k] = bin.on[k] + p.spike_width_s;
        w[k] = bin.w[k];
        w_sum += w[k];
        e_on[k] = std::exp((on[k] - st.t_ref) * c.inv_tau);
        e_off[k] = e_on[k] * c.e_spike;
    }
    bool quiet = stop == last_off; // the window does not cut the bin
    if (Backspikes) {
        exact_backspike_advance(st.bs, p, trial_id, st.t);
        quiet = quiet && st.bs.next_onset_s >= stop && st.bs.block_end_s <= st.t;
    }
    if (quiet) {
        const double margin = 1.0 - 1e-12;
        bool can_cross;
        const bool reset_inside = !st.armed && st.reset_t < stop;
        if (st.armed) {
            // u peaks at an input's end (u_inf only drops there), so test u(off_k) for every k:
            // v(off_k) = v + sum_j w_j (e(min(off_j, off_k)) - e(on_j)) over the j on before off_k
            can_cross = false;
            for (int k = 0; k < N; ++k) {
                double v_k = st.v;
                for (int j = 0; j < N; ++j) {
                    const double e_end = j <= k ? e_off[j] : e_off[k];
                    v_k += (j <= k || on[j] < off[k]) ? w[j] * (e_end - e_on[j]) : 0.0;
                }
                can_cross = can_cross || v_k >= margin * e_off[k];
            }
        } else {
            // disarmed: a crossing needs the reset inside the bin and then, from u = 0, a rise
            // of at least 1, and each input adds at most w (1 - e^{-T_spk/tau})
            can_cross = reset_inside && w_sum * c.g_spike >= margin;
        }
        if (!can_cross) {
            if (reset_inside) { // only the charge after the reset counts
                const double t_r = st.reset_t;
                const double e_r =
                    st.e_reset > 0.0 ? st.e_reset : std::exp((t_r - st.t_ref) * c.inv_tau);
                exact_reset(st, obs);
                for (int k = 0; k < N; ++k)
                    if (off[k] > t_r) st.v += w[k] * (e_off[k] - (on[k] > t_r ? e_on[k] : e_r));
            } else {
                for (int k = 0; k < N; ++k) st.v += w[k] * (e_off[k] - e_on[k]);
            }
            st.t = stop;
            st.e = e_off[N - 1];
            obs.on_event(stop, st.v, st.e);
            return;
        }
    }
    while (st.t < stop) {
        const double t = st.t;
        if (!st.armed && t >= st.reset_t) exact_reset(st, obs);
        double u_inf = 0.0, next = stop, e_next = e_off[N - 1];
        bool lazy = stop != last_off; // the window ends inside this bin
        for (int k = 0; k < N; ++k) {
            u_inf += (t >= on[k] && t < off[k]) ? w[k] : 0.0;
            exact_clip_edge(next, e_next, lazy, t, on[k], e_on[k]);
            exact_clip_edge(next, e_next, lazy, t, off[k], e_off[k]);
        }
        if (!st.armed) {
            if (st.e_reset > 0.0)
                exact_clip_edge(next, e_next, lazy, t, st.reset_t, st.e_reset);
            else
                exact_clip_lazy(next, lazy, t, st.reset_t);
        }
        if (Backspikes) {
            exact_backspike_advance(st.bs, p, trial_id, t);
            if (t < st.bs.block_end_s) u_inf = 0.0;
            exact_clip_lazy(next, lazy, t, st.bs.next_onset_s);
            exact_clip_lazy(next, lazy, t, st.bs.block_end_s);
        }
        if (lazy) e_next = std::exp((next - st.t_ref) * c.inv_tau);
        if (u_inf > 0.0) {
            const double v_next = st.v + u_inf * (e_next - st.e);
            // u is monotonic inside a segment, so it crosses iff it ends at or above threshold.
            if (st.armed && u_inf > 1.0 && v_next >= e_next) {
                // u(t_c) = 1: v + u_inf (e_c - e) = e_c
                double e_c = (u_inf * st.e - st.v) / (u_inf - 1.0);
                double t_c = st.t_ref + p.tau_s * std::log(e_c);
                if (t_c < t) { // rounding near the segment ends
                    t_c = t;
                    e_c = st.e;
                } else if (t_c > next) {
                    t_c = next;
                    e_c = e_next;
                }
                obs.on_spike(t_c);
                exact_record_spike(st.res, p, t_c);
                st.armed = false;
                st.reset_t = t_c + p.delay_s;
                st.e_reset = e_c * c.e_delay; // 0 when e_delay is out of range
                st.t = t_c;
                st.e = e_c;
                st.v = e_c; // u = 1
                continue;
            }
            st.v = v_next;
        }
        st.t = next;
        st.e = e_next;
        obs.on_event(next, st.v, e_next);
    }
}

//! The drive source of exact_trial_events without device noise: every bin gets the condition's
//! weights. exact_noisy_trial.hpp passes its per-bin noisy weights through the same walk.
struct ExactConstantDrive {
    ExactDrive d;
    MEMLIF_HD_INLINE ExactDrive bin_drive(int /*bin*/) const { return d; }
};

//! The event walk of one trial; `src.bin_drive(b)` gives the weights of input bin b.
template <bool Backspikes, class DriveSource, class Observer>
MEMLIF_HD_INLINE TrialResult exact_trial_events(const ExactParams& p, const DriveSource& src,
                                                std::uint32_t code, std::uint64_t trial_id,
                                                Observer& obs) {
    ExactState st;
    if (Backspikes) st.bs = exact_backspike_start(p, trial_id);
    const ExactConstants c = exact_constants(p);
    // Every spike lies inside its own input bin, so bins are visited in order. After the last
    // spike of the trial u_inf = 0 for good: no crossing can follow, and the trial ends there.
    // The loop over the spikes of a bin is specialised on their number (2 on average), so a
    // segment tests only the spikes that exist.
    for (int b = 0; b < k_input_bins; ++b) {
        if (((code >> b) & 0x1111u) == 0)
            continue; // no spike in this bin: its draws are not needed
        const ExactBin bin = exact_bin(p, src.bin_drive(b), code, trial_id, b);
        switch (bin.n) {
        case 1:
            exact_run_bin<1, Backspikes>(st, p, bin, c, trial_id, obs);
            break;
        case 2:
            exact_run_bin<2, Backspikes>(st, p, bin, c, trial_id, obs);
            break;
        case 3:
            exact_run_bin<3, Backspikes>(st, p, bin, c, trial_id, obs);
            break;
        default:
            exact_run_bin<4, Backspikes>(st, p, bin, c, trial_id, obs);
            break;
        }
    }
    return st.res;
}

//! The exact trial without device noise (run_exact_trial and the CUDA kernel).
template <bool Backspikes, class Observer>
MEMLIF_HD_INLINE TrialResult run_exact_trial_impl(const ExactParams& p, const ExactDrive& d,
                                                  std::uint32_t code, std::uint64_t trial_id,
                                                  Observer& obs) {
    return exact_trial_events<Backspikes>(p, ExactConstantDrive{d}, code, trial_id, obs);
}

} // namespace detail

//! Simulates trial `trial_id` of stimulus `code` exactly, reporting spikes, resets and event
//! states to `obs` (see ExactNoObserver for the interface).
template <class Observer>
MEMLIF_HD_INLINE TrialResult run_exact_trial_observed(const ExactParams& p, const ExactDrive& d,
                                                      std::uint32_t code, std::uint64_t trial_id,
                                                      Observer& obs) {
    if (p.backspike.enabled) return detail::run_exact_trial_impl<true>(p, d, code, trial_id, obs);
    return detail::run_exact_trial_impl<false>(p, d, code, trial_id, obs);
}

//! Simulates trial `trial_id` (see make_trial_id) of stimulus `code` with the exact solver. Like
//! run_trial, the result depends only on (p, d, code, trial_id).
MEMLIF_HD_INLINE TrialResult run_exact_trial(const ExactParams& p, const ExactDrive& d,
                                             std::uint32_t code, std::uint64_t trial_id) {
    ExactNoObserver obs;
    return run_exact_trial_observed(p, d, code, trial_id, obs);
}

} // namespace memlif
