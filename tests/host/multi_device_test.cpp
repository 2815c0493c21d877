// SPDX-License-Identifier: MIT
//! \file tests/host/multi_device_test.cpp
//! The several-devices orchestration on the CPU: parts on their own threads (the CPU backend in
//! place of one GPU each) give the sink exactly the one-backend sweep, condition by condition in
//! order, for 1, 2, 3 and 7 parts and with conditions split between parts; a failing part is
//! reported; and simulation.devices is refused by name where there are no devices.
#include "host/config.hpp"
#include "host/cpu_backend.hpp"
#include "host/multi_device.hpp"

#include "cuda/cuda_backend.hpp"

#include "memlif/core/errors.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace memlif {
namespace {

class CollectSink : public ConditionSink {
  public:
    void consume(ConditionOutput&& out) override { outs.push_back(std::move(out)); }
    void on_progress(std::uint64_t done) override { last_progress = done; }
    std::vector<ConditionOutput> outs;
    std::uint64_t last_progress = 0;
};

SweepSpec spec_of(std::uint32_t n_stimuli, const char* solver) {
    nlohmann::json card = nlohmann::json::object();
    apply_override(card, R"(conductance_grid=[{"kind":"list","values_uS":[3.0, 7.0, 12.0]}])");
    apply_override(card, std::string("simulation.solver=") + solver);
    apply_override(card, "simulation.repeats=3");
    SweepSpec spec = make_sweep(resolve_config(card)).spec;
    spec.stimulus_codes.resize(n_stimuli);
    spec.p_s.resize(n_stimuli);
    spec.n_input_spikes.resize(n_stimuli);
    spec.keep_trial_words = true;
    return spec;
}

// One thread per OpenMP team: barriers crawl on a loaded machine.
const CpuOptions k_cpu{1, 50};

TEST(MultiDevice, PartsGiveTheOneBackendSweepInConditionOrder) {
    for (const char* solver : {"fixed", "exact"}) {
        const SweepSpec spec = spec_of(17, solver);
        CollectSink whole;
        run_sweep_cpu(spec, whole, k_cpu);
        ASSERT_EQ(whole.outs.size(), 3u);
        for (std::size_t n : {1u, 2u, 3u, 7u}) {
            CollectSink sink;
            run_sweep_parts(spec, sink, n, [](std::size_t, const SweepSpec& s, ConditionSink& ps) {
                run_sweep_cpu(s, ps, k_cpu);
            });
            ASSERT_EQ(sink.outs.size(), 3u) << n << " parts";
            for (std::size_t c = 0; c < 3; ++c) {
                const ConditionOutput& a = sink.outs[c];
                const ConditionOutput& b = whole.outs[c];
                EXPECT_EQ(a.condition, c);
                EXPECT_EQ(a.counts.offsets, b.counts.offsets) << n << " parts, condition " << c;
                EXPECT_EQ(a.counts.words, b.counts.words) << n << " parts, condition " << c;
                EXPECT_EQ(a.counts.counts, b.counts.counts) << n << " parts, condition " << c;
                EXPECT_EQ(a.counts.n_bins, b.counts.n_bins);
                EXPECT_EQ(a.trial_words, b.trial_words) << n << " parts, condition " << c;
                EXPECT_EQ(a.mean_output_spikes, b.mean_output_spikes)
                    << n << " parts, condition " << c;
            }
            EXPECT_LE(sink.last_progress, 3u * 17u * 3u);
        }
    }
}

TEST(MultiDevice, AFailingPartIsReportedAfterTheOthersStop) {
    const SweepSpec spec = spec_of(9, "exact");
    CollectSink sink;
    EXPECT_THROW(run_sweep_parts(spec, sink, 3,
                                 [](std::size_t p, const SweepSpec& s, ConditionSink& ps) {
                                     if (p == 1) throw std::runtime_error("device 1 failed");
                                     run_sweep_cpu(s, ps, k_cpu);
                                 }),
                 std::runtime_error);
    // condition 0 lies in part 0 alone (9 stimuli x 3 conditions over 3 parts); it may or may not
    // have finished before the stop, but nothing of parts 1 and 2 can have been given out
    EXPECT_LE(sink.outs.size(), 1u);
    for (const auto& o : sink.outs) EXPECT_EQ(o.condition, 0u);
}

TEST(MultiDevice, DevicesValueIsCheckedAndRefusedWithoutDevices) {
    using nlohmann::json;
    EXPECT_TRUE(resolve_devices(json::array(), 0, false).empty()); // the default: no key to honour
    EXPECT_EQ(resolve_devices("all", 3, true), (std::vector<int>{0, 1, 2}));
    EXPECT_EQ(resolve_devices(json::parse("[2, 0]"), 3, true), (std::vector<int>{2, 0}));
    const auto message = [](const json& v, int n, bool cuda) -> std::string {
        try {
            resolve_devices(v, n, cuda);
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "";
    };
    for (const json& v : {json("all"), json::parse("[0]"), json::parse("[0, 1]")}) {
        EXPECT_NE(message(v, 0, false).find("simulation.devices"), std::string::npos) << v;
        EXPECT_NE(message(v, 0, false).find("no CUDA support"), std::string::npos) << v;
        EXPECT_NE(message(v, 0, true).find("no usable CUDA device"), std::string::npos) << v;
    }
    EXPECT_NE(message(json::parse("[3]"), 2, true).find("simulation.devices[0]"),
              std::string::npos);
    EXPECT_NE(message(json::parse("[1, 1]"), 2, true).find("listed twice"), std::string::npos);
    EXPECT_NE(message(json::parse("[-1]"), 2, true).find("simulation.devices[0]"),
              std::string::npos);
    EXPECT_NE(message(json("some"), 2, true).find("simulation.devices"), std::string::npos);
    EXPECT_NE(message(json(3), 2, true).find("simulation.devices"), std::string::npos);
}

TEST(MultiDevice, TheCardChecksTheFormAnywhereAndTheBackendTheDevices) {
    nlohmann::json card = nlohmann::json::object();
    apply_override(card, "simulation.devices=[0,1]");
    const RunConfig cfg = resolve_config(card); // a card from a GPU machine reads anywhere
    if (device_count() < 2) {
        try {
            choose_run_backend(cfg);
            FAIL() << "simulation.devices accepted without two devices";
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find("simulation.devices"), std::string::npos)
                << e.what();
        }
    }
    nlohmann::json bad = nlohmann::json::object();
    apply_override(bad, "simulation.devices=[0,0]");
    EXPECT_THROW(resolve_config(bad), ConfigError);
    nlohmann::json cpu = nlohmann::json::object();
    apply_override(cpu, "simulation.devices=all");
    apply_override(cpu, "simulation.backend=cpu");
    EXPECT_THROW(choose_run_backend(resolve_config(cpu)), ConfigError);
}

} // namespace
} // namespace memlif
