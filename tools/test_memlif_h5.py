# SPDX-License-Identifier: MIT
"""Checks tools/memlif_h5.py. Plain script (no pytest needed); exits non-zero on failure.

    /usr/bin/python3 tools/test_memlif_h5.py [SAMPLE.h5]

SAMPLE.h5 is the file written by the io_sample_file test program (tests/io/sample_file.cpp,
numbers from tests/io/synthetic_run.hpp); ctest passes it. Without it, only the refusal checks run,
on small files made here with h5py.
"""

import os
import shutil
import sys
import tempfile
import traceback

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import memlif_h5  # noqa: E402

FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message)


def expect_raises(exc_type, fn, fragment, label):
    try:
        fn()
    except exc_type as e:
        check(fragment in str(e), f"{label}: message {str(e)!r} lacks {fragment!r}")
        return
    except Exception as e:  # wrong type is a failure too
        check(False, f"{label}: raised {type(e).__name__}: {e}, wanted {exc_type.__name__}")
        return
    check(False, f"{label}: did not raise {exc_type.__name__}")


def test_refusals(tmp):
    missing = os.path.join(tmp, "missing.h5")
    expect_raises(FileNotFoundError, lambda: memlif_h5.read_run(missing), missing, "missing file")

    text = os.path.join(tmp, "text.h5")
    with open(text, "w") as fh:
        fh.write("not HDF5\n")
    expect_raises(memlif_h5.FormatError, lambda: memlif_h5.read_run(text), "not an HDF5", "text")

    bare = os.path.join(tmp, "bare.h5")
    with h5py.File(bare, "w"):
        pass
    expect_raises(memlif_h5.FormatError, lambda: memlif_h5.read_run(bare), "filetype", "bare")

    other = os.path.join(tmp, "other.h5")
    with h5py.File(other, "w") as f:
        f.attrs["filetype"] = "statepoint"
        f.attrs["format_version"] = np.array([1, 0], dtype=np.int32)
    expect_raises(memlif_h5.FormatError, lambda: memlif_h5.read_run(other), "statepoint", "other")

    v2 = os.path.join(tmp, "v2.h5")
    with h5py.File(v2, "w") as f:
        f.attrs["filetype"] = "memlif-run"
        f.attrs["format_version"] = np.array([2, 0], dtype=np.int32)
    expect_raises(memlif_h5.FormatError, lambda: memlif_h5.read_run(v2), "2.0", "major version")


def test_sample(sample, tmp):
    run = memlif_h5.read_run(sample)
    check(run["format_version"][0] == 1, f"format_version {run['format_version']}")
    a = run["attrs"]
    check(a["filetype"] == "memlif-run", "filetype")
    check(isinstance(a["software_version"], str), "strings come back as str")
    check(a["software_version"] == "0.1.0-test", "software_version")
    check(a["git_sha1"] == "0123456789ab", "git_sha1")
    check(a["created"] == "2026-01-02T03:04:05Z", "created")
    check(a["backend"] == "cpu: openmp x2", "backend")
    check(a["seed"] == 0xFEDCBA9876543210, f"seed {a['seed']}")
    check(a["n_bins"] == 10 and a["n_repeats"] == 5, "n_bins / n_repeats")
    check(a["synapse_model"] == "ul-gap" and a["p_s_mode"] == "multiplicity", "model strings")
    check(run["complete"] and run["incomplete_reason"] == "", "complete")
    check(run["config"]["note"] == "µS" and run["config"]["run"]["seed"] == 42, "config_json")
    check(run["runtime"] == {"wall_s": 2.0, "trials_per_s": 24.0, "n_trials": 48}, "runtime")

    st = run["stimuli"]
    check(st["code"].dtype == np.uint16, "code dtype")
    check(st["code"].tolist() == [0x0000, 0x0001, 0x8421, 0xFFFF], "codes")
    check(st["multiplicity"].tolist() == [1, 16, 24, 1], "multiplicity")
    check(st["n_input_spikes"].tolist() == [0, 1, 4, 16], "n_input_spikes")
    check(np.array_equal(st["p_s"], [1 / 42, 16 / 42, 24 / 42, 0.0]), "p_s")

    ax = run["axes"]
    check(ax["conductance_S"].shape == (3, 4), "conductance shape")
    check(np.array_equal(ax["conductance_S"][1], [2e-6, 4e-6, 6e-6, 8e-6]), "conductance row 1")
    check(ax["current_A"][2, 0] == 2e-9, "current_A")

    res = run["results"]
    check(run["completed"].tolist() == [True, True, True], "completed")
    check(np.array_equal(res["h_r_bit"], [1.25, 1.75, 2.25]), "h_r_bit")
    check(np.array_equal(res["mutual_information_bit"], [0.5, 1.0, 1.5]), "mutual_information_bit")
    check(res["sss_bit"].shape == (3, 4), "sss shape")
    check(np.isnan(res["sps_bit_per_spike"][:, 0]).all(), "sps NaN where n_spk = 0")
    check(res["sps_rank"].dtype == np.uint32, "rank dtype")
    check(res["sps_rank"][0].tolist() == [0, 1, 2, 3], "rank")
    check(res["n_trials"].tolist() == [15, 16, 17], "n_trials")
    check(res["n_trials_simulated"].tolist() == [15, 16, 17], "n_trials_simulated")
    check(res["wall_s"].tolist() == [0.5, 1.0, 1.5], "wall_s")

    for k in range(3):
        c = memlif_h5.condition_counts(sample, k)
        check(c["offsets"].tolist() == [0, 1, 3, 6, 6], f"offsets {k}")
        check(c["words"].tolist() == [0, 1 + k, 7, 0, 5 + k, 1023], f"words {k}")
        check(c["counts"].tolist() == [5, 2, 3, 1, 1, 3 + k], f"counts {k}")
        check(c["words"].dtype == np.uint64, "word dtype")
    check(memlif_h5.completed_conditions(sample).tolist() == [0, 1, 2], "completed_conditions")

    table = memlif_h5.counts_table(sample)
    check(table["condition"].tolist() == [2] * 6 + [0] * 6 + [1] * 6, "rows in write order")
    check(int(table["count"].sum()) == 15 + 16 + 17, "total count")

    t = memlif_h5.trials(sample)
    check(t is not None and t["word"].tolist() == [0, 3, 1023, 5], "trial words")
    check(t["condition"].tolist() == [2, 2, 2, 0], "trial conditions")
    check(t["repeat"].tolist() == [0, 0, 4, 3], "trial repeats")

    data, attrs = memlif_h5.analysis(sample, "example")
    check(data["mutual_information_bit"].tolist() == [0.5, 1.0, 1.5], "analysis data")
    check(attrs["estimator"] == "example", "analysis attrs")

    # An interrupted run: complete = 0 and a condition not completed -> its counts are refused.
    partial = os.path.join(tmp, "partial.h5")
    shutil.copyfile(sample, partial)
    with h5py.File(partial, "r+") as f:
        f.attrs["complete"] = np.uint8(0)
        f["results/completed"][1] = 0
    p = memlif_h5.read_run(partial)
    check(not p["complete"], "partial complete flag")
    check(memlif_h5.completed_conditions(partial).tolist() == [0, 2], "partial completed")
    expect_raises(KeyError, lambda: memlif_h5.condition_counts(partial, 1), "not completed", "k=1")
    check(memlif_h5.counts_table(partial)["condition"].tolist() == [2] * 6 + [0] * 6, "filtered")

    bumped = os.path.join(tmp, "bumped.h5")
    shutil.copyfile(sample, bumped)
    with h5py.File(bumped, "r+") as f:
        f.attrs["format_version"] = np.array([2, 1], dtype=np.int32)
    expect_raises(memlif_h5.FormatError, lambda: memlif_h5.read_run(bumped), "2.1", "bumped")


def main():
    sample = sys.argv[1] if len(sys.argv) > 1 else None
    tmp = tempfile.mkdtemp(prefix="memlif_h5_test_")
    try:
        for test in (test_refusals,) + ((test_sample,) if sample else ()):
            try:
                test(sample, tmp) if test is test_sample else test(tmp)
            except Exception:
                traceback.print_exc()
                FAILURES.append(f"{test.__name__} raised")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if sample is None:
        print("note: no sample file given; only the refusal checks ran")
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
        return 1
    print("all memlif_h5 checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
