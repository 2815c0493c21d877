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
    expect_rejected("simulation.dt_us=3",
                    "response.window_ms"); // 200 ms is not a whole number of 3 us steps
    expect_rejected("simulation.repeats=0", "simulation.repeats");
    expect_rejected("response.bin_ms=3", "response.window_ms"); // 200/3 bins
    expect_rejected("response.bin_ms=1", "response.window_ms"); // 200 bins > 64
    expect_rejected(R"(conductance_grid=[{"kind":"list","values_uS":[-2.6]}])",
                    "conductance_grid[0].values_uS[0]");
    expect_rejected("stimulus.jitter.max_ms=45", "stimulus.jitter.max_ms");
    expect_rejected("stimulus.jitter.law=gauss", "stimulus.jitter.law");
    expect_rejected("simulation.backend=tpu", "simulation.backend");
    expect_rejected("neuron.c_nF=0", "neuron.c_nF");
    expect_rejected("backspike.amplitude_V=0.1",
                    "backspike.amplitude_V"); // retired: no MI run used it
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

// ---- issue 12: hostile cards ---------------------------------------------------------------

//! The message of the ConfigError that `f` throws ("" if none; the test fails on other types).
template <class F> std::string config_error(F&& f) {
    try {
        f();
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

TEST(Config, Issue12_DeepNestingIsRefusedNotOverflowingTheStack) {
    // defect 6: 10^5 levels segfaulted wherever the value was copied, quoted or dumped
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    const std::string msg = config_error(
        [&] { parse_card_text(R"({"information": {"pt_rtot": )" + deep + "}}", "deep.json"); });
    EXPECT_NE(msg.find("deep.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("information.pt_rtot"), std::string::npos) << msg;
    EXPECT_NE(msg.find("nested deeper"), std::string::npos) << msg;
    json card = json::object();
    const std::string set =
        config_error([&] { apply_override(card, "information.pt_rtot=" + deep); });
    EXPECT_NE(set.find("--set information.pt_rtot"), std::string::npos) << set;
    // a key path of 10^5 components is refused too
    std::string path = "a";
    for (int i = 0; i < 100000; ++i) path += ".a";
    EXPECT_NE(config_error([&] { apply_override(card, path + "=1"); }), "");
    // the default card's depth is far below the limit
    EXPECT_NO_THROW(parse_card_text(default_card().dump(), "default"));
}

TEST(Config, Issue12_OverrideThatIsNotUtf8NamesItsKeyAndLeavesTheCardAlone) {
    // fuzz finding (CI, card_fuzz): "--set simulation.repeats=5\xCF" was stored as a string and
    // the next dump() of the card threw json type_error 316, an exit 1 with no key named
    json card = json::object();
    std::string msg = config_error([&] { apply_override(card, "simulation.repeats=5\xCF"); });
    EXPECT_NE(msg.find("simulation.repeats"), std::string::npos) << msg;
    EXPECT_NE(msg.find("UTF-8"), std::string::npos) << msg;
    msg = config_error([&] { apply_override(card, "neuron.t\xFFu_ms=1"); });
    EXPECT_NE(msg.find("neuron.t"), std::string::npos) << msg;
    msg = config_error([&] { apply_string_override(card, "output.path", "run\xC3.h5"); });
    EXPECT_NE(msg.find("output.path"), std::string::npos) << msg;
    EXPECT_EQ(card, json::object()); // nothing half-applied
    // valid multi-byte UTF-8 is a string like any other
    apply_string_override(card, "output.path", "r\xC3\xA9sultat.h5");
    EXPECT_EQ(card["output"]["path"], "r\xC3\xA9sultat.h5");
    EXPECT_NO_THROW((void)card.dump());
}

TEST(Config, Issue12_NumberBeyondTheDoubleRangeNamesItsKey) {
    // defect 9: "internal error: number overflow", no key, exit 1
    std::string msg =
        config_error([] { parse_card_text("{\"neuron\": {\"tau_ms\": 1e400}}", "c.json"); });
    EXPECT_NE(msg.find("c.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("neuron.tau_ms"), std::string::npos) << msg;
    msg = config_error([] {
        parse_card_text(R"({"conductance_grid": [{"kind": "list", "values_uS": [1, -1e999]}]})",
                        "c");
    });
    EXPECT_NE(msg.find("conductance_grid[0].values_uS[1]"), std::string::npos) << msg;
    json card = json::object();
    msg = config_error([&] { apply_override(card, "neuron.tau_ms=1e400"); });
    EXPECT_NE(msg.find("neuron.tau_ms"), std::string::npos) << msg;
}

TEST(Config, Issue12_DuplicateKeysAreRefused) {
    // defect 19: the last of two values was taken silently
    std::string msg = config_error([] { parse_card_text(R"({"seed": 1, "seed": 2})", "c.json"); });
    EXPECT_NE(msg.find("seed: the key is given twice"), std::string::npos) << msg;
    msg = config_error(
        [] { parse_card_text(R"({"neuron": {"tau_ms": 1, "c_nF": 2, "tau_ms": 3}})", "c"); });
    EXPECT_NE(msg.find("neuron.tau_ms"), std::string::npos) << msg;
    // the same key in two sections is fine
    EXPECT_NO_THROW(
        parse_card_text(R"({"a": {"x": 1}, "b": {"x": 2}, "l": [{"x": 1}, {"x": 2}]})", "c"));
}

TEST(Config, Issue12_JitterUnitCannotWrapItsStepCount) {
    // defect 14: max_ms/unit_ms = 2^32 wrapped a uint32 and switched the jitter off silently
    expect_rejected("stimulus.jitter.unit_ms=9.313225746154785e-09", "stimulus.jitter.unit_ms");
    expect_rejected("stimulus.jitter.unit_ms=0.001", "stimulus.jitter.unit_ms"); // 0.1 steps
    expect_rejected("stimulus.jitter.unit_ms=0.015", "stimulus.jitter.unit_ms"); // 1.5 steps
    json card = json::object();
    apply_override(card, "stimulus.jitter.law=uniform");
    apply_override(card, "stimulus.jitter.max_ms=12.345"); // 1234.5 steps
    EXPECT_EQ(error_of(card).rfind("stimulus.jitter.max_ms", 0), 0u) << error_of(card);
    card = json::object();
    apply_override(card, "stimulus.jitter.truncation=redraw");
    apply_override(card, "stimulus.jitter.unit_ms=0.01");
    apply_override(card, "stimulus.jitter.max_ms=1");
    apply_override(card, "stimulus.jitter.mean_ms=20"); // exp(-2000) underflows the normalisation
    EXPECT_EQ(error_of(card).rfind("stimulus.jitter.mean_ms", 0), 0u) << error_of(card);
}

TEST(Config, Issue12_BackspikeWidthIsWholeStepsAndInRange) {
    // defect 15: 1e300 us became 0 steps, 305 us (30.5 steps) was rounded without a word
    // (review: 0 and 1e-6 us became 0 steps with back-spikes enabled, silently off)
    for (const char* width : {"backspike.width_us=1e300", "backspike.width_us=305",
                              "backspike.width_us=0", "backspike.width_us=0.000001"}) {
        json card = json::object();
        apply_override(card, "backspike.enabled=true");
        apply_override(card, width);
        EXPECT_EQ(error_of(card).rfind("backspike.width_us", 0), 0u)
            << width << ": " << error_of(card);
    }
    json card = json::object();
    apply_override(card, "backspike.enabled=true");
    apply_override(card, "backspike.mean_interval_ms=1e300");
    EXPECT_EQ(error_of(card).rfind("backspike.mean_interval_ms", 0), 0u) << error_of(card);
    apply_override(card, "backspike.mean_interval_ms=1000");
    EXPECT_EQ(error_of(card), "");
    EXPECT_EQ(make_sim_params(resolve_config(card)).backspike.width_steps, 30u);
}

TEST(Config, Issue12_NonFiniteDeviceNumbersAreRefused) {
    // defect 16: sinh(V/V0) overflowed and NaN/inf reached /axes with exit 0
    for (const char* set :
         {"synapse.ul_gap.v0_V=1e-300", "stimulus.spike_amplitude_V=1e300", "neuron.c_nF=1e-320"}) {
        json card = json::object();
        apply_override(card, set);
        const std::string msg = error_of(card);
        EXPECT_EQ(msg.rfind("conductance_grid point 0", 0), 0u) << set << ": " << msg;
    }
}

TEST(Config, Issue12_BinCountMessageGivesTheRealNumber) {
    // defect 19: "-9223372036854775808 output bins" for bin_ms = 1e-300
    json card = json::object();
    apply_override(card, "response.bin_ms=1e-300");
    const std::string msg = error_of(card);
    EXPECT_NE(msg.find("2e+302 output bins"), std::string::npos) << msg;
}

TEST(Config, Issue12_ACardMustBeAnObject) {
    // defect 19: `null` was taken as {} and a list was blamed on --set output.path
    json card = nullptr;
    EXPECT_NE(config_error([&] { apply_override(card, "seed=1"); }).find("not a JSON object"),
              std::string::npos);
}

} // namespace
} // namespace memlif
