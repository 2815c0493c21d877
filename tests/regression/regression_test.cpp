// SPDX-License-Identifier: MIT
//! \file tests/regression/regression_test.cpp
//! Regression tests (the OpenMC model): each card in tests/regression/cards is run on the CPU
//! backend and its counts and information tables are compared with the stored reference in
//! tests/regression/reference/<card>.json. The references were confirmed by independent
//! implementations when they were made: the counts by the per-step word oracle below (run again
//! here on every test run) and the plug-in tables by `python3 -m memlifpy.reference --check`
//! (run again here on every test run). To regenerate them on purpose after an intended
//! change of results: MEMLIF_REGRESSION_UPDATE=1 ctest -R Regression (then review the diff).
#include "regression_oracle.hpp"

#include "host/config.hpp"
#include "host/run.hpp"
#include "io/run_file.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace memlif {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path k_dir = fs::path(MEMLIF_SOURCE_DIR) / "tests" / "regression";

//! FNV-1a 64 over 64-bit values (a content hash of a table, stable across machines).
struct Fnv {
    std::uint64_t h = 0xcbf29ce484222325ull;
    void add(std::uint64_t x) {
        for (int b = 0; b < 8; ++b) {
            h ^= (x >> (8 * b)) & 0xFF;
            h *= 0x100000001b3ull;
        }
    }
    std::string hex() const {
        char buf[24];
        std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
        return buf;
    }
};

std::string counts_hash(const ConditionCounts& c) {
    Fnv f;
    for (std::size_t s = 0; s < c.n_stimuli(); ++s)
        for (std::uint64_t k = c.offsets[s]; k < c.offsets[s + 1]; ++k) {
            f.add(s);
            f.add(c.words[k]);
            f.add(c.counts[k]);
        }
    return f.hex();
}

//! A number for the reference file; NaN becomes null.
json num(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

//! Sum of the finite entries of one condition row of a [n_g, n_s] table, and how many there are.
json row_summary(const std::vector<double>& table, std::size_t n_s, std::size_t c) {
    double sum = 0;
    std::size_t finite = 0;
    for (std::size_t s = 0; s < n_s; ++s) {
        const double x = table[c * n_s + s];
        if (std::isfinite(x)) {
            sum += x;
            ++finite;
        }
    }
    return json{{"sum", sum}, {"finite", finite}};
}

//! The regression record of a run file: counts (hash and size) and every information table.
json summarise(const std::string& path) {
    const io::RunReader r(path);
    const std::size_t n_s = r.n_stimuli();
    json out = json::object();
    json conditions = json::array();
    for (std::uint32_t c : r.completed_conditions()) {
        const ConditionCounts counts = r.counts(c);
        const ConditionRecord rec = r.results(c);
        json row = {
            {"condition", c},
            {"counts_rows", counts.words.size()},
            {"counts_fnv1a64", counts_hash(counts)},
            {"n_trials", rec.plugin.n_trials},
            {"distinct_responses", rec.plugin.distinct_total},
            {"mutual_information_bit", num(rec.plugin.mi)},
            {"h_r_bit", num(rec.plugin.h_r)},
            {"h_r_given_s_bit", num(rec.plugin.h_rs)},
            {"mean_output_spikes", num(rec.stats.mean_output_spikes)},
        };
        Fnv ranks;
        double sss = 0;
        for (std::size_t s = 0; s < n_s; ++s) {
            ranks.add(rec.plugin.rank[s]);
            if (std::isfinite(rec.plugin.sss[s])) sss += rec.plugin.sss[s];
        }
        row["sss_bit_sum"] = sss;
        row["sps_rank_fnv1a64"] = ranks.hex();
        conditions.push_back(std::move(row));
    }
    out["conditions"] = std::move(conditions);
    if (r.has("/analysis/run")) {
        json a = json::object();
        const std::string est = r.read_attr_string("/analysis/run", "estimators");
        std::istringstream names(est);
        std::string e;
        while (names >> e) {
            for (const char* suffix :
                 {"mi_bit", "h_r_bit", "h_r_given_s_bit", "mi_se_bit", "mi_corrected_bit", "null_mean_bit",
                  "p_value", "r_tot", "mi_ci_low_bit", "mi_ci_high_bit", "sss_bit", "sps_bit_per_spike",
                  "sss_se_bit", "sss_corrected_bit", "sss_ci_low_bit", "sss_ci_high_bit"}) {
                const std::string name = "/analysis/run/" + e + "_" + suffix;
                if (!r.has(name)) continue;
                std::vector<std::size_t> shape;
                const auto v = r.read_f64(name, &shape);
                json col = json::array();
                for (std::uint32_t c : r.completed_conditions())
                    col.push_back(shape.size() == 1 ? num(v[c]) : row_summary(v, n_s, c));
                a[e + "_" + suffix] = std::move(col);
            }
            const std::string rel = "/analysis/run/" + e + "_reliable";
            if (r.has(rel)) {
                const auto v = r.read_u8(rel);
                json col = json::array();
                for (std::uint32_t c : r.completed_conditions()) col.push_back(v[c]);
                a[e + "_reliable"] = std::move(col);
            }
        }
        out["analysis_run"] = std::move(a);
    }
    return out;
}

//! Compares two regression records: strings and integers exactly, floats to 1e-10 relative.
void expect_same(const json& got, const json& want, const std::string& where) {
    if (want.is_number_float() || got.is_number_float()) {
        ASSERT_TRUE(got.is_number() && want.is_number()) << where << ": " << got << " vs " << want;
        const double a = got.get<double>(), b = want.get<double>();
        EXPECT_LE(std::fabs(a - b), 1e-10 * std::max(1.0, std::fabs(b))) << where << ": " << a << " vs " << b;
        return;
    }
    ASSERT_EQ(got.type(), want.type()) << where << ": " << got << " vs " << want;
    if (want.is_object()) {
        for (auto it = want.begin(); it != want.end(); ++it) {
            ASSERT_TRUE(got.contains(it.key())) << where << "." << it.key() << " missing";
            expect_same(got[it.key()], it.value(), where + "." + it.key());
        }
        for (auto it = got.begin(); it != got.end(); ++it)
            EXPECT_TRUE(want.contains(it.key())) << where << "." << it.key() << " is new: update the reference";
    } else if (want.is_array()) {
        ASSERT_EQ(got.size(), want.size()) << where;
        for (std::size_t i = 0; i < want.size(); ++i) expect_same(got[i], want[i], where + "[" + std::to_string(i) + "]");
    } else {
        EXPECT_EQ(got, want) << where;
    }
}

class Regression : public ::testing::TestWithParam<std::string> {};

TEST_P(Regression, MatchesTheConfirmedReference) {
    const std::string name = GetParam();
    const std::string out = (fs::temp_directory_path() /
                             ("memlif_regression_" + std::to_string(::getpid()) + "_" + name + ".h5"))
                                .string();
    std::remove(out.c_str());
    json card = read_card_file((k_dir / "cards" / (name + ".json")).string());
    apply_override(card, "output.path=" + json(out).dump());
    apply_override(card, "simulation.backend=cpu");
    const RunConfig cfg = resolve_config(card);
    RunOptions quiet;
    quiet.quiet = true;
    const RunReport rep = execute_run(cfg, quiet);
    ASSERT_FALSE(rep.interrupted);

    // The counts of every condition, again, from the independent per-step oracle.
    {
        const io::RunReader r(out);
        const SweepPlan plan = make_sweep(cfg);
        for (std::uint32_t c : r.completed_conditions())
            EXPECT_EQ(counts_hash(r.counts(c)), counts_hash(test::oracle_counts(plan, c)))
                << name << " condition " << c << ": the sweep and the per-step oracle disagree";
    }

    const json got = summarise(out);
    const fs::path ref = k_dir / "reference" / (name + ".json");
    const char* update = std::getenv("MEMLIF_REGRESSION_UPDATE");
    if (update && std::string(update) == "1") {
        std::ofstream(ref) << got.dump(1) << "\n";
        std::printf("[ update ] wrote %s\n", ref.c_str());
    } else {
        std::ifstream in(ref);
        ASSERT_TRUE(in) << ref << " missing: run with MEMLIF_REGRESSION_UPDATE=1 to create it";
        const json want = json::parse(in);
        expect_same(got, want, name);
    }
    // The plug-in tables, again, from the independent numpy implementation.
    if (std::string(MEMLIF_PYTHON).empty()) {
        std::printf("[ skip ] no python3 with h5py and numpy: plug-in reference check not run\n");
    } else {
        const std::string cmd = "PYTHONPATH=" + std::string(MEMLIF_SOURCE_DIR) + "/tools " + MEMLIF_PYTHON +
                                " -m memlifpy.reference " + out + " --check";
        EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
    std::remove(out.c_str());
}

INSTANTIATE_TEST_SUITE_P(Cards, Regression, ::testing::Values("paper_small", "uniform_linear", "backspikes_all"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

} // namespace
} // namespace memlif
