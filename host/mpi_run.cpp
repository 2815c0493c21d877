// SPDX-License-Identifier: MIT
//! \file host/mpi_run.cpp
#include "mpi_run.hpp"
#include "wall_clock.hpp"

#include "merge.hpp"
#include "multi_device.hpp"
#include "shard.hpp"

#include "cuda/cuda_backend.hpp"
#include "memlif/core/errors.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#ifndef MEMLIF_USE_MPI
#define MEMLIF_USE_MPI 0
#endif
#if MEMLIF_USE_MPI
#include <mpi.h>
#endif

namespace memlif {

namespace {

int env_int(const char* name) {
    const char* v = std::getenv(name);
    return v && *v ? std::atoi(v) : 0;
}

} // namespace

int launched_world_size() {
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
        if (const int n = env_int(name); n > 0) return n;
    return 1;
}

bool mpi_built() { return MEMLIF_USE_MPI != 0; }

#if !MEMLIF_USE_MPI

std::string mpi_description() { return "MPI off"; }

RunReport execute_mpi_run(const RunConfig&, const RunOptions&, int& rank) {
    rank = 0;
    throw UsageError("started by mpirun with " + std::to_string(launched_world_size()) +
                     " ranks, but this memlif was built without MPI (Open MPI was not found "
                     "when it was configured: apt-get install libopenmpi-dev openmpi-bin, then "
                     "configure again); run it without mpirun, or one process per --shard K/N");
}

#else

namespace {

//! Largest message: MPI counts are int.
constexpr std::uint64_t k_chunk_bytes = 1ull << 30;

void send_image(const std::vector<unsigned char>& image) {
    std::uint64_t n = image.size();
    MPI_Send(&n, 1, MPI_UINT64_T, 0, 1, MPI_COMM_WORLD);
    for (std::uint64_t off = 0; off < n; off += k_chunk_bytes) {
        const auto len = static_cast<int>(std::min(k_chunk_bytes, n - off));
        MPI_Send(image.data() + off, len, MPI_BYTE, 0, 2, MPI_COMM_WORLD);
    }
}

std::vector<unsigned char> receive_image(int from) {
    std::uint64_t n = 0;
    MPI_Recv(&n, 1, MPI_UINT64_T, from, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    std::vector<unsigned char> image(n);
    for (std::uint64_t off = 0; off < n; off += k_chunk_bytes) {
        const auto len = static_cast<int>(std::min(k_chunk_bytes, n - off));
        MPI_Recv(image.data() + off, len, MPI_BYTE, from, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    return image;
}

RunReport run_ranks(const RunConfig& cfg, const RunOptions& opts, int rank, int size) {
    const auto t0 = std::chrono::steady_clock::now();
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &local);
    int local_rank = 0;
    MPI_Comm_rank(local, &local_rank);
    MPI_Comm_free(&local);

    BackendChoice backend = choose_run_backend(cfg);
    if (backend.kind == BackendKind::cuda && backend.devices.empty()) {
        // the node-local rank picks the device, so R ranks per node use R GPUs
        const int d = local_rank % device_count();
        backend.devices = {d};
        backend.description = "cuda: " + device_name(d) + " (device " + std::to_string(d) + ")";
    }
    RunOptions ro = opts;
    ro.quiet = opts.quiet || rank != 0;
    std::vector<unsigned char> image;
    RunReport part = execute_shard_on(
        cfg, ro, {static_cast<std::uint32_t>(rank), static_cast<std::uint32_t>(size)}, backend,
        &image);

    // Every rank must have finished before anything is gathered.
    int stopped = part.interrupted ? 1 : 0, any_stopped = 0;
    MPI_Allreduce(&stopped, &any_stopped, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    unsigned long long trials = part.n_trials, all_trials = 0;
    MPI_Reduce(&trials, &all_trials, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    if (any_stopped) {
        part.interrupted = true;
        part.output_path = rank == 0 ? cfg.output.path + " (not written)" : "";
        part.text.clear();
        return part;
    }
    if (rank != 0) {
        send_image(image);
        part.output_path.clear();
        return part;
    }

    const auto t1 = std::chrono::steady_clock::now();
    MpiGather g;
    g.ranks = size;
    g.rank0_bytes = image.size();
    std::vector<io::ShardReader> shards;
    shards.emplace_back(image, "rank 0");
    image = {};
    for (int r = 1; r < size; ++r) {
        const std::vector<unsigned char> received = receive_image(r);
        g.bytes += received.size();
        shards.emplace_back(received, "rank " + std::to_string(r));
    }
    g.gather_s = seconds_since(t1);
    MergeOptions mo;
    mo.quiet = opts.quiet;
    mo.force = opts.force;
    RunReport rep = merge_shards(cfg.output.path, shards, mo);
    rep.backend = "mpi: " + std::to_string(size) + " ranks (rank 0: " + backend.description + ")";
    rep.n_trials = all_trials;
    rep.wall_s = seconds_since(t0);
    char line[256];
    std::snprintf(line, sizeof line,
                  "mpi: %d ranks; rank 0 gathered %llu bytes of sparse counts from the other "
                  "ranks (its own shard %llu bytes) in %.3f s\n",
                  size, static_cast<unsigned long long>(g.bytes),
                  static_cast<unsigned long long>(g.rank0_bytes), g.gather_s);
    rep.text += line;
    return rep;
}

} // namespace

std::string mpi_description() {
    char v[MPI_MAX_LIBRARY_VERSION_STRING];
    int n = 0;
    MPI_Get_library_version(v, &n);
    std::string s(v, static_cast<std::size_t>(n));
    const auto eol = s.find_first_of(",\n");
    return "MPI on (" + s.substr(0, eol) + ")";
}

RunReport execute_mpi_run(const RunConfig& cfg, const RunOptions& opts, int& rank) {
    check_shardable(cfg); // before MPI_Init: every rank refuses the card alike
    MPI_Init(nullptr, nullptr);
    int size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    try {
        RunReport rep = run_ranks(cfg, opts, rank, size);
        MPI_Finalize();
        return rep;
    } catch (const std::exception& e) {
        // a rank that throws would leave the others waiting for its counts: end the whole job
        const bool user = dynamic_cast<const ConfigError*>(&e) ||
                          dynamic_cast<const UsageError*>(&e) || dynamic_cast<const IoError*>(&e);
        std::fprintf(stderr, "memlif: error (rank %d): %s\n", rank, e.what());
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, user ? 2 : 1);
        throw;
    }
}

#endif

} // namespace memlif
