// SPDX-License-Identifier: MIT
//! \file host/errors.hpp
//! Host-side user errors. main() maps these to exit code 2; anything else is internal (exit code 1).
#pragma once

#include <stdexcept>
#include <string>

namespace memlif {

//! The run card or a --set override is invalid. The message names the JSON key path.
class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

//! A command-line request cannot be honoured (e.g. --backend cuda without a device).
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

} // namespace memlif
