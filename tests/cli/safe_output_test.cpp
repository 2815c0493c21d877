// SPDX-License-Identifier: MIT
//! \file tests/cli/safe_output_test.cpp
//! Issue 12: the output file. An existing file is replaced only with --force and never when it is
//! an input; the output appears only once complete (it is written as OUT.partial and renamed); a
//! second writer is refused before it touches anything.
#include "cli_util.hpp"

#include "io/run_file.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace memlif::cli_test;

const char* k_quick =
    " -q --set simulation.repeats=1 --set simulation.dt_us=100 --set response.window_ms=50 ";

std::string content(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST_F(Cli, Issue12_AnExistingFileIsNotOverwrittenWithoutForce) {
    // defect 1: a previous result, any file, the card itself and a symlink's target were
    // overwritten silently
    const std::string card = write("card.json", R"({"simulation": {"repeats": 1}})");
    const std::string card_text = content(card);
    const std::string other = write("notes.txt", "keep me");
    Result r = sh("run " + card + k_quick + k_fast_grid + " -o " + other);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "--force")) << r.out;
    EXPECT_EQ(content(other), "keep me");
    // the card, even with --force, also through a symlink and a hard link
    ASSERT_EQ(symlink(card.c_str(), file("via_link.json").c_str()), 0);
    ASSERT_EQ(link(card.c_str(), file("hard.json").c_str()), 0);
    for (const std::string& out : {card, file("via_link.json"), file("hard.json")}) {
        r = sh("run " + card + k_quick + k_fast_grid + " --force -o " + out);
        EXPECT_EQ(r.code, 2) << out << ": " << r.out;
        EXPECT_TRUE(contains(r.out, "is the input")) << r.out;
        EXPECT_EQ(content(card), card_text);
    }
    // a symlink to another file: without --force refused; with it the link is replaced, never
    // the file it points to
    ASSERT_EQ(symlink(other.c_str(), file("out_link.h5").c_str()), 0);
    r = sh("run " + card + k_quick + k_fast_grid + " -o " + file("out_link.h5"));
    EXPECT_EQ(r.code, 2) << r.out;
    r = sh("run " + card + k_quick + k_fast_grid + " --force -o " + file("out_link.h5"));
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_EQ(content(other), "keep me");
    EXPECT_TRUE(memlif::io::RunReader(file("out_link.h5")).complete());
    // a finished run is kept unless --force, which replaces it only once the new one is complete
    const std::string done = file("done.h5");
    ASSERT_EQ(sh("run " + card + k_quick + k_fast_grid + " -o " + done).code, 0);
    const std::string before = content(done);
    EXPECT_EQ(sh("run " + card + k_quick + k_fast_grid + " -o " + done).code, 2);
    EXPECT_EQ(content(done), before);
    EXPECT_EQ(sh_env("MEMLIF_TEST_RAISE=KILL:3",
                     "run " + card + k_quick + k_fast_grid + " --force -o " + done)
                  .code,
              128 + SIGKILL);
    EXPECT_EQ(content(done), before); // the old file until the new one is complete
    EXPECT_EQ(sh("run " + card + k_quick + k_fast_grid + " --force -o " + done).code, 0);
}

TEST_F(Cli, Issue12_AnOutputThatIsNotARegularFileIsRefusedBeforeTheSweep) {
    // defect 19: -o /dev/null ran the whole sweep before failing
    const Result r = sh("run" + std::string(k_quick) + k_fast_grid + " --force -o /dev/null");
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "not a regular file")) << r.out;
    EXPECT_FALSE(contains(r.out, "trials")) << r.out;
    std::system(("mkdir -p " + file("d.h5")).c_str());
    EXPECT_EQ(sh("run" + std::string(k_quick) + k_fast_grid + " --force -o " + file("d.h5")).code,
              2);
}

TEST_F(Cli, Issue12_ASecondWriterIsRefusedBeforeItTouchesAnything) {
    // defect 2: the second run was refused ("unable to lock file") but had already truncated the
    // first run's file to 0 bytes
    const std::string out = file("two.h5");
    const std::string grid =
        R"(conductance_grid=[{"kind":"linear","start_uS":2,"stop_uS":14,"n":400}])";
    const pid_t pid = fork();
    if (pid == 0) {
        const std::string memlif = exe();
        execl(memlif.c_str(), memlif.c_str(), "run", "-q", "--set", "simulation.repeats=1", "--set",
              "simulation.dt_us=100", "--set", grid.c_str(), "-o", out.c_str(),
              static_cast<char*>(nullptr));
        _exit(127);
    }
    // the file the first run writes (OUT.partial; OUT itself in builds before issue 12)
    const auto written = [&] { return exists(out + ".partial") ? out + ".partial" : out; };
    for (int i = 0; i < 3000; ++i) {
        const Result r = sh_env("HDF5_USE_FILE_LOCKING=FALSE", "info " + written());
        if (r.code == 0 && !contains(r.out, "(0 of 400")) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const Result second = sh("run" + std::string(k_quick) + k_fast_grid + " --force -o " + out);
    EXPECT_EQ(second.code, 2) << second.out;
    EXPECT_TRUE(contains(second.out, "being written by another memlif")) << second.out;
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    // the first run's file is whole and keeps its completed conditions
    const memlif::io::RunReader f(written());
    EXPECT_EQ(f.n_conditions(), 400u);
    EXPECT_GT(f.completed_conditions().size(), 0u);
    for (auto c : f.completed_conditions()) EXPECT_EQ(f.counts(c).n_trials_total(), 3876u);
}

TEST_F(Cli, Issue12_TheOutputAppearsOnlyOnceComplete) {
    const std::string out = file("o.h5");
    EXPECT_EQ(sh_env("MEMLIF_TEST_RAISE=KILL:4",
                     "run" + std::string(k_quick) + k_fast_grid + " -o " + out)
                  .code,
              128 + SIGKILL);
    EXPECT_FALSE(exists(out));
    EXPECT_TRUE(exists(out + ".partial"));
    const Result info = sh("info " + out + ".partial");
    EXPECT_EQ(info.code, 0) << info.out;
    EXPECT_TRUE(contains(info.out, "phase:     sweep")) << info.out;
}

TEST_F(Cli, Issue12_AResumeDoesNotReplaceAFileThatAppearedAtTheOutput) {
    // review finding: --resume renamed the finished run onto whatever was at OUT, without --force
    const std::string out = file("r.h5");
    ASSERT_EQ(sh_env("MEMLIF_TEST_RAISE=KILL:4",
                     "run" + std::string(k_quick) + k_fast_grid + " -o " + out)
                  .code,
              128 + SIGKILL);
    std::ofstream(out) << "precious";
    const Result r = sh("run --resume " + out + " -q");
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "r.h5' exists")) << r.out;
    EXPECT_EQ(content(out), "precious");
    EXPECT_TRUE(exists(out + ".partial"));
    std::remove(out.c_str());
    EXPECT_EQ(sh("run --resume " + out + " -q").code, 0);
}

TEST_F(Cli, Issue12_ADirectoryAtThePartialPathIsAUserErrorNotACrash) {
    // review finding: `run --force` over OUT.partial/ (a folder with a file) exited 1 with a
    // filesystem_error
    const std::string out = file("d2.h5");
    ASSERT_EQ(::mkdir((out + ".partial").c_str(), 0755), 0);
    std::ofstream(out + ".partial/f") << "x";
    const Result r = sh("run" + std::string(k_quick) + k_fast_grid + " --force -o " + out);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "d2.h5.partial")) << r.out;
    EXPECT_TRUE(exists(out + ".partial/f"));
}

TEST_F(Cli, Issue12_AnalyzeNeverWritesThroughASymlinkAtItsWorkingCopy) {
    // review finding: a symlink FILE.analyze-partial -> other.h5 made `analyze` overwrite
    // other.h5 and turn FILE into a link to it
    const std::string done = file("a.h5"), other = file("other.h5");
    ASSERT_EQ(sh("run" + std::string(k_quick) + k_fast_grid + " -o " + done).code, 0);
    std::ofstream(other) << "precious";
    ASSERT_EQ(::symlink(other.c_str(), (done + ".analyze-partial").c_str()), 0);
    const Result r = sh("analyze " + done + " --estimators pt --group g");
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_EQ(content(other), "precious");
    struct stat st {};
    ASSERT_EQ(::lstat(done.c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode)) << "the analysed file became a symlink";
    EXPECT_TRUE(memlif::io::RunReader(done).has("/analysis/g"));
}

} // namespace
