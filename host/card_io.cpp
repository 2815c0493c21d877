// SPDX-License-Identifier: MIT
//! \file host/card_io.cpp
#include "card_io.hpp"

#include "memlif/core/errors.hpp"

#include <cmath>

namespace memlif::card {

using nlohmann::json;

namespace {

//! A value quoted in a message: short, and never a deep recursion over a hostile document.
std::string quote(const json& v) {
    if (v.is_object()) return "an object";
    if (v.is_array()) return "a list";
    std::string s = v.dump();
    if (s.size() > 80) s = s.substr(0, 77) + "...";
    return s;
}

std::string bound_text(const Range& r) {
    const auto num = [](double x) {
        std::string s = json(x).dump();
        return s;
    };
    if (std::isinf(r.hi)) {
        if (std::isinf(r.lo)) return "finite";
        return std::string(r.lo_open ? "> " : ">= ") + num(r.lo);
    }
    return std::string("in ") + (r.lo_open ? "(" : "[") + num(r.lo) + ", " + num(r.hi) +
           (r.hi_open ? ")" : "]");
}

} // namespace

std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
}

Reader::Reader(const json* section, std::string path) : section_(section), path_(std::move(path)) {
    if (section_ && !section_->is_object())
        throw ConfigError((path_.empty() ? std::string("<card>") : path_) +
                          ": expected an object (a section of keys), got " + quote(*section_));
}

void Reader::fail(const char* key, const std::string& what) const {
    throw ConfigError(join(path_, key) + ": " + what);
}

const json* Reader::take(const char* key) {
    known_.insert(key);
    if (!section_) return nullptr;
    const auto it = section_->find(key);
    return it == section_->end() ? nullptr : &*it;
}

void Reader::finish() const {
    if (!section_) return;
    for (auto it = section_->begin(); it != section_->end(); ++it)
        if (!known_.count(it.key())) throw ConfigError(join(path_, it.key()) + ": unknown key");
}

void Reader::number(const char* key, double& x, Range r) {
    const json* v = take(key);
    if (!v) return;
    if (!v->is_number()) fail(key, "expected a number, got " + quote(*v));
    const double d = v->get<double>();
    const bool lo_ok = r.lo_open ? d > r.lo : d >= r.lo;
    const bool hi_ok = r.hi_open ? d < r.hi : d <= r.hi;
    if (!std::isfinite(d) || !lo_ok || !hi_ok)
        fail(key, "must be " + bound_text(r) + ", got " + quote(*v));
    x = d;
}

void Reader::integer(const char* key, std::uint64_t& x, std::uint64_t lo, std::uint64_t hi) {
    const json* v = take(key);
    if (!v) return;
    const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    if (!v->is_number_integer())
        fail(key, "expected an integer in " + range + ", got " + quote(*v));
    const bool negative =
        v->is_number_integer() && !v->is_number_unsigned() && v->get<long long>() < 0;
    const std::uint64_t u = negative ? 0 : v->get<std::uint64_t>();
    if (negative || u < lo || u > hi) fail(key, "must be in " + range + ", got " + quote(*v));
    x = u;
}

void Reader::integer(const char* key, std::uint32_t& x, std::uint32_t lo, std::uint32_t hi) {
    std::uint64_t wide = x;
    integer(key, wide, lo, hi);
    x = static_cast<std::uint32_t>(wide);
}

void Reader::flag(const char* key, bool& x) {
    const json* v = take(key);
    if (!v) return;
    if (!v->is_boolean()) fail(key, "expected true or false, got " + quote(*v));
    x = v->get<bool>();
}

void Reader::choice(const char* key, std::string& x, std::initializer_list<const char*> allowed) {
    const json* v = take(key);
    if (!v) return;
    std::string list;
    for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
    if (!v->is_string()) fail(key, "expected one of " + list + ", got " + quote(*v));
    const auto s = v->get<std::string>();
    for (const char* a : allowed)
        if (s == a) {
            x = s;
            return;
        }
    fail(key, "expected one of " + list + ", got " + quote(*v));
}

void Reader::text(const char* key, std::string& x) {
    const json* v = take(key);
    if (!v) return;
    if (!v->is_string() || v->get<std::string>().empty())
        fail(key, "expected a non-empty string, got " + quote(*v));
    x = v->get<std::string>();
}

void Reader::strings(const char* key, std::vector<std::string>& x) {
    const json* v = take(key);
    if (!v) return;
    if (!v->is_array() || v->empty())
        fail(key, "expected a non-empty list of strings, got " + quote(*v));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < v->size(); ++i) {
        const json& e = (*v)[i];
        if (!e.is_string())
            throw ConfigError(join(path_, key) + "[" + std::to_string(i) +
                              "]: expected a string, got " + quote(e));
        out.push_back(e.get<std::string>());
    }
    x = std::move(out);
}

void Reader::integers(const char* key, std::vector<std::uint32_t>& x, std::uint32_t lo,
                      std::uint32_t hi) {
    const json* v = take(key);
    if (!v) return;
    if (!v->is_array() || v->empty())
        fail(key, "expected a non-empty list of integers, got " + quote(*v));
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < v->size(); ++i) {
        const json& e = (*v)[i];
        const std::string at = join(path_, key) + "[" + std::to_string(i) + "]";
        const bool ok = e.is_number_integer() &&
                        (e.is_number_unsigned() || e.get<long long>() >= 0) &&
                        e.get<std::uint64_t>() >= lo && e.get<std::uint64_t>() <= hi;
        if (!ok)
            throw ConfigError(at + ": expected an integer in [" + std::to_string(lo) + ", " +
                              std::to_string(hi) + "], got " + quote(e));
        out.push_back(e.get<std::uint32_t>());
    }
    x = std::move(out);
}

void Reader::raw(const char* key, json& x) {
    const json* v = take(key);
    if (v) x = *v;
}

} // namespace memlif::card
