// SPDX-License-Identifier: MIT
//! \file host/information/shuffle.hpp
//! Shuffle-corrected information I_sh (Montemurro, Senatore & Panzeri 2007; Panzeri et al. 2007),
//! information.md §4.5.
#pragma once

#include "bayes_count.hpp"
#include "flags.hpp"
#include "memlif/core/counts.hpp"
#include "quadratic_extrapolation.hpp"

#include <cstdint>
#include <vector>

namespace memlif {

struct ShuffleOptions {
    InnerEstimator inner = InnerEstimator::plugin; //!< estimator for every term
    RtotSpec rtot;                 //!< R_tot of H(R), H(R|S), H_sh(R|S) when inner == pt
    std::uint32_t replicates = 20; //!< M shuffles averaged into H_sh(R|S)
    std::uint64_t seed = 0;
    //! Width of one response component. 1 = each output bin is a component (binary words);
    //! wider components carry multi-valued digits (e.g. 2 bits for base-3 symbols).
    std::uint32_t bits_per_component = 1;
    // inner == qe: quadratic extrapolation of every term (information.md §4.4, §4.5).
    QePartition qe_partition = QePartition::shuffled; //!< halves and quarters, as in QeOptions
    std::uint32_t qe_replicates = 10;                 //!< partitions for QePartition::shuffled
    SmallSamplePolicy small_sample = SmallSamplePolicy::refuse; //!< some 0 < N_s < 4
};

struct ShuffleResult {
    double mi = 0;         //!< I_sh = H(R) - H_ind(R|S) + H_sh(R|S) - H(R|S), bits
    double h_r = 0;        //!< H(R)
    double h_rs = 0;       //!< H(R|S)
    double h_ind_rs = 0;   //!< H_ind(R|S) = sum_s p(s) sum_i H(R_i|s)
    double h_sh_rs = 0;    //!< H_sh(R|S), mean over the M shuffles
    double h_sh_rs_sd = 0; //!< SD of H_sh(R|S) over the shuffles (spread of the shuffle noise;
                           //!< with qe, of the extrapolated value of each shuffle replicate)
    InformationFlags flags;
};

//! I_sh = H(R) - H_ind(R|S) + H_sh(R|S) - H(R|S) (information.md §4.5). H_sh shares the
//! small-sample bias of H(R|S) while converging to H_ind, so the biases cancel. With inner = pt,
//! H_ind carries the PT term per component with R_tot = 2^bits_per_component (ibTB's H_lin
//! convention) and the other terms use options.rtot.
//! With inner = qe every term is extrapolated to 1/n = 0 from the full data, 2 halves and 4
//! quarters (Strong et al. 1998; §4.4, `entropies` target; plug-in inside):
//!     H_QE = w_1 H_n + w_2 mean H_{n/2} + w_3 mean H_{n/4},  w from qe_weights(n, n/2, n/4).
//! The halves and quarters are those of compute_quadratic_extrapolation with the same partition,
//! replicates and seed (block: round-robin deal of the ascending trial list; shuffled: seeded
//! permutations), shared by all four terms. H(R) and H(R|S) are that QE's values (abscissas
//! totN_k for H(R), floor(N_s/k) per stimulus); H_ind(R|S) extrapolates each sum_i H(R_i|s) per
//! stimulus; H_sh(R|S) extrapolates, per stimulus, the entropy of the subsample after shuffling
//! the components within the subsample itself (the whole I_sh procedure applied to every
//! subsample, as QE requires). Each of the M shuffle replicates shuffles the full data with the
//! same draws as inner = plugin and every subsample with a second stream of its own; H_sh(R|S)
//! is the mean of the M extrapolated values. N_s < 4 follows small_sample (refuse: throws
//! std::domain_error; fallback: plug-in terms and flags.qe_fallback).
//! References: Montemurro, Senatore & Panzeri 2007, *Neural Comput* 19:2913; Panzeri, Senatore,
//! Montemurro & Petersen 2007, *J Neurophysiol* 98:1064 (I_sh with QE per term).
ShuffleResult compute_shuffle(const ConditionCounts& counts, const std::vector<double>& p_s,
                              const ShuffleOptions& options = {});

namespace detail {

//! Number of components of an n_bins-bit word split into bits_per_component-bit fields.
std::uint32_t n_components(std::uint32_t n_bins, std::uint32_t bits_per_component);

//! Rebuilds trial words after permuting components across trials: the new trial t takes
//! component i from trial perms[i][t]. An empty perms[i] leaves component i in place.
std::vector<std::uint64_t> shuffle_components(const std::vector<std::uint64_t>& trials,
                                              std::uint32_t n_bins,
                                              std::uint32_t bits_per_component,
                                              const std::vector<std::vector<std::uint32_t>>& perms);

//! H_ind(R|S) = sum_s p(s) sum_i H(R_i|s); with pt, each H(R_i|s) gets (R~_is - 1)/(2 N_s ln2),
//! R~_is = BayesCount(component histogram, 2^bits_per_component).
double independent_conditional_entropy(const ConditionCounts& counts,
                                       const std::vector<double>& p_s,
                                       std::uint32_t bits_per_component, InnerEstimator inner);

} // namespace detail
} // namespace memlif
