// SPDX-License-Identifier: MIT
//! \file host/cpu_backend.cpp
#include "cpu_backend.hpp"

#include "memlif/config.hpp"
#include "memlif/kernels/exact_noisy_trial.hpp"
#include "memlif/kernels/exact_trial.hpp"
#include "memlif/kernels/noisy_trial.hpp"
#include "memlif/kernels/plastic_trial.hpp"
#include "memlif/kernels/trial.hpp"
#include "memlif/kernels/trial_batch.hpp"
#include "memlif/kernels/trial_id.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#if MEMLIF_USE_OPENMP
#include <omp.h>
#endif

namespace memlif {

namespace {

//! Trials per unit of work of the OpenMP loop: a multiple of the interleaved loop's lanes.
constexpr std::size_t k_chunk = 256;

//! Simulates trials [begin, end) of the sweep's drive `c` (its trial ids carry
//! spec.condition_id(c)) (stimulus-major, repeat-minor) into words[0, end - begin) with the
//! sweep's solver;
//! returns the output spikes. Trial t depends only on (seed, trial id), so the chunking
//! and the thread count never change a word.
std::uint64_t simulate_range(const SweepSpec& spec, std::uint32_t c, std::size_t begin,
                             std::size_t end, std::uint64_t* words, int threads) {
    std::uint64_t spikes = 0;
    const auto n_chunks = static_cast<long long>((end - begin + k_chunk - 1) / k_chunk);
    const std::uint32_t reps = spec.n_repeats;
#if MEMLIF_USE_OPENMP
#pragma omp parallel for schedule(dynamic) reduction(+ : spikes) num_threads(threads > 0 ? threads : omp_get_max_threads())
#else
    (void)threads;
#endif
    for (long long k = 0; k < n_chunks; ++k) {
        const std::size_t b = begin + static_cast<std::size_t>(k) * k_chunk;
        const std::size_t n = std::min(k_chunk, end - b);
        std::uint32_t codes[k_chunk];
        std::uint64_t ids[k_chunk];
        TrialResult out[k_chunk];
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t t = b + i;
            codes[i] = spec.stimulus_codes[t / reps];
            ids[i] =
                make_trial_id(spec.condition_id(c), codes[i], static_cast<std::uint32_t>(t % reps));
        }
        if (spec.plasticity.enabled) {
            // the per-step path (the drive follows the device state); refused under `exact`
            const SynapseNoise noise = condition_noise_on(spec, c) ? spec.noise[c] : SynapseNoise{};
            for (std::size_t i = 0; i < n; ++i)
                out[i] = run_plastic_trial(spec.params, spec.plasticity, spec.conductances[c],
                                           noise, codes[i], ids[i]);
        } else if (condition_noise_on(spec, c)) {
            if (spec.solver == Solver::exact) {
                for (std::size_t i = 0; i < n; ++i)
                    out[i] = run_exact_noisy_trial(spec.exact, spec.exact_drives[c], spec.noise[c],
                                                   codes[i], ids[i]);
            } else {
                for (std::size_t i = 0; i < n; ++i)
                    out[i] = run_noisy_trial(spec.params, spec.drives[c], spec.noise[c], codes[i],
                                             ids[i]);
            }
        } else if (spec.solver == Solver::exact) {
            for (std::size_t i = 0; i < n; ++i)
                out[i] = run_exact_trial(spec.exact, spec.exact_drives[c], codes[i], ids[i]);
        } else {
            run_trials(spec.params, spec.drives[c], n, codes, ids, out);
        }
        for (std::size_t i = 0; i < n; ++i) {
            words[b - begin + i] = out[i].word;
            spikes += out[i].n_spikes;
        }
    }
    return spikes;
}

} // namespace

std::vector<std::uint64_t> simulate_words_cpu(const SimParams& p, const SynapseDrive& d,
                                              std::uint32_t condition,
                                              const std::vector<std::uint16_t>& codes,
                                              std::uint32_t n_repeats, const CpuOptions& opts,
                                              double* mean_output_spikes) {
    SweepSpec spec;
    spec.params = p;
    spec.drives = {d};
    spec.condition_ids = {condition}; // drive 0's trial ids carry `condition`
    spec.stimulus_codes = codes;
    spec.n_repeats = n_repeats;
    const std::size_t n = codes.size() * n_repeats;
    std::vector<std::uint64_t> words(n);
    const std::size_t batch = std::max<std::size_t>(1, opts.batch_trials);
    std::uint64_t spikes = 0;
    for (std::size_t b = 0; b < n; b += batch)
        spikes +=
            simulate_range(spec, 0, b, std::min(n, b + batch), words.data() + b, opts.threads);
    if (mean_output_spikes)
        *mean_output_spikes = n ? static_cast<double>(spikes) / static_cast<double>(n) : 0.0;
    return words;
}

void run_sweep_cpu(const SweepSpec& spec, ConditionSink& sink, const CpuOptions& opts) {
    if (!spec.condition_ids.empty() && spec.condition_ids.size() != spec.drives.size())
        throw std::invalid_argument("run_sweep_cpu: condition_ids must name every drive");
    const std::size_t per_condition = spec.stimulus_codes.size() * spec.n_repeats;
    // A plasticity-on trial costs ~100x a fixed-state one: its slices are capped smaller so the
    // progress line and the stop checks stay as frequent as in a fixed-state sweep.
    const std::size_t cap = spec.plasticity.enabled ? std::size_t{2048} : opts.batch_trials;
    const std::size_t batch = std::max<std::size_t>(1, std::min(opts.batch_trials, cap));
    // A stop must be honoured within a fraction of a second whatever the condition size (a
    // condition is often one batch): the condition is simulated in slices sized from the measured
    // rate to last about k_slice_s, never more than the batch. Slicing does not change any
    // trial (each depends only on its seed and id).
    constexpr double k_slice_s = 0.1;
    std::size_t slice = std::min<std::size_t>(batch, 1024);
    std::uint64_t done = 0;
    // Trial words are counted as soon as their stimulus is complete, so only the words of one
    // slice (and of the stimulus it left open) are held: a condition's memory does not grow with
    // stimuli x repeats (65536 x 2000 trials were 1 GiB of words) unless /trials keeps them all.
    // The word of trial t is words[t - base].
    const bool keep = spec.keep_trial_words;
    const std::size_t reps = spec.n_repeats;
    std::vector<std::uint64_t> words(keep ? per_condition : std::min(per_condition, batch + reps));
    for (std::uint32_t c = 0; c < spec.drives.size(); ++c) {
        const auto t0 = std::chrono::steady_clock::now();
        std::uint64_t spikes = 0;
        ConditionCounts counts;
        counts.n_bins = spec.params.n_output_bins;
        counts.offsets.reserve(spec.stimulus_codes.size() + 1);
        counts.offsets.push_back(0);
        std::size_t base = 0, counted = 0; // counted: trials [0, counted) are in `counts`
        for (std::size_t b = 0; b < per_condition;) {
            if (sink.stop_requested()) return;
            const std::size_t e = std::min(per_condition, b + slice);
            const auto s0 = std::chrono::steady_clock::now();
            spikes += simulate_range(spec, c, b, e, words.data() + (b - base), opts.threads);
            const std::size_t complete = (e - counted) / reps;
            append_counts_from_words(counts, words.data() + (counted - base), complete,
                                     spec.n_repeats);
            counted += complete * reps;
            if (!keep) { // the open stimulus's words move to the front
                std::copy(words.begin() + static_cast<std::ptrdiff_t>(counted - base),
                          words.begin() + static_cast<std::ptrdiff_t>(e - base), words.begin());
                base = counted;
            }
            const double s =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
            const double per_s = s > 0 ? static_cast<double>(e - b) / s : 1e9;
            const double most = static_cast<double>(batch);
            slice = static_cast<std::size_t>(
                std::clamp(per_s * k_slice_s, std::min(256.0, most), most));
            done += e - b;
            b = e;
            sink.on_progress(done);
        }
        ConditionOutput out;
        out.condition = c;
        out.kernel_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        out.counts = std::move(counts);
        out.mean_output_spikes =
            per_condition ? static_cast<double>(spikes) / static_cast<double>(per_condition) : 0;
        if (spec.keep_trial_words) out.trial_words = words;
        sink.consume(std::move(out));
    }
}

} // namespace memlif
