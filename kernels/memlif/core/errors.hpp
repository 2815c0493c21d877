// SPDX-License-Identifier: MIT
//! \file kernels/memlif/core/errors.hpp
//! The error types every layer may throw. main() maps the user errors (ConfigError, UsageError,
//! IoError) to exit code 2 and everything else to exit code 1 (internal).
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

//! A file could not be read or written, or breaks its format. A user error: the message names
//! the path.
class IoError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

//! A CUDA API call or kernel failed; the message names the call. Internal error (exit code 1).
//! out_of_memory(): the call failed for want of device memory (cudaErrorMemoryAllocation), which a
//! caller may explain in its own terms (the sweep: resume once memory is free).
class CudaError : public std::runtime_error {
  public:
    explicit CudaError(const std::string& what, bool out_of_memory = false)
        : std::runtime_error(what), out_of_memory_(out_of_memory) {}
    bool out_of_memory() const { return out_of_memory_; }

  private:
    bool out_of_memory_ = false;
};

} // namespace memlif
