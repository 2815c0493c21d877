// SPDX-License-Identifier: MIT
//! \file bench/bench_cuda.cpp
//! CUDA backend throughput. The kernel alone is timed with CUDA events around the launch (an RAII
//! timer feeding Google Benchmark's manual time, the rmm pattern); the full pipeline (simulate,
//! reduce on the device, copy counts back, hand conditions to a sink) is timed by the wall clock
//! around run_sweep_cuda, which returns only when every condition has been delivered.
//! Both skip with "no CUDA device" where there is none.
#include "bench_card.hpp"

#include "cuda/check.cuh"
#include "cuda/cuda_backend.hpp"
#include "cuda/trial_launch.hpp"

#include <benchmark/benchmark.h>
#include <cuda_runtime_api.h>

#include <chrono>
#include <cstdint>
#include <vector>

namespace {

//! Records a start event on construction and a stop event on destruction, then reports the
//! elapsed device time as the iteration time.
class CudaEventTimer {
  public:
    CudaEventTimer(benchmark::State& state, cudaStream_t stream) : state_(state), stream_(stream) {
        MEMLIF_CUDA_CHECK(cudaEventCreate(&start_));
        MEMLIF_CUDA_CHECK(cudaEventCreate(&stop_));
        MEMLIF_CUDA_CHECK(cudaEventRecord(start_, stream_));
    }
    CudaEventTimer(const CudaEventTimer&) = delete;
    CudaEventTimer& operator=(const CudaEventTimer&) = delete;
    ~CudaEventTimer() {
        float ms = 0;
        // A destructor cannot throw: a failure here leaves the time at 0, and the following
        // MEMLIF_CUDA_CHECK in the benchmark reports the sticky error.
        if (cudaEventRecord(stop_, stream_) == cudaSuccess &&
            cudaEventSynchronize(stop_) == cudaSuccess)
            (void)cudaEventElapsedTime(&ms, start_, stop_);
        state_.SetIterationTime(static_cast<double>(ms) * 1e-3);
        (void)cudaEventDestroy(start_);
        (void)cudaEventDestroy(stop_);
    }

  private:
    benchmark::State& state_;
    cudaStream_t stream_;
    cudaEvent_t start_ = nullptr, stop_ = nullptr;
};

template <class T> struct DeviceArray {
    explicit DeviceArray(std::size_t n) {
        MEMLIF_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&p), n * sizeof(T)));
    }
    ~DeviceArray() { (void)cudaFree(p); }
    DeviceArray(const DeviceArray&) = delete;
    DeviceArray& operator=(const DeviceArray&) = delete;
    T* p = nullptr;
};

//! Kernel alone: n trials over all 65536 patterns (n / 65536 repeats), mid-grid conductance,
//! each iteration one launch(spec, condition, codes, repeats, trials, words, spikes).
template <class Launch>
void time_kernel(benchmark::State& state, const memlif::SweepSpec& spec, const Launch& launch) {
    using namespace memlif;
    const auto n = static_cast<std::uint64_t>(state.range(0));
    const auto n_stim = static_cast<std::uint32_t>(spec.stimulus_codes.size());
    const auto repeats = static_cast<std::uint32_t>(n / n_stim);
    const std::uint64_t trials = std::uint64_t(n_stim) * repeats;
    const std::uint32_t condition = 8;
    DeviceArray<std::uint16_t> codes(n_stim);
    DeviceArray<std::uint64_t> words(trials);
    DeviceArray<unsigned long long> spikes(1);
    MEMLIF_CUDA_CHECK(cudaMemcpy(codes.p, spec.stimulus_codes.data(),
                                 n_stim * sizeof(std::uint16_t), cudaMemcpyHostToDevice));
    // Warm-up: module load and first-launch costs stay out of the timings.
    launch(condition, codes.p, repeats, trials, words.p, spikes.p);
    MEMLIF_CUDA_CHECK(cudaDeviceSynchronize());
    for (auto _ : state) {
        CudaEventTimer timer(state, nullptr);
        launch(condition, codes.p, repeats, trials, words.p, spikes.p);
    }
    MEMLIF_CUDA_CHECK(cudaDeviceSynchronize());
    state.SetItemsProcessed(static_cast<std::int64_t>(trials) * state.iterations());
    state.counters["dt_us"] = bench::k_dt_us;
    state.counters["step_updates_per_s"] = benchmark::Counter(
        static_cast<double>(trials) * spec.params.n_steps * static_cast<double>(state.iterations()),
        benchmark::Counter::kIsRate);
    state.SetLabel(device_name(0));
}

//! The fixed-step trial kernel alone.
void BM_cuda_kernel(benchmark::State& state) {
    using namespace memlif;
    if (device_count() == 0) {
        state.SkipWithError("no CUDA device");
        return;
    }
    static const SweepSpec spec = bench::make_bench_spec(1, 16);
    time_kernel(state, spec,
                [](std::uint32_t c, const std::uint16_t* codes, std::uint32_t repeats,
                   std::uint64_t trials, std::uint64_t* words, unsigned long long* spikes) {
                    launch_trial_kernel(spec.params, spec.drives[c], c, codes, repeats, trials,
                                        words, spikes, nullptr);
                });
}

//! The exact solver's kernel alone, same trials (step_updates_per_s: the fixed step's equivalent).
void BM_cuda_exact_kernel(benchmark::State& state) {
    using namespace memlif;
    if (device_count() == 0) {
        state.SkipWithError("no CUDA device");
        return;
    }
    static const SweepSpec spec = bench::make_bench_spec(1, 16, "exact");
    time_kernel(state, spec,
                [](std::uint32_t c, const std::uint16_t* codes, std::uint32_t repeats,
                   std::uint64_t trials, std::uint64_t* words, unsigned long long* spikes) {
                    launch_exact_trial_kernel(spec.exact, spec.exact_drives[c], c, codes, repeats,
                                              trials, words, spikes, nullptr);
                });
}

//! Full pipeline on the 65536-pattern card: repeats x conductances from the arguments.
void time_pipeline(benchmark::State& state, const char* solver) {
    using namespace memlif;
    if (device_count() == 0) {
        state.SkipWithError("no CUDA device");
        return;
    }
    const auto repeats = static_cast<std::uint32_t>(state.range(0));
    const auto n_cond = static_cast<std::uint32_t>(state.range(1));
    const SweepSpec spec = bench::make_bench_spec(repeats, n_cond, solver);
    const double trials =
        static_cast<double>(spec.stimulus_codes.size()) * repeats * spec.drives.size();
    {
        // Warm-up on one condition (context, module load, pinned allocations of that size).
        SweepSpec one = spec;
        one.drives.resize(1);
        if (!one.exact_drives.empty()) one.exact_drives.resize(1);
        bench::NullSink sink;
        run_sweep_cuda(one, sink, CudaOptions{});
    }
    for (auto _ : state) {
        bench::NullSink sink;
        const auto t0 = std::chrono::steady_clock::now();
        run_sweep_cuda(spec, sink, CudaOptions{});
        const auto t1 = std::chrono::steady_clock::now();
        state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
        if (sink.conditions != spec.drives.size()) state.SkipWithError("conditions missing");
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(trials) * state.iterations());
    state.counters["dt_us"] = bench::k_dt_us;
    state.SetLabel(device_name(0));
}

//! The fixed-step pipeline.
void BM_cuda_pipeline(benchmark::State& state) { time_pipeline(state, "fixed"); }

//! The same pipeline with the exact solver's kernel.
void BM_cuda_exact_pipeline(benchmark::State& state) { time_pipeline(state, "exact"); }

} // namespace

BENCHMARK(BM_cuda_kernel)
    ->RangeMultiplier(4)
    ->Range(1 << 20, 1 << 26)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cuda_pipeline)
    ->Args({100, 16})
    ->Iterations(2)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);
BENCHMARK(BM_cuda_exact_kernel)
    ->RangeMultiplier(4)
    ->Range(1 << 22, 1 << 28)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cuda_exact_pipeline)
    ->Args({1000, 16})
    ->Iterations(2)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);
