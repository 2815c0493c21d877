// SPDX-License-Identifier: MIT
//! \file tests/host/conductance_grid_test.cpp
#include "host/conductance_grid.hpp"
#include "memlif/core/errors.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace memlif {
namespace {

using nlohmann::json;

std::string error_of(const json& grid) {
    try {
        expand_conductance_grid(grid, "conductance_grid");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

TEST(ConductanceGrid, ListAcceptsScalarsAndPerSynapseVectors) {
    const auto g = expand_conductance_grid(
        json::parse(R"([{"kind":"list","values_uS":[2.6,[1,2,3,4]]}])"), "g");
    ASSERT_EQ(g.size(), 2u);
    EXPECT_EQ(g[0], (ConductancePoint{2.6, 2.6, 2.6, 2.6}));
    EXPECT_EQ(g[1], (ConductancePoint{1, 2, 3, 4}));
}

TEST(ConductanceGrid, LogRangeIsGeometricWithEndsIncluded) {
    const auto g = expand_conductance_grid(
        json::parse(R"([{"kind":"log","start_uS":1,"stop_uS":20,"n":16}])"), "g");
    ASSERT_EQ(g.size(), 16u);
    EXPECT_DOUBLE_EQ(g.front()[0], 1.0);
    EXPECT_NEAR(g.back()[3], 20.0, 1e-12);
    const double ratio = std::pow(20.0, 1.0 / 15.0);
    for (std::size_t i = 1; i < g.size(); ++i) EXPECT_NEAR(g[i][1] / g[i - 1][1], ratio, 1e-12);
}

TEST(ConductanceGrid, LinearRange) {
    const auto g = expand_conductance_grid(
        json::parse(R"([{"kind":"linear","start_uS":2,"stop_uS":4,"n":3}])"), "g");
    ASSERT_EQ(g.size(), 3u);
    EXPECT_DOUBLE_EQ(g[1][0], 3.0);
}

TEST(ConductanceGrid, ProductIsCartesianWithLastSynapseFastest) {
    const auto g = expand_conductance_grid(
        json::parse(R"([{"kind":"product","per_synapse_uS":[[1,2],[3],[4],[5,6,7]]}])"), "g");
    ASSERT_EQ(g.size(), 6u);
    EXPECT_EQ(g[0], (ConductancePoint{1, 3, 4, 5}));
    EXPECT_EQ(g[2], (ConductancePoint{1, 3, 4, 7}));
    EXPECT_EQ(g[3], (ConductancePoint{2, 3, 4, 5}));
}

TEST(ConductanceGrid, BlocksConcatenate) {
    const auto g = expand_conductance_grid(
        json::parse(
            R"([{"kind":"list","values_uS":[5]},{"kind":"linear","start_uS":1,"stop_uS":2,"n":2}])"),
        "g");
    EXPECT_EQ(g.size(), 3u);
}

TEST(ConductanceGrid, ErrorsNameTheKey) {
    EXPECT_NE(error_of(json::parse(R"([{"kind":"list","values_uS":[-1]}])"))
                  .find("conductance_grid[0].values_uS[0]"),
              std::string::npos);
    EXPECT_NE(error_of(json::parse(R"([{"kind":"log","start_uS":1,"stop_uS":2,"n":0}])"))
                  .find("conductance_grid[0].n"),
              std::string::npos);
    EXPECT_NE(error_of(json::parse(R"([{"kind":"cubic"}])")).find("conductance_grid[0].kind"),
              std::string::npos);
    EXPECT_NE(error_of(json::parse(R"([{"kind":"list","values_uS":[1],"typo":1}])"))
                  .find("conductance_grid[0].typo"),
              std::string::npos);
    EXPECT_NE(
        error_of(json::parse(R"([{"kind":"list","values_uS":[[1,2,3]]}])")).find("values_uS[0]"),
        std::string::npos);
    EXPECT_NE(error_of(json::parse("[]")), "");
}

} // namespace
} // namespace memlif
