// SPDX-License-Identifier: MIT
//! \file host/information/bayes_count.cpp
#include "bayes_count.hpp"
#include "sampling_error.hpp"

#include "memlif/kernels/bayes_count.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace memlif {

RtotSpec parse_rtot(const std::string& text) {
    if (text == "full") return {RtotMode::full, 0};
    if (text == "ibtb") return {RtotMode::ibtb, 0};
    bool digits = !text.empty() && text.size() <= 20;
    for (char ch : text) digits = digits && ch >= '0' && ch <= '9';
    if (digits) {
        const double v = std::strtod(text.c_str(), nullptr);
        if (v >= 1) return {RtotMode::user, v};
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
        for (std::uint64_t w : counts.words) any |= w;
        int bits = 0;
        for (; any != 0; any &= any - 1) ++bits;
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
    return bayes_count_from_counts(counts, n_counts, r_tot);
}

} // namespace memlif
