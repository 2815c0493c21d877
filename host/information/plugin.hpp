// SPDX-License-Identifier: MIT
//! \file host/information/plugin.hpp
//! Plug-in (maximum-likelihood, "direct method") information measures: Benatti et al. 2023, eqs.
//! 1-3.
#pragma once

#include "memlif/core/counts.hpp"
#include "memlif/core/plugin_measures.hpp"

#include <cstdint>
#include <vector>

namespace memlif {

//! Computes the plug-in measures from counts (information.md §1, §4.1; Benatti et al. 2023
//! eqs. 1-3):
//!   p(r|s) = n(r|s)/N_s,  p(r) = sum_s p(s) p(r|s),  MI = H(R) - H(R|S),
//!   I_1(s) = D_KL(p(.|s) || p(.)),  SpS(s) = I_1(s)/n_spk(s),  I_2(s) = H(R) - H(R|s).
//! p(r) is built by sorting (word, stimulus) pairs, never a dense 2^L array, and summed in that
//! fixed order so the result is deterministic.
//! \param p_s stimulus probabilities (size n_stimuli, sums to 1). p(r) = sum_s p(s) n(r|s)/N_s.
//! \param n_spk input spike count of each stimulus (0..16), the SpS denominator.
//! Stimuli with N_s = 0 must carry p(s) = 0. Throws std::invalid_argument on size mismatch,
//! negative p(s), p(s) > 0 with N_s = 0, p(s) not summing to 1 (1e-9), or n_bins > 64.
PluginMeasures compute_plugin(const ConditionCounts& counts, const std::vector<double>& p_s,
                              const std::vector<std::uint32_t>& n_spk);

namespace detail {

struct Marginal;

//! compute_plugin on validated inputs with their marginal (compute_marginal(counts, p_s)) at
//! hand, so that estimators of one condition share one marginal.
PluginMeasures plugin_with(const ConditionCounts& counts, const std::vector<double>& p_s,
                           const std::vector<std::uint32_t>& n_spk, const Marginal& marg);

} // namespace detail

} // namespace memlif
