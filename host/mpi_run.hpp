// SPDX-License-Identifier: MIT
//! \file host/mpi_run.hpp
//! `mpirun -n R memlif run CARD` (optional MPI build, detected like CUDA): rank r runs shard r/R
//! of the sweep (host/shard.hpp) into an in-memory shard file on its node's GPU (the node-local
//! rank picks the device) or CPU, the ranks send their sparse counts (the shard files' bytes) to
//! rank 0, and rank 0 merges them (host/merge.hpp) into the one run file, which therefore equals
//! the unsharded run's. Nothing else is written by any rank.
#pragma once

#include "experiment.hpp"

#include <cstdint>
#include <string>

namespace memlif {

//! Ranks of the MPI job this process was started in, from the launcher's environment (Open MPI's
//! OMPI_COMM_WORLD_SIZE, else PMI_SIZE as MPICH and Slurm's PMI set it); 1 outside mpirun.
int launched_world_size();

//! True if this build has MPI.
bool mpi_built();

//! "MPI on (Open MPI v4.1.4, ...)" or "MPI off", for --version.
std::string mpi_description();

//! What the gather moved (bench/RESULTS.md).
struct MpiGather {
    int ranks = 0;
    std::uint64_t bytes = 0;       //!< shard bytes rank 0 received from the other ranks
    std::uint64_t rank0_bytes = 0; //!< rank 0's own shard
    double gather_s = 0;           //!< time from the end of rank 0's shard to the last byte
};

//! Runs the card across the ranks of MPI_COMM_WORLD (MPI_Init and MPI_Finalize inside). Rank 0
//! returns the merged run's report with `text` naming the gather; the other ranks return their
//! shard's report with `output_path` empty. An error on any rank after MPI_Init aborts the job
//! (MPI_Abort) with the error's exit code so no rank waits forever. UsageError in a build
//! without MPI.
RunReport execute_mpi_run(const RunConfig& cfg, const RunOptions& opts, int& rank);

} // namespace memlif
