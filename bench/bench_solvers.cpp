// SPDX-License-Identifier: MIT
//! \file bench/bench_solvers.cpp
//! Per-core speed of the trial solvers on the paper card (issue 9): the fixed step one trial at a
//! time (run_trial) and interleaved (run_trials), the exact event-driven solver alone and with the
//! counts and the plug-in MI of a whole condition, and a plain per-step C++ loop as the floor.
//! Everything runs on the calling thread, so the default CPU-time clock is the per-core figure.
//!
//! Card: the default card (Poisson-jittered 10 ms spikes in 50 ms bins, UL-GAP synapses, 20 x 10 ms
//! output bins, 3876 symmetric stimuli x 15 repeats), dt = 10 us, the paper's conductances
//! 2.6 / 6.2 / 13.6 uS (benchmark argument 0 / 1 / 2).
#include "host/config.hpp"
#include "memlif/core/counts.hpp"
#include "host/information/plugin.hpp"
#include "host/stimulus_set.hpp"
#include "memlif/core/sweep.hpp"

#include "memlif/kernels/exact_params.hpp"
#include "memlif/kernels/exact_trial.hpp"
#include "memlif/kernels/lif.hpp"
#include "memlif/kernels/trial.hpp"
#include "memlif/kernels/trial_batch.hpp"
#include "memlif/kernels/trial_id.hpp"

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace memlif {
namespace {

constexpr double k_dt_us = 10.0;

//! The paper card through the run-card path.
struct PaperCard {
    RunConfig cfg;
    SimParams fixed;
    ExactParams exact;
    std::vector<SynapseDrive> drives;
    std::vector<ExactDrive> weights;
    StimulusSet set;
    std::vector<double> p_s;
    std::vector<std::uint32_t> codes; //!< per trial, stimulus-major
    std::vector<std::uint64_t> ids;   //!< per trial and condition
};

const PaperCard& paper_card() {
    static const PaperCard card = [] {
        PaperCard c;
        const nlohmann::json user = {
            {"simulation", {{"dt_us", k_dt_us}}},
            {"conductance_grid", nlohmann::json::array({nlohmann::json{
                                     {"kind", "list"}, {"values_uS", {2.6, 6.2, 13.6}}}})},
        };
        c.cfg = resolve_config(user);
        c.fixed = make_sim_params(c.cfg);
        c.exact = exact_params_on_grid(c.fixed, c.cfg.simulation.dt_us * 1e-6, c.cfg.neuron.tau_ms * 1e-3);
        for (const ConditionPoint& pt : make_conditions(c.cfg, c.fixed)) {
            c.drives.push_back(pt.drive);
            c.weights.push_back({pt.weight[0], pt.weight[1], pt.weight[2], pt.weight[3]});
        }
        c.set = make_stimulus_set(c.cfg.stimulus_set_kind);
        c.p_s = stimulus_probabilities(c.set, c.cfg.p_s_mode);
        for (std::size_t s = 0; s < c.set.size(); ++s)
            for (std::uint32_t r = 0; r < c.cfg.simulation.repeats; ++r)
                c.codes.push_back(c.set.codes[s]);
        return c;
    }();
    return card;
}

//! Trial ids of condition c for the first n trials of the stimulus-major layout.
std::vector<std::uint64_t> trial_ids(const PaperCard& card, std::uint32_t c, std::size_t n) {
    std::vector<std::uint64_t> ids(n);
    for (std::size_t t = 0; t < n; ++t)
        ids[t] = make_trial_id(c, card.codes[t], static_cast<std::uint32_t>(t % card.cfg.simulation.repeats));
    return ids;
}

//! One repeat of every stimulus (3876 trials): the fixed-step benchmarks' unit of work.
struct OneRepeat {
    std::vector<std::uint32_t> codes;
    std::vector<std::uint64_t> ids;
};

OneRepeat one_repeat(const PaperCard& card, std::uint32_t c) {
    OneRepeat o;
    for (std::uint16_t code : card.set.codes) {
        o.codes.push_back(code);
        o.ids.push_back(make_trial_id(c, code, 0));
    }
    return o;
}

void set_rate(benchmark::State& state, double trials_per_iteration) {
    state.SetItemsProcessed(static_cast<std::int64_t>(trials_per_iteration) * state.iterations());
    state.counters["trials_per_s"] =
        benchmark::Counter(trials_per_iteration * static_cast<double>(state.iterations()),
                           benchmark::Counter::kIsRate);
}

void BM_fixed_run_trial(benchmark::State& state) {
    const PaperCard& card = paper_card();
    const auto c = static_cast<std::uint32_t>(state.range(0));
    const OneRepeat w = one_repeat(card, c);
    for (auto _ : state) {
        std::uint64_t acc = 0;
        for (std::size_t t = 0; t < w.codes.size(); ++t)
            acc += run_trial(card.fixed, card.drives[c], w.codes[t], w.ids[t]).word;
        benchmark::DoNotOptimize(acc);
    }
    set_rate(state, static_cast<double>(w.codes.size()));
}

void BM_fixed_run_trials_interleaved(benchmark::State& state) {
    const PaperCard& card = paper_card();
    const auto c = static_cast<std::uint32_t>(state.range(0));
    const OneRepeat w = one_repeat(card, c);
    std::vector<TrialResult> out(w.codes.size());
    for (auto _ : state) {
        run_trials(card.fixed, card.drives[c], w.codes.size(), w.codes.data(), w.ids.data(),
                   out.data());
        benchmark::DoNotOptimize(out.data());
    }
    set_rate(state, static_cast<double>(w.codes.size()));
}

void BM_exact_trials(benchmark::State& state) {
    const PaperCard& card = paper_card();
    const auto c = static_cast<std::uint32_t>(state.range(0));
    const std::size_t n = card.codes.size();
    const std::vector<std::uint64_t> ids = trial_ids(card, c, n);
    for (auto _ : state) {
        std::uint64_t acc = 0;
        for (std::size_t t = 0; t < n; ++t)
            acc += run_exact_trial(card.exact, card.weights[c], card.codes[t], ids[t]).word;
        benchmark::DoNotOptimize(acc);
    }
    set_rate(state, static_cast<double>(n));
}

//! A whole condition as the backends deliver it: words, counts n(r|s), plug-in MI.
template <bool Exact> void condition_mi(benchmark::State& state) {
    const PaperCard& card = paper_card();
    const auto c = static_cast<std::uint32_t>(state.range(0));
    const std::size_t n = card.codes.size();
    const std::vector<std::uint64_t> ids = trial_ids(card, c, n);
    std::vector<std::uint64_t> words(n);
    std::vector<TrialResult> out(n);
    double mi = 0;
    for (auto _ : state) {
        if (Exact) {
            for (std::size_t t = 0; t < n; ++t)
                words[t] = run_exact_trial(card.exact, card.weights[c], card.codes[t], ids[t]).word;
        } else {
            run_trials(card.fixed, card.drives[c], n, card.codes.data(), ids.data(), out.data());
            for (std::size_t t = 0; t < n; ++t)
                words[t] = out[t].word;
        }
        const ConditionCounts counts =
            counts_from_words(words, card.set.size(), card.cfg.simulation.repeats, card.fixed.n_output_bins);
        mi = compute_plugin(counts, card.p_s, card.set.n_input_spikes).mi;
        benchmark::DoNotOptimize(mi);
    }
    set_rate(state, static_cast<double>(n));
    state.counters["mi_bit"] = mi;
}

void BM_exact_condition_mi(benchmark::State& state) { condition_mi<true>(state); }
void BM_fixed_condition_mi(benchmark::State& state) { condition_mi<false>(state); }

//! Counts and plug-in MI alone, from the exact words of the condition (the estimator share).
void BM_counts_plugin_only(benchmark::State& state) {
    const PaperCard& card = paper_card();
    const auto c = static_cast<std::uint32_t>(state.range(0));
    const std::size_t n = card.codes.size();
    const std::vector<std::uint64_t> ids = trial_ids(card, c, n);
    std::vector<std::uint64_t> words(n);
    for (std::size_t t = 0; t < n; ++t)
        words[t] = run_exact_trial(card.exact, card.weights[c], card.codes[t], ids[t]).word;
    for (auto _ : state) {
        const ConditionCounts counts =
            counts_from_words(words, card.set.size(), card.cfg.simulation.repeats, card.fixed.n_output_bins);
        benchmark::DoNotOptimize(compute_plugin(counts, card.p_s, card.set.n_input_spikes).mi);
    }
    set_rate(state, static_cast<double>(n));
}

//! The floor: the trial as a plain single-threaded loop would write it. Same onsets (memlif's
//! draws, so the trials are the same), then every step tests all 16 input spikes, applies the
//! exact one-step propagator, the threshold and the reset, in double. No segments, no lanes.
void BM_peer_plain_loop(benchmark::State& state) {
    const PaperCard& card = paper_card();
    const auto c = static_cast<std::uint32_t>(state.range(0));
    const OneRepeat w = one_repeat(card, c);
    const SimParams& p = card.fixed;
    const double weight[4] = {card.weights[c].w0, card.weights[c].w1, card.weights[c].w2,
                              card.weights[c].w3};
    const double decay = p.decay;
    for (auto _ : state) {
        std::uint64_t acc = 0;
        for (std::size_t t = 0; t < w.codes.size(); ++t) {
            std::uint32_t on[16], n_on = 0;
            double wt[16];
            for (int b = 0; b < 4; ++b) {
                const Philox4x32 r =
                    trial_draw(p.seed, w.ids[t], static_cast<std::uint32_t>(b), RngStream::jitter);
                const std::uint32_t rr[4] = {r.x, r.y, r.z, r.w};
                for (int i = 0; i < 4; ++i)
                    if ((w.codes[t] >> (4 * i + b)) & 1u) {
                        on[n_on] = b * p.steps_per_input_bin + jitter_onset_steps(p.jitter, rr[i]);
                        wt[n_on++] = weight[i] * (1.0 - decay);
                    }
            }
            double u = 0;
            bool armed = true;
            std::uint32_t reset_at = 0;
            std::uint64_t word = 0;
            for (std::uint32_t k = 0; k < p.n_steps; ++k) {
                double a = 0;
                for (std::uint32_t j = 0; j < n_on; ++j)
                    if (k >= on[j] && k < on[j] + p.spike_steps)
                        a += wt[j];
                u = u * decay + a;
                if (armed && u >= 1.0) {
                    armed = false;
                    reset_at = k + 1 + p.delay_steps;
                    const std::uint32_t bin = (k + 1) / p.steps_per_output_bin;
                    if (bin < p.n_output_bins)
                        word |= 1ull << bin;
                }
                if (!armed && k + 1 == reset_at) {
                    u = 0;
                    armed = true;
                }
            }
            acc += word;
        }
        benchmark::DoNotOptimize(acc);
    }
    set_rate(state, static_cast<double>(w.codes.size()));
}

} // namespace
} // namespace memlif

namespace {
//! Largest value over the repetitions: for the trials/s counters, the least disturbed run on a
//! shared machine (the time columns of this statistic are the slowest run, ignore them).
double largest(const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); }
} // namespace

using namespace memlif;
#define MEMLIF_BENCH_SOLVER(fn)                                                                    \
    BENCHMARK(fn)                                                                                  \
        ->DenseRange(0, 2)                                                                         \
        ->Unit(benchmark::kMillisecond)                                                            \
        ->ComputeStatistics("max", largest)
MEMLIF_BENCH_SOLVER(BM_fixed_run_trial);
MEMLIF_BENCH_SOLVER(BM_fixed_run_trials_interleaved);
MEMLIF_BENCH_SOLVER(BM_peer_plain_loop);
MEMLIF_BENCH_SOLVER(BM_exact_trials);
MEMLIF_BENCH_SOLVER(BM_exact_condition_mi);
MEMLIF_BENCH_SOLVER(BM_fixed_condition_mi);
MEMLIF_BENCH_SOLVER(BM_counts_plugin_only);
