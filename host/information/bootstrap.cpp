// SPDX-License-Identifier: MIT
//! \file host/information/bootstrap.cpp
#include "bootstrap.hpp"

#include "marginal.hpp"
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
        if (std::isnan(x))
            return {nan, nan, nan};
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
    if (options.replicates < 2)
        throw std::invalid_argument("bootstrap needs B >= 2");
    if (!(options.confidence > 0.0 && options.confidence < 1.0))
        throw std::invalid_argument("bootstrap confidence must be in (0, 1)");
    const std::size_t ns = counts.n_stimuli();
    // Resolve R_tot on the data once, so replicates (which see fewer words) use the same space.
    RtotSpec rtot = options.rtot;
    if (options.estimator == PointEstimator::pt)
        rtot = RtotSpec{RtotMode::user, response_space_size(counts, options.rtot)};

    const std::size_t b_count = options.replicates;
    std::vector<double> mi(b_count), h_r(b_count), h_rs(b_count);
    std::vector<std::vector<double>> sss(ns, std::vector<double>(b_count)),
        sps(ns, std::vector<double>(b_count));
    std::vector<std::uint64_t> cum;
    for (std::uint32_t b = 0; b < options.replicates; ++b) {
        detail::RandomStream rng(options.seed, detail::RandomPurpose::bootstrap, b);
        ConditionCounts rep;
        rep.n_bins = counts.n_bins;
        rep.offsets.push_back(0);
        for (std::size_t s = 0; s < ns; ++s) {
            const std::uint64_t lo = counts.offsets[s], hi = counts.offsets[s + 1];
            const std::uint64_t n = counts.n_trials(s);
            cum.assign(1, 0);
            for (std::uint64_t k = lo; k < hi; ++k)
                cum.push_back(cum.back() + counts.counts[k]);
            std::vector<std::uint64_t> hist(hi - lo, 0);
            for (std::uint64_t t = 0; t < n; ++t) {
                // Draw a trial uniformly and find its cell: multinomial(N_s, n(.|s)/N_s).
                const std::uint64_t u = rng.below(n);
                const std::size_t cell = static_cast<std::size_t>(
                    std::upper_bound(cum.begin(), cum.end(), u) - cum.begin() - 1);
                ++hist[cell];
            }
            for (std::uint64_t k = lo; k < hi; ++k)
                if (hist[k - lo] > 0) {
                    rep.words.push_back(counts.words[k]);
                    rep.counts.push_back(hist[k - lo]);
                }
            rep.offsets.push_back(rep.words.size());
        }
        const detail::PointEstimate e =
            detail::point_estimate(rep, p_s, n_spk, options.estimator, rtot);
        mi[b] = e.mi;
        h_r[b] = e.h_r;
        h_rs[b] = e.h_rs;
        for (std::size_t s = 0; s < ns; ++s) {
            sss[s][b] = e.sss[s];
            sps[s][b] = e.sps[s];
        }
    }
    return detail::summarise_bootstrap(mi, h_r, h_rs, sss, sps, options.replicates, options.confidence);
}

BootstrapResult detail::summarise_bootstrap(const std::vector<double>& mi, const std::vector<double>& h_r,
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
