// SPDX-License-Identifier: MIT
//! \file host/information/miller_madow.cpp
#include "miller_madow.hpp"

namespace memlif {

CorrectedResult compute_miller_madow(const ConditionCounts& counts, const std::vector<double>& p_s,
                                     const std::vector<std::uint32_t>& n_spk) {
    return compute_miller_madow(counts, p_s, n_spk, compute_plugin(counts, p_s, n_spk));
}

CorrectedResult compute_miller_madow(const ConditionCounts& counts, const std::vector<double>& p_s,
                                     const std::vector<std::uint32_t>& n_spk,
                                     const PluginMeasures& plugin) {
    std::vector<double> m_s(plugin.distinct_s.begin(), plugin.distinct_s.end());
    return detail::apply_first_order(counts, p_s, n_spk, plugin,
                                     static_cast<double>(plugin.distinct_total), m_s);
}

} // namespace memlif
