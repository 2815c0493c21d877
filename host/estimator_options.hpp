// SPDX-License-Identifier: MIT
//! \file host/estimator_options.hpp
//! The run card's `information` section -> EstimatorOptions, with errors naming the key.
#pragma once

#include "information/estimators.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>

namespace memlif {

//! Parses and validates `information` (the section as it appears in the resolved card). The
//! estimators' random streams are keyed by `seed` (the run seed). Throws ConfigError naming
//! "information.<key>".
EstimatorOptions estimator_options_from_card(const nlohmann::json& information, std::uint64_t seed);

} // namespace memlif
