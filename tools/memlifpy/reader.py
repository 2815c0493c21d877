# SPDX-License-Identifier: MIT
"""Reader for memlif-run HDF5 files; io/FORMAT.md is the authoritative layout.

The file's identity (``filetype``, major ``format_version``) is checked before anything else is
read, then its layout: the shapes of the stimulus, condition and results tables, the completed
flags, and the row ranges of the completed conditions' counts. A file that breaks a rule of
FORMAT.md raises :class:`FormatError` naming the object; nothing is silently patched up. Any minor
version of major 1 is accepted (a minor bump only adds objects, which are passed through).

Example::

    from memlifpy import open_run
    with open_run("run.h5") as run:
        g_uS = run.axes["conductance_uS"][:, 0]
        mi = run.results["mutual_information_bit"]      # NaN where not completed
        c = run.counts(0)                               # sparse n(r|s) of condition 0
        words, counts = c.of_stimulus(5)

Command line (prints a summary)::

    python3 -m memlifpy.reader RUN.h5
"""

import argparse
import dataclasses
import json
import os
import sys

import h5py
import numpy as np

FILETYPE = "memlif-run"
FORMAT_MAJOR = 1
N_SYNAPSES = 4
MAX_AXIS = 65536  # conditions and stimuli: the trial id holds 16 bits of each

#: /results datasets of format 1.0, by shape (FORMAT.md, "/results").
RESULTS_PER_CONDITION = (
    "completed",
    "mutual_information_bit",
    "h_r_bit",
    "h_r_given_s_bit",
    "sps_undefined",
    "n_trials",
    "distinct_responses",
    "n_trials_simulated",
    "mean_output_spikes",
    "wall_s",
)
RESULTS_PER_STIMULUS = (
    "sss_bit",
    "sps_bit_per_spike",
    "sps_rank",
    "n_trials_per_stimulus",
    "distinct_responses_per_stimulus",
)
STIMULI = ("code", "multiplicity", "n_input_spikes", "p_s")
AXES = ("conductance_S", "weight", "current_A")
COUNT_ROWS = ("condition", "stimulus", "word", "count")
TRIAL_ROWS = ("condition", "stimulus", "repeat", "word")
GROUND_TRUTH = "ground_truth"
LADDER = "ladder"
SYNAPSE_PHYSICS = "synapse_physics"

#: experiment_kind of the files with the MI layout (files before format 1.1 have no attribute).
MI_KIND = "mi_sweep"

#: The group of each device experiment kind and its datasets (FORMAT.md, "Files of the device
#: kinds"; io/kind_layout.cpp): /<kind>/<name>.
KIND_DATASETS = {
    "iv_sweep": ("v_source_V", "i_A", "v_device_V", "g_read_S", "v_set_V", "v_reset_V"),
    "pulse_cycles": ("r_ohm", "i_read_A", "g_read_S", "phase", "cycle", "v_pulse_V", "width_s"),
    "rate_rule": (
        "rate_Hz", "dg_per_s", "dlng_per_s", "g_end_S", "n_pre", "n_backspikes", "mean_dg_per_s",
        "se_dg_per_s", "ci_low_dg_per_s", "ci_high_dg_per_s", "mean_dlng_per_s", "se_dlng_per_s",
        "balance_rate_bootstrap_Hz",
    ),
    "theta_burst": (
        "g_start_S", "g_after_train_S", "g_after_burst_S", "weight_change_after_burst",
        "train_factor", "t_after_train_s", "t_after_burst_s", "n_trains", "trains_to_target",
        "target_g_S", "n_pre", "n_backspikes",
    ),
}
#: /analysis/ladder of an MI sweep whose grid came from a theta-burst ladder.
LADDER_DATASETS = (
    "target_g_S", "trains_to_target", "g_reached_S", "g_after_train_S", "t_after_train_s",
    "g_after_burst_S", "condition", "conductance_S",
)
SYNAPSE_PHYSICS_DATASETS = ("grid_point", "noise_amplitude")



def sps_rank(values):
    """Ranks 1..n by descending value, ties by stimulus index, NaN left out (rank 0): the rule of
    /results/sps_rank (io/FORMAT.md), for SpS vectors the file does not rank (PT, ground truth)."""
    v = np.asarray(values, dtype=float)
    ok = np.flatnonzero(np.isfinite(v))
    order = ok[np.lexsort((ok, -v[ok]))]
    rank = np.zeros(v.size, dtype=np.int64)
    rank[order] = np.arange(1, order.size + 1)
    return rank

class FormatError(ValueError):
    """The file is not a memlif-run file this reader understands, or breaks its format."""


def _text(value):
    """A string attribute or dataset as str, whether h5py hands back str, bytes or numpy."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8")
    return str(value)


def _plain(value):
    """An attribute as a Python value: str, int/float/bool, a list of those, or a tuple."""
    if isinstance(value, (bytes, np.bytes_, str)):
        return _text(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in ("S", "O", "U"):
            return [_text(v) for v in value.ravel()]
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _no_duplicate_keys(pairs):
    """json object hook: a key given twice is a broken card, not a silent 'last one wins'."""
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} is given twice")
        out[key] = value
    return out


def _seed(value):
    """The ``seed`` attribute as an int. /analysis/* stored it as float64 before it became uint64
    (issue 8); both are accepted, and a float seed above 2^53 is already rounded in the file."""
    if value is None:
        return None
    value = np.asarray(value).ravel()
    if value.size != 1:
        raise FormatError(f"'seed' must be a scalar, got shape {value.shape}")
    v = value[0]
    if value.dtype.kind == "f":
        if not np.isfinite(v) or v < 0 or v != np.floor(v):
            raise FormatError(f"'seed' must be a non-negative integer, got {v!r}")
        return int(v)
    if value.dtype.kind in ("u", "i"):
        if v < 0:
            raise FormatError(f"'seed' must be non-negative, got {v}")
        return int(v)
    raise FormatError(f"'seed' must be a number, got dtype {value.dtype}")


@dataclasses.dataclass(frozen=True)
class ConditionCounts:
    """The response counts n(r|s) of one completed condition, sorted by (stimulus, word).

    ``offsets`` (uint64[n_stimuli + 1]) is the CSR form: the rows of stimulus ``s`` are
    ``offsets[s]:offsets[s + 1]``; ``stimulus`` repeats that information per row.
    """

    condition: int
    n_bins: int
    offsets: np.ndarray
    stimulus: np.ndarray
    word: np.ndarray
    count: np.ndarray

    @property
    def n_stimuli(self):
        return self.offsets.size - 1

    def of_stimulus(self, s):
        """(words, counts) of stimulus ``s``."""
        lo, hi = int(self.offsets[s]), int(self.offsets[s + 1])
        return self.word[lo:hi], self.count[lo:hi]

    @property
    def n_trials_per_stimulus(self):
        """N_s, uint64[n_stimuli]."""
        out = np.zeros(self.n_stimuli, dtype=np.uint64)
        np.add.at(out, self.stimulus, self.count)
        return out


@dataclasses.dataclass(frozen=True)
class Analysis:
    """One /analysis/<name> group: ``data`` (name -> numpy array) and ``attrs`` (Python values)."""

    name: str
    data: dict
    attrs: dict

    def __getitem__(self, key):
        return self.data[key]

    def __contains__(self, key):
        return key in self.data

    @property
    def estimators(self):
        """The estimator names of the group attribute ``estimators``, in the order computed."""
        return self.attrs.get("estimators", "").split()

    @property
    def seed(self):
        """The ``seed`` attribute as an int (stored as float64 or uint64), None if absent."""
        return self.attrs.get("seed")

    @property
    def completed(self):
        """Rows committed (the group's ``completed`` dataset, format >= 1.2), as bool, or None for
        a group written before rows were committed one by one."""
        c = self.data.get("completed")
        return None if c is None else c.astype(bool)

    @property
    def information(self):
        """The parsed ``information_json`` attribute, None if absent."""
        text = self.attrs.get("information_json")
        return None if text is None else json.loads(text)


def open_run(path):
    """Open a memlif-run file; same as ``RunFile(path)``. Use it as a context manager."""
    return RunFile(path)


def _check_identity(f, path):
    """(major, minor) of an open file after its filetype and major version are checked."""
    if "filetype" not in f.attrs:
        raise FormatError(f"{path}: not a memlif-run file (no 'filetype' attribute)")
    filetype = _text(f.attrs["filetype"])
    if filetype != FILETYPE:
        raise FormatError(f"{path}: not a memlif-run file (filetype '{filetype}')")
    if "format_version" not in f.attrs:
        raise FormatError(f"{path}: no 'format_version' attribute")
    version = np.asarray(f.attrs["format_version"]).ravel()
    if version.size != 2 or version.dtype.kind not in ("i", "u"):
        raise FormatError(f"{path}: 'format_version' must be two integers (major, minor)")
    major, minor = int(version[0]), int(version[1])
    if major != FORMAT_MAJOR:
        raise FormatError(
            f"{path}: memlif-run format version {major}.{minor} is not supported "
            f"(this reader reads {FORMAT_MAJOR}.x)"
        )
    return major, minor


def _experiment_kind(f):
    return _text(f.attrs["experiment_kind"]) if "experiment_kind" in f.attrs else MI_KIND


def open_file(path):
    """Open any memlif-run file: a :class:`RunFile` for an MI sweep, a :class:`KindFile` for the
    files of the device kinds (``iv_sweep``, ``pulse_cycles``, ``rate_rule``, ``theta_burst``)."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    if not h5py.is_hdf5(path):
        raise FormatError(f"{path}: not an HDF5 file")
    with h5py.File(path, "r") as f:
        _check_identity(f, path)
        kind = _experiment_kind(f)
    return RunFile(path) if kind == MI_KIND else KindFile(path)


def _read_group(f, group, names, error):
    """name -> array of the datasets ``names`` of ``group``, with the rule of FORMAT.md that each
    has an ``axes`` attribute naming its dimensions and that an axis has one length in a group."""
    if group not in f or not isinstance(f[group], h5py.Group):
        raise error(f"group '/{group}' is missing")
    g = f[group]
    data, lengths = {}, {}
    for name in names:
        if name not in g or not isinstance(g[name], h5py.Dataset):
            raise error(f"dataset '/{group}/{name}' is missing")
        ds = g[name]
        if "axes" not in ds.attrs:
            raise error(f"{ds.name}: no 'axes' attribute")
        axes = _plain(ds.attrs["axes"])
        axes = [axes] if isinstance(axes, str) else axes
        if len(axes) != ds.ndim:
            raise error(f"{ds.name}: 'axes' names {len(axes)} dimensions, shape {ds.shape}")
        for axis, n in zip(axes, ds.shape):
            if lengths.setdefault(axis, n) != n:
                raise error(f"{ds.name}: the {axis} axis has {n} entries here, "
                            f"{lengths[axis]} elsewhere in /{group}")
        data[name] = np.asarray(ds[()])
    attrs = {key: _plain(value) for key, value in g.attrs.items()}
    return data, attrs, lengths


class KindFile:
    """An open, checked file of a device experiment kind: provenance (``metadata``, ``config``)
    and the kind's group, whose datasets are ``data`` (name -> numpy array; ``file[name]`` too),
    its attributes ``attrs`` and the length of each named axis ``extents`` (FORMAT.md, "Files of
    the device kinds"). The MI layout is absent from these files."""

    def __init__(self, path):
        self.path = os.fspath(path)
        if not os.path.exists(self.path):
            raise FileNotFoundError(f"{self.path}: no such file")
        if not h5py.is_hdf5(self.path):
            raise FormatError(f"{self.path}: not an HDF5 file")
        with h5py.File(self.path, "r") as f:
            self.format_version = _check_identity(f, self.path)
            self.kind = _experiment_kind(f)
            if self.kind not in KIND_DATASETS:
                raise self._error(f"experiment_kind '{self.kind}' is not a device kind "
                                  f"(known: {', '.join(KIND_DATASETS)}; MI sweeps: open_run)")
            self.metadata = {key: _plain(value) for key, value in f.attrs.items()}
            self.metadata["format_version"] = self.format_version
            self.metadata["seed"] = _seed(f.attrs.get("seed"))
            self.complete = bool(self.metadata.get("complete", 0))
            self.incomplete_reason = self.metadata.get("incomplete_reason", "")
            if "config_json" not in f:
                raise self._error("'/config_json' is missing")
            self.config = json.loads(_text(f["config_json"][()]))
            self.runtime = None
            if "runtime" in f:
                self.runtime = {k: (d[()].item() if d.ndim == 0 else np.asarray(d[()]))
                                for k, d in f["runtime"].items()}
            self.has_group = self.kind in f
            self.data, self.attrs, self.extents = {}, {}, {}
            if self.has_group:
                self.data, self.attrs, self.extents = _read_group(
                    f, self.kind, KIND_DATASETS[self.kind], self._error)
            elif self.complete:
                raise self._error(f"complete = 1 but '/{self.kind}' is missing")

    def _error(self, what):
        return FormatError(f"{self.path}: {what}")

    @property
    def experiment_kind(self):
        return self.kind

    def __getitem__(self, name):
        return self.data[name]

    def __contains__(self, name):
        return name in self.data

    def close(self):
        """Nothing to release (the file is read whole at open); for symmetry with RunFile."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class RunFile:
    """An open, checked memlif-run file. Small tables are read at open; the counts, trials and
    /analysis groups are read on request. Close it (or use ``with``) when done."""

    def __init__(self, path):
        self.path = os.fspath(path)
        if not os.path.exists(self.path):
            raise FileNotFoundError(f"{self.path}: no such file")
        if not h5py.is_hdf5(self.path):
            raise FormatError(f"{self.path}: not an HDF5 file")
        self._f = h5py.File(self.path, "r")
        try:
            self._read_and_check()
        except Exception:
            self._f.close()
            raise

    # -- life cycle -------------------------------------------------------------------------

    def close(self):
        self._f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _error(self, what):
        return FormatError(f"{self.path}: {what}")

    # -- opening: identity, then layout -------------------------------------------------------

    def _read_and_check(self):
        f = self._f
        if "filetype" not in f.attrs:
            raise self._error("not a memlif-run file (no 'filetype' attribute)")
        filetype = _text(f.attrs["filetype"])
        if filetype != FILETYPE:
            raise self._error(f"not a memlif-run file (filetype '{filetype}')")
        if "format_version" not in f.attrs:
            raise self._error("no 'format_version' attribute")
        version = np.asarray(f.attrs["format_version"]).ravel()
        if version.size != 2 or version.dtype.kind not in ("i", "u"):
            raise self._error("'format_version' must be two integers (major, minor)")
        self.format_version = (int(version[0]), int(version[1]))
        if self.format_version[0] != FORMAT_MAJOR:
            raise self._error(
                "memlif-run format version %d.%d is not supported (this reader reads %d.x)"
                % (*self.format_version, FORMAT_MAJOR)
            )

        if _experiment_kind(f) != MI_KIND:
            raise self._error(
                f"a '{_experiment_kind(f)}' file has no MI layout; open it with "
                "memlifpy.open_file (a KindFile)"
            )
        self.metadata = {key: _plain(value) for key, value in f.attrs.items()}
        self.metadata["format_version"] = self.format_version
        for key in ("n_conditions", "n_stimuli", "n_bins", "complete"):
            if key not in self.metadata:
                raise self._error(f"root attribute '{key}' is missing")
        self.metadata["seed"] = _seed(f.attrs.get("seed"))
        self.n_conditions = int(self.metadata["n_conditions"])
        self.n_stimuli = int(self.metadata["n_stimuli"])
        self.n_bins = int(self.metadata["n_bins"])
        if not 1 <= self.n_bins <= 64:
            raise self._error(f"n_bins = {self.n_bins} (must be 1..64)")
        for name, n in (("n_conditions", self.n_conditions), ("n_stimuli", self.n_stimuli)):
            if not 1 <= n <= MAX_AXIS:
                raise self._error(f"{name} = {n} (must be 1..{MAX_AXIS})")
        #: the stage running when the file was last written (format >= 1.2; "" before)
        self.phase = _text(f.attrs["phase"]) if "phase" in f.attrs else ""
        self.complete = bool(self.metadata["complete"])
        self.incomplete_reason = self.metadata.get("incomplete_reason", "")
        self._sizes = {
            "condition": self.n_conditions,
            "stimulus": self.n_stimuli,
            "synapse": N_SYNAPSES,
        }

        if "config_json" not in f:
            raise self._error("'/config_json' is missing")
        self.config_json = _text(f["config_json"][()])
        try:
            self.config = json.loads(self.config_json, object_pairs_hook=_no_duplicate_keys)
        except (ValueError, RecursionError) as e:
            raise self._error(f"/config_json is not a valid card ({type(e).__name__}: {e})") from None
        if not isinstance(self.config, dict):
            raise self._error("/config_json is not a JSON object")

        self.stimuli = self._read_table("stimuli", STIMULI, (self.n_stimuli,))
        code = self.stimuli["code"].astype("<u2")
        popcount = np.unpackbits(code.view(np.uint8)).reshape(-1, 16).sum(axis=1, dtype=np.int64)
        if not np.array_equal(popcount, self.stimuli["n_input_spikes"].astype(np.int64)):
            raise self._error("/stimuli/n_input_spikes differs from popcount(/stimuli/code)")

        self.axes = self._read_table("axes", AXES, (self.n_conditions, N_SYNAPSES))
        g = self.axes["conductance_S"]
        if not np.all(np.isfinite(g) & (g >= 0)):
            raise self._error("/axes/conductance_S holds a negative or non-finite value")
        self.axes["conductance_uS"] = g * 1e6

        self._check_results_layout()
        completed = np.asarray(f["results/completed"][()])
        if not np.all((completed == 0) | (completed == 1)):
            raise self._error("/results/completed holds values other than 0 and 1")
        self.completed = completed.astype(bool)
        self.completed_conditions = np.flatnonzero(self.completed)
        if self.complete and not self.completed.all():
            missing = np.flatnonzero(~self.completed).tolist()
            raise self._error(f"complete = 1 but conditions {missing} are not completed")
        mi = f["results/mutual_information_bit"][()]
        bad = self.completed_conditions[~np.isfinite(mi[self.completed_conditions])]
        if bad.size:
            raise self._error(f"completed conditions {bad.tolist()} have no finite MI in /results")

        self._check_count_blocks()
        self.runtime = None
        if "runtime" in f:
            # scalars (wall_s, trials_per_s, n_trials) and, from format 1.1, per-stage arrays
            # (stage_wall_s, stage_n_trials, attribute `stages`)
            self.runtime = {
                key: (ds[()].item() if ds.ndim == 0 else np.asarray(ds[()]))
                for key, ds in f["runtime"].items()
            }
            if "stages" in f["runtime"].attrs:
                self.runtime["stages"] = str(f["runtime"].attrs["stages"]).split()

    def _dataset(self, name):
        if name not in self._f or not isinstance(self._f[name], h5py.Dataset):
            raise self._error(f"dataset '/{name}' is missing")
        return self._f[name]

    def _check_axes_attribute(self, ds):
        """The ``axes`` attribute, where present, names each dimension; known names fix sizes."""
        if "axes" not in ds.attrs:
            return
        names = _plain(ds.attrs["axes"])
        names = [names] if isinstance(names, str) else names
        if len(names) != ds.ndim:
            raise self._error(f"{ds.name}: 'axes' names {len(names)} dimensions, shape {ds.shape}")
        for dim, axis in zip(ds.shape, names):
            if axis in self._sizes and dim != self._sizes[axis]:
                raise self._error(
                    f"{ds.name}: shape {ds.shape}, but the {axis} axis has {self._sizes[axis]}"
                )

    def _check_shape(self, ds, shape):
        if ds.shape != shape:
            raise self._error(f"{ds.name}: shape {ds.shape}, expected {shape}")
        self._check_axes_attribute(ds)

    def _read_table(self, group, names, shape):
        out = {}
        for name in names:
            ds = self._dataset(f"{group}/{name}")
            self._check_shape(ds, shape)
            out[name] = np.asarray(ds[()])
        return out

    def _check_results_layout(self):
        for name in RESULTS_PER_CONDITION:
            self._check_shape(self._dataset(f"results/{name}"), (self.n_conditions,))
        for name in RESULTS_PER_STIMULUS:
            self._check_shape(self._dataset(f"results/{name}"), (self.n_conditions, self.n_stimuli))
        for ds in self._f["results"].values():
            if isinstance(ds, h5py.Dataset):
                self._check_axes_attribute(ds)

    def _check_count_blocks(self):
        """Every completed condition owns an in-range, non-overlapping block of count rows, and
        has rows whenever /results says it had trials."""
        lengths = []
        for name in COUNT_ROWS:
            ds = self._dataset(f"counts/{name}")
            if ds.ndim != 1:
                raise self._error(f"{ds.name}: shape {ds.shape}, expected one dimension")
            lengths.append(ds.shape[0])
        # A write interrupted between the four appends can leave them of unequal length; only the
        # rows all four hold can belong to a completed condition.
        self._n_count_rows = min(lengths)
        start = self._dataset("counts/condition_row_start")
        count = self._dataset("counts/condition_row_count")
        self._check_shape(start, (self.n_conditions,))
        self._check_shape(count, (self.n_conditions,))
        self._row_start = np.asarray(start[()], dtype=np.uint64)
        self._row_count = np.asarray(count[()], dtype=np.uint64)
        n_trials = self._f["results/n_trials"][()]
        blocks = []
        for k in self.completed_conditions:
            lo, n = int(self._row_start[k]), int(self._row_count[k])
            # A condition counts as completed only with all of its data (FORMAT.md, "Completeness
            # and crash semantics"): a flag without its rows or its /results row is a torn write.
            if n == 0:
                raise self._error(
                    f"condition {k} is marked completed, but its counts rows are missing "
                    "(condition_row_count = 0)"
                )
            if n_trials[k] == 0:
                raise self._error(f"condition {k} is marked completed, but /results/n_trials is 0")
            if lo + n > self._n_count_rows:
                raise self._error(
                    f"condition {k} is marked completed, but its counts rows [{lo}, {lo + n}) "
                    f"are missing (/counts holds {self._n_count_rows} rows)"
                )
            blocks.append((lo, lo + n, int(k)))
        blocks.sort()
        for (lo_a, hi_a, ka), (lo_b, _, kb) in zip(blocks, blocks[1:]):
            if lo_b < hi_a:
                raise self._error(f"the counts rows of conditions {ka} and {kb} overlap")

    # -- tables read on request -----------------------------------------------------------------

    @property
    def results(self):
        """The /results datasets, name -> numpy array (NaN / 0 where not completed)."""
        if not hasattr(self, "_results"):
            g = self._f["results"]
            self._results = {
                key: np.asarray(ds[()]) for key, ds in g.items() if isinstance(ds, h5py.Dataset)
            }
        return self._results

    def _condition_index(self, condition):
        k = int(condition)
        if not 0 <= k < self.n_conditions:
            raise IndexError(f"{self.path}: condition {k} out of range [0, {self.n_conditions})")
        return k

    def counts(self, condition):
        """The counts of one completed condition as :class:`ConditionCounts`. The rows are
        checked against /results (N, N_s) and the sort order of FORMAT.md. Raises KeyError for a
        condition that is not completed."""
        k = self._condition_index(condition)
        if not self.completed[k]:
            raise KeyError(f"{self.path}: condition {k} was not completed")
        lo = int(self._row_start[k])
        rows = slice(lo, lo + int(self._row_count[k]))
        g = self._f["counts"]
        cond = g["condition"][rows]
        stim = g["stimulus"][rows].astype(np.uint32)
        word = g["word"][rows].astype(np.uint64)
        count = g["count"][rows].astype(np.uint64)

        def corrupt(what):
            return self._error(f"counts of condition {k}: {what}")

        if np.any(cond != k):
            raise corrupt("a row of its block names another condition")
        if np.any(stim >= self.n_stimuli):
            raise corrupt("a stimulus index is out of range")
        if np.any(count == 0):
            raise corrupt("a row has count 0")
        if self.n_bins < 64 and np.any(word >> np.uint64(self.n_bins)):
            raise corrupt(f"a word sets a bit at or above n_bins = {self.n_bins}")
        if stim.size > 1:
            ds = np.diff(stim.astype(np.int64))
            same = ds == 0
            if np.any(ds < 0) or np.any(word[1:][same] <= word[:-1][same]):
                raise corrupt("rows are not sorted by stimulus, then strictly by word")
        if count.size and np.any(np.cumsum(count, dtype=np.uint64)[1:] < np.cumsum(count, dtype=np.uint64)[:-1]):
            raise corrupt("the counts overflow uint64")
        per_stimulus = np.bincount(stim, minlength=self.n_stimuli)
        offsets = np.zeros(self.n_stimuli + 1, dtype=np.uint64)
        offsets[1:] = np.cumsum(per_stimulus).astype(np.uint64)
        c = ConditionCounts(k, self.n_bins, offsets, stim, word, count)
        expected = self.results["n_trials_per_stimulus"][k].astype(np.uint64)
        if not np.array_equal(c.n_trials_per_stimulus, expected):
            raise corrupt("the counts do not add up to /results/n_trials_per_stimulus")
        if int(count.sum()) != int(self.results["n_trials"][k]):
            raise corrupt("the counts do not add up to /results/n_trials")
        return c

    def counts_table(self):
        """The count rows of all completed conditions, in file order, as a dict of arrays
        (``condition``, ``stimulus``, ``word``, ``count``). Rows outside the completed blocks are
        left over from an interrupted write and dropped."""
        keep = np.zeros(self._n_count_rows, dtype=bool)
        for k in self.completed_conditions:
            lo = int(self._row_start[k])
            keep[lo : lo + int(self._row_count[k])] = True
        g = self._f["counts"]
        return {name: g[name][: self._n_count_rows][keep] for name in COUNT_ROWS}

    def trials(self):
        """Per-trial rows (``condition``, ``stimulus``, ``repeat``, ``word``): the first
        ``n_trials_written`` of each column. None when the run did not store trials."""
        if "trials" not in self._f:
            if self.metadata.get("store_trials"):
                raise self._error("store_trials = 1 but '/trials' is missing")
            return None
        g = self._f["trials"]
        if "n_trials_written" not in g.attrs:
            raise self._error("/trials has no 'n_trials_written' attribute")
        n = int(g.attrs["n_trials_written"])
        out = {}
        for name in TRIAL_ROWS:
            ds = self._dataset(f"trials/{name}")
            if ds.ndim != 1 or ds.shape[0] < n:
                raise self._error(f"{ds.name}: shape {ds.shape}, but n_trials_written = {n}")
            out[name] = ds[:n]
        if np.any(out["condition"] >= self.n_conditions) or np.any(
            out["stimulus"] >= self.n_stimuli
        ):
            raise self._error("/trials names a condition or stimulus out of range")
        if self.n_bins < 64 and np.any(out["word"].astype(np.uint64) >> np.uint64(self.n_bins)):
            raise self._error(f"/trials/word sets a bit at or above n_bins = {self.n_bins}")
        return out

    # -- /analysis ------------------------------------------------------------------------------

    def analysis_names(self):
        """Names of the /analysis groups (``ground_truth`` included when present)."""
        if "analysis" not in self._f:
            return []
        return [k for k, v in self._f["analysis"].items() if isinstance(v, h5py.Group)]

    def has_analysis(self, name):
        return name in self.analysis_names()

    def analysis(self, name="run"):
        """/analysis/<name> as :class:`Analysis`. Every estimator table must run along the
        condition axis (first dimension n_conditions). Raises KeyError if the group is absent."""
        if not self.has_analysis(name):
            raise KeyError(f"{self.path}: no group /analysis/{name}")
        if name == GROUND_TRUTH:
            return self.ground_truth()
        if name == LADDER:
            return self.ladder()
        if name == SYNAPSE_PHYSICS:
            return self.synapse_physics()
        g = self._f["analysis/" + name]
        attrs = self._analysis_attrs(g)
        data = {}
        for key, ds in g.items():
            if not isinstance(ds, h5py.Dataset):
                continue
            if ds.ndim == 0 or ds.shape[0] != self.n_conditions:
                expected = f"({self.n_conditions}, ...)"
                raise self._error(f"{ds.name}: shape {ds.shape}, expected {expected}")
            self._check_axes_attribute(ds)
            if key.endswith("_flags") and "flag_columns" in attrs:
                n_flags = len(attrs["flag_columns"].split())
                if ds.shape != (self.n_conditions, n_flags):
                    raise self._error(f"{ds.name}: shape {ds.shape}, {n_flags} flag columns")
            data[key] = np.asarray(ds[()])
        return Analysis(name, data, attrs)

    def ground_truth(self):
        """/analysis/ground_truth as :class:`Analysis` (``condition`` and the per-estimator
        ``*_mi_bit`` / ``*_bias_bit`` arrays, one entry per rerun; ``reference_sps_bit_per_spike``
        one row per rerun), or None when absent."""
        if not self.has_analysis(GROUND_TRUTH):
            return None
        g = self._f["analysis/" + GROUND_TRUTH]
        attrs = self._analysis_attrs(g)
        condition = self._dataset(f"analysis/{GROUND_TRUTH}/condition")
        if condition.ndim != 1:
            raise self._error(f"{condition.name}: shape {condition.shape}, expected (k,)")
        n = condition.shape[0]
        data = {}
        for key, ds in g.items():
            if not isinstance(ds, h5py.Dataset):
                continue
            # per-stimulus columns (reference_sps_bit_per_spike) are [rerun, stimulus]
            expected = (n, self.n_stimuli) if key.startswith("reference_sps") else (n,)
            if ds.shape != expected:
                raise self._error(f"{ds.name}: shape {ds.shape}, expected {expected}")
            data[key] = np.asarray(ds[()])
        if np.any(data["condition"] >= self.n_conditions):
            raise self._error(f"{condition.name} names a condition out of range")
        for key in ("repeats_small", "repeats_large"):
            if key in attrs:
                attrs[key] = int(attrs[key])
        return Analysis(GROUND_TRUTH, data, attrs)

    @property
    def experiment_kind(self):
        return self.metadata.get("experiment_kind", MI_KIND)

    def ladder(self):
        """/analysis/ladder (the theta-burst ladder that produced part of the conductance grid)
        as :class:`Analysis`, or None when absent. Its ``condition`` entries must be conditions of
        the file whose conductances (all four synapses) are its ``conductance_S``."""
        if not self.has_analysis(LADDER):
            return None
        data, attrs, _ = _read_group(self._f, "analysis/" + LADDER, LADDER_DATASETS, self._error)
        cond = data["condition"].astype(np.int64)
        if np.any(cond >= self.n_conditions):
            raise self._error("/analysis/ladder/condition names a condition out of range")
        g = self.axes["conductance_S"][cond]
        if not np.array_equal(g, np.repeat(data["conductance_S"][:, None], N_SYNAPSES, axis=1)):
            raise self._error("/analysis/ladder/conductance_S differs from /axes/conductance_S")
        for key in ("seed", "grid_block", "first_condition", "device_id", "n_trains"):
            if key in attrs:
                attrs[key] = int(attrs[key])
        return Analysis(LADDER, data, attrs)

    def synapse_physics(self):
        """/analysis/synapse_physics (device noise axis and plasticity switch of the MI sweep) as
        :class:`Analysis`, or None when absent: ``grid_point`` and ``noise_amplitude`` per
        condition, attributes ``noise_process``, ``plasticity``, ... (FORMAT.md)."""
        if not self.has_analysis(SYNAPSE_PHYSICS):
            return None
        data, attrs, _ = _read_group(
            self._f, "analysis/" + SYNAPSE_PHYSICS, SYNAPSE_PHYSICS_DATASETS, self._error
        )
        for key, values in data.items():
            if values.shape != (self.n_conditions,):
                raise self._error(
                    f"/analysis/synapse_physics/{key}: shape {values.shape}, "
                    f"expected ({self.n_conditions},)"
                )
        if "n_rtn_traps" in attrs:
            attrs["n_rtn_traps"] = int(attrs["n_rtn_traps"])
        return Analysis(SYNAPSE_PHYSICS, data, attrs)

    def _analysis_attrs(self, g):
        attrs = {key: _plain(value) for key, value in g.attrs.items()}
        if "seed" in g.attrs:
            try:
                attrs["seed"] = _seed(g.attrs["seed"])
            except FormatError as e:
                raise self._error(f"{g.name}: {e}") from None
        return attrs


def _kind_summary(run):
    m = run.metadata
    lines = [
        f"{run.path}: {FILETYPE} {run.format_version[0]}.{run.format_version[1]}, "
        f"experiment kind {run.kind}",
        f"  software {m.get('software_version')} ({m.get('git_sha1')}), created {m.get('created')}",
        f"  backend {m.get('backend')}, seed {m.get('seed')}",
        f"  complete {run.complete}" + ("" if run.complete else f" ({run.incomplete_reason})"),
    ]
    if "summary" in run.attrs:
        lines.append(f"  {run.attrs['summary']}")
    for name, value in run.data.items():
        lines.append(f"  /{run.kind}/{name}: {value.dtype} {value.shape}")
    return "\n".join(lines)


def summary(run):
    """A few lines describing an open :class:`RunFile` or :class:`KindFile`."""
    if isinstance(run, KindFile):
        return _kind_summary(run)
    m = run.metadata
    lines = [
        f"{run.path}: {FILETYPE} {run.format_version[0]}.{run.format_version[1]}",
        f"  software {m.get('software_version')} ({m.get('git_sha1')}), created {m.get('created')}",
        f"  backend {m.get('backend')}, seed {m.get('seed')}",
        f"  complete {run.complete}" + ("" if run.complete else f" ({run.incomplete_reason})")
        + (f", phase {run.phase}" if run.phase else ""),
        f"  conditions {run.completed.sum()}/{run.n_conditions} completed, "
        f"stimuli {run.n_stimuli} ({m.get('stimulus_set')}), n_bins {run.n_bins}, "
        f"repeats {m.get('n_repeats')}",
    ]
    if run.analysis_names():
        lines.append(f"  analysis groups: {' '.join(run.analysis_names())}")
    lines.append("  cond  G_uS (synapses 0..3)           MI/bit")
    mi = run.results["mutual_information_bit"]
    for k in run.completed_conditions:
        g = ",".join(f"{v:.4g}" for v in run.axes["conductance_uS"][k])
        lines.append(f"  {k:4d}  {g:28s} {mi[k]:9.5f}")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python3 -m memlifpy.reader", description="Summarise a memlif-run HDF5 file."
    )
    ap.add_argument("file")
    args = ap.parse_args(argv)
    try:
        with open_file(args.file) as run:
            print(summary(run))
    except (OSError, FormatError) as e:
        print(f"memlifpy.reader: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
