// SPDX-License-Identifier: MIT
//! \file host/information/miller_madow.hpp
//! Miller-Madow bias correction (Miller 1955), information.md §4.2.
#pragma once

#include "first_order.hpp"

namespace memlif {

//! Miller-Madow: H_MM = H_plugin + (m^ - 1)/(2 N ln2) with m^ = observed distinct words;
//!   I_MM = I_plugin + (m^_R - 1)/(2 N ln2) - sum_s p(s) (m^_s - 1)/(2 N_s ln2),
//! and per stimulus I_1,MM(s) = I_1(s) - (m^_s - 1)/(2 N_s ln2) + (m^_R - 1)/(2 N ln2) (§4.9).
//! Reference: Miller 1955, in *Information Theory in Psychology*, 95-100.
CorrectedResult compute_miller_madow(const ConditionCounts& counts, const std::vector<double>& p_s,
                                     const std::vector<std::uint32_t>& n_spk);

//! Same, reusing an already computed plug-in result for these inputs.
CorrectedResult compute_miller_madow(const ConditionCounts& counts, const std::vector<double>& p_s,
                                     const std::vector<std::uint32_t>& n_spk,
                                     const PluginMeasures& plugin);

} // namespace memlif
