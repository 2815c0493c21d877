# SPDX-License-Identifier: MIT
"""Device noise and plasticity in the MI sweep (issue 10 items 5 and 6): a real memlif run of a
small noise-axis card, /analysis/synapse_physics read back, and fig_noise_mi drawn from it."""

import json

import numpy as np
import pytest

from conftest import run_memlif
from memlifpy import open_run
from memlifpy.figures import render_all


@pytest.fixture(scope="module")
def noise_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("noise") / "noise.h5"
    return run_memlif(
        out,
        "simulation.repeats=2",
        'simulation.solver="exact"',
        'conductance_grid=[{"kind":"list","values_uS":[2.6,13.6]}]',
        "synapse.noise.device_sigma_ln=0.05",
        'synapse.noise.axis={"process":"read","amplitudes":[0.0,0.3,0.6]}',
        'information.estimators=["plugin","pt"]',
    )


def test_the_axis_is_stored_per_condition(noise_run):
    with open_run(noise_run) as run:
        assert run.n_conditions == 6
        sp = run.synapse_physics()
        assert sp is not None
        np.testing.assert_array_equal(sp["grid_point"], [0, 0, 0, 1, 1, 1])
        np.testing.assert_array_equal(sp["noise_amplitude"], [0.0, 0.3, 0.6] * 2)
        assert sp.attrs["noise_process"] == "read"
        assert sp.attrs["device_sigma_ln"] == 0.05
        assert sp.attrs["plasticity"].startswith("off")
        assert json.loads(sp.attrs["noise_json"])["axis"]["amplitudes"] == [0.0, 0.3, 0.6]
        g = run.axes["conductance_S"][:, 0] * 1e6
        np.testing.assert_allclose(g, [2.6, 2.6, 2.6, 13.6, 13.6, 13.6])
        assert np.all(np.isfinite(run.results["mutual_information_bit"]))


def test_fig_noise_mi_is_drawn(noise_run, tmp_path):
    with open_run(noise_run) as run:
        out = dict((name, (path, why)) for name, path, why in
                   render_all(run, tmp_path, names=["fig_noise_mi"]))
    path, why = out["fig_noise_mi"]
    assert why is None and path is not None


def test_plasticity_is_recorded(tmp_path):
    out = run_memlif(
        tmp_path / "plastic.h5",
        "simulation.repeats=1",
        'conductance_grid=[{"kind":"list","values_uS":[13.6]}]',
        "synapse.plasticity.enabled=true",
        'information.estimators=["plugin"]',
    )
    with open_run(out) as run:
        sp = run.synapse_physics()
        assert sp.attrs["plasticity"].startswith("on: every trial starts from the same device state")
        assert np.isnan(sp["noise_amplitude"][0])
