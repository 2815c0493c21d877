// SPDX-License-Identifier: MIT
//! \file host/device_batch.hpp
//! The device protocols of kernels/memlif/kernels/protocols/ run over a population: one plain
//! function per protocol, on the CPU (OpenMP over devices or trials) or on the GPU (one device or
//! trial per CUDA thread, cuda/device_protocols.hpp). Both call the same kernels/ code, and device
//! (or trial) i is Philox id first_id + i under the setup's seed, so the results depend only on
//! (setup, protocol, id): never on threads, batching or backend. GPU/CPU equality is not yet
//! verified on a GPU (docs/devices.md §8): the device kinds use the GPU only when
//! simulation.backend is "cuda" explicitly.
#pragma once

#include "memlif/kernels/protocols/device_protocols.hpp"

#include <cstdint>
#include <vector>

namespace memlif {

struct DeviceBatchBackend {
    bool cuda = false; //!< run on the GPU (cuda/device_protocols.hpp)
    int threads = 0;   //!< CPU threads, 0 = OpenMP default
};

//! Pulse cycles of devices first_id .. first_id + n - 1: [device][pulse_cycle_points(pr)].
struct PulseCyclesBatch {
    std::vector<double> r_ohm, i_read_A, g_read_S;
};
PulseCyclesBatch run_pulse_cycles_batch(const DeviceSetup& su, const PulseCycleProtocol& pr,
                                        std::uint32_t n_devices, std::uint64_t first_id,
                                        const DeviceBatchBackend& be);

//! DC sweeps: samples [device][cycle][dc_sweep_samples_per_cycle(pr)], SET/RESET voltages
//! [device][cycle].
struct DcSweepBatch {
    std::vector<double> v_source_V, i_A, v_device_V, g_read_S, v_set_V, v_reset_V;
};
DcSweepBatch run_dc_sweep_batch(const DeviceSetup& su, const DcSweepProtocol& pr,
                                std::uint32_t n_devices, std::uint64_t first_id,
                                const DeviceBatchBackend& be);

//! Rate-rule trials [rate][trial]: trial t at every rate is Philox id first_id + t, so all rates
//! see the same back-spikes and presynaptic uniforms (common random numbers, docs/devices.md §6).
std::vector<RateRuleResult> run_rate_rule_batch(const DeviceSetup& su,
                                                const std::vector<RateRuleProtocol>& per_rate,
                                                std::uint32_t n_trials, std::uint64_t first_id,
                                                const DeviceBatchBackend& be);

//! Theta-burst ladders: G after each train [device][max_trains] and after each burst
//! [device][max_trains * bursts_per_train] (NaN after the device stopped), one result per device.
struct ThetaBurstBatch {
    std::vector<double> g_after_train_S, g_after_burst_S;
    std::vector<ThetaBurstResult> result;
};
ThetaBurstBatch run_theta_burst_batch(const DeviceSetup& su, const ThetaBurstProtocol& pr,
                                      std::uint32_t n_devices, std::uint64_t first_id,
                                      const DeviceBatchBackend& be);

} // namespace memlif
