// SPDX-License-Identifier: MIT
//! \file io/io_error.hpp
#pragma once

#include <stdexcept>
#include <string>

namespace memlif {

//! A file could not be read or written. A user error (exit code 2): the message names the path.
class IoError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

} // namespace memlif
