# SPDX-License-Identifier: MIT
"""Calibration of the estimators' reliability thresholds on rho (docs/estimators.md).

memlif flags an estimator unreliable where the sampling ratio

    rho = sum_s p(s) N_s / sum_s p(s) m_s

(trials per stimulus over distinct responses seen per stimulus, /analysis/<group>/
trials_per_response) is below the estimator's threshold (host/information/reliability.cpp). This
module measures those thresholds on memlif's own responses:

1. ``simulate``: for each parameter set of :data:`PLAN` it runs memlif (exact solver) once per
   repeat count over the conductance list with every estimator family, and once with
   ``ground_truth`` at a large repeat count (reference = PT at that count, io/FORMAT.md
   /analysis/ground_truth), plus a second, independent large-sample reference (another seed,
   another large count) whose difference to the first measures the reference's uncertainty.
   Runs whose file is already complete are skipped, so an interrupted calibration resumes.
2. ``collect``: one record per (parameter set, conductance, repeats): rho, the reference, and
   each estimator's value and bias = value - reference (``jackknife``: its corrected MI;
   ``null``: MI - <I_null>, the value memlif's ground truth uses), written as JSON.
3. ``score``: for each estimator, the smallest calibrated rho above which |bias| <= tolerance at
   every calibration point (:func:`threshold`), tolerance = max(abs_tol, rel_tol * reference),
   claimed only where the points above it come from at least ``MIN_SUPPORT`` parameter sets.
   Besides the nine families, :data:`VARIANTS` are scored (``sh_pt``: I_sh with PT terms, from
   ``memlif analyze`` on the same files).
4. ``table`` / ``figure``: the Markdown tables and the PNG of bias against rho.

Command line (``all`` does simulate, collect, score and figure; everything else comes from
:data:`PLAN`); run from tools/ (or with PYTHONPATH=tools)::

    cd tools && /usr/bin/python3 -m memlifpy.reliability_calibration all \
        --memlif ../build/memlif --work /tmp/memlif_calibration \
        --json ../docs/estimators_calibration.json --figure ../docs/estimators_bias.png

``score``, ``table`` and ``figure`` read only the JSON, so a changed tolerance is re-scored
without simulating again (``score --abs-tol 0.05``; the defaults of --memlif, --json and
--figure are build/memlif, docs/estimators_calibration.json and docs/estimators_bias.png of
this repository).
"""

import argparse
import json
import math
import os
import pathlib
import subprocess
import sys

#: The repository root (defaults of the command line are relative to it).
REPO = pathlib.Path(__file__).resolve().parents[2]

#: The estimator families scored, in memlif's order (information.md).
ESTIMATORS = ("plugin", "mm", "pt", "qe", "sh", "nsb", "jackknife", "bootstrap", "null")

#: Variants scored besides the card-default families: name -> (estimator, `memlif analyze` options,
#: group). ``sh_pt``: I_sh with PT terms, the combination Panzeri et al. 2007 recommend.
VARIANTS = {"sh_pt": ("sh", ["information.sh.inner=pt"], "sh_pt")}

#: Every scored column: the families, then the variants.
SCORED = ESTIMATORS + tuple(VARIANTS)

#: Default tolerance: |bias| <= max(ABS_TOL_BIT, REL_TOL * reference MI).
ABS_TOL_BIT = 0.1
REL_TOL = 0.05

#: A threshold is claimed only where the points above it come from at least this many parameter
#: sets, so that it does not rest on one circuit's few most sampled conditions.
MIN_SUPPORT = 2

#: The calibration plan. Every card starts from memlif's default card (the paper's neuron,
#: symmetric 3876-class stimulus set, uniform p(s)); ``card`` lists what a parameter set changes.
#: ``information`` holds the estimator options that differ from the defaults, chosen for cost
#: only: the bootstrap's MI column is its point estimator on the data (independent of the
#: replicates; its replicates only give the SD), and the null mean over 20 permutations differs
#: from the mean over 100 by far less than the tolerance on 3876 stimuli.
PLAN = {
    "conductances_uS": [2.3, 2.6, 3.2, 4.0, 6.2, 9.0, 13.6, 20.0],
    "repeats": [5, 10, 15, 30, 60, 120],
    "reference": {"repeats": 2000, "seed_offset": 0},
    "reference_check": {"repeats": 1000, "seed_offset": 1},
    "seed": 20230523,
    "threads": 2,
    "information": {"bootstrap": {"replicates": 2}, "null": {"replicates": 20}},
    "parameter_sets": {
        "default": {
            "label": "default card (v_th 0.5 V, Poisson jitter mean 20 ms)",
            "card": {},
        },
        "low_jitter": {
            "label": "Poisson jitter mean 5 ms (less noise, more information)",
            "card": {"stimulus": {"jitter": {"mean_ms": 5.0}}},
            # its responses are less varied, so 60 repeats already reach rho 43 (and the CPU
            # budget of the shared machine did not hold a 120-repeat run of both sets)
            "repeats": [5, 10, 15, 30, 60],
        },
    },
}


# -- scoring (pure functions, no files) ----------------------------------------------------------


def tolerance(reference_bit, abs_tol=ABS_TOL_BIT, rel_tol=REL_TOL):
    """The allowed |bias| at a point whose reference MI is ``reference_bit``."""
    return max(abs_tol, rel_tol * abs(reference_bit))


def passes(bias_bit, reference_bit, abs_tol=ABS_TOL_BIT, rel_tol=REL_TOL):
    """True if the bias is finite and within the tolerance of the point."""
    return math.isfinite(bias_bit) and abs(bias_bit) <= tolerance(reference_bit, abs_tol, rel_tol)


def threshold(points, abs_tol=ABS_TOL_BIT, rel_tol=REL_TOL, min_support=1):
    """The smallest calibrated rho above which every point passes.

    ``points``: iterable of (rho, bias_bit, reference_bit) or (rho, bias_bit, reference_bit,
    group). Returns a dict with

    - ``rho_min``: the smallest calibrated rho r such that every point with rho >= r passes, or
      None when the point(s) at the largest rho fail (no threshold works in the calibrated range)
      or when the points at rho >= r come from fewer than ``min_support`` groups (a threshold
      resting on one parameter set's points is not claimed);
    - ``candidate_rho_min``: the r above, before the support rule (None if the largest rho fails);
    - ``support``: the number of groups among the points at rho >= candidate_rho_min;
    - ``worst_failing_rho``: the largest rho of a failing point (None if none fails);
    - ``below_range``: True when no point fails at all, so the threshold is only bounded by the
      smallest rho calibrated (the estimator may be fine further down);
    - ``n_points``, ``n_failing``.

    A point with a non-finite rho is ignored; one with a non-finite bias counts as failing.
    """
    pts = []
    for p in points:
        r, b, ref = (float(x) for x in p[:3])
        if math.isfinite(r):
            pts.append((r, b, ref, p[3] if len(p) > 3 else None))
    if not pts:
        raise ValueError("threshold: no calibration point with a finite rho")
    failing = [r for r, b, ref, _ in pts if not passes(b, ref, abs_tol, rel_tol)]
    out = {"n_points": len(pts), "n_failing": len(failing), "worst_failing_rho": None,
           "below_range": False, "support": 0}
    if not failing:
        candidate = min(r for r, _, _, _ in pts)
        out["below_range"] = True
    else:
        worst = max(failing)
        out["worst_failing_rho"] = worst
        above = [r for r, _, _, _ in pts if r > worst]
        candidate = min(above) if above else None
    out["candidate_rho_min"] = candidate
    if candidate is not None:
        out["support"] = len({g for r, _, _, g in pts if r >= candidate})
    out["rho_min"] = candidate if candidate is not None and out["support"] >= min_support else None
    return out


def score(records, estimators=SCORED, abs_tol=ABS_TOL_BIT, rel_tol=REL_TOL,
          min_support=MIN_SUPPORT):
    """{estimator: threshold(...)} over all records (every parameter set pooled; a threshold
    must hold on points of at least ``min_support`` parameter sets)."""
    out = {}
    for est in estimators:
        pts = [(r["rho"], r["bias_bit"][est], r["reference_bit"], r["parameter_set"])
               for r in records if est in r["bias_bit"]]
        if pts:
            out[est] = threshold(pts, abs_tol, rel_tol, min_support)
    return out


def max_abs_bias_above(records, est, rho):
    """The largest |bias| of ``est`` among the records with rho >= ``rho`` (NaN if none)."""
    vals = [abs(r["bias_bit"][est]) for r in records if r["rho"] >= rho and est in r["bias_bit"]]
    return max(vals) if vals else float("nan")


# -- cards and runs ------------------------------------------------------------------------------


def _merge(base, extra):
    out = dict(base)
    for k, v in extra.items():
        out[k] = _merge(out.get(k, {}), v) if isinstance(v, dict) else v
    return out


def _card(plan, pset, path, repeats, estimators, seed, ground_truth=None):
    card = {
        "seed": seed,
        "simulation": {"repeats": repeats, "solver": "exact", "threads": plan["threads"]},
        "conductance_grid": [{"kind": "list", "values_uS": plan["conductances_uS"]}],
        "information": _merge({"estimators": list(estimators)}, plan["information"]),
        "output": {"path": str(path)},
    }
    if ground_truth is not None:
        card["ground_truth"] = {
            "enabled": True,
            "repeats": ground_truth,
            "conditions": list(range(len(plan["conductances_uS"]))),
        }
    return _merge(card, plan["parameter_sets"][pset]["card"])


def _repeats(plan, pset):
    """The repeat counts of a parameter set: its own list where it has one, else the plan's."""
    return plan["parameter_sets"][pset].get("repeats", plan["repeats"])


def runs(plan, work):
    """Every run of the plan: (name, card dict, output path), large-sample references first."""
    work = pathlib.Path(work)
    out = []
    for pset in plan["parameter_sets"]:
        for key in ("reference", "reference_check"):
            ref = plan[key]
            path = work / f"{pset}_{key}.h5"
            # the main run of a reference file is the smallest plan repeat with the plug-in only
            card = _card(plan, pset, path, _repeats(plan, pset)[0], ["plugin"],
                         plan["seed"] + ref["seed_offset"], ground_truth=ref["repeats"])
            out.append((f"{pset}_{key}", card, path))
    for repeats in plan["repeats"]:
        for pset in plan["parameter_sets"]:
            if repeats not in _repeats(plan, pset):
                continue
            path = work / f"{pset}_r{repeats}.h5"
            out.append((f"{pset}_r{repeats}", _card(plan, pset, path, repeats, ESTIMATORS,
                                                    plan["seed"]), path))
    return out


def _complete(path):
    if not path.exists():
        return False
    import h5py

    try:
        with h5py.File(path, "r") as f:
            return int(f.attrs.get("complete", 0)) == 1
    except OSError:
        return False


def simulate(plan, work, memlif, log=sys.stderr):
    work = pathlib.Path(work)
    work.mkdir(parents=True, exist_ok=True)
    for name, card, path in runs(plan, work):
        if _complete(path):
            print(f"{name}: {path} complete, skipped", file=log)
            continue
        card_path = work / f"{name}.json"
        card_path.write_text(json.dumps(card, indent=1) + "\n")
        if path.exists():
            path.unlink()
        cmd = [str(memlif), "run", str(card_path), "-q", "--backend", "cpu"]
        print(" ".join(cmd), file=log, flush=True)
        done = subprocess.run(cmd, capture_output=True, text=True)
        (work / f"{name}.log").write_text(done.stdout + done.stderr)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr}")
    for name, card, path in runs(plan, work):
        if "ground_truth" in card:
            continue
        for variant, (est, sets, group) in VARIANTS.items():
            if _has_group(path, group):
                continue
            cmd = [str(memlif), "analyze", str(path), "--estimators", est, "--group", group,
                   "--backend", "cpu"]
            for s in sets:
                cmd += ["--set", s]
            print(" ".join(cmd), file=log, flush=True)
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr}")


def _has_group(path, group):
    import h5py

    with h5py.File(path, "r") as f:
        return ("analysis/" + group) in f


# -- collection ----------------------------------------------------------------------------------


def _corrected(analysis, est):
    """The value memlif's ground truth scores: jackknife and null use their corrected MI."""
    if est in ("jackknife", "null"):
        return analysis[est + "_mi_corrected_bit"]
    return analysis[est + "_mi_bit"]


def collect(plan, work):
    from .reader import open_run

    work = pathlib.Path(work)
    g_uS = plan["conductances_uS"]
    records, references = [], []
    for pset in plan["parameter_sets"]:
        ref = {}
        for key in ("reference", "reference_check"):
            with open_run(work / f"{pset}_{key}.h5") as run:
                gt = run.ground_truth()
                order = list(gt["condition"])
                ref[key] = [float(gt["reference_mi_bit"][order.index(i)]) for i in range(len(g_uS))]
                ref[key + "_plugin"] = [float(gt["plugin_large_mi_bit"][order.index(i)])
                                        for i in range(len(g_uS))]
                ref[key + "_repeats"] = int(gt.attrs["repeats_large"])
                ref[key + "_seed"] = int(gt.attrs["seed"])
        for i, g in enumerate(g_uS):
            references.append({
                "parameter_set": pset,
                "g_uS": g,
                "reference_bit": ref["reference"][i],
                "reference_repeats": ref["reference_repeats"],
                "reference_seed": ref["reference_seed"],
                "plugin_at_reference_bit": ref["reference_plugin"][i],
                "check_bit": ref["reference_check"][i],
                "check_repeats": ref["reference_check_repeats"],
                "check_seed": ref["reference_check_seed"],
                "plugin_at_check_bit": ref["reference_check_plugin"][i],
            })
        for repeats in _repeats(plan, pset):
            with open_run(work / f"{pset}_r{repeats}.h5") as run:
                a = run.analysis("run")
                info = a.information
                variants = {v: run.analysis(group) for v, (_, _, group) in VARIANTS.items()
                            if run.has_analysis(group)}
                for i, g in enumerate(g_uS):
                    value = {e: float(_corrected(a, e)[i]) for e in ESTIMATORS if e + "_mi_bit" in a}
                    for v, av in variants.items():
                        value[v] = float(_corrected(av, VARIANTS[v][0])[i])
                    records.append({
                        "parameter_set": pset,
                        "g_uS": g,
                        "repeats": repeats,
                        "rho": float(a["trials_per_response"][i]),
                        "reference_bit": ref["reference"][i],
                        "jackknife_se_bit": float(a["jackknife_mi_se_bit"][i]),
                        "mi_bit": value,
                        "bias_bit": {e: v - ref["reference"][i] for e, v in value.items()},
                    })
    return {
        "plan": plan,
        "estimator_options": info,
        "tolerance": {"abs_bit": ABS_TOL_BIT, "rel": REL_TOL, "min_support": MIN_SUPPORT},
        "thresholds": score(records),
        "references": references,
        "records": records,
    }


# -- reports -------------------------------------------------------------------------------------


def _fmt(x, digits=3):
    return "—" if x is None or not math.isfinite(x) else f"{x:.{digits}f}"


def table(data, abs_tol=ABS_TOL_BIT, rel_tol=REL_TOL):
    """Markdown: the references, the calibration points, the thresholds."""
    lines = []
    lines.append("| parameter set | G (µS) | reference PT (bit) | repeats | check PT (bit) | repeats "
                 "| check − reference | plug-in at reference repeats |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for r in data["references"]:
        lines.append(
            f"| {r['parameter_set']} | {r['g_uS']:g} | {_fmt(r['reference_bit'])} | "
            f"{r['reference_repeats']} | {_fmt(r['check_bit'])} | {r['check_repeats']} | "
            f"{_fmt(r['check_bit'] - r['reference_bit'])} | {_fmt(r['plugin_at_reference_bit'])} |")
    lines.append("")
    est = [e for e in SCORED if any(e in r["bias_bit"] for r in data["records"])]
    lines.append("| set | G (µS) | repeats | ρ | reference | tol | " + " | ".join(est) + " |")
    lines.append("|---|---|---|---|---|---|" + "---|" * len(est))
    for r in sorted(data["records"], key=lambda r: (r["parameter_set"], r["g_uS"], r["repeats"])):
        tol = tolerance(r["reference_bit"], abs_tol, rel_tol)
        cells = []
        for e in est:
            b = r["bias_bit"].get(e, float("nan"))
            cells.append(_fmt(b) + ("" if passes(b, r["reference_bit"], abs_tol, rel_tol) else "*"))
        lines.append(f"| {r['parameter_set']} | {r['g_uS']:g} | {r['repeats']} | "
                     f"{r['rho']:.2f} | {_fmt(r['reference_bit'])} | {tol:.3f} | "
                     + " | ".join(cells) + " |")
    lines.append("")
    lines.append(thresholds_table(data, abs_tol, rel_tol))
    return "\n".join(lines)


def thresholds_table(data, abs_tol=ABS_TOL_BIT, rel_tol=REL_TOL, min_support=MIN_SUPPORT):
    s = score(data["records"], abs_tol=abs_tol, rel_tol=rel_tol, min_support=min_support)
    lines = ["| estimator | points failing | largest failing ρ | threshold ρ_min | "
             "max abs(bias) at ρ ≥ ρ_min (bit) |", "|---|---|---|---|---|"]
    for e, t in s.items():
        rho_min = t["rho_min"]
        cand = t.get("candidate_rho_min")
        if rho_min is None and cand is not None:
            n_above = sum(1 for r in data["records"] if r["rho"] >= cand and e in r["bias_bit"])
            thr = (f"none (passes only at ρ ≥ {cand:.2f}: {n_above} point(s) of "
                   f"{t['support']} parameter set)")
        elif rho_min is None:
            thr = "none in range"
        else:
            thr = f"≤ {rho_min:.2f} (nothing fails)" if t["below_range"] else f"{rho_min:.2f}"
        worst = max_abs_bias_above(data["records"], e, rho_min) if rho_min is not None else None
        lines.append(f"| {e} | {t['n_failing']} / {t['n_points']} | "
                     f"{_fmt(t['worst_failing_rho'], 2)} | {thr} | {_fmt(worst)} |")
    return "\n".join(lines)


def figure(data, path, abs_tol=ABS_TOL_BIT, rel_tol=REL_TOL):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    est = [e for e in SCORED if any(e in r["bias_bit"] for r in data["records"])]
    s = score(data["records"], est, abs_tol, rel_tol)
    ncol = 5
    nrow = (len(est) + ncol - 1) // ncol
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.0 * ncol + 1.0, 2.6 * nrow), sharex=True,
                             sharey=True, squeeze=False, layout="constrained")
    markers = {"default": "o", "low_jitter": "s"}
    gs = sorted({r["g_uS"] for r in data["records"]})
    cmap = plt.get_cmap("viridis")
    for ax, e in zip(axes.flat, est):
        for pset in data["plan"]["parameter_sets"]:
            rs = [r for r in data["records"] if r["parameter_set"] == pset and e in r["bias_bit"]]
            ax.scatter([r["rho"] for r in rs], [r["bias_bit"][e] for r in rs],
                       c=[cmap(gs.index(r["g_uS"]) / max(1, len(gs) - 1)) for r in rs],
                       marker=markers.get(pset, "^"), s=16, edgecolors="k", linewidths=0.3,
                       label=pset)
        ax.axhspan(-abs_tol, abs_tol, color="0.85", zorder=0)
        ax.axhline(0, color="0.3", lw=0.6)
        t = s[e]["rho_min"]
        if t is not None and not s[e]["below_range"]:
            ax.axvline(t, color="C3", lw=1.0)
        ax.set_xscale("log")
        # symmetric log: the tolerance band stays readable next to biases of several bits
        ax.set_yscale("symlog", linthresh=0.2)
        ax.set_title(f"{e}: ρ_min = " + ("none" if t is None else f"{t:.2f}"), fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(True, which="major", lw=0.3, color="0.8")
    for ax in axes.flat[len(est):]:
        ax.axis("off")
    fig.supxlabel("ρ = trials per stimulus / distinct responses seen per stimulus", fontsize=9)
    fig.supylabel("bias = estimator − reference (bit)", fontsize=9)
    axes.flat[0].legend(fontsize=7, loc="upper right")
    sm = plt.cm.ScalarMappable(cmap=cmap, norm=matplotlib.colors.Normalize(0, len(gs) - 1))
    cb = fig.colorbar(sm, ax=axes, shrink=0.8, ticks=range(len(gs)), pad=0.01)
    cb.ax.set_yticklabels([f"{g:g} µS" for g in gs], fontsize=7)
    fig.suptitle(f"Estimator bias against ρ (grey: ±{abs_tol} bit; red: threshold ρ_min)",
                 fontsize=10)
    fig.savefig(path, dpi=110)
    plt.close(fig)


# -- command line --------------------------------------------------------------------------------


def _load(path):
    with open(path) as f:
        return json.load(f)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m memlifpy.reliability_calibration",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("step", choices=["simulate", "collect", "score", "table", "figure", "all"])
    p.add_argument("--memlif", default=str(REPO / "build" / "memlif"),
                   help="the memlif executable")
    p.add_argument("--work", default="calib", help="folder of the cards, logs and HDF5 files")
    p.add_argument("--json", default=str(REPO / "docs" / "estimators_calibration.json"),
                   help="the collected calibration (written by collect/all, read by the rest)")
    p.add_argument("--figure", default=str(REPO / "docs" / "estimators_bias.png"))
    p.add_argument("--abs-tol", type=float, default=ABS_TOL_BIT)
    p.add_argument("--rel-tol", type=float, default=REL_TOL)
    p.add_argument("--min-support", type=int, default=MIN_SUPPORT)
    a = p.parse_args(argv)
    if a.step in ("simulate", "all"):
        simulate(PLAN, a.work, a.memlif)
    if a.step in ("collect", "all"):
        data = collect(PLAN, a.work)
        pathlib.Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        with open(a.json, "w") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
    if a.step in ("score", "all"):
        data = _load(a.json)
        print(thresholds_table(data, a.abs_tol, a.rel_tol, a.min_support))
    if a.step == "table":
        print(table(_load(a.json), a.abs_tol, a.rel_tol))
    if a.step in ("figure", "all"):
        figure(_load(a.json), a.figure, a.abs_tol, a.rel_tol)
    return 0


if __name__ == "__main__":
    sys.exit(main())
