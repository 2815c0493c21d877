// SPDX-License-Identifier: MIT
//! \file host/theta_burst_ladder.cpp
#include "theta_burst_ladder.hpp"

#include "memlif/core/errors.hpp"

#include <cstdio>

namespace memlif {

namespace {

constexpr const char* k_kind = "theta_burst_ladder";

bool is_ladder(const nlohmann::json& block) {
    return block.is_object() && block.contains("kind") && block["kind"].is_string() &&
           block["kind"].get<std::string>() == k_kind;
}

std::string micro(double g_S) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", g_S * 1e6);
    return buf;
}

} // namespace

LadderResult run_theta_burst_ladder(const nlohmann::json& block, const std::string& key) {
    LadderResult out;
    out.card = card::from_json<LadderBlockCard>(&block, key);
    const LadderBlockCard& c = out.card;
    check_device_card(c.device, key + ".device");
    c.protocol.check(key);
    if (c.protocol.targets_uS.empty())
        throw ConfigError(key + ".targets_uS: a ladder needs at least one target");
    const DeviceSetup su = make_device_setup(c.device, c.seed);
    const ThetaBurstProtocol pr = c.protocol.protocol(c.device.v_read_V);
    std::vector<double> g_train(pr.max_trains), g_burst(pr.max_trains * pr.bursts_per_train);
    ThetaBurstOutput o{g_train.data(), g_burst.data()};
    out.result = device_theta_burst(su, c.device_id, pr, o);
    const ThetaBurstResult& r = out.result;
    out.g_after_train_S.assign(g_train.begin(), g_train.begin() + r.n_trains);
    out.g_after_burst_S.assign(g_burst.begin(), g_burst.begin() + r.n_trains * pr.bursts_per_train);
    for (std::uint32_t k = 0; k < r.n_trains; ++k)
        out.t_after_train_s.push_back(c.protocol.burst_end_s(k, pr.bursts_per_train - 1) +
                                      pr.train_gap_s);
    if (c.include_start) out.points_S.push_back(r.g_start_S);
    for (std::size_t k = 0; k < c.protocol.targets_uS.size(); ++k) {
        const std::uint32_t n = r.trains_to_target[k];
        if (n == 0)
            throw ConfigError(key + ".targets_uS[" + std::to_string(k) + "]: the ladder reached " +
                              micro(r.n_trains ? g_train[r.n_trains - 1] : r.g_start_S) +
                              " uS after " + std::to_string(r.n_trains) + " trains, short of " +
                              micro(c.protocol.targets_uS[k] * 1e-6) +
                              " uS (raise max_trains or change the protocol)");
        out.g_reached_S.push_back(g_train[n - 1]);
        out.points_S.push_back(g_train[n - 1]);
    }
    return out;
}

void expand_theta_burst_ladder(const nlohmann::json& grid, std::size_t index,
                               const std::string& key, std::vector<ConductancePoint>& out) {
    for (std::size_t j = 0; j < index; ++j)
        if (is_ladder(grid[j]))
            throw ConfigError(key +
                              ".kind: at most one theta_burst_ladder block per grid "
                              "(block " +
                              std::to_string(j) + " is one)");
    for (double g_S : run_theta_burst_ladder(grid[index], key).points_S) {
        const double g = g_S * 1e6;
        out.push_back({g, g, g, g});
    }
}

std::optional<LadderBlockRef> find_theta_burst_ladder(const nlohmann::json& grid) {
    if (!grid.is_array()) return std::nullopt;
    for (std::size_t i = 0; i < grid.size(); ++i) {
        if (!is_ladder(grid[i])) continue;
        LadderBlockRef ref;
        ref.block = i;
        if (i > 0) {
            nlohmann::json before = nlohmann::json::array();
            for (std::size_t j = 0; j < i; ++j) before.push_back(grid[j]);
            ref.first_condition = expand_conductance_grid(before, "conductance_grid").size();
        }
        return ref;
    }
    return std::nullopt;
}

} // namespace memlif
