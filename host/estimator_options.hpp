// SPDX-License-Identifier: MIT
//! \file host/estimator_options.hpp
//! The run card's `information` section -> EstimatorOptions, with errors naming the key.
#pragma once

#include "card.hpp"
#include "information/estimators.hpp"

#include <cstdint>

namespace memlif {

//! Validates the typed `information` section and turns it into estimator options whose random
//! streams are keyed by `seed` (the run seed). Throws ConfigError naming "information.<key>".
EstimatorOptions estimator_options_from(const InformationCard& information, std::uint64_t seed);

} // namespace memlif
