# SPDX-License-Identifier: MIT
"""memlifpy.figures for the device kinds: each kind's figure renders a PNG from a real file and
shows the file's numbers; every other figure is skipped with a reason, and an MI sweep skips the
device figures."""

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="python3-matplotlib is not installed")

import matplotlib.pyplot as plt  # noqa: E402

from memlifpy import figures, open_file, open_run  # noqa: E402
from test_device_kinds import KIND_RUNS  # noqa: E402
from test_figures import assert_png, outcome  # noqa: E402

KIND_FIGURES = {
    "iv_sweep": "fig1b_iv_sweep",
    "pulse_cycles": "fig1d_pulse_cycles",
    "rate_rule": "fig2b_rate_rule",
    "theta_burst": "fig4b_theta_burst",
}


@pytest.mark.parametrize("kind", sorted(KIND_RUNS))
def test_each_kind_draws_its_figure_and_skips_the_others(kind, request, tmp_path):
    path = request.getfixturevalue(KIND_RUNS[kind])
    with open_file(path) as run:
        written, skipped = outcome(figures.render_all(run, tmp_path))
    assert written == {KIND_FIGURES[kind]}
    assert_png(tmp_path / f"{KIND_FIGURES[kind]}.png")
    assert f"kind {kind}" in skipped["fig5_information"]


def test_mi_sweep_skips_the_device_figures(small_run, tmp_path):
    with open_run(small_run) as run:
        _, skipped = outcome(figures.render_all(run, tmp_path))
    for name in KIND_FIGURES.values():
        assert "kind mi_sweep" in skipped[name]
    assert "no /analysis/ladder" in skipped["fig4_ladder"]


def test_fig2b_marks_the_balance_rate_of_the_file(rate_run):
    with open_file(rate_run) as run:
        fig = figures.fig2b_rate_rule(run)
        nu0 = run.attrs["balance_rate_Hz"]
        mean = run["mean_dg_per_s"] * 1e9
    ax = fig.axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert lines[f"ν0 = {nu0:.2f} Hz"].get_xdata()[0] == pytest.approx(nu0)
    np.testing.assert_allclose(lines["mean ΔG/Δt"].get_ydata(), mean)
    plt.close(fig)


def test_fig1d_draws_the_resistances_of_device_0(pulse_run):
    with open_file(pulse_run) as run:
        fig = figures.fig1d_pulse_cycles(run)
        r0 = run["r_ohm"][0] * 1e-3
        ltd = run["phase"] == 1
    lines = {ln.get_label(): ln for ln in fig.axes[0].get_lines()}
    np.testing.assert_allclose(lines["LTD"].get_ydata(), r0[ltd])
    plt.close(fig)


def test_fig4_ladder_of_an_mi_sweep(ladder_run, tmp_path):
    with open_run(ladder_run) as run:
        written, _ = outcome(figures.render_all(run, tmp_path, ["fig4_ladder"]))
    assert written == {"fig4_ladder"}
    assert_png(tmp_path / "fig4_ladder.png")
