# SPDX-License-Identifier: MIT
"""memlifpy.reliability_calibration: the scoring rules on hand-made points (no memlif run)."""

import json
import math

import pytest

from memlifpy import reliability_calibration as rc


def test_tolerance_is_the_larger_of_absolute_and_relative():
    assert rc.tolerance(1.0, abs_tol=0.1, rel_tol=0.05) == 0.1  # 5 % of 1 bit = 0.05 < 0.1
    assert rc.tolerance(4.0, abs_tol=0.1, rel_tol=0.05) == pytest.approx(0.2)
    assert rc.tolerance(-4.0, abs_tol=0.1, rel_tol=0.05) == pytest.approx(0.2)


def test_passes_is_two_sided_and_refuses_nan():
    assert rc.passes(0.1, 1.0)  # on the edge: allowed
    assert rc.passes(-0.1, 1.0)
    assert not rc.passes(0.1001, 1.0)
    assert not rc.passes(-0.25, 4.0)  # tolerance 0.2 at 4 bit
    assert rc.passes(0.19, 4.0)
    assert not rc.passes(float("nan"), 1.0)


def test_threshold_is_the_first_point_above_the_last_failure():
    # rho:       1      2      4      8     16
    # |bias|:  0.5   0.05   0.30   0.02   0.01   (reference 1 bit: tolerance 0.1)
    # the point at rho 2 passes by chance; the last failure is at 4, so the threshold is 8.
    pts = [(1, 0.5, 1.0), (2, 0.05, 1.0), (4, -0.3, 1.0), (8, 0.02, 1.0), (16, -0.01, 1.0)]
    t = rc.threshold(pts)
    assert t["rho_min"] == 8
    assert t["worst_failing_rho"] == 4
    assert t["n_failing"] == 2
    assert t["n_points"] == 5
    assert not t["below_range"]


def test_threshold_pools_points_in_any_order():
    # two parameter sets interleaved in rho; one failure at rho 6 in the second set
    pts = [(10, 0.0, 1.0), (3, 0.4, 2.0), (6, 0.15, 1.0), (7, 0.05, 3.0), (5, 0.05, 3.0)]
    t = rc.threshold(pts)
    assert t["worst_failing_rho"] == 6
    assert t["rho_min"] == 7


def test_relative_tolerance_can_rescue_a_large_reference():
    # bias 0.3 bit: fails at a 2-bit reference (tol 0.1), passes at 8 bit (tol 0.4)
    assert rc.threshold([(2, 0.3, 2.0), (3, 0.3, 8.0)])["rho_min"] == 3
    assert rc.threshold([(2, 0.3, 8.0), (3, 0.3, 2.0)])["rho_min"] is None


def test_no_threshold_when_the_largest_rho_fails():
    t = rc.threshold([(1, 0.0, 1.0), (50, -2.0, 4.0)])
    assert t["rho_min"] is None
    assert t["worst_failing_rho"] == 50


def test_nothing_fails_gives_the_smallest_rho_and_says_so():
    t = rc.threshold([(3, 0.0, 1.0), (1.5, 0.01, 1.0)])
    assert t["rho_min"] == 1.5
    assert t["below_range"]
    assert t["worst_failing_rho"] is None


def test_nan_bias_counts_as_failing_and_nan_rho_is_ignored():
    t = rc.threshold([(2, float("nan"), 1.0), (4, 0.0, 1.0), (float("nan"), 5.0, 1.0)])
    assert t["n_points"] == 2
    assert t["worst_failing_rho"] == 2
    assert t["rho_min"] == 4
    with pytest.raises(ValueError):
        rc.threshold([(float("nan"), 0.0, 1.0)])


def test_a_threshold_must_rest_on_enough_parameter_sets():
    # set a fails up to rho 20; only set b's single point at rho 30 passes above that
    pts = [(5, 0.5, 1.0, "a"), (20, 0.3, 1.0, "a"), (10, 0.0, 1.0, "b"), (30, 0.0, 1.0, "b")]
    t = rc.threshold(pts, min_support=2)
    assert t["rho_min"] is None
    assert t["candidate_rho_min"] == 30
    assert t["support"] == 1
    assert rc.threshold(pts, min_support=1)["rho_min"] == 30
    # with a passing point of set a above rho 20 as well, the threshold is the lower of the two
    t = rc.threshold(pts + [(40, 0.01, 1.0, "a")], min_support=2)
    assert t["rho_min"] == 30
    assert t["support"] == 2
    # points without a group count as one group
    assert rc.threshold([(1, 0.0, 1.0), (2, 0.0, 1.0)], min_support=2)["rho_min"] is None


def _record(pset, rho, ref, **bias):
    return {"parameter_set": pset, "g_uS": 1.0, "repeats": 5, "rho": rho, "reference_bit": ref,
            "jackknife_se_bit": 0.0, "mi_bit": {k: ref + v for k, v in bias.items()},
            "bias_bit": bias}


def test_score_is_per_estimator_over_all_parameter_sets():
    records = [
        _record("a", 2.0, 1.0, plugin=0.5, pt=0.05),
        _record("a", 9.0, 1.0, plugin=0.05, pt=0.0),
        _record("b", 4.0, 1.0, plugin=0.2, pt=-0.2),
        _record("b", 12.0, 1.0, plugin=-0.01, pt=0.01),
    ]
    s = rc.score(records, estimators=("plugin", "pt", "nsb"))
    assert s["plugin"]["rho_min"] == 9.0
    assert s["pt"]["rho_min"] == 9.0  # its failure is in set b at rho 4
    assert "nsb" not in s  # no data: no entry
    assert rc.max_abs_bias_above(records, "plugin", 9.0) == pytest.approx(0.05)
    assert math.isnan(rc.max_abs_bias_above(records, "plugin", 100.0))


def test_tables_and_figure_from_a_synthetic_calibration(tmp_path):
    pytest.importorskip("matplotlib")
    data = {
        "plan": {"parameter_sets": {"a": {}, "b": {}}},
        "references": [{"parameter_set": "a", "g_uS": 1.0, "reference_bit": 1.0,
                        "reference_repeats": 2000, "check_bit": 1.01, "check_repeats": 1000,
                        "plugin_at_reference_bit": 1.02}],
        "records": [_record("a", 2.0, 1.0, plugin=0.5, null=-1.0),
                    _record("b", 9.0, 1.0, plugin=0.05, null=-1.0),
                    _record("a", 12.0, 1.0, plugin=0.0, null=-1.0)],
    }
    text = rc.table(data)
    assert "| plugin | 1 / 3 | 2.00 | 9.00 |" in text
    assert "| null | 3 / 3 | 12.00 | none in range |" in text
    assert "0.500*" in text  # the failing point is starred
    out = tmp_path / "bias.png"
    rc.figure(json.loads(json.dumps(data)), out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cards_of_the_plan_use_the_exact_solver_and_the_reference_repeats(tmp_path):
    plan = json.loads(json.dumps(rc.PLAN))
    plan["repeats"] = [5, 10]
    all_runs = rc.runs(plan, tmp_path)
    n_sets = len(plan["parameter_sets"])
    assert len(all_runs) == n_sets * (2 + 2)
    for name, card, path in all_runs:
        assert card["simulation"]["solver"] == "exact"
        assert card["output"]["path"] == str(path)
        if name.endswith("_reference"):
            assert card["ground_truth"]["repeats"] == plan["reference"]["repeats"]
            assert card["ground_truth"]["conditions"] == list(range(len(plan["conductances_uS"])))
        elif name.endswith("_reference_check"):
            assert card["seed"] != plan["seed"]  # an independent second reference
        else:
            assert "ground_truth" not in card
            assert card["information"]["estimators"] == list(rc.ESTIMATORS)
    low = [c for n, c, _ in all_runs if n == "low_jitter_r5"][0]
    assert low["stimulus"]["jitter"]["mean_ms"] == 5.0
