// SPDX-License-Identifier: MIT
//! \file tests/host/config_test.cpp
#include "host/config.hpp"
#include "memlif/core/errors.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace memlif {
namespace {

using nlohmann::json;

//! The ConfigError message of resolving `card`, or "" if it is accepted.
std::string error_of(const json& card) {
    try {
        resolve_config(card);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

void expect_rejected(const std::string& override_text, const std::string& key) {
    json card = json::object();
    apply_override(card, override_text);
    const std::string msg = error_of(card);
    EXPECT_NE(msg, "") << override_text << " was accepted";
    EXPECT_EQ(msg.rfind(key, 0), 0u) << "message \"" << msg << "\" does not start with " << key;
}

TEST(Config, DefaultCardIsThePapersExperiment) {
    const RunConfig c = resolve_config(json::object());
    EXPECT_EQ(c.stimulus_set_kind, StimulusSetKind::symmetric);
    EXPECT_EQ(c.simulation.repeats, 15u);
    ASSERT_EQ(c.conductances_uS.size(), 19u);
    EXPECT_DOUBLE_EQ(c.conductances_uS[0][0], 2.6);
    EXPECT_DOUBLE_EQ(c.conductances_uS[1][2], 6.2);
    EXPECT_DOUBLE_EQ(c.conductances_uS[2][3], 13.6);
    EXPECT_DOUBLE_EQ(c.conductances_uS[3][0], 1.0);
    EXPECT_NEAR(c.conductances_uS[18][0], 20.0, 1e-12);
    EXPECT_EQ(c.n_bins, 20u);
    EXPECT_DOUBLE_EQ(c.simulation.dt_us, 10.0);
}

TEST(Config, SimParamsAreWholeSteps) {
    const RunConfig c = resolve_config(json::object());
    const SimParams p = make_sim_params(c);
    EXPECT_EQ(p.n_steps, 20000u);
    EXPECT_EQ(p.steps_per_input_bin, 5000u);
    EXPECT_EQ(p.spike_steps, 1000u);
    EXPECT_EQ(p.delay_steps, 10000u); // T_delay = 100 ms
    EXPECT_EQ(p.steps_per_output_bin, 1000u);
    EXPECT_EQ(p.n_output_bins, 20u);
    EXPECT_EQ(p.jitter.law, JitterLaw::table);
    EXPECT_EQ(p.jitter.table_size, 41u);
    EXPECT_FLOAT_EQ(p.decay, static_cast<float>(std::exp(-10e-6 / 500e-3)));
}

TEST(Config, DefaultNeuronIsTheCalibratedSet) {
    // docs/calibration.md: the set closest to issue 11's criteria; c_nF unchanged (only C V_th
    // matters, model.md §2.3).
    const RunConfig c = resolve_config(json::object());
    EXPECT_DOUBLE_EQ(c.neuron.tau_ms, 500.0);
    EXPECT_DOUBLE_EQ(c.neuron.v_th_V, 1.99038);
    EXPECT_DOUBLE_EQ(c.neuron.t_delay_ms, 100.0);
    EXPECT_DOUBLE_EQ(c.neuron.c_nF, 13.6);
    EXPECT_DOUBLE_EQ(c.stimulus.spike_amplitude_V, 0.1);
    EXPECT_EQ(c.stimulus.jitter.law, "poisson");
    EXPECT_DOUBLE_EQ(c.stimulus.jitter.mean_ms, 20.0);
}

TEST(Config, LinearSynapseWeightsMatchTheDesignRule) {
    json card = json::object();
    apply_override(card, "synapse.model=linear");
    // model.md §2.3's design rule for the pre-calibration neuron (tau 20 ms, V_th 0.5 V)
    apply_override(card, "neuron.tau_ms=20");
    apply_override(card, "neuron.v_th_V=0.5");
    const RunConfig c = resolve_config(card);
    const auto pts = make_conditions(c, make_sim_params(c));
    EXPECT_NEAR(pts[0].weight[0], 0.7647, 1e-4);
    EXPECT_NEAR(pts[1].weight[1], 1.8235, 1e-4);
    EXPECT_NEAR(pts[2].weight[2], 4.0, 1e-12);
    EXPECT_NEAR(pts[2].current_A[3], 13.6e-6 * 0.1, 1e-18);
}

TEST(Config, UlGapCurrentIsTwoPercentAboveLinear) {
    const RunConfig c = resolve_config(json::object());
    const auto pts = make_conditions(c, make_sim_params(c));
    EXPECT_NEAR(pts[1].current_A[0] / (6.2e-6 * 0.1), 1.0201, 1e-4);
}

TEST(Config, OverridesParseJsonOrBareStrings) {
    json card = json::object();
    apply_override(card, "stimulus.set=all");
    apply_override(card, "simulation.repeats=3");
    apply_override(card, R"(conductance_grid=[{"kind":"list","values_uS":[5]}])");
    const RunConfig c = resolve_config(card);
    EXPECT_EQ(c.stimulus_set_kind, StimulusSetKind::all);
    EXPECT_EQ(c.simulation.repeats, 3u);
    EXPECT_EQ(c.conductances_uS.size(), 1u);
    EXPECT_EQ(c.card["simulation"]["repeats"], 3);
}

TEST(Config, UnknownKeysAreRejectedWithTheirPath) {
    expect_rejected("neuron.tau_s=0.02", "neuron.tau_s");
    expect_rejected("simulaton.repeats=3", "simulaton");
    expect_rejected("stimulus.jitter.sigma_ms=1", "stimulus.jitter.sigma_ms");
}

TEST(Config, WrongTypesAreRejected) {
    expect_rejected("simulation.repeats=\"many\"", "simulation.repeats");
    expect_rejected("simulation.repeats=1.5", "simulation.repeats");
    expect_rejected("neuron.tau_ms=fast", "neuron.tau_ms");
    expect_rejected("backspike.enabled=1", "backspike.enabled");
    expect_rejected("neuron=3", "neuron");
}

TEST(Config, OutOfRangeValuesAreRejected) {
    expect_rejected("simulation.dt_us=0", "simulation.dt_us");
    expect_rejected("simulation.dt_us=-5", "simulation.dt_us");
    expect_rejected("simulation.dt_us=2000", "simulation.dt_us"); // too coarse for 10 ms spikes
    expect_rejected("simulation.dt_us=3", "response.window_ms");  // 200 ms is not a whole number of 3 us steps
    expect_rejected("simulation.repeats=0", "simulation.repeats");
    expect_rejected("response.bin_ms=3", "response.window_ms");   // 200/3 bins
    expect_rejected("response.bin_ms=1", "response.window_ms");   // 200 bins > 64
    expect_rejected(R"(conductance_grid=[{"kind":"list","values_uS":[-2.6]}])", "conductance_grid[0].values_uS[0]");
    expect_rejected("stimulus.jitter.max_ms=45", "stimulus.jitter.max_ms");
    expect_rejected("stimulus.jitter.law=gauss", "stimulus.jitter.law");
    expect_rejected("simulation.backend=tpu", "simulation.backend");
    expect_rejected("neuron.c_nF=0", "neuron.c_nF");
    expect_rejected("backspike.amplitude_V=0.1", "backspike.amplitude_V"); // retired: no MI run used it
    expect_rejected("format=2", "format");
    expect_rejected("simulation.solver=rk4", "simulation.solver");
    expect_rejected("simulation.exact_onsets=jittered", "simulation.exact_onsets");
    expect_rejected("experiment.kind=frobnicate", "experiment.kind");
}

TEST(Config, SixtyFourBinsAreAllowed) {
    json card = json::object();
    apply_override(card, "response.window_ms=640");
    const RunConfig c = resolve_config(card);
    EXPECT_EQ(c.n_bins, 64u);
}

TEST(Config, AsymmetricConductancesNeedThePatternSetOrForce) {
    json card = json::object();
    apply_override(card, R"(conductance_grid=[{"kind":"list","values_uS":[[1,2,3,4]]}])");
    EXPECT_EQ(error_of(card).rfind("stimulus.set", 0), 0u);
    json forced = card;
    apply_override(forced, "stimulus.force_symmetric=true");
    EXPECT_EQ(error_of(forced), "");
    apply_override(card, "stimulus.set=all");
    EXPECT_EQ(error_of(card), "");
}

TEST(Config, UlGapRefusesZeroConductanceButLinearAcceptsIt) {
    json card = json::object();
    apply_override(card, R"(conductance_grid=[{"kind":"list","values_uS":[0]}])");
    EXPECT_NE(error_of(card), "");
    apply_override(card, "synapse.model=linear");
    EXPECT_EQ(error_of(card), "");
}

TEST(Config, MalformedJsonNamesTheSource) {
    try {
        parse_card_text("{\"seed\": 1,,}", "card.json");
        FAIL() << "accepted malformed JSON";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("card.json"), std::string::npos);
    }
    EXPECT_EQ(parse_card_text("{ // comment\n \"seed\": 2 }", "c")["seed"], 2);
}

TEST(Config, DumpedDefaultRoundTrips) {
    const json d = default_card();
    EXPECT_EQ(resolve_config(d).card, d);
}

} // namespace
} // namespace memlif
