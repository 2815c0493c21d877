// SPDX-License-Identifier: MIT
//! \file host/merge.hpp
//! `memlif merge OUT.h5 SHARD...`: sums the shards of one sweep (host/shard.hpp) into the run file
//! the unsharded `memlif run` writes. The shards must come from one card (execution keys aside),
//! one seed, one build and one shard count, and cover every shard index exactly once; anything
//! else is refused before OUT is touched (UsageError naming the file, exit 2). The merged
//! conditions then go through the sink, the post-sweep analysis and the follow-up stages that
//! `run` uses (host/sweep_file.hpp, host/experiments/), so its counts and tables are those of the
//! unsharded run; only provenance and timing differ.
#pragma once

#include "experiment.hpp"

#include "io/shard_file.hpp"

#include <string>
#include <vector>

namespace memlif {

struct MergeOptions {
    bool quiet = false;
    //! Where the post-merge estimators' subsamplings run ("" = the card's simulation.backend).
    std::string backend;
    //! Replace an existing output file (`memlif merge --force`).
    bool force = false;
};

//! Merges opened shards into `out` (written to a temporary file beside it and renamed on
//! success; nothing is left behind on failure). UsageError naming the file for any shard set
//! that is not exactly one sweep.
RunReport merge_shards(const std::string& out, const std::vector<io::ShardReader>& shards,
                       const MergeOptions& opts);

//! `memlif merge`: opens the files (IoError naming an unreadable one) and merges them.
int cmd_merge(const std::string& out, const std::vector<std::string>& shard_paths,
              const MergeOptions& opts);

} // namespace memlif
