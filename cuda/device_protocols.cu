// SPDX-License-Identifier: MIT
//! \file cuda/device_protocols.cu
//! The device protocols on the GPU: one device (or rate-rule trial) per thread, running exactly
//! the kernels/ code the CPU loops of host/device_batch.cpp run (make_setup_device + run_*), so
//! device i gives the same numbers on both backends up to floating-point contraction (compare in
//! the -fmad=false build). Only UL-GAP is instantiated: every model multiplies nvcc time and the
//! register and stack use of the large routines (docs/devices.md §8). UNTESTED on a GPU: the
//! CPU/GPU equality check is owed (no GPU was available when this was written).
#include "device_protocols.hpp"

#include "check.cuh"
#include "cuda_support.cuh"

#include "memlif/core/errors.hpp"

#include <cuda_runtime.h>

#include <string>
#include <vector>

namespace memlif {

namespace {

using Model = UlGapModel;
constexpr int k_block = 128;
//! Per-thread stack of the protocols' call chains: ptxas (sm_90, nvcc 13.0) reports 1.8-2.2 KB
//! cumulative stack per kernel (theta burst 2168 bytes), above the 1 KB default.
constexpr std::size_t k_stack_bytes = 4096;

__global__ void pulse_cycles_kernel(DeviceSetup su, PulseCycleProtocol pr, std::uint32_t n,
                                    std::uint64_t first_id, std::uint32_t np, double* r, double* i,
                                    double* g) {
    const std::uint32_t d = blockIdx.x * blockDim.x + threadIdx.x;
    if (d >= n) return;
    DeviceInstance<Model> dev = make_setup_device<Model>(su, su.spec.ul_gap, first_id + d);
    const std::size_t o = static_cast<std::size_t>(d) * np;
    PulseCycleOutput out{r ? r + o : nullptr, i ? i + o : nullptr, g ? g + o : nullptr};
    run_pulse_cycles(dev, pr, out);
}

__global__ void dc_sweep_kernel(DeviceSetup su, DcSweepProtocol pr, std::uint32_t n,
                                std::uint64_t first_id, std::size_t ns, double* v, double* i,
                                double* vd, double* g, double* vset, double* vreset) {
    const std::uint32_t d = blockIdx.x * blockDim.x + threadIdx.x;
    if (d >= n) return;
    DeviceInstance<Model> dev = make_setup_device<Model>(su, su.spec.ul_gap, first_id + d);
    const std::size_t o = static_cast<std::size_t>(d) * ns,
                      oc = static_cast<std::size_t>(d) * pr.n_cycles;
    // a null output is skipped (DcSweepOutput): offset only those that exist
    const auto at = [](double* p, std::size_t off) { return p ? p + off : nullptr; };
    DcSweepOutput out{at(v, o), at(i, o), at(vd, o), at(g, o), at(vset, oc), at(vreset, oc)};
    run_dc_sweep(dev, pr, out);
}

__global__ void rate_rule_kernel(DeviceSetup su, const RateRuleProtocol* per_rate,
                                 std::uint32_t n_rates, std::uint32_t n_trials,
                                 std::uint64_t first_id, RateRuleResult* out) {
    const std::size_t k = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (k >= static_cast<std::size_t>(n_rates) * n_trials) return;
    const std::uint32_t r = static_cast<std::uint32_t>(k / n_trials);
    const std::uint32_t t = static_cast<std::uint32_t>(k % n_trials);
    DeviceInstance<Model> dev = make_setup_device<Model>(su, su.spec.ul_gap, first_id + t);
    out[k] = run_rate_rule(dev, per_rate[r]);
}

__global__ void theta_burst_kernel(DeviceSetup su, ThetaBurstProtocol pr, std::uint32_t n,
                                   std::uint64_t first_id, double* g_train, double* g_burst,
                                   ThetaBurstResult* out) {
    const std::uint32_t d = blockIdx.x * blockDim.x + threadIdx.x;
    if (d >= n) return;
    DeviceInstance<Model> dev = make_setup_device<Model>(su, su.spec.ul_gap, first_id + d);
    const std::size_t ot = static_cast<std::size_t>(d) * pr.max_trains;
    ThetaBurstOutput o{g_train ? g_train + ot : nullptr,
                       g_burst ? g_burst + ot * pr.bursts_per_train : nullptr};
    out[d] = run_theta_burst(dev, pr, o);
}

void require_supported(const DeviceSetup& su) {
    if (!device_protocols_cuda_supports(su.spec.model))
        throw CudaError("CUDA device protocols: only the ul-gap model is compiled for the GPU");
}

void prepare_device() {
    // as every cuda/ entry point: "no device" is a clear CudaError, not the first call's failure
    detail::require_device("CUDA device protocols");
    std::size_t stack = 0;
    MEMLIF_CUDA_CHECK(cudaDeviceGetLimit(&stack, cudaLimitStackSize));
    if (stack < k_stack_bytes)
        MEMLIF_CUDA_CHECK(cudaDeviceSetLimit(cudaLimitStackSize, k_stack_bytes));
}

unsigned blocks_for(std::size_t n) { return static_cast<unsigned>((n + k_block - 1) / k_block); }

//! A device copy of n host values (or an empty buffer for a null pointer).
template <class T> void upload(detail::DeviceBuffer<T>& b, const T* host, std::size_t n) {
    if (!host) return;
    b.reset(n);
    if (n > 0) MEMLIF_CUDA_CHECK(cudaMemcpy(b.get(), host, n * sizeof(T), cudaMemcpyHostToDevice));
}

template <class T> void download(T* host, const detail::DeviceBuffer<T>& b, std::size_t n) {
    if (host && n > 0)
        MEMLIF_CUDA_CHECK(cudaMemcpy(host, b.get(), n * sizeof(T), cudaMemcpyDeviceToHost));
}

void finish() {
    MEMLIF_CUDA_CHECK_LAUNCH("device protocol kernel");
    MEMLIF_CUDA_CHECK(cudaDeviceSynchronize());
}

} // namespace

bool device_protocols_cuda_supports(DeviceModel m) { return m == DeviceModel::ul_gap; }

void pulse_cycles_cuda(const DeviceSetup& su, const PulseCycleProtocol& pr, std::uint32_t n_devices,
                       std::uint64_t first_id, double* r_ohm, double* i_read_A, double* g_read_S) {
    require_supported(su);
    if (n_devices == 0) return;
    prepare_device();
    const std::uint32_t np = pulse_cycle_points(pr);
    const std::size_t n = static_cast<std::size_t>(n_devices) * np;
    detail::DeviceBuffer<double> r, i, g;
    upload(r, r_ohm, n);
    upload(i, i_read_A, n);
    upload(g, g_read_S, n);
    pulse_cycles_kernel<<<blocks_for(n_devices), k_block>>>(su, pr, n_devices, first_id, np,
                                                            r.get(), i.get(), g.get());
    finish();
    download(r_ohm, r, n);
    download(i_read_A, i, n);
    download(g_read_S, g, n);
}

void dc_sweep_cuda(const DeviceSetup& su, const DcSweepProtocol& pr, std::uint32_t n_devices,
                   std::uint64_t first_id, double* v_source_V, double* i_A, double* v_device_V,
                   double* g_read_S, double* v_set_V, double* v_reset_V) {
    require_supported(su);
    if (n_devices == 0) return;
    prepare_device();
    const std::size_t ns = static_cast<std::size_t>(pr.n_cycles) * dc_sweep_samples_per_cycle(pr);
    const std::size_t n = n_devices * ns, nc = static_cast<std::size_t>(n_devices) * pr.n_cycles;
    detail::DeviceBuffer<double> v, i, vd, g, vs, vr;
    upload(v, v_source_V, n);
    upload(i, i_A, n);
    upload(vd, v_device_V, n);
    upload(g, g_read_S, n);
    upload(vs, v_set_V, nc);
    upload(vr, v_reset_V, nc);
    dc_sweep_kernel<<<blocks_for(n_devices), k_block>>>(
        su, pr, n_devices, first_id, ns, v.get(), i.get(), vd.get(), g.get(), vs.get(), vr.get());
    finish();
    download(v_source_V, v, n);
    download(i_A, i, n);
    download(v_device_V, vd, n);
    download(g_read_S, g, n);
    download(v_set_V, vs, nc);
    download(v_reset_V, vr, nc);
}

void rate_rule_cuda(const DeviceSetup& su, const RateRuleProtocol* per_rate, std::uint32_t n_rates,
                    std::uint32_t n_trials, std::uint64_t first_id, RateRuleResult* out) {
    require_supported(su);
    const std::size_t n = static_cast<std::size_t>(n_rates) * n_trials;
    if (n == 0) return;
    prepare_device();
    detail::DeviceBuffer<RateRuleProtocol> p;
    upload(p, per_rate, n_rates);
    detail::DeviceBuffer<RateRuleResult> res(n);
    rate_rule_kernel<<<blocks_for(n), k_block>>>(su, p.get(), n_rates, n_trials, first_id,
                                                 res.get());
    finish();
    download(out, res, n);
}

void theta_burst_cuda(const DeviceSetup& su, const ThetaBurstProtocol& pr, std::uint32_t n_devices,
                      std::uint64_t first_id, double* g_after_train_S, double* g_after_burst_S,
                      ThetaBurstResult* out) {
    require_supported(su);
    if (n_devices == 0) return;
    prepare_device();
    const std::size_t nt = static_cast<std::size_t>(n_devices) * pr.max_trains;
    const std::size_t nb = nt * pr.bursts_per_train;
    // The host arrays hold the fill (NaN) for the trains a device never runs: copy them up so
    // that the entries after a stop come back unchanged.
    detail::DeviceBuffer<double> gt, gb;
    upload(gt, g_after_train_S, nt);
    upload(gb, g_after_burst_S, nb);
    detail::DeviceBuffer<ThetaBurstResult> res(n_devices);
    theta_burst_kernel<<<blocks_for(n_devices), k_block>>>(su, pr, n_devices, first_id, gt.get(),
                                                           gb.get(), res.get());
    finish();
    download(g_after_train_S, gt, nt);
    download(g_after_burst_S, gb, nb);
    download(out, res, n_devices);
}

} // namespace memlif
