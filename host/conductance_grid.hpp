// SPDX-License-Identifier: MIT
//! \file host/conductance_grid.hpp
//! Conductance points: each is a 4-vector (one read conductance per synapse), so asymmetric sweeps
//! work. The card's `conductance_grid` is a list of blocks, concatenated in order:
//!   {"kind": "list",    "values_uS": [2.6, [1, 2, 3, 4], ...]}   scalar = same value on all
//!   synapses
//!   {"kind": "linear",  "start_uS": a, "stop_uS": b, "n": k}     k points, ends included, all
//!   synapses
//!   {"kind": "log",     "start_uS": a, "stop_uS": b, "n": k}     k log-spaced points, all synapses
//!   {"kind": "product", "per_synapse_uS": [[...], [...], [...], [...]]}  Cartesian product
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace memlif {

using ConductancePoint = std::array<double, 4>; //!< microsiemens, synapse 1..4

//! Most points a grid may have: the trial id holds 16 bits of condition index.
inline constexpr std::size_t k_max_conductance_points = 65536;

//! Expands the grid blocks; throws ConfigError naming `key` (e.g. "conductance_grid[1].n"), also
//! before expanding a block that would take the grid past k_max_conductance_points.
std::vector<ConductancePoint> expand_conductance_grid(const nlohmann::json& grid,
                                                      const std::string& key);

} // namespace memlif
