// SPDX-License-Identifier: MIT
//! \file kernels/memlif/core/group_sums.hpp
//! The contract between the resampling estimators (host/information/accelerated_resampling.hpp)
//! and a device that builds and reduces their replicate tables (cuda/group_sums_cuda.hpp): plain
//! requests in, plain per-group sums out. The device draws the replicates exactly as the host
//! estimators do (memlif/kernels/random_stream.hpp) and reduces each replicate table ("group") to
//! the sums below; host/information turns them into point estimates, null distributions,
//! bootstrap intervals and QE levels with the host's own arithmetic.
//!
//! Trial order. The canonical trial list of a condition is every trial once, stimuli ascending
//! and, within a stimulus, words ascending (detail::expand_trials). Replicate m is built from it
//! as the host estimators build theirs:
//!  - observed: one group, the counts themselves;
//!  - label_permutation: the canonical list shuffled by detail::shuffle_in_place with
//!    RandomStream(seed, label_permutation, m), cut into consecutive runs of N_0, N_1, ...
//!    trials (compute_permutation_null);
//!  - bootstrap: for every stimulus s in order, N_s draws of the canonical trial below(N_s) of s
//!    from RandomStream(seed, bootstrap, m) (compute_bootstrap);
//!  - qe_shuffled: six groups, the halves j = 0, 1 and the quarters j = 2 .. 5. Level k (2 or 4)
//!    shuffles the canonical trials of every stimulus, in stimulus order, with one
//!    RandomStream(seed, qe_partition, 4m + k), and pile i of k takes the consecutive block i of
//!    floor(N_s / k) trials (compute_quadratic_extrapolation);
//!  - qe_block: the same six groups once, without draws: pile i of k is dealt round-robin from the
//!    canonical order (trials i, i + k, ...), floor(N_s / k) of them.
//! Groups are numbered from the request's first replicate: group r (QE: groups 6r .. 6r + 5) is
//! replicate first_replicate + r.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace memlif {

//! Which replicate tables a request evaluates (see the file comment).
enum class ReplicateScheme { observed, label_permutation, bootstrap, qe_shuffled, qe_block };

struct GroupSumsRequest {
    ReplicateScheme scheme = ReplicateScheme::observed;
    std::uint64_t seed = 0;
    //! Replicates first_replicate .. first_replicate + replicates - 1 (permutations, bootstrap
    //! replicates or QE shuffles), in that order; observed and qe_block ignore both.
    std::uint32_t first_replicate = 0;
    std::uint32_t replicates = 0;
    //! The p(s) weighting each group's marginal p(r) = sum_s p(s) n(r|s) / N_s, S values per row:
    //! one row for observed, label_permutation and bootstrap; two for QE (the halves' p(s), then
    //! the quarters').
    std::vector<std::vector<double>> p_s;
    bool bayes_stimuli = false; //!< fill GroupSums::r_s
    bool bayes_pooled = false;  //!< fill GroupSums::r_pooled
    bool surprise = false;      //!< fill GroupSums::kl
    double r_tot = 0;           //!< R_tot of the BayesCounts (information.md §4.3)
};

//! The sums of every group of a request. Per group g; per (group, stimulus) at g * n_stimuli + s.
//! Sums over the words of one stimulus run in ascending word order, sums over stimuli in
//! ascending stimulus order, as the host estimators sum; the sums over all words of a group
//! (h_r, r_pooled) may run in another fixed order (a tree on the GPU).
struct GroupSums {
    std::size_t n_groups = 0;
    std::size_t n_stimuli = 0;

    // Per group.
    //! plug-in H(R) = -sum_r p(r) log2 p(r), bits; exactly 0 for a group with a single word
    std::vector<double> h_r;
    std::vector<std::uint32_t> n_words;  //!< distinct words of the group (its m^)
    std::vector<std::uint64_t> n_trials; //!< N of the group
    //! BayesCount of the pooled counts n(r) (bayes_pooled; else empty)
    std::vector<double> r_pooled;

    // Per (group, stimulus).
    std::vector<std::uint32_t> n_s; //!< N_s
    std::vector<std::uint32_t> m_s; //!< distinct words of stimulus s (its m^_s)
    std::vector<double> h_rs;       //!< plug-in H(R|s), bits; 0 where N_s = 0
    //! BayesCount of n(.|s), 0 where m_s = 0 (bayes_stimuli; else empty)
    std::vector<double> r_s;
    //! SSS(s) = sum_r q log2(q / p(r)), q = n(r|s) / N_s; 0 where N_s = 0 (surprise; else empty)
    std::vector<double> kl;
};

} // namespace memlif
