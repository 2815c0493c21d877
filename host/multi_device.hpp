// SPDX-License-Identifier: MIT
//! \file host/multi_device.hpp
//! Several GPUs in one process (`simulation.devices`): the sweep's (condition, stimulus) units are
//! split into one contiguous part per device, exactly as shards split them (host/shard.hpp), each
//! part runs on its own host thread with its device's own streams (cuda/cuda_backend.hpp), and
//! the calling thread reassembles every condition from its parts and hands it to the sink in
//! condition order. Trials keep the ids of the one-device sweep, so the counts are the same.
#pragma once

#include "backend.hpp"
#include "config.hpp"

#include "memlif/core/sweep.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace memlif {

//! Runs one part of a sweep (its own spec and sink) on executor `part`; called on that part's
//! own thread. The sink's stop_requested() turns true when the sweep is stopped.
using PartRunner =
    std::function<void(std::size_t part, const SweepSpec& spec, ConditionSink& sink)>;

//! Splits `spec` into `n_parts` parts, runs part p through `run_part(p, ...)` on thread p, and
//! gives `sink` each finished condition, assembled from its parts (stimuli in order), in
//! condition order from the calling thread. A condition split between parts gets its plug-in
//! measures from the host (has_device_plugin = false). An exception of a part is rethrown here
//! once the other parts have stopped and every condition finished before it was consumed.
void run_sweep_parts(const SweepSpec& spec, ConditionSink& sink, std::size_t n_parts,
                     const PartRunner& run_part);

//! The validated device ids of `simulation.devices` (`[]` = the default single device, `"all"`,
//! or a list of distinct ids) on a machine with `n_devices` usable devices. ConfigError naming
//! `simulation.devices` for a bad value, an id that is not there, or a machine or build without
//! CUDA devices (`build_has_cuda` false).
std::vector<int> resolve_devices(const nlohmann::json& devices, int n_devices, bool build_has_cuda);

//! Checks the form of `simulation.devices` only ("all" or a list of distinct ids in 0..1023):
//! the card's validation, which must pass on any machine (a file's card is read again by
//! `analyze` and `merge`, maybe where the devices are not).
void check_devices_value(const nlohmann::json& devices);

//! The backend of a validated card: simulation.backend (host/backend.hpp) and the devices of
//! simulation.devices. ConfigError naming simulation.devices on a machine or build without them,
//! or with simulation.backend = cpu.
BackendChoice choose_run_backend(const RunConfig& cfg);

//! run_sweep_parts over the GPUs `devices`, one host thread and one CUDA pipeline each.
void run_sweep_devices(const SweepSpec& spec, ConditionSink& sink, const std::vector<int>& devices);

} // namespace memlif
