// SPDX-License-Identifier: MIT
//! \file host/information/bootstrap.cpp
#include "bootstrap.hpp"

#include "marginal.hpp"
#include "memlif/kernels/entropy.hpp"
#include "parallel.hpp"
#include "random_stream.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace memlif {
namespace {

Interval summarise(std::vector<double> v, double confidence) {
    Interval iv;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (double x : v)
        if (std::isnan(x)) return {nan, nan, nan};
    double mean = 0;
    detail::mean_sd(v, mean, iv.sd);
    std::sort(v.begin(), v.end());
    iv.lo = detail::quantile_sorted(v, 0.5 * (1.0 - confidence));
    iv.hi = detail::quantile_sorted(v, 0.5 * (1.0 + confidence));
    return iv;
}

} // namespace

BootstrapResult compute_bootstrap(const ConditionCounts& counts, const std::vector<double>& p_s,
                                  const std::vector<std::uint32_t>& n_spk,
                                  const BootstrapOptions& options) {
    detail::validate_inputs(counts, p_s, &n_spk);
    if (options.replicates < 2) throw std::invalid_argument("bootstrap needs B >= 2");
    if (!(options.confidence > 0.0 && options.confidence < 1.0))
        throw std::invalid_argument("bootstrap confidence must be in (0, 1)");
    const std::size_t ns = counts.n_stimuli();
    // Resolve R_tot on the data once, so replicates (which see fewer words) use the same space.
    const double r_tot =
        options.estimator == PointEstimator::pt ? response_space_size(counts, options.rtot) : 0.0;

    // A replicate keeps N_s and draws only cells the data has: its estimate is a subset
    // estimate over the data's cell order (detail::subset_pieces), the same value as
    // point_estimate of the replicate built as a table.
    const detail::CellOrder order = detail::make_cell_order(counts);
    std::vector<std::uint64_t> n_s(ns);
    std::vector<double> weight(ns, 0.0);
    std::uint64_t n_total = 0;
    for (std::size_t s = 0; s < ns; ++s) {
        n_s[s] = counts.n_trials(s);
        n_total += n_s[s];
        if (n_s[s] > 0) weight[s] = p_s[s] / static_cast<double>(n_s[s]);
    }
    const std::size_t b_count = options.replicates;
    std::vector<double> mi(b_count), h_r(b_count), h_rs(b_count);
    std::vector<double> sss(b_count * ns); // replicate-major: sss[b * ns + s]
    const auto n_rep = static_cast<std::ptrdiff_t>(b_count);
    [[maybe_unused]] const bool threads = detail::worth_threads(
        static_cast<double>(b_count) * static_cast<double>(n_total + counts.words.size()));
    // Replicate b uses its own stream whatever thread runs it, and writes its own slots.
    MEMLIF_OMP(omp parallel if (threads)) {
        std::vector<std::uint64_t> hist(counts.words.size());
        std::vector<std::uint32_t> cell_of_trial;
        detail::SubsetPieces pieces;
        detail::BayesCountCache cache;
        MEMLIF_OMP(omp for schedule(dynamic))
        for (std::ptrdiff_t bi = 0; bi < n_rep; ++bi) {
            const auto b = static_cast<std::uint32_t>(bi);
            detail::RandomStream rng(options.seed, detail::RandomPurpose::bootstrap, b);
            for (std::size_t s = 0; s < ns; ++s) {
                const std::uint64_t lo = counts.offsets[s], hi = counts.offsets[s + 1];
                cell_of_trial.clear();
                for (std::uint64_t k = lo; k < hi; ++k) {
                    hist[k] = 0;
                    cell_of_trial.insert(cell_of_trial.end(), counts.counts[k],
                                         static_cast<std::uint32_t>(k));
                }
                // Draw a trial uniformly and count its cell: multinomial(N_s, n(.|s)/N_s).
                for (std::uint64_t t = 0; t < n_s[s]; ++t)
                    ++hist[cell_of_trial[static_cast<std::size_t>(rng.below(n_s[s]))]];
            }
            detail::subset_pieces(counts, order, hist.data(), n_s, weight, options.estimator, r_tot,
                                  true, cache, pieces);
            // The sums of compute_plugin (plugin) and apply_first_order (mm, pt).
            double* sss_b = sss.data() + b * ns;
            if (options.estimator == PointEstimator::plugin) {
                double h = 0.0;
                for (std::size_t s = 0; s < ns; ++s)
                    if (n_s[s] > 0) h += p_s[s] * pieces.h_s[s];
                h_r[b] = pieces.marg.h_r;
                h_rs[b] = h;
                mi[b] = h_r[b] - h;
                for (std::size_t s = 0; s < ns; ++s) sss_b[s] = pieces.sss[s];
            } else {
                const double term_r =
                    first_order_bias_bits(pieces.bins, static_cast<double>(n_total));
                double h = 0.0;
                for (std::size_t s = 0; s < ns; ++s) {
                    sss_b[s] = pieces.sss[s];
                    if (n_s[s] == 0) continue;
                    const double term_s =
                        first_order_bias_bits(pieces.bins_s[s], static_cast<double>(n_s[s]));
                    h += p_s[s] * (pieces.h_s[s] + term_s);
                    sss_b[s] = pieces.sss[s] - term_s + term_r;
                }
                h_r[b] = pieces.marg.h_r + term_r;
                h_rs[b] = h;
                mi[b] = h_r[b] - h;
            }
        }
    }

    BootstrapResult r;
    r.replicates = options.replicates;
    r.confidence = options.confidence;
    r.mi = summarise(mi, options.confidence);
    r.h_r = summarise(h_r, options.confidence);
    r.h_rs = summarise(h_rs, options.confidence);
    r.sss.resize(ns);
    r.sps.resize(ns);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const auto n_stim = static_cast<std::ptrdiff_t>(ns);
    MEMLIF_OMP(omp parallel if (threads)) {
        std::vector<double> column(b_count), per_spike(b_count);
        MEMLIF_OMP(omp for schedule(static, 64))
        for (std::ptrdiff_t si = 0; si < n_stim; ++si) {
            const auto s = static_cast<std::size_t>(si);
            for (std::size_t b = 0; b < b_count; ++b) {
                column[b] = sss[b * ns + s];
                // SpS = SSS / n_spk where both are defined (compute_plugin, apply_first_order).
                per_spike[b] =
                    n_spk[s] != 0 && n_s[s] > 0 ? column[b] / static_cast<double>(n_spk[s]) : nan;
            }
            r.sss[s] = summarise(column, options.confidence);
            r.sps[s] = summarise(per_spike, options.confidence);
        }
    }
    return r;
}

BootstrapResult detail::summarise_bootstrap(const std::vector<double>& mi,
                                            const std::vector<double>& h_r,
                                            const std::vector<double>& h_rs,
                                            const std::vector<std::vector<double>>& sss,
                                            const std::vector<std::vector<double>>& sps,
                                            std::uint32_t replicates, double confidence) {
    BootstrapResult r;
    r.replicates = replicates;
    r.confidence = confidence;
    r.mi = summarise(mi, confidence);
    r.h_r = summarise(h_r, confidence);
    r.h_rs = summarise(h_rs, confidence);
    for (std::size_t s = 0; s < sss.size(); ++s) {
        r.sss.push_back(summarise(sss[s], confidence));
        r.sps.push_back(summarise(sps[s], confidence));
    }
    return r;
}

} // namespace memlif
