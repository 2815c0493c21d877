// SPDX-License-Identifier: MIT
//! \file host/shard.hpp
//! `memlif run CARD --shard K/N`: one deterministic part of an MI sweep. The sweep's units are its
//! (condition, stimulus) pairs in condition-major order, unit u = condition * n_s + stimulus, each
//! of `repeats` trials; shard K of N takes the contiguous units [floor(K U / N), floor((K+1) U /
//! N)), so every shard holds the same number of trials to within one unit's (repeats), and together
//! the N shards cover every unit exactly once. The ground-truth reruns are split the same way,
//! stage by stage. A trial depends only on (seed, trial id), so a shard simulates exactly the
//! trials the whole run would; `memlif merge` (host/merge.hpp) sums them into that run's file.
#pragma once

#include "experiment.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace memlif {

//! Shard K of N (0 <= K < N).
struct ShardSpec {
    std::uint32_t index = 0;
    std::uint32_t count = 1;
};

//! Parses "K/N"; UsageError naming the value unless 0 <= K < N <= 2^20.
ShardSpec parse_shard(const std::string& text);

//! A half-open range [begin, end) of units.
struct UnitRange {
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
    std::uint64_t size() const { return end - begin; }
};

//! The units of shard `s` among `n_units`: [floor(K U / N), floor((K+1) U / N)).
UnitRange shard_units(std::uint64_t n_units, ShardSpec s);

//! A rectangle of units: conditions [c_begin, c_end) x stimuli [s_begin, s_end).
struct SweepPiece {
    std::uint32_t c_begin = 0, c_end = 0;
    std::uint32_t s_begin = 0, s_end = 0;
};

//! The fewest rectangles that tile `r` in unit order (at most three: a partial first condition,
//! the whole conditions, a partial last condition).
std::vector<SweepPiece> sweep_pieces(UnitRange r, std::uint32_t n_stimuli);

//! The part of `spec` a piece covers: its drives under their own condition ids and its stimuli,
//! so each trial keeps the id the whole sweep gives it.
SweepSpec piece_spec(const SweepSpec& spec, const SweepPiece& piece);

//! The card without the keys that only say where and how a part ran (`output`,
//! `simulation.backend`, `threads`, `batch_trials`, `devices`): shards of one sweep agree on it.
nlohmann::json sweep_identity(const nlohmann::json& card);

//! A 64-bit FNV-1a digest of sweep_identity(card), as 16 hex digits.
std::string card_digest(const nlohmann::json& card);

//! `memlif info` of a shard file: its shard, card digest, seed and units; nothing if `path` is
//! not a shard file.
std::optional<std::string> describe_shard_file(const std::string& path);

//! Runs shard `shard` of the validated card into the shard file `cfg.output.path`
//! (io/shard_file.hpp), as a run file is written (output_file.hpp: OUT.partial renamed when
//! complete, OUT.lock, no overwrite without opts.force, never one of `inputs`). ConfigError naming
//! the key for a card that cannot be sharded (a device kind, `output.store_trials`).
RunReport execute_shard(const RunConfig& cfg, const RunOptions& opts, ShardSpec shard,
                        const std::vector<std::string>& inputs = {});

//! ConfigError naming the key for a card that cannot be sharded.
void check_shardable(const RunConfig& cfg);

//! execute_shard on a chosen backend; with `image`, the shard file is written in memory and its
//! bytes returned there (nothing on disk; the MPI ranks, host/mpi_run.hpp).
RunReport execute_shard_on(const RunConfig& cfg, const RunOptions& opts, ShardSpec shard,
                           const BackendChoice& backend, std::vector<unsigned char>* image);

} // namespace memlif
