#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Independent plug-in information measures from the counts stored in a memlif-run file.

A second implementation (numpy, written from information.md §1/§4.1, not from the C++) used to
cross-check /results: H(R), H(R|S), MI and the per-stimulus surprise I_1(s) (Benatti et al. 2023,
eqs. 1-2), with p(r) = sum_s p(s) n(r|s) / N_s.

    /usr/bin/python3 tools/mi_reference.py OUT.h5 [--check]

--check compares with /results and exits 1 on a mismatch larger than 1e-9 bit.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import memlif_h5  # noqa: E402


def plugin_measures(stimulus, word, count, p_s):
    """H(R), H(R|S), MI and I_1(s) in bits from sparse counts of one condition."""
    n_s_count = np.bincount(stimulus, weights=count, minlength=len(p_s))
    p_rs = count / n_s_count[stimulus]                     # p(r|s) per occupied cell
    weight = p_s[stimulus] * p_rs                          # p(s) p(r|s)
    uniq, inverse = np.unique(word, return_inverse=True)
    p_r = np.bincount(inverse, weights=weight, minlength=len(uniq))
    h_r = -np.sum(p_r[p_r > 0] * np.log2(p_r[p_r > 0]))
    h_rs = -np.sum(weight * np.log2(p_rs))
    i1 = np.bincount(stimulus, weights=p_rs * np.log2(p_rs / p_r[inverse]), minlength=len(p_s))
    return h_r, h_rs, h_r - h_rs, i1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--check", action="store_true", help="compare with /results; exit 1 on mismatch")
    args = ap.parse_args()
    run = memlif_h5.read_run(args.file)
    p_s = np.asarray(run["stimuli"]["p_s"], dtype=float)
    res = run["results"]
    worst = 0.0
    print("cond    H(R)/bit   H(R|S)/bit     MI/bit")
    for c in memlif_h5.completed_conditions(args.file):
        t = memlif_h5.condition_counts(args.file, int(c))
        h_r, h_rs, mi, i1 = plugin_measures(np.asarray(t["stimulus"], dtype=np.int64), np.asarray(t["words"]),
                                            np.asarray(t["counts"], dtype=float), p_s)
        print(f"{int(c):4d} {h_r:11.6f} {h_rs:12.6f} {mi:10.6f}")
        if args.check:
            diffs = [abs(h_r - res["h_r_bit"][c]), abs(h_rs - res["h_r_given_s_bit"][c]),
                     abs(mi - res["mutual_information_bit"][c]),
                     float(np.nanmax(np.abs(i1 - res["sss_bit"][c])))]
            worst = max(worst, max(diffs))
    if args.check:
        print(f"largest difference from /results: {worst:.3e} bit")
        return 0 if worst <= 1e-9 else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
