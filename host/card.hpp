// SPDX-License-Identifier: MIT
//! \file host/card.hpp
//! The run card's core sections, each key written once: name (unit in the name), default (the
//! member initialiser) and valid range (in visit). The defaults are the paper's experiment
//! (Benatti et al. 2023: symmetric set, 15 repeats, 2.6/6.2/13.6 uS plus a 16-point log grid
//! 1-20 uS for the Fig. 5 curve); provenance of every number in ../shared/spec/model.md §9.
//! Sections owned by one experiment kind (e.g. `ground_truth`) live with that driver.
#pragma once

#include "card_io.hpp"
#include "synapse_physics_card.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace memlif {

//! The card format this build reads (root key `format`).
inline constexpr std::uint32_t k_card_format = 1;

struct ExperimentCard {
    std::string kind = "mi_sweep"; //!< which driver runs the card (host/experiments/)
    template <class V> void visit(V& v) { v.text("kind", kind); }
};

//! CMOS LIF neuron (model.md §2, §9). The circuit's numbers are not published (model.md §10 #1):
//! tau, V_th and T_delay are the calibrated set of docs/calibration.md (issue 11), the set closest
//! to the paper's qualitative claims in the large-sample limit [ASSUMPTION]; model.md §9's first
//! guesses (20 ms, 0.5 V, 10 ms) are kept in tools/cards/paper_uncalibrated.json.
struct NeuronCard {
    double tau_ms = 500.0;     //!< membrane time constant R_leak C
    double c_nF = 13.6;        //!< integrating capacitance
    double v_th_V = 1.99038;   //!< threshold
    double t_delay_ms = 100.0; //!< T_spike,Delay from threshold crossing to reset
    template <class V> void visit(V& v) {
        v.number("tau_ms", tau_ms, card::positive);
        v.number("c_nF", c_nF, card::positive);
        v.number("v_th_V", v_th_V, card::positive);
        v.number("t_delay_ms", t_delay_ms, card::non_negative);
    }
};

//! UL-GAP fixed-state parameters (model.md §3.2).
struct UlGapCard {
    double i0_A = 20.4e-6; //!< current prefactor
    double v0_V = 0.25;    //!< sinh voltage scale
    double x0_nm = 1.0;    //!< barrier e-folding length
    template <class V> void visit(V& v) {
        v.number("i0_A", i0_A, card::positive);
        v.number("v0_V", v0_V, card::positive);
        v.number("x0_nm", x0_nm, card::positive);
    }
};

//! Synapse device at the fixed state of each conductance point (model.md §2.1, §3).
struct SynapseCard {
    std::string model = "ul-gap"; //!< ul-gap | linear
    double v_read_V = 0.05;       //!< read voltage that defines G_read [SEED]
    UlGapCard ul_gap;
    SynapseNoiseCard noise;    //!< device noise in the MI trials (host/synapse_physics_card.hpp)
    PlasticityCard plasticity; //!< plasticity on during stimulation (same header)
    template <class V> void visit(V& v) {
        v.choice("model", model, {"ul-gap", "linear"});
        v.number("v_read_V", v_read_V, card::positive);
        v.section("ul_gap", ul_gap);
        v.section("noise", noise);
        v.section("plasticity", plasticity);
    }
};

//! Onset delay of an input spike inside its bin (model.md §4.2).
struct JitterCard {
    std::string law = "poisson";     //!< poisson | uniform | none
    double mean_ms = 20.0;           //!< poisson: mean delay
    double unit_ms = 1.0;            //!< poisson: delay unit (the delay is k units)
    double max_ms = 40.0;            //!< largest delay
    std::string truncation = "clip"; //!< poisson: clip | redraw above max_ms
    template <class V> void visit(V& v) {
        v.choice("law", law, {"poisson", "uniform", "none"});
        v.number("mean_ms", mean_ms, card::non_negative);
        v.number("unit_ms", unit_ms, card::positive);
        v.number("max_ms", max_ms, card::non_negative);
        v.choice("truncation", truncation, {"clip", "redraw"});
    }
};

//! Stimulus set and input spikes (model.md §4).
struct StimulusCard {
    std::string set = "symmetric"; //!< symmetric (3876 classes) | all (65536 patterns)
    std::string p_s = "uniform";   //!< uniform | multiplicity
    bool force_symmetric = false;  //!< allow `symmetric` with unequal synapses (canonical member)
    double input_bin_ms = 50.0;
    double spike_width_ms = 10.0;
    double spike_amplitude_V = 0.1; //!< presynaptic spike voltage across the synapse
    JitterCard jitter;
    template <class V> void visit(V& v) {
        v.choice("set", set, {"symmetric", "all"});
        v.choice("p_s", p_s, {"uniform", "multiplicity"});
        v.flag("force_symmetric", force_symmetric);
        v.number("input_bin_ms", input_bin_ms, card::positive);
        v.number("spike_width_ms", spike_width_ms, card::positive);
        v.number("spike_amplitude_V", spike_amplitude_V);
        v.section("jitter", jitter);
    }
};

//! Poisson back-spikes that disconnect the inputs (model.md §6; off in MI runs by default).
struct BackspikeCard {
    bool enabled = false;
    double mean_interval_ms = 1000.0;
    double width_us = 300.0;
    template <class V> void visit(V& v) {
        v.flag("enabled", enabled);
        v.number("mean_interval_ms", mean_interval_ms, card::positive);
        v.number("width_us", width_us, card::non_negative);
    }
};

//! Output coding (model.md §5).
struct ResponseCard {
    double window_ms = 200.0;
    double bin_ms = 10.0;
    template <class V> void visit(V& v) {
        v.number("window_ms", window_ms, card::positive);
        v.number("bin_ms", bin_ms, card::positive);
    }
};

struct SimulationCard {
    //! fixed: the fixed-step solver (exact exponential step, threshold tested at step ends);
    //! exact: the event-driven solver (closed form between edges, analytic crossing times)
    std::string solver = "fixed";
    //! exact solver only: input and back-spike onsets on the dt grid (the fixed step's onsets, so
    //! the two solvers see the same trials) or in continuous time
    std::string exact_onsets = "grid";
    double dt_us = 10.0;
    std::uint32_t repeats = 15;         //!< repeats per (stimulus, condition)
    std::string backend = "auto";       //!< auto | cpu | cuda
    std::uint32_t threads = 0;          //!< CPU threads, 0 = OpenMP default
    std::uint64_t batch_trials = 65536; //!< most CPU trials between progress and stop checks
    //! GPUs of this machine the sweep is spread over: [] = the default device, "all", or a list
    //! of distinct ids (host/multi_device.hpp); an error without CUDA devices
    nlohmann::json devices = nlohmann::json::array();
    template <class V> void visit(V& v) {
        v.choice("solver", solver, {"fixed", "exact"});
        v.choice("exact_onsets", exact_onsets, {"grid", "continuous"});
        v.number("dt_us", dt_us, card::positive);
        v.integer("repeats", repeats, 1u, 0xFFFFFFFFu);
        v.choice("backend", backend, {"auto", "cpu", "cuda"});
        v.integer("threads", threads, 0u, 4096u);
        v.integer("batch_trials", batch_trials, std::uint64_t{1}, std::uint64_t{1} << 32);
        v.raw("devices", devices);
    }
};

//! information.md §4.4.
struct QeCard {
    std::string partition = "shuffled"; //!< block | shuffled
    std::string target = "entropies";   //!< entropies | information
    std::string inner = "plugin";       //!< plugin | pt
    std::uint32_t replicates = 10;
    std::string small_sample = "refuse"; //!< refuse | fallback (N_s < 4)
    template <class V> void visit(V& v) {
        v.choice("partition", partition, {"block", "shuffled"});
        v.choice("target", target, {"entropies", "information"});
        v.choice("inner", inner, {"plugin", "pt"});
        v.integer("replicates", replicates, 1u, 100000000u);
        v.choice("small_sample", small_sample, {"refuse", "fallback"});
    }
};

//! information.md §4.5.
struct ShCard {
    std::string inner = "plugin"; //!< plugin | pt | qe
    std::uint32_t replicates = 20;
    template <class V> void visit(V& v) {
        v.choice("inner", inner, {"plugin", "pt", "qe"});
        v.integer("replicates", replicates, 1u, 100000000u);
    }
};

//! information.md §4.6.
struct NullCard {
    std::string estimator = "plugin"; //!< plugin | mm | pt
    std::uint32_t replicates = 100;
    template <class V> void visit(V& v) {
        v.choice("estimator", estimator, {"plugin", "mm", "pt"});
        v.integer("replicates", replicates, 1u, 100000000u);
    }
};

//! information.md §4.7.
struct BootstrapCard {
    std::string estimator = "pt"; //!< plugin | mm | pt
    std::uint32_t replicates = 200;
    double confidence = 0.95;
    template <class V> void visit(V& v) {
        v.choice("estimator", estimator, {"plugin", "mm", "pt"});
        v.integer("replicates", replicates, 2u, 100000000u);
        v.number("confidence", confidence, card::open_unit);
    }
};

//! Which estimators `run` and `analyze` compute, and their options (information.md §4, §5).
struct InformationCard {
    std::vector<std::string> estimators{"plugin", "mm", "pt", "jackknife"};
    nlohmann::json pt_rtot = "full"; //!< "full" (2^L) | "ibtb" | an integer
    QeCard qe;
    ShCard sh;
    NullCard null;
    BootstrapCard bootstrap;
    template <class V> void visit(V& v) {
        v.strings("estimators", estimators);
        v.raw("pt_rtot", pt_rtot);
        v.section("qe", qe);
        v.section("sh", sh);
        v.section("null", null);
        v.section("bootstrap", bootstrap);
    }
};

struct OutputCard {
    std::string path = "memlif_out.h5"; //!< the HDF5 file
    bool store_trials = false;          //!< also store every trial's word in /trials
    template <class V> void visit(V& v) {
        v.text("path", path);
        v.flag("store_trials", store_trials);
    }
};

//! The paper's grid: 2.6, 6.2, 13.6 uS (Fig. 6) and 16 log points 1-20 uS (Fig. 5).
inline nlohmann::json default_conductance_grid() {
    using nlohmann::json;
    return json::array({json{{"kind", "list"}, {"values_uS", {2.6, 6.2, 13.6}}},
                        json{{"kind", "log"}, {"start_uS", 1.0}, {"stop_uS", 20.0}, {"n", 16}}});
}

//! Every core section of the card.
struct CoreCard {
    std::uint32_t format = k_card_format;
    std::uint64_t seed = 20230523; //!< master Philox seed
    ExperimentCard experiment;
    NeuronCard neuron;
    SynapseCard synapse;
    StimulusCard stimulus;
    BackspikeCard backspike;
    ResponseCard response;
    SimulationCard simulation;
    //! list of blocks (host/conductance_grid.hpp), expanded and checked by expand_conductance_grid
    nlohmann::json conductance_grid = default_conductance_grid();
    InformationCard information;
    OutputCard output;
    template <class V> void visit(V& v) {
        v.integer("format", format, k_card_format, k_card_format);
        v.integer("seed", seed, std::uint64_t{0}, ~std::uint64_t{0});
        v.section("experiment", experiment);
        v.section("neuron", neuron);
        v.section("synapse", synapse);
        v.section("stimulus", stimulus);
        v.section("backspike", backspike);
        v.section("response", response);
        v.section("simulation", simulation);
        v.raw("conductance_grid", conductance_grid);
        v.section("information", information);
        v.section("output", output);
    }
};

} // namespace memlif
