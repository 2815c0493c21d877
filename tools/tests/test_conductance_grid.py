# SPDX-License-Identifier: MIT
"""memlifpy.conductance_grid on synthetic condition axes."""

import numpy as np
import pytest

from memlifpy.conductance_grid import detect_grid_2d, equal_synapse_sweep

uS = 1e-6


def pair_grid(a_values, b_values):
    """Synapses 0,1 at each a, synapses 2,3 at each b (a slowest), in S."""
    return np.array([[a, a, b, b] for a in a_values for b in b_values], dtype=float) * uS


def test_pairs_of_synapses_form_the_grid():
    g = pair_grid([1, 2, 3], [4, 5])
    grid = detect_grid_2d(g)
    assert grid is not None
    assert grid.groups == ((0, 1), (2, 3)) and grid.constant == {}
    assert np.allclose(grid.a_S, [1 * uS, 2 * uS, 3 * uS])
    assert np.allclose(grid.b_S, [4 * uS, 5 * uS])
    assert grid.shape == (2, 3)
    for j, b in enumerate(grid.b_S):
        for i, a in enumerate(grid.a_S):
            assert np.array_equal(g[grid.condition[j, i]], [a, a, b, b])


def test_order_and_extra_points_do_not_matter():
    g = pair_grid([2, 6, 9], [3, 8])
    sweep = np.array([[v] * 4 for v in (2.6, 6.2, 13.6)]) * uS  # a 1-D list block beside it
    g = np.concatenate([sweep, g[::-1]])
    grid = detect_grid_2d(g)
    assert grid is not None and grid.shape == (2, 3)
    assert np.allclose(grid.a_S / uS, [2, 6, 9]) and np.allclose(grid.b_S / uS, [3, 8])
    assert grid.condition.min() >= 3  # none of the sweep's conditions


def test_another_pairing_of_synapses():
    g = np.array([[a, b, a, b] for a in (1, 2) for b in (3, 4, 5)], dtype=float) * uS
    grid = detect_grid_2d(g)
    assert grid is not None and grid.groups == ((0, 2), (1, 3)) and grid.shape == (3, 2)


def test_two_free_synapses_with_the_others_held():
    # The card's product block [[2, 8], [2, 8], [4], [4]].
    g = np.array([[a, b, 4, 4] for a in (2, 8) for b in (2, 8)], dtype=float) * uS
    grid = detect_grid_2d(g)
    assert grid is not None and grid.groups == ((0,), (1,))
    assert grid.constant == pytest.approx({2: 4 * uS, 3: 4 * uS})
    assert grid.shape == (2, 2)


def test_a_1d_sweep_is_not_a_grid():
    g = np.array([[v] * 4 for v in np.geomspace(1, 20, 16)]) * uS
    assert detect_grid_2d(g) is None


def test_an_incomplete_product_is_not_a_grid():
    g = pair_grid([1, 2], [3, 4])[:3]  # (2, 4) missing
    assert detect_grid_2d(g) is None


def test_a_single_row_or_column_is_not_a_grid():
    assert detect_grid_2d(pair_grid([1, 2, 3], [4])) is None


def test_the_largest_grid_wins():
    # A 2 x 2 grid over the pairs and a 3 x 3 one over synapse 0 x synapse 1 (2, 3 held).
    points = [[a, a, b, b] for a in (1, 2) for b in (3, 4)]
    points += [[a, b, 7, 7] for a in (1, 2, 3) for b in (4, 5, 6)]
    grid = detect_grid_2d(np.array(points, dtype=float) * uS)
    assert grid is not None and grid.groups == ((0,), (1,)) and grid.shape == (3, 3)


def test_rejects_a_malformed_axis():
    with pytest.raises(ValueError, match="shape"):
        detect_grid_2d(np.zeros((3, 3)))


def test_equal_synapse_sweep_sorts_and_masks():
    g = np.array([[5, 5, 5, 5], [1, 2, 3, 4], [2, 2, 2, 2], [9, 9, 9, 9]], dtype=float) * uS
    idx, values = equal_synapse_sweep(g)
    assert idx.tolist() == [2, 0, 3] and np.allclose(values / uS, [2, 5, 9])
    idx, _ = equal_synapse_sweep(g, mask=[True, True, True, False])
    assert idx.tolist() == [2, 0]
