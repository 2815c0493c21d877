// SPDX-License-Identifier: MIT
//! \file tests/cli/hostile_input_test.cpp
//! Issue 12: hostile cards and files through the executable. Every one is refused with exit 2 and
//! a message naming the culprit, never a crash, a hang or an internal error (exit 1).
#include "cli_util.hpp"

#include "io/h5.hpp"
#include "io/run_file.hpp"

#include <gtest/gtest.h>

#include <string>
#include <sys/stat.h>

namespace {

using namespace memlif::cli_test;
namespace h5 = memlif::io::h5;

//! A quick card: 5 output bins of 100 us steps.
const char* k_quick =
    " -q --set simulation.repeats=1 --set simulation.dt_us=100 --set response.window_ms=50 ";

TEST_F(Cli, Issue12_ACardThatIsNotARegularFileIsRefusedAtOnce) {
    // defect 19: /dev/zero was read forever, a FIFO blocked, a directory was "invalid JSON"
    const std::string fifo = file("fifo.json");
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    std::system(("mkdir -p " + file("dir.json")).c_str());
    for (const std::string& card : {std::string("/dev/zero"), fifo, file("dir.json")}) {
        // timeout(1) only turns a hang into a failure; the expected exit is immediate
        const Result r = shell("timeout 30 " + exe() + " run " + card + " -o " + file("o.h5"));
        EXPECT_EQ(r.code, 2) << card << ": " << r.out;
        EXPECT_TRUE(contains(r.out, card)) << r.out;
        EXPECT_FALSE(exists(file("o.h5")));
    }
    EXPECT_TRUE(contains(sh("run " + file("dir.json")).out, "is a directory"));
}

TEST_F(Cli, Issue12_ACardMustBeAJsonObject) {
    // defect 19: `null` ran the default card; a list was blamed on "--set output.path"
    for (const char* text : {"null", "[1, 2]", "3"}) {
        const std::string card = write("c.json", text);
        const Result r = sh("run " + card + std::string(k_quick) + "-o " + file("o.h5"));
        EXPECT_EQ(r.code, 2) << text << ": " << r.out;
        EXPECT_TRUE(contains(r.out, "a run card is a JSON object")) << r.out;
        EXPECT_FALSE(contains(r.out, "output.path")) << r.out;
        EXPECT_FALSE(exists(file("o.h5")));
    }
}

TEST_F(Cli, Issue12_ADeepCardExits2) {
    // defect 6: 10^5 levels segfaulted (exit 139)
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    const std::string card = write("deep.json", R"({"information": {"pt_rtot": )" + deep + "}}");
    const Result r = sh("run " + card + " -o " + file("o.h5"));
    EXPECT_EQ(r.code, 2) << r.out.substr(0, 300);
    EXPECT_TRUE(contains(r.out, "information.pt_rtot")) << r.out.substr(0, 300);
}

TEST_F(Cli, Issue12_ANumberBeyondTheDoubleRangeExits2NamingItsKey) {
    // defect 9: "internal error: number overflow", exit 1
    Result r = sh("run --set neuron.tau_ms=1e400 -o " + file("o.h5"));
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "neuron.tau_ms")) << r.out;
    r = sh("run " + write("c.json", R"({"stimulus": {"spike_amplitude_V": -1e999}})") + " -o " +
           file("o.h5"));
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "stimulus.spike_amplitude_V")) << r.out;
}

TEST_F(Cli, Issue12_AHugeGridIsRefusedBeforeItAllocates) {
    // defect 7: n = 2^32 and a 100^4 product exhausted memory before the size check (under a
    // 2 GiB address-space limit that is std::bad_alloc, exit 1)
    std::string axis = "[";
    for (int i = 1; i <= 100; ++i) axis += std::to_string(i) + (i < 100 ? "," : "]");
    const std::string product = R"({"conductance_grid": [{"kind": "product", "per_synapse_uS": [)" +
                                axis + "," + axis + "," + axis + "," + axis +
                                "]}], \"stimulus\": {\"set\": \"all\"}}";
    const std::string cards[] = {
        write(
            "log.json",
            R"({"conductance_grid": [{"kind": "log", "start_uS": 1, "stop_uS": 2, "n": 4294967296}]})"),
        write("product.json", product)};
    const std::string keys[] = {"conductance_grid[0].n", "conductance_grid[0].per_synapse_uS"};
    for (int i = 0; i < 2; ++i) {
        const Result r =
            shell("ulimit -S -v 2000000; " + exe() + " run " + cards[i] + " -o " + file("o.h5"));
        EXPECT_EQ(r.code, 2) << cards[i] << ": " << r.out;
        EXPECT_TRUE(contains(r.out, keys[i])) << r.out;
        EXPECT_TRUE(contains(r.out, "65536")) << r.out;
    }
}

TEST_F(Cli, Issue12_RepeatsThatCannotFitInMemoryAreRefusedUpFront) {
    // defect 8: they passed validation, died with std::bad_alloc (exit 1) and left a "failed" file
    Result r = sh("run --set simulation.repeats=4000000000 -o " + file("o.h5"));
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "simulation.repeats")) << r.out;
    EXPECT_TRUE(contains(r.out, "memory")) << r.out;
    EXPECT_FALSE(exists(file("o.h5")) || exists(file("o.h5.partial")));
    r = sh("run" + std::string(k_quick) +
           "--set ground_truth.enabled=true --set ground_truth.repeats=4000000000 --set "
           "'conductance_grid=[{\"kind\":\"list\",\"values_uS\":[3]}]' "
           "--set 'ground_truth.conditions=[0]' -o " +
           file("o.h5"));
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "ground_truth.repeats")) << r.out;
    EXPECT_FALSE(exists(file("o.h5")) || exists(file("o.h5.partial")));
}

TEST_F(Cli, Issue12_MoreThreadsThanTheProcessMayStartExits2) {
    // defect 10: libgomp aborted ("Thread creation failed"), exit 1. An address-space limit too
    // small for 1000 thread stacks stands in for any thread limit (root ignores RLIMIT_NPROC).
    const Result r = shell("ulimit -S -v 3000000; " + exe() + " run" + k_quick +
                           "--set simulation.threads=1000 --set "
                           "'conductance_grid=[{\"kind\":\"list\",\"values_uS\":[3]}]' -o " +
                           file("o.h5"));
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "simulation.threads")) << r.out;
    EXPECT_FALSE(exists(file("o.h5")) || exists(file("o.h5.partial")));
}

//! A finished quick run of two conditions at `path` with the default estimators.
void quick_run(const std::string& path) {
    const Result r = sh("run" + std::string(k_quick) + k_fast_grid + " -o " + path);
    ASSERT_EQ(r.code, 0) << r.out;
}

TEST_F(Cli, Issue12_AConfigJsonThatIsNotACardExits2) {
    // defect 10: a /config_json holding a list made `analyze --estimators` exit 1
    const std::string path = file("r.h5");
    quick_run(path);
    {
        h5::Handle f = h5::open_file(path, true);
        h5::unlink(f, "config_json");
        h5::write_string_dataset(f, "config_json", "[1, 2]");
    }
    const Result r = sh("analyze " + path + " --estimators plugin --group x");
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "config_json")) << r.out;
}

TEST_F(Cli, Issue12_RunFilesThatBreakTheFormatExit2) {
    // defect 5: a short /analysis/run/pt_mi_bit was indexed past its end by info and analyze;
    // defect 17: a word with bits at or above n_bins, or n_bins = 200, was accepted (exit 0)
    const std::string base = file("base.h5");
    quick_run(base);
    const auto damaged = [&](const std::string& name, auto&& damage) {
        const std::string p = file(name + ".h5");
        std::system(("cp " + base + " " + p).c_str());
        h5::Handle f = h5::open_file(p, true);
        damage(static_cast<hid_t>(f));
        h5::flush(f);
        return p;
    };
    std::string p = damaged("short", [](hid_t f) {
        h5::unlink(f, "analysis/run/pt_mi_bit");
        h5::write_dataset<double>(f, "analysis/run/pt_mi_bit", {1.0}, {1});
    });
    Result r = sh("info " + p);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "/analysis/run/pt_mi_bit")) << r.out;
    // analyze summarises the group it writes, not /analysis/run: the short column is no concern
    // of it, but its summary goes through the same checked reads, so it must finish cleanly
    r = sh("analyze " + p + " --estimators plugin --group x");
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "wrote ")) << r.out;
    p = damaged("bits", [](hid_t f) {
        h5::Handle w = h5::open_dataset(f, "counts/word");
        const std::uint64_t high = 1ull << 40;
        h5::write_box<std::uint64_t>(w, {0}, {1}, &high);
    });
    r = sh("analyze " + p + " --estimators plugin pt --group x");
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "n_bins")) << r.out;
    p = damaged("nbins", [](hid_t f) { h5::write_attr<std::uint32_t>(f, "n_bins", 200); });
    r = sh("info " + p);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "n_bins = 200")) << r.out;
}

TEST_F(Cli, Issue12_StimulusProbabilitiesThatDoNotSumToOneExit2) {
    // found by tests/fuzz/run_file_fuzz: analyze reached the estimators with a /stimuli/p_s that
    // does not sum to 1 and ended with "internal error" (exit 1)
    const std::string p = file("ps.h5");
    quick_run(p);
    {
        h5::Handle f = h5::open_file(p, true);
        h5::Handle d = h5::open_dataset(f, "stimuli/p_s");
        const double half = 0.5;
        h5::write_box<double>(d, {0}, {1}, &half);
    }
    const Result r = sh("analyze " + p + " --estimators plugin --group x");
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "/stimuli/p_s sums to")) << r.out;
}

TEST_F(Cli, Issue12_AnAnalyzeGroupCannotNameOtherGroups) {
    // defect 18: --group "" --replace unlinked every /analysis group, /analysis/run included
    const std::string path = file("r.h5");
    quick_run(path);
    for (const char* group : {"\"\"", "a/b", "..", "run", "ground_truth"}) {
        const Result r = sh("analyze " + path + " --estimators plugin --replace --group " + group);
        EXPECT_EQ(r.code, 2) << group << ": " << r.out;
    }
    EXPECT_TRUE(memlif::io::RunReader(path).has("/analysis/run/pt_mi_bit"));
}

} // namespace
