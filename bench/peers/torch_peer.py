#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""PyTorch peer of memlif's GPU backend (issue 9): a batched LIF of the same trial, on the GPU.

    build/bench/memlif_peer_words 2 15 /tmp/memlif_c2.csv
    python3 bench/peers/torch_peer.py /tmp/memlif_c2.csv [--rate-repeats R] [--time-limit S]

Reads the neuron and protocol constants from memlif_peer_words' CSV header, exactly as
bench/peers/brian2_peer.py does (normalised weight w, tau, T_delay, 10 ms spikes in 50 ms bins with
the clipped Poisson(20 ms) delay on a 1 ms grid, 20 x 10 ms output bins, dt), and simulates the
3876 symmetric stimuli in one batch, one tensor lane per trial, in float64 like memlif's membrane:

    u <- u e^{-dt/tau} + a n_on(k),   a = w (1 - e^{-dt/tau})   (model.md §2.2, memlif's step)
    armed and u >= 1 at the end of step k: an output spike with onset (k + 1) dt, disarm,
    reset (u = 0, re-arm) T_delay later, integrating on in between.

n_on(k) counts the inputs of the current input bin that are on at step k (a spike lies inside its
own bin, so only that bin's 4 onsets are tested). Two formulations are timed: eager (one kernel
per tensor operation, per step) and torch.compile of a block of steps (fused kernels). PyTorch draws
its own delays (torch.poisson, same law), so the agreement with memlif's words is statistical, with
the z statistics of brian2_peer.py: per-stimulus P(fire) at memlif's repeats, mean z^2 about 1.

Timing: wall clock of the batch after a warm-up batch (compilation excluded, reported apart),
synchronised with torch.cuda.synchronize(). Exit 77 when torch or a CUDA device is missing.
"""
import argparse
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from brian2_peer import read_memlif_csv, z_means, z_stats  # noqa: E402  (same folder)


def constants(h):
    dt = h["dt_s"]
    c = {
        "n_steps": int(round(h["window_s"] / dt)),
        "bin_steps": int(round(h["input_bin_s"] / dt)),
        "width_steps": int(round(h["spike_width_s"] / dt)),
        "delay_steps": int(round(h["t_delay_s"] / dt)),
        "out_bin_steps": int(round(h["bin_s"] / dt)),
        "unit_steps": int(round(h["jitter_unit_s"] / dt)),
        "mean_units": h["jitter_mean_s"] / h["jitter_unit_s"],
        "max_units": int(round(h["jitter_max_s"] / h["jitter_unit_s"])),
    }
    decay = math.exp(-dt / h["tau_s"])
    c["decay"] = decay
    c["a"] = h["weight"] * (1.0 - decay)
    c["n_bins"] = c["n_steps"] // c["out_bin_steps"]
    return c


def make_block(torch, c, steps):
    """A function advancing the state over `steps` steps from step k0 (a 0-d tensor)."""
    decay, a, delay = c["decay"], c["a"], c["delay_steps"]
    out_bin, n_bins = c["out_bin_steps"], c["n_bins"]

    def block(u, armed, reset_at, word, n_out, on, off, k0):
        for j in range(steps):
            k = k0 + j
            n_on = ((on <= k) & (k < off)).sum(dim=1)
            u = u * decay + a * n_on
            k_next = k + 1
            bit = torch.div(k_next, out_bin, rounding_mode="floor")
            fire = armed & (u >= 1.0) & (bit < n_bins)
            word = word | torch.where(fire, torch.bitwise_left_shift(torch.ones_like(word), bit), 0)
            n_out = n_out + fire.to(n_out.dtype)
            armed = armed & ~fire
            reset_at = torch.where(fire, k_next + delay, reset_at)
            due = (~armed) & (reset_at == k_next)
            u = torch.where(due, torch.zeros_like(u), u)
            armed = armed | due
        return u, armed, reset_at, word, n_out

    return block


def simulate(torch, codes, repeats, c, seed, block, steps, dev):
    """Words and output-spike counts of len(codes) x repeats trials (stimulus-major)."""
    gen = torch.Generator(device=dev)
    gen.manual_seed(seed)
    code = torch.as_tensor(codes, device=dev, dtype=torch.int64).repeat_interleave(repeats)
    n = code.numel()
    u = torch.zeros(n, device=dev, dtype=torch.float64)
    armed = torch.ones(n, device=dev, dtype=torch.bool)
    reset_at = torch.full((n,), -1, device=dev, dtype=torch.int64)
    word = torch.zeros(n, device=dev, dtype=torch.int64)
    n_out = torch.zeros(n, device=dev, dtype=torch.int32)
    shift = 4 * torch.arange(4, device=dev, dtype=torch.int64)
    far = torch.tensor(1 << 40, device=dev, dtype=torch.int64)
    for b in range(4):
        lam = torch.full((n, 4), c["mean_units"], device=dev, dtype=torch.float32)
        k_delay = torch.clamp(torch.poisson(lam, generator=gen), max=c["max_units"]).to(torch.int64)
        present = ((code[:, None] >> (shift + b)) & 1).bool()
        on = torch.where(present, b * c["bin_steps"] + k_delay * c["unit_steps"], far)
        off = on + c["width_steps"]
        for k0 in range(b * c["bin_steps"], (b + 1) * c["bin_steps"], steps):
            kt = torch.tensor(k0, device=dev, dtype=torch.int64)
            u, armed, reset_at, word, n_out = block(u, armed, reset_at, word, n_out, on, off, kt)
    if dev.type == "cuda":
        torch.cuda.synchronize()
    return word, n_out


def timed(torch, codes, repeats, c, seed, block, steps, dev):
    t0 = time.perf_counter()
    word, n_out = simulate(torch, codes, repeats, c, seed, block, steps, dev)
    return word, n_out, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("memlif_csv")
    ap.add_argument("--rate-repeats", type=int, default=256,
                    help="repeats per stimulus of the timed batch (default 256: 992,256 trials)")
    ap.add_argument("--steps-per-call", type=int, default=10,
                    help="steps per compiled block (must divide the input bin)")
    ap.add_argument("--seed", type=int, default=20230523)
    ap.add_argument("--device", default="cuda",
                    help="torch device (cpu only for a smoke test of the script)")
    ap.add_argument("--stimuli", type=int, default=0,
                    help="use only the first N stimuli of the CSV (a smoke test; 0 = all)")
    ap.add_argument("--time-limit", type=float, default=90.0,
                    help="skip the compiled formulation when less than this many seconds remain")
    args = ap.parse_args()
    t_start = time.perf_counter()
    try:
        import torch
    except ImportError:
        print("torch_peer: SKIP: no torch")
        return 77
    if args.device == "cuda" and not torch.cuda.is_available():
        print("torch_peer: SKIP: no CUDA device")
        return 77
    dev = torch.device(args.device)
    h, rows = read_memlif_csv(args.memlif_csv)
    if args.stimuli:
        rows = rows[: args.stimuli]
    c = constants(h)
    if c["bin_steps"] % args.steps_per_call:
        print(f"torch_peer: --steps-per-call {args.steps_per_call} does not divide {c['bin_steps']}")
        return 2
    codes = rows[:, 0]
    repeats = int(h["repeats"])
    name = torch.cuda.get_device_name(0) if dev.type == "cuda" else "cpu"
    print(f"torch {torch.__version__}, {name}; condition "
          f"{int(h['condition'])} (G = {h['g_uS']} uS, w = {h['weight']:.6f}), {len(codes)} stimuli, "
          f"dt = {h['dt_s'] * 1e6:g} us, float64 membrane")

    eager = make_block(torch, c, 1)
    # Agreement at memlif's repeats (eager), then the rate on a larger batch.
    word, n_out, _ = timed(torch, codes, repeats, c, args.seed, eager, 1, dev)
    word = word.cpu().numpy().reshape(len(codes), repeats)
    n_out = n_out.cpu().numpy().astype(np.int64).reshape(len(codes), repeats)
    k_t = (word != 0).sum(axis=1).astype(float)
    n_t = np.full(len(codes), repeats, dtype=float)
    n_m = rows[:, 1].astype(float)
    print(f"P(fire) averaged over stimuli: torch {k_t.sum() / n_t.sum():.4f}, memlif fixed "
          f"{rows[:, 2].sum() / n_m.sum():.4f}, exact {rows[:, 3].sum() / n_m.sum():.4f}")
    worst = 0.0
    z = z_stats(k_t, n_t, rows[:, 2].astype(float), n_m)
    if len(z):
        worst = max(worst, float(np.mean(z**2)))
        print(f"per-stimulus P(fire), torch vs memlif fixed: {len(z)} stimuli with 0 < p < 1, mean "
              f"z^2 = {np.mean(z**2):.4f} (1 expected), |z| > 3: {np.sum(np.abs(z) > 3)}")
    z = z_means(n_out.sum(axis=1), (n_out**2).sum(axis=1), n_t, rows[:, 4], rows[:, 6], n_m)
    if len(z):
        worst = max(worst, float(np.mean(z**2)))
        print(f"per-stimulus mean output spikes, torch vs memlif fixed: {len(z)} stimuli, mean "
              f"z^2 = {np.mean(z**2):.4f} (about 1 expected), |z| > 3: {np.sum(np.abs(z) > 3)}")

    n_rate = len(codes) * args.rate_repeats
    _, _, s_eager = timed(torch, codes, args.rate_repeats, c, args.seed + 1, eager, 1, dev)
    print(f"eager: {n_rate} trials in {s_eager:.3f} s wall -> {n_rate / s_eager:.4g} trials/s")
    left = args.time_limit - (time.perf_counter() - t_start)
    if left < 0.5 * args.time_limit:
        print(f"compiled: not run ({left:.0f} s of --time-limit left)")
    else:
        compiled = torch.compile(make_block(torch, c, args.steps_per_call), dynamic=False)
        t0 = time.perf_counter()
        # Compilation and warm-up on the timed batch's shape (dynamic=False compiles per shape).
        timed(torch, codes, args.rate_repeats, c, args.seed, compiled, args.steps_per_call, dev)
        t_compile = time.perf_counter() - t0
        _, _, s_comp = timed(torch, codes, args.rate_repeats, c, args.seed + 1, compiled,
                             args.steps_per_call, dev)
        print(f"torch.compile ({args.steps_per_call} steps per block): {n_rate} trials in "
              f"{s_comp:.3f} s wall -> {n_rate / s_comp:.4g} trials/s; compilation {t_compile:.1f} s")
    return 0 if worst < 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
