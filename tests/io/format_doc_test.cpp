// SPDX-License-Identifier: MIT
//! \file tests/io/format_doc_test.cpp
//! io/FORMAT.md against the layout tables the writer and the reader use (io/layout.cpp): every
//! dataset of every core group is documented with its type, shape and units, and the document
//! lists no dataset the code does not write.
#include "io/layout.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace memlif::io {
namespace {

struct DocRow {
    std::string type_shape;
    std::string units;
};

std::string trim(std::string s) {
    const auto a = s.find_first_not_of(" \t");
    const auto b = s.find_last_not_of(" \t");
    return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::string unquote(std::string s) {
    s = trim(s);
    if (s.size() >= 2 && s.front() == '`' && s.back() == '`') return s.substr(1, s.size() - 2);
    return s;
}

//! The dataset rows (| `name` | type | units | ...) of the section whose heading names `path`.
std::map<std::string, DocRow> documented(const std::string& doc, const std::string& path) {
    std::istringstream in(doc);
    std::string line;
    bool inside = false;
    std::map<std::string, DocRow> rows;
    while (std::getline(in, line)) {
        if (line.rfind("## ", 0) == 0) {
            inside = line.find("## `" + path + "`") == 0;
            continue;
        }
        if (!inside || line.rfind("| `", 0) != 0) continue;
        std::vector<std::string> cells;
        std::stringstream cs(line.substr(1));
        std::string cell;
        while (std::getline(cs, cell, '|')) cells.push_back(trim(cell));
        if (cells.size() < 3) continue;
        const std::string units = cells[2] == "—" ? "" : unquote(cells[2]);
        rows[unquote(cells[0])] = DocRow{cells[1], units};
    }
    return rows;
}

std::string format_doc() {
    std::ifstream f(std::string(MEMLIF_SOURCE_DIR) + "/io/FORMAT.md");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void expect_documented(const std::string& doc, const std::vector<const layout::Group*>& groups) {
    for (const layout::Group* g : groups) {
        const auto rows = documented(doc, g->path);
        ASSERT_FALSE(rows.empty()) << "no dataset table under a '## `" << g->path << "`' heading";
        for (const layout::Dataset& d : g->datasets) {
            const auto it = rows.find(d.name);
            ASSERT_NE(it, rows.end()) << g->path << "/" << d.name << " is not documented";
            EXPECT_EQ(it->second.type_shape, layout::shape_text(d)) << g->path << "/" << d.name;
            EXPECT_EQ(it->second.units, d.units) << g->path << "/" << d.name;
        }
        for (const auto& [name, row] : rows) {
            bool known = false;
            for (const layout::Dataset& d : g->datasets) known = known || name == d.name;
            EXPECT_TRUE(known) << "FORMAT.md documents " << g->path << "/" << name << ", which the code does not write";
        }
    }
}

TEST(FormatDoc, EveryCoreDatasetIsDocumentedAsTheCodeWritesIt) {
    const std::string doc = format_doc();
    ASSERT_FALSE(doc.empty()) << "io/FORMAT.md not found";
    expect_documented(doc, layout::core_groups());
}

TEST(FormatDoc, EveryShardDatasetIsDocumentedAsTheCodeWritesIt) {
    const std::string doc = format_doc();
    ASSERT_FALSE(doc.empty()) << "io/FORMAT.md not found";
    expect_documented(doc, layout::shard_groups());
}

} // namespace
} // namespace memlif::io
