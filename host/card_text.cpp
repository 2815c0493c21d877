// SPDX-License-Identifier: MIT
//! \file host/card_text.cpp
#include "card_text.hpp"

#include "memlif/core/errors.hpp"

#include <utility>
#include <vector>

namespace memlif {

using nlohmann::json;

namespace {

//! Builds the document from nlohmann's SAX events (the library's own DOM builder cannot refuse a
//! duplicate key or a depth), keeping the key path of the value being parsed for messages.
class CardSax {
  public:
    explicit CardSax(std::size_t max_depth) : max_depth_(max_depth) {}

    bool null() { return add(nullptr); }
    bool boolean(bool v) { return add(v); }
    bool number_integer(json::number_integer_t v) { return add(v); }
    bool number_unsigned(json::number_unsigned_t v) { return add(v); }
    bool number_float(json::number_float_t v, const json::string_t&) { return add(v); }
    bool string(json::string_t& v) { return add(std::move(v)); }
    bool binary(json::binary_t& v) { return add(json::binary(std::move(v))); }
    bool start_object(std::size_t) { return open(json::object()); }
    bool start_array(std::size_t) { return open(json::array()); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(json::string_t& k) {
        Frame& f = frames_.back();
        f.has_key = false;
        if (f.node->contains(k)) {
            const std::string at = path();
            error_ = (at.empty() ? k : at + "." + k) + ": the key is given twice";
            return false;
        }
        f.key = std::move(k);
        f.has_key = true;
        return true;
    }

    bool parse_error(std::size_t position, const std::string& token, const json::exception& e) {
        position_ = position;
        has_position_ = true;
        if (e.id == 406) { // out_of_range.406: a number beyond the double range
            const std::string at = path();
            error_ = (at.empty() ? std::string() : at + ": ") + "the number " + token +
                     " is outside the range of a double";
        } else {
            syntax_ = true;
            error_ = e.what();
        }
        return false;
    }

    json root;
    std::string error_;
    bool syntax_ = false;
    std::size_t position_ = 0;
    bool has_position_ = false;

  private:
    struct Frame {
        json* node;
        std::string key;      //!< objects: the key of the value being parsed
        bool has_key = false; //!< `key` is set
    };

    //! "a.b[2].c" of the value about to be added.
    std::string path() const {
        std::string p;
        for (std::size_t i = 0; i < frames_.size(); ++i) {
            const Frame& f = frames_[i];
            // an outer array's last element is the open container; the innermost array's next
            // element is the value being added
            const std::size_t n = f.node->size() - (i + 1 < frames_.size() ? 1 : 0);
            if (f.node->is_array())
                p += "[" + std::to_string(n) + "]";
            else if (f.has_key)
                p += (p.empty() ? "" : ".") + f.key;
        }
        return p;
    }

    template <class V> json* place(V&& v) {
        if (frames_.empty()) {
            root = json(std::forward<V>(v));
            return &root;
        }
        json& top = *frames_.back().node;
        if (top.is_array()) {
            top.push_back(json(std::forward<V>(v)));
            return &top.back();
        }
        json& slot = top[frames_.back().key];
        slot = json(std::forward<V>(v));
        return &slot;
    }

    template <class V> bool add(V&& v) {
        place(std::forward<V>(v));
        return true;
    }

    bool open(json container) {
        if (frames_.size() >= max_depth_) {
            const std::string at = path();
            error_ = (at.empty() ? std::string() : at + ": ") + "nested deeper than " +
                     std::to_string(max_depth_) + " levels";
            return false;
        }
        // Pointers into an array stay valid: only the innermost open container ever grows.
        json* node = place(std::move(container));
        frames_.push_back({node, {}, false});
        return true;
    }

    bool close() {
        frames_.pop_back();
        return true;
    }

    std::size_t max_depth_;
    std::vector<Frame> frames_;
};

std::string line_and_column(const std::string& text, std::size_t position) {
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < position && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

} // namespace

json parse_json_text(const std::string& text, const std::string& source, bool* syntax_error) {
    if (syntax_error) *syntax_error = false;
    CardSax sax(k_max_card_depth);
    bool ok = false;
    try {
        ok = json::sax_parse(text, &sax, json::input_format_t::json, /*strict=*/true,
                             /*ignore_comments=*/true);
    } catch (const json::exception& e) {
        throw ConfigError(source + ": invalid JSON: " + e.what());
    }
    if (ok) return std::move(sax.root);
    if (sax.syntax_) {
        if (syntax_error) {
            *syntax_error = true;
            return json();
        }
        throw ConfigError(source + ": invalid JSON: " + sax.error_);
    }
    throw ConfigError(source + ": " + sax.error_ +
                      (sax.has_position_ ? " (" + line_and_column(text, sax.position_) + ")" : ""));
}

} // namespace memlif
