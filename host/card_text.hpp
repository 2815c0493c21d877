// SPDX-License-Identifier: MIT
//! \file host/card_text.hpp
//! JSON text of run cards, `--set` values and the cards stored in run files, parsed defensively:
//! a hostile text must give a ConfigError naming the source and, where there is one, the key,
//! never a crash or an unbounded allocation. So nesting is limited (nlohmann's dump, copy and
//! compare recurse, and 10^5 levels overflow the stack), a key given twice is refused (the JSON
//! RFC leaves it undefined; nlohmann silently keeps the last one), and a number beyond the double
//! range is refused with its key path instead of escaping as an internal error.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace memlif {

//! Deepest nesting a card may have: the default card is 5 levels deep (iv_sweep.device.noise.
//! rtn_traps), 6 with a trap listed; a per-synapse grid point 4.
inline constexpr std::size_t k_max_card_depth = 32;

//! Largest card file read (a grid of 65536 listed points is about 2 MiB of text).
inline constexpr std::size_t k_max_card_bytes = std::size_t{64} << 20;

//! Parses `text` (JSON, `//` and `/* */` comments allowed). ConfigError "<source>: ..." on invalid
//! JSON (with line and column), on nesting deeper than k_max_card_depth, on a duplicate key and on
//! a number outside the double range (the last three naming the key path). With `syntax_error`
//! non-null, a plain syntax error is not thrown but reported there (a `--set` value that is not
//! JSON is a bare string); errors of content (depth, duplicates, range) are always thrown.
nlohmann::json parse_json_text(const std::string& text, const std::string& source,
                               bool* syntax_error = nullptr);

} // namespace memlif
