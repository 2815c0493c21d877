# SPDX-License-Identifier: MIT
"""Independent plug-in information measures from the counts stored in a memlif-run file.

The project's second implementation, for regression references: numpy, written from
information.md §1/§4.1 and Benatti et al. 2023 eqs. 1-3, not from the C++. From the sparse counts
n(r|s) of one condition and the stimulus probabilities p(s) of /stimuli/p_s:

    p(r|s) = n(r|s) / N_s,   p(r) = sum_s p(s) p(r|s)
    H(R) = -sum_r p(r) log2 p(r),   H(R|S) = -sum_s p(s) sum_r p(r|s) log2 p(r|s)
    MI = H(R) - H(R|S),   I_1(s) = sum_r p(r|s) log2(p(r|s) / p(r)),   SpS(s) = I_1(s) / n_spk(s)

Command line::

    python3 -m memlifpy.reference RUN.h5 [--check] [--tolerance 1e-9]

``--check`` compares every completed condition of /results (H(R), H(R|S), MI, SSS, SpS, the SpS
ranking, N, N_s, m, m_s) and exits 1 on a mismatch larger than the tolerance (bit).
"""

import argparse
import dataclasses
import sys

import numpy as np

from .reader import FormatError, open_run

DEFAULT_TOLERANCE_BIT = 1e-9


@dataclasses.dataclass(frozen=True)
class PluginMeasures:
    """Plug-in measures of one condition, in bits (SpS in bit/spike)."""

    h_r_bit: float
    h_r_given_s_bit: float
    mutual_information_bit: float
    sss_bit: np.ndarray
    n_trials_per_stimulus: np.ndarray
    distinct_responses: int
    distinct_responses_per_stimulus: np.ndarray

    def sps_bit_per_spike(self, n_input_spikes):
        """SSS / n_spk, NaN where the stimulus has no input spike."""
        n = np.asarray(n_input_spikes, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(n > 0, self.sss_bit / n, np.nan)


def plugin_measures(stimulus, word, count, p_s):
    """Plug-in H(R), H(R|S), MI and I_1(s) from the sparse counts of one condition.

    ``stimulus``, ``word``, ``count``: one entry per occupied (s, r) cell; ``p_s``: p(s) per
    stimulus. Stimuli without trials contribute nothing (their I_1 is 0).
    """
    stimulus = np.asarray(stimulus, dtype=np.int64)
    word = np.asarray(word, dtype=np.uint64)
    count = np.asarray(count, dtype=float)
    p_s = np.asarray(p_s, dtype=float)
    n_stimuli = p_s.size
    n_s = np.bincount(stimulus, weights=count, minlength=n_stimuli)
    p_r_given_s = count / n_s[stimulus]
    joint = p_s[stimulus] * p_r_given_s
    words, cell_word = np.unique(word, return_inverse=True)
    p_r = np.bincount(cell_word, weights=joint, minlength=words.size)
    occupied = p_r > 0
    h_r = float(-np.sum(p_r[occupied] * np.log2(p_r[occupied])))
    h_rs = float(-np.sum(joint * np.log2(p_r_given_s))) + 0.0  # + 0.0: no "-0" when noiseless
    # A stimulus with p(s) = 0 still has an I_1(s); its words may have p(r) = 0.
    with np.errstate(divide="ignore"):
        surprise = p_r_given_s * np.log2(p_r_given_s / p_r[cell_word])
    sss = np.bincount(stimulus, weights=surprise, minlength=n_stimuli)
    return PluginMeasures(
        h_r_bit=h_r,
        h_r_given_s_bit=h_rs,
        mutual_information_bit=h_r - h_rs,
        sss_bit=sss,
        n_trials_per_stimulus=n_s.astype(np.uint64),
        distinct_responses=int(words.size),
        distinct_responses_per_stimulus=np.bincount(stimulus, minlength=n_stimuli),
    )


def condition_measures(run, condition):
    """:class:`PluginMeasures` of one completed condition of an open RunFile."""
    c = run.counts(condition)
    return plugin_measures(c.stimulus, c.word, c.count, run.stimuli["p_s"])


def _abs_diff(ours, theirs):
    """Largest |ours - theirs|; NaN on one side only is an infinite difference."""
    ours = np.asarray(ours, dtype=float)
    theirs = np.asarray(theirs, dtype=float)
    nan_ours, nan_theirs = np.isnan(ours), np.isnan(theirs)
    if np.any(nan_ours != nan_theirs):
        return np.inf
    both = ~nan_ours
    return float(np.max(np.abs(ours[both] - theirs[both]), initial=0.0))


def _rank_violation(sps, rank, tolerance):
    """0 if ``rank`` is a valid descending ranking of ``sps`` up to ``tolerance`` (1 = largest,
    0 = NaN, ties in any order), else the largest step by which SpS rises along the ranking
    (inf for a malformed ranking)."""
    sps = np.asarray(sps, dtype=float)
    rank = np.asarray(rank, dtype=np.int64)
    defined = ~np.isnan(sps)
    if np.any(rank[~defined] != 0):
        return np.inf
    ranked = rank[defined]
    if not np.array_equal(np.sort(ranked), np.arange(1, ranked.size + 1)):
        return np.inf
    along = sps[defined][np.argsort(ranked)]
    rise = np.diff(along)
    worst = float(np.max(rise, initial=0.0))
    return 0.0 if worst <= tolerance else worst


def compare(run, tolerance=DEFAULT_TOLERANCE_BIT):
    """Compare /results with the reference on every completed condition.

    Returns a list of (condition, PluginMeasures, {quantity: largest difference}); counts
    (N, N_s, m, m_s) are compared exactly, so their difference is 0 or their |difference|.
    """
    res = run.results
    n_spk = run.stimuli["n_input_spikes"]
    out = []
    for k in run.completed_conditions:
        m = condition_measures(run, k)
        sps = m.sps_bit_per_spike(n_spk)
        diffs = {
            "h_r_bit": abs(m.h_r_bit - res["h_r_bit"][k]),
            "h_r_given_s_bit": abs(m.h_r_given_s_bit - res["h_r_given_s_bit"][k]),
            "mutual_information_bit": abs(
                m.mutual_information_bit - res["mutual_information_bit"][k]
            ),
            "sss_bit": _abs_diff(m.sss_bit, res["sss_bit"][k]),
            "sps_bit_per_spike": _abs_diff(sps, res["sps_bit_per_spike"][k]),
            "sps_rank": _rank_violation(sps, res["sps_rank"][k], tolerance),
            "n_trials": abs(int(m.n_trials_per_stimulus.sum()) - int(res["n_trials"][k])),
            "n_trials_per_stimulus": _abs_diff(
                m.n_trials_per_stimulus, res["n_trials_per_stimulus"][k]
            ),
            "distinct_responses": abs(m.distinct_responses - int(res["distinct_responses"][k])),
            "distinct_responses_per_stimulus": _abs_diff(
                m.distinct_responses_per_stimulus, res["distinct_responses_per_stimulus"][k]
            ),
            "sps_undefined": abs(int(np.any(n_spk == 0)) - int(res["sps_undefined"][k])),
        }
        out.append((int(k), m, diffs))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python3 -m memlifpy.reference",
        description="Recompute the plug-in measures of a memlif-run file independently in numpy.",
    )
    ap.add_argument("file")
    ap.add_argument(
        "--check", action="store_true", help="compare with /results; exit 1 on a mismatch"
    )
    ap.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE_BIT,
        help="largest accepted difference in bit (default %(default)g)",
    )
    args = ap.parse_args(argv)
    try:
        with open_run(args.file) as run:
            rows = compare(run, args.tolerance)
    except (OSError, FormatError) as e:
        print(f"memlifpy.reference: {e}", file=sys.stderr)
        return 2
    print("cond    H(R)/bit   H(R|S)/bit     MI/bit")
    for k, m, _ in rows:
        print(
            f"{k:4d} {m.h_r_bit:11.6f} {m.h_r_given_s_bit:12.6f} {m.mutual_information_bit:10.6f}"
        )
    if not args.check:
        return 0
    failed = False
    for k, _, diffs in rows:
        for name, d in diffs.items():
            if d > args.tolerance:
                print(f"mismatch: condition {k} {name}: difference {d:.3e}")
                failed = True
    worst = max((max(d.values()) for _, _, d in rows), default=0.0)
    print(f"largest difference from /results: {worst:.3e} over {len(rows)} conditions")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
