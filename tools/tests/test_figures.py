# SPDX-License-Identifier: MIT
"""memlifpy.figures: each figure renders a non-empty PNG from a real run, shows the file's
numbers, and is skipped with a reason when its data is absent."""

import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="python3-matplotlib is not installed")

import matplotlib.image  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from memlifpy import figures, open_run  # noqa: E402

ALL = {name for name, _ in figures.FIGURES}
#: the figures of MI sweep files (the device kinds' figures: test_device_figures.py)
ALL_MI = {name for name in ALL if "mi_sweep" in figures.FIGURE_KINDS[name]}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    """A real PNG with a picture in it (not one flat colour)."""
    with open(path, "rb") as fh:
        assert fh.read(8) == PNG_SIGNATURE
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[0] > 200 and image.shape[1] > 200
    assert float(image[..., :3].std()) > 0.01


def outcome(done):
    written = {name for name, path, _ in done if path}
    skipped = {name: reason for name, path, reason in done if not path}
    return written, skipped


def panel(fig, title_start):
    """The axes whose title starts with ``title_start``."""
    found = [ax for ax in fig.axes if ax.get_title().startswith(title_start)]
    assert len(found) == 1, [ax.get_title() for ax in fig.axes]
    return found[0]


def line(ax, label):
    """The Line2D of ``ax`` with this legend label."""
    found = [ln for ln in ax.get_lines() if ln.get_label() == label]
    assert found, f"no line {label!r} among {[ln.get_label() for ln in ax.get_lines()]}"
    return found[0]


@pytest.fixture
def grid_copy(grid_run, tmp_path):
    dst = tmp_path / "grid_copy.h5"
    shutil.copyfile(grid_run, dst)
    return dst


def test_all_figures_of_a_1d_run_with_ground_truth(small_run, tmp_path):
    with open_run(small_run) as run:
        done = figures.render_all(run, tmp_path)
    written, skipped = outcome(done)
    assert written == ALL_MI - {"mi_grid_2d", "fig4_ladder", "fig_noise_mi"}
    assert "not a 2-D per-synapse conductance grid" in skipped["mi_grid_2d"]
    assert "no noise axis" in skipped["fig_noise_mi"]
    for name in written:
        assert_png(tmp_path / f"{name}.png")


def test_all_figures_of_a_2d_grid_run(grid_run, tmp_path):
    with open_run(grid_run) as run:
        written, skipped = outcome(figures.render_all(run, tmp_path))
    assert written == {"mi_grid_2d", "sss_vs_spike_count"}
    assert "four equal synapses" in skipped["fig5_information"]
    assert "four equal synapses" in skipped["fig6_sps_ranking"]
    assert "ground_truth" in skipped["estimator_bias"]
    assert_png(tmp_path / "mi_grid_2d.png")


def test_fig5_shows_plugin_corrected_and_large_sample_values(small_run):
    with open_run(small_run) as run:
        fig = figures.fig5_information(run)
        try:
            mi_ax, h_ax, hs_ax = fig.axes[:3]
            res, an, gt = run.results, run.analysis("run"), run.ground_truth()
            plug = line(mi_ax, "plug-in, 2 repeats")
            assert np.allclose(plug.get_xdata(), [2.6, 13.6])
            assert np.array_equal(plug.get_ydata(), res["mutual_information_bit"])
            assert np.array_equal(line(h_ax, "plug-in, 2 repeats").get_ydata(), res["h_r_bit"])
            assert np.array_equal(
                line(hs_ax, "plug-in, 2 repeats").get_ydata(), res["h_r_given_s_bit"]
            )
            assert np.array_equal(line(mi_ax, "Miller-Madow").get_ydata(), an["mm_mi_bit"])
            assert np.array_equal(
                line(mi_ax, "jackknife-corrected").get_ydata(), an["jackknife_mi_corrected_bit"]
            )
            labels = [t.get_text() for t in mi_ax.get_legend().get_texts()]
            assert "Panzeri-Treves (±1.96 bootstrap SD)" in labels
            ref = line(mi_ax, "PT, 5 repeats (reference)")
            assert np.array_equal(ref.get_ydata(), gt["reference_mi_bit"])
        finally:
            plt.close(fig)


def test_fig5_with_the_plugin_only(small_copy, tmp_path):
    with h5py.File(small_copy, "r+") as f:
        del f["analysis"]
    with open_run(small_copy) as run:
        fig = figures.fig5_information(run)
        try:
            labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
            assert labels == ["plug-in, 2 repeats"]
        finally:
            plt.close(fig)
        written, _ = outcome(figures.render_all(run, tmp_path, ["fig5_information"]))
    assert written == {"fig5_information"}
    assert_png(tmp_path / "fig5_information.png")


def test_fig6_tracks_the_extreme_stimuli_of_the_lowest_conductance(small_run):
    with open_run(small_run) as run:
        fig = figures.fig6_sps_ranking(run)
        try:
            ax_a, ax_b, ax_c = (panel(fig, t) for t in ("(a)", "(b)", "(c)"))
            rank = run.results["sps_rank"]
            sps = run.results["sps_bit_per_spike"]
            code = run.stimuli["code"]
            best = int(np.flatnonzero(rank[0] == 1)[0])
            worst = int(np.argmax(rank[0]))
            for s, what in ((best, "max SpS"), (worst, "min SpS")):
                label = f"{what} at 2.6 µS: 0x{int(code[s]):04x}"
                assert np.array_equal(line(ax_b, label).get_ydata(), sps[:, s])
                assert np.array_equal(line(ax_c, label).get_ydata(), rank[:, s])
            # (a): one ranked curve per conductance, SpS falling with rank.
            curves = [ln for ln in ax_a.get_lines() if ln.get_linestyle() == "-"]
            assert len(curves) == 2
            for ln in curves:
                assert np.all(np.diff(ln.get_ydata()) <= 0)
        finally:
            plt.close(fig)


def test_fig6_large_tracks_the_extremes_of_the_ground_truth_sps(small_run):
    """The large-sample Fig. 6 ranks /analysis/ground_truth's PT SpS: the tracked stimuli are the
    first argmax and the last argmin of the lowest conductance's row (ties by index)."""
    with open_run(small_run) as run:
        gt = run.ground_truth()
        sps = gt["reference_sps_bit_per_spike"]
        code = run.stimuli["code"]
        fig = figures.fig6_sps_ranking_large(run)
        try:
            row = np.where(np.isfinite(sps[0]), sps[0], np.nan)
            best = int(np.nanargmax(row))
            low = np.nanmin(row)
            worst = int(np.flatnonzero(row == low)[-1])
            for s, what in ((best, "max SpS"), (worst, "min SpS")):
                label = f"{what} at 2.6 µS: 0x{int(code[s]):04x}"
                assert np.array_equal(line(panel(fig, "(b)"), label).get_ydata(), sps[:, s])
            assert "5 repeats" in fig._suptitle.get_text()
        finally:
            plt.close(fig)


def test_fig6_starts_at_the_lowest_conductance_where_sps_varies(small_copy):
    """Where every SpS is equal (an all-silent neuron) the extremes would be chosen by stimulus
    index; the tracking starts at the next conductance, and with none the figure is skipped."""
    with h5py.File(small_copy, "r+") as f:
        sps = f["results/sps_bit_per_spike"]
        flat = np.where(np.isnan(sps[0]), np.nan, 0.0)
        sps[0] = flat
    with open_run(small_copy) as run:
        fig = figures.fig6_sps_ranking(run)
        try:
            labels = [ln.get_label() for ln in panel(fig, "(b)").get_lines()]
            assert len(labels) == 2 and all(" at 13.6 µS: " in t for t in labels)
        finally:
            plt.close(fig)
    with h5py.File(small_copy, "r+") as f:
        f["results/sps_bit_per_spike"][1] = flat
    with open_run(small_copy) as run:
        with pytest.raises(figures.FigureSkipped, match="SpS is the same for every stimulus"):
            figures.fig6_sps_ranking(run)


def test_mi_grid_2d_maps_each_cell_to_its_condition(grid_copy):
    with h5py.File(grid_copy, "r+") as f:
        f.attrs["complete"] = np.uint8(0)
        f["results/completed"][3] = 0  # (6, 6, 8, 8): drawn blank
    with open_run(grid_copy) as run:
        fig = figures.mi_grid_2d(run)
        try:
            mesh = fig.axes[0].collections[0]
            cells = np.ma.masked_invalid(mesh.get_array()).reshape(2, 2)
            mi = run.results["mutual_information_bit"]
            # rows: synapses 2,3 at 4 then 8 µS; columns: synapses 0,1 at 2 then 6 µS.
            assert cells[0, 0] == mi[0] and cells[1, 0] == mi[1] and cells[0, 1] == mi[2]
            assert np.ma.is_masked(cells[1, 1])
            assert fig.axes[0].get_xlabel() == "G of synapses 0,1 (µS)"
        finally:
            plt.close(fig)


def test_mi_grid_2d_skips_when_no_grid_condition_is_completed(grid_copy):
    with h5py.File(grid_copy, "r+") as f:
        f.attrs["complete"] = np.uint8(0)
        f["results/completed"][...] = 0
    with open_run(grid_copy) as run:
        with pytest.raises(figures.FigureSkipped, match="no condition of the 2-D grid"):
            figures.mi_grid_2d(run)
        with pytest.raises(figures.FigureSkipped, match="no completed condition"):
            figures.sss_vs_spike_count(run)


def test_estimator_bias_shows_the_ground_truth_columns(small_run):
    with open_run(small_run) as run:
        fig = figures.estimator_bias(run)
        try:
            gt = run.ground_truth()
            bars = fig.axes[0].containers
            assert len(bars) == 2  # one bar set per rerun condition
            names = [t.get_text() for t in fig.axes[0].get_xticklabels()]
            assert set(names) == {"plugin", "mm", "pt", "jackknife", "bootstrap"}
            for j, container in enumerate(bars):
                heights = [b.get_height() for b in container]
                assert np.allclose(heights, [gt[f"{n}_bias_bit"][j] for n in names])
        finally:
            plt.close(fig)


def test_sss_vs_spike_count_covers_every_spike_count(small_run):
    with open_run(small_run) as run:
        fig = figures.sss_vs_spike_count(run)
        try:
            bars = {c.get_label(): c for c in fig.axes[0].containers}
            assert set(bars) == {"2.6 µS", "13.6 µS"}
            lines = [bars["2.6 µS"].lines[0], bars["13.6 µS"].lines[0]]
            # The symmetric set has stimuli with 0..16 input spikes; the silent one has SSS too.
            assert all(np.all(np.isfinite(ln.get_ydata())) and len(ln.get_ydata()) == 17
                       for ln in lines)
            # The silent stimulus (0 spikes) is one stimulus: its mean is its SSS.
            silent = int(np.flatnonzero(run.stimuli["n_input_spikes"] == 0)[0])
            mean_0 = [ln.get_ydata()[0] for ln in lines]
            assert np.allclose(mean_0, run.results["sss_bit"][:, silent])
        finally:
            plt.close(fig)


def test_registry_refuses_a_duplicate_name():
    with pytest.raises(ValueError, match="registered twice"):
        figures.figure("fig5_information")(lambda run: None)


def test_render_all_refuses_an_unknown_name(small_run, tmp_path):
    with open_run(small_run) as run:
        with pytest.raises(ValueError, match="unknown figure"):
            figures.render_all(run, tmp_path, ["fig99"])


def test_command_line(small_run, tmp_path):
    out = tmp_path / "figs"
    done = subprocess.run(
        [sys.executable, "-m", "memlifpy.figures", str(small_run), "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert f"wrote {out / 'fig5_information.png'}" in done.stdout
    assert "skipped mi_grid_2d: " in done.stdout
    assert_png(out / "fig6_sps_ranking.png")
    bad = subprocess.run(
        [sys.executable, "-m", "memlifpy.figures", str(small_run), "--only", "fig99"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "unknown figure" in bad.stderr
