// SPDX-License-Identifier: MIT
//! \file host/information/bayes_count.hpp
//! Bayesian estimate of the number of relevant response bins (Panzeri & Treves 1996; Pola,
//! Schultz, Petersen & Panzeri 2003), the R~ of the PT bias correction, and the R_tot conventions.
#pragma once

#include "memlif/core/counts.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace memlif {

//! Which response-space size R_tot the PT correction assumes (information.md §4.3, `pt.rtot`).
enum class RtotMode {
    full, //!< 2^L (pyentropy's declared space), held as a double so L = 64 works
    ibtb, //!< ibTB's data-derived size: 2^(number of bins that ever hold a spike)
    user, //!< a user-given value, which must be >= the observed number of distinct words
};

//! R_tot convention plus the user value when mode == user.
struct RtotSpec {
    RtotMode mode = RtotMode::full;
    double user_value = 0; //!< R_tot for RtotMode::user
};

//! Parses "full", "ibtb" or a positive integer; throws std::invalid_argument naming the value.
RtotSpec parse_rtot(const std::string& text);

//! R_tot for these counts. ibtb: each of the L bins contributes a factor (max value + 1) = 2 if
//! it ever holds a spike, else 1. Throws std::invalid_argument if a user R_tot is below the
//! observed number of distinct words overall ("R_tot < observed m^: error", information.md §6).
double response_space_size(const ConditionCounts& counts, const RtotSpec& spec);

//! BayesCount (information.md §4.3): the R >= m^ whose expected number of occupied bins under an
//! add-one posterior with R - m^ unseen bins sharing mass gamma best matches the observed m^.
//! Returns R_tot without iterating when m^ >= R_tot. Zero counts are ignored. The iteration is
//! memlif/kernels/bayes_count.hpp's (the GPU's) with the terms of equal counts summed once; the
//! two and a term-by-term loop agree bit for bit (tests/host/information/panzeri_treves_test.cpp).
//! \param counts non-zero bin counts c_k of one count vector (sample size n = sum c_k)
//! \param r_tot declared size of the response space
double bayes_count(const std::uint64_t* counts, std::size_t n_counts, double r_tot);

inline double bayes_count(const std::vector<std::uint64_t>& counts, double r_tot) {
    return bayes_count(counts.data(), counts.size(), r_tot);
}

namespace detail {

//! Memo of bayes_count for the short count vectors of single stimuli, which repeat across the
//! stimuli of a condition (with 15 trials a stimulus has one of a few hundred count profiles).
//! Keyed by the exact sequence of non-zero counts, so a hit returns what bayes_count would
//! compute, bit for bit. Not thread-safe: one cache per thread.
class BayesCountCache {
  public:
    double operator()(const std::uint64_t* counts, std::size_t n_counts, double r_tot);

  private:
    struct Hash {
        std::size_t operator()(const std::vector<std::uint64_t>& v) const;
    };
    double r_tot_ = -1.0;
    std::vector<std::uint64_t> key_;
    std::unordered_map<std::vector<std::uint64_t>, double, Hash> memo_;
};

} // namespace detail

} // namespace memlif
