// SPDX-License-Identifier: MIT
//! \file io/shard_file.hpp
//! The `memlif-shard` HDF5 file: one shard's part of an MI sweep (`memlif run CARD --shard K/N`),
//! the sparse counts of the (condition, stimulus) units it simulated and of its part of the
//! ground-truth reruns, with the card, seed and shard it came from. It is not a run file: no
//! reader of `memlif-run` opens it and nothing analyses it; `memlif merge` sums the shards into
//! one run file (io/FORMAT.md, "Shard files"; host/merge.hpp).
#pragma once

#include "io/h5.hpp"
#include "memlif/core/counts.hpp"
#include "memlif/core/errors.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace memlif::io {

inline constexpr const char* shard_filetype = "memlif-shard";
inline constexpr std::int32_t shard_format_major = 1; //!< merge refuses any other major version
inline constexpr std::int32_t shard_format_minor = 0;

//! The identity of a shard: where it comes from and which part it is.
struct ShardIdentity {
    std::string software_version; //!< memlif version that wrote it
    std::string git_sha;          //!< source revision (root attribute `git_sha1`)
    std::string backend;          //!< the backend it ran on
    std::string created_utc;      //!< ISO-8601 UTC; the writer fills in "now" when empty
    std::string config_json;      //!< the fully resolved card of the shard's run
    std::string card_digest;     //!< digest of the card without its execution keys (host/shard.hpp)
    std::string experiment_kind; //!< "mi_sweep"
    std::uint64_t seed = 0;      //!< master Philox seed
    std::uint32_t shard_index = 0; //!< K, 0-based
    std::uint32_t shard_count = 1; //!< N
    std::uint32_t n_bins = 0;      //!< response word length
};

//! One stage of a shard (the sweep or the ground-truth reruns): its units and its totals.
struct ShardStage {
    std::uint32_t n_conditions = 0; //!< conditions of the stage (reruns for ground truth)
    std::uint32_t n_stimuli = 0;
    std::uint32_t n_repeats = 0;  //!< repeats of every unit
    std::uint64_t unit_begin = 0; //!< the shard's units [begin, end), unit = condition * n_s + s
    std::uint64_t unit_end = 0;
    std::vector<std::uint64_t> n_trials;      //!< per condition: trials the shard simulated
    std::vector<std::uint64_t> output_spikes; //!< per condition: their output spikes
    std::vector<double> wall_s;               //!< per condition: time spent on them
};

//! Which stage of a shard.
enum class ShardStageKind { sweep, ground_truth };

//! Writes a shard file: identity first (complete = 0), then each stage's rows as its units
//! finish (in condition order, a condition's stimuli ascending), then finish(). Not thread-safe.
class ShardWriter {
  public:
    //! Creates (truncates) \p path. IoError naming the path if it cannot be created. With
    //! \p in_memory the file lives in memory only (HDF5 core driver, no backing store) under the
    //! name \p path, and finish_image() returns its bytes (the MPI gather, host/mpi_run.hpp).
    ShardWriter(const std::string& path, const ShardIdentity& id, bool in_memory = false);
    ShardWriter(const ShardWriter&) = delete;
    ShardWriter& operator=(const ShardWriter&) = delete;
    ~ShardWriter();

    //! Starts a stage (each at most once, sweep first); \p stage gives its extent and units.
    void begin_stage(ShardStageKind kind, const ShardStage& stage);
    //! Appends the counts of stimuli [s_begin, s_begin + counts.n_stimuli()) of `condition` of the
    //! current stage, with their trials, output spikes and time. Conditions ascending; a
    //! condition may come in several calls with ascending stimuli.
    void append(std::uint32_t condition, std::uint32_t s_begin, const ConditionCounts& counts,
                std::uint64_t n_trials, std::uint64_t output_spikes, double wall_s);
    //! Writes the stage's per-condition tables and closes it.
    void end_stage();
    //! Records the run time, sets complete = 1 and closes the file.
    void finish(double wall_s, std::uint64_t n_trials);
    //! finish() of an in-memory shard: the bytes of the finished file.
    std::vector<unsigned char> finish_image(double wall_s, std::uint64_t n_trials);
    //! Records \p reason (complete stays 0) and closes the file.
    void abort(const std::string& reason);

  private:
    std::string path_;
    bool in_stage_ = false;
    ShardStageKind kind_ = ShardStageKind::sweep;
    ShardStage stage_;
    std::vector<std::uint64_t> row_start_, row_count_;
    std::uint64_t rows_ = 0;
    std::int64_t last_condition_ = -1;
    h5::Handle file_;
    h5::Handle group_, condition_, stimulus_, word_, count_;
};

//! Read access to a shard file.
class ShardReader {
  public:
    //! IoError naming \p path if it is missing, not HDF5, not `memlif-shard`, or of another
    //! major format version.
    explicit ShardReader(const std::string& path);
    //! A shard from the bytes of a shard file (ShardWriter::finish_image), named \p name in
    //! messages; the bytes are copied.
    ShardReader(const std::vector<unsigned char>& image, const std::string& name);

    const std::string& path() const { return path_; }
    ShardIdentity identity() const;
    std::array<std::int32_t, 2> format_version() const;
    bool complete() const;
    std::string incomplete_reason() const;
    bool has_stage(ShardStageKind kind) const;
    //! Whether the stage was closed (its per-condition tables written); the last stage of an
    //! interrupted shard is not, and stage() refuses it.
    bool stage_complete(ShardStageKind kind) const;
    //! The stage's units and totals; IoError if absent.
    ShardStage stage(ShardStageKind kind) const;
    //! The rows of one condition of a stage: (stimulus, word, count), sorted by stimulus and word.
    void condition_rows(ShardStageKind kind, std::uint32_t condition,
                        std::vector<std::uint32_t>& stimulus, std::vector<std::uint64_t>& word,
                        std::vector<std::uint64_t>& count) const;

  private:
    void check() const;
    std::string path_;
    h5::Handle file_;
};

//! True if \p path is an HDF5 file whose filetype is `memlif-shard` (false for anything else,
//! missing files included).
bool is_shard_file(const std::string& path);

//! The HDF5 group of a stage ("/shard/sweep" or "/shard/ground_truth").
const char* shard_stage_path(ShardStageKind kind);

} // namespace memlif::io
