// SPDX-License-Identifier: MIT
//! \file host/theta_burst_ladder.hpp
//! The `theta_burst_ladder` block of an MI sweep's conductance grid (Benatti et al. 2023, Fig. 4:
//! theta-burst trains step the synapses 2.6 -> 6.2 -> 13.6 uS between the MI measurements):
//!   {"kind": "theta_burst_ladder", "targets_uS": [6.2, 13.6], "device": {...}, ...}
//! When the card is resolved, the theta-burst protocol runs on the host on one device (Philox id
//! `device_id` under the block's own `seed`, so the grid is deterministic and does not move when
//! only the run's seed changes), with plasticity and back-spikes on, until G_read reaches each
//! target; the block expands to the conductances the ladder reached: G at the start (if
//! `include_start`) and G after the train that first reached each target, the same on all four
//! synapses. A target not reached within max_trains is a ConfigError. The MI sweep then runs at
//! those conductances with its own synapse model (synapse.*), and its `ladder` stage records what
//! the ladder did in /analysis/ladder (io/FORMAT.md). At most one such block per grid.
//! Keys: kind, seed, device_id, include_start, the theta-burst protocol keys of the theta_burst
//! section (host/protocol_cards.hpp) and `device` (host/device_card.hpp; default: UL-GAP at
//! 2.6 uS, noise off).
#pragma once

#include "conductance_grid.hpp"
#include "device_card.hpp"
#include "protocol_cards.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace memlif {

struct LadderBlockCard {
    std::string kind = "theta_burst_ladder";
    std::uint64_t seed = 20230523; //!< the block's Philox seed (the default run seed)
    std::uint64_t device_id = 0;   //!< Philox id of the device
    bool include_start = true;     //!< the starting conductance is the first grid point
    ThetaBurstProtocolCard protocol;
    DeviceCard device = DeviceCard::defaults("read_conductance", 2.6, false, false);
    template <class V> void visit(V& v) {
        v.text("kind", kind);
        v.integer("seed", seed, std::uint64_t{0}, ~std::uint64_t{0});
        v.integer("device_id", device_id, std::uint64_t{0}, ~std::uint64_t{0});
        v.flag("include_start", include_start);
        protocol.visit(v);
        v.section("device", device);
    }
};

//! What a ladder block did.
struct LadderResult {
    LadderBlockCard card;
    ThetaBurstResult result;
    std::vector<double> g_after_train_S; //!< [result.n_trains]
    std::vector<double> t_after_train_s; //!< [result.n_trains]
    std::vector<double> g_after_burst_S; //!< [result.n_trains * bursts_per_train]
    std::vector<double> g_reached_S;     //!< [targets]: G after the train that reached each
    std::vector<double> points_S;        //!< the grid points (start, then one per target)
};

//! Runs the ladder of one block; ConfigError naming `key` (e.g. "conductance_grid[1].seed").
LadderResult run_theta_burst_ladder(const nlohmann::json& block, const std::string& key);

//! Expands block `index` of `grid` (a theta_burst_ladder block) into `out` (uS); ConfigError if an
//! earlier block is a ladder too.
void expand_theta_burst_ladder(const nlohmann::json& grid, std::size_t index,
                               const std::string& key, std::vector<ConductancePoint>& out);

//! The ladder block of a (valid) grid: its index and the condition of its first point.
struct LadderBlockRef {
    std::size_t block = 0;
    std::size_t first_condition = 0;
};
std::optional<LadderBlockRef> find_theta_burst_ladder(const nlohmann::json& grid);

} // namespace memlif
