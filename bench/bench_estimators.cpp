// SPDX-License-Identifier: MIT
//! \file bench/bench_estimators.cpp
//! Timing program for the information estimators on the stored counts of a run file (issue 9,
//! "Estimators"): wall and process CPU seconds of compute_estimators over every completed
//! condition, one estimator family at a time or a given list, with the options `memlif analyze`
//! would use (the file's card, its seed). Not part of ctest; figures go to bench/RESULTS.md.
//!
//!   memlif_bench_estimators FILE [--estimators a,b,...] [--each] [--repeat R] [--dump OUT]
//!
//! --each times the nine families one by one, then the default list and all nine together.
//! --dump writes every result field of every condition in hexadecimal floating point, so two
//! builds (or two thread counts) can be compared bit for bit with `cmp`.
#include "host/config.hpp"
#include "host/information/estimators.hpp"
#include "io/run_file.hpp"

#include "memlif/config.hpp"

#if MEMLIF_USE_OPENMP
#include <omp.h>
#endif

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace memlif;

double cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

std::vector<std::string> split(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    for (std::string item; std::getline(ss, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

void dump_vec(std::ostream& os, const char* name, const std::vector<double>& v) {
    os << name << ' ' << v.size();
    char buf[40];
    for (double x : v) {
        std::snprintf(buf, sizeof buf, " %a", x);
        os << buf;
    }
    os << '\n';
}

void dump_scalar(std::ostream& os, const char* name, double x) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%a", x);
    os << name << ' ' << buf << '\n';
}

void dump_result(std::ostream& os, std::uint32_t condition, const EstimatorResult& e) {
    os << "condition " << condition << " estimator " << e.name << '\n';
    dump_scalar(os, "mi", e.mi);
    dump_scalar(os, "h_r", e.h_r);
    dump_scalar(os, "h_rs", e.h_rs);
    dump_scalar(os, "mi_se", e.mi_se);
    dump_scalar(os, "mi_ci_lo", e.mi_ci_lo);
    dump_scalar(os, "mi_ci_hi", e.mi_ci_hi);
    dump_scalar(os, "mi_corrected", e.mi_corrected);
    dump_scalar(os, "null_mean", e.null_mean);
    dump_scalar(os, "p_value", e.p_value);
    dump_scalar(os, "r_bins", e.r_bins);
    dump_scalar(os, "r_tot", e.r_tot);
    dump_vec(os, "sss", e.sss);
    dump_vec(os, "sps", e.sps);
    dump_vec(os, "r_bins_s", e.r_bins_s);
    dump_vec(os, "null_quantiles", e.null_quantiles);
    dump_vec(os, "sss_ci_lo", e.sss_ci_lo);
    dump_vec(os, "sss_ci_hi", e.sss_ci_hi);
    dump_vec(os, "sps_ci_lo", e.sps_ci_lo);
    dump_vec(os, "sps_ci_hi", e.sps_ci_hi);
    dump_vec(os, "sss_se", e.sss_se);
    dump_vec(os, "sps_se", e.sps_se);
    dump_vec(os, "sss_corrected", e.sss_corrected);
    dump_vec(os, "sps_corrected", e.sps_corrected);
    os << "rank";
    for (std::uint32_t r : e.rank) os << ' ' << r;
    os << "\nflags " << e.flags.mi_negative << e.flags.mi_above_log2_s << e.flags.mi_above_h_s
       << e.flags.sps_undefined << e.flags.qe_fallback << e.flags.ps_not_empirical << " reliable "
       << e.reliable << " replicates " << e.replicates << '\n';
}

struct Timing {
    double wall_s = 0, cpu_s = 0;
};

Timing time_list(const std::vector<ConditionCounts>& counts, const std::vector<std::uint32_t>& ids,
                 const io::StimulusTable& stimuli, EstimatorOptions opts,
                 const std::vector<std::string>& list, std::ostream* dump) {
    opts.estimators = list;
    const double c0 = cpu_seconds();
    const auto w0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < counts.size(); ++i) {
        const EstimatorResults r =
            compute_estimators(counts[i], stimuli.p_s, stimuli.n_input_spikes, opts);
        if (dump)
            for (const EstimatorResult& e : r.estimates) dump_result(*dump, ids[i], e);
    }
    const auto w1 = std::chrono::steady_clock::now();
    return {std::chrono::duration<double>(w1 - w0).count(), cpu_seconds() - c0};
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
    return s;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr,
                     "usage: %s FILE [--estimators a,b,...] [--each] [--repeat R] "
                     "[--dump OUT]\n",
                     argv[0]);
        return 2;
    }
    const std::string path = argv[1];
    std::vector<std::vector<std::string>> lists;
    std::string dump_path;
    int repeat = 1;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--estimators" && i + 1 < argc) {
            lists.push_back(split(argv[++i]));
        } else if (a == "--each") {
            for (const char* n :
                 {"plugin", "mm", "pt", "qe", "sh", "null", "jackknife", "bootstrap", "nsb"})
                lists.push_back({n});
            lists.push_back({"plugin", "mm", "pt", "jackknife"});
            lists.push_back(
                {"plugin", "mm", "pt", "qe", "sh", "null", "jackknife", "bootstrap", "nsb"});
        } else if (a == "--repeat" && i + 1 < argc) {
            repeat = std::atoi(argv[++i]);
        } else if (a == "--dump" && i + 1 < argc) {
            dump_path = argv[++i];
        } else {
            std::fprintf(stderr, "unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    if (lists.empty()) lists.push_back({"plugin", "mm", "pt", "jackknife"});

    const io::RunReader reader(path);
    const io::RunMetadata meta = reader.metadata();
    const nlohmann::json card =
        migrate_stored_card(parse_card_text(meta.config_json, path + ":/config_json"));
    EstimatorOptions opts = resolve_config(card).estimator_options;
    opts.seed = meta.seed;
    const io::StimulusTable stimuli = reader.stimuli();
    const std::vector<std::uint32_t> ids = reader.completed_conditions();
    std::vector<ConditionCounts> counts;
    std::size_t entries = 0;
    for (std::uint32_t c : ids) {
        counts.push_back(reader.counts(c));
        entries += counts.back().words.size();
    }
#if MEMLIF_USE_OPENMP
    const int threads = omp_get_max_threads();
#else
    const int threads = 1;
#endif
    std::printf("# %s: %zu conditions x %zu stimuli, %zu occupied cells, seed %llu, threads %d\n",
                path.c_str(), counts.size(), reader.n_stimuli(), entries,
                static_cast<unsigned long long>(meta.seed), threads);
    std::printf("%-50s %4s %10s %10s\n", "estimators", "rep", "wall_s", "cpu_s");
    std::ofstream dump;
    if (!dump_path.empty()) dump.open(dump_path);
    for (const auto& list : lists)
        for (int r = 0; r < repeat; ++r) {
            const Timing t = time_list(counts, ids, stimuli, opts, list,
                                       r == 0 && dump.is_open() ? &dump : nullptr);
            std::printf("%-50s %4d %10.3f %10.3f\n", join(list).c_str(), r, t.wall_s, t.cpu_s);
            std::fflush(stdout);
        }
    return 0;
}
