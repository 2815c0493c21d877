# SPDX-License-Identifier: MIT
"""memlifpy.calibrate: the measures and criteria the calibration scores (issue 11), checked
against independent computations (per-trial words, hand-made SpS tables) and the result table's
bookkeeping."""

import numpy as np
import pytest

from memlifpy import calibrate, open_run


def test_firing_agrees_with_the_per_trial_words(small_run):
    """P(fire), the fraction of trials with <= 2 output spikes and the mean spike count from the
    counts equal those of /trials (uniform p(s), equal trials per stimulus: plain means)."""
    with open_run(small_run) as run:
        t = run.trials()
        for k in range(run.n_conditions):
            words = t["word"][t["condition"] == k].astype(np.uint64)
            spikes = np.array([bin(int(w)).count("1") for w in words])
            got = calibrate.firing(run, k)
            assert got["p_fire"] == pytest.approx(np.mean(words != 0), abs=1e-12)
            assert got["frac_le2"] == pytest.approx(np.mean(spikes <= 2), abs=1e-12)
            assert got["mean_spikes"] == pytest.approx(spikes.mean(), abs=1e-12)
            assert got["exact"]


def test_tracked_follows_the_extremes_of_the_lowest_conductance():
    sps = [
        [0.1, 0.9, np.nan, 0.5, 0.1],  # max: stimulus 1; min: 0 and 4 tie, the later (4) ranks last
        [0.2, 0.3, np.nan, 0.6, 0.8],
        [0.5, 0.1, np.nan, 0.4, 0.9],
    ]
    t = calibrate.tracked(sps)
    assert (t["s_max"], t["s_min"]) == (1, 4)
    assert [r["rank_max"] for r in t["rows"]] == [1, 3, 4]
    assert [r["rank_min"] for r in t["rows"]] == [4, 1, 1]
    assert t["rows"][0]["frac_max"] == 0.0 and t["rows"][-1]["frac_max"] == 1.0
    assert t["rows"][-1]["frac_min"] == 0.0 and all(r["n_ranked"] == 4 for r in t["rows"])


def test_largest_drop_below_the_running_maximum():
    assert calibrate.largest_drop([1, 2, 3], [0.1, 0.2, 0.3]) == (0.0, None)
    drop, at = calibrate.largest_drop([1, 2, 3, 4, 5], [1.0, 2.0, 1.5, 1.9, 1.2])
    assert drop == pytest.approx(0.8) and at == 5


def test_set_args_are_card_overrides():
    args = calibrate.set_args({"v_th_V": 1.5, "jitter_law": "uniform"})
    assert args == ["--set", 'stimulus.jitter.law="uniform"', "--set", "neuron.v_th_V=1.5"]


def _record(key, stage, **criteria):
    crit = {name: {"pass": ok, "value": value, "margin": value - 0.5 if ok is not None else 0}
            for name, (ok, value) in criteria.items()}
    return {"key": key, "stage": stage, "wall_s": 1.0, "params": dict(calibrate.UNCALIBRATED),
            "criteria": crit, "per_g": [], "tracked": None}


def test_merged_keeps_the_worst_two_spike_fraction_and_ranks_passers_first():
    records = [
        _record("a", "screen", C2_two_spikes=(True, 0.9), C1_sparse=(True, 0.1)),
        _record("a", "paper", C2_two_spikes=(True, 0.6), C1_sparse=(False, 0.4)),
        _record("b", "screen", C2_two_spikes=(True, 0.7), C1_sparse=(True, 0.1)),
    ]
    rows = {r["key"]: r for r in calibrate.merged(records)}
    assert rows["a"]["criteria"]["C2_two_spikes"]["value"] == 0.6  # the worst of both stages
    assert rows["a"]["criteria"]["C1_sparse"]["stage"] == "paper"  # the large count overrides
    assert rows["a"]["failed"] == ["C1_sparse"] and rows["b"]["failed"] == []
    best = sorted(rows.values(), key=calibrate.rank_key)[0]
    assert best["key"] == "b"
