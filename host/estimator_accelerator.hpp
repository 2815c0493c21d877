// SPDX-License-Identifier: MIT
//! \file host/estimator_accelerator.hpp
//! Routes the costly resampling estimators (null, bootstrap, QE subsamplings) to the GPU when the
//! run uses one.
#pragma once

#include "information/estimators.hpp"

#include <string>

namespace memlif {

//! The CUDA accelerator if `backend` ("auto" | "cpu" | "cuda") resolves to a device, else nullptr.
//! UsageError for "cuda" without a device (as for the simulation).
const EstimatorAccelerator* estimator_accelerator_for(const std::string& backend);

} // namespace memlif
