# SPDX-License-Identifier: MIT
"""Reader for memlif-run HDF5 files (io/FORMAT.md is the authoritative layout).

Checks the ``filetype`` and the major ``format_version`` before reading anything (OpenMC's
check_filetype_version), then returns plain numpy arrays and dicts. Works with numpy 1.24 and
2.x and h5py 3.7 and later.

Usage as a script prints a summary::

    /usr/bin/python3 tools/memlif_h5.py run.h5

Library use::

    import memlif_h5
    run = memlif_h5.read_run("run.h5")
    run["results"]["mutual_information_bit"]       # float64[n_conditions], NaN where incomplete
    c = memlif_h5.condition_counts("run.h5", 0)     # CSR counts of condition 0
"""

import json
import os
import sys

import h5py
import numpy as np

FILETYPE = "memlif-run"
FORMAT_MAJOR = 1
FORMAT_MINOR = 0


class FormatError(ValueError):
    """The file is not a memlif-run file this reader understands."""


def _str(value):
    """Attributes and string datasets as str, whether h5py hands back str, bytes or numpy."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8")
    return str(value)


def _plain(value):
    """numpy scalars -> Python scalars, small arrays -> lists, strings decoded."""
    if isinstance(value, (bytes, np.bytes_, str)):
        return _str(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in ("S", "O", "U"):
            return [_str(v) for v in value.ravel()]
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


class _Opened:
    """Context manager accepting a path or an already open h5py.File (left open)."""

    def __init__(self, source):
        self._source = source
        self._file = None

    def __enter__(self):
        if isinstance(self._source, h5py.File):
            check_file(self._source)
            return self._source
        path = os.fspath(self._source)
        if not os.path.exists(path):
            raise FileNotFoundError(f"{path}: no such file")
        if not h5py.is_hdf5(path):
            raise FormatError(f"{path}: not an HDF5 file")
        self._file = h5py.File(path, "r")
        try:
            check_file(self._file)
        except Exception:
            self._file.close()
            raise
        return self._file

    def __exit__(self, *exc):
        if self._file is not None:
            self._file.close()
        return False


def check_file(f):
    """Raise FormatError unless ``f`` (an open h5py.File) is memlif-run of major version 1."""
    name = f.filename
    if "filetype" not in f.attrs:
        raise FormatError(f"{name}: not a memlif-run file (no 'filetype' attribute)")
    filetype = _str(f.attrs["filetype"])
    if filetype != FILETYPE:
        raise FormatError(f"{name}: not a memlif-run file (filetype '{filetype}')")
    if "format_version" not in f.attrs:
        raise FormatError(f"{name}: no 'format_version' attribute")
    version = np.asarray(f.attrs["format_version"]).ravel()
    if version.size != 2:
        raise FormatError(f"{name}: 'format_version' must hold (major, minor)")
    major, minor = int(version[0]), int(version[1])
    if major != FORMAT_MAJOR:
        raise FormatError(
            f"{name}: memlif-run format version {major}.{minor} is not supported "
            f"(this reader reads {FORMAT_MAJOR}.x)"
        )
    return major, minor


def _group(f, name):
    return {key: np.asarray(ds[()]) for key, ds in f[name].items() if isinstance(ds, h5py.Dataset)}


def read_run(source):
    """Everything except the per-condition counts and per-trial rows, as a dict.

    Keys: ``format_version`` (tuple), ``attrs`` (root attributes as Python values),
    ``complete`` (bool), ``incomplete_reason`` (str), ``config_json`` (str), ``config`` (parsed
    JSON, or None if it does not parse), ``stimuli``, ``axes``, ``results`` (dicts of numpy
    arrays), ``completed`` (bool array per condition), ``runtime`` (dict, or None before finish).
    """
    with _Opened(source) as f:
        major, minor = check_file(f)
        attrs = {key: _plain(value) for key, value in f.attrs.items()}
        config_json = _str(f["config_json"][()])
        try:
            config = json.loads(config_json)
        except ValueError:
            config = None
        runtime = None
        if "runtime" in f:
            runtime = {key: (ds[()].item() if ds.size == 1 and ds.ndim == 0 else ds[()]) for key, ds in f["runtime"].items()}
        results = _group(f, "results")
        return {
            "format_version": (major, minor),
            "attrs": attrs,
            "complete": bool(attrs["complete"]),
            "incomplete_reason": attrs.get("incomplete_reason", ""),
            "config_json": config_json,
            "config": config,
            "stimuli": _group(f, "stimuli"),
            "axes": _group(f, "axes"),
            "results": results,
            "completed": results["completed"].astype(bool),
            "runtime": runtime,
        }


def completed_conditions(source):
    """Indices of completed conditions, ascending (int64 array)."""
    with _Opened(source) as f:
        return np.flatnonzero(f["results/completed"][()])


def condition_counts(source, condition):
    """Counts n(r|s) of one completed condition in CSR form.

    Returns a dict: ``offsets`` uint64[n_stimuli + 1], ``words`` uint64[m], ``counts`` uint64[m],
    ``stimulus`` uint32[m] (the row's stimulus, the expanded form of offsets), ``n_bins`` (int).
    Raises KeyError if the condition is out of range or not completed.
    """
    with _Opened(source) as f:
        completed = f["results/completed"]
        k = int(condition)
        if not 0 <= k < completed.shape[0]:
            raise KeyError(f"{f.filename}: condition {k} out of range")
        if not completed[k]:
            raise KeyError(f"{f.filename}: condition {k} was not completed")
        start = int(f["counts/condition_row_start"][k])
        n = int(f["counts/condition_row_count"][k])
        rows = slice(start, start + n)
        cond = f["counts/condition"][rows]
        stim = f["counts/stimulus"][rows].astype(np.uint32)
        n_stimuli = f["stimuli/code"].shape[0]
        if np.any(cond != k) or np.any(np.diff(stim.astype(np.int64)) < 0) or np.any(
            stim >= n_stimuli
        ):
            raise FormatError(f"{f.filename}: corrupt counts of condition {k}")
        per_stimulus = np.bincount(stim, minlength=n_stimuli)
        offsets = np.zeros(n_stimuli + 1, dtype=np.uint64)
        offsets[1:] = np.cumsum(per_stimulus).astype(np.uint64)
        return {
            "offsets": offsets,
            "words": f["counts/word"][rows].astype(np.uint64),
            "counts": f["counts/count"][rows].astype(np.uint64),
            "stimulus": stim,
            "n_bins": int(f.attrs["n_bins"]),
        }


def counts_table(source):
    """The flat count rows of all completed conditions, in file order, as a dict of arrays
    (``condition``, ``stimulus``, ``word``, ``count``). Rows left by an interrupted write (not
    covered by a completed condition's row range) are dropped."""
    with _Opened(source) as f:
        completed = f["results/completed"][()].astype(bool)
        start = f["counts/condition_row_start"][()]
        count = f["counts/condition_row_count"][()]
        n_rows = f["counts/condition"].shape[0]
        keep = np.zeros(n_rows, dtype=bool)
        for k in np.flatnonzero(completed):
            keep[int(start[k]) : int(start[k]) + int(count[k])] = True
        return {
            name: f["counts/" + name][()][keep]
            for name in ("condition", "stimulus", "word", "count")
        }


def trials(source):
    """Per-trial rows (``condition``, ``stimulus``, ``repeat``, ``word``), the first
    ``n_trials_written`` of each column; None when the run did not store trials."""
    with _Opened(source) as f:
        if "trials" not in f:
            return None
        g = f["trials"]
        n = int(g.attrs["n_trials_written"])
        return {name: g[name][:n] for name in ("condition", "stimulus", "repeat", "word")}


def analysis(source, name):
    """The datasets (numpy arrays) and attributes of /analysis/<name>, as (data, attrs)."""
    with _Opened(source) as f:
        g = f["analysis/" + name]
        data = {key: np.asarray(ds[()]) for key, ds in g.items() if isinstance(ds, h5py.Dataset)}
        attrs = {key: _plain(value) for key, value in g.attrs.items()}
        return data, attrs


def _summary(path):
    run = read_run(path)
    a = run["attrs"]
    lines = [
        f"{path}: {FILETYPE} {run['format_version'][0]}.{run['format_version'][1]}",
        f"  software {a.get('software_version')} ({a.get('git_sha1')}), created {a.get('created')}",
        f"  backend {a.get('backend')}, seed {a.get('seed')}",
        f"  complete {run['complete']}"
        + ("" if run["complete"] else f" ({run['incomplete_reason']})"),
        f"  conditions {run['completed'].sum()}/{run['completed'].size} completed, "
        f"stimuli {run['stimuli']['code'].size}, n_bins {a.get('n_bins')}",
    ]
    mi = run["results"]["mutual_information_bit"][run["completed"]]
    if mi.size:
        lines.append(f"  MI (bit) min {np.nanmin(mi):.4g} max {np.nanmax(mi):.4g}")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: memlif_h5.py RUN.h5", file=sys.stderr)
        sys.exit(2)
    try:
        print(_summary(sys.argv[1]))
    except (OSError, FormatError, KeyError) as e:
        print(f"memlif_h5: {e}", file=sys.stderr)
        sys.exit(2)
