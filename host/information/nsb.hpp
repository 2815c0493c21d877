// SPDX-License-Identifier: MIT
//! \file host/information/nsb.hpp
//! NSB entropy estimator with posterior SD (Nemenman, Shafee & Bialek 2002), information.md §4.8.
#pragma once

#include "bayes_count.hpp"
#include "flags.hpp"
#include "memlif/core/counts.hpp"

#include <cstdint>
#include <vector>

namespace memlif {

//! Posterior mean and SD of the entropy, in bits.
struct NsbEntropy {
    double h = 0;
    double sd = 0;
};

//! NSB entropy of one count vector over an alphabet of k_bins >= (non-zero entries) symbols.
//! Dirichlet(beta) mixture with the prior p(beta) ∝ d xi/d beta that is flat in the prior mean
//! entropy xi(beta) = psi0(K beta + 1) - psi0(beta + 1):
//!   H_NSB = ∫ dβ p(β) P(n|β) <H>_β / ∫ dβ p(β) P(n|β),
//!   <H>_β = psi0(N+Kβ+1) - sum_k (n_k+β)/(N+Kβ) psi0(n_k+β+1)      (Wolpert & Wolf 1995),
//! integrated over x = ln β on the full range where the integrand exceeds e^-50 of its peak
//! (composite Simpson). SD from the posterior second moment <H^2>_β (Wolpert & Wolf 1995;
//! Archer, Park & Pillow 2013, *Entropy* 15:1738) mixed over β. References: Nemenman, Shafee &
//! Bialek 2002, NIPS 14; Nemenman, Bialek & de Ruyter van Steveninck 2004, *PRE* 69:056111.
NsbEntropy nsb_entropy(const std::uint64_t* counts, std::size_t n_counts, double k_bins);

inline NsbEntropy nsb_entropy(const std::vector<std::uint64_t>& counts, double k_bins) {
    return nsb_entropy(counts.data(), counts.size(), k_bins);
}

struct NsbResult {
    double h_r = 0, h_r_sd = 0;   //!< NSB H(R) from the pooled counts, bits
    double h_rs = 0, h_rs_sd = 0; //!< sum_s p(s) H_NSB(R|s); SD = sqrt(sum p(s)^2 sd_s^2)
    double mi = 0;                //!< h_r - h_rs
    double mi_sd = 0;             //!< sqrt(h_r_sd^2 + h_rs_sd^2), treating the terms as independent
    std::vector<double> h_r_s, h_r_s_sd; //!< per stimulus; 0 where N_s = 0
    double k_bins = 0;                   //!< K = R_tot
    InformationFlags flags;
};

//! MI from NSB entropies with K = R_tot (information.md §4.8). Per-stimulus NSB with few trials
//! and a large K is prior-driven: a cross-check, not a default. With a single response overall
//! the MI need not be 0 (§6).
NsbResult compute_nsb(const ConditionCounts& counts, const std::vector<double>& p_s,
                      const RtotSpec& rtot = {});

} // namespace memlif
