// SPDX-License-Identifier: MIT
//! \file bench/bench_card.hpp
//! The benchmark workload, built through the same run-card path as `memlif run` so the numbers
//! describe the real model: the default card (Poisson-jittered inputs, UL-GAP synapses, 20 output
//! bins of 10 ms) with the 65536-pattern set, dt = 10 us and a 16-point log grid 1-20 uS.
#pragma once

#include "host/config.hpp"
#include "memlif/core/sweep.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>

namespace memlif {
namespace bench {

//! dt used by every benchmark (us); recorded in bench/RESULTS.md with the results.
constexpr double k_dt_us = 10.0;

inline SweepSpec make_bench_spec(std::uint32_t repeats, std::uint32_t n_conductances,
                                 const char* solver = "fixed") {
    nlohmann::json user = {
        {"stimulus", {{"set", "all"}}},
        {"simulation", {{"dt_us", k_dt_us}, {"repeats", repeats}, {"solver", solver}}},
        {"conductance_grid",
         nlohmann::json::array({nlohmann::json{
             {"kind", "log"}, {"start_uS", 1.0}, {"stop_uS", 20.0}, {"n", n_conductances}}})},
    };
    return make_sweep(resolve_config(user)).spec;
}

//! A sink that keeps nothing: the pipeline benchmark measures simulation + reduction + transfer.
class NullSink : public ConditionSink {
  public:
    void consume(ConditionOutput&& out) override {
        entries += out.counts.words.size();
        ++conditions;
    }
    std::uint64_t entries = 0;
    std::uint64_t conditions = 0;
};

} // namespace bench
} // namespace memlif
