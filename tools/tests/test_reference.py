# SPDX-License-Identifier: MIT
"""memlifpy.reference: hand-computed cases, then the cross-check of the C++ /results."""

from math import log2

import h5py
import numpy as np
import pytest

from memlifpy import open_run
from memlifpy.reference import DEFAULT_TOLERANCE_BIT, compare, main, plugin_measures


def h2(p):
    """Binary entropy in bits."""
    return -(p * log2(p) + (1 - p) * log2(1 - p))


def test_noiseless_code_carries_one_bit():
    m = plugin_measures(stimulus=[0, 1], word=[0, 1], count=[3, 3], p_s=[0.5, 0.5])
    assert m.h_r_bit == pytest.approx(1.0, abs=1e-15)
    assert m.h_r_given_s_bit == 0.0
    assert m.mutual_information_bit == pytest.approx(1.0, abs=1e-15)
    assert np.allclose(m.sss_bit, [1.0, 1.0], atol=1e-15)


def test_overlapping_responses():
    # s0 -> words 0, 1 once each; s1 -> word 1 twice; p(r = 0) = 1/4.
    m = plugin_measures(stimulus=[0, 0, 1], word=[0, 1, 1], count=[1, 1, 2], p_s=[0.5, 0.5])
    assert m.h_r_bit == pytest.approx(h2(0.25), abs=1e-15)
    assert m.h_r_given_s_bit == pytest.approx(0.5, abs=1e-15)
    assert m.mutual_information_bit == pytest.approx(h2(0.25) - 0.5, abs=1e-15)
    i1_s0 = 0.5 * log2(0.5 / 0.25) + 0.5 * log2(0.5 / 0.75)
    i1_s1 = log2(1 / 0.75)
    assert np.allclose(m.sss_bit, [i1_s0, i1_s1], atol=1e-15)
    # The p(s)-weighted SSS is the MI (Benatti et al. 2023, eq. 2).
    assert 0.5 * (i1_s0 + i1_s1) == pytest.approx(m.mutual_information_bit, abs=1e-15)


def test_unequal_p_s_and_a_stimulus_without_trials():
    # p(s) = (1/4, 3/4, 0); s0 -> word 0 (4 trials); s1 -> word 0 once, word 5 twice; s2 unseen.
    m = plugin_measures(
        stimulus=[0, 1, 1], word=[0, 0, 5], count=[4, 1, 2], p_s=[0.25, 0.75, 0.0]
    )
    assert m.h_r_bit == pytest.approx(1.0, abs=1e-15)  # p(r) = (1/2, 1/2)
    assert m.h_r_given_s_bit == pytest.approx(0.75 * h2(1 / 3), abs=1e-15)
    assert m.sss_bit[2] == 0.0
    assert m.n_trials_per_stimulus.tolist() == [4, 3, 0]
    assert m.distinct_responses == 2
    assert m.distinct_responses_per_stimulus.tolist() == [1, 2, 0]
    sps = m.sps_bit_per_spike([0, 2, 1])
    assert np.isnan(sps[0]) and sps[1] == pytest.approx(m.sss_bit[1] / 2)


@pytest.mark.parametrize("fixture", ["small_run", "grid_run"])
def test_results_agree_with_the_reference(fixture, request):
    """The C++ plug-in measures, counts statistics and SpS ranking of a real run agree with the
    numpy implementation within 1e-9 bit."""
    with open_run(request.getfixturevalue(fixture)) as run:
        rows = compare(run)
        assert [k for k, _, _ in rows] == run.completed_conditions.tolist()
        for k, m, diffs in rows:
            assert max(diffs.values()) <= DEFAULT_TOLERANCE_BIT, (k, diffs)
            assert m.mutual_information_bit > 0


def test_check_finds_a_changed_mi(small_copy, capsys):
    with h5py.File(small_copy, "r+") as f:
        f["results/mutual_information_bit"][0] += 1e-6
    assert main([str(small_copy), "--check"]) == 1
    out = capsys.readouterr().out
    assert "mismatch: condition 0 mutual_information_bit" in out
    assert "condition 1" not in out


def test_check_finds_a_wrong_ranking(small_copy):
    with h5py.File(small_copy, "r+") as f:
        rank = f["results/sps_rank"][1]
        sps = f["results/sps_bit_per_spike"][1]
        first, last = int(np.argmax(rank == 1)), int(np.argmax(rank))
        assert sps[first] > sps[last]
        rank[first], rank[last] = rank[last], rank[first]
        f["results/sps_rank"][1] = rank
    with open_run(small_copy) as run:
        diffs = {k: d for k, _, d in compare(run)}
    assert diffs[1]["sps_rank"] > DEFAULT_TOLERANCE_BIT
    assert diffs[0]["sps_rank"] == 0.0


def test_check_finds_a_wrong_distinct_count(small_copy):
    with h5py.File(small_copy, "r+") as f:
        f["results/distinct_responses_per_stimulus"][0, 3] += 1
    with open_run(small_copy) as run:
        diffs = {k: d for k, _, d in compare(run)}
    assert diffs[0]["distinct_responses_per_stimulus"] == 1


def test_command_line_check_passes_on_a_real_run(small_run, capsys):
    assert main([str(small_run), "--check"]) == 0
    out = capsys.readouterr().out
    assert "largest difference from /results" in out and "over 2 conditions" in out


def test_command_line_refuses_a_bad_file(tmp_path, capsys):
    path = tmp_path / "x.h5"
    path.write_text("x")
    assert main([str(path), "--check"]) == 2
    assert "not an HDF5 file" in capsys.readouterr().err
