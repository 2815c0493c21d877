// SPDX-License-Identifier: MIT
//! \file host/main.cpp
//! The memlif command line. User errors (bad card, bad path, bad request) exit with code 2 and a
//! message naming the key, file or value; internal errors exit with 1.
#include "analyze.hpp"
#include "config.hpp"
#include "cuda/cuda_backend.hpp"
#include "memlif/core/errors.hpp"
#include "io/kind_file.hpp"
#include "io/run_file.hpp"
#include "merge.hpp"
#include "mpi_run.hpp"
#include "run.hpp"
#include "shard.hpp"
#include "summary.hpp"

#include "memlif/config.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

namespace {

std::string version_text() {
    std::string s = std::string("memlif ") + MEMLIF_VERSION + " (git " + MEMLIF_GIT_SHA + ")\n";
    s += std::string("build: CUDA ") + (MEMLIF_USE_CUDA ? "on" : "off") + ", OpenMP " +
         (MEMLIF_USE_OPENMP ? "on" : "off") + ", CUDA fmad " + (MEMLIF_CUDA_NO_FMAD ? "off" : "on") +
         ", " + memlif::mpi_description();
    const int n = memlif::device_count();
    s += "\ndevices: " + std::to_string(n);
    if (n > 0) s += " (" + memlif::device_name(0) + ")";
    return s;
}

int cmd_run(const std::string& card_path, const std::string& output, const std::string& backend,
            const std::vector<std::string>& sets, bool quiet, const std::string& shard) {
    const memlif::ShardSpec part = shard.empty() ? memlif::ShardSpec{} : memlif::parse_shard(shard);
    nlohmann::json card = card_path.empty() ? nlohmann::json::object() : memlif::read_card_file(card_path);
    for (const auto& s : sets) memlif::apply_override(card, s);
    if (!output.empty()) memlif::apply_override(card, "output.path=" + nlohmann::json(output).dump());
    if (!backend.empty()) memlif::apply_override(card, "simulation.backend=" + nlohmann::json(backend).dump());
    const memlif::RunConfig cfg = memlif::resolve_config(card);

    memlif::install_stop_handlers();
    memlif::RunOptions opts;
    opts.quiet = quiet;
    const bool mpi = memlif::launched_world_size() > 1; // mpirun -n R: the ranks are the shards
    if (mpi && !shard.empty()) throw memlif::UsageError("--shard " + shard + ": not under mpirun, whose ranks are the shards");
    int rank = 0;
    const memlif::RunReport rep = mpi             ? memlif::execute_mpi_run(cfg, opts, rank)
                                  : shard.empty() ? memlif::execute_run(cfg, opts)
                                                  : memlif::execute_shard(cfg, opts, part);
    if (rank != 0) return rep.interrupted ? 130 : 0; // rank 0 reports for the job
    if (!quiet && !rep.rows.empty()) std::cout << memlif::format_summary(rep.rows);
    if (!quiet) std::cout << rep.text;
    std::printf("%s %llu trials on %s in %.2f s (%.4g trials/s) -> %s\n", rep.interrupted ? "INTERRUPTED after" : "ran",
                static_cast<unsigned long long>(rep.n_trials), rep.backend.c_str(), rep.wall_s,
                rep.wall_s > 0 ? static_cast<double>(rep.n_trials) / rep.wall_s : 0.0, rep.output_path.c_str());
    return rep.interrupted ? 130 : 0;
}

int cmd_info(const std::string& path) {
    if (const auto shard_text = memlif::describe_shard_file(path)) { // a part of a sweep
        std::cout << *shard_text;
        return 0;
    }
    if (const auto kind_text = memlif::io::describe_kind_file(path)) { // device kinds: no MI layout
        std::cout << *kind_text;
        return 0;
    }
    const memlif::io::RunReader reader(path);
    const auto meta = reader.metadata();
    const auto fv = reader.format_version();
    std::printf("file:      %s\nfiletype:  memlif-run %d.%d\nsoftware:  memlif %s (git %s)\ncreated:   %s\n"
                "backend:   %s\nseed:      %llu\nstimuli:   %s (%zu), p(s) %s, %u repeats\nsynapse:   %s\n"
                "response:  %u bins of %.4g ms, dt %.4g us\nstatus:    %s (%zu of %zu conditions)\n",
                path.c_str(), fv[0], fv[1], meta.software_version.c_str(), meta.git_sha.c_str(),
                meta.created_utc.c_str(), meta.backend.c_str(), static_cast<unsigned long long>(meta.seed),
                meta.stimulus_set.c_str(), reader.n_stimuli(), meta.p_s_mode.c_str(), meta.n_repeats,
                meta.synapse_model.c_str(), meta.n_bins, meta.bin_width_s * 1e3, meta.dt_s * 1e6,
                reader.complete() ? "complete" : ("INCOMPLETE: " + reader.incomplete_reason()).c_str(),
                reader.completed_conditions().size(), reader.n_conditions());
    if (const auto rt = reader.runtime())
        std::printf("runtime:   %.3f s, %.4g trials/s\n", rt->wall_s, rt->trials_per_s);
    std::cout << memlif::format_summary(memlif::summary_rows_from_file(reader));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"memlif: information transmission of a CMOS LIF neuron with memristive synapses "
                 "(Benatti et al., Nano Futures 2023)"};
    // A callback, so the CUDA runtime starts only when --version is actually asked for.
    app.set_version_flag("--version", [] { return version_text(); });
    app.require_subcommand(1);

    std::string card_path, output, backend;
    std::vector<std::string> sets;
    bool quiet = false;
    auto* run = app.add_subcommand("run", "Simulate a run card (default: the paper's experiment) into HDF5");
    run->add_option("card", card_path, "Run card (JSON; omit for the embedded default card)");
    run->add_option("-o,--output", output, "Output HDF5 file (overrides output.path)");
    run->add_option("--backend", backend, "auto | cpu | cuda (overrides simulation.backend)");
    run->add_option("--set", sets, "Override a card value: key.path=value (JSON value or bare string)");
    run->add_flag("-q,--quiet", quiet, "No progress line and no table");
    std::string shard;
    run->add_option("--shard", shard, "Run only part K of N (K/N, 0-based) into a shard file for `merge`");

    std::string merge_out, merge_backend;
    std::vector<std::string> merge_inputs;
    auto* merge = app.add_subcommand("merge", "Sum the shard files of one sweep into its run file");
    merge->add_option("out", merge_out, "Output memlif-run HDF5 file")->required();
    merge->add_option("shards", merge_inputs, "Shard files (memlif run --shard K/N), all N of them")->required();
    merge->add_option("--backend", merge_backend, "Where the estimators' subsamplings run: auto | cpu | cuda");
    merge->add_flag("-q,--quiet", quiet, "No table");

    app.add_subcommand("dump-default", "Print the complete default run card");

    std::string info_path;
    auto* info = app.add_subcommand("info", "Print provenance and the summary table of a run file");
    info->add_option("file", info_path, "memlif-run HDF5 file")->required();

    std::string analyze_path;
    std::vector<std::string> estimators;
    bool replace = false;
    std::string group = "analyze";
    auto* analyze = app.add_subcommand("analyze", "Recompute estimators from stored counts (no re-simulation)");
    analyze->add_option("file", analyze_path, "memlif-run HDF5 file")->required();
    analyze->add_option("--estimators", estimators, "Estimators, e.g. plugin mm pt qe sh null jackknife bootstrap nsb");
    analyze->add_option("--set", sets, "Override an information.* option: key.path=value");
    analyze->add_option("--group", group, "Name of the new group /analysis/NAME (default: analyze)");
    std::string analyze_backend = "auto";
    analyze->add_option("--backend", analyze_backend,
                        "Where the null, bootstrap and QE subsamplings run: auto | cpu | cuda");
    analyze->add_flag("--replace", replace, "Replace an existing /analysis group of the same name");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }

    try {
        if (*run) return cmd_run(card_path, output, backend, sets, quiet, shard);
        if (*merge) return memlif::cmd_merge(merge_out, merge_inputs, {quiet, merge_backend});
        if (app.got_subcommand("dump-default")) {
            std::cout << memlif::default_card().dump(2) << "\n";
            return 0;
        }
        if (*info) return cmd_info(info_path);
        if (*analyze) return memlif::cmd_analyze(analyze_path, estimators, sets, group, replace, analyze_backend);
    } catch (const memlif::ConfigError& e) {
        std::fprintf(stderr, "memlif: error: %s\n", e.what());
        return 2;
    } catch (const memlif::UsageError& e) {
        std::fprintf(stderr, "memlif: error: %s\n", e.what());
        return 2;
    } catch (const memlif::IoError& e) {
        std::fprintf(stderr, "memlif: error: %s\n", e.what());
        return 2;
    } catch (const memlif::CudaError& e) {
        std::fprintf(stderr, "memlif: CUDA error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "memlif: internal error: %s\n", e.what());
        return 1;
    }
    return 0;
}
