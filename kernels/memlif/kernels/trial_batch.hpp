// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/trial_batch.hpp
//! Several fixed-step trials of one condition advanced in lockstep, for the CPU. One trial is a
//! single dependent chain u <- u e^{-dt/tau} + a per step, so one trial per thread leaves the core
//! waiting on its multiply-add latency; N independent chains per step fill the pipelines and let
//! the compiler pack lanes into SIMD registers. Each lane runs exactly the arithmetic of run_trial
//! (the same window_drive, lif_integrate and lif_fire_reset, in the same order), so every lane's
//! result equals run_trial bit for bit.
//!
//! Meant for the CPU backend. On a GPU one thread per trial (run_trial) already hides the latency
//! across warps, and the lane arrays here would cost registers.
#pragma once

#include "backspike.hpp"
#include "lif.hpp"
#include "macros.hpp"
#include "params.hpp"
#include "trial.hpp"

#include <cstdint>
#include <cstring>

namespace memlif {

//! Lanes per group of run_trials: 16 chains (8 SSE2 registers) cover the 8-cycle multiply + add
//! latency with room to spare; on a 2-core Sapphire Rapids VM 8 lanes gave 4.5x and 16 lanes 5-7x
//! the one-trial loop (bench/RESULTS.md), 24 and 32 no more than 16.
constexpr int k_interleave_lanes = 16;

namespace detail {

//! Integrates every lane over steps k, k+1, ... of one segment until the segment ends or some lane
//! needs the fire/reset rule after the step just taken (u >= its threshold, or the step is the
//! earliest pending reset). Advances k past the last step taken; returns whether the rule is due.
//! With GCC/Clang the lanes are packed two per 128-bit vector (SSE2, NEON), and the lane arrays are
//! copied to locals that only straight-line code touches, so the chains stay in registers; the
//! arithmetic per lane is lif_integrate's, in IEEE double either way.
template <int N>
inline bool step_lanes(double* u, const double* drive, const double* threshold, double decay,
                       std::uint32_t& k, std::uint32_t seg_end, std::uint32_t next_reset) {
#if defined(__GNUC__) && !defined(__CUDACC__)
    if constexpr (N % 2 == 0) {
        typedef double Pair __attribute__((vector_size(16)));
        constexpr int n_pairs = N / 2;
        Pair uu[n_pairs], dd[n_pairs], tt[n_pairs];
        std::memcpy(uu, u, sizeof uu);
        std::memcpy(dd, drive, sizeof dd);
        std::memcpy(tt, threshold, sizeof tt);
        bool due = false;
        while (!due && k < seg_end) {
            due = k + 1 == next_reset;
            uu[0] = lif_integrate(uu[0], dd[0], decay);
            auto hit = uu[0] >= tt[0];
            for (int v = 1; v < n_pairs; ++v) {
                uu[v] = lif_integrate(uu[v], dd[v], decay);
                hit |= uu[v] >= tt[v];
            }
            due |= (hit[0] | hit[1]) != 0;
            ++k;
        }
        std::memcpy(u, uu, sizeof uu);
        return due;
    }
#endif
    double uu[N];
    for (int j = 0; j < N; ++j)
        uu[j] = u[j];
    bool due = false;
    while (!due && k < seg_end) {
        due = k + 1 == next_reset;
        for (int j = 0; j < N; ++j) {
            uu[j] = lif_integrate(uu[j], drive[j], decay);
            due |= uu[j] >= threshold[j];
        }
        ++k;
    }
    for (int j = 0; j < N; ++j)
        u[j] = uu[j];
    return due;
}

//! The group's steps run in segments that end at the first pulse, back-spike or bin edge of any
//! lane, so every lane's drive is constant inside a segment exactly as in its own run_trial.
//! Inside a segment each step integrates all lanes, then applies the fire/reset rule only when
//! some lane needs it (an armed lane at threshold, or a due reset); otherwise the rule is a no-op.
template <int N, bool Backspikes>
MEMLIF_HD_INLINE void run_trials_interleaved_impl(const SimParams& p, const SynapseDrive& d,
                                                  const std::uint32_t* codes,
                                                  const std::uint64_t* ids, TrialResult* out) {
    constexpr double never = 1.0e300; // threshold of a disarmed lane: no u reaches it
    double u[N], drive[N], threshold[N];
    std::uint32_t reset_at[N];
    bool armed[N];
    BinWindows w[N];
    BackspikeState bs[N];
    TrialResult res[N];
    for (int j = 0; j < N; ++j) {
        u[j] = 0.0;
        threshold[j] = 1.0;
        reset_at[j] = 0;
        armed[j] = true;
        bs[j] = backspike_start(p.backspike, p.seed, ids[j]);
    }
    std::uint32_t next_reset = 0xFFFFFFFFu; // earliest pending reset step over the lanes
    std::uint32_t k = 0;
    for (int b = 0; b <= k_input_bins; ++b) {
        for (int j = 0; j < N; ++j)
            w[j] = b < k_input_bins ? bin_windows(p, codes[j], ids[j], b) : BinWindows{};
        const std::uint32_t end = bin_end_step(p, b);
        while (k < end) {
            std::uint32_t seg_end = end;
            for (int j = 0; j < N; ++j) {
                drive[j] = window_drive(w[j], d, k);
                clip_to_windows(seg_end, w[j], k);
                if (Backspikes) {
                    if (backspike_blocks(bs[j], p.backspike, p.seed, ids[j], k))
                        drive[j] = 0.0;
                    clip_to_edge(seg_end, k, bs[j].next_onset);
                    clip_to_edge(seg_end, k, bs[j].block_end);
                }
            }
            while (k < seg_end) {
                const bool due =
                    step_lanes<N>(u, drive, threshold, p.decay, k, seg_end, next_reset);
                if (!due)
                    continue;
                // The rule at the end of step k - 1, exactly as lif_step applies it.
                next_reset = 0xFFFFFFFFu;
                for (int j = 0; j < N; ++j) {
                    LifState s;
                    s.u = u[j];
                    s.reset_at = reset_at[j];
                    s.armed = armed[j];
                    if (lif_rule_due(s, k) && lif_fire_reset(s, k, p.delay_steps))
                        record_spike(res[j], p, k);
                    u[j] = s.u;
                    reset_at[j] = s.reset_at;
                    armed[j] = s.armed;
                    threshold[j] = s.armed ? 1.0 : never;
                    if (!s.armed && s.reset_at < next_reset)
                        next_reset = s.reset_at;
                }
            }
        }
    }
    for (int j = 0; j < N; ++j)
        out[j] = res[j];
}

} // namespace detail

//! Runs the N trials (codes[j], ids[j]) of one condition in lockstep: out[j] equals
//! run_trial(p, d, codes[j], ids[j]) bit for bit, for any N >= 1.
template <int N>
MEMLIF_HD_INLINE void run_trials_interleaved(const SimParams& p, const SynapseDrive& d,
                                             const std::uint32_t* codes, const std::uint64_t* ids,
                                             TrialResult* out) {
    if (p.backspike.enabled)
        detail::run_trials_interleaved_impl<N, true>(p, d, codes, ids, out);
    else
        detail::run_trials_interleaved_impl<N, false>(p, d, codes, ids, out);
}

//! Any number of trials: groups of k_interleave_lanes, the remainder one by one through run_trial.
MEMLIF_HD_INLINE void run_trials(const SimParams& p, const SynapseDrive& d, std::uint64_t n,
                                 const std::uint32_t* codes, const std::uint64_t* ids,
                                 TrialResult* out) {
    constexpr int n_lanes = k_interleave_lanes;
    const std::uint64_t full = n - n % n_lanes;
    for (std::uint64_t i = 0; i < full; i += n_lanes)
        run_trials_interleaved<n_lanes>(p, d, codes + i, ids + i, out + i);
    for (std::uint64_t i = full; i < n; ++i)
        out[i] = run_trial(p, d, codes[i], ids[i]);
}

} // namespace memlif
