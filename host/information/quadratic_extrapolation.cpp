// SPDX-License-Identifier: MIT
//! \file host/information/quadratic_extrapolation.cpp
#include "quadratic_extrapolation.hpp"
#include "sampling_error.hpp"

#include "marginal.hpp"
#include "memlif/kernels/entropy.hpp"
#include "parallel.hpp"
#include "random_stream.hpp"
#include "resampling.hpp"

#include <algorithm>

#include <stdexcept>
#include <string>

namespace memlif {

std::array<double, 3> qe_weights(double n1, double n2, double n4) {
    const double x[3] = {1.0 / n1, 1.0 / n2, 1.0 / n4};
    std::array<double, 3> w{};
    for (int i = 0; i < 3; ++i) {
        double p = 1.0;
        for (int j = 0; j < 3; ++j)
            if (j != i) p *= x[j] / (x[j] - x[i]);
        w[static_cast<std::size_t>(i)] = p;
    }
    return w;
}

namespace detail {
namespace {

struct SampleEntropies {
    double h_r = 0;
    std::vector<double> h_r_s;
};

//! Inner estimator on one (sub)sample: plug-in, or plug-in plus the PT terms under r_tot.
SampleEntropies inner_entropies(const ConditionCounts& c, const std::vector<double>& p_s,
                                InnerEstimator inner, double r_tot) {
    SampleEntropies e;
    const std::size_t ns = c.n_stimuli();
    e.h_r_s.assign(ns, 0.0);
    const Marginal m = compute_marginal(c, p_s);
    e.h_r = m.h_r;
    double n_total = 0.0;
    for (std::size_t s = 0; s < ns; ++s) {
        const std::uint64_t b = c.offsets[s], en = c.offsets[s + 1];
        const double n = static_cast<double>(c.n_trials(s));
        n_total += n;
        e.h_r_s[s] = entropy_bits_from_counts(c.counts.data() + b, en - b, n);
        if (inner == InnerEstimator::pt && en > b)
            e.h_r_s[s] += first_order_bias_bits(bayes_count(c.counts.data() + b, en - b, r_tot), n);
    }
    if (inner == InnerEstimator::pt && !m.n_r.empty())
        e.h_r += first_order_bias_bits(bayes_count(m.n_r, r_tot), n_total);
    return e;
}

std::vector<double> sub_p_s(const std::vector<std::uint64_t>& sizes, const std::vector<double>& p_s,
                            bool empirical) {
    if (!empirical) return p_s;
    double total = 0;
    for (auto n : sizes) total += static_cast<double>(n);
    std::vector<double> p(sizes.size(), 0.0);
    for (std::size_t s = 0; s < sizes.size(); ++s) p[s] = static_cast<double>(sizes[s]) / total;
    return p;
}

} // namespace
} // namespace detail

QeResult compute_quadratic_extrapolation(const ConditionCounts& counts,
                                         const std::vector<double>& p_s, const QeOptions& options) {
    detail::validate_inputs(counts, p_s, nullptr);
    if (options.inner == InnerEstimator::qe)
        throw std::invalid_argument("QE cannot use itself as inner estimator (plugin or pt)");
    const std::size_t ns = counts.n_stimuli();
    const bool empirical = detail::is_empirical(counts, p_s);
    const double r_tot =
        options.inner == InnerEstimator::pt ? response_space_size(counts, options.rtot) : 0.0;

    std::vector<std::uint64_t> n_s(ns);
    std::uint32_t used = 0;
    double h_s = 0;
    bool small = false;
    for (std::size_t s = 0; s < ns; ++s) {
        n_s[s] = counts.n_trials(s);
        if (n_s[s] > 0) ++used;
        if (n_s[s] > 0 && n_s[s] < 4) small = true;
        h_s += plogp_bits(p_s[s]);
    }

    QeResult res;
    res.flags.ps_not_empirical = !empirical;
    const detail::SampleEntropies full = detail::inner_entropies(counts, p_s, options.inner, r_tot);
    if (small) {
        if (options.small_sample == SmallSamplePolicy::refuse)
            throw SamplingError("QE needs N_s >= 4 for every stimulus with trials");
        res.flags.qe_fallback = true;
        res.h_r = full.h_r;
        for (std::size_t s = 0; s < ns; ++s) res.h_rs += p_s[s] * full.h_r_s[s];
        res.mi = res.h_r - res.h_rs;
        detail::set_mi_flags(res.flags, res.mi, used, h_s);
        return res;
    }
    if (options.partition == QePartition::shuffled && options.replicates == 0)
        throw std::invalid_argument("QE shuffled partition needs at least one replicate");

    // Mean subsample entropies per level: hr[k], hrs[k][s]; level 0 is the full data.
    const int ks[3] = {1, 2, 4};
    std::array<double, 3> hr{};
    std::array<std::vector<double>, 3> hrs;
    std::array<double, 3> level_mi{};
    hr[0] = full.h_r;
    hrs[0] = full.h_r_s;
    for (std::size_t s = 0; s < ns; ++s) level_mi[0] += p_s[s] * full.h_r_s[s];
    level_mi[0] = full.h_r - level_mi[0];
    res.level_size[0] = 0;
    for (std::size_t s = 0; s < ns; ++s) res.level_size[0] += static_cast<double>(n_s[s]);

    // Subsamples hold only cells of the data, so each is evaluated as a subset of the data's
    // cells (detail::subset_pieces: the values inner_entropies gives on the subsample built as a
    // table). Trials are CSR entry indices; the canonical order of a stimulus is its entries
    // ascending, each repeated by its count (expand_trials' order).
    const detail::CellOrder order = detail::make_cell_order(counts);
    std::vector<std::uint64_t> trial_begin(ns + 1, 0);
    for (std::size_t s = 0; s < ns; ++s) trial_begin[s + 1] = trial_begin[s] + n_s[s];
    std::vector<std::uint32_t> canon(static_cast<std::size_t>(trial_begin[ns]));
    for (std::size_t s = 0, t = 0; s < ns; ++s)
        for (std::uint64_t k = counts.offsets[s]; k < counts.offsets[s + 1]; ++k)
            for (std::uint64_t c = 0; c < counts.counts[k]; ++c)
                canon[t++] = static_cast<std::uint32_t>(k);
    const PointEstimator bins =
        options.inner == InnerEstimator::pt ? PointEstimator::pt : PointEstimator::plugin;
    const std::size_t cells = counts.words.size();

    const std::uint32_t reps = options.partition == QePartition::shuffled ? options.replicates : 1;
    // Replicates run in parallel in blocks; within a block every (replicate, subsample) writes
    // its own slot and the slots are summed afterwards in the serial order (replicate, then
    // subsample), so the sums do not depend on the thread count or the block size.
    const std::uint32_t block = std::max(2, 2 * detail::max_threads());
    for (int li = 1; li < 3; ++li) {
        const std::size_t lvl = static_cast<std::size_t>(li);
        const std::uint64_t k = static_cast<std::uint64_t>(ks[li]);
        hrs[lvl].assign(ns, 0.0);
        std::vector<std::uint64_t> sizes(ns);
        double tot = 0;
        for (std::size_t s = 0; s < ns; ++s) {
            sizes[s] = n_s[s] / k;
            tot += static_cast<double>(sizes[s]);
        }
        res.level_size[lvl] = tot;
        const std::vector<double> p_sub = detail::sub_p_s(sizes, p_s, empirical);
        std::vector<double> weight(ns, 0.0); // compute_marginal's p(s)/N_s of a subsample
        for (std::size_t s = 0; s < ns; ++s)
            if (sizes[s] > 0) weight[s] = p_sub[s] / static_cast<double>(sizes[s]);
        double sum_hr = 0, sum_mi = 0;
        std::vector<double> slot_hr(block * k);
        std::vector<double> slot_hrs(block * k * ns);
        for (std::uint32_t m0 = 0; m0 < reps; m0 += block) {
            const std::uint32_t m1 = std::min(reps, m0 + block);
            const auto n_block = static_cast<std::ptrdiff_t>(m1 - m0);
            [[maybe_unused]] const bool threads =
                detail::worth_threads(static_cast<double>(n_block) *
                                      static_cast<double>(trial_begin[ns] + k * cells + ns));
            MEMLIF_OMP(omp parallel if (threads)) {
                std::vector<std::uint64_t> hist(k * cells);
                std::vector<std::uint32_t> trials;
                detail::SubsetPieces pieces;
                detail::BayesCountCache cache;
                MEMLIF_OMP(omp for schedule(dynamic))
                for (std::ptrdiff_t bi = 0; bi < n_block; ++bi) {
                    const std::uint32_t m = m0 + static_cast<std::uint32_t>(bi);
                    // One stream per (replicate, level): halves and quarters are independent.
                    detail::RandomStream rng(options.seed, detail::RandomPurpose::qe_partition,
                                             m * 4u + static_cast<std::uint32_t>(k));
                    std::fill(hist.begin(), hist.end(), 0);
                    for (std::size_t s = 0; s < ns; ++s) {
                        trials.assign(canon.begin() + static_cast<std::ptrdiff_t>(trial_begin[s]),
                                      canon.begin() +
                                          static_cast<std::ptrdiff_t>(trial_begin[s + 1]));
                        if (options.partition == QePartition::shuffled)
                            detail::shuffle_in_place(trials, rng);
                        for (std::uint64_t j = 0; j < k; ++j)
                            for (std::uint64_t i = 0; i < sizes[s]; ++i) {
                                // block: pile j of a round-robin deal; shuffled: block j.
                                const std::uint64_t idx = options.partition == QePartition::block
                                                              ? j + i * k
                                                              : j * sizes[s] + i;
                                ++hist[j * cells + trials[static_cast<std::size_t>(idx)]];
                            }
                    }
                    for (std::uint64_t j = 0; j < k; ++j) {
                        detail::subset_pieces(counts, order, hist.data() + j * cells, sizes, weight,
                                              bins, r_tot, false, cache, pieces);
                        // inner_entropies: plug-in, plus the PT terms for inner = pt.
                        const std::size_t at = static_cast<std::size_t>(bi) * k + j;
                        double h_r = pieces.marg.h_r;
                        double* h_sub = slot_hrs.data() + at * ns;
                        for (std::size_t s = 0; s < ns; ++s) {
                            h_sub[s] = pieces.h_s[s];
                            if (bins == PointEstimator::pt && sizes[s] > 0)
                                h_sub[s] += first_order_bias_bits(pieces.bins_s[s],
                                                                  static_cast<double>(sizes[s]));
                        }
                        if (bins == PointEstimator::pt && !pieces.marg.n_r.empty())
                            h_r += first_order_bias_bits(pieces.bins, tot);
                        slot_hr[at] = h_r;
                    }
                }
            }
            for (std::size_t at = 0; at < static_cast<std::size_t>(n_block) * k; ++at) {
                sum_hr += slot_hr[at];
                const double* h_sub = slot_hrs.data() + at * ns;
                double hrs_sub = 0;
                for (std::size_t s = 0; s < ns; ++s) {
                    hrs[lvl][s] += h_sub[s];
                    hrs_sub += p_sub[s] * h_sub[s];
                }
                sum_mi += slot_hr[at] - hrs_sub;
            }
        }
        const double norm = static_cast<double>(reps) * static_cast<double>(k);
        hr[lvl] = sum_hr / norm;
        level_mi[lvl] = sum_mi / norm;
        for (std::size_t s = 0; s < ns; ++s) hrs[lvl][s] /= norm;
    }
    detail::combine_qe_levels(res, hr, level_mi, hrs, n_s, p_s, options.target, used, h_s);
    return res;
}

void detail::combine_qe_levels(QeResult& res, const std::array<double, 3>& hr,
                               const std::array<double, 3>& level_mi,
                               const std::array<std::vector<double>, 3>& hrs,
                               const std::vector<std::uint64_t>& n_s,
                               const std::vector<double>& p_s, QeTarget target, std::uint32_t used,
                               double h_s) {
    res.level_mi = level_mi;
    res.weights = qe_weights(res.level_size[0], res.level_size[1], res.level_size[2]);
    const auto& w = res.weights;
    res.h_r = w[0] * hr[0] + w[1] * hr[1] + w[2] * hr[2];
    if (target == QeTarget::entropies) {
        double h_rs = 0;
        for (std::size_t s = 0; s < n_s.size(); ++s) {
            if (n_s[s] == 0) continue;
            const auto ws = qe_weights(static_cast<double>(n_s[s]), static_cast<double>(n_s[s] / 2),
                                       static_cast<double>(n_s[s] / 4));
            h_rs += p_s[s] * (ws[0] * hrs[0][s] + ws[1] * hrs[1][s] + ws[2] * hrs[2][s]);
        }
        res.h_rs = h_rs;
        res.mi = res.h_r - res.h_rs;
    } else {
        res.mi = w[0] * level_mi[0] + w[1] * level_mi[1] + w[2] * level_mi[2];
        res.h_rs = res.h_r - res.mi;
    }
    detail::set_mi_flags(res.flags, res.mi, used, h_s);
}

} // namespace memlif
