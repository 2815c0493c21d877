// SPDX-License-Identifier: MIT
//! \file tests/fuzz/run_file_fuzz.cpp
//! libFuzzer target (issue 12): the HDF5 readers behind `memlif info`, `memlif analyze` and
//! `memlif run --resume`, on run files broken in ways the format forbids. Mutating the bytes of an
//! HDF5 file mostly exercises libhdf5's own parser (not instrumented, not ours); so the input is
//! a program of edits applied through the HDF5 API to a valid run file, and the readers must then
//! refuse it with IoError / ConfigError / UsageError (exit 2) or read it consistently. Any other
//! exception, crash, hang or sanitizer report is a finding.
//!
//! Input: a mode byte, then records of 12 bytes {object u8, op u8, index u16 LE, value u64 LE};
//! a record with op 5 ends the program, its remaining bytes replacing /config_json. What `info`
//! reads is read for every input; mode bit 0 adds `analyze` (the estimators into a new group),
//! bit 1 the resume writer (each costs tens of milliseconds of HDF5 work, so not every input pays
//! for both). `object` picks one of
//! k_objects (datasets and attributes of the format), `op`: 0 set element index % size to value
//! (a float's bits for float datasets), 1 unlink, 2 replace by a 1-D dataset of the same type and
//! value % 9 elements, 3 replace by a scalar float64, 4 write the attribute value (uint64).
#include "host/analyze.hpp"
#include "host/config.hpp"

#include "io/h5.hpp"
#include "io/run_file.hpp"
#include "io/synthetic_run.hpp"

#include "memlif/core/errors.hpp"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace {

namespace h5 = memlif::io::h5;
using namespace memlif::io;

const char* const k_objects[] = {
    "counts/condition", "counts/stimulus", "counts/word", "counts/count",
    "counts/condition_row_start", "counts/condition_row_count", "results/completed",
    "results/n_trials", "results/n_trials_per_stimulus", "results/mutual_information_bit",
    "stimuli/code", "stimuli/p_s", "stimuli/n_input_spikes", "axes/conductance_S", "trials/word",
    "trials/condition", "trials/stimulus", "analysis/run/pt_mi_bit", "analysis/run/completed",
    "analysis/run/jackknife_mi_se_bit", "analysis/run/pt_reliable", "config_json",
    // attributes (op 4), on the root unless a group is named before the '@'
    "@n_bins", "@n_conditions", "@n_stimuli", "@n_conditions_completed", "@complete",
    "@store_trials", "trials@n_trials_written", "@seed"};
constexpr std::size_t k_n_objects = sizeof k_objects / sizeof k_objects[0];

std::string g_base; //!< the valid file every input starts from
std::string g_work; //!< this process's scratch copy

//! A small valid run: the synthetic run of tests/io with trials and an /analysis/run group of
//! the columns info and the resume read.
void write_base(const std::string& path) {
    test::SyntheticRun run = test::make_run();
    run.stimuli.p_s = {2.0 / 42, 16.0 / 42, 24.0 / 42, 0.0}; // sums to 1, as the estimators need
    {
        RunWriter w(path, run.meta, run.stimuli, run.axis, true);
        test::write_condition(w, run, 2);
        test::write_condition(w, run, 0);
        w.abort("running");
    }
    AnalysisWriter a(path, "/analysis/run", GroupMode::create);
    a.create_table("pt_mi_bit", run.axis.conductance_S.size(), 0, false, "bit", {"condition"});
    a.create_table("jackknife_mi_se_bit", run.axis.conductance_S.size(), 0, false, "bit",
                   {"condition"});
    a.create_table("pt_reliable", run.axis.conductance_S.size(), 0, true, "1", {"condition"});
    a.track_rows(run.axis.conductance_S.size(), "condition");
    a.write_row("pt_mi_bit", 2, {0.25});
    a.commit_row(2);
    a.close();
}

std::uint64_t le(const std::uint8_t* p, int n) {
    std::uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = v << 8 | p[i];
    return v;
}

void edit_dataset(hid_t f, const std::string& name, int op, std::uint64_t index,
                  std::uint64_t value, const std::string& text) {
    if (name == "config_json") {
        if (h5::exists(f, name)) h5::unlink(f, name);
        h5::write_string_dataset(f, name, text);
        return;
    }
    if (!h5::exists(f, name)) return;
    if (op == 1) {
        h5::unlink(f, name);
        return;
    }
    h5::Handle d = h5::open_dataset(f, name);
    const h5::ElementType t = h5::element_type(d);
    const std::vector<hsize_t> dims = h5::shape(d);
    if (op == 0) {
        hsize_t total = 1;
        for (hsize_t n : dims) total *= n;
        if (total == 0) return;
        hsize_t at = index % total;
        std::vector<hsize_t> start(dims.size()), count(dims.size(), 1);
        for (std::size_t k = dims.size(); k-- > 0;) {
            start[k] = at % dims[k];
            at /= dims[k];
        }
        if (t.is_float) {
            double x;
            std::memcpy(&x, &value, sizeof x);
            h5::write_box<double>(d, start, count, &x);
        } else {
            h5::write_box<std::uint64_t>(d, start, count, &value);
        }
        return;
    }
    d.close();
    h5::unlink(f, name);
    if (op == 2) {
        const std::vector<hsize_t> n = {value % 9};
        if (t.is_float)
            h5::write_dataset<double>(f, name, std::vector<double>(n[0], 0.5), n);
        else if (t.size == 1)
            h5::write_dataset<std::uint8_t>(f, name, std::vector<std::uint8_t>(n[0], 1), n);
        else if (t.size == 4)
            h5::write_dataset<std::uint32_t>(f, name, std::vector<std::uint32_t>(n[0], 1), n);
        else
            h5::write_dataset<std::uint64_t>(f, name, std::vector<std::uint64_t>(n[0], 1), n);
    } else {
        h5::write_scalar_dataset<double>(f, name, static_cast<double>(value));
    }
}

void analyze();

void apply(const std::uint8_t* data, std::size_t size) {
    h5::Handle f = h5::open_file(g_work, true);
    for (std::size_t at = 0; at + 12 <= size; at += 12) {
        const std::uint8_t* r = data + at;
        const std::string name = k_objects[r[0] % k_n_objects];
        const int op = r[1] % 6;
        const std::uint64_t index = le(r + 2, 2), value = le(r + 4, 8);
        const auto sep = name.find('@');
        if (sep != std::string::npos) {
            const std::string group = sep == 0 ? "/" : name.substr(0, sep);
            if (!h5::exists(f, group) && group != "/") continue;
            h5::Handle obj(H5Oopen(f, group.c_str(), H5P_DEFAULT));
            if (op == 1 && h5::has_attr(obj, name.substr(sep + 1)))
                H5Adelete(obj, name.substr(sep + 1).c_str());
            else
                h5::write_attr<std::uint64_t>(obj, name.substr(sep + 1), value);
            continue;
        }
        const std::string text(reinterpret_cast<const char*>(r + 12), size - at - 12);
        edit_dataset(f, op == 5 ? std::string("config_json") : name, op, index, value, text);
        if (op == 5) break;
    }
    f.close();
}

//! Everything info, analyze (mode & 1) and --resume (mode & 2) read.
void read_all(unsigned mode) {
    {
        const RunReader r(g_work);
        (void)r.metadata();
        (void)r.stimuli();
        (void)r.axis();
        (void)r.phase();
        (void)r.runtime();
        for (std::uint32_t c : r.completed_conditions()) {
            (void)r.counts(c);
            (void)r.results(c);
        }
        if (r.has("/trials")) (void)r.trials();
        (void)r.analysis_progress("/analysis/run");
        (void)memlif::summary_rows_from_file(r);
        // analyze: the stored card, then the estimators on the stored counts
        const nlohmann::json card = memlif::migrate_stored_card(
            memlif::parse_card_text(r.metadata().config_json, "fuzz:/config_json"));
        (void)card;
    }
    if (mode & 1) analyze();
    if (mode & 2) {
        // --resume: the writer reopens the interrupted run, repairs and cuts what it must
        repair_end_of_allocation(g_work);
        RunWriter w(g_work, RunWriter::Resume{});
        (void)w.pending_conditions();
    }
}

void analyze() {
    static const memlif::EstimatorOptions opts = [] {
        nlohmann::json card = nlohmann::json::object();
        memlif::apply_override(card, R"(information.estimators=["plugin","pt"])");
        return memlif::resolve_config(card).estimator_options;
    }();
    memlif::analyze_into(g_work, opts, "/analysis/fuzz", GroupMode::replace, "{}");
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    h5::silence_errors();
    const char* tmp = std::getenv("TMPDIR");
    const std::string dir = tmp && *tmp ? tmp : "/tmp";
    g_base = dir + "/memlif_fuzz_base_" + std::to_string(::getpid()) + ".h5";
    g_work = dir + "/memlif_fuzz_work_" + std::to_string(::getpid()) + ".h5";
    write_base(g_base);
    std::atexit([] {
        std::remove(g_base.c_str());
        std::remove(g_work.c_str());
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::filesystem::copy_file(g_base, g_work, std::filesystem::copy_options::overwrite_existing);
    if (size == 0) return 0;
    const unsigned mode = data[0];
    try {
        apply(data + 1, size - 1);
    } catch (const std::exception&) {
        return 0; // an edit HDF5 refused: nothing to read
    }
    try {
        read_all(mode);
    } catch (const memlif::IoError&) {
    } catch (const memlif::ConfigError&) {
    } catch (const memlif::UsageError&) {
    } catch (const std::exception& e) {
        std::fprintf(stderr, "run_file_fuzz: not a clear error (exit 1 in memlif): %s\n", e.what());
        std::abort();
    }
    return 0;
}
