// SPDX-License-Identifier: MIT
//! \file cuda/device_protocols_stub.cpp
//! CPU-only builds: the GPU device protocols are not configured.
#include "device_protocols.hpp"

#include "memlif/core/errors.hpp"

namespace memlif {

namespace {
[[noreturn]] void not_configured() {
    throw CudaError("CUDA device protocols not configured: this memlif was built without nvcc");
}
} // namespace

bool device_protocols_cuda_supports(DeviceModel) { return false; }

void pulse_cycles_cuda(const DeviceSetup&, const PulseCycleProtocol&, std::uint32_t, std::uint64_t,
                       double*, double*, double*) {
    not_configured();
}

void dc_sweep_cuda(const DeviceSetup&, const DcSweepProtocol&, std::uint32_t, std::uint64_t,
                   double*, double*, double*, double*, double*, double*) {
    not_configured();
}

void rate_rule_cuda(const DeviceSetup&, const RateRuleProtocol*, std::uint32_t, std::uint32_t,
                    std::uint64_t, RateRuleResult*) {
    not_configured();
}

void theta_burst_cuda(const DeviceSetup&, const ThetaBurstProtocol&, std::uint32_t, std::uint64_t,
                      double*, double*, ThetaBurstResult*) {
    not_configured();
}

} // namespace memlif
