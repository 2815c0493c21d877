// SPDX-License-Identifier: MIT
//! \file host/information/plugin.cpp
#include "plugin.hpp"

#include "marginal.hpp"
#include "memlif/kernels/entropy.hpp"

#include <cmath>
#include <limits>

namespace memlif {

PluginMeasures compute_plugin(const ConditionCounts& counts, const std::vector<double>& p_s,
                              const std::vector<std::uint32_t>& n_spk) {
    detail::validate_inputs(counts, p_s, &n_spk);
    return detail::plugin_with(counts, p_s, n_spk, detail::compute_marginal(counts, p_s));
}

PluginMeasures detail::plugin_with(const ConditionCounts& counts, const std::vector<double>& p_s,
                                   const std::vector<std::uint32_t>& n_spk, const Marginal& marg) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::size_t ns = counts.n_stimuli();

    PluginMeasures r;
    r.h_r = marg.h_r;
    r.distinct_total = marg.words.size();
    r.sss.assign(ns, nan);
    r.sps.assign(ns, nan);
    r.i2.assign(ns, nan);
    r.h_r_s.assign(ns, 0.0);
    r.n_s.assign(ns, 0);
    r.distinct_s.assign(ns, 0);

    double h_rs = 0.0;
    for (std::size_t s = 0; s < ns; ++s) {
        const std::uint64_t b = counts.offsets[s], e = counts.offsets[s + 1];
        const std::uint64_t n = counts.n_trials(s);
        r.n_s[s] = n;
        r.n_trials += n;
        r.distinct_s[s] = static_cast<std::uint32_t>(e - b);
        r.h_s += plogp_bits(p_s[s]);
        if (n == 0) {
            ++r.n_stimuli_empty;
            continue;
        }
        ++r.n_stimuli_used;
        const double h =
            entropy_bits_from_counts(counts.counts.data() + b, e - b, static_cast<double>(n));
        r.h_r_s[s] = h;
        h_rs += p_s[s] * h;
        // I_1(s) = sum_r p(r|s) log2(p(r|s)/p(r)); computed directly rather than as a difference
        // of entropies so that it is >= 0 up to rounding and equals D_KL by construction.
        double kl = 0.0;
        for (std::uint64_t k = b; k < e; ++k) {
            const double q = static_cast<double>(counts.counts[k]) / static_cast<double>(n);
            kl += q * std::log2(q / marg.p_r_of_entry[k]);
        }
        r.sss[s] = kl;
        r.i2[s] = r.h_r - h;
    }
    r.h_rs = h_rs;
    r.mi = r.h_r - r.h_rs;
    for (std::size_t s = 0; s < ns; ++s) {
        if (n_spk[s] == 0) {
            r.sps_undefined = true;
        } else if (!std::isnan(r.sss[s])) {
            r.sps[s] = r.sss[s] / static_cast<double>(n_spk[s]);
        }
    }
    r.rank = detail::rank_descending(r.sps);
    return r;
}

} // namespace memlif
