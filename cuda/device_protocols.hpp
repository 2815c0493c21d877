// SPDX-License-Identifier: MIT
//! \file cuda/device_protocols.hpp
//! The device protocols on the GPU, one device (or trial) per CUDA thread, calling the same
//! kernels/ code as the CPU loops of host/device_batch.cpp. Plain C++: host pointers in, host
//! pointers out (each array of the sizes host/device_batch.hpp documents). Only the UL-GAP model
//! is compiled for the GPU (nvcc time and registers, docs/devices.md §8); another model throws
//! CudaError. In a CPU-only build every function throws CudaError ("not configured").
//! CPU/GPU equality is UNTESTED: no GPU was available when this was written (owed).
#pragma once

#include "memlif/kernels/protocols/device_protocols.hpp"

#include <cstdint>

namespace memlif {

//! True if the GPU implementation covers this model.
bool device_protocols_cuda_supports(DeviceModel m);

//! Outputs [device][pulse_cycle_points(pr)]; null pointers are skipped.
void pulse_cycles_cuda(const DeviceSetup& su, const PulseCycleProtocol& pr, std::uint32_t n_devices,
                       std::uint64_t first_id, double* r_ohm, double* i_read_A, double* g_read_S);

//! Samples [device][cycle][sample], SET/RESET voltages [device][cycle].
void dc_sweep_cuda(const DeviceSetup& su, const DcSweepProtocol& pr, std::uint32_t n_devices,
                   std::uint64_t first_id, double* v_source_V, double* i_A, double* v_device_V,
                   double* g_read_S, double* v_set_V, double* v_reset_V);

//! Results [rate][trial]; trial t is id first_id + t at every rate.
void rate_rule_cuda(const DeviceSetup& su, const RateRuleProtocol* per_rate, std::uint32_t n_rates,
                    std::uint32_t n_trials, std::uint64_t first_id, RateRuleResult* out);

//! G after each train [device][max_trains], after each burst [device][max_trains * bursts]
//! (entries after the stop are left as the caller filled them), one result per device.
void theta_burst_cuda(const DeviceSetup& su, const ThetaBurstProtocol& pr, std::uint32_t n_devices,
                      std::uint64_t first_id, double* g_after_train_S, double* g_after_burst_S,
                      ThetaBurstResult* out);

} // namespace memlif
