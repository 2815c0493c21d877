// SPDX-License-Identifier: MIT
//! \file tests/cli/shard_merge_test.cpp
//! `memlif run --shard K/N` and `memlif merge` as a user meets them: the merged file equals the
//! unsharded run's file dataset for dataset (counts, plug-in results, every analysis table; the
//! timing columns and /runtime aside) for N = 1, 2, 3 and 7, for an MI sweep with seeded
//! resampling estimators, with ground-truth reruns, on a theta-burst ladder grid and on the
//! 65536-pattern set; and every shard set that is not exactly one sweep is refused with exit 2,
//! a message naming the file and no output left behind.
#include "cli_util.hpp"
#include "file_compare.hpp"

#include "io/h5.hpp"

#include <gtest/gtest.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

using memlif::cli_test::contains;
using memlif::cli_test::exists;
using memlif::cli_test::Result;

//! memlif on the CPU backend, as under ctest, so that a GPU machine runs the same thing
Result sh(const std::string& args) {
    return memlif::cli_test::sh_env("MEMLIF_DISABLE_DEVICE=1", args);
}

class ShardMerge : public memlif::cli_test::Cli {
  protected:
    //! Runs `args` whole into whole.h5 and as N shards merged into merged_N.h5; expects them equal.
    void expect_merge_equals_run(const std::string& args,
                                 std::vector<unsigned> counts = {1, 2, 3, 7}) {
        const std::string whole = file("whole.h5");
        const Result r = sh("run " + args + " -q -o " + whole);
        ASSERT_EQ(r.code, 0) << r.out;
        const auto want = test::datasets(whole);
        ASSERT_TRUE(want.count("/counts/word")) << "no counts in the run file";
        for (unsigned n : counts) {
            std::string shards;
            for (unsigned k = 0; k < n; ++k) {
                const std::string s =
                    file("s" + std::to_string(k) + "of" + std::to_string(n) + ".h5");
                const Result rs = sh("run " + args + " -q --shard " + std::to_string(k) + "/" +
                                     std::to_string(n) + " -o " + s);
                ASSERT_EQ(rs.code, 0) << rs.out;
                shards += " " + s;
            }
            const std::string merged = file("merged_" + std::to_string(n) + ".h5");
            const Result rm = sh("merge -q " + merged + shards);
            ASSERT_EQ(rm.code, 0) << rm.out;
            const auto got = test::datasets(merged);
            for (const auto& [name, d] : want) {
                if (test::is_timing(name)) continue;
                const auto it = got.find(name);
                ASSERT_NE(it, got.end()) << name << " missing from the merge of " << n;
                EXPECT_EQ(it->second.shape, d.shape) << name << ", " << n << " shards";
                EXPECT_TRUE(it->second.bytes == d.bytes) << name << " differs, " << n << " shards";
            }
            for (const auto& [name, d] : got)
                EXPECT_TRUE(test::is_timing(name) || want.count(name))
                    << name << " only in the merge";
            // the same file for the user: completeness and the stored card's seed
            memlif::io::h5::Handle f = memlif::io::h5::open_file(merged, false);
            EXPECT_EQ(memlif::io::h5::read_attr<std::uint8_t>(f, "complete"), 1);
            EXPECT_EQ(memlif::io::h5::read_attr_string(f, "filetype"), "memlif-run");
        }
    }
};

const std::string k_grid = R"(--set 'conductance_grid=[{"kind":"list","values_uS":[3.0, 12.0]}]')";

TEST_F(ShardMerge, MiSweepWithSeededEstimators) {
    expect_merge_equals_run(
        k_grid + " --set simulation.repeats=4 --set "
                 "'information.estimators=[\"plugin\",\"mm\",\"pt\",\"qe\",\"sh\",\"jackknife\","
                 "\"bootstrap\",\"null\"]' --set information.bootstrap.replicates=5 "
                 "--set information.null.replicates=5");
}

TEST_F(ShardMerge, GroundTruthReruns) {
    expect_merge_equals_run(
        R"(--set 'conductance_grid=[{"kind":"list","values_uS":[3.0, 8.0, 12.0]}]')"
        " --set simulation.repeats=3 --set simulation.solver=exact"
        " --set ground_truth.enabled=true --set 'ground_truth.conditions=[2, 0]'"
        " --set ground_truth.repeats=11");
}

TEST_F(ShardMerge, ThetaBurstLadderGrid) {
    expect_merge_equals_run(std::string(MEMLIF_SOURCE_DIR) +
                                "/tools/cards/ladder.json --set simulation.repeats=2 "
                                "--set simulation.solver=exact",
                            {1, 3});
}

TEST_F(ShardMerge, AllPatternsSplitInsideConditions) {
    // 65536 stimuli and one condition: every shard boundary falls inside the condition
    expect_merge_equals_run(
        R"(--set 'conductance_grid=[{"kind":"list","values_uS":[9.0]}]')"
        " --set stimulus.set=all --set simulation.repeats=2"
        " --set simulation.solver=exact --set 'information.estimators=[\"plugin\",\"pt\"]'",
        {2, 7});
}

class ShardRefusal : public ShardMerge {
  protected:
    void SetUp() override {
        ShardMerge::SetUp();
        for (unsigned k = 0; k < 3; ++k) {
            const Result r = sh("run " + k_grid + " --set simulation.repeats=2 -q --shard " +
                                std::to_string(k) + "/3 -o " + shard(k));
            ASSERT_EQ(r.code, 0) << r.out;
        }
    }
    std::string shard(unsigned k) const { return file("s" + std::to_string(k) + ".h5"); }
    //! Expects exit 2, a message holding `needle`, and no output file (nor its temporary).
    void expect_refused(const std::string& inputs, const std::string& needle) {
        const std::string out = file("out.h5");
        const Result r = sh("merge " + out + " " + inputs);
        EXPECT_EQ(r.code, 2) << r.out;
        EXPECT_NE(r.out.find(needle), std::string::npos) << r.out;
        EXPECT_FALSE(exists(out));
        const Result ls = [&] {
            Result l;
            FILE* p = popen(("ls " + dir_).c_str(), "r");
            std::array<char, 4096> buf;
            std::size_t n;
            while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) l.out.append(buf.data(), n);
            pclose(p);
            return l;
        }();
        EXPECT_EQ(ls.out.find("merge-"), std::string::npos) << "temporary left behind: " << ls.out;
    }
};

TEST_F(ShardRefusal, MissingShard) {
    expect_refused(shard(0) + " " + shard(2), "1/3");
    expect_refused(shard(0) + " " + shard(2), "missing");
}

TEST_F(ShardRefusal, DuplicateShard) {
    expect_refused(shard(0) + " " + shard(1) + " " + shard(2) + " " + shard(1), "given twice");
    expect_refused(shard(0) + " " + shard(1) + " " + shard(2) + " " + shard(1), shard(1));
}

TEST_F(ShardRefusal, ShardOfAnotherSeedOrCardOrCount) {
    const std::string seed = file("seed.h5"), card = file("card.h5"), count = file("count.h5");
    ASSERT_EQ(
        sh("run " + k_grid + " --set simulation.repeats=2 --set seed=99 -q --shard 1/3 -o " + seed)
            .code,
        0);
    ASSERT_EQ(sh("run " + k_grid +
                 " --set simulation.repeats=2 --set neuron.tau_ms=21 -q --shard 1/3 -o " + card)
                  .code,
              0);
    ASSERT_EQ(sh("run " + k_grid + " --set simulation.repeats=2 -q --shard 1/2 -o " + count).code,
              0);
    expect_refused(shard(0) + " " + seed + " " + shard(2), seed);
    expect_refused(shard(0) + " " + seed + " " + shard(2), "seed 99");
    expect_refused(shard(0) + " " + card + " " + shard(2), "/neuron/tau_ms");
    expect_refused(shard(0) + " " + count + " " + shard(2), count);
    // where a shard ran does not matter: another backend and output keep it in the sweep
    const std::string cpu = file("cpu.h5");
    ASSERT_EQ(sh("run " + k_grid +
                 " --set simulation.repeats=2 --backend cpu --set simulation.threads=1 -q --shard "
                 "1/3 -o " +
                 cpu)
                  .code,
              0);
    const Result ok = sh("merge -q " + file("ok.h5") + " " + shard(0) + " " + cpu + " " + shard(2));
    EXPECT_EQ(ok.code, 0) << ok.out;
}

TEST_F(ShardRefusal, RunFilesAndIncompleteShardsAreNotShards) {
    const std::string run = file("run.h5");
    ASSERT_EQ(sh("run " + k_grid + " --set simulation.repeats=2 -q -o " + run).code, 0);
    expect_refused(shard(0) + " " + run + " " + shard(2), run);
    expect_refused(shard(0) + " " + run + " " + shard(2), "not a memlif shard file");
    {
        memlif::io::h5::Handle f = memlif::io::h5::open_file(shard(1), true);
        memlif::io::h5::write_attr<std::uint8_t>(f, "complete", 0);
        memlif::io::h5::write_attr_string(f, "incomplete_reason", "interrupted");
    }
    expect_refused(shard(0) + " " + shard(1) + " " + shard(2), "incomplete");
    expect_refused(shard(0) + " " + file("absent.h5") + " " + shard(2), "absent.h5");
}

std::string read_text(const std::string& path) {
    std::string t;
    if (FILE* f = std::fopen(path.c_str(), "rb")) {
        char buf[256];
        std::size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) t.append(buf, n);
        std::fclose(f);
    }
    return t;
}

TEST_F(ShardRefusal, Issue12_ShardAndMergeDoNotOverwriteWithoutForce) {
    // A shard and a merge wrote over any existing file (a previous result, a card) silently.
    const std::string target = file("taken.h5");
    for (const std::string& cmd :
         {"run " + k_grid + " --set simulation.repeats=2 -q --shard 0/3 -o " + target,
          "merge -q " + target + " " + shard(0) + " " + shard(1) + " " + shard(2)}) {
        {
            std::FILE* f = std::fopen(target.c_str(), "wb");
            std::fputs("precious", f);
            std::fclose(f);
        }
        const Result r = sh(cmd);
        EXPECT_EQ(r.code, 2) << cmd << "\n" << r.out;
        EXPECT_NE(r.out.find("taken.h5' exists"), std::string::npos) << r.out;
        EXPECT_EQ(read_text(target), "precious") << cmd;
        const Result forced = sh(cmd + " --force");
        EXPECT_EQ(forced.code, 0) << cmd << "\n" << forced.out;
        EXPECT_NE(read_text(target).substr(1, 3), "rec") << "not replaced: " << cmd;
        EXPECT_FALSE(exists(target + ".partial")) << cmd;
        EXPECT_FALSE(exists(target + ".lock")) << cmd;
    }
}

TEST_F(ShardRefusal, Issue12_AnInterruptedShardExits143AndIsKeptAsPartial) {
    // A shard wrote straight to OUT (a stopped one looked like a file to merge) and exited 130
    // after SIGTERM. Now it is OUT.partial until complete, and the exit is 128 + SIGTERM.
    const std::string out = file("long.h5");
    const pid_t pid = fork();
    if (pid == 0) {
        const std::string memlif = MEMLIF_EXE;
        ::setenv("MEMLIF_DISABLE_DEVICE", "1", 1);
        execl(memlif.c_str(), memlif.c_str(), "run", "-q", "--shard", "0/2", "--set",
              "simulation.repeats=400", "-o", out.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    // The stop handlers are installed before the partial file is created: wait for it, not for a
    // time (the shard takes tens of seconds, so it is stopped well before it ends).
    for (int i = 0; i < 3000 && !exists(out + ".partial"); ++i) ::usleep(10000);
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 143);
    EXPECT_FALSE(exists(out));
    ASSERT_TRUE(exists(out + ".partial"));
    EXPECT_FALSE(exists(out + ".lock"));
    const Result info = sh("info " + out + ".partial");
    EXPECT_EQ(info.code, 0) << info.out;
    EXPECT_NE(info.out.find("INCOMPLETE: interrupted"), std::string::npos) << info.out;
    // the kept shard is replaced only on request
    const std::string again =
        "run " + k_grid + " --set simulation.repeats=2 -q --shard 0/2 -o " + out;
    const Result refused = sh(again);
    EXPECT_EQ(refused.code, 2) << refused.out;
    EXPECT_NE(refused.out.find("long.h5.partial"), std::string::npos) << refused.out;
    const Result forced = sh(again + " --force");
    EXPECT_EQ(forced.code, 0) << forced.out;
    EXPECT_TRUE(exists(out));
    EXPECT_FALSE(exists(out + ".partial"));
}

TEST_F(ShardRefusal, Issue12_AStoppedMergeLeavesNothingBehind) {
    // review finding: SIGINT/SIGTERM killed a merge before its temporary file was removed, and
    // OUT.merge-PID files piled up (merge installed no stop handlers)
    const std::string out = file("m.h5"), shards = shard(0) + " " + shard(1) + " " + shard(2);
    for (const char* sig : {"TERM", "INT"})
        for (int at : {1, 3, 5}) {
            const Result r = memlif::cli_test::sh_env(
                "MEMLIF_DISABLE_DEVICE=1 MEMLIF_TEST_RAISE=" + std::string(sig) + ":" +
                    std::to_string(at),
                "merge -q " + out + " " + shards);
            EXPECT_EQ(r.code, std::string(sig) == "TERM" ? 143 : 130) << sig << at << r.out;
            const Result ls = memlif::cli_test::shell("ls " + dir_);
            EXPECT_FALSE(contains(ls.out, "m.h5")) << sig << at << ": " << ls.out;
        }
    EXPECT_EQ(sh("merge -q " + out + " " + shards).code, 0);
}

TEST_F(ShardRefusal, Issue12_AShardWithoutACardIsRefusedNamingIt) {
    // review finding: a shard whose /config_json is not a card made merge exit 1
    // ("internal error: [json.exception.parse_error.101]", "type_error.305")
    for (const char* text : {"not json", "3", "[1]"}) {
        {
            memlif::io::h5::Handle f = memlif::io::h5::open_file(shard(1), true);
            memlif::io::h5::unlink(f, "config_json");
            memlif::io::h5::write_string_dataset(f, "config_json", text);
            memlif::io::h5::write_attr_string(f, "card_digest", "0000000000000000");
        }
        const Result r =
            sh("merge -q " + file("out.h5") + " " + shard(0) + " " + shard(1) + " " + shard(2));
        EXPECT_EQ(r.code, 2) << text << ": " << r.out;
        EXPECT_TRUE(contains(r.out, "s1.h5")) << text << ": " << r.out;
        EXPECT_FALSE(exists(file("out.h5")));
    }
}

TEST_F(ShardRefusal, AShardIsNotARunFile) {
    const Result info = sh("info " + shard(1));
    EXPECT_EQ(info.code, 0) << info.out;
    EXPECT_NE(info.out.find("shard 1/3"), std::string::npos) << info.out;
    const Result an = sh("analyze " + shard(1));
    EXPECT_EQ(an.code, 2) << an.out;
    EXPECT_NE(an.out.find("not a memlif-run file"), std::string::npos) << an.out;
}

TEST_F(ShardMerge, RunRefusesWhatCannotBeSharded) {
    const std::string out = file("x.h5");
    for (const std::string& args : {std::string("--shard 3/3"), std::string("--shard 1-3"),
                                    std::string("--set experiment.kind=iv_sweep --shard 0/2"),
                                    k_grid + " --set output.store_trials=true --shard 0/2"}) {
        const Result r = sh("run " + args + " -q -o " + out);
        EXPECT_EQ(r.code, 2) << args << ": " << r.out;
        EXPECT_FALSE(exists(out)) << args;
    }
    EXPECT_NE(sh("run --shard 3/3 -o " + out).out.find("--shard 3/3"), std::string::npos);
    EXPECT_NE(
        sh("run --set experiment.kind=iv_sweep --shard 0/2 -o " + out).out.find("experiment.kind"),
        std::string::npos);
    EXPECT_NE(sh("run " + k_grid + " --set output.store_trials=true --shard 0/2 -o " + out)
                  .out.find("output.store_trials"),
              std::string::npos);
}

} // namespace

namespace {

TEST(Devices, WithoutCudaDevicesTheKeyIsRefusedByNameAndNothingIsWritten) {
    char tmpl[] = "/tmp/memlif_dev_XXXXXX";
    const std::string dir = mkdtemp(tmpl), out = dir + "/d.h5";
    for (const char* v : {"all", "[0,1]", "[0]"}) {
        const Result r = sh(std::string("run --set simulation.devices=") + v + " " + k_grid +
                            " --set simulation.repeats=1 -q -o " + out);
        EXPECT_EQ(r.code, 2) << v << ": " << r.out;
        EXPECT_NE(r.out.find("simulation.devices"), std::string::npos) << r.out;
        EXPECT_FALSE(exists(out)) << v;
    }
    const Result bad = sh("run --set simulation.devices=[1,1] -q -o " + out);
    EXPECT_EQ(bad.code, 2) << bad.out;
    EXPECT_NE(bad.out.find("listed twice"), std::string::npos) << bad.out;
    std::system(("rm -rf " + dir).c_str());
}

} // namespace
