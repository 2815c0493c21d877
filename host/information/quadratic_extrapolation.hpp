// SPDX-License-Identifier: MIT
//! \file host/information/quadratic_extrapolation.hpp
//! Quadratic extrapolation (QE) of entropies / information to infinite sample size
//! (Strong et al. 1998; Treves & Panzeri 1995), information.md §4.4.
#pragma once

#include "bayes_count.hpp"
#include "flags.hpp"
#include "memlif/core/counts.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace memlif {

//! How the halves and quarters are drawn.
enum class QePartition {
    //! Deterministic. Canonical trial order of a stimulus = its trials with words ascending
    //! (counts keep no trial order). Subsample j of k is the pile j when that sequence is dealt
    //! round-robin into k piles (trials j, j+k, j+2k, ...), truncated to floor(N_s/k), leftovers
    //! dropped. Equivalently: consecutive blocks of the canonical sequence after a stride-k
    //! reordering. Plain consecutive blocks of the ascending sequence would give each block a
    //! different part of the word range and a meaningless extrapolation; dealing keeps the
    //! blocks as close to proportional as the counts allow (QE invariance, §7.2).
    block,
    //! M seeded within-stimulus random permutations (Philox), consecutive blocks of each, with the
    //! subsample entropies averaged over replicates (ibTB / MINT style).
    shuffled,
};

//! What is extrapolated.
enum class QeTarget {
    entropies,   //!< ibTB: H(R) with 1/totN_k, each H(R|s) with 1/floor(N_s/k); I = difference
    information, //!< MINT: I itself with abscissas 1/totN_k
};

//! Estimator applied to each (sub)sample (QE), or to each term of I_sh.
enum class InnerEstimator {
    plugin, //!< plug-in
    pt,     //!< plug-in plus the Panzeri-Treves term
    //! I_sh only: quadratic extrapolation of every term (compute_shuffle); QE itself refuses it.
    qe,
};

//! What to do when some stimulus has 0 < N_s < 4 (no quarter exists).
enum class SmallSamplePolicy {
    refuse,   //!< throw std::domain_error
    fallback, //!< return the inner estimator on the full data and set flags.qe_fallback
};

struct QeOptions {
    QePartition partition = QePartition::shuffled;
    QeTarget target = QeTarget::entropies;
    InnerEstimator inner = InnerEstimator::plugin;
    RtotSpec rtot;                 //!< used when inner == pt
    std::uint32_t replicates = 10; //!< M for the shuffled partition
    std::uint64_t seed = 0;
    SmallSamplePolicy small_sample = SmallSamplePolicy::refuse;
};

struct QeResult {
    double h_r = 0;                     //!< extrapolated H(R), bits
    double h_rs = 0;                    //!< extrapolated H(R|S), bits
    double mi = 0;                      //!< extrapolated I, bits
    std::array<double, 3> level_mi{};   //!< mean inner I on full data, halves, quarters
    std::array<double, 3> level_size{}; //!< totN_k = sum_s floor(N_s/k), k = 1, 2, 4
    std::array<double, 3> weights{}; //!< Lagrange weights from level_size (H(R) and `information`)
    InformationFlags flags;
};

//! Lagrange weights of a quadratic in x = 1/n through (1/n1, 1/n2, 1/n4) evaluated at x = 0:
//! w_i = prod_{j != i} x_j / (x_j - x_i). (8/3, -2, 1/3) for n, n/2, n/4.
std::array<double, 3> qe_weights(double n1, double n2, double n4);

//! QE (information.md §4.4): model H(n) = H_inf + a/n + b/n^2, fitted exactly through the full
//! data, the mean over 2 disjoint halves and the mean over 4 disjoint quarters, and evaluated at
//! 1/n = 0 with weights from the actual subsample sizes. References: Strong, Koberle, de Ruyter
//! van Steveninck & Bialek 1998, *PRL* 80:197; Treves & Panzeri 1995, *Neural Comput* 7:399.
//! When p(s) is `empirical` (N_s/N) each subsample uses its own floor(N_s/k)/totN_k, as ibTB's
//! pooled counts do; otherwise the given p(s). Throws std::invalid_argument for inner == qe.
QeResult compute_quadratic_extrapolation(const ConditionCounts& counts,
                                         const std::vector<double>& p_s,
                                         const QeOptions& options = {});

namespace detail {

//! The last QE step, shared by the host and the CUDA implementation: given the per-level H(R),
//! MI and per-stimulus H(R|s) (level 0 = full data, 1 = halves, 2 = quarters, already averaged),
//! applies the Lagrange weights of the actual sizes (per stimulus for `entropies`) and sets MI,
//! H(R), H(R|S), weights and flags of `res`.
void combine_qe_levels(QeResult& res, const std::array<double, 3>& hr,
                       const std::array<double, 3>& level_mi,
                       const std::array<std::vector<double>, 3>& hrs,
                       const std::vector<std::uint64_t>& n_s, const std::vector<double>& p_s,
                       QeTarget target, std::uint32_t used, double h_s);

} // namespace detail

} // namespace memlif
