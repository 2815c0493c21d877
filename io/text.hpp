// SPDX-License-Identifier: MIT
//! \file io/text.hpp
//! The small pieces of text io/ puts into files and error messages, written once: the UTC time
//! stamp of the `created` / `finished` attributes and the quoting of object names in messages.
#pragma once

#include <string>

namespace memlif::io {

//! The current time as ISO 8601 UTC, "YYYY-MM-DDTHH:MM:SSZ" (FORMAT.md, root attributes).
std::string utc_timestamp();

//! `s` in single quotes, as messages name datasets, attributes and groups: 'counts'.
std::string in_quotes(const std::string& s);

} // namespace memlif::io
