// SPDX-License-Identifier: MIT
//! \file tests/cli/cli_test.cpp
//! The memlif executable as a user meets it: exit codes, error messages naming the culprit, no
//! output file on bad input, end-to-end runs, and runs killed midway.
#include "cli_util.hpp"
#include "io/h5.hpp"
#include "io/run_file.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace memlif::cli_test;

TEST_F(Cli, UnknownKeyExits2NamesTheKeyAndWritesNothing) {
    const std::string card = write("bad.json", R"({"neuron": {"tau_msec": 20}})");
    const Result r = sh("run " + card + " -o " + file("out.h5"));
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.out.find("neuron.tau_msec"), std::string::npos) << r.out;
    EXPECT_FALSE(exists(file("out.h5")));
}

TEST_F(Cli, WrongTypeAndOutOfRangeExit2) {
    for (const char* set_c : {"simulation.repeats=0", "simulation.dt_us=0", "simulation.dt_us=5000",
                              "response.window_ms=700", "simulation.repeats=\\\"x\\\""}) {
        const std::string set = set_c;
        const Result r = sh("run --set \"" + set + "\" -o " + file("out.h5"));
        EXPECT_EQ(r.code, 2) << set << ": " << r.out;
        EXPECT_NE(r.out.find(set.substr(0, set.find('.'))), std::string::npos) << r.out;
        EXPECT_FALSE(exists(file("out.h5")));
    }
    const Result neg =
        sh(R"(run --set 'conductance_grid=[{"kind":"list","values_uS":[-1]}]' -o )" + file("o.h5"));
    EXPECT_EQ(neg.code, 2);
    EXPECT_NE(neg.out.find("conductance_grid[0].values_uS[0]"), std::string::npos) << neg.out;
}

TEST_F(Cli, MalformedCardNamesTheFile) {
    const std::string card = write("broken.json", "{\"seed\": 1,,}");
    const Result r = sh("run " + card + " -o " + file("out.h5"));
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("broken.json"), std::string::npos) << r.out;
}

TEST_F(Cli, DevicePhysicsTheBackendOrSolverCannotRunExits2) {
    // synapse.noise / synapse.plasticity: the CUDA backend and the exact solver refuse what they
    // cannot simulate rather than ignore it (host/synapse_physics_card.cpp)
    for (const char* args :
         {"--backend cuda --set synapse.noise.read_sigma_ln=0.1",
          "--backend cuda --set synapse.plasticity.enabled=true",
          "--set simulation.solver=exact --set synapse.plasticity.enabled=true",
          "--set simulation.solver=exact --set 'synapse.noise.rtn_traps=[{}]'"}) {
        const Result r = sh(std::string("run ") + args + " -o " + file("out.h5"));
        EXPECT_EQ(r.code, 2) << args << ": " << r.out;
        EXPECT_NE(r.out.find(std::string(args).find("cuda") != std::string::npos
                                 ? "simulation.backend"
                                 : "simulation.solver"),
                  std::string::npos)
            << r.out;
        EXPECT_FALSE(exists(file("out.h5")));
    }
}

TEST_F(Cli, MissingCardAndUnwritableOutputExit2) {
    Result r = sh("run " + file("nope.json"));
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("nope.json"), std::string::npos) << r.out;
    r = sh(std::string("run --set simulation.repeats=1 ") + k_fast_grid +
           " -o /nonexistent_dir/x.h5");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("/nonexistent_dir/x.h5"), std::string::npos) << r.out;
    r = sh("info " + file("missing.h5"));
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("missing.h5"), std::string::npos) << r.out;
    const std::string not_h5 = write("text.h5", "hello");
    r = sh("info " + not_h5);
    EXPECT_EQ(r.code, 2);
}

TEST_F(Cli, BadCommandLineExits2) {
    EXPECT_EQ(sh("frobnicate").code, 2);
    EXPECT_EQ(sh("run --no-such-flag").code, 2);
    EXPECT_EQ(sh("run --set novalue").code, 2);
    EXPECT_EQ(sh("").code, 2);
}

TEST_F(Cli, CudaBackendWithoutDeviceIsAUserError) {
    // ctest runs CPU tests with MEMLIF_DISABLE_DEVICE=1, so no device is visible here
    const Result r = sh(std::string("run --backend cuda --set simulation.repeats=1 ") +
                        k_fast_grid + " -o " + file("o.h5"));
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.out.find("cuda"), std::string::npos);
    EXPECT_FALSE(exists(file("o.h5")));
}

TEST_F(Cli, VersionAndDumpDefault) {
    const Result v = sh("--version");
    EXPECT_EQ(v.code, 0);
    EXPECT_NE(v.out.find("memlif 0."), std::string::npos);
    EXPECT_NE(v.out.find("CUDA"), std::string::npos);
    const Result d = sh("dump-default");
    ASSERT_EQ(d.code, 0);
    const auto card = nlohmann::json::parse(d.out);
    EXPECT_EQ(card["simulation"]["repeats"], 15);
    EXPECT_EQ(card["stimulus"]["set"], "symmetric");
    // the dumped card is itself a valid card
    write("dumped.json", d.out);
    const Result r = sh("run " + file("dumped.json") + " --set simulation.repeats=1 " +
                        k_fast_grid + " -q -o " + file("d.h5"));
    EXPECT_EQ(r.code, 0) << r.out;
}

TEST_F(Cli, EndToEndSmallCard) {
    const std::string card = std::string(MEMLIF_SOURCE_DIR) + "/tools/cards/small.json";
    const Result r = sh("run " + card + " --backend cpu -o " + file("small.h5"));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("MI/bit"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("trials/s"), std::string::npos) << r.out;

    const memlif::io::RunReader f(file("small.h5"));
    EXPECT_TRUE(f.complete());
    ASSERT_EQ(f.completed_conditions().size(), 2u);
    EXPECT_EQ(f.metadata().seed, 7u);
    EXPECT_EQ(f.n_stimuli(), 3876u);
    const auto lo = f.plugin(0), hi = f.plugin(1);
    EXPECT_EQ(lo.n_trials, 3876u * 2);
    // MI rises with G (seed Fig. 5) and is bounded by H(R) and log2 of the stimulus count
    EXPECT_GT(hi.mi, lo.mi);
    EXPECT_LE(hi.mi, hi.h_r + 1e-12);
    EXPECT_LE(hi.mi, std::log2(3876.0) + 1e-12);
    EXPECT_NEAR(lo.mi, lo.h_r - lo.h_rs, 1e-12);
    const auto card_json = nlohmann::json::parse(f.metadata().config_json);
    EXPECT_EQ(card_json["simulation"]["repeats"], 2);

    // same card, same seed -> identical counts (reproducible run)
    ASSERT_EQ(
        sh("run " + card + " --backend cpu -q --set simulation.threads=1 -o " + file("again.h5"))
            .code,
        0);
    const memlif::io::RunReader g(file("again.h5"));
    EXPECT_EQ(g.counts(1).words, f.counts(1).words);
    EXPECT_EQ(g.counts(1).counts, f.counts(1).counts);

    const Result info = sh("info " + file("small.h5"));
    EXPECT_EQ(info.code, 0);
    EXPECT_NE(info.out.find("complete"), std::string::npos);
}

//! Starts a long run, waits until it has written at least one condition, and sends `sig`. The run
//! writes OUT.partial until it is complete.
void kill_midway(const std::string& out, int sig, int& exit_status) {
    const std::string partial = out + ".partial";
    const std::string grid =
        R"(conductance_grid=[{"kind":"linear","start_uS":2,"stop_uS":14,"n":400}])";
    const pid_t pid = fork();
    if (pid == 0) {
        const std::string memlif = exe();
        execl(memlif.c_str(), memlif.c_str(), "run", "-q", "--backend", "cpu", "--set",
              "simulation.repeats=1", "--set", grid.c_str(), "-o", out.c_str(),
              static_cast<char*>(nullptr));
        _exit(127);
    }
    // Wait for the file state, not for a time: poll `memlif info` (in its own process, with HDF5
    // file locking off so it may read a file that is being written) until it reports a
    // completed condition. A read between two flushes may fail; it is simply retried.
    for (int i = 0; i < 6000; ++i) {
        if (exists(partial)) {
            const Result r = sh_env("HDF5_USE_FILE_LOCKING=FALSE", "info " + partial);
            const auto at = r.out.find("INCOMPLETE: running (");
            if (r.code == 0 && at != std::string::npos &&
                std::atoi(r.out.c_str() + at + std::string("INCOMPLETE: running (").size()) >= 1)
                break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid, sig);
    waitpid(pid, &exit_status, 0);
}

TEST_F(Cli, InterruptedRunKeepsCompletedConditions) {
    int status = 0;
    kill_midway(file("int.h5"), SIGTERM, status);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 143);  // 128 + SIGTERM (issue 12: it was 130)
    EXPECT_FALSE(exists(file("int.h5"))); // only a complete run gets the output's name
    const memlif::io::RunReader f(file("int.h5.partial"));
    EXPECT_FALSE(f.complete());
    const auto done = f.completed_conditions();
    ASSERT_GT(done.size(), 0u);
    EXPECT_LT(done.size(), 400u);
    for (auto c : done) EXPECT_EQ(f.plugin(c).n_trials, 3876u);
    EXPECT_EQ(sh("info " + file("int.h5.partial")).code, 0);
}

TEST_F(Cli, KilledRunLeavesAReadableFile) {
    int status = 0;
    kill_midway(file("kill.h5"), SIGKILL, status);
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_FALSE(exists(file("kill.h5")));
    const memlif::io::RunReader f(file("kill.h5.partial"));
    EXPECT_FALSE(f.complete());
    const auto done = f.completed_conditions();
    ASSERT_GT(done.size(), 0u);
    for (auto c : done) {
        EXPECT_EQ(f.plugin(c).n_trials, 3876u);
        EXPECT_EQ(f.counts(c).n_stimuli(), 3876u);
    }
}

} // namespace

namespace {

TEST_F(Cli, RunComputesTheCardEstimatorsAndShowsTheCorrectedMi) {
    const std::string card = std::string(MEMLIF_SOURCE_DIR) + "/tools/cards/small.json";
    const Result r = sh("run " + card + " --backend cpu -o " + file("e.h5"));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("MI_pt"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("95% CI"), std::string::npos) << r.out;
    const memlif::io::RunReader f(file("e.h5"));
    ASSERT_TRUE(f.has("/analysis/run/pt_mi_bit"));
    const auto pt = f.read_f64("/analysis/run/pt_mi_bit");
    const auto se = f.read_f64("/analysis/run/jackknife_mi_se_bit");
    ASSERT_EQ(pt.size(), 2u);
    for (std::uint32_t c = 0; c < 2; ++c) {
        // with 2 repeats PT corrects the upward plug-in bias, and the jackknife SE is finite
        EXPECT_LT(pt[c], f.plugin(c).mi);
        EXPECT_GT(se[c], 0.0);
    }
    // per-stimulus jackknife SE of SSS: finite for stimuli that ever fire at 13.6 uS
    std::vector<std::size_t> shape;
    const auto sss_se = f.read_f64("/analysis/run/jackknife_sss_se_bit", &shape);
    ASSERT_EQ(shape, (std::vector<std::size_t>{2, 3876}));
    std::size_t finite = 0;
    for (std::size_t s = 3876; s < 2 * 3876; ++s)
        finite += std::isfinite(sss_se[s]) && sss_se[s] >= 0;
    EXPECT_EQ(finite, 3876u);
    // `info` reproduces the corrected column from the file
    EXPECT_NE(sh("info " + file("e.h5")).out.find("MI_pt"), std::string::npos);
}

TEST_F(Cli, AnalyzeAddsAGroupWithoutTouchingTheRun) {
    const std::string card = std::string(MEMLIF_SOURCE_DIR) + "/tools/cards/small.json";
    ASSERT_EQ(
        sh("run " + card + " -q --set 'information.estimators=[\"plugin\"]' -o " + file("a.h5"))
            .code,
        0);
    std::vector<std::uint64_t> before;
    {
        const memlif::io::RunReader f(file("a.h5"));
        EXPECT_FALSE(f.has("/analysis"));
        before = f.counts(1).counts;
    }
    Result r = sh("analyze " + file("a.h5") +
                  " --estimators plugin mm pt null --set information.null.replicates=20");
    ASSERT_EQ(r.code, 0) << r.out;
    {
        const memlif::io::RunReader f(file("a.h5"));
        EXPECT_EQ(f.counts(1).counts, before);
        ASSERT_TRUE(f.has("/analysis/analyze/null_p_value"));
        const auto p = f.read_f64("/analysis/analyze/null_p_value");
        const auto mm = f.read_f64("/analysis/analyze/mm_mi_bit");
        const auto plug = f.read_f64("/analysis/analyze/plugin_mi_bit");
        EXPECT_NEAR(plug[1], f.plugin(1).mi, 1e-12);
        EXPECT_LT(mm[1], plug[1]);
        EXPECT_NEAR(p[1], 1.0 / 21.0,
                    1e-12); // 13.6 uS carries information: no null replicate reaches it
    }
    r = sh("analyze " + file("a.h5") + " --estimators plugin");
    EXPECT_EQ(r.code, 2) << r.out; // the group exists
    EXPECT_EQ(sh("analyze " + file("a.h5") + " --estimators plugin --replace").code, 0);
    EXPECT_EQ(sh("analyze " + file("a.h5") + " --estimators plugin --group other").code, 0);
    r = sh("analyze " + file("a.h5") + " --estimators magic --group m");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("magic"), std::string::npos) << r.out;
}

TEST_F(Cli, GroundTruthReportsEachEstimatorsBias) {
    const std::string card = std::string(MEMLIF_SOURCE_DIR) + "/tools/cards/small.json";
    const Result r = sh("run " + card + " --backend cpu -o " + file("g.h5") +
                        " --set ground_truth.enabled=true --set 'ground_truth.conditions=[1]'"
                        " --set ground_truth.repeats=12");
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("ground truth"), std::string::npos) << r.out;
    const memlif::io::RunReader f(file("g.h5"));
    ASSERT_TRUE(f.has("/analysis/ground_truth/plugin_bias_bit"));
    const auto ref = f.read_f64("/analysis/ground_truth/reference_mi_bit");
    const auto bias = f.read_f64("/analysis/ground_truth/plugin_bias_bit");
    const auto pt_bias = f.read_f64("/analysis/ground_truth/pt_bias_bit");
    ASSERT_EQ(ref.size(), 1u);
    EXPECT_NEAR(bias[0], f.plugin(1).mi - ref[0], 1e-12);
    EXPECT_GT(bias[0], 0.5);        // plug-in at 2 repeats overestimates strongly
    EXPECT_LT(pt_bias[0], bias[0]); // PT removes part of that bias
    EXPECT_EQ(f.read_u32("/analysis/ground_truth/condition")[0], 1u);
}

TEST_F(Cli, GroundTruthExactSolverRerunsAFixedStepCardWithTheExactSolver) {
    // ground_truth.solver = exact on a fixed-step card must rerun exactly what an exact-solver
    // card reruns (same seed, grid onsets: the same trials), and stay within the fixed step's
    // 0.03-0.3 % of differing words of the fixed-step rerun (README "Solvers").
    const std::string card = std::string(MEMLIF_SOURCE_DIR) + "/tools/cards/small.json";
    const std::string gt = " --set ground_truth.enabled=true --set 'ground_truth.conditions=[0,1]'"
                           " --set ground_truth.repeats=6";
    ASSERT_EQ(sh("run " + card + " -q --backend cpu -o " + file("fx.h5") + gt +
                 " --set ground_truth.solver=exact")
                  .code,
              0);
    ASSERT_EQ(sh("run " + card + " -q --backend cpu -o " + file("ex.h5") + gt +
                 " --set simulation.solver=exact")
                  .code,
              0);
    ASSERT_EQ(sh("run " + card + " -q --backend cpu -o " + file("ff.h5") + gt).code, 0);
    const auto ref = [&](const char* name) {
        return memlif::io::RunReader(file(name))
            .read_f64("/analysis/ground_truth/reference_mi_bit");
    };
    const auto solver = [&](const char* name) {
        memlif::io::h5::Handle f = memlif::io::h5::open_file(file(name), false);
        memlif::io::h5::Handle g = memlif::io::h5::open_group(f, "analysis/ground_truth");
        return memlif::io::h5::read_attr_string(g, "solver");
    };
    const auto fx = ref("fx.h5"), ex = ref("ex.h5"), ff = ref("ff.h5");
    ASSERT_EQ(fx.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(fx[i], ex[i]) << i;
        EXPECT_NEAR(fx[i], ff[i], 0.02) << i;
    }
    EXPECT_GT(fx[1], fx[0]); // a real MI at each conductance, not two zeros
    EXPECT_EQ(solver("fx.h5"), "exact");
    EXPECT_EQ(solver("ex.h5"), "exact");
    EXPECT_EQ(solver("ff.h5"), "fixed");
    const Result bad = sh("run " + card + " -q --backend cpu -o " + file("bad.h5") + gt +
                          " --set ground_truth.solver=fast");
    EXPECT_EQ(bad.code, 2);
    EXPECT_NE(bad.out.find("ground_truth.solver"), std::string::npos) << bad.out;
    EXPECT_FALSE(exists(file("bad.h5")));
}

TEST_F(Cli, QeWithTooFewRepeatsIsRefusedUpFront) {
    const Result r = sh("run --set simulation.repeats=2 --set 'information.estimators=[\"qe\"]' " +
                        std::string(k_fast_grid) + " -o " + file("q.h5"));
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("information.qe.small_sample"), std::string::npos) << r.out;
    EXPECT_FALSE(exists(file("q.h5")));
}

} // namespace

namespace {

TEST_F(Cli, StoredTrialsMatchTheCounts) {
    const std::string card = std::string(MEMLIF_SOURCE_DIR) + "/tools/cards/small.json";
    ASSERT_EQ(sh("run " + card + " -q --set output.store_trials=true -o " + file("t.h5")).code, 0);
    const memlif::io::RunReader f(file("t.h5"));
    ASSERT_TRUE(f.has_trials());
    const auto t = f.trials();
    ASSERT_EQ(t.word.size(), 2u * 3876 * 2);
    // rebuild n(r|s) of condition 1 from the stored words and compare with the stored counts
    std::vector<std::vector<std::uint64_t>> per(3876);
    for (std::size_t i = 0; i < t.word.size(); ++i)
        if (t.condition[i] == 1) per[t.stimulus[i]].push_back(t.word[i]);
    std::vector<std::pair<std::uint32_t, std::uint64_t>> rebuilt, stored;
    for (std::uint32_t s = 0; s < 3876; ++s) {
        std::sort(per[s].begin(), per[s].end());
        for (auto w : per[s]) rebuilt.emplace_back(s, w);
    }
    const auto c = f.counts(1);
    for (std::uint32_t s = 0; s < 3876; ++s)
        for (auto k = c.offsets[s]; k < c.offsets[s + 1]; ++k)
            for (std::uint64_t n = 0; n < c.counts[k]; ++n) stored.emplace_back(s, c.words[k]);
    EXPECT_EQ(rebuilt, stored);
    // off by default
    ASSERT_EQ(sh("run " + card + " -q -o " + file("n.h5")).code, 0);
    EXPECT_FALSE(memlif::io::RunReader(file("n.h5")).has_trials());
}

TEST_F(Cli, ProgressLineOnlyOnATerminal) {
    const std::string card = write(
        "p.json",
        R"({"simulation": {"repeats": 1}, "conductance_grid": [{"kind": "list", "values_uS": [3]}]})");
    const std::string cmd = exe() + " run " + card + " -o " + file("p.h5");
    // under script(1) stderr is a pseudo-terminal: the progress line with rate and ETA appears
    FILE* p = popen(("script -qec \"" + cmd + "\" /dev/null 2>&1").c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::string out;
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int status = pclose(p);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) GTEST_SKIP() << "script(1) not available";
    EXPECT_NE(out.find("trials/s  ETA"), std::string::npos) << out;
    // through a pipe (not a terminal) there is none
    EXPECT_EQ(sh("run " + card + " -o " + file("q.h5")).out.find("ETA"), std::string::npos);
}

// ---- issue 8 defects ---------------------------------------------------------------------------

TEST_F(Cli, GroundTruthSeedIsStoredExactlyAndRuntimeCoversEveryStage) {
    const std::string card = write("gt.json", R"({"seed": 18446744073709551000,
        "simulation": {"repeats": 2},
        "conductance_grid": [{"kind": "list", "values_uS": [2.6, 13.6]}],
        "ground_truth": {"enabled": true, "conditions": [1], "repeats": 3}})");
    const Result r = sh("run " + card + " -q --backend cpu -o " + file("gt.h5"));
    ASSERT_EQ(r.code, 0) << r.out;
    memlif::io::h5::Handle f = memlif::io::h5::open_file(file("gt.h5"), false);
    // uint64 attributes (a float64 cannot hold these seeds exactly: it was 624 off before)
    memlif::io::h5::Handle gt = memlif::io::h5::open_group(f, "analysis/ground_truth");
    EXPECT_EQ(memlif::io::h5::read_attr<std::uint64_t>(gt, "seed"),
              18446744073709551000ull + 0x9E3779B97F4A7C15ull);
    memlif::io::h5::Handle run = memlif::io::h5::open_group(f, "analysis/run");
    EXPECT_EQ(memlif::io::h5::read_attr<std::uint64_t>(run, "seed"), 18446744073709551000ull);
    // /runtime counts the ground-truth reruns: 3876 stimuli x 3 repeats x 1 condition
    const memlif::io::RunReader reader(file("gt.h5"));
    const auto rt = reader.runtime();
    ASSERT_TRUE(rt.has_value());
    std::uint64_t gt_trials = 0, sweep_trials = 0;
    for (const auto& st : rt->stages) {
        if (st.name == "ground_truth") gt_trials = st.n_trials;
        if (st.name == "sweep") sweep_trials = st.n_trials;
    }
    EXPECT_EQ(gt_trials, 3876u * 3u);
    EXPECT_EQ(sweep_trials, 3876u * 2u * 2u);
    EXPECT_EQ(rt->n_trials, gt_trials + sweep_trials);
}

TEST_F(Cli, RunAndInfoShowTheSameHeadlineEstimator) {
    // plugin + jackknife only: the jackknife is the headline; `info` used to look for it in a
    // shorter list and showed no corrected column at all
    const std::string card = std::string(MEMLIF_SOURCE_DIR) + "/tools/cards/small.json";
    const Result r =
        sh("run " + card +
           " --backend cpu --set 'information.estimators=[\"plugin\",\"jackknife\"]' -o " +
           file("h.h5"));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("MI_jackknife"), std::string::npos) << r.out;
    const Result info = sh("info " + file("h.h5"));
    EXPECT_NE(info.out.find("MI_jackknife"), std::string::npos) << info.out;
    // the corrected column of both is the same number
    const auto line_of = [](const std::string& out) {
        const auto at = out.find("\n   1  ");
        return at == std::string::npos ? std::string()
                                       : out.substr(at, out.find('\n', at + 1) - at);
    };
    EXPECT_EQ(line_of(r.out), line_of(info.out));
}

TEST_F(Cli, RetiredBackspikeAmplitudeIsRefused) {
    const Result r = sh("run --set backspike.amplitude_V=0.2 -o " + file("b.h5"));
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.out.find("backspike.amplitude_V"), std::string::npos) << r.out;
    EXPECT_FALSE(exists(file("b.h5")));
}

TEST_F(Cli, OnlyVersionStartsTheCudaRuntime) {
    // cudart loads the driver library (libcuda.so.1) when it first initialises: dump-default must
    // not get that far, --version must (CUDA builds only).
    const Result dump = sh_env("LD_DEBUG=libs MEMLIF_DISABLE_DEVICE=0", "dump-default");
    EXPECT_EQ(dump.code, 0);
    EXPECT_EQ(dump.out.find("libcuda.so"), std::string::npos);
    const Result version = sh_env("LD_DEBUG=libs MEMLIF_DISABLE_DEVICE=0", "--version");
    EXPECT_EQ(version.code, 0);
    if (version.out.find("CUDA on") == std::string::npos) GTEST_SKIP() << "CPU-only build";
    EXPECT_NE(version.out.find("libcuda.so"), std::string::npos) << "the device query never ran";
}

} // namespace
