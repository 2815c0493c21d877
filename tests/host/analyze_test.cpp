// SPDX-License-Identifier: MIT
//! \file tests/host/analyze_test.cpp
//! The analysis stage on a real (tiny) run file: which failures are the user's and which are bugs.
#include "host/analyze.hpp"
#include "host/run.hpp"
#include "memlif/core/errors.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace memlif {
namespace {

std::string tiny_run(const std::string& name) {
    const std::string path =
        "/tmp/memlif_analyze_" + std::to_string(::getpid()) + "_" + name + ".h5";
    std::remove(path.c_str());
    nlohmann::json card = nlohmann::json::object();
    apply_override(card, "simulation.repeats=2");
    apply_override(card, R"(conductance_grid=[{"kind":"list","values_uS":[13.6]}])");
    apply_override(card, R"(information.estimators=["plugin"])");
    apply_override(card, "output.path=" + nlohmann::json(path).dump());
    RunOptions quiet;
    quiet.quiet = true;
    execute_run(resolve_config(card), quiet);
    return path;
}

TEST(Analyze, DataThatCannotHonourTheRequestIsAUserError) {
    const std::string path = tiny_run("user");
    EstimatorOptions o;
    o.estimators = {"qe"}; // N_s = 2 < 4 under small_sample = refuse
    EXPECT_THROW(analyze_into(path, o, "/analysis/x", io::GroupMode::replace, "{}"), ConfigError);
    std::remove(path.c_str());
}

TEST(Analyze, AnInternalErrorIsNotReportedAsAUserError) {
    // options that no card can produce (the card refuses bootstrap.replicates < 2): reaching the
    // estimators with them is a bug and must not be turned into exit code 2
    const std::string path = tiny_run("bug");
    EstimatorOptions o;
    o.estimators = {"bootstrap"};
    o.bootstrap_replicates = 1;
    try {
        analyze_into(path, o, "/analysis/x", io::GroupMode::replace, "{}");
        FAIL() << "accepted invalid options";
    } catch (const ConfigError& e) {
        FAIL() << "reported as a user error: " << e.what();
    } catch (const std::invalid_argument&) {
    }
    std::remove(path.c_str());
}

} // namespace
} // namespace memlif
