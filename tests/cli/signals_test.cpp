// SPDX-License-Identifier: MIT
//! \file tests/cli/signals_test.cpp
//! Issue 12, defects 11 and 13: SIGINT and SIGTERM are honoured in every phase of `memlif run`
//! (sweep, analysis, ground truth) and by `memlif analyze`, with the conventional exit codes
//! (130, 143), and the interrupted file says which phase stopped. The signals are raised by the
//! process itself at a named checkpoint of its commit sequence (io/checkpoint.hpp), so each lands
//! at a known point without any timing.
#include "cli_util.hpp"

#include "io/run_file.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <string>
#include <vector>

namespace {

using namespace memlif::cli_test;

//! Two conditions, the default estimators (an analysis of two rows) and a ground truth of one
//! rerun: every phase is reached in well under a second.
const char* k_card = R"({"seed": 5, "simulation": {"repeats": 1, "backend": "cpu", "dt_us": 100},
  "response": {"window_ms": 50},
  "conductance_grid": [{"kind": "list", "values_uS": [3.0, 12.0]}],
  "ground_truth": {"enabled": true, "conditions": [1], "repeats": 2}})";

class Signals : public Cli {
  protected:
    void SetUp() override {
        Cli::SetUp();
        card_ = write("card.json", k_card);
        const std::string log = file("points.txt");
        const Result r =
            sh_env("MEMLIF_TEST_CHECKPOINTS=" + log, "run " + card_ + " -q -o " + file("ref.h5"));
        ASSERT_EQ(r.code, 0) << r.out;
        std::ifstream in(log);
        std::string n, name;
        while (in >> n >> name) points_.push_back(name);
    }

    //! 1-based number of the `nth` (1-based) checkpoint called `name`; 0 if there is none.
    std::size_t nth(const std::string& name, std::size_t k = 1) const {
        for (std::size_t i = 0; i < points_.size(); ++i)
            if (points_[i] == name && --k == 0) return i + 1;
        return 0;
    }
    std::size_t last(const std::string& name) const {
        for (std::size_t i = points_.size(); i > 0; --i)
            if (points_[i - 1] == name) return i;
        return 0;
    }

    //! Runs the card with `sig` raised at checkpoint `at` into out.h5.
    Result run_raising(const std::string& sig, std::size_t at) {
        return sh_env("MEMLIF_TEST_RAISE=" + sig + ":" + std::to_string(at),
                      "run " + card_ + " -q -o " + file("out.h5"));
    }

    //! The interrupted run is kept as out.h5.partial with `phase` and `reason`, there is no
    //! out.h5, and --resume finishes it.
    void expect_interrupted_in(const std::string& phase, const std::string& reason) {
        EXPECT_FALSE(exists(file("out.h5")));
        ASSERT_TRUE(exists(file("out.h5.partial")));
        {
            const memlif::io::RunReader f(file("out.h5.partial"));
            EXPECT_FALSE(f.complete());
            EXPECT_EQ(f.phase(), phase);
            EXPECT_EQ(f.incomplete_reason(), reason);
        }
        const Result r = sh("run --resume " + file("out.h5") + " -q");
        EXPECT_EQ(r.code, 0) << r.out;
        EXPECT_TRUE(memlif::io::RunReader(file("out.h5")).complete());
    }

    std::string card_;
    std::vector<std::string> points_;
};

TEST_F(Signals, Issue12_ASigtermDuringTheAnalysisStopsTheRun) {
    // defect 11: SIGTERM and SIGINT were ignored after the sweep; the run exited 0 82 s later
    const std::size_t at = nth("row-values");
    ASSERT_GT(at, 0u);
    const Result r = run_raising("TERM", at);
    EXPECT_EQ(r.code, 128 + SIGTERM) << r.out;
    EXPECT_TRUE(contains(r.out, "interrupted in phase analysis")) << r.out;
    expect_interrupted_in("analysis", "interrupted by SIGTERM");
}

TEST_F(Signals, Issue12_ASigintDuringTheGroundTruthStopsTheRun) {
    // defect 11, the ground truth: it ran to its end
    const std::size_t at = last("phase"); // the ground truth's phase record, before its rerun
    ASSERT_GT(at, nth("row-commit"));
    const Result r = run_raising("INT", at);
    EXPECT_EQ(r.code, 128 + SIGINT) << r.out;
    expect_interrupted_in("ground_truth", "interrupted by SIGINT");
}

TEST_F(Signals, Issue12_ASigtermAfterTheLastConditionLeavesTheAnalysisToResume) {
    // defect 13: the file was left "INCOMPLETE (6 of 6)" with the analysis skipped, exit 130
    const std::size_t at = last("condition-commit");
    ASSERT_GT(at, 0u);
    const Result r = run_raising("TERM", at);
    EXPECT_EQ(r.code, 128 + SIGTERM) << r.out;
    {
        const memlif::io::RunReader f(file("out.h5.partial"));
        EXPECT_EQ(f.completed_conditions().size(), 2u);
    }
    expect_interrupted_in("analysis", "interrupted by SIGTERM");
}

TEST_F(Signals, Issue12_ASigtermDuringTheSweepExits143) {
    // defect 13: every stop exited 130, SIGTERM included
    const std::size_t at = nth("condition-commit");
    ASSERT_GT(at, 0u);
    const Result r = run_raising("TERM", at);
    EXPECT_EQ(r.code, 128 + SIGTERM) << r.out;
    expect_interrupted_in("sweep", "interrupted by SIGTERM");
}

TEST_F(Signals, Issue12_AnalyzeStoppedBySigtermLeavesTheFileAsItWas) {
    // defect 11, `memlif analyze`: it could not be stopped
    const std::string ref = file("ref.h5");
    std::system(("cp " + ref + " " + file("before.h5")).c_str());
    const Result r = sh_env("MEMLIF_TEST_RAISE=TERM:1",
                            "analyze " + ref + " --estimators plugin pt --group again");
    EXPECT_EQ(r.code, 128 + SIGTERM) << r.out;
    EXPECT_EQ(shell("cmp " + ref + " " + file("before.h5")).code, 0);
    EXPECT_FALSE(memlif::io::RunReader(ref).has("/analysis/again"));
}

} // namespace
