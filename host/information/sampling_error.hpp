// SPDX-License-Identifier: MIT
//! \file host/information/sampling_error.hpp
#pragma once

#include <stdexcept>

namespace memlif {

//! The data cannot honour an estimator request: QE or I_sh-with-QE with N_s < 4 under
//! small_sample = refuse, a user R_tot below the observed number of distinct responses. A user
//! error (the card asked for it); every other exception of the estimators is a bug.
class SamplingError : public std::domain_error {
  public:
    using std::domain_error::domain_error;
};

} // namespace memlif
