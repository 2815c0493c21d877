// SPDX-License-Identifier: MIT
//! \file host/main.cpp
//! The memlif command line. User errors (bad card, bad path, bad request) exit with code 2 and a
//! message naming the key, file or value; internal errors exit with 1.
#include "analyze.hpp"
#include "config.hpp"
#include "cuda/cuda_backend.hpp"
#include "io/h5.hpp"
#include "io/kind_file.hpp"
#include "io/run_file.hpp"
#include "memlif/core/errors.hpp"
#include "merge.hpp"
#include "mpi_run.hpp"
#include "output_file.hpp"
#include "run.hpp"
#include "shard.hpp"
#include "summary.hpp"

#include "memlif/config.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace {

std::string version_text() {
    std::string s = std::string("memlif ") + MEMLIF_VERSION + " (git " + MEMLIF_GIT_SHA + ")\n";
    s += std::string("build: CUDA ") + (MEMLIF_USE_CUDA ? "on" : "off") + ", OpenMP " +
         (MEMLIF_USE_OPENMP ? "on" : "off") + ", CUDA fmad " +
         (MEMLIF_CUDA_NO_FMAD ? "off" : "on") + ", " + memlif::mpi_description();
    const int n = memlif::device_count();
    s += "\ndevices: " + std::to_string(n);
    if (n > 0) s += " (" + memlif::device_name(0) + ")";
    return s;
}

struct RunArgs {
    std::string card_path, output, backend, resume, shard;
    std::vector<std::string> sets;
    bool quiet = false, force = false;
};

int cmd_run(const RunArgs& a) {
    const memlif::ShardSpec part =
        a.shard.empty() ? memlif::ShardSpec{} : memlif::parse_shard(a.shard);
    memlif::RunOptions opts;
    opts.quiet = a.quiet;
    opts.force = a.force;
    memlif::RunConfig cfg;
    std::vector<std::string> inputs;
    if (!a.card_path.empty()) inputs.push_back(a.card_path);
    if (!a.resume.empty()) {
        if (!a.output.empty())
            throw memlif::UsageError("--resume names the output; -o cannot be given with it");
        if (a.force) throw memlif::UsageError("--resume continues a run; --force would discard it");
        opts.resume = true;
        // The stored card (or the given one) with the command line's overrides; resume_config
        // refuses any difference that could change a result.
        const bool given = !a.card_path.empty() || !a.sets.empty() || !a.backend.empty();
        nlohmann::json card;
        if (given) {
            card = a.card_path.empty() ? memlif::stored_card(a.resume)
                                       : memlif::read_card_file(a.card_path);
            for (const auto& s : a.sets) memlif::apply_override(card, s);
            if (!a.backend.empty())
                memlif::apply_string_override(card, "simulation.backend", a.backend);
        }
        cfg = memlif::resume_config(a.resume, given ? &card : nullptr);
    } else {
        nlohmann::json card =
            a.card_path.empty() ? nlohmann::json::object() : memlif::read_card_file(a.card_path);
        for (const auto& s : a.sets) memlif::apply_override(card, s);
        if (!a.output.empty()) memlif::apply_string_override(card, "output.path", a.output);
        if (!a.backend.empty())
            memlif::apply_string_override(card, "simulation.backend", a.backend);
        cfg = memlif::resolve_config(card);
    }

    memlif::install_stop_handlers();
    const bool mpi = memlif::launched_world_size() > 1; // mpirun -n R: the ranks are the shards
    if (mpi && !a.shard.empty())
        throw memlif::UsageError("--shard " + a.shard +
                                 ": not under mpirun, whose ranks are the shards");
    if ((mpi || !a.shard.empty()) && opts.resume)
        throw memlif::UsageError("--resume: a shard or an mpirun job is not resumed; run it again");
    // mpirun: every rank refuses an output it may not write alike, before any rank starts work
    // (rank 0 writes it through merge_shards, which checks and locks it again).
    if (mpi) memlif::check_output_target(memlif::output_paths(cfg.output.path), inputs, opts.force);
    int rank = 0;
    const memlif::RunReport rep = mpi ? memlif::execute_mpi_run(cfg, opts, rank)
                                  : a.shard.empty()
                                      ? memlif::execute_run(cfg, opts, inputs)
                                      : memlif::execute_shard(cfg, opts, part, inputs);
    const int interrupted_code = memlif::interrupted_exit_code(rep.stop_signal);
    if (rank != 0) return rep.interrupted ? interrupted_code : 0; // rank 0 reports for the job
    if (!a.quiet && !rep.rows.empty()) std::cout << memlif::format_summary(rep.rows);
    if (!a.quiet) std::cout << rep.text;
    if (rep.resumed_units > 0)
        std::printf("resumed: %zu units of work were already done in the file\n",
                    rep.resumed_units);
    std::printf("%s %llu trials on %s in %.2f s (%.4g trials/s) -> %s\n",
                rep.interrupted ? "INTERRUPTED after" : "ran",
                static_cast<unsigned long long>(rep.n_trials), rep.backend.c_str(), rep.wall_s,
                rep.wall_s > 0 ? static_cast<double>(rep.n_trials) / rep.wall_s : 0.0,
                rep.interrupted && !rep.partial_path.empty() ? rep.partial_path.c_str()
                                                             : rep.output_path.c_str());
    if (!rep.interrupted) return 0;
    if (rep.partial_path.empty()) return interrupted_code; // a shard or mpirun: not resumed
    std::fflush(stdout);
    std::fprintf(
        stderr,
        "memlif: interrupted in phase %s; the finished work is kept in '%s'; continue it with\n"
        "  memlif run --resume %s\n",
        rep.phase.c_str(), rep.partial_path.c_str(), rep.output_path.c_str());
    return interrupted_code;
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
    std::printf(
        "file:      %s\nfiletype:  memlif-run %d.%d\nsoftware:  memlif %s (git %s)\ncreated:   %s\n"
        "backend:   %s\nseed:      %llu\nstimuli:   %s (%zu), p(s) %s, %u repeats\nsynapse:   %s\n"
        "response:  %u bins of %.4g ms, dt %.4g us\nstatus:    %s (%zu of %zu conditions)\n",
        path.c_str(), fv[0], fv[1], meta.software_version.c_str(), meta.git_sha.c_str(),
        meta.created_utc.c_str(), meta.backend.c_str(), static_cast<unsigned long long>(meta.seed),
        meta.stimulus_set.c_str(), reader.n_stimuli(), meta.p_s_mode.c_str(), meta.n_repeats,
        meta.synapse_model.c_str(), meta.n_bins, meta.bin_width_s * 1e3, meta.dt_s * 1e6,
        reader.complete() ? "complete" : ("INCOMPLETE: " + reader.incomplete_reason()).c_str(),
        reader.completed_conditions().size(), reader.n_conditions());
    if (!reader.phase().empty()) {
        std::printf("phase:     %s", reader.phase().c_str());
        for (const char* g : {"run", "ground_truth"}) {
            const auto p = reader.analysis_progress(std::string("/analysis/") + g);
            if (p[1] > 0) std::printf(", %s %zu of %zu rows", g, p[0], p[1]);
        }
        std::printf("\n");
    }
    if (const auto rt = reader.runtime())
        std::printf("runtime:   %.3f s, %.4g trials/s\n", rt->wall_s, rt->trials_per_s);
    std::cout << memlif::format_summary(memlif::summary_rows_from_file(reader));
    return 0;
}

//! Prints the error and returns the exit code. After a failed write HDF5's caches are undefined and
//! its exit-time cleanup (which flushes every open file) could crash: the process then ends
//! without it, its files as of their last successful flush.
int error_exit(const char* kind, const char* what, int code) {
    std::fprintf(stderr, "memlif: %s: %s\n", kind, what);
    if (memlif::io::h5::poisoned()) {
        std::fflush(stdout);
        std::fflush(stderr);
        std::_Exit(code);
    }
    return code;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"memlif: information transmission of a CMOS LIF neuron with memristive synapses "
                 "(Benatti et al., Nano Futures 2023)"};
    // A callback, so the CUDA runtime starts only when --version is actually asked for.
    app.set_version_flag("--version", [] { return version_text(); });
    app.require_subcommand(1);

    RunArgs ra;
    std::vector<std::string> sets;
    auto* run = app.add_subcommand(
        "run", "Simulate a run card (default: the paper's experiment) into HDF5");
    run->add_option("card", ra.card_path, "Run card (JSON; omit for the embedded default card)");
    run->add_option("-o,--output", ra.output, "Output HDF5 file (overrides output.path)");
    run->add_option("--backend", ra.backend, "auto | cpu | cuda (overrides simulation.backend)");
    run->add_option("--set", ra.sets,
                    "Override a card value: key.path=value (JSON value or bare string)");
    run->add_flag("-q,--quiet", ra.quiet, "No progress line and no table");
    run->add_flag(
        "--force", ra.force,
        "Replace an existing output file (and discard an interrupted run of it); the old file "
        "stays until the new one is complete");
    run->add_option(
        "--resume", ra.resume,
        "Continue the interrupted run of OUT.h5 (kept as OUT.h5.partial) from its last committed "
        "unit; the card and seed are read from the file");
    run->add_option("--shard", ra.shard,
                    "Run only part K of N (K/N, 0-based) into a shard file for `merge`");

    bool quiet = false;
    std::string merge_out, merge_backend;
    std::vector<std::string> merge_inputs;
    auto* merge = app.add_subcommand("merge", "Sum the shard files of one sweep into its run file");
    merge->add_option("out", merge_out, "Output memlif-run HDF5 file")->required();
    merge->add_option("shards", merge_inputs, "Shard files (memlif run --shard K/N), all N of them")
        ->required();
    merge->add_option("--backend", merge_backend,
                      "Where the estimators' subsamplings run: auto | cpu | cuda");
    bool merge_force = false;
    merge->add_flag("-q,--quiet", quiet, "No table");
    merge->add_flag("--force", merge_force, "Replace OUT if it exists");

    app.add_subcommand("dump-default", "Print the complete default run card");

    std::string info_path;
    auto* info = app.add_subcommand("info", "Print provenance and the summary table of a run file");
    info->add_option("file", info_path, "memlif-run HDF5 file")->required();

    std::string analyze_path;
    std::vector<std::string> estimators;
    bool replace = false;
    std::string group = "analyze";
    auto* analyze =
        app.add_subcommand("analyze", "Recompute estimators from stored counts (no re-simulation)");
    analyze->add_option("file", analyze_path, "memlif-run HDF5 file")->required();
    analyze->add_option("--estimators", estimators,
                        "Estimators, e.g. plugin mm pt qe sh null jackknife bootstrap nsb");
    analyze->add_option("--set", sets, "Override an information.* option: key.path=value");
    analyze->add_option("--group", group,
                        "Name of the new group /analysis/NAME (default: analyze)");
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
        if (*run) return cmd_run(ra);
        if (*merge) {
            memlif::install_stop_handlers(); // a stopped merge removes its temporary file
            return memlif::cmd_merge(merge_out, merge_inputs, {quiet, merge_backend, merge_force});
        }
        if (app.got_subcommand("dump-default")) {
            std::cout << memlif::default_card().dump(2) << "\n";
            return 0;
        }
        if (*info) return cmd_info(info_path);
        if (*analyze) {
            memlif::install_stop_handlers();
            return memlif::cmd_analyze(analyze_path, estimators, sets, group, replace,
                                       analyze_backend, &memlif::stop_requested,
                                       &memlif::stop_signal);
        }
    } catch (const memlif::ConfigError& e) {
        return error_exit("error", e.what(), 2);
    } catch (const memlif::UsageError& e) {
        return error_exit("error", e.what(), 2);
    } catch (const memlif::IoError& e) {
        return error_exit("error", e.what(), 2);
    } catch (const memlif::CudaError& e) {
        return error_exit("CUDA error", e.what(), 1);
    } catch (const std::bad_alloc&) {
        return error_exit("error",
                          "out of memory (a limit the checks before the run did not foresee)", 1);
    } catch (const std::exception& e) {
        return error_exit("internal error", e.what(), 1);
    }
    return 0;
}
