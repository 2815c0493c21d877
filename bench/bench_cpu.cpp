// SPDX-License-Identifier: MIT
//! \file bench/bench_cpu.cpp
//! CPU backend throughput: trials/s of simulate_words_cpu (OpenMP over trials, the same run_trial
//! as the CUDA kernel) on the benchmark card.
#include "bench_card.hpp"

#include "host/cpu_backend.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

namespace {

//! n trials: the first min(n, 65536) patterns, n / that many repeats each, mid-grid conductance.
void BM_cpu_trials(benchmark::State& state) {
    using namespace memlif;
    static const SweepSpec spec = bench::make_bench_spec(1, 16);
    const auto n = static_cast<std::uint64_t>(state.range(0));
    const std::size_t n_stim = static_cast<std::size_t>(std::min<std::uint64_t>(n, 65536));
    const auto repeats = static_cast<std::uint32_t>(n / n_stim);
    const std::vector<std::uint16_t> codes(spec.stimulus_codes.begin(),
                                           spec.stimulus_codes.begin() + n_stim);
    const std::uint32_t condition = 8;
    CpuOptions opts;
    for (auto _ : state) {
        auto words = simulate_words_cpu(spec.params, spec.drives[condition], condition, codes,
                                        repeats, opts);
        benchmark::DoNotOptimize(words.data());
    }
    const double trials = static_cast<double>(n_stim) * repeats;
    state.SetItemsProcessed(static_cast<std::int64_t>(trials) * state.iterations());
    state.counters["dt_us"] = bench::k_dt_us;
    state.counters["step_updates_per_s"] =
        benchmark::Counter(trials * spec.params.n_steps * static_cast<double>(state.iterations()),
                           benchmark::Counter::kIsRate);
}

} // namespace

// Wall-clock time: the default (the calling thread's CPU time) would ignore the OpenMP workers
// and overstate trials/s by the thread count.
BENCHMARK(BM_cpu_trials)
    ->RangeMultiplier(4)
    ->Range(1 << 12, 1 << 22)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
