// SPDX-License-Identifier: MIT
//! \file host/card_lists.hpp
//! List-valued keys of a typed card section, for the two visitors of host/card_io.hpp: a list of
//! numbers (e.g. the presynaptic rates of the rate rule) and a list of sub-sections (e.g. the parts
//! of a spike waveform). Called from a section's visit(V&) as `card::numbers(v, ...)`; overload
//! resolution picks the reader (validates, names `path.key[i]` in every error) or the writer.
#pragma once

#include "card_io.hpp"

#include "memlif/core/errors.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace memlif::card {

namespace detail {

inline std::string count_text(std::size_t lo, std::size_t hi) {
    return lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi);
}

inline bool in_range(double d, const Range& r) {
    const bool lo_ok = r.lo_open ? d > r.lo : d >= r.lo;
    const bool hi_ok = r.hi_open ? d < r.hi : d <= r.hi;
    return std::isfinite(d) && lo_ok && hi_ok;
}

inline std::string range_text(const Range& r) {
    const auto num = [](double x) { return nlohmann::json(x).dump(); };
    if (std::isinf(r.hi))
        return std::isinf(r.lo) ? "finite" : std::string(r.lo_open ? "> " : ">= ") + num(r.lo);
    if (std::isinf(r.lo)) return std::string(r.hi_open ? "< " : "<= ") + num(r.hi);
    return std::string("in ") + (r.lo_open ? "(" : "[") + num(r.lo) + ", " + num(r.hi) +
           (r.hi_open ? ")" : "]");
}

} // namespace detail

//! A list of min_n..max_n numbers, each within `range` (reader).
inline void numbers(Reader& r, const char* key, std::vector<double>& x, Range range,
                    std::size_t min_n, std::size_t max_n) {
    const nlohmann::json* v = r.take(key);
    if (!v) return;
    const std::string at = join(r.path(), key);
    if (!v->is_array() || v->size() < min_n || v->size() > max_n)
        throw ConfigError(at + ": expected a list of " + detail::count_text(min_n, max_n) +
                          " numbers");
    std::vector<double> out;
    for (std::size_t i = 0; i < v->size(); ++i) {
        const nlohmann::json& e = (*v)[i];
        const std::string ek = at + "[" + std::to_string(i) + "]";
        if (!e.is_number()) throw ConfigError(ek + ": expected a number, got " + e.dump());
        const double d = e.get<double>();
        if (!detail::in_range(d, range))
            throw ConfigError(ek + ": must be " + detail::range_text(range) + ", got " + e.dump());
        out.push_back(d);
    }
    x = std::move(out);
}

//! A list of numbers (writer).
inline void numbers(Writer& w, const char* key, const std::vector<double>& x, Range, std::size_t,
                    std::size_t) {
    w.out[key] = x;
}

//! A list of min_n..max_n sub-sections, each a struct S with visit(V&) (reader). Every element
//! starts from S's defaults.
template <class S>
void sections(Reader& r, const char* key, std::vector<S>& x, std::size_t min_n, std::size_t max_n) {
    const nlohmann::json* v = r.take(key);
    if (!v) return;
    const std::string at = join(r.path(), key);
    if (!v->is_array() || v->size() < min_n || v->size() > max_n)
        throw ConfigError(at + ": expected a list of " + detail::count_text(min_n, max_n) +
                          " objects");
    std::vector<S> out;
    for (std::size_t i = 0; i < v->size(); ++i)
        out.push_back(from_json<S>(&(*v)[i], at + "[" + std::to_string(i) + "]"));
    x = std::move(out);
}

//! A list of sub-sections (writer).
template <class S>
void sections(Writer& w, const char* key, const std::vector<S>& x, std::size_t, std::size_t) {
    nlohmann::json a = nlohmann::json::array();
    for (const S& s : x) a.push_back(to_json(s));
    w.out[key] = std::move(a);
}

} // namespace memlif::card
