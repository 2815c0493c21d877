# SPDX-License-Identifier: MIT
"""The files of the device experiment kinds (iv_sweep, pulse_cycles, rate_rule, theta_burst) and
the ladder of an MI sweep: each card of tools/cards/ runs at reduced size through the real memlif,
the reader opens the file and checks it, and `memlif info` describes it (figures:
test_device_figures.py)."""

import os
import shutil
import subprocess

import h5py
import numpy as np
import pytest

from conftest import CARDS, _exe
from memlifpy import FormatError, KindFile, RunFile, open_file, open_run
from memlifpy.reader import KIND_DATASETS, main as reader_main

KIND_RUNS = {
    "iv_sweep": "iv_run",
    "pulse_cycles": "pulse_run",
    "rate_rule": "rate_run",
    "theta_burst": "theta_run",
}


@pytest.mark.parametrize("kind", sorted(KIND_RUNS))
def test_each_kind_file_opens_with_its_documented_group(kind, request):
    path = request.getfixturevalue(KIND_RUNS[kind])
    with open_file(path) as run:
        assert isinstance(run, KindFile)
        assert run.kind == kind and run.experiment_kind == kind
        assert run.complete and run.format_version >= (1, 2)
        assert run.metadata["experiment_kind"] == kind
        assert run.config["experiment"]["kind"] == kind
        assert set(run.data) == set(KIND_DATASETS[kind])
        assert run.runtime is not None and run.runtime["wall_s"] >= 0
        assert "summary" in run.attrs
    with h5py.File(path, "r") as f:
        for mi in ("stimuli", "axes", "counts", "results"):
            assert mi not in f


def test_shapes_follow_the_card(iv_run, pulse_run, rate_run, theta_run):
    with open_file(iv_run) as run:
        # 2400 steps of 1 mV per cycle, a sample every 20 and the start
        assert run["i_A"].shape == (2, 2, 121) and run["v_set_V"].shape == (2, 2)
        assert run.extents == {"sample": 121, "device": 2, "cycle": 2}
    with open_file(pulse_run) as run:
        assert run["r_ohm"].shape == (2, 100)
        assert list(np.unique(run["phase"])) == [0, 1, 2]
        np.testing.assert_allclose(run["r_ohm"], 0.05 / run["i_read_A"] - 1e4, rtol=1e-9)
    with open_file(rate_run) as run:
        assert run["dg_per_s"].shape == (4, 10)
        assert run["balance_rate_bootstrap_Hz"].shape == (20,)
        np.testing.assert_allclose(run["mean_dg_per_s"], run["dg_per_s"].mean(axis=1),
                                   rtol=1e-12)
        se = run["dg_per_s"].std(axis=1, ddof=1) / np.sqrt(10)
        np.testing.assert_allclose(run["se_dg_per_s"], se, rtol=1e-9)
        # the 95 % band is mean +- 1.959964 SE
        np.testing.assert_allclose(run["ci_high_dg_per_s"] - run["mean_dg_per_s"],
                                   1.959963984540054 * se, rtol=1e-9)
    with open_file(theta_run) as run:
        assert run["g_after_train_S"].shape == (2, 20)
        assert run["g_after_burst_S"].shape == (2, 200)
        assert run["target_g_S"].tolist() == pytest.approx([6.2e-6, 13.6e-6])


def test_balance_rate_is_the_zero_crossing_of_the_mean_curve(rate_run):
    # an independent reading of the stored mean curve: linear interpolation of the first - -> +
    with open_file(rate_run) as run:
        nu, m = run["rate_Hz"], run["mean_dg_per_s"]
        k = next(i for i in range(len(m) - 1) if m[i] < 0 <= m[i + 1])
        expect = nu[k] + (nu[k + 1] - nu[k]) * (-m[k]) / (m[k + 1] - m[k])
        assert run.attrs["balance_rate_Hz"] == pytest.approx(expect, rel=1e-12)
        boot = run["balance_rate_bootstrap_Hz"]
        finite = boot[np.isfinite(boot)]
        assert run.attrs["n_bootstrap_with_crossing"] == finite.size
        assert run.attrs["balance_rate_se_Hz"] == pytest.approx(finite.std(ddof=1), rel=1e-9)


def test_open_run_refuses_a_kind_file_and_names_open_file(pulse_run):
    with pytest.raises(FormatError, match="open_file"):
        open_run(pulse_run)


def test_open_file_gives_a_run_file_for_an_mi_sweep(small_run):
    with open_file(small_run) as run:
        assert isinstance(run, RunFile) and run.experiment_kind == "mi_sweep"


def test_a_damaged_kind_file_is_refused(pulse_run, tmp_path):
    bad = tmp_path / "bad.h5"
    shutil.copyfile(pulse_run, bad)
    with h5py.File(bad, "r+") as f:
        del f["pulse_cycles/width_s"]
    with pytest.raises(FormatError, match="width_s"):
        KindFile(bad)
    shutil.copyfile(pulse_run, bad)
    with h5py.File(bad, "r+") as f:
        data = f["pulse_cycles/phase"][:5]
        del f["pulse_cycles/phase"]
        ds = f.create_dataset("pulse_cycles/phase", data=data)
        ds.attrs["axes"] = ["pulse"]
    with pytest.raises(FormatError, match="pulse axis"):
        KindFile(bad)


def test_ladder_of_an_mi_sweep(ladder_run):
    with open_run(ladder_run) as run:
        lad = run.ladder()
        assert lad is not None and run.analysis("ladder").name == "ladder"
        assert lad["condition"].tolist() == [0, 1, 2]
        g = run.axes["conductance_S"][:, 0]
        np.testing.assert_array_equal(lad["conductance_S"], g)
        assert g[0] == pytest.approx(2.6e-6, rel=1e-12)
        for k, target in enumerate(lad["target_g_S"]):
            n = int(lad["trains_to_target"][k])
            assert lad["g_reached_S"][k] == lad["g_after_train_S"][n - 1] >= target
        assert lad.attrs["grid_block"] == 0 and lad.attrs["seed"] == 20230523


def test_memlif_info_describes_a_kind_file(rate_run):
    done = subprocess.run([_exe(), "info", str(rate_run)], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, MEMLIF_DISABLE_DEVICE="1"))
    assert done.returncode == 0, done.stderr
    assert "kind:      rate_rule" in done.stdout
    assert "balance_rate_bootstrap_Hz: float64[20] Hz" in done.stdout
    assert "nu0 = " in done.stdout


def test_reader_command_line_summarises_a_kind_file(theta_run, capsys):
    assert reader_main([str(theta_run)]) == 0
    out = capsys.readouterr().out
    assert "experiment kind theta_burst" in out and "/theta_burst/g_after_train_S" in out


def test_a_bad_device_key_exits_2_without_a_file(tmp_path):
    out = tmp_path / "never.h5"
    cmd = [_exe(), "run", str(CARDS / "pulse_cycles.json"), "-q", "-o", str(out), "--set",
           "pulse_cycles.device.ul_gap.k_set_m_per_s=-1"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, MEMLIF_DISABLE_DEVICE="1"))
    assert done.returncode == 2
    assert "pulse_cycles.device.ul_gap.k_set_m_per_s" in done.stderr
    assert not out.exists()
