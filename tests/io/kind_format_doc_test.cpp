// SPDX-License-Identifier: MIT
//! \file tests/io/kind_format_doc_test.cpp
//! io/FORMAT.md against the layout tables of the device kinds' groups and /analysis/ladder
//! (io/kind_layout.cpp): every dataset documented with its type, shape and units, and nothing
//! documented that the writer does not write.
#include "io/kind_layout.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace memlif::io {
namespace {

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

struct DocRow {
    std::string type_shape, units;
};

//! The dataset rows (| `name` | type | units | ...) under the heading that names `path`.
std::map<std::string, DocRow> documented(const std::string& doc, const std::string& path) {
    std::istringstream in(doc);
    std::string line;
    bool inside = false;
    std::map<std::string, DocRow> rows;
    while (std::getline(in, line)) {
        if (line.rfind("## ", 0) == 0) {
            inside = line.rfind("## `" + path + "`", 0) == 0;
            continue;
        }
        if (!inside || line.rfind("| `", 0) != 0) continue;
        std::vector<std::string> cells;
        std::stringstream cs(line.substr(1));
        std::string cell;
        while (std::getline(cs, cell, '|')) cells.push_back(trim(cell));
        if (cells.size() < 3) continue;
        rows[unquote(cells[0])] = DocRow{cells[1], cells[2] == "—" ? "" : unquote(cells[2])};
    }
    return rows;
}

TEST(KindFormatDoc, EveryDatasetOfTheDeviceKindsIsDocumentedAsTheCodeWritesIt) {
    std::ifstream f(std::string(MEMLIF_SOURCE_DIR) + "/io/FORMAT.md");
    ASSERT_TRUE(f) << "io/FORMAT.md not found";
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string doc = ss.str();
    for (const kind_layout::Group* g : kind_layout::kind_groups()) {
        const auto rows = documented(doc, g->path);
        ASSERT_FALSE(rows.empty()) << "no dataset table under a '## `" << g->path << "`' heading";
        for (const kind_layout::Dataset& d : g->datasets) {
            const auto it = rows.find(d.name);
            ASSERT_NE(it, rows.end()) << g->path << "/" << d.name << " is not documented";
            EXPECT_EQ(it->second.type_shape, kind_layout::shape_text(d))
                << g->path << "/" << d.name;
            EXPECT_EQ(it->second.units, d.units) << g->path << "/" << d.name;
        }
        for (const auto& [name, row] : rows) {
            bool known = false;
            for (const kind_layout::Dataset& d : g->datasets) known = known || name == d.name;
            EXPECT_TRUE(known) << "FORMAT.md documents " << g->path << "/" << name
                               << ", which the code does not write";
        }
    }
}

} // namespace
} // namespace memlif::io
