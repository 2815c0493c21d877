// SPDX-License-Identifier: MIT
//! \file host/card_io.hpp
//! The two visitors of a typed run-card section (the Celeritas "IO.json" idea): every section is a
//! plain struct whose member initialisers are the defaults and whose `visit(V&)` names each key
//! once, with its unit in the name and its valid range. card::Reader fills the struct from the
//! user's JSON (missing keys keep their defaults, unknown keys and bad values throw ConfigError
//! naming the full key path); card::Writer turns the struct back into JSON. So the default card is
//! the serialised default struct, and no key is spelt twice.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <set>
#include <string>
#include <vector>

namespace memlif::card {

//! Closed or open bounds of a number; the default accepts every finite number.
struct Range {
    double lo = -std::numeric_limits<double>::infinity();
    double hi = std::numeric_limits<double>::infinity();
    bool lo_open = false; //!< lo itself is excluded
    bool hi_open = false; //!< hi itself is excluded
};

inline constexpr Range any{};
inline constexpr Range positive{0.0, std::numeric_limits<double>::infinity(), true, false};
inline constexpr Range non_negative{0.0, std::numeric_limits<double>::infinity(), false, false};
//! (0, 1): probabilities and confidence levels.
inline constexpr Range open_unit{0.0, 1.0, true, true};

//! "a.b.c" from a parent path and a key.
std::string join(const std::string& path, const std::string& key);

//! Reads a section from JSON. Construct it on the section's JSON value (nullptr: the user gave no
//! such section, so everything keeps its default), visit the struct, then call finish().
class Reader {
  public:
    Reader(const nlohmann::json* section, std::string path);

    void number(const char* key, double& x, Range r = any);
    void integer(const char* key, std::uint64_t& x, std::uint64_t lo, std::uint64_t hi);
    void integer(const char* key, std::uint32_t& x, std::uint32_t lo, std::uint32_t hi);
    void flag(const char* key, bool& x);
    void choice(const char* key, std::string& x, std::initializer_list<const char*> allowed);
    void text(const char* key, std::string& x);
    //! A non-empty list of strings.
    void strings(const char* key, std::vector<std::string>& x);
    //! A list of integers in [lo, hi].
    void integers(const char* key, std::vector<std::uint32_t>& x, std::uint32_t lo,
                  std::uint32_t hi);
    //! A value validated elsewhere (e.g. the conductance grid blocks): taken as it is.
    void raw(const char* key, nlohmann::json& x);
    //! A nested section: visits `s` with a reader on the child object.
    template <class S> void section(const char* key, S& s) {
        Reader sub(take(key), join(path_, key));
        s.visit(sub);
        sub.finish();
    }
    //! The user's value of `key`, or nullptr; marks the key as known.
    const nlohmann::json* take(const char* key);
    //! ConfigError for the first key of the user's section that no visit asked for.
    void finish() const;
    const std::string& path() const { return path_; }

  private:
    [[noreturn]] void fail(const char* key, const std::string& what) const;
    const nlohmann::json* section_;
    std::string path_;
    std::set<std::string> known_;
};

//! Writes a section to JSON; the range arguments are ignored.
class Writer {
  public:
    void number(const char* key, const double& x, Range = any) { out[key] = x; }
    template <class I> void integer(const char* key, const I& x, I, I) { out[key] = x; }
    void flag(const char* key, const bool& x) { out[key] = x; }
    void choice(const char* key, const std::string& x, std::initializer_list<const char*>) {
        out[key] = x;
    }
    void text(const char* key, const std::string& x) { out[key] = x; }
    void strings(const char* key, const std::vector<std::string>& x) { out[key] = x; }
    void integers(const char* key, const std::vector<std::uint32_t>& x, std::uint32_t,
                  std::uint32_t) {
        out[key] = x;
    }
    void raw(const char* key, const nlohmann::json& x) { out[key] = x; }
    template <class S> void section(const char* key, S& s) {
        Writer sub;
        s.visit(sub);
        out[key] = std::move(sub.out);
    }

    nlohmann::json out = nlohmann::json::object();
};

//! The JSON of a section struct.
template <class S> nlohmann::json to_json(S s) {
    Writer w;
    s.visit(w);
    return w.out;
}

//! A section struct from its JSON (nullptr: all defaults); ConfigError naming `path.key`.
template <class S> S from_json(const nlohmann::json* section, const std::string& path) {
    S s;
    Reader r(section, path);
    s.visit(r);
    r.finish();
    return s;
}

} // namespace memlif::card
