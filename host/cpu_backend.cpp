// SPDX-License-Identifier: MIT
//! \file host/cpu_backend.cpp
#include "cpu_backend.hpp"

#include "memlif/config.hpp"
#include "memlif/kernels/trial.hpp"
#include "memlif/kernels/trial_id.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#if MEMLIF_USE_OPENMP
#include <omp.h>
#endif

namespace memlif {

namespace {

//! Simulates trials [begin, end) of a stimulus-major, repeat-minor layout into `words`.
std::uint64_t simulate_range(const SimParams& p, const SynapseDrive& d, std::uint32_t condition,
                             const std::vector<std::uint16_t>& codes, std::uint32_t n_repeats,
                             std::size_t begin, std::size_t end, std::uint64_t* words, int threads) {
    std::uint64_t spikes = 0;
    const auto n = static_cast<long long>(end - begin);
#if MEMLIF_USE_OPENMP
#pragma omp parallel for schedule(static) reduction(+ : spikes) num_threads(threads > 0 ? threads : omp_get_max_threads())
#else
    (void)threads;
#endif
    for (long long i = 0; i < n; ++i) {
        const std::size_t t = begin + static_cast<std::size_t>(i);
        const std::uint32_t code = codes[t / n_repeats];
        const auto rep = static_cast<std::uint32_t>(t % n_repeats);
        const TrialResult r = run_trial(p, d, code, make_trial_id(condition, code, rep));
        words[t] = r.word;
        spikes += r.n_spikes;
    }
    return spikes;
}

} // namespace

std::vector<std::uint64_t> simulate_words_cpu(const SimParams& p, const SynapseDrive& d,
                                              std::uint32_t condition,
                                              const std::vector<std::uint16_t>& codes,
                                              std::uint32_t n_repeats, const CpuOptions& opts,
                                              double* mean_output_spikes) {
    const std::size_t n = codes.size() * n_repeats;
    std::vector<std::uint64_t> words(n);
    const std::size_t batch = std::max<std::size_t>(1, opts.batch_trials);
    std::uint64_t spikes = 0;
    for (std::size_t b = 0; b < n; b += batch)
        spikes += simulate_range(p, d, condition, codes, n_repeats, b, std::min(n, b + batch), words.data(),
                                 opts.threads);
    if (mean_output_spikes) *mean_output_spikes = n ? static_cast<double>(spikes) / static_cast<double>(n) : 0.0;
    return words;
}

void run_sweep_cpu(const SweepSpec& spec, ConditionSink& sink, const CpuOptions& opts) {
    if (!spec.condition_ids.empty() && spec.condition_ids.size() != spec.drives.size())
        throw std::invalid_argument("run_sweep_cpu: condition_ids must name every drive");
    const std::size_t per_condition = spec.stimulus_codes.size() * spec.n_repeats;
    const std::size_t batch = std::max<std::size_t>(1, opts.batch_trials);
    // A stop must be honoured within a fraction of a second whatever the condition size (a
    // condition is often one batch): the condition is simulated in slices sized from the measured
    // rate to last about k_slice_s, never more than batch_trials. Slicing does not change any
    // trial (each depends only on its seed and id).
    constexpr double k_slice_s = 0.1;
    std::size_t slice = std::min<std::size_t>(batch, 1024);
    std::uint64_t done = 0;
    std::vector<std::uint64_t> words(per_condition);
    for (std::size_t i = 0; i < spec.drives.size(); ++i) {
        const std::uint32_t c = spec.condition_id(i);
        const auto t0 = std::chrono::steady_clock::now();
        std::uint64_t spikes = 0;
        for (std::size_t b = 0; b < per_condition;) {
            if (sink.stop_requested()) return;
            const std::size_t e = std::min(per_condition, b + slice);
            const auto s0 = std::chrono::steady_clock::now();
            spikes += simulate_range(spec.params, spec.drives[i], c, spec.stimulus_codes,
                                     spec.n_repeats, b, e, words.data(), opts.threads);
            const double s =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
            const double per_s = s > 0 ? static_cast<double>(e - b) / s : 1e9;
            slice = static_cast<std::size_t>(
                std::clamp(per_s * k_slice_s, 256.0, static_cast<double>(batch)));
            done += e - b;
            b = e;
            sink.on_progress(done);
        }
        ConditionOutput out;
        out.condition = c;
        out.kernel_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        out.counts = counts_from_words(words, spec.stimulus_codes.size(), spec.n_repeats, spec.params.n_output_bins);
        out.mean_output_spikes = per_condition ? static_cast<double>(spikes) / static_cast<double>(per_condition) : 0;
        if (spec.keep_trial_words) out.trial_words = words;
        sink.consume(std::move(out));
    }
}

} // namespace memlif
