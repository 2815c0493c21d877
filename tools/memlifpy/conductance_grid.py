# SPDX-License-Identifier: MIT
"""The shape of a run's condition axis (/axes/conductance_S, one 4-vector per condition).

Two shapes matter for the figures:

- the **1-D sweep**: the conditions whose four synapses share one conductance (the paper's
  Fig. 5 and 6 axis), see :func:`equal_synapse_sweep`;
- a **2-D per-synapse grid**: the synapses split into two groups A and B (e.g. {0, 1} and
  {2, 3}); within a group all synapses share one value, the other synapses (if any) are held
  constant, and the conditions cover every combination of an A value with a B value, see
  :func:`detect_grid_2d`. Conditions outside the grid (a 1-D list block beside it) are allowed.
"""

import dataclasses
import itertools

import numpy as np

N_SYNAPSES = 4


def equal_synapse_sweep(conductance_S, mask=None):
    """Indices of the conditions whose four synapses are equal (and ``mask`` is true), sorted by
    that conductance; returns (indices, conductance_S of each)."""
    g = np.asarray(conductance_S, dtype=float)
    keep = np.all(g == g[:, :1], axis=1)
    if mask is not None:
        keep &= np.asarray(mask, dtype=bool)
    idx = np.flatnonzero(keep)
    idx = idx[np.argsort(g[idx, 0], kind="stable")]
    return idx, g[idx, 0]


@dataclasses.dataclass(frozen=True)
class Grid2D:
    """A 2-D grid on the condition axis.

    ``groups``: the synapses of axis A and of axis B; ``constant``: synapse -> its fixed value
    (S) for the synapses in neither group; ``a_S`` / ``b_S``: the sorted grid values (S);
    ``condition[j, i]``: the condition at (a_S[i], b_S[j]) (the first one if repeated).
    """

    groups: tuple
    constant: dict
    a_S: np.ndarray
    b_S: np.ndarray
    condition: np.ndarray

    @property
    def shape(self):
        return self.condition.shape


def _splits():
    """Pairs (A, B) of disjoint non-empty synapse groups (A < B), the splits with fewer constant
    synapses first (so {0,1} x {2,3} is tried before {0} x {1})."""
    out = []
    for n_free in range(N_SYNAPSES, 1, -1):
        for free in itertools.combinations(range(N_SYNAPSES), n_free):
            for n_a in range(1, n_free):
                for a in itertools.combinations(free, n_a):
                    b = tuple(s for s in free if s not in a)
                    if a < b:
                        out.append((a, b))
    return out


def _grid_for_split(g, a, b):
    """The largest complete grid for one split (A, B), or None."""
    rest = [s for s in range(N_SYNAPSES) if s not in a and s not in b]
    tied = np.all(g[:, a] == g[:, a[:1]], axis=1) & np.all(g[:, b] == g[:, b[:1]], axis=1)
    idx = np.flatnonzero(tied)
    if idx.size < 4:
        return None
    if rest:
        # Hold the other synapses at their most common setting among the tied conditions.
        settings, inverse, n = np.unique(
            g[idx][:, rest], axis=0, return_inverse=True, return_counts=True
        )
        inverse = inverse.ravel()
        idx = idx[inverse == np.argmax(n)]
        constant = {s: float(v) for s, v in zip(rest, settings[np.argmax(n)])}
    else:
        constant = {}
    # For each A value the set of B values it is paired with; the grid's B axis is the set
    # shared by most A values, and its A axis every A value paired with all of those.
    pairs = {}
    first = {}
    for k in idx:
        key = (g[k, a[0]], g[k, b[0]])
        pairs.setdefault(key[0], set()).add(key[1])
        first.setdefault(key, int(k))
    b_sets = {}
    for a_value, bs in pairs.items():
        b_sets.setdefault(frozenset(bs), []).append(a_value)
    best = None
    for bs in b_sets:
        if len(bs) < 2:
            continue
        a_values = [av for av, have in pairs.items() if bs <= have]
        if len(a_values) < 2:
            continue
        size = len(a_values) * len(bs)
        if best is None or size > best[0]:
            best = (size, sorted(a_values), sorted(bs))
    if best is None:
        return None
    _, a_values, b_values = best
    condition = np.array([[first[(av, bv)] for av in a_values] for bv in b_values], dtype=np.int64)
    return Grid2D((a, b), constant, np.array(a_values), np.array(b_values), condition)


def detect_grid_2d(conductance_S):
    """The 2-D per-synapse grid of a condition axis, or None (a 1-D sweep, or no split of the
    synapses whose values form a full product of at least 2 x 2 points). When several splits
    give a grid, the one with the most points wins, then the one with fewer constant synapses."""
    g = np.asarray(conductance_S, dtype=float)
    if g.ndim != 2 or g.shape[1] != N_SYNAPSES:
        raise ValueError(f"conductance_S must have shape (n_conditions, 4), got {g.shape}")
    best = None
    for a, b in _splits():
        grid = _grid_for_split(g, a, b)
        if grid is not None and (best is None or grid.condition.size > best.condition.size):
            best = grid
    return best
