// SPDX-License-Identifier: MIT
//! \file bench/peers/peer_words.cpp
//! memlif's side of the peer comparison (bench/peers/brian2_peer.py): runs one condition of the
//! paper card with the fixed step and the exact solver, single-threaded, and writes per stimulus
//! how many of its trials fired (word != 0) and the mean number of output spikes.
//!
//!     memlif_peer_words CONDITION REPEATS OUT.csv [DT_US]
//!
//! CONDITION 0/1/2 = 2.6 / 6.2 / 13.6 uS; the card is the default card (Poisson jitter, UL-GAP,
//! 3876 symmetric stimuli). The first lines of OUT.csv are `# key = value` headers (weight,
//! tau, ... so the peer builds the same neuron) followed by
//! `code,n_trials,fired_fixed,fired_exact,spikes_fixed,spikes_exact,sq_fixed,sq_exact` (sq: sum of
//! the squared spike counts, for the variance). Trials/s of both solvers are
//! printed on stdout.
#include "host/config.hpp"
#include "host/stimulus_set.hpp"

#include "memlif/kernels/exact_params.hpp"
#include "memlif/kernels/exact_trial.hpp"
#include "memlif/kernels/lif.hpp"
#include "memlif/kernels/trial_batch.hpp"
#include "memlif/kernels/trial_id.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    using namespace memlif;
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s CONDITION(0-2) REPEATS OUT.csv [DT_US]\n", argv[0]);
        return 2;
    }
    const int condition = std::atoi(argv[1]);
    const long repeats = std::atol(argv[2]);
    const double dt_us = argc > 4 ? std::atof(argv[4]) : 10.0;
    if (condition < 0 || condition > 2 || repeats < 1 || !(dt_us > 0)) {
        std::fprintf(stderr, "CONDITION must be 0, 1 or 2, REPEATS >= 1, DT_US > 0\n");
        return 2;
    }
    const nlohmann::json user = {
        {"simulation", {{"dt_us", dt_us}, {"repeats", repeats}}},
        {"conductance_grid", nlohmann::json::array({nlohmann::json{
                                 {"kind", "list"}, {"values_uS", {2.6, 6.2, 13.6}}}})},
    };
    const RunConfig cfg = resolve_config(user);
    const SimParams p = make_sim_params(cfg);
    const ConditionPoint pt = make_conditions(cfg, p)[static_cast<std::size_t>(condition)];
    const SynapseDrive d = pt.drive;
    const double dt_s = cfg.simulation.dt_us * 1e-6, tau_s = cfg.neuron.tau_ms * 1e-3;
    const ExactParams e = exact_params_on_grid(p, dt_s, tau_s);
    const ExactDrive ed{pt.weight[0], pt.weight[1], pt.weight[2], pt.weight[3]};
    const StimulusSet set = make_stimulus_set(cfg.stimulus_set_kind);

    const std::size_t n = set.size() * static_cast<std::size_t>(repeats);
    std::vector<std::uint32_t> codes(n);
    std::vector<std::uint64_t> ids(n);
    for (std::size_t t = 0; t < n; ++t) {
        codes[t] = set.codes[t / static_cast<std::size_t>(repeats)];
        ids[t] = make_trial_id(static_cast<std::uint32_t>(condition), codes[t],
                               static_cast<std::uint32_t>(t % static_cast<std::size_t>(repeats)));
    }
    std::vector<TrialResult> fixed(n), exact(n);
    const auto t0 = std::chrono::steady_clock::now();
    run_trials(p, d, n, codes.data(), ids.data(), fixed.data());
    const auto t1 = std::chrono::steady_clock::now();
    for (std::size_t t = 0; t < n; ++t)
        exact[t] = run_exact_trial(e, ed, codes[t], ids[t]);
    const auto t2 = std::chrono::steady_clock::now();
    const double s_fixed = std::chrono::duration<double>(t1 - t0).count();
    const double s_exact = std::chrono::duration<double>(t2 - t1).count();
    std::printf("trials %zu  fixed (run_trials, dt = %g us) %.4g trials/s  exact %.4g trials/s  "
                "(one thread, wall)\n",
                n, dt_us, n / s_fixed, n / s_exact);

    std::FILE* f = std::fopen(argv[3], "w");
    if (!f) {
        std::fprintf(stderr, "%s: cannot open for writing\n", argv[3]);
        return 2;
    }
    std::fprintf(f, "# condition = %d\n# g_uS = %.6g\n# weight = %.17g\n# tau_s = %.17g\n",
                 condition, cfg.conductances_uS[static_cast<std::size_t>(condition)][0],
                 pt.weight[0], tau_s);
    std::fprintf(f, "# t_delay_s = %.17g\n# spike_width_s = %.17g\n# input_bin_s = %.17g\n",
                 cfg.neuron.t_delay_ms * 1e-3, cfg.stimulus.spike_width_ms * 1e-3,
                 cfg.stimulus.input_bin_ms * 1e-3);
    std::fprintf(f, "# jitter_mean_s = %.17g\n# jitter_unit_s = %.17g\n# jitter_max_s = %.17g\n",
                 cfg.stimulus.jitter.mean_ms * 1e-3, cfg.stimulus.jitter.unit_ms * 1e-3,
                 cfg.stimulus.jitter.max_ms * 1e-3);
    std::fprintf(f, "# window_s = %.17g\n# bin_s = %.17g\n# dt_s = %.17g\n# repeats = %ld\n",
                 cfg.response.window_ms * 1e-3, cfg.response.bin_ms * 1e-3, dt_s, repeats);
    std::fprintf(f, "# fixed_trials_per_s = %.6g\n# exact_trials_per_s = %.6g\n", n / s_fixed,
                 n / s_exact);
    std::fprintf(
        f, "code,n_trials,fired_fixed,fired_exact,spikes_fixed,spikes_exact,sq_fixed,sq_exact\n");
    for (std::size_t s = 0; s < set.size(); ++s) {
        long ff = 0, fe = 0, sf = 0, se = 0, qf = 0, qe = 0;
        for (long r = 0; r < repeats; ++r) {
            const std::size_t t =
                s * static_cast<std::size_t>(repeats) + static_cast<std::size_t>(r);
            ff += fixed[t].word != 0;
            fe += exact[t].word != 0;
            sf += fixed[t].n_spikes;
            se += exact[t].n_spikes;
            qf += static_cast<long>(fixed[t].n_spikes) * fixed[t].n_spikes;
            qe += static_cast<long>(exact[t].n_spikes) * exact[t].n_spikes;
        }
        std::fprintf(f, "%u,%ld,%ld,%ld,%ld,%ld,%ld,%ld\n", static_cast<unsigned>(set.codes[s]),
                     repeats, ff, fe, sf, se, qf, qe);
    }
    std::fclose(f);
    return 0;
}
