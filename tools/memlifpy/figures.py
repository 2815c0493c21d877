# SPDX-License-Identifier: MIT
"""Every figure a memlif-run file's contents allow, as PNG (matplotlib, Agg backend).

Command line::

    python3 -m memlifpy.figures RUN.h5 -o OUTDIR [--only NAME ...] [--dpi 120]

writes ``OUTDIR/<name>.png`` for each figure of :data:`FIGURES` whose data the file holds and
prints, for each other one, why it was skipped. A figure is a function ``f(run) -> Figure``
(``run`` an open :class:`memlifpy.reader.RunFile` for an MI sweep, or a
:class:`memlifpy.reader.KindFile` for a device kind) that raises :class:`FigureSkipped` when its
data is absent, registered with ``@figure("name", kinds=...)``, the experiment kinds whose files
it draws (default: the MI sweep); adding a figure is adding such a function. The device figures:
Fig. 1b (``iv_sweep``), Fig. 1d (``pulse_cycles``), Fig. 2b (``rate_rule``), Fig. 4b
(``theta_burst``) and the ladder of an MI sweep whose grid came from one (``fig4_ladder``).
"""

import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import LogNorm, Normalize  # noqa: E402
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator  # noqa: E402

from .conductance_grid import detect_grid_2d, equal_synapse_sweep  # noqa: E402
from .reader import MI_KIND, FormatError, open_file, sps_rank  # noqa: E402

Z95 = 1.959963984540054  # two-sided 95 % normal quantile

#: (name, function) in drawing order; filled by @figure.
FIGURES = []

#: name -> the experiment kinds whose files the figure draws; filled by @figure.
FIGURE_KINDS = {}

#: Bias-corrected MI columns of /analysis/<name>: (estimator, MI dataset, label). ``bootstrap``
#: is left out: its point value is one of these estimators on the same data.
CORRECTED_MI = (
    ("mm", "mm_mi_bit", "Miller-Madow"),
    ("pt", "pt_mi_bit", "Panzeri-Treves"),
    ("qe", "qe_mi_bit", "quadratic extrapolation"),
    ("sh", "sh_mi_bit", "shuffle (I_sh)"),
    ("nsb", "nsb_mi_bit", "NSB"),
    ("jackknife", "jackknife_mi_corrected_bit", "jackknife-corrected"),
    ("null", "null_mi_corrected_bit", "MI - null mean"),
)


class FigureSkipped(Exception):
    """The file lacks the data of a figure; the message says what is missing."""


def figure(name, kinds=(MI_KIND,)):
    """Register ``f(run) -> matplotlib Figure`` under ``name`` (the PNG's base name), for the
    files of the experiment ``kinds``."""

    def register(fn):
        if any(n == name for n, _ in FIGURES):
            raise ValueError(f"figure {name!r} registered twice")
        FIGURES.append((name, fn))
        FIGURE_KINDS[name] = tuple(kinds)
        return fn

    return register


# -- helpers ---------------------------------------------------------------------------------


def _sweep(run, min_points=2):
    """Completed conditions with four equal synapses, by conductance: (indices, G in µS)."""
    idx, g_S = equal_synapse_sweep(run.axes["conductance_S"], run.completed)
    if idx.size < min_points:
        raise FigureSkipped(
            f"{idx.size} completed condition(s) with four equal synapses, need {min_points}"
        )
    return idx, g_S * 1e6


def _run_analysis(run):
    return run.analysis("run") if run.has_analysis("run") else None


def _column(an, estimator, key, idx):
    """``an[key][idx]`` if the estimator was computed and has a finite value there, else None."""
    if an is None or estimator not in an.estimators or key not in an:
        return None
    values = np.asarray(an[key], dtype=float)[idx]
    return values if np.any(np.isfinite(values)) else None


def _condition_label(run, k):
    g = run.axes["conductance_uS"][k]
    if np.all(g == g[0]):
        return f"{g[0]:.3g} µS"
    return "/".join(f"{v:.3g}" for v in g) + " µS"


def _repeats(run):
    return run.metadata.get("n_repeats", "?")


def _n_repeats(n):
    return f"{n} repeat" + ("" if n == 1 else "s")


def _title(run):
    m = run.metadata
    return f"{m.get('stimulus_set', '')} set ({run.n_stimuli} stimuli), {_n_repeats(_repeats(run))}"


def _plain_number(value, _pos=None):
    return f"{value:.3g}"


def _minor_2_5(value, _pos=None):
    """Label the 2 and 5 minor ticks of a decade only, so a log axis stays readable."""
    if value <= 0:
        return ""
    mantissa = value / 10 ** np.floor(np.log10(value))
    return _plain_number(value) if round(mantissa) in (2, 5) else ""


def _sweep_ticks(g_uS, at_most=6):
    """Label each conductance of a short sweep, leave a long one to the log locator."""
    values = np.unique(g_uS)
    return values if values.size <= at_most else None


def _log_axis(ax, which, ticks=None):
    """Log scale with plain numbers (2, 5, 10 rather than 2x10^0); ``ticks``: label these only."""
    axis = ax.xaxis if which == "x" else ax.yaxis
    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    if ticks is not None:
        axis.set_major_locator(FixedLocator(np.asarray(ticks, dtype=float)))
        axis.set_minor_locator(NullLocator())
    axis.set_major_formatter(FuncFormatter(_plain_number))
    axis.set_minor_formatter(FuncFormatter(_minor_2_5))


def _pt_interval(an, idx):
    """(half-width of the PT 95 % interval, its label) or (None, None): 1.96 x the bootstrap SD
    when the bootstrap ran on PT, else 1.96 x the jackknife SE."""
    info = (an.information or {}) if an is not None else {}
    if info.get("bootstrap", {}).get("estimator", "pt") == "pt":
        sd = _column(an, "bootstrap", "bootstrap_mi_se_bit", idx)
        if sd is not None:
            return Z95 * sd, "±1.96 bootstrap SD"
    sd = _column(an, "jackknife", "jackknife_mi_se_bit", idx)
    if sd is not None:
        return Z95 * sd, "±1.96 jackknife SE"
    return None, None


def _spread(values):
    """max - min of the finite values (0 for fewer than two)."""
    v = values[np.isfinite(values)]
    return float(v.max() - v.min()) if v.size > 1 else 0.0


def _geometric_edges(centres):
    """Cell edges around sorted centres (geometric midpoints, so cells look even on log axes)."""
    c = np.asarray(centres, dtype=float)
    if c.size == 1:
        return np.array([c[0] / 1.2, c[0] * 1.2])
    mid = np.sqrt(c[1:] * c[:-1])
    return np.concatenate(([c[0] ** 2 / mid[0]], mid, [c[-1] ** 2 / mid[-1]]))


# -- figures ---------------------------------------------------------------------------------


@figure("fig5_information")
def fig5_information(run):
    """Fig. 5 analogue: MI, H(R) and H(R|S) against the conductance (log x); the plug-in at the
    run's repeats beside the bias-corrected estimators of /analysis/run (PT with its 95 %
    interval) and the large-sample values of /analysis/ground_truth."""
    idx, g = _sweep(run)
    res = run.results
    an = _run_analysis(run)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2), sharex=True)
    panels = (
        ("mutual_information_bit", "mi_bit", "I(R;S) (bit)"),
        ("h_r_bit", "h_r_bit", "H(R) (bit)"),
        ("h_r_given_s_bit", "h_r_given_s_bit", "H(R|S) (bit)"),
    )
    for ax, (res_key, suffix, ylabel) in zip(axes, panels):
        plugin_label = f"plug-in, {_n_repeats(_repeats(run))}"
        ax.plot(g, res[res_key][idx], "o-", color="k", label=plugin_label)
        for est, mi_key, label in CORRECTED_MI:
            key = mi_key if suffix == "mi_bit" else f"{est}_{suffix}"
            values = _column(an, est, key, idx)
            if values is None:
                continue
            if est == "pt" and suffix == "mi_bit":
                half, how = _pt_interval(an, idx)
                if half is not None:
                    ax.errorbar(g, values, yerr=half, fmt="s-", capsize=3, label=f"{label} ({how})")
                    continue
            ax.plot(g, values, ".--", label=label)
        _log_axis(ax, "x", ticks=_sweep_ticks(g))
        ax.set_xlabel("synaptic read conductance G (µS)")
        ax.set_ylabel(ylabel)
    gt = run.ground_truth()
    if gt is not None:
        pos = {int(k): i for i, k in enumerate(idx)}
        rows = [i for i, k in enumerate(gt["condition"]) if int(k) in pos]
        if rows:
            x = g[[pos[int(gt["condition"][i])] for i in rows]]
            n_large = gt.attrs.get("repeats_large", "?")
            label = label_ref(n_large)
            axes[0].plot(x, gt["reference_mi_bit"][rows], "*", ms=12, label=label)
            if "plugin_large_mi_bit" in gt:
                label = f"plug-in, {n_large} repeats"
                axes[0].plot(x, gt["plugin_large_mi_bit"][rows], "x", ms=9, label=label)
            # the large-sample entropies (files written before issue 11 lack them)
            for ax, key in ((axes[1], "reference_h_r_bit"), (axes[2], "reference_h_r_given_s_bit")):
                if key in gt:
                    ax.plot(x, gt[key][rows], "*", ms=12, label=label_ref(n_large))
    for ax in axes:
        ax.legend(fontsize=7)
    fig.suptitle(f"Information against conductance: {_title(run)}")
    fig.tight_layout()
    return fig


def label_ref(n_large):
    return f"PT, {n_large} repeats (reference)"


@figure("fig6_sps_ranking")
def fig6_sps_ranking(run):
    """Fig. 6 analogue (plug-in SpS of /results): (a) the stimuli ranked by SpS at each
    conductance; the max-SpS and min-SpS stimuli of the lowest conductance tracked across
    conductances (b) as the same stimuli (their SpS) and (c) by rank.

    The lowest conductance is the lowest at which SpS varies between stimuli: where the neuron
    never fires every SpS is 0 and the extremes would be picked by stimulus index alone. Ties
    that remain are broken as the file's ranking breaks them (by stimulus index).
    """
    idx, g = _sweep(run)
    res = run.results
    sps = np.asarray(res["sps_bit_per_spike"], dtype=float)
    rank = np.asarray(res["sps_rank"], dtype=np.int64)
    return _sps_ranking(run, idx, g, sps, rank, f"Surprise per spike (plug-in): {_title(run)}")


@figure("fig6_sps_ranking_large")
def fig6_sps_ranking_large(run):
    """Fig. 6 analogue in the large-sample limit: the PT SpS of the ground-truth reruns
    (/analysis/ground_truth/reference_sps_bit_per_spike) at their conductances with four equal
    synapses, ranked as /results/sps_rank ranks (descending, ties by stimulus index)."""
    gt = run.ground_truth()
    if gt is None or "reference_sps_bit_per_spike" not in gt:
        raise FigureSkipped("no large-sample SpS (/analysis/ground_truth/"
                            "reference_sps_bit_per_spike; run with ground_truth.enabled = true)")
    conds = np.asarray(gt["condition"], dtype=np.int64)
    idx_all, g_all = equal_synapse_sweep(run.axes["conductance_S"])
    pos = {int(k): i for i, k in enumerate(idx_all)}
    rows = sorted((i for i, k in enumerate(conds) if int(k) in pos),
                  key=lambda i: g_all[pos[int(conds[i])]])
    if len(rows) < 2:
        raise FigureSkipped(f"{len(rows)} ground-truth rerun(s) with four equal synapses, need 2")
    idx = np.arange(len(rows))
    g = np.array([g_all[pos[int(conds[i])]] for i in rows]) * 1e6
    sps = np.asarray(gt["reference_sps_bit_per_spike"], dtype=float)[rows]
    rank = np.array([sps_rank(v) for v in sps])
    n_large = gt.attrs.get("repeats_large", "?")
    return _sps_ranking(run, idx, g, sps, rank,
                        f"Surprise per spike (PT, {n_large} repeats): {run.n_stimuli} stimuli")


def _sps_ranking(run, idx, g, sps, rank, title):
    """The three panels of Fig. 6 from ``sps[k]`` / ``rank[k]`` at the conditions ``idx``
    (conductances ``g`` in µS, increasing)."""
    varies = [i for i, k in enumerate(idx) if _spread(sps[k]) > 0]
    if not varies:
        raise FigureSkipped("SpS is the same for every stimulus at every conductance")
    low = idx[varies[0]]
    ranked = np.flatnonzero(rank[low] > 0)
    # Take the extremes of the file's ranking so that (a)-(c) agree.
    tracked = (
        (ranked[np.argmin(rank[low, ranked])], "tab:blue", "max SpS"),
        (ranked[np.argmax(rank[low, ranked])], "tab:red", "min SpS"),
    )
    codes = run.stimuli["code"]
    fig, (ax_a, ax_b, ax_c) = plt.subplots(1, 3, figsize=(15, 4.4))
    norm = LogNorm(g.min(), g.max()) if g.min() > 0 and g.max() > g.min() else Normalize()
    cmap = plt.get_cmap("viridis")
    for k, gk in zip(idx, g):
        order = np.flatnonzero(rank[k] > 0)
        order = order[np.argsort(rank[k, order])]
        ax_a.plot(rank[k, order], sps[k, order], "-", lw=1, color=cmap(norm(gk)))
        for s, colour, _ in tracked:
            if rank[k, s] > 0:
                ax_a.plot(rank[k, s], sps[k, s], "o", color=colour, ms=5)
    bar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax_a, label="G (µS)")
    bar.ax.yaxis.set_major_formatter(FuncFormatter(_plain_number))
    bar.ax.yaxis.set_minor_formatter(FuncFormatter(_minor_2_5))
    ax_a.set_xlabel("stimulus rank by SpS (1 = most informative per spike)")
    ax_a.set_ylabel("SpS (bit/spike)")
    ax_a.set_title("(a) stimuli ranked by SpS")
    for s, colour, what in tracked:
        label = f"{what} at {g[varies[0]]:.3g} µS: 0x{int(codes[s]):04x}"
        ax_b.plot(g, sps[idx, s], "o-", color=colour, label=label)
        r = rank[idx, s].astype(float)
        r[r == 0] = np.nan
        ax_c.plot(g, r, "o-", color=colour, label=label)
    ax_b.set_ylabel("SpS (bit/spike)")
    ax_b.set_title("(b) the same stimuli: SpS")
    ax_c.set_ylabel("rank by SpS")
    ax_c.invert_yaxis()
    ax_c.set_title("(c) the same stimuli: rank")
    for ax in (ax_b, ax_c):
        _log_axis(ax, "x", ticks=_sweep_ticks(g))
        ax.set_xlabel("synaptic read conductance G (µS)")
        ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


@figure("sss_vs_spike_count")
def sss_vs_spike_count(run, max_conditions=8):
    """SSS against the stimulus's input spike count: mean ± SD over the stimuli with that count,
    weighted by multiplicity (so over ordered patterns, whatever the stimulus set), for up to
    ``max_conditions`` completed conditions spread over the conductance range."""
    done = run.completed_conditions
    if done.size == 0:
        raise FigureSkipped("no completed condition")
    order = done[np.argsort(run.axes["conductance_S"][done].mean(axis=1), kind="stable")]
    if order.size > max_conditions:
        order = order[np.unique(np.linspace(0, order.size - 1, max_conditions).round().astype(int))]
    n_spk = np.asarray(run.stimuli["n_input_spikes"], dtype=np.int64)
    weight = np.asarray(run.stimuli["multiplicity"], dtype=float)
    counts = np.unique(n_spk)
    sss = np.asarray(run.results["sss_bit"], dtype=float)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for j, k in enumerate(order):
        mean = np.full(counts.size, np.nan)
        sd = np.full(counts.size, np.nan)
        for i, n in enumerate(counts):
            sel = (n_spk == n) & np.isfinite(sss[k])
            if not sel.any() or weight[sel].sum() == 0:
                continue
            mean[i] = np.average(sss[k, sel], weights=weight[sel])
            sd[i] = np.sqrt(np.average((sss[k, sel] - mean[i]) ** 2, weights=weight[sel]))
        shift = (j - (order.size - 1) / 2) * 0.06
        colour = f"C{j % 10}"
        ax.errorbar(counts + shift, mean, yerr=sd, fmt="o-", ms=3, capsize=2, color=colour,
                    label=_condition_label(run, k))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("input spikes in the stimulus")
    ax.set_ylabel("SSS I_1(s) (bit), mean ± SD")
    ax.set_title(f"Stimulus-specific surprise: {_title(run)}", fontsize=9)
    ax.legend(fontsize=7, title="conductance", title_fontsize=7)
    fig.tight_layout()
    return fig


@figure("estimator_bias")
def estimator_bias(run):
    """The measured bias of each estimator (/analysis/ground_truth: value at the run's repeats
    minus PT at the rerun's repeats), per estimator and against the number of repeats."""
    gt = run.ground_truth()
    if gt is None:
        raise FigureSkipped("no /analysis/ground_truth (run with ground_truth.enabled = true)")
    names = [key[: -len("_bias_bit")] for key in gt.data if key.endswith("_bias_bit")]
    if not names:
        raise FigureSkipped("/analysis/ground_truth holds no *_bias_bit column")
    conditions = [int(k) for k in gt["condition"]]
    small = gt.attrs.get("repeats_small", _repeats(run))
    large = gt.attrs.get("repeats_large")
    fig, (ax_e, ax_r) = plt.subplots(1, 2, figsize=(13, 4.5))
    width = 0.8 / len(conditions)
    x = np.arange(len(names))
    for j, k in enumerate(conditions):
        bias = [gt[f"{n}_bias_bit"][j] for n in names]
        ax_e.bar(x + (j - (len(conditions) - 1) / 2) * width, bias, width,
                 label=_condition_label(run, k))
    ax_e.axhline(0, color="k", lw=0.8)
    ax_e.set_xticks(x)
    ax_e.set_xticklabels(names)
    ax_e.set_ylabel("bias (bit): estimate - reference")
    ax_e.set_title(f"bias at {small} repeats (reference: PT at {large} repeats)", fontsize=9)
    ax_e.legend(fontsize=7, title="condition", title_fontsize=7)

    markers = "osD^v<>ph"
    for j, k in enumerate(conditions):
        colour = f"C{j}"
        ref = gt["reference_mi_bit"][j]
        if "plugin_bias_bit" in gt and "plugin_large_mi_bit" in gt and large:
            plugin_bias = [gt["plugin_bias_bit"][j], gt["plugin_large_mi_bit"][j] - ref]
            ax_r.plot([small, large], plugin_bias, "-", color=colour, lw=1)
        for i, n in enumerate(names):
            ax_r.plot(small, gt[f"{n}_bias_bit"][j], markers[i % len(markers)], color=colour,
                      label=n if j == 0 else None)
        if "plugin_large_mi_bit" in gt and large:
            ax_r.plot(large, gt["plugin_large_mi_bit"][j] - ref, "o", mfc="none", color=colour)
    ax_r.axhline(0, color="k", lw=0.8)
    _log_axis(ax_r, "x", ticks=[small, large] if large else [small])
    ax_r.set_xlabel("repeats per stimulus")
    ax_r.set_ylabel("bias (bit)")
    ax_r.set_title("bias against repeats (open: plug-in at the rerun's repeats)", fontsize=9)
    ax_r.legend(fontsize=7, title="estimator (colour: condition)", title_fontsize=7)
    fig.suptitle(f"Estimator bias: {_title(run)}")
    fig.tight_layout()
    return fig


@figure("mi_grid_2d")
def mi_grid_2d(run):
    """A heat map of MI over a 2-D per-synapse conductance grid (plug-in, and PT when
    /analysis/run has it); cells of conditions not completed are blank."""
    grid = detect_grid_2d(run.axes["conductance_S"])
    if grid is None:
        raise FigureSkipped("the condition axis is not a 2-D per-synapse conductance grid")
    cells = grid.condition
    completed = run.completed[cells]
    if not completed.any():
        raise FigureSkipped("no condition of the 2-D grid is completed")
    maps = [("plug-in MI", np.asarray(run.results["mutual_information_bit"], dtype=float))]
    an = _run_analysis(run)
    pt = _column(an, "pt", "pt_mi_bit", slice(None))
    if pt is not None:
        maps.append(("Panzeri-Treves MI", pt))
    (a_syn, b_syn), const = grid.groups, grid.constant
    a_uS, b_uS = grid.a_S * 1e6, grid.b_S * 1e6
    fig, axes = plt.subplots(1, len(maps), figsize=(6 * len(maps), 4.8), squeeze=False)
    for ax, (label, mi) in zip(axes[0], maps):
        values = np.where(completed, mi[cells], np.nan)
        positive = a_uS.min() > 0 and b_uS.min() > 0
        if positive:
            mesh = ax.pcolormesh(_geometric_edges(a_uS), _geometric_edges(b_uS),
                                 np.ma.masked_invalid(values), shading="flat")
            _log_axis(ax, "x", ticks=a_uS if a_uS.size <= 10 else None)
            _log_axis(ax, "y", ticks=b_uS if b_uS.size <= 10 else None)
        else:
            mesh = ax.pcolormesh(a_uS, b_uS, np.ma.masked_invalid(values), shading="nearest")
        fig.colorbar(mesh, ax=ax, label=f"{label} (bit)")
        if values.size <= 64:
            for (j, i), v in np.ndenumerate(values):
                if np.isfinite(v):
                    dark = mesh.norm(v) < 0.5
                    ax.text(a_uS[i], b_uS[j], f"{v:.2f}", ha="center", va="center", fontsize=8,
                            color="w" if dark else "k")
        ax.set_xlabel(f"G of synapses {','.join(map(str, a_syn))} (µS)")
        ax.set_ylabel(f"G of synapses {','.join(map(str, b_syn))} (µS)")
        ax.set_title(label)
    held = ", ".join(f"synapse {s} at {v * 1e6:.3g} µS" for s, v in const.items())
    fig.suptitle(f"MI over a {cells.shape[1]} x {cells.shape[0]} grid: {_title(run)}"
                 + (f"; {held}" if held else ""), fontsize=10)
    fig.tight_layout()
    return fig


# -- device kinds (Fig. 1b, 1d, 2b, 4b) ------------------------------------------------------


def _kind_data(run, kind):
    if getattr(run, "kind", None) != kind or not getattr(run, "has_group", False):
        raise FigureSkipped(f"no /{kind} group")
    return run.data


def _device_title(run, what):
    m = run.attrs.get("device_model", "?")
    return f"{what}: {m} model, seed {run.metadata.get('seed')}"


@figure("fig1b_iv_sweep", kinds=("iv_sweep",))
def fig1b_iv_sweep(run):
    """Fig. 1b analogue: |I| against the source voltage for every device and cycle (device 0
    drawn dark), the SET and RESET voltage of each cycle marked on its curve, and their
    distributions over devices and cycles."""
    d = _kind_data(run, "iv_sweep")
    v = d["v_source_V"]
    i = np.abs(d["i_A"])  # [device, cycle, sample]
    n_dev, n_cyc, _ = i.shape
    fig, (ax, hx) = plt.subplots(1, 2, figsize=(12, 4.6), gridspec_kw={"width_ratios": [2, 1]})
    floor = np.nanmin(i[i > 0]) if np.any(i > 0) else 1e-12
    for dev in range(n_dev):
        for c in range(n_cyc):
            ax.plot(v, np.maximum(i[dev, c], floor), "-", lw=0.8 if dev == 0 else 0.5,
                    color="C0" if dev == 0 else "0.7", alpha=1.0 if dev == 0 else 0.6)
    top = int(np.argmax(v))
    bottom = int(np.argmin(v))
    for key, lo, hi, colour, label in (("v_set_V", 0, top, "C3", "SET"),
                                       ("v_reset_V", top, bottom, "C2", "RESET")):
        vs = d[key]
        xs, ys = [], []
        for dev in range(n_dev):
            for c in range(n_cyc):
                if np.isfinite(vs[dev, c]):
                    seg = slice(lo, hi + 1)
                    k = int(np.argmin(np.abs(v[seg] - vs[dev, c])))
                    xs.append(vs[dev, c])
                    ys.append(max(i[dev, c, lo + k], floor))
        ax.plot(xs, ys, "v" if label == "SET" else "^", color=colour, ms=5, ls="none",
                label=f"{label} voltage ({len(xs)} cycles)")
        finite = vs[np.isfinite(vs)]
        if finite.size:
            hx.hist(finite, bins=min(30, max(5, finite.size // 2)), color=colour, alpha=0.7,
                    label=f"{label}: {finite.mean():.3f} ± {finite.std(ddof=1) if finite.size > 1 else 0:.3f} V")
    comp = run.attrs.get("i_compliance_A")
    if comp:
        ax.axhline(comp, color="k", ls=":", lw=0.8, label=f"compliance {comp * 1e6:.3g} µA")
    ax.set_yscale("log")
    ax.set_xlabel("source voltage (V)")
    ax.set_ylabel("|I| (A)")
    ax.legend(fontsize=7)
    ax.set_title(f"{n_dev} devices x {n_cyc} cycles (device 0 dark)")
    hx.set_xlabel("switching voltage (V)")
    hx.set_ylabel("cycles")
    hx.legend(fontsize=7)
    hx.set_title("SET and RESET voltages")
    fig.suptitle(_device_title(run, "DC I-V sweep"))
    fig.tight_layout()
    return fig


@figure("fig1d_pulse_cycles", kinds=("pulse_cycles",))
def fig1d_pulse_cycles(run):
    """Fig. 1d analogue: the resistance after each pulse (R = V_read / I - R_s) against the pulse
    number, every device (device 0 dark), the SET, LTD and LTP pulses coloured."""
    d = _kind_data(run, "pulse_cycles")
    r = d["r_ohm"] * 1e-3
    phase = d["phase"]
    n_dev, n_p = r.shape
    k = np.arange(1, n_p + 1)
    fig, ax = plt.subplots(figsize=(12, 4.6))
    for dev in range(1, n_dev):
        ax.plot(k, r[dev], "-", lw=0.5, color="0.75")
    colours = {0: ("C1", "initial SET"), 1: ("C3", "LTD"), 2: ("C0", "LTP")}
    for ph, (colour, label) in colours.items():
        sel = phase == ph
        if np.any(sel):
            ax.plot(k[sel], r[0, sel], ".", ms=3, color=colour, label=label)
    _log_axis(ax, "y")
    ax.set_xlabel("pulse number")
    ax.set_ylabel("R after the pulse (kΩ)")
    ax.legend(fontsize=8)
    ax.set_title(f"{n_dev} devices, {int(d['cycle'].max())} LTD/LTP cycles "
                 f"(device 0 coloured), R_s = {run.attrs.get('r_series_ohm', 0) / 1e3:.3g} kΩ")
    fig.suptitle(_device_title(run, "Pulse LTD/LTP cycles"))
    fig.tight_layout()
    return fig


@figure("fig2b_rate_rule", kinds=("rate_rule",))
def fig2b_rate_rule(run):
    """Fig. 2b analogue: the mean conductance change per unit time against the presynaptic rate,
    with its confidence band over trials, and the balance rate nu0 with its bootstrap interval
    (and model.md §6.2's analytic nu0 where it applies)."""
    d = _kind_data(run, "rate_rule")
    nu = d["rate_Hz"]
    scale = 1e9  # nS/s
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    level = run.attrs.get("confidence", 0.95)
    ax.fill_between(nu, d["ci_low_dg_per_s"] * scale, d["ci_high_dg_per_s"] * scale, color="C0",
                    alpha=0.25, label=f"{100 * level:g} % band over {d['dg_per_s'].shape[1]} trials")
    ax.plot(nu, d["mean_dg_per_s"] * scale, "o-", color="C0", label="mean ΔG/Δt")
    ax.axhline(0, color="k", lw=0.8)
    nu0 = run.attrs.get("balance_rate_Hz", float("nan"))
    if np.isfinite(nu0):
        lo = run.attrs.get("balance_rate_ci_low_Hz", float("nan"))
        hi = run.attrs.get("balance_rate_ci_high_Hz", float("nan"))
        if np.isfinite(lo) and np.isfinite(hi):
            ax.axvspan(lo, hi, color="C3", alpha=0.15, label=f"ν0 interval [{lo:.2f}, {hi:.2f}] Hz")
        ax.axvline(nu0, color="C3", label=f"ν0 = {nu0:.2f} Hz")
    analytic = run.attrs.get("analytic_balance_rate_Hz", float("nan"))
    if np.isfinite(analytic):
        ax.axvline(analytic, color="k", ls="--", lw=0.8, label=f"analytic ν0 {analytic:.2f} Hz")
    ax.set_xlabel("presynaptic rate ν (Hz)")
    ax.set_ylabel("ΔG/Δt (nS/s)")
    ax.legend(fontsize=8)
    g0 = run.attrs.get("g_start_S", float("nan"))
    ax.set_title(f"from G = {g0 * 1e6:.3g} µS, {run.attrs.get('duration_s', '?')} s per trial, "
                 f"back-spikes {run.attrs.get('backspike_amplitude_V', '?')} V")
    fig.suptitle(_device_title(run, "Rate rule"))
    fig.tight_layout()
    return fig


@figure("fig4b_theta_burst", kinds=("theta_burst",))
def fig4b_theta_burst(run):
    """Fig. 4b analogue: the normalised weight change G/G_start - 1 after each burst against
    time, every device, with the end of each train marked; and G after each train with the
    target conductances."""
    d = _kind_data(run, "theta_burst")
    t = d["t_after_burst_s"]
    dw = d["weight_change_after_burst"]
    g = d["g_after_train_S"] * 1e6
    n_dev = dw.shape[0]
    fig, (ax, gx) = plt.subplots(1, 2, figsize=(12, 4.6))
    for dev in range(n_dev):
        ax.plot(t, 100 * dw[dev], ".-", ms=3, lw=0.8, label=f"device {dev}" if n_dev <= 8 else None)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("weight change ΔG/G_start (%)")
    ax.set_title(f"after each burst ({run.attrs.get('bursts_per_train', '?')} per train), "
                 f"back-spikes {run.attrs.get('backspikes', '?')}")
    if n_dev <= 8:
        ax.legend(fontsize=7)
    trains = np.arange(0, g.shape[1] + 1)
    for dev in range(n_dev):
        gg = np.concatenate(([d["g_start_S"][dev] * 1e6], g[dev]))
        gx.plot(trains, gg, "o-", ms=4)
    for target in d["target_g_S"]:
        gx.axhline(target * 1e6, color="k", ls="--", lw=0.8)
    gx.set_xlabel("trains applied")
    gx.set_ylabel("G_read (µS)")
    gx.set_title("G after each train; dashed: targets")
    fig.suptitle(_device_title(run, "Theta-burst LTP"))
    fig.tight_layout()
    return fig


@figure("fig4_ladder")
def fig4_ladder(run):
    """The theta-burst ladder of an MI sweep (/analysis/ladder): G after each train with the
    targets, and the MI measured at the conductances it reached."""
    lad = run.ladder() if hasattr(run, "ladder") else None
    if lad is None:
        raise FigureSkipped("no /analysis/ladder (the grid has no theta_burst_ladder block)")
    fig, (gx, mx) = plt.subplots(1, 2, figsize=(12, 4.4))
    g = np.concatenate(([lad.attrs.get("g_start_S", np.nan)], lad["g_after_train_S"])) * 1e6
    gx.plot(np.arange(g.size), g, "o-", label="G after each train")
    for target in lad["target_g_S"]:
        gx.axhline(target * 1e6, color="k", ls="--", lw=0.8)
    gx.set_xlabel("trains applied")
    gx.set_ylabel("G_read (µS)")
    gx.set_title("ladder (dashed: targets)")
    cond = lad["condition"].astype(int)
    mi = run.results["mutual_information_bit"][cond]
    mx.plot(lad["conductance_S"] * 1e6, mi, "s-", label="plug-in MI")
    mx.set_xlabel("conductance reached (µS)")
    mx.set_ylabel("I(R;S) (bit)")
    mx.set_title("MI at the ladder's conductances")
    fig.suptitle(f"Theta-burst ladder and MI: {_title(run)}")
    fig.tight_layout()
    return fig


NOISE_AXIS_LABEL = {
    "device": "device-to-device σ of ln G",
    "read": "cycle-to-cycle read σ of ln I",
    "rtn": "RTN trap step δ",
}


@figure("fig_noise_mi")
def fig_noise_mi(run):
    """Device noise in the MI runs (issue 10, beyond the paper): MI, H(R) and H(R|S) against the
    noise amplitude of /analysis/synapse_physics, one line per conductance grid point; the
    plug-in of /results, and PT of /analysis/run where it was computed (filled markers)."""
    sp = run.synapse_physics() if hasattr(run, "synapse_physics") else None
    if sp is None or sp.attrs.get("noise_process", "none") == "none":
        raise FigureSkipped("no noise axis (/analysis/synapse_physics with a noise_process)")
    amp = np.asarray(sp["noise_amplitude"], dtype=float)
    point = np.asarray(sp["grid_point"], dtype=np.int64)
    done = np.asarray(run.completed, dtype=bool)
    an = _run_analysis(run)
    res = run.results
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2), sharex=True)
    panels = (
        ("mutual_information_bit", "pt_mi_bit", "I(R;S) (bit)"),
        ("h_r_bit", "pt_h_r_bit", "H(R) (bit)"),
        ("h_r_given_s_bit", "pt_h_r_given_s_bit", "H(R|S) (bit)"),
    )
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for j, g in enumerate(np.unique(point)):
        rows = np.flatnonzero((point == g) & done)
        if rows.size == 0:
            continue
        rows = rows[np.argsort(amp[rows])]
        label = _condition_label(run, rows[0])
        colour = colours[j % len(colours)]
        for ax, (res_key, pt_key, _) in zip(axes, panels):
            ax.plot(amp[rows], res[res_key][rows], "o--", mfc="none", color=colour,
                    label=f"{label}, plug-in")
            pt = _column(an, "pt", pt_key, rows)
            if pt is not None:
                ax.plot(amp[rows], pt, "o-", color=colour, label=f"{label}, PT")
    process = sp.attrs.get("noise_process")
    for ax, (_, _, ylabel) in zip(axes, panels):
        ax.set_xlabel(NOISE_AXIS_LABEL.get(process, "noise amplitude"))
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=7)
    plast = str(sp.attrs.get("plasticity", "off")).split(":")[0]
    fig.suptitle(f"Information against device noise ({process}; plasticity {plast}): {_title(run)}")
    fig.tight_layout()
    return fig


# -- driver ----------------------------------------------------------------------------------


def render_all(run, out_dir, names=None, dpi=120):
    """Draw the figures (all, or those in ``names``) of an open RunFile or KindFile into
    ``out_dir``.

    Returns a list of (name, path or None, reason or None), one per figure tried.
    """
    known = [n for n, _ in FIGURES]
    unknown = [n for n in (names or ()) if n not in known]
    if unknown:
        raise ValueError(f"unknown figure(s) {unknown}; known: {known}")
    os.makedirs(out_dir, exist_ok=True)
    out = []
    kind = getattr(run, "experiment_kind", MI_KIND)
    for name, fn in FIGURES:
        if names and name not in names:
            continue
        if kind not in FIGURE_KINDS[name]:
            wanted = " or ".join(FIGURE_KINDS[name])
            out.append((name, None, f"the file is of kind {kind}; the figure draws {wanted} files"))
            continue
        try:
            fig = fn(run)
        except FigureSkipped as e:
            out.append((name, None, str(e)))
            continue
        path = os.path.join(out_dir, f"{name}.png")
        try:
            fig.savefig(path, dpi=dpi)
        finally:
            plt.close(fig)
        out.append((name, path, None))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python3 -m memlifpy.figures",
        description="Write every PNG figure a memlif-run file's contents allow.",
    )
    ap.add_argument("file")
    ap.add_argument("-o", "--output-dir", default=".", help="folder for the PNGs (default .)")
    ap.add_argument("--only", nargs="+", metavar="NAME",
                    help="draw only these figures: " + ", ".join(n for n, _ in FIGURES))
    ap.add_argument("--dpi", type=int, default=120)
    args = ap.parse_args(argv)
    known = [n for n, _ in FIGURES]
    for name in args.only or ():
        if name not in known:
            ap.error(f"--only {name}: unknown figure (known: {', '.join(known)})")
    try:
        with open_file(args.file) as run:
            done = render_all(run, args.output_dir, args.only, args.dpi)
    except (OSError, FormatError) as e:
        print(f"memlifpy.figures: {e}", file=sys.stderr)
        return 2
    for name, path, reason in done:
        print(f"wrote {path}" if path else f"skipped {name}: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
