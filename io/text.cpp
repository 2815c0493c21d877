// SPDX-License-Identifier: MIT
//! \file io/text.cpp
#include "io/text.hpp"

#include <ctime>

namespace memlif::io {

std::string utc_timestamp() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string in_quotes(const std::string& s) { return "'" + s + "'"; }

} // namespace memlif::io
