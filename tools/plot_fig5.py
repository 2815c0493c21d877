#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seed Fig. 5 from a memlif-run file: output entropy H(R), noise entropy H(R|S) and MI against
the synaptic conductance (conditions whose four synapses are equal), plug-in and, when the run
stored them, the PT-corrected MI with its jackknife/bootstrap 95% interval.

    /usr/bin/python3 tools/plot_fig5.py OUT.h5 [-o fig5.png]
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import memlif_h5  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("-o", "--output", default="fig5.png")
    args = ap.parse_args()
    run = memlif_h5.read_run(args.file)
    g = np.asarray(run["axes"]["conductance_S"]) * 1e6
    res = run["results"]
    done = run["completed"] & np.all(g == g[:, :1], axis=1)
    order = np.argsort(g[done, 0])
    x = g[done, 0][order]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(x, res["h_r_bit"][done][order], "o-", label="H(R) (output entropy)")
    ax.plot(x, res["h_r_given_s_bit"][done][order], "s-", label="H(R|S) (noise entropy)")
    ax.plot(x, res["mutual_information_bit"][done][order], "^-", label="MI, plug-in")
    try:
        an, _ = memlif_h5.analysis(args.file, "run")
    except KeyError:
        an = None
    if an is not None and "pt_mi_bit" in an:
        pt = np.asarray(an["pt_mi_bit"])[done][order]
        sd_key = "bootstrap_mi_se_bit" if "bootstrap_mi_se_bit" in an else "jackknife_mi_se_bit"
        sd = np.asarray(an[sd_key])[done][order] if sd_key in an else np.zeros_like(pt)
        ax.errorbar(x, pt, yerr=1.96 * sd, fmt="v-", capsize=3, label="MI, Panzeri-Treves (95% CI)")
    ax.set_xscale("log")
    ax.set_xlabel("synaptic read conductance G (µS)")
    ax.set_ylabel("bits")
    ax.set_title(f"{run['attrs'].get('stimulus_set', '')} set, {run['attrs'].get('n_repeats', '')} repeats")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
