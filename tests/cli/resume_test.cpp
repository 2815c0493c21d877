// SPDX-License-Identifier: MIT
//! \file tests/cli/resume_test.cpp
//! `memlif run --resume`: a run killed (SIGKILL) or stopped (SIGTERM) at any point is continued to
//! a file identical to an uninterrupted run's, every dataset and attribute compared except the
//! times (h5_contents.hpp, timing_keys()). The kill points are the writers' checkpoints
//! (io/checkpoint.hpp: every step of every commit, in the sweep, the analysis and the ground
//! truth) and random instants.
#include "cli_util.hpp"
#include "h5_contents.hpp"

#include "io/run_file.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace memlif::cli_test;

//! A tiny card that goes through every stage: 2 conditions x 3876 stimuli x 1 repeat with trials
//! stored, the default estimators (plugin mm pt jackknife), a ground-truth rerun of condition 1;
//! 5 output bins and 100 us steps keep each run well under a second.
const char* k_card = R"({"seed": 11, "simulation": {"repeats": 1, "backend": "cpu", "dt_us": 100},
  "response": {"window_ms": 50},
  "conductance_grid": [{"kind": "list", "values_uS": [3.0, 12.0]}],
  "output": {"store_trials": true},
  "ground_truth": {"enabled": true, "conditions": [1], "repeats": 2}})";

class Resume : public Cli {
  protected:
    void SetUp() override {
        Cli::SetUp();
        card_ = write("card.json", k_card);
        const std::string log = file("checkpoints.txt");
        const Result r =
            in_dir("ref", "MEMLIF_TEST_CHECKPOINTS=" + log, "run " + card_ + " -q -o out.h5");
        ASSERT_EQ(r.code, 0) << r.out;
        std::ifstream in(log);
        std::string line;
        while (std::getline(in, line)) checkpoints_.push_back(line);
        reference_ = h5_contents(file("ref/out.h5"), timing_keys());
        ASSERT_FALSE(reference_.empty());
    }

    //! memlif run from the scratch subdirectory `sub` (created), so every run's card records the
    //! same output.path, "out.h5", as the reference's: the files are then compared whole.
    Result in_dir(const std::string& sub, const std::string& env, const std::string& args) {
        std::system(("mkdir -p " + file(sub)).c_str());
        return shell("cd " + file(sub) + " && " + env + " " + exe() + " " + args);
    }

    //! The output of `out` equals the reference; nothing of the run is left beside it (but the
    //! lock file of a process killed after its rename, which no process holds any more).
    void expect_same_as_reference(const std::string& out, const std::string& what) {
        EXPECT_TRUE(exists(out)) << what;
        EXPECT_FALSE(exists(out + ".partial")) << what;
        EXPECT_FALSE(exists(out + ".partial.new")) << what;
        EXPECT_FALSE(exists(out + ".partial.snapshot")) << what;
        EXPECT_FALSE(exists(out + ".partial.snapshot.new")) << what;
        const auto got = h5_contents(out, timing_keys());
        EXPECT_EQ(first_difference(reference_, got), "") << what;
    }

    //! Resumes `out` (repeatedly while a planned signal stops it) to the end.
    void resume_to_end(const std::string& out, const std::string& what) {
        const Result r = sh("run --resume " + out + " -q");
        ASSERT_EQ(r.code, 0) << what << ": " << r.out;
    }

    std::string card_;
    std::vector<std::string> checkpoints_;
    std::map<std::string, std::string> reference_;
};

TEST_F(Resume, Issue12_KilledAtEveryCheckpointResumesToTheSameFile) {
    // sweep, analysis and ground truth each commit unit by unit: the card passes ~20 points
    ASSERT_GE(checkpoints_.size(), 15u);
    for (std::size_t at = 1; at <= checkpoints_.size(); ++at) {
        const std::string what = "SIGKILL at checkpoint " + checkpoints_[at - 1];
        const std::string sub = "k" + std::to_string(at), out = file(sub + "/out.h5");
        const Result r = in_dir(sub, "MEMLIF_TEST_RAISE=KILL:" + std::to_string(at),
                                "run " + card_ + " -q -o out.h5");
        EXPECT_EQ(r.code, 128 + SIGKILL) << what << ": " << r.out;
        if (!exists(out)) {
            // only an unfinished run is kept as a partial file, and it is never taken for the
            // output
            ASSERT_TRUE(exists(out + ".partial")) << what;
            resume_to_end(out, what);
        }
        expect_same_as_reference(out, what);
    }
}

TEST_F(Resume, Issue12_APartialFileTornAfterTheSweepIsResumedFromItsSnapshot) {
    // 1 in ~100 random SIGKILLs in the stages after the sweep tore the file for good (a group heap
    // or B-tree pointing at objects never written: "free block size is zero?", "wrong B-tree
    // signature", "addr overflow"). A torn file is made here: after a kill at the first flushed
    // commit of each stage after the sweep (and of the finish), everything the stage added to the
    // file is overwritten with 0xFF. The resume must go back to the snapshot taken when that
    // stage began and end with the uninterrupted run's file.
    std::vector<std::size_t> kill_at;
    for (std::size_t i = 0; i < checkpoints_.size(); ++i) {
        if (!contains(checkpoints_[i], " snapshot")) continue;
        for (std::size_t j = i + 1; j < checkpoints_.size(); ++j)
            if (contains(checkpoints_[j], " row-commit") || contains(checkpoints_[j], " finish")) {
                kill_at.push_back(j + 1); // checkpoints count from 1
                break;
            }
    }
    ASSERT_GE(kill_at.size(), 3u) << "the analysis, the ground truth and the finish";
    for (const std::size_t at : kill_at) {
        const std::string what = "SIGKILL at checkpoint " + checkpoints_[at - 1] +
                                 ", then the stage's part of the partial file overwritten";
        const std::string sub = "torn" + std::to_string(at), out = file(sub + "/out.h5");
        const Result r = in_dir(sub, "MEMLIF_TEST_RAISE=KILL:" + std::to_string(at),
                                "run " + card_ + " -q -o out.h5");
        ASSERT_EQ(r.code, 128 + SIGKILL) << what << ": " << r.out;
        struct stat snap {
        }, part{};
        ASSERT_EQ(stat((out + ".partial.snapshot").c_str(), &snap), 0) << what;
        ASSERT_EQ(stat((out + ".partial").c_str(), &part), 0) << what;
        ASSERT_GT(part.st_size, snap.st_size) << what;
        {
            std::fstream f(out + ".partial", std::ios::in | std::ios::out | std::ios::binary);
            f.seekp(snap.st_size);
            const std::string junk(static_cast<std::size_t>(part.st_size - snap.st_size), '\xff');
            f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
        }
        const Result resumed = sh("run --resume " + out + " -q");
        ASSERT_EQ(resumed.code, 0) << what << ": " << resumed.out;
        EXPECT_TRUE(contains(resumed.out, "was torn by the interruption")) << resumed.out;
        expect_same_as_reference(out, what);
    }
}

TEST_F(Resume, Issue12_StoppedBySigtermAtEveryCheckpointResumesToTheSameFile) {
    for (std::size_t at = 1; at <= checkpoints_.size(); at += 2) {
        const std::string what = "SIGTERM at checkpoint " + checkpoints_[at - 1];
        const std::string sub = "t" + std::to_string(at), out = file(sub + "/out.h5");
        const Result r = in_dir(sub, "MEMLIF_TEST_RAISE=TERM:" + std::to_string(at),
                                "run " + card_ + " -q -o out.h5");
        if (r.code == 0) {
            // the signal came after the last unit of work: the run finished all the same
            expect_same_as_reference(out, what);
            continue;
        }
        EXPECT_EQ(r.code, 128 + SIGTERM) << what << ": " << r.out;
        ASSERT_TRUE(exists(out + ".partial")) << what;
        {
            const memlif::io::RunReader f(out + ".partial");
            EXPECT_EQ(f.incomplete_reason(), "interrupted by SIGTERM") << what;
            EXPECT_NE(f.phase(), "") << what;
        }
        resume_to_end(out, what);
        expect_same_as_reference(out, what);
    }
}

TEST_F(Resume, Issue12_AResumedRunKilledAgainStillEndsTheSame) {
    // killed in the sweep, its resumption killed in the analysis, that one's in the ground truth
    const std::string out = file("again/out.h5");
    const std::vector<int> points = {3, 6, 4};
    ASSERT_EQ(in_dir("again", "MEMLIF_TEST_RAISE=KILL:" + std::to_string(points[0]),
                     "run " + card_ + " -q -o out.h5")
                  .code,
              128 + SIGKILL);
    for (std::size_t i = 1; i < points.size(); ++i) {
        const Result r = sh_env("MEMLIF_TEST_RAISE=KILL:" + std::to_string(points[i]),
                                "run --resume " + out + " -q");
        EXPECT_EQ(r.code, 128 + SIGKILL) << r.out;
    }
    resume_to_end(out, "after three kills");
    expect_same_as_reference(out, "after three kills");
}

TEST_F(Resume, Issue12_KilledAtRandomInstantsResumesToTheSameFile) {
    // Real SIGKILLs at instants spread over a run, so some land inside HDF5 calls and flushes.
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(in_dir("timing", "", "run " + card_ + " -q -o out.h5").code, 0);
    const double run_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::mt19937 rng(12);
    std::uniform_real_distribution<double> when(0.05, 1.0);
    // MEMLIF_TEST_RANDOM_KILLS=N runs N instead of 8 (a stress run, bench/RESULTS.md)
    const char* n_env = std::getenv("MEMLIF_TEST_RANDOM_KILLS");
    const int n_kills = n_env ? std::atoi(n_env) : 8;
    for (int i = 0; i < n_kills; ++i) {
        const std::string sub = "r" + std::to_string(i), out = file(sub + "/out.h5");
        std::system(("mkdir -p " + file(sub)).c_str());
        const double delay_s = when(rng) * run_s;
        const pid_t pid = fork();
        if (pid == 0) {
            const std::string memlif = exe();
            if (chdir(file(sub).c_str()) != 0) _exit(126);
            execl(memlif.c_str(), memlif.c_str(), "run", card_.c_str(), "-q", "-o", "out.h5",
                  static_cast<char*>(nullptr));
            _exit(127);
        }
        std::this_thread::sleep_for(std::chrono::duration<double>(delay_s));
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        std::ostringstream what;
        what << "SIGKILL after " << delay_s << " s of a " << run_s << " s run";
        if (!exists(out)) {
            // killed before its file existed: there is nothing to resume, the run starts afresh
            const Result r = exists(out + ".partial")
                                 ? in_dir(sub, "", "run --resume out.h5 -q")
                                 : in_dir(sub, "", "run " + card_ + " -q -o out.h5");
            EXPECT_EQ(r.code, 0) << what.str() << ": " << r.out;
            if (r.code != 0) continue;
        }
        expect_same_as_reference(out, what.str());
    }
}

TEST_F(Resume, Issue12_AnInterruptedDeviceKindRunResumes) {
    // review finding: every resume path read the partial file with RunReader, which refuses a
    // device kind's file (no /results, /stimuli): the run said "continue it with --resume", and
    // --resume exited 2; only --force, discarding the work, got out
    const std::string card = std::string(MEMLIF_SOURCE_DIR) + "/tools/cards/iv_sweep.json";
    ASSERT_EQ(in_dir("kind_ref", "", "run " + card + " -q -o out.h5").code, 0);
    const Result killed =
        in_dir("kind", "MEMLIF_TEST_RAISE=KILL:1", "run " + card + " -q -o out.h5");
    ASSERT_EQ(killed.code, 128 + SIGKILL) << killed.out;
    const Result again = in_dir("kind", "", "run " + card + " -q -o out.h5");
    EXPECT_EQ(again.code, 2) << again.out;
    EXPECT_TRUE(contains(again.out, "(phase iv_sweep)")) << again.out;
    const Result resumed = in_dir("kind", "", "run --resume out.h5 -q");
    ASSERT_EQ(resumed.code, 0) << resumed.out;
    EXPECT_FALSE(exists(file("kind/out.h5.partial")));
    EXPECT_EQ(first_difference(h5_contents(file("kind_ref/out.h5"), timing_keys()),
                               h5_contents(file("kind/out.h5"), timing_keys())),
              "");
}

TEST_F(Resume, Issue12_TheBackendMayBeNamedAgainOnTheSameKind) {
    // review finding: the refusal of another backend kind said "use --backend", but any
    // --backend (even naming the same kind) was refused as a changed card key
    const std::string out = file("b/out.h5");
    ASSERT_EQ(in_dir("b", "MEMLIF_TEST_RAISE=KILL:3", "run " + card_ + " -q -o out.h5").code,
              128 + SIGKILL);
    const Result r =
        sh_env("MEMLIF_DISABLE_DEVICE=1", "run --resume " + out + " --backend auto -q");
    ASSERT_EQ(r.code, 0) << r.out;
    expect_same_as_reference(out, "resumed with --backend auto");
}

TEST_F(Resume, Issue12_AChangedCardIsRefused) {
    const std::string out = file("c/out.h5");
    ASSERT_EQ(in_dir("c", "MEMLIF_TEST_RAISE=KILL:3", "run " + card_ + " -q -o out.h5").code,
              128 + SIGKILL);
    Result r = sh("run --resume " + out + " --set simulation.repeats=2");
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "simulation.repeats: is 1 in the interrupted run")) << r.out;
    r = sh("run " + write("other.json", R"({"seed": 12})") + " --resume " + out);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "seed")) << r.out;
    // keys that change no result may differ
    r = in_dir(
        "c", "",
        "run --resume out.h5 -q --set simulation.threads=1 --set simulation.batch_trials=999");
    EXPECT_EQ(r.code, 0) << r.out;
    expect_same_as_reference(out, "resumed with other threads and batch size");
    // a finished run is not resumed, and nothing is resumed where there was no run
    r = sh("run --resume " + out);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "a finished run is not resumed")) << r.out;
    EXPECT_EQ(sh("run --resume " + file("never.h5")).code, 2);
}

TEST_F(Resume, Issue12_AnInterruptedRunIsNotStartedAgainSilently) {
    const std::string out = file("i/out.h5");
    ASSERT_EQ(in_dir("i", "MEMLIF_TEST_RAISE=KILL:3", "run " + card_ + " -q -o out.h5").code,
              128 + SIGKILL);
    Result r = in_dir("i", "", "run " + card_ + " -q -o out.h5");
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "--resume")) << r.out;
    r = in_dir("i", "", "run " + card_ + " -q --force -o out.h5");
    EXPECT_EQ(r.code, 0) << r.out;
    expect_same_as_reference(out, "started again with --force");
}

} // namespace
