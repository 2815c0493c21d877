# SPDX-License-Identifier: MIT
"""Shared fixtures: real memlif runs on tiny cards (session-scoped, made once) and copies of
them to damage with h5py.

The memlif executable comes from ``MEMLIF_EXE`` (ctest sets it to the built target); the
synthetic sample file of tests/io/sample_file.cpp from ``MEMLIF_IO_SAMPLE``. Tests that need
either are skipped, with the reason, when it is not set.
"""

import json
import os
import pathlib
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SMALL_CARD = REPO / "tools" / "cards" / "small.json"
CARDS = REPO / "tools" / "cards"


def _exe():
    exe = os.environ.get("MEMLIF_EXE")
    if not exe:
        pytest.skip("MEMLIF_EXE is not set (ctest sets it to the built memlif executable)")
    if not os.access(exe, os.X_OK):
        pytest.fail(f"MEMLIF_EXE={exe} is not an executable file")
    return exe


def run_memlif(out, *sets, card=SMALL_CARD):
    """Run ``memlif run CARD -o OUT --set ...`` on the CPU backend; returns OUT."""
    cmd = [_exe(), "run", str(card), "-q", "--backend", "cpu", "-o", str(out)]
    for s in sets:
        cmd += ["--set", s]
    env = dict(os.environ, MEMLIF_DISABLE_DEVICE="1")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return out


@pytest.fixture(scope="session")
def small_run(tmp_path_factory):
    """tools/cards/small.json (3876 classes x 2 repeats at 2.6 and 13.6 µS) with per-trial words,
    the estimators plugin mm pt jackknife bootstrap, and a ground-truth rerun of both conditions
    at 5 repeats."""
    out = tmp_path_factory.mktemp("small") / "small.h5"
    estimators = json.dumps(["plugin", "mm", "pt", "jackknife", "bootstrap"])
    return run_memlif(
        out,
        f"information.estimators={estimators}",
        "information.bootstrap.replicates=10",
        "output.store_trials=true",
        "ground_truth.enabled=true",
        "ground_truth.conditions=[0,1]",
        "ground_truth.repeats=5",
    )


@pytest.fixture(scope="session")
def grid_run(tmp_path_factory):
    """A 2 x 2 per-synapse grid: synapses 0,1 at 2 or 6 µS, synapses 2,3 at 4 or 8 µS, 1 repeat,
    plug-in only, no /analysis/run and no ground truth. The symmetric set is forced (its class
    reduction does not hold here; the test only needs the axis and a valid file)."""
    out = tmp_path_factory.mktemp("grid") / "grid.h5"
    points = [[a, a, b, b] for a in (2, 6) for b in (4, 8)]
    grid = json.dumps([{"kind": "list", "values_uS": points}])
    return run_memlif(
        out,
        f"conductance_grid={grid}",
        "stimulus.force_symmetric=true",
        "simulation.repeats=1",
        'information.estimators=["plugin"]',
    )


@pytest.fixture
def small_copy(small_run, tmp_path):
    """A private copy of the small run, free to modify."""
    dst = tmp_path / "copy.h5"
    shutil.copyfile(small_run, dst)
    return dst


@pytest.fixture(scope="session")
def io_sample():
    """The synthetic run of tests/io/sample_file.cpp (its numbers: tests/io/synthetic_run.hpp)."""
    path = os.environ.get("MEMLIF_IO_SAMPLE")
    if not path:
        pytest.skip("MEMLIF_IO_SAMPLE is not set (ctest sets it to the io_sample_file output)")
    if not os.path.exists(path):
        pytest.fail(f"MEMLIF_IO_SAMPLE={path} does not exist")
    return pathlib.Path(path)


# -- the device experiment kinds and the ladder, each card of tools/cards/ at reduced size -------


@pytest.fixture(scope="session")
def iv_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("iv") / "iv.h5"
    return run_memlif(out, "iv_sweep.n_devices=2", "iv_sweep.n_cycles=2",
                      "iv_sweep.sample_every=20", card=CARDS / "iv_sweep.json")


@pytest.fixture(scope="session")
def pulse_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("pulse") / "pulse.h5"
    return run_memlif(out, "pulse_cycles.n_devices=2", "pulse_cycles.n_cycles=2",
                      card=CARDS / "pulse_cycles.json")


@pytest.fixture(scope="session")
def rate_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("rate") / "rate.h5"
    return run_memlif(out, "rate_rule.rates_Hz=[3, 8, 15, 30]", "rate_rule.n_trials=10",
                      "rate_rule.duration_s=2", "rate_rule.n_bootstrap=20",
                      card=CARDS / "rate_rule.json")


@pytest.fixture(scope="session")
def theta_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("theta") / "theta.h5"
    return run_memlif(out, "theta_burst.n_devices=2", card=CARDS / "theta_burst.json")


@pytest.fixture(scope="session")
def ladder_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ladder") / "ladder.h5"
    return run_memlif(out, "simulation.repeats=1", 'information.estimators=["plugin"]',
                      card=CARDS / "ladder.json")
