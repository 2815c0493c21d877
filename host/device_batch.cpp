// SPDX-License-Identifier: MIT
//! \file host/device_batch.cpp
#include "device_batch.hpp"

#include "cuda/device_protocols.hpp"

#include "memlif/config.hpp"

#include <cstddef>
#include <limits>

#if MEMLIF_USE_OPENMP
#include <omp.h>
#endif

namespace memlif {

namespace {

constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();

//! Runs body(i) for i in [0, n) on the CPU threads; dynamic scheduling because the cost of a
//! device differs (a ladder stops early, a high rate has more spikes).
template <class F> void parallel_for(std::size_t n, int threads, const F& body) {
#if MEMLIF_USE_OPENMP
    const int nt = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(n); ++i)
        body(static_cast<std::size_t>(i));
#else
    (void)threads;
    for (std::size_t i = 0; i < n; ++i) body(i);
#endif
}

double* at(std::vector<double>& v, std::size_t offset) { return v.data() + offset; }

} // namespace

PulseCyclesBatch run_pulse_cycles_batch(const DeviceSetup& su, const PulseCycleProtocol& pr,
                                        std::uint32_t n_devices, std::uint64_t first_id,
                                        const DeviceBatchBackend& be) {
    const std::size_t np = pulse_cycle_points(pr);
    PulseCyclesBatch b;
    b.r_ohm.assign(n_devices * np, k_nan);
    b.i_read_A.assign(n_devices * np, k_nan);
    b.g_read_S.assign(n_devices * np, k_nan);
    if (be.cuda) {
        pulse_cycles_cuda(su, pr, n_devices, first_id, b.r_ohm.data(), b.i_read_A.data(),
                          b.g_read_S.data());
        return b;
    }
    parallel_for(n_devices, be.threads, [&](std::size_t d) {
        PulseCycleOutput out{at(b.r_ohm, d * np), at(b.i_read_A, d * np), at(b.g_read_S, d * np)};
        device_pulse_cycles(su, first_id + d, pr, out);
    });
    return b;
}

DcSweepBatch run_dc_sweep_batch(const DeviceSetup& su, const DcSweepProtocol& pr,
                                std::uint32_t n_devices, std::uint64_t first_id,
                                const DeviceBatchBackend& be) {
    const std::size_t ns = static_cast<std::size_t>(pr.n_cycles) * dc_sweep_samples_per_cycle(pr);
    const std::size_t nc = pr.n_cycles;
    DcSweepBatch b;
    for (auto* v : {&b.v_source_V, &b.i_A, &b.v_device_V, &b.g_read_S})
        v->assign(n_devices * ns, k_nan);
    b.v_set_V.assign(n_devices * nc, k_nan);
    b.v_reset_V.assign(n_devices * nc, k_nan);
    if (be.cuda) {
        dc_sweep_cuda(su, pr, n_devices, first_id, b.v_source_V.data(), b.i_A.data(),
                      b.v_device_V.data(), b.g_read_S.data(), b.v_set_V.data(), b.v_reset_V.data());
        return b;
    }
    parallel_for(n_devices, be.threads, [&](std::size_t d) {
        DcSweepOutput out{at(b.v_source_V, d * ns), at(b.i_A, d * ns),     at(b.v_device_V, d * ns),
                          at(b.g_read_S, d * ns),   at(b.v_set_V, d * nc), at(b.v_reset_V, d * nc)};
        device_dc_sweep(su, first_id + d, pr, out);
    });
    return b;
}

std::vector<RateRuleResult> run_rate_rule_batch(const DeviceSetup& su,
                                                const std::vector<RateRuleProtocol>& per_rate,
                                                std::uint32_t n_trials, std::uint64_t first_id,
                                                const DeviceBatchBackend& be) {
    const std::size_t nr = per_rate.size();
    std::vector<RateRuleResult> out(nr * n_trials);
    if (be.cuda) {
        rate_rule_cuda(su, per_rate.data(), static_cast<std::uint32_t>(nr), n_trials, first_id,
                       out.data());
        return out;
    }
    parallel_for(nr * n_trials, be.threads, [&](std::size_t k) {
        const std::size_t r = k / n_trials, t = k % n_trials;
        out[k] = device_rate_rule(su, first_id + t, per_rate[r]);
    });
    return out;
}

ThetaBurstBatch run_theta_burst_batch(const DeviceSetup& su, const ThetaBurstProtocol& pr,
                                      std::uint32_t n_devices, std::uint64_t first_id,
                                      const DeviceBatchBackend& be) {
    const std::size_t nt = pr.max_trains, nb = nt * pr.bursts_per_train;
    ThetaBurstBatch b;
    b.g_after_train_S.assign(n_devices * nt, k_nan);
    b.g_after_burst_S.assign(n_devices * nb, k_nan);
    b.result.resize(n_devices);
    if (be.cuda) {
        theta_burst_cuda(su, pr, n_devices, first_id, b.g_after_train_S.data(),
                         b.g_after_burst_S.data(), b.result.data());
        return b;
    }
    parallel_for(n_devices, be.threads, [&](std::size_t d) {
        ThetaBurstOutput out{at(b.g_after_train_S, d * nt), at(b.g_after_burst_S, d * nb)};
        b.result[d] = device_theta_burst(su, first_id + d, pr, out);
    });
    return b;
}

} // namespace memlif
