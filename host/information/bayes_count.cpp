// SPDX-License-Identifier: MIT
//! \file host/information/bayes_count.cpp
#include "bayes_count.hpp"
#include "sampling_error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace memlif {

RtotSpec parse_rtot(const std::string& text) {
    if (text == "full")
        return {RtotMode::full, 0};
    if (text == "ibtb")
        return {RtotMode::ibtb, 0};
    bool digits = !text.empty() && text.size() <= 20;
    for (char ch : text)
        digits = digits && ch >= '0' && ch <= '9';
    if (digits) {
        const double v = std::strtod(text.c_str(), nullptr);
        if (v >= 1)
            return {RtotMode::user, v};
    }
    throw std::invalid_argument("invalid pt.rtot value '" + text +
                                "' (expected \"full\", \"ibtb\" or a positive integer)");
}

double response_space_size(const ConditionCounts& counts, const RtotSpec& spec) {
    switch (spec.mode) {
    case RtotMode::full:
        return std::ldexp(1.0, static_cast<int>(counts.n_bins));
    case RtotMode::ibtb: {
        std::uint64_t any = 0;
        for (std::uint64_t w : counts.words)
            any |= w;
        int bits = 0;
        for (; any != 0; any &= any - 1)
            ++bits;
        return std::ldexp(1.0, bits);
    }
    case RtotMode::user: {
        // Distinct words overall: the per-stimulus lists are sorted, so a merge would do, but a
        // sort of a copy is simpler and this runs once per condition.
        std::vector<std::uint64_t> w(counts.words);
        std::sort(w.begin(), w.end());
        const double m = static_cast<double>(std::unique(w.begin(), w.end()) - w.begin());
        if (!(spec.user_value >= m))
            throw SamplingError("pt.rtot = " + std::to_string(spec.user_value) +
                                        " is below the observed number of distinct responses " +
                                        std::to_string(static_cast<std::uint64_t>(m)));
        return spec.user_value;
    }
    }
    throw std::invalid_argument("unknown R_tot mode");
}

double bayes_count(const std::uint64_t* counts, std::size_t n_counts, double r_tot) {
    double n = 0.0, r0 = 0.0;
    for (std::size_t k = 0; k < n_counts; ++k) {
        if (counts[k] == 0)
            continue;
        n += static_cast<double>(counts[k]);
        r0 += 1.0;
    }
    if (r0 >= r_tot)
        return r_tot;
    if (n == 0.0)
        return 0.0;

    double e = r0;
    for (std::size_t k = 0; k < n_counts; ++k)
        if (counts[k] != 0)
            e -= std::pow(1.0 - static_cast<double>(counts[k]) / n, n);
    double d_prev = r_tot;
    double d = std::fabs(r0 - e);
    double r = r0;
    // Mass of the unseen bins per unit (R - R0): independent of R, so hoisted out of the loop.
    const double unseen_unit = 1.0 - std::pow(n / (n + r0), 1.0 / n);
    while (d < d_prev && r < r_tot) {
        r += 1.0;
        const double gamma = (r - r0) * unseen_unit;
        e = 0.0;
        for (std::size_t k = 0; k < n_counts; ++k) {
            if (counts[k] == 0)
                continue;
            const double post = (static_cast<double>(counts[k]) + 1.0) / (n + r0) * (1.0 - gamma);
            e += 1.0 - std::pow(1.0 - post, n);
        }
        e += (r - r0) * (1.0 - std::pow(1.0 - gamma / (r - r0), n));
        d_prev = d;
        d = std::fabs(r0 - e);
    }
    r -= 1.0;
    if (d < d_prev)
        r += 1.0;
    return r;
}

} // namespace memlif
