// SPDX-License-Identifier: MIT
//! \file host/conductance_grid.cpp
#include "conductance_grid.hpp"
#include "theta_burst_ladder.hpp"

#include "memlif/core/errors.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <set>

namespace memlif {

namespace {

[[noreturn]] void fail(const std::string& key, const std::string& what) {
    throw ConfigError(key + ": " + what);
}

double conductance(const nlohmann::json& v, const std::string& key) {
    if (!v.is_number())
        fail(key, std::string("expected a number (microsiemens), got ") +
                      (v.is_structured() ? (v.is_object() ? "an object" : "a list") : v.dump()));
    const double g = v.get<double>();
    if (!std::isfinite(g) || g < 0)
        fail(key, "conductance must be finite and >= 0, got " + v.dump());
    return g;
}

const nlohmann::json& member(const nlohmann::json& block, const std::string& name,
                             const std::string& key) {
    if (!block.contains(name)) fail(key + "." + name, "missing");
    return block.at(name);
}

void check_keys(const nlohmann::json& block, const std::set<std::string>& allowed,
                const std::string& key) {
    for (auto it = block.begin(); it != block.end(); ++it)
        if (!allowed.count(it.key())) fail(key + "." + it.key(), "unknown key for this kind");
}

//! The grid must not grow past k_max_conductance_points: checked before a block is expanded, so a
//! block of 2^32 points (or a 100^4 product) is refused before it allocates anything.
void check_room(const std::vector<ConductancePoint>& out, double block_points,
                const std::string& key) {
    if (static_cast<double>(out.size()) + block_points >
        static_cast<double>(k_max_conductance_points)) {
        char n[32];
        std::snprintf(n, sizeof n, "%.6g", block_points);
        fail(key, std::string("adds ") + n + " conductance points to " +
                      std::to_string(out.size()) + "; at most " +
                      std::to_string(k_max_conductance_points) +
                      " in all (the trial id holds 16 bits of condition)");
    }
}

void expand_range(const nlohmann::json& block, const std::string& key, bool log_scale,
                  std::vector<ConductancePoint>& out) {
    check_keys(block, {"kind", "start_uS", "stop_uS", "n"}, key);
    const double a = conductance(member(block, "start_uS", key), key + ".start_uS");
    const double b = conductance(member(block, "stop_uS", key), key + ".stop_uS");
    const auto& nj = member(block, "n", key);
    if (!nj.is_number_integer() || nj.get<long long>() < 1)
        fail(key + ".n", "expected an integer >= 1, got " +
                             (nj.is_structured() ? std::string("a ") + nj.type_name() : nj.dump()));
    const long long n = nj.get<long long>();
    check_room(out, static_cast<double>(n), key + ".n");
    if (log_scale && (a <= 0 || b <= 0))
        fail(key + ".start_uS", "log range needs start_uS, stop_uS > 0");
    for (long long i = 0; i < n; ++i) {
        const double f = n == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(n - 1);
        const double g = log_scale ? a * std::pow(b / a, f) : a + (b - a) * f;
        out.push_back({g, g, g, g});
    }
}

} // namespace

std::vector<ConductancePoint> expand_conductance_grid(const nlohmann::json& grid,
                                                      const std::string& key) {
    if (!grid.is_array()) fail(key, "expected a list of grid blocks");
    std::vector<ConductancePoint> out;
    for (std::size_t i = 0; i < grid.size(); ++i) {
        const std::string bkey = key + "[" + std::to_string(i) + "]";
        const auto& block = grid[i];
        if (!block.is_object()) fail(bkey, "expected an object with a \"kind\"");
        const auto& kind = member(block, "kind", bkey);
        if (!kind.is_string()) fail(bkey + ".kind", "expected a string");
        const std::string k = kind.get<std::string>();
        if (k == "list") {
            check_keys(block, {"kind", "values_uS"}, bkey);
            const auto& values = member(block, "values_uS", bkey);
            if (!values.is_array()) fail(bkey + ".values_uS", "expected a list");
            check_room(out, static_cast<double>(values.size()), bkey + ".values_uS");
            for (std::size_t j = 0; j < values.size(); ++j) {
                const std::string vkey = bkey + ".values_uS[" + std::to_string(j) + "]";
                const auto& v = values[j];
                if (v.is_array()) {
                    if (v.size() != 4) fail(vkey, "a per-synapse point needs exactly 4 values");
                    out.push_back({conductance(v[0], vkey), conductance(v[1], vkey),
                                   conductance(v[2], vkey), conductance(v[3], vkey)});
                } else {
                    const double g = conductance(v, vkey);
                    out.push_back({g, g, g, g});
                }
            }
        } else if (k == "linear" || k == "log") {
            expand_range(block, bkey, k == "log", out);
        } else if (k == "product") {
            check_keys(block, {"kind", "per_synapse_uS"}, bkey);
            const auto& axes = member(block, "per_synapse_uS", bkey);
            if (!axes.is_array() || axes.size() != 4)
                fail(bkey + ".per_synapse_uS", "expected 4 lists, one per synapse");
            std::vector<double> ax[4];
            for (int s = 0; s < 4; ++s) {
                const std::string akey = bkey + ".per_synapse_uS[" + std::to_string(s) + "]";
                if (!axes[s].is_array() || axes[s].empty()) fail(akey, "expected a non-empty list");
                for (const auto& v : axes[s]) ax[s].push_back(conductance(v, akey));
            }
            check_room(out,
                       static_cast<double>(ax[0].size()) * static_cast<double>(ax[1].size()) *
                           static_cast<double>(ax[2].size()) * static_cast<double>(ax[3].size()),
                       bkey + ".per_synapse_uS");
            for (double g0 : ax[0])
                for (double g1 : ax[1])
                    for (double g2 : ax[2])
                        for (double g3 : ax[3]) out.push_back({g0, g1, g2, g3});
        } else if (k == "theta_burst_ladder") {
            expand_theta_burst_ladder(grid, i, bkey, out); // host/theta_burst_ladder.hpp
        } else {
            fail(bkey + ".kind",
                 "unknown kind \"" + k +
                     "\" (expected list, linear, log, product or theta_burst_ladder)");
        }
    }
    if (out.empty()) fail(key, "the grid has no conductance points");
    return out;
}

} // namespace memlif
