// SPDX-License-Identifier: MIT
//! \file host/backend.hpp
//! Backend selection: auto uses the GPU when one is present; MEMLIF_DISABLE_DEVICE=1 forces the
//! CPU.
#pragma once

#include "cpu_backend.hpp"
#include "memlif/core/sweep.hpp"

#include <string>
#include <vector>

namespace memlif {

enum class BackendKind { cpu, cuda };

struct BackendChoice {
    BackendKind kind = BackendKind::cpu;
    std::string description; //!< "cpu: openmp x2" or "cuda: NVIDIA H100 80GB HBM3"
    CpuOptions cpu;
    //! CUDA: the devices the sweep is spread over (simulation.devices); empty = device 0
    std::vector<int> devices;
};

//! Resolves "auto" | "cpu" | "cuda". UsageError if "cuda" is requested without a usable device.
//! Queries the device count before anything touches device memory.
BackendChoice choose_backend(const std::string& requested, const CpuOptions& cpu);

//! Runs the sweep on the chosen backend.
void run_sweep(const SweepSpec& spec, ConditionSink& sink, const BackendChoice& backend);

} // namespace memlif
