# SPDX-License-Identifier: MIT
"""memlifpy.reader on real runs, on the synthetic sample of tests/io, and on damaged files."""

import subprocess
import sys

import h5py
import numpy as np
import pytest

from memlifpy import FormatError, open_run
from memlifpy.reader import main as reader_main

GROUND_TRUTH_SEED_OFFSET = 0x9E3779B97F4A7C15  # io/FORMAT.md, /analysis/ground_truth
N_ORDERED_PATTERNS = 1 << 16  # 4 inputs x 4 bins


# -- a real run: the values the card fixes ---------------------------------------------------


def test_metadata_of_small_run(small_run):
    with open_run(small_run) as run:
        assert run.format_version == (1, 3)
        assert run.metadata["filetype"] == "memlif-run"
        assert run.metadata["seed"] == 7 and isinstance(run.metadata["seed"], int)
        assert run.metadata["n_repeats"] == 2
        assert run.metadata["stimulus_set"] == "symmetric"
        assert (run.n_conditions, run.n_stimuli, run.n_bins) == (2, 3876, 20)
        assert run.complete and run.incomplete_reason == ""
        assert run.config["seed"] == 7
        assert run.config["simulation"]["repeats"] == 2
        assert run.runtime is not None and run.runtime["n_trials"] >= 2 * 3876 * 2


def test_stimuli_and_axes_of_small_run(small_run):
    with open_run(small_run) as run:
        st = run.stimuli
        assert st["code"].dtype == np.uint16
        assert np.unique(st["code"]).size == 3876
        # The 3876 symmetric classes partition the 65536 ordered patterns.
        assert int(st["multiplicity"].sum()) == N_ORDERED_PATTERNS
        assert np.allclose(st["p_s"], 1 / 3876)  # p_s = uniform
        g_uS = run.axes["conductance_uS"]
        assert g_uS.shape == (2, 4)
        assert np.allclose(g_uS, [[2.6] * 4, [13.6] * 4], rtol=1e-12)
        assert np.allclose(run.axes["conductance_S"], g_uS * 1e-6, rtol=1e-12)
        assert run.axes["weight"].shape == run.axes["current_A"].shape == (2, 4)


def test_counts_of_small_run(small_run):
    with open_run(small_run) as run:
        assert run.completed.tolist() == [True, True]
        assert run.completed_conditions.tolist() == [0, 1]
        for k in (0, 1):
            c = run.counts(k)
            assert c.condition == k and c.n_bins == 20
            assert c.word.dtype == np.uint64 and c.count.dtype == np.uint64
            assert np.all(c.n_trials_per_stimulus == 2)  # 2 repeats of every stimulus
            assert int(c.count.sum()) == 2 * 3876 == int(run.results["n_trials"][k])
            words, counts = c.of_stimulus(17)
            assert np.all(np.diff(words.astype(np.int64)) > 0) and int(counts.sum()) == 2
        with pytest.raises(IndexError, match="out of range"):
            run.counts(2)


def test_counts_match_the_stored_trials(small_run):
    """The per-trial words, written separately from the counts, rebuild the same counts."""
    with open_run(small_run) as run:
        t = run.trials()
        assert t is not None
        assert t["word"].size == 2 * 3876 * 2
        assert np.all(t["word"] < (1 << 20))
        for k in (0, 1):
            sel = t["condition"] == k
            cells, n = np.unique(
                np.stack([t["stimulus"][sel].astype(np.uint64), t["word"][sel]]),
                axis=1,
                return_counts=True,
            )
            c = run.counts(k)
            assert np.array_equal(cells[0], c.stimulus)
            assert np.array_equal(cells[1], c.word)
            assert np.array_equal(n, c.count)


def test_counts_table_of_small_run(small_run):
    with open_run(small_run) as run:
        table = run.counts_table()
        n_rows = sum(run.counts(k).word.size for k in (0, 1))
        assert all(v.size == n_rows for v in table.values())
        assert set(np.unique(table["condition"]).tolist()) == {0, 1}


def test_results_of_small_run(small_run):
    with open_run(small_run) as run:
        res = run.results
        assert res["mutual_information_bit"].shape == (2,)
        assert res["sss_bit"].shape == (2, 3876)
        assert np.allclose(res["mutual_information_bit"], res["h_r_bit"] - res["h_r_given_s_bit"])
        assert np.all(res["n_trials_per_stimulus"] == 2)


def test_analysis_group_of_small_run(small_run):
    with open_run(small_run) as run:
        assert set(run.analysis_names()) == {"run", "ground_truth"}
        an = run.analysis("run")
        assert an.estimators == ["plugin", "mm", "pt", "jackknife", "bootstrap"]
        assert an.seed == 7
        assert an.information["bootstrap"]["replicates"] == 10
        assert an["pt_mi_bit"].shape == (2,) and np.all(np.isfinite(an["pt_mi_bit"]))
        assert an["pt_flags"].shape == (2, 6)
        assert an["bootstrap_sss_ci_low_bit"].shape == (2, 3876)
        with pytest.raises(KeyError, match="analyze"):
            run.analysis("analyze")


def test_ground_truth_of_small_run(small_run):
    with open_run(small_run) as run:
        gt = run.ground_truth()
        assert gt is not None and run.analysis("ground_truth").data.keys() == gt.data.keys()
        assert gt["condition"].tolist() == [0, 1]
        assert gt.attrs["repeats_small"] == 2 and gt.attrs["repeats_large"] == 5
        for est in ("plugin", "mm", "pt", "jackknife", "bootstrap"):
            assert np.allclose(gt[f"{est}_bias_bit"], gt[f"{est}_mi_bit"] - gt["reference_mi_bit"])
        expected = (7 + GROUND_TRUTH_SEED_OFFSET) % (1 << 64)
        with h5py.File(small_run, "r") as f:
            stored_as_float = f["analysis/ground_truth"].attrs["seed"].dtype.kind == "f"
        # Stored as float64 (before issue 8) the seed is already rounded in the file.
        assert gt.seed == (int(np.float64(expected)) if stored_as_float else expected)


def test_ground_truth_large_sample_entropies_and_sps(small_run):
    """The large-sample columns of Fig. 5 and 6: PT's MI is H(R) - H(R|S); one SpS row per rerun,
    NaN exactly where the stimulus has no input spike (SpS = SSS / spike count)."""
    with open_run(small_run) as run:
        gt = run.ground_truth()
        mi = gt["reference_h_r_bit"] - gt["reference_h_r_given_s_bit"]
        np.testing.assert_allclose(mi, gt["reference_mi_bit"], rtol=0, atol=1e-9)
        sps = gt["reference_sps_bit_per_spike"]
        assert sps.shape == (2, run.n_stimuli)
        silent = run.stimuli["n_input_spikes"] == 0
        assert silent.sum() == 1
        assert np.all(np.isnan(sps[:, silent])) and np.all(np.isfinite(sps[:, ~silent]))


def test_sps_rank_follows_the_file_rule():
    """Descending, ties by index, NaN unranked (io/FORMAT.md /results/sps_rank)."""
    from memlifpy.reader import sps_rank

    got = sps_rank([0.5, np.nan, 2.0, 0.5, 1.0])
    assert got.tolist() == [3, 0, 1, 4, 2]


def test_a_run_without_extras(grid_run):
    with open_run(grid_run) as run:
        assert run.analysis_names() == []
        assert run.ground_truth() is None
        assert run.trials() is None
        assert run.n_conditions == 4


# -- the synthetic sample written by the C++ writer (tests/io/synthetic_run.hpp) ---------------


def test_synthetic_sample(io_sample):
    with open_run(io_sample) as run:
        assert run.format_version == (1, 3)
        m = run.metadata
        assert m["software_version"] == "0.1.0-test" and m["git_sha1"] == "0123456789ab"
        assert m["created"] == "2026-01-02T03:04:05Z" and m["backend"] == "cpu: openmp x2"
        assert m["seed"] == 0xFEDCBA9876543210
        assert m["n_bins"] == 10 and m["n_repeats"] == 5
        assert m["synapse_model"] == "ul-gap" and m["p_s_mode"] == "multiplicity"
        assert run.complete and run.incomplete_reason == ""
        assert run.config["note"] == "µS" and run.config["run"]["seed"] == 42
        assert run.runtime == {"wall_s": 2.0, "trials_per_s": 24.0, "n_trials": 48}

        st = run.stimuli
        assert st["code"].tolist() == [0x0000, 0x0001, 0x8421, 0xFFFF]
        assert st["multiplicity"].tolist() == [1, 16, 24, 1]
        assert st["n_input_spikes"].tolist() == [0, 1, 4, 16]
        assert np.array_equal(st["p_s"], [1 / 42, 16 / 42, 24 / 42, 0.0])
        assert np.array_equal(run.axes["conductance_S"][1], [2e-6, 4e-6, 6e-6, 8e-6])
        assert run.axes["current_A"][2, 0] == 2e-9

        res = run.results
        assert run.completed.tolist() == [True, True, True]
        assert np.array_equal(res["h_r_bit"], [1.25, 1.75, 2.25])
        assert np.array_equal(res["mutual_information_bit"], [0.5, 1.0, 1.5])
        assert np.isnan(res["sps_bit_per_spike"][:, 0]).all()
        assert res["sps_rank"].dtype == np.uint32 and res["sps_rank"][0].tolist() == [0, 1, 2, 3]
        assert res["n_trials"].tolist() == [15, 16, 17]
        assert res["wall_s"].tolist() == [0.5, 1.0, 1.5]

        for k in range(3):
            c = run.counts(k)
            assert c.offsets.tolist() == [0, 1, 3, 6, 6]
            assert c.word.tolist() == [0, 1 + k, 7, 0, 5 + k, 1023]
            assert c.count.tolist() == [5, 2, 3, 1, 1, 3 + k]
            assert c.of_stimulus(3)[0].size == 0  # never presented
        table = run.counts_table()
        assert table["condition"].tolist() == [2] * 6 + [0] * 6 + [1] * 6  # write order

        t = run.trials()
        assert t["word"].tolist() == [0, 3, 1023, 5]
        assert t["condition"].tolist() == [2, 2, 2, 0]
        assert t["repeat"].tolist() == [0, 0, 4, 3]

        an = run.analysis("example")
        assert an["mutual_information_bit"].tolist() == [0.5, 1.0, 1.5]
        assert an.attrs["estimator"] == "example"


# -- refusals ----------------------------------------------------------------------------------


def test_refuses_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.h5"):
        open_run(tmp_path / "missing.h5")


def test_refuses_a_file_that_is_not_hdf5(tmp_path):
    path = tmp_path / "text.h5"
    path.write_text("not HDF5\n")
    with pytest.raises(FormatError, match="not an HDF5 file"):
        open_run(path)


def test_refuses_an_hdf5_file_without_filetype(tmp_path):
    path = tmp_path / "bare.h5"
    with h5py.File(path, "w"):
        pass
    with pytest.raises(FormatError, match="no 'filetype'"):
        open_run(path)


def test_refuses_another_filetype(small_copy):
    with h5py.File(small_copy, "r+") as f:
        f.attrs["filetype"] = "statepoint"
    with pytest.raises(FormatError, match="not a memlif-run file .filetype 'statepoint'"):
        open_run(small_copy)


@pytest.mark.parametrize("version", [(2, 0), (0, 9)])
def test_refuses_another_major_version(small_copy, version):
    with h5py.File(small_copy, "r+") as f:
        f.attrs["format_version"] = np.array(version, dtype=np.int32)
    with pytest.raises(FormatError, match=r"version %d\.%d is not supported" % version):
        open_run(small_copy)


def test_refuses_a_malformed_format_version(small_copy):
    with h5py.File(small_copy, "r+") as f:
        f.attrs["format_version"] = np.array([1, 0, 0], dtype=np.int32)
    with pytest.raises(FormatError, match="two integers"):
        open_run(small_copy)


def test_accepts_a_later_minor_version_and_unknown_objects(small_copy):
    with h5py.File(small_copy, "r+") as f:
        f.attrs["format_version"] = np.array([1, 7], dtype=np.int32)
        f.attrs["new_attribute"] = "added in 1.7"
        f.create_dataset("results/new_column", data=np.zeros(2))
    with open_run(small_copy) as run:
        assert run.format_version == (1, 7)
        assert run.metadata["new_attribute"] == "added in 1.7"
        assert "new_column" in run.results


def test_refuses_a_completed_condition_whose_counts_rows_are_missing(small_copy):
    with h5py.File(small_copy, "r+") as f:
        f["counts/condition_row_count"][1] = 0
    with pytest.raises(FormatError, match="condition 1 is marked completed.* rows are missing"):
        open_run(small_copy)


def test_refuses_a_completed_condition_whose_rows_lie_past_the_table(small_copy):
    with h5py.File(small_copy, "r+") as f:
        start = f["counts/condition_row_start"][()]
        last = int(np.argmax(start))  # the block written last ends the tables
        n = int(start[last]) + 1
        for name in ("condition", "stimulus", "word", "count"):
            f["counts/" + name].resize((n,))
    with pytest.raises(FormatError, match=f"condition {last} is marked completed, but its counts"):
        open_run(small_copy)


def test_refuses_overlapping_count_blocks(small_copy):
    with h5py.File(small_copy, "r+") as f:
        f["counts/condition_row_start"][1] = f["counts/condition_row_start"][0]
    with pytest.raises(FormatError, match="overlap"):
        open_run(small_copy)


def test_refuses_counts_that_disagree_with_results(small_copy):
    with h5py.File(small_copy, "r+") as f:
        row = int(f["counts/condition_row_start"][0])
        f["counts/count"][row] += 1
    with open_run(small_copy) as run:
        run.counts(1)
        with pytest.raises(FormatError, match="condition 0: .*/results/n_trials_per_stimulus"):
            run.counts(0)


def test_refuses_unsorted_count_rows(small_copy):
    with h5py.File(small_copy, "r+") as f:
        lo = int(f["counts/condition_row_start"][1])
        n = int(f["counts/condition_row_count"][1])
        stims = f["counts/stimulus"][lo : lo + n]
        row = lo + int(np.flatnonzero(stims[1:] == stims[:-1])[0])  # a stimulus with 2 words
        f["counts/word"][row : row + 2] = f["counts/word"][row : row + 2][::-1]
    with open_run(small_copy) as run:
        with pytest.raises(FormatError, match="counts of condition 1: rows are not sorted"):
            run.counts(1)


def test_refuses_completed_flags_other_than_0_or_1(small_copy):
    with h5py.File(small_copy, "r+") as f:
        f["results/completed"][0] = 2
    with pytest.raises(FormatError, match="completed holds values other than 0 and 1"):
        open_run(small_copy)


def test_refuses_complete_with_a_condition_not_completed(small_copy):
    with h5py.File(small_copy, "r+") as f:
        f["results/completed"][1] = 0
    with pytest.raises(FormatError, match=r"complete = 1 but conditions \[1\]"):
        open_run(small_copy)


@pytest.mark.parametrize(
    "name, shape",
    [("axes/conductance_S", (2, 3)), ("stimuli/p_s", (3875,)), ("results/sss_bit", (2, 10))],
)
def test_refuses_a_table_of_the_wrong_shape(small_copy, name, shape):
    with h5py.File(small_copy, "r+") as f:
        del f[name]
        f.create_dataset(name, data=np.zeros(shape))
    with pytest.raises(FormatError, match=f"/{name}: shape"):
        open_run(small_copy)


def test_refuses_a_missing_results_table(small_copy):
    with h5py.File(small_copy, "r+") as f:
        del f["results/h_r_bit"]
    with pytest.raises(FormatError, match="'/results/h_r_bit' is missing"):
        open_run(small_copy)


def test_refuses_an_analysis_table_off_the_condition_axis(small_copy):
    with h5py.File(small_copy, "r+") as f:
        f.create_dataset("analysis/run/extra_mi_bit", data=np.zeros(3))
    with open_run(small_copy) as run:
        with pytest.raises(FormatError, match="extra_mi_bit: shape"):
            run.analysis("run")


# -- issue 12: torn writes and hostile values -------------------------------------------------


def test_refuses_a_torn_condition_without_rows_or_results(small_copy):
    """Defect 4: a kill could leave a condition flagged completed with neither its count rows nor
    its /results row on disk; this reader returned empty counts for it without an error."""
    with h5py.File(small_copy, "r+") as f:
        f["counts/condition_row_count"][1] = 0
        f["results/n_trials"][1] = 0
        f["results/n_trials_per_stimulus"][1] = 0
    with pytest.raises(FormatError, match="condition 1 is marked completed, but its counts rows are missing"):
        open_run(small_copy)


def test_refuses_counts_that_overflow_uint64(small_copy):
    """Defect 17: two counts of one stimulus raised by 2^63 each wrap to the same sums in uint64,
    so every total still agreed with /results and the counts were returned."""
    with h5py.File(small_copy, "r+") as f:
        lo = int(f["counts/condition_row_start"][1])
        n = int(f["counts/condition_row_count"][1])
        stims = f["counts/stimulus"][lo : lo + n]
        row = lo + int(np.flatnonzero(stims[1:] == stims[:-1])[0])  # a stimulus with 2 words
        c = f["counts/count"][row : row + 2].astype(np.uint64) + np.uint64(1 << 63)
        f["counts/count"][row : row + 2] = c
    with open_run(small_copy) as run:
        with pytest.raises(FormatError, match="counts of condition 1: the counts overflow uint64"):
            run.counts(1)


@pytest.mark.parametrize("n_bins", [0, 200])
def test_refuses_n_bins_outside_1_to_64(small_copy, n_bins):
    with h5py.File(small_copy, "r+") as f:
        f.attrs["n_bins"] = np.uint32(n_bins)
    with pytest.raises(FormatError, match=f"n_bins = {n_bins}"):
        open_run(small_copy)


def test_refuses_a_deep_or_duplicated_config_json(small_copy):
    with h5py.File(small_copy, "r+") as f:
        del f["config_json"]
        f["config_json"] = "[" * 100000 + "]" * 100000
    with pytest.raises(FormatError, match="/config_json is not a valid card"):
        open_run(small_copy)
    with h5py.File(small_copy, "r+") as f:
        del f["config_json"]
        f["config_json"] = '{"seed": 1, "seed": 2}'
    with pytest.raises(FormatError, match="given twice"):
        open_run(small_copy)


def test_phase_and_committed_rows(small_run):
    with open_run(small_run) as run:
        assert run.phase == "complete"
        assert run.analysis("run").completed.tolist() == [True, True]
        assert run.ground_truth().completed.tolist() == [True, True]


# -- interrupted runs and the seed attribute ---------------------------------------------------


def test_an_interrupted_run(small_copy):
    """complete = 0, condition 1 not completed, rows left past the blocks: those rows and that
    condition are ignored, the rest reads as before."""
    with open_run(small_copy) as run:
        before = run.counts(0)
        rows_0 = run.counts_table()["condition"].tolist().count(0)
    with h5py.File(small_copy, "r+") as f:
        f.attrs["complete"] = np.uint8(0)
        f.attrs["incomplete_reason"] = "interrupted"
        f["results/completed"][1] = 0
        for name, value in (("condition", 0), ("stimulus", 0), ("word", 1), ("count", 9)):
            ds = f["counts/" + name]
            ds.resize((ds.shape[0] + 5,))
            ds[-5:] = value
    with open_run(small_copy) as run:
        assert not run.complete and run.incomplete_reason == "interrupted"
        assert run.completed_conditions.tolist() == [0]
        after = run.counts(0)
        assert np.array_equal(before.word, after.word)
        assert np.array_equal(before.count, after.count)
        table = run.counts_table()
        assert table["condition"].tolist() == [0] * rows_0
        with pytest.raises(KeyError, match="condition 1 was not completed"):
            run.counts(1)


@pytest.mark.parametrize(
    "stored, expected",
    [
        (np.uint64(0xFFFFFFFFFFFFFFFF), 0xFFFFFFFFFFFFFFFF),
        (np.float64(12345.0), 12345),
        (np.float64(2.0**63), 1 << 63),
    ],
)
def test_reads_the_analysis_seed_as_uint64_or_float64(small_copy, stored, expected):
    with h5py.File(small_copy, "r+") as f:
        f["analysis/run"].attrs["seed"] = stored
        f["analysis/ground_truth"].attrs["seed"] = stored
    with open_run(small_copy) as run:
        assert run.analysis("run").seed == expected
        assert run.ground_truth().seed == expected


def test_refuses_a_fractional_seed(small_copy):
    with h5py.File(small_copy, "r+") as f:
        f["analysis/run"].attrs["seed"] = 1.5
    with open_run(small_copy) as run:
        with pytest.raises(FormatError, match="/analysis/run: 'seed'"):
            run.analysis("run")


# -- command line ----------------------------------------------------------------------------


def test_command_line_summary(small_run, capsys):
    assert reader_main([str(small_run)]) == 0
    out = capsys.readouterr().out
    assert "memlif-run 1.3" in out and "2/2 completed" in out and "13.6" in out


def test_command_line_refusal(tmp_path):
    path = tmp_path / "text.h5"
    path.write_text("x")
    done = subprocess.run(
        [sys.executable, "-m", "memlifpy.reader", str(path)], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "not an HDF5 file" in done.stderr
