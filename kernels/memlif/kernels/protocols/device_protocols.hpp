// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/protocols/device_protocols.hpp
//! Run-time-dispatched entry points of the device protocols: one call simulates one device (or
//! one trial) of the model named in a DeviceSpec, so a CPU loop or a CUDA thread per device can
//! run any model. Results depend only on (setup, device id): never on batching or backend.
#pragma once

#include "../devices/device_spec.hpp"
#include "../devices/integrator.hpp"
#include "../macros.hpp"
#include "dc_sweep.hpp"
#include "pulse_cycles.hpp"
#include "rate_rule.hpp"
#include "theta_burst.hpp"

#include <cstdint>
#include <type_traits>

namespace memlif {

//! Where a device starts.
enum class InitialState : std::uint32_t {
    low_bound = 0,        //!< the model's high-resistance bound (HRS)
    high_bound = 1,       //!< the model's low-resistance bound (LRS)
    read_conductance = 2, //!< the state whose G_read (at v_read) is initial_g_read_S
};

//! Everything that defines a population of devices; device i of it is keyed by (seed, id i).
struct DeviceSetup {
    DeviceSpec spec;
    DeviceNoise noise;
    InitialState initial = InitialState::low_bound;
    double initial_g_read_S = 0.0; //!< for InitialState::read_conductance (S)
    double v_read_V = 0.05;        //!< read voltage defining G_read (V) [SEED]
    std::uint64_t seed = 0;        //!< Philox key
};

static_assert(std::is_trivially_copyable<DeviceSetup>::value,
              "DeviceSetup is passed by value to kernels");

//! Device `device_id` of the population, at time 0 (variability drawn, RTN started).
template <class M>
MEMLIF_HD_NOINLINE DeviceInstance<M>
make_setup_device(const DeviceSetup& su, const typename M::Params& p, std::uint64_t device_id) {
    typename M::State s0 = M::low_state(p);
    if (su.initial == InitialState::high_bound) s0 = M::high_state(p);
    if (su.initial == InitialState::read_conductance)
        s0 = M::state_from_read_conductance(p, su.initial_g_read_S, su.v_read_V);
    DeviceInstance<M> d = make_device_instance<M>(p, s0, su.noise, su.seed, device_id);
    // A bound is the device's own, after its device-to-device variability (the nominal one lay
    // inside the range of a device whose bound moved out)
    if (su.initial == InitialState::low_bound) d.s = M::low_state(d.p);
    if (su.initial == InitialState::high_bound) d.s = M::high_state(d.p);
    return d;
}

namespace detail {
struct PulseCyclesOp {
    const DeviceSetup& su;
    std::uint64_t id;
    const PulseCycleProtocol& pr;
    const PulseCycleOutput& out;
    template <class M> MEMLIF_HD_INLINE void apply(const typename M::Params& p) {
        DeviceInstance<M> d = make_setup_device<M>(su, p, id);
        run_pulse_cycles(d, pr, out);
    }
};
struct DcSweepOp {
    const DeviceSetup& su;
    std::uint64_t id;
    const DcSweepProtocol& pr;
    const DcSweepOutput& out;
    template <class M> MEMLIF_HD_INLINE void apply(const typename M::Params& p) {
        DeviceInstance<M> d = make_setup_device<M>(su, p, id);
        run_dc_sweep(d, pr, out);
    }
};
struct RateRuleOp {
    const DeviceSetup& su;
    std::uint64_t id;
    const RateRuleProtocol& pr;
    RateRuleResult res;
    template <class M> MEMLIF_HD_INLINE void apply(const typename M::Params& p) {
        DeviceInstance<M> d = make_setup_device<M>(su, p, id);
        res = run_rate_rule(d, pr);
    }
};
struct ThetaBurstOp {
    const DeviceSetup& su;
    std::uint64_t id;
    const ThetaBurstProtocol& pr;
    const ThetaBurstOutput& out;
    ThetaBurstResult res;
    template <class M> MEMLIF_HD_INLINE void apply(const typename M::Params& p) {
        DeviceInstance<M> d = make_setup_device<M>(su, p, id);
        res = run_theta_burst(d, pr, out);
    }
};
} // namespace detail

//! Fig. 1c,d LTD/LTP cycles of device `device_id` (outputs: pulse_cycle_points entries).
MEMLIF_HD_NOINLINE inline void device_pulse_cycles(const DeviceSetup& su, std::uint64_t device_id,
                                                   const PulseCycleProtocol& pr,
                                                   const PulseCycleOutput& out) {
    detail::PulseCyclesOp op{su, device_id, pr, out};
    visit_device_model(su.spec, op);
}

//! Fig. 1b DC sweep of device `device_id` (outputs: n_cycles x dc_sweep_samples_per_cycle).
MEMLIF_HD_NOINLINE inline void device_dc_sweep(const DeviceSetup& su, std::uint64_t device_id,
                                               const DcSweepProtocol& pr,
                                               const DcSweepOutput& out) {
    detail::DcSweepOp op{su, device_id, pr, out};
    visit_device_model(su.spec, op);
}

//! Fig. 2b rate-rule trial `trial_id` (the id keys its spikes and back-spikes).
MEMLIF_HD_NOINLINE inline RateRuleResult
device_rate_rule(const DeviceSetup& su, std::uint64_t trial_id, const RateRuleProtocol& pr) {
    detail::RateRuleOp op{su, trial_id, pr, RateRuleResult{}};
    visit_device_model(su.spec, op);
    return op.res;
}

//! Fig. 4 theta-burst ladder of device `device_id`.
MEMLIF_HD_NOINLINE inline ThetaBurstResult device_theta_burst(const DeviceSetup& su,
                                                              std::uint64_t device_id,
                                                              const ThetaBurstProtocol& pr,
                                                              const ThetaBurstOutput& out) {
    detail::ThetaBurstOp op{su, device_id, pr, out, ThetaBurstResult{}};
    visit_device_model(su.spec, op);
    return op.res;
}

} // namespace memlif
