// SPDX-License-Identifier: MIT
//! \file tests/cli/mpi_run_test.cpp
//! `mpirun -n 2 --oversubscribe memlif run CARD` on the CPU backend: the ranks split the sweep,
//! rank 0 gathers the sparse counts and writes the one file, which equals the unsharded run's
//! dataset for dataset (timing aside), ground-truth reruns included. Skipped, with the reason,
//! when this build has no MPI (Open MPI not found at configure time).
#include "cli_util.hpp"
#include "file_compare.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>

namespace {

using memlif::cli_test::exists;
using memlif::cli_test::Result;

Result run(const std::string& cmd) { return memlif::cli_test::shell(cmd); }

//! mpirun with `n` ranks on this one machine, root allowed (CI containers run as root).
std::string mpirun(int n) {
    return "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
           "OMPI_MCA_rmaps_base_oversubscribe=1 " +
           std::string(MEMLIF_MPIEXEC) + " -n " + std::to_string(n) + " --oversubscribe ";
}

class MpiRun : public ::testing::Test {
  protected:
    void SetUp() override {
        if (std::string(MEMLIF_MPIEXEC).empty())
            GTEST_SKIP() << "this build has no MPI (Open MPI not found at configure time: apt-get "
                            "install libopenmpi-dev openmpi-bin)";
        char tmpl[] = "/tmp/memlif_mpi_XXXXXX";
        dir_ = mkdtemp(tmpl);
    }
    void TearDown() override {
        if (!dir_.empty()) std::system(("rm -rf " + dir_).c_str());
    }
    std::string file(const std::string& name) const { return dir_ + "/" + name; }

    void expect_mpi_equals_run(const std::string& args, int ranks) {
        const std::string whole = file("whole.h5"), mpi = file("mpi.h5");
        const Result r = run(std::string(MEMLIF_EXE) + " run " + args + " -q -o " + whole);
        ASSERT_EQ(r.code, 0) << r.out;
        const Result m = run(mpirun(ranks) + MEMLIF_EXE + " run " + args + " -o " + mpi);
        ASSERT_EQ(m.code, 0) << m.out;
        EXPECT_NE(m.out.find("gathered"), std::string::npos) << m.out;
        const auto want = test::datasets(whole), got = test::datasets(mpi);
        for (const auto& [name, d] : want) {
            if (test::is_timing(name)) continue;
            const auto it = got.find(name);
            ASSERT_NE(it, got.end()) << name << " missing from the MPI run";
            EXPECT_EQ(it->second.shape, d.shape) << name;
            EXPECT_TRUE(it->second.bytes == d.bytes) << name << " differs, " << ranks << " ranks";
        }
        for (const auto& [name, d] : got)
            EXPECT_TRUE(test::is_timing(name) || want.count(name)) << name;
    }
    std::string dir_;
};

TEST_F(MpiRun, TwoRanksWriteTheUnshardedRunsFile) {
    expect_mpi_equals_run(R"(--set 'conductance_grid=[{"kind":"list","values_uS":[3.0, 12.0]}]')"
                          " --set simulation.repeats=4 --set simulation.threads=1",
                          2);
}

TEST_F(MpiRun, ThreeRanksWithGroundTruthReruns) {
    expect_mpi_equals_run(
        R"(--set 'conductance_grid=[{"kind":"list","values_uS":[3.0, 8.0]}]')"
        " --set simulation.repeats=3 --set simulation.solver=exact --set simulation.threads=1"
        " --set ground_truth.enabled=true --set 'ground_truth.conditions=[1]'"
        " --set ground_truth.repeats=9",
        3);
}

TEST_F(MpiRun, ABadCardIsRefusedOnEveryRankAndNothingIsWritten) {
    const std::string out = file("bad.h5");
    const Result r = run(mpirun(2) + MEMLIF_EXE + " run --set neuron.tau_msec=3 -o " + out);
    EXPECT_NE(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("neuron.tau_msec"), std::string::npos) << r.out;
    EXPECT_FALSE(exists(out));
    const Result s = run(mpirun(2) + MEMLIF_EXE + " run --shard 0/2 -o " + out);
    EXPECT_NE(s.code, 0) << s.out;
    EXPECT_NE(s.out.find("--shard"), std::string::npos) << s.out;
    EXPECT_FALSE(exists(out));
}

} // namespace
