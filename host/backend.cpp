// SPDX-License-Identifier: MIT
//! \file host/backend.cpp
#include "backend.hpp"

#include "multi_device.hpp"

#include "cuda/cuda_backend.hpp"
#include "memlif/core/errors.hpp"

#include "memlif/config.hpp"

#if MEMLIF_USE_OPENMP
#include <omp.h>
#endif

namespace memlif {

namespace {

std::string cpu_description(const CpuOptions& cpu) {
#if MEMLIF_USE_OPENMP
    const int n = cpu.threads > 0 ? cpu.threads : omp_get_max_threads();
    return "cpu: openmp x" + std::to_string(n);
#else
    (void)cpu;
    return "cpu: 1 thread";
#endif
}

} // namespace

BackendChoice choose_backend(const std::string& requested, const CpuOptions& cpu) {
    if (requested != "auto" && requested != "cpu" && requested != "cuda")
        throw UsageError("--backend " + requested + ": expected auto, cpu or cuda");
    BackendChoice c;
    c.cpu = cpu;
    if (requested == "cpu") {
        c.description = cpu_description(cpu);
        return c;
    }
    const int devices = device_count();
    if (requested == "cuda" && devices == 0) {
        throw UsageError(std::string("--backend cuda: no usable CUDA device (") +
                         (MEMLIF_USE_CUDA ? "no device, no driver, or MEMLIF_DISABLE_DEVICE=1"
                                          : "this build has no CUDA support") +
                         ")");
    }
    if (devices > 0) {
        c.kind = BackendKind::cuda;
        c.description = "cuda: " + device_name(0);
    } else {
        c.description = cpu_description(cpu);
    }
    return c;
}

void run_sweep(const SweepSpec& spec, ConditionSink& sink, const BackendChoice& backend) {
    if (backend.kind == BackendKind::cuda) {
        if (sweep_has_device_physics(spec)) {
            // The device noise and plasticity of the MI trials have no CUDA kernel yet (a card
            // asking for `cuda` explicitly is refused, host/synapse_physics_card.cpp): the CPU
            // runs them instead.
            run_sweep_cpu(spec, sink, backend.cpu);
            return;
        }
        if (backend.devices.size() > 1) {
            run_sweep_devices(spec, sink, backend.devices);
            return;
        }
        CudaOptions o;
        o.device = backend.devices.empty() ? 0 : backend.devices[0];
        run_sweep_cuda(spec, sink, o);
    } else {
        run_sweep_cpu(spec, sink, backend.cpu);
    }
}

} // namespace memlif
