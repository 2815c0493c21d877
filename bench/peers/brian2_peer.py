#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Brian2 peer of one memlif condition (issue 9): the same trial, one neuron per trial.

    build/bench/memlif_peer_words 1 15 /tmp/memlif_c1.csv
    /usr/bin/python3 bench/peers/brian2_peer.py /tmp/memlif_c1.csv [--repeats R] [--workdir DIR]

Reads the neuron and protocol constants from memlif_peer_words' CSV header (so both simulate the
same neuron: normalised weight w, tau, T_delay, 10 ms spikes in 50 ms bins with the clipped
Poisson(20 ms) delay on a 1 ms grid, 20 x 10 ms output bins), runs the 3876 symmetric stimuli x R
repeats in Brian2 `cpp_standalone` (single thread), and compares the per-stimulus firing
probability P(word != 0) with memlif's fixed step and exact solver.

Formulation (event-based, Brian2's best for this model): the membrane is normalised,
dv/dt = (I - v) / tau integrated with method='exact' at dt = 10 us; each input spike is two
synaptic events on its own generator channel, I += w at the onset and I -= w at the offset,
applied before the state update of their step (when='before_groups'), so I is piecewise constant
exactly as in memlif. Threshold v >= 1; the neuron is refractory (no threshold) until the reset
T_delay later, integrating on; a custom event then sets v = 0 (model.md §2.2). Brian2 has no
back-spikes here (they are off on the paper card).

Brian2 draws its own delays (numpy, same law), so the comparison is statistical: for every
stimulus the difference of two binomial proportions, z = (p_a - p_b) / sqrt(pbar (1 - pbar) (1/n_a
+ 1/n_b)); over the stimuli with 0 < pbar < 1, mean z^2 should be about 1 and |z| > 3 rare. Where
almost every trial fires (13.6 uS) the same is done for the mean number of output spikes (Welch z).
Exit status 1 if a mean z^2 exceeds 1.5.

Timing: wall time of the compiled standalone binary alone (`device.run`), excluding code
generation and compilation, which are reported separately.
"""
import argparse
import math
import os
import sys
import tempfile
import time

import numpy as np


def read_memlif_csv(path):
    header, rows = {}, []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("#"):
                k, v = line[1:].split("=")
                header[k.strip()] = float(v)
            elif line and not line.startswith("code"):
                rows.append([int(x) for x in line.split(",")])
    return header, np.array(rows, dtype=np.int64)


def poisson_delays_ms(rng, size, mean_units, max_units):
    """The clipped Poisson delay of the default card: k ~ Poisson(mean), d = min(k, max) units."""
    return np.minimum(rng.poisson(mean_units, size=size), max_units)


def build_inputs(codes, repeats, h, rng):
    """Generator channels (trial * 8 + input * 2 + {0 on, 1 off}), times (s) and per-channel dI."""
    unit = h["jitter_unit_s"]
    mean_units = h["jitter_mean_s"] / unit
    max_units = int(round(h["jitter_max_s"] / unit))
    n_trials = len(codes) * repeats
    trial_code = np.repeat(codes, repeats)
    idx, times = [], []
    for b in range(4):
        delays = poisson_delays_ms(rng, (n_trials, 4), mean_units, max_units) * unit
        for i in range(4):
            on = ((trial_code >> (4 * i + b)) & 1).astype(bool)
            trials = np.nonzero(on)[0]
            t_on = b * h["input_bin_s"] + delays[trials, i]
            idx.append(trials * 8 + i * 2)
            times.append(t_on)
            idx.append(trials * 8 + i * 2 + 1)
            times.append(t_on + h["spike_width_s"])
    return n_trials, np.concatenate(idx), np.concatenate(times)


def run_brian(codes, repeats, h, seed, workdir):
    import brian2 as b2

    b2.set_device("cpp_standalone", directory=workdir, build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0  # one thread: a per-core figure
    b2.defaultclock.dt = h["dt_s"] * b2.second
    rng = np.random.default_rng(seed)
    n_trials, ch, t_s = build_inputs(codes, repeats, h, rng)
    # the generator refuses times that are not multiples of dt by rounding; ours are (1 ms grid)
    gen = b2.SpikeGeneratorGroup(n_trials * 8, ch, t_s * b2.second, sorted=False)
    tau = h["tau_s"] * b2.second
    delay_steps = int(round(h["t_delay_s"] / h["dt_s"]))
    eqs = """
    dv/dt = (I - v) / tau : 1
    I : 1
    reset_step : integer
    """
    neurons = b2.NeuronGroup(
        n_trials,
        eqs,
        threshold="v >= 1",
        reset="reset_step = timestep(t, dt) + delay_steps",
        refractory="timestep(t, dt) <= reset_step",
        events={"delayed_reset": "timestep(t, dt) == reset_step"},
        method="exact",
        namespace={"tau": tau, "delay_steps": delay_steps},
    )
    neurons.reset_step = -1
    neurons.run_on_event("delayed_reset", "v = 0")
    syn = b2.Synapses(gen, neurons, model="dI : 1 (constant)", on_pre="I_post += dI")
    syn.connect(j="i // 8")
    w = h["weight"]
    syn.dI = np.where(np.arange(n_trials * 8) % 2 == 0, w, -w)
    syn.pre.when = "before_groups"
    mon = b2.SpikeMonitor(neurons)
    b2.run(h["window_s"] * b2.second)
    t0 = time.perf_counter()
    b2.device.build(directory=workdir, compile=True, run=False)
    t1 = time.perf_counter()
    b2.device.run(directory=workdir, with_output=False, run_args=[])
    t2 = time.perf_counter()
    spike_i = np.asarray(mon.i[:])
    spike_t = np.asarray(mon.t[:] / b2.second)
    return n_trials, spike_i, spike_t, t1 - t0, t2 - t1


def z_stats(k_a, n_a, k_b, n_b):
    p_a, p_b = k_a / n_a, k_b / n_b
    pbar = (k_a + k_b) / (n_a + n_b)
    ok = (pbar > 0) & (pbar < 1)
    z = (p_a[ok] - p_b[ok]) / np.sqrt(pbar[ok] * (1 - pbar[ok]) * (1 / n_a[ok] + 1 / n_b[ok]))
    return z


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("memlif_csv")
    ap.add_argument("--repeats", type=int, default=None, help="Brian2 repeats per stimulus (default: memlif's)")
    ap.add_argument("--seed", type=int, default=20230523)
    ap.add_argument("--workdir", default=None, help="cpp_standalone build directory (default: a temp dir)")
    args = ap.parse_args()
    h, rows = read_memlif_csv(args.memlif_csv)
    codes = rows[:, 0]
    repeats = args.repeats or int(h["repeats"])
    workdir = args.workdir or tempfile.mkdtemp(prefix="brian2_peer_")
    n_trials, spike_i, spike_t, compile_s, run_s = run_brian(codes, repeats, h, args.seed, workdir)

    in_window = spike_t < h["window_s"]
    fired = np.zeros(n_trials, dtype=bool)
    fired[spike_i[in_window]] = True
    n_out = np.bincount(spike_i[in_window], minlength=n_trials)
    k_brian = fired.reshape(len(codes), repeats).sum(axis=1)
    counts_brian = n_out.reshape(len(codes), repeats)
    spikes_brian = counts_brian.sum(axis=1)
    sq_brian = (counts_brian.astype(np.int64) ** 2).sum(axis=1)
    n_b = np.full(len(codes), repeats, dtype=float)
    n_m = rows[:, 1].astype(float)

    print(f"condition {int(h['condition'])} (G = {h['g_uS']} uS, w = {h['weight']:.6f}), {len(codes)} stimuli")
    print(f"Brian2 cpp_standalone: {n_trials} trials, run {run_s:.3f} s wall (one thread) -> "
          f"{n_trials / run_s:.4g} trials/s; code generation + compilation {compile_s:.1f} s")
    print(f"memlif (same card, memlif_peer_words): fixed {h['fixed_trials_per_s']:.4g} trials/s, "
          f"exact {h['exact_trials_per_s']:.4g} trials/s")
    print(f"P(fire) averaged over stimuli: Brian2 {k_brian.sum() / n_b.sum():.4f}, "
          f"memlif fixed {rows[:, 2].sum() / n_m.sum():.4f}, exact {rows[:, 3].sum() / n_m.sum():.4f}")
    print(f"output spikes: Brian2 {spikes_brian.sum()} in {int(n_b.sum())} trials, memlif fixed "
          f"{rows[:, 4].sum()}, exact {rows[:, 5].sum()} in {int(n_m.sum())}")
    worst = 0.0
    expected_3 = 2 * (1 - 0.5 * (1 + math.erf(3 / math.sqrt(2))))
    for name, fired_col, sum_col, sq_col in (("fixed", 2, 4, 6), ("exact", 3, 5, 7)):
        z = z_stats(k_brian.astype(float), n_b, rows[:, fired_col].astype(float), n_m)
        if len(z):
            worst = max(worst, float(np.mean(z**2)))
            print(f"per-stimulus P(fire), Brian2 vs memlif {name}: {len(z)} stimuli with 0 < p < 1, "
                  f"mean z^2 = {np.mean(z**2):.4f} (1 expected), |z| > 3: {np.sum(np.abs(z) > 3)} "
                  f"({expected_3 * len(z):.1f} expected)")
        z = z_means(spikes_brian, sq_brian, n_b, rows[:, sum_col], rows[:, sq_col], n_m)
        if len(z):
            worst = max(worst, float(np.mean(z**2)))
            print(f"per-stimulus mean output spikes, Brian2 vs memlif {name}: {len(z)} stimuli with a "
                  f"non-zero variance, mean z^2 = {np.mean(z**2):.4f} (about 1 expected), |z| > 3: "
                  f"{np.sum(np.abs(z) > 3)} ({expected_3 * len(z):.1f} expected for normal z)")
    # Agreement within statistical error: mean z^2 near 1 (crude, the small-sample z is not normal).
    return 0 if worst < 1.5 else 1


def z_means(sum_a, sq_a, n_a, sum_b, sq_b, n_b):
    """Welch z of two per-stimulus means of spike counts, from their sums and sums of squares."""
    m_a, m_b = sum_a / n_a, sum_b / n_b
    v_a = np.maximum(sq_a / n_a - m_a**2, 0) * n_a / np.maximum(n_a - 1, 1)
    v_b = np.maximum(sq_b / n_b - m_b**2, 0) * n_b / np.maximum(n_b - 1, 1)
    se2 = v_a / n_a + v_b / n_b
    ok = se2 > 0
    return (m_a[ok] - m_b[ok]) / np.sqrt(se2[ok])


if __name__ == "__main__":
    sys.exit(main())
