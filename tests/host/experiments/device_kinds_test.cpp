// SPDX-License-Identifier: MIT
//! \file tests/host/experiments/device_kinds_test.cpp
//! The device experiment kinds run from their cards (tools/cards/, at reduced size) on the CPU,
//! write the group io/kind_layout.cpp documents and nothing of the MI layout, and show the
//! behaviours the seed reports at the kind level (model.md §3.2, §6-§8): LTD/LTP cycles gradual
//! and repeatable, SET gradual and (with the bound out of the way) self-limiting through the
//! series resistor, RESET abrupt, nu > nu0 potentiates and nu < nu0 depresses, theta-burst trains
//! multiply G by a nearly constant factor; and the theta_burst_ladder grid block gives the MI
//! sweep the conductances the ladder reached.
#include "host/config.hpp"
#include "host/run.hpp"
#include "host/theta_burst_ladder.hpp"

#include "io/h5.hpp"
#include "io/kind_layout.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

namespace memlif {
namespace {

using nlohmann::json;
namespace h5 = io::h5;

json card(const std::string& name) {
    return read_card_file(std::string(MEMLIF_SOURCE_DIR) + "/tools/cards/" + name);
}

std::string temp_path(const std::string& stem) {
    return ::testing::TempDir() + "memlif_kinds_" + std::to_string(getpid()) + "_" + stem + ".h5";
}

//! Runs `c` with the overrides on the CPU into a fresh file; returns its path.
std::string run_card(json c, const std::string& stem, const std::vector<std::string>& sets = {}) {
    const std::string path = temp_path(stem);
    std::remove(path.c_str());
    for (const std::string& s : sets) apply_override(c, s);
    apply_override(c, "output.path=" + json(path).dump());
    apply_override(c, "simulation.backend=\"cpu\"");
    RunOptions o;
    o.quiet = true;
    const RunReport rep = execute_run(resolve_config(c), o);
    EXPECT_FALSE(rep.interrupted);
    return path;
}

//! Read access to one file.
struct File {
    explicit File(const std::string& path) : f(h5::open_file(path, false)) {}
    std::vector<double> f64(const std::string& name, std::vector<hsize_t>* dims = nullptr) const {
        return h5::read_dataset<double>(f, name, dims);
    }
    std::vector<std::uint32_t> u32(const std::string& name) const {
        return h5::read_dataset<std::uint32_t>(f, name);
    }
    std::vector<std::uint8_t> u8(const std::string& name) const {
        return h5::read_dataset<std::uint8_t>(f, name);
    }
    double attr(const std::string& group, const std::string& name) const {
        h5::Handle g = h5::open_group(f, group);
        return h5::read_attr<double>(g, name);
    }
    std::string root_text(const std::string& name) const { return h5::read_attr_string(f, name); }
    bool has(const std::string& name) const { return h5::exists(f, name); }
    h5::Handle f;
};

//! Every dataset of the table, with its element type, the shape of its named axes, its units
//! and axes attributes; a kind file holds provenance and no MI layout.
void expect_layout(const std::string& path, const io::kind_layout::Group& g,
                   const std::map<std::string, hsize_t>& extents) {
    const File file(path);
    for (const io::kind_layout::Dataset& d : g.datasets) {
        const std::string name = std::string(g.path) + "/" + d.name;
        ASSERT_TRUE(file.has(name)) << name;
        h5::Handle ds = h5::open_dataset(file.f, name);
        const h5::ElementType t = h5::element_type(ds);
        switch (d.type) {
        case io::layout::Type::f64:
            EXPECT_TRUE(t.is_float && t.size == 8) << name;
            break;
        case io::layout::Type::u32:
            EXPECT_TRUE(t.is_integer && !t.is_signed && t.size == 4) << name;
            break;
        case io::layout::Type::u8:
            EXPECT_TRUE(t.is_integer && !t.is_signed && t.size == 1) << name;
            break;
        default:
            ADD_FAILURE() << name << ": unexpected type in the table";
        }
        std::vector<hsize_t> want;
        for (const char* a : d.axes) want.push_back(extents.at(a));
        EXPECT_EQ(h5::shape(ds), want) << name;
        if (d.units[0] != '\0') {
            EXPECT_EQ(h5::read_attr_string(ds, "units"), d.units) << name;
        } else {
            EXPECT_FALSE(h5::has_attr(ds, "units")) << name;
        }
        EXPECT_TRUE(h5::has_attr(ds, "axes")) << name;
    }
    if (std::string(g.kind) != "mi_sweep") {
        EXPECT_EQ(file.root_text("experiment_kind"), g.kind);
        EXPECT_EQ(file.root_text("filetype"), "memlif-run");
        EXPECT_EQ(h5::read_attr<std::uint8_t>(file.f, "complete"), 1);
        EXPECT_TRUE(file.has("config_json"));
        EXPECT_TRUE(file.has("runtime/wall_s"));
        for (const char* mi : {"stimuli", "axes", "counts", "results"})
            EXPECT_FALSE(file.has(mi)) << mi;
        const json stored = json::parse(h5::read_string_dataset(file.f, "config_json"));
        EXPECT_EQ(stored.at("experiment").at("kind"), g.kind);
    }
}

// ---- every card of tools/cards/ at reduced size writes its documented group -----------------

TEST(DeviceKindCards, IvSweepWritesItsGroup) {
    const std::string p =
        run_card(card("iv_sweep.json"), "iv_layout",
                 {"iv_sweep.n_devices=2", "iv_sweep.n_cycles=2", "iv_sweep.sample_every=100"});
    // 2 x 400 + 2 x 800 steps of 1 mV per cycle, a sample every 100 steps and the start
    expect_layout(p, io::kind_layout::iv_sweep(),
                  {{"device", 2}, {"cycle", 2}, {"sample", 2400 / 100 + 1}});
    const File f(p);
    const std::vector<double> v = f.f64("iv_sweep/v_source_V");
    EXPECT_DOUBLE_EQ(v.front(), 0.0);
    EXPECT_NEAR(v[4], 0.4, 1e-12); // sample 4 = step 400: the SET end of the sweep
    EXPECT_NEAR(v[8], 0.0, 1e-12);
    EXPECT_NEAR(v[16], -0.8, 1e-12); // step 1600
}

TEST(DeviceKindCards, PulseCyclesWritesItsGroup) {
    const std::string p = run_card(card("pulse_cycles.json"), "pc_layout",
                                   {"pulse_cycles.n_devices=2", "pulse_cycles.n_cycles=2"});
    expect_layout(p, io::kind_layout::pulse_cycles(), {{"device", 2}, {"pulse", 20 + 2 * 40}});
    const File f(p);
    const std::vector<std::uint8_t> phase = f.u8("pulse_cycles/phase");
    const std::vector<std::uint32_t> cycle = f.u32("pulse_cycles/cycle");
    EXPECT_EQ(phase[0], 0);
    EXPECT_EQ(phase[20], 1);
    EXPECT_EQ(phase[40], 2);
    EXPECT_EQ(cycle[99], 2u);
    // R = V_read / I_read - R_s [SEED], the definition the file's columns must satisfy
    const std::vector<double> r = f.f64("pulse_cycles/r_ohm"), i = f.f64("pulse_cycles/i_read_A");
    for (std::size_t k = 0; k < r.size(); ++k) EXPECT_NEAR(r[k], 0.05 / i[k] - 1e4, 1e-9 * r[k]);
}

TEST(DeviceKindCards, RateRuleWritesItsGroup) {
    const std::string p = run_card(card("rate_rule.json"), "rr_layout",
                                   {"rate_rule.rates_Hz=[5, 20]", "rate_rule.n_trials=4",
                                    "rate_rule.duration_s=1", "rate_rule.n_bootstrap=3"});
    expect_layout(p, io::kind_layout::rate_rule(), {{"rate", 2}, {"trial", 4}, {"replicate", 3}});
}

TEST(DeviceKindCards, ThetaBurstWritesItsGroup) {
    const std::string p = run_card(
        card("theta_burst.json"), "tb_layout",
        {"theta_burst.n_devices=2", "theta_burst.max_trains=2", "theta_burst.targets_uS=[]"});
    expect_layout(p, io::kind_layout::theta_burst(),
                  {{"device", 2}, {"train", 2}, {"burst", 20}, {"target", 0}});
    const File f(p);
    const std::vector<double> t = f.f64("theta_burst/t_after_burst_s");
    EXPECT_NEAR(t[0], 0.2, 1e-12);
    EXPECT_NEAR(t[19], 4.0, 1e-12);
}

TEST(DeviceKindCards, LadderCardGivesTheMiSweepTheLadderConductances) {
    const std::string p = run_card(card("ladder.json"), "ladder_layout",
                                   {"simulation.repeats=1", "information.estimators=[\"plugin\"]"});
    const File f(p);
    EXPECT_EQ(f.root_text("experiment_kind"), "mi_sweep");
    std::vector<hsize_t> dims;
    const std::vector<double> g = f.f64("axes/conductance_S", &dims);
    ASSERT_EQ(dims, (std::vector<hsize_t>{3, 4}));
    const std::vector<double> pts = f.f64("analysis/ladder/conductance_S");
    const std::vector<double> targets = f.f64("analysis/ladder/target_g_S");
    const std::vector<double> reached = f.f64("analysis/ladder/g_reached_S");
    const std::vector<std::uint32_t> trains = f.u32("analysis/ladder/trains_to_target");
    const std::vector<double> g_train = f.f64("analysis/ladder/g_after_train_S", &dims);
    const hsize_t n_train = dims.at(0);
    (void)f.f64("analysis/ladder/g_after_burst_S", &dims);
    EXPECT_EQ(dims.at(0), n_train); // the card's trains are one burst each
    expect_layout(p, io::kind_layout::ladder(),
                  {{"target", 2}, {"train", n_train}, {"burst", n_train}, {"point", 3}});
    ASSERT_EQ(pts.size(), 3u);
    for (std::size_t k = 0; k < 3; ++k)
        for (std::size_t s = 0; s < 4; ++s)
            EXPECT_EQ(g[4 * k + s], pts[k]) << "condition " << k << " synapse " << s;
    EXPECT_NEAR(pts[0], 2.6e-6, 1e-15);
    for (std::size_t k = 0; k < 2; ++k) {
        // the point is G after the train that first reached target k, and the train before did
        // not reach it
        ASSERT_GE(trains[k], 1u);
        EXPECT_EQ(reached[k], g_train[trains[k] - 1]);
        EXPECT_DOUBLE_EQ(pts[k + 1], reached[k]); // the same value, through uS and back
        EXPECT_GE(pts[k + 1], targets[k]);
        if (trains[k] > 1) {
            EXPECT_LT(g_train[trains[k] - 2], targets[k]);
        }
    }
    EXPECT_EQ(f.u32("analysis/ladder/condition"), (std::vector<std::uint32_t>{0, 1, 2}));
}

// ---- Fig. 1c,d: pulse cycles ------------------------------------------------------------------

struct PulseRun {
    std::vector<double> r, g;
    std::size_t n_devices = 0, n_pulses = 0;
};

PulseRun pulse_run(const std::string& stem, std::vector<std::string> sets) {
    const std::string p = run_card(card("pulse_cycles.json"), stem, sets);
    const File f(p);
    PulseRun out;
    std::vector<hsize_t> dims;
    out.r = f.f64("pulse_cycles/r_ohm", &dims);
    out.g = f.f64("pulse_cycles/g_read_S");
    out.n_devices = dims.at(0);
    out.n_pulses = dims.at(1);
    return out;
}

TEST(PulseCyclesKind, MatchesTheIndependentReferenceThroughTheCard) {
    // tests/kernels/devices/reference/ul_gap_pulse_reference.py (scipy Radau, rtol 1e-11, from
    // model.md §3.2 only): R after pulses 0, 3, 39, 40 of SET + 2 cycles, in kOhm. The card's
    // microseconds and ohms must reach the kernel as the seed's protocol.
    const PulseRun run = pulse_run("pc_ref", {"pulse_cycles.n_devices=1", "pulse_cycles.n_cycles=2",
                                              "pulse_cycles.device.noise.device_variability=false",
                                              "pulse_cycles.device.noise.cycle_variability=false"});
    EXPECT_NEAR(run.r[0] / 1e3, 259.753969569, 2e-9 * 259.75);
    EXPECT_NEAR(run.r[3] / 1e3, 54.661872903, 2e-9 * 54.66);
    EXPECT_NEAR(run.r[39] / 1e3, 313.268899677, 2e-9 * 313.27);
    EXPECT_NEAR(run.r[40] / 1e3, 249.312928883, 2e-9 * 249.31);
}

TEST(PulseCyclesKind, LtdLtpCyclesAreGradualAndRepeatable) {
    const PulseRun run =
        pulse_run("pc_repeat", {"pulse_cycles.n_devices=2", "pulse_cycles.n_cycles=5",
                                "pulse_cycles.device.noise.device_variability=false",
                                "pulse_cycles.device.noise.cycle_variability=false"});
    const std::size_t n_set = 20, n_cyc = 40, np = run.n_pulses;
    for (std::size_t d = 0; d < run.n_devices; ++d) {
        const double* r = &run.r[d * np];
        const double* c1 = r + n_set;
        const double window = std::log(c1[19] / c1[39]);
        EXPECT_GT(window, std::log(4.0)); // seed Fig. 1d: ~55 -> ~300 kOhm
        for (std::size_t c = 0; c < 5; ++c)
            for (std::size_t j = 0; j < n_cyc; ++j) {
                const double* cy = r + n_set + c * n_cyc;
                const double prev = j == 0 ? cy[-1] : cy[j - 1];
                EXPECT_NEAR(cy[j], c1[j], 1e-9 * c1[j]) << "device " << d << " cycle " << c;
                EXPECT_LT(std::fabs(std::log(cy[j] / prev)), 0.25 * window);
                if (j < 20) {
                    EXPECT_GT(cy[j], prev); // LTD raises R
                } else {
                    EXPECT_LE(cy[j], prev * (1 + 1e-12)); // LTP lowers it (or holds the bound)
                }
            }
    }
}

TEST(PulseCyclesKind, VariabilityMakesDevicesAndCyclesDifferButKeepsTheStaircases) {
    const PulseRun run =
        pulse_run("pc_noise", {"pulse_cycles.n_devices=4", "pulse_cycles.n_cycles=4",
                               "pulse_cycles.device.noise.cycle_variability=true"});
    const std::size_t np = run.n_pulses;
    // LTD end of cycle 1 differs between devices (d2d) and between cycles of device 0 (c2c)
    EXPECT_NE(run.r[0 * np + 39], run.r[1 * np + 39]);
    EXPECT_NE(run.r[39], run.r[39 + 40]);
    std::size_t at_bound = 0;
    for (std::size_t d = 0; d < run.n_devices; ++d)
        for (std::size_t c = 0; c < 4; ++c) {
            const std::size_t k = d * np + 20 + c * 40;
            // every LTD train still a staircase: R rises with each pulse until, with the strong
            // RESET variability of the defaults, some trains run into the HRS bound and hold
            EXPECT_GT(run.r[k + 1], run.r[k]);
            for (std::size_t j = 1; j < 20; ++j) {
                EXPECT_GE(run.r[k + j], run.r[k + j - 1] * (1 - 1e-12));
                at_bound += run.r[k + j] <= run.r[k + j - 1] * (1 + 1e-12) ? 1 : 0;
            }
        }
    std::printf("[ measured ] pulse_cycles kind, d2d + c2c on: %zu of %zu LTD pulses held at the "
                "HRS bound\n",
                at_bound, run.n_devices * 4 * 19);
}

TEST(PulseCyclesKind, SetIsGradualBoundLimitedByDefaultAndSelfLimitingWithTheSeriesResistor) {
    const std::vector<std::string> quiet = {"pulse_cycles.n_devices=1", "pulse_cycles.n_cycles=0",
                                            "pulse_cycles.device.noise.device_variability=false",
                                            "pulse_cycles.device.noise.cycle_variability=false"};
    // Default set: gradual (the first pulse leaves R above twice its final value, R falls
    // monotonically) but the end is the thin-barrier bound x_min, reached after a few pulses:
    // with the default parameters the bound, not R_s, stops the SET (docs/devices.md §7).
    const PulseRun def = pulse_run("pc_set_default", quiet);
    EXPECT_GT(def.r[0], 2.0 * def.r[19]);
    for (std::size_t j = 1; j < 20; ++j) EXPECT_LE(def.r[j], def.r[j - 1] * (1 + 1e-12));
    EXPECT_DOUBLE_EQ(def.g[19], def.g[10]); // held at the bound
    // With x_min out of the way (0.2 nm), the series resistor alone limits the SET: the barrier
    // change per pulse (x0 times the change of ln G_read, UL-GAP's G ~ exp(-x/x0)) falls
    // monotonically, by more than a factor 20 from the second pulse to the last.
    std::vector<std::string> open = quiet;
    open.push_back("pulse_cycles.device.ul_gap.x_min_m=0.2e-9");
    const PulseRun lim = pulse_run("pc_set_open", open);
    std::vector<double> dlng;
    for (std::size_t j = 1; j < 20; ++j) dlng.push_back(std::log(lim.g[j] / lim.g[j - 1]));
    for (std::size_t j = 1; j < dlng.size(); ++j)
        EXPECT_LT(dlng[j], dlng[j - 1]) << "SET pulse " << j + 1;
    EXPECT_LT(dlng.back(), 0.05 * dlng.front());
    // without R_s the same pulses are much stronger: G after the first pulse is higher
    open.push_back("pulse_cycles.r_series_ohm=0");
    const PulseRun bare = pulse_run("pc_set_bare", open);
    EXPECT_GT(bare.g[0], 2.0 * lim.g[0]);
}

// ---- Fig. 1b: DC sweep ------------------------------------------------------------------------

//! Source-voltage span over which ln G crosses the middle 80 % of its change, samples [a, b].
double transition_span_V(const std::vector<double>& v, const std::vector<double>& g, std::size_t a,
                         std::size_t b) {
    const double l0 = std::log(g[a]), l1 = std::log(g[b]);
    double v10 = NAN, v90 = NAN;
    for (std::size_t k = a; k <= b; ++k) {
        const double f = (std::log(g[k]) - l0) / (l1 - l0);
        if (std::isnan(v10) && f >= 0.1) v10 = v[k];
        if (std::isnan(v90) && f >= 0.9) v90 = v[k];
    }
    return std::fabs(v90 - v10);
}

TEST(IvSweepKind, SetIsGradualResetIsAbruptWithinTheCompliance) {
    const std::string p =
        run_card(card("iv_sweep.json"), "iv_abrupt",
                 {"iv_sweep.n_devices=1", "iv_sweep.n_cycles=1", "iv_sweep.dv_step_V=1e-4",
                  "iv_sweep.sample_every=1", "iv_sweep.device.noise.device_variability=false",
                  "iv_sweep.device.noise.cycle_variability=false"});
    const File f(p);
    const std::vector<double> v = f.f64("iv_sweep/v_source_V"), g = f.f64("iv_sweep/g_read_S"),
                              i = f.f64("iv_sweep/i_A");
    ASSERT_EQ(v.size(), 24001u);
    ASSERT_NEAR(v[4000], 0.4, 1e-12);
    ASSERT_NEAR(v[8000], 0.0, 1e-12);
    ASSERT_NEAR(v[16000], -0.8, 1e-12);
    for (double x : i) EXPECT_LE(std::fabs(x), 1e-5 * (1 + 1e-12));
    const double set_span = transition_span_V(v, g, 0, 4000),
                 reset_span = transition_span_V(v, g, 8000, 16000);
    std::printf("[ measured ] iv_sweep kind: 10-90%% ln G span SET %.4f V, RESET %.4f V; V_set "
                "%.4f V, V_reset %.4f V\n",
                set_span, reset_span, f.f64("iv_sweep/v_set_V")[0], f.f64("iv_sweep/v_reset_V")[0]);
    EXPECT_LT(reset_span, 0.5 * set_span);
    EXPECT_GT(f.f64("iv_sweep/v_set_V")[0], 0.0);
    EXPECT_LT(f.f64("iv_sweep/v_reset_V")[0], 0.0);
}

TEST(IvSweepKind, ResetVoltageVariesMoreThanSetFromCycleToCycle) {
    const std::string p =
        run_card(card("iv_sweep.json"), "iv_c2c",
                 {"iv_sweep.n_devices=3", "iv_sweep.n_cycles=10", "iv_sweep.sample_every=200",
                  "iv_sweep.device.noise.device_variability=false"});
    const File f(p);
    const std::vector<double> set = f.f64("iv_sweep/v_set_V"), reset = f.f64("iv_sweep/v_reset_V");
    const auto rel_sd = [](const std::vector<double>& x) {
        double m = 0, q = 0;
        for (double e : x) {
            EXPECT_TRUE(std::isfinite(e));
            m += e;
            q += e * e;
        }
        m /= x.size();
        return std::sqrt(q / x.size() - m * m) / std::fabs(m);
    };
    EXPECT_GT(rel_sd(reset), 2.0 * rel_sd(set)); // strong c2c variability of RESET [SEED]
}

// ---- Fig. 2b: rate rule -----------------------------------------------------------------------

TEST(RateRuleKind, FastInputPotentiatesSlowInputDepresses) {
    const std::string p = run_card(card("rate_rule.json"), "rr_sign",
                                   {"rate_rule.rates_Hz=[2.5, 5, 20, 40]", "rate_rule.n_trials=40",
                                    "rate_rule.n_bootstrap=50"});
    const File f(p);
    const std::vector<double> lo = f.f64("rate_rule/ci_low_dg_per_s"),
                              hi = f.f64("rate_rule/ci_high_dg_per_s");
    const double nu0 = f.attr("rate_rule", "balance_rate_Hz");
    std::printf("[ measured ] rate_rule kind (40 trials x 5 s): nu0 = %.3f Hz, bootstrap SE %.3f "
                "Hz, analytic %.3f Hz\n",
                nu0, f.attr("rate_rule", "balance_rate_se_Hz"),
                f.attr("rate_rule", "analytic_balance_rate_Hz"));
    EXPECT_LT(hi[0], 0.0); // 2.5 Hz: the whole band below zero
    EXPECT_LT(hi[1], 0.0); // 5 Hz
    EXPECT_GT(lo[2], 0.0); // 20 Hz: the whole band above zero
    EXPECT_GT(lo[3], 0.0); // 40 Hz
    EXPECT_GT(nu0, 5.0);
    EXPECT_LT(nu0, 20.0);
    // the bootstrap interval brackets the point estimate
    EXPECT_LE(f.attr("rate_rule", "balance_rate_ci_low_Hz"), nu0);
    EXPECT_GE(f.attr("rate_rule", "balance_rate_ci_high_Hz"), nu0);
}

TEST(RateRuleKind, TrialsShareTheirBackspikesAcrossRates) {
    const std::string p = run_card(card("rate_rule.json"), "rr_crn",
                                   {"rate_rule.rates_Hz=[3, 30]", "rate_rule.n_trials=6",
                                    "rate_rule.duration_s=2", "rate_rule.n_bootstrap=0"});
    const File f(p);
    const std::vector<std::uint32_t> bs = f.u32("rate_rule/n_backspikes"),
                                     pre = f.u32("rate_rule/n_pre");
    bool any_differs = false;
    for (std::size_t t = 0; t < 6; ++t) {
        // common random numbers: the back-spike process of trial t does not depend on nu (a
        // back-spike window merges with nothing that nu changes)
        EXPECT_EQ(bs[t], bs[6 + t]) << "trial " << t;
        EXPECT_GT(pre[6 + t], pre[t]);
        any_differs = any_differs || bs[t] != bs[0];
    }
    EXPECT_TRUE(any_differs); // and trials differ from one another
}

// ---- Fig. 4: theta burst ----------------------------------------------------------------------

TEST(ThetaBurstKind, EachTrainMultipliesGByANearlyConstantFactor) {
    const std::string p = run_card(
        card("theta_burst.json"), "tb_factor",
        {"theta_burst.n_devices=1", "theta_burst.max_trains=3", "theta_burst.targets_uS=[]",
         "theta_burst.backspike_enabled=false", "theta_burst.device.initial_g_uS=1.0"});
    const File f(p);
    const std::vector<double> fac = f.f64("theta_burst/train_factor"),
                              dw = f.f64("theta_burst/weight_change_after_burst");
    std::printf("[ measured ] theta_burst kind, no back-spikes: factors %.4f %.4f %.4f\n", fac[0],
                fac[1], fac[2]);
    EXPECT_GT(fac[0], 1.5);
    EXPECT_NEAR(fac[1] / fac[0], 1.0, 0.01);
    EXPECT_NEAR(fac[2] / fac[0], 1.0, 0.01);
    EXPECT_GT(dw[0], 0.0);
    for (std::size_t k = 1; k < dw.size(); ++k) EXPECT_GT(dw[k], dw[k - 1]);
    // the normalised weight change after the last burst of train k is prod(factors) - 1
    EXPECT_NEAR(dw[29], fac[0] * fac[1] * fac[2] - 1.0, 1e-12 * dw[29]);
}

TEST(ThetaBurstKind, LadderWithBackspikesReachesEachTargetOnItsFirstTrainAbove) {
    const std::string p =
        run_card(card("theta_burst.json"), "tb_ladder", {"theta_burst.n_devices=3"});
    const File f(p);
    const std::vector<double> g = f.f64("theta_burst/g_after_train_S");
    const std::vector<std::uint32_t> to = f.u32("theta_burst/trains_to_target"),
                                     n = f.u32("theta_burst/n_trains");
    const double targets[2] = {6.2e-6, 13.6e-6};
    for (std::size_t d = 0; d < 3; ++d) {
        ASSERT_GE(to[2 * d], 1u);
        EXPECT_EQ(n[d], to[2 * d + 1]); // stops at the last target
        for (std::size_t k = 0; k < 2; ++k) {
            const std::uint32_t tr = to[2 * d + k];
            ASSERT_GE(tr, 1u);
            EXPECT_GE(g[d * 20 + tr - 1], targets[k]);
            // with back-spikes G can dip; the first train at or above the target is the one named
            for (std::uint32_t j = 0; j + 1 < tr; ++j) EXPECT_LT(g[d * 20 + j], targets[k]);
        }
        if (n[d] < 20) {
            EXPECT_TRUE(std::isnan(g[d * 20 + n[d]])); // nothing after the stop
        }
    }
}

// ---- the ladder block and card errors ---------------------------------------------------------

json mi_card_with(const json& block) {
    json c = card("small.json");
    c["conductance_grid"] =
        json::array({json{{"kind", "list"}, {"values_uS", json::array({1.0})}}, block});
    return c;
}

TEST(LadderBlock, ExpandsToTheConductancesTheLadderReachedAfterEarlierBlocks) {
    const json block = {{"kind", "theta_burst_ladder"},
                        {"backspike_enabled", false},
                        {"targets_uS", json::array({5.0})},
                        {"include_start", false}};
    const RunConfig cfg = resolve_config(mi_card_with(block));
    ASSERT_EQ(cfg.conductances_uS.size(), 2u);
    EXPECT_EQ(cfg.conductances_uS[0][0], 1.0);
    const LadderResult r = run_theta_burst_ladder(block, "b");
    ASSERT_EQ(r.points_S.size(), 1u);
    EXPECT_DOUBLE_EQ(cfg.conductances_uS[1][3], r.points_S[0] * 1e6);
    EXPECT_GE(r.points_S[0], 5e-6);
    const auto ref = find_theta_burst_ladder(cfg.conductance_grid);
    ASSERT_TRUE(ref.has_value());
    EXPECT_EQ(ref->block, 1u);
    EXPECT_EQ(ref->first_condition, 1u);
}

void expect_config_error(const json& c, const std::string& fragment) {
    try {
        (void)resolve_config(c);
        ADD_FAILURE() << "no ConfigError; expected one naming " << fragment;
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

TEST(LadderBlock, RefusesAnUnreachableTargetAndASecondLadder) {
    expect_config_error(mi_card_with({{"kind", "theta_burst_ladder"},
                                      {"max_trains", 1},
                                      {"backspike_enabled", false},
                                      {"targets_uS", json::array({15.0})}}),
                        "conductance_grid[1].targets_uS[0]: the ladder reached");
    json c = mi_card_with({{"kind", "theta_burst_ladder"}});
    c["conductance_grid"].push_back({{"kind", "theta_burst_ladder"}});
    expect_config_error(c, "conductance_grid[2].kind: at most one theta_burst_ladder");
    expect_config_error(mi_card_with({{"kind", "theta_burst_ladder"}, {"targets_uS", {13, 6}}}),
                        "conductance_grid[1].targets_uS[1]: the targets must increase");
    expect_config_error(
        mi_card_with({{"kind", "theta_burst_ladder"}, {"tragets_uS", json::array({13})}}),
        "conductance_grid[1].tragets_uS: unknown key");
}

TEST(DeviceCardErrors, NameTheKey) {
    json c = card("pulse_cycles.json");
    c["pulse_cycles"]["device"]["gmms"] = {{"tau_s", 1e-4}};
    expect_config_error(c, "pulse_cycles.device.gmms: parameters of another model, but "
                           "pulse_cycles.device.model is \"ul-gap\"");
    c = card("rate_rule.json");
    c["rate_rule"]["device"]["initial_g_uS"] = 30.0;
    expect_config_error(c, "rate_rule.device.initial_g_uS: 30 uS is outside the ul-gap model's "
                           "range");
    c = card("rate_rule.json");
    c["rate_rule"]["rates_Hz"] = {10, 5};
    expect_config_error(c, "rate_rule.rates_Hz[1]: the rates must increase");
    c = card("rate_rule.json");
    c["rate_rule"]["rates_Hz"] = {10, "fast"};
    expect_config_error(c, "rate_rule.rates_Hz[1]: expected a number");
    c = card("iv_sweep.json");
    c["iv_sweep"]["device"]["ul_gap"] = {{"x_min_m", 7e-9}};
    expect_config_error(c, "iv_sweep.device.ul_gap.x_min_m: must be below x_max_m");
    c = card("theta_burst.json");
    c["theta_burst"]["device"]["noise"] = {{"rtn_traps", json::array({json{{"delta", 1.5}}})}};
    expect_config_error(c, "theta_burst.device.noise.rtn_traps[0].delta: must be in [0.0, 1.0)");
    // a typo in a section the card does not run is still refused
    c = card("small.json");
    c["theta_burst"] = {{"burst_perod_ms", 100}};
    expect_config_error(c, "theta_burst.burst_perod_ms: unknown key");
}

TEST(DeviceCard, AcceptsEveryModelAndTheMssAlias) {
    for (const char* m :
         {"ul-gap", "linear", "gmms", "mss", "vteam", "yakopcic", "short-long-term", "ion-drift"}) {
        json c = card("pulse_cycles.json");
        c["pulse_cycles"]["device"] = {{"model", m}};
        const RunConfig cfg = resolve_config(c);
        const json& dev = cfg.card.at("pulse_cycles").at("device");
        const char* section = std::string(m) == "mss" ? "gmms" : nullptr;
        // only the chosen model's parameter section is in the resolved card
        std::size_t sections = 0;
        for (const char* s :
             {"linear", "ul_gap", "gmms", "vteam", "yakopcic", "short_long_term", "ion_drift"})
            sections += dev.contains(s) ? 1 : 0;
        EXPECT_EQ(sections, 1u) << m;
        if (section) {
            EXPECT_TRUE(dev.contains(section));
        }
        // the resolved card reads back to itself
        EXPECT_EQ(resolve_config(cfg.card).card, cfg.card) << m;
    }
    json c = card("pulse_cycles.json");
    c["pulse_cycles"]["device"] = {{"model", "yakopcic"},
                                   {"yakopcic", {{"parameter_set", "nbsto_10um"}}}};
    const json y = resolve_config(c).card.at("pulse_cycles").at("device").at("yakopcic");
    EXPECT_EQ(y.at("form"), "nbsto_2020");
    EXPECT_DOUBLE_EQ(y.at("x_p").get<double>(), 0.11); // the Nb:SrTiO3 set [CODE]
}

} // namespace
} // namespace memlif
