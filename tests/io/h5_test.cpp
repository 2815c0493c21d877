// SPDX-License-Identifier: MIT
//! \file tests/io/h5_test.cpp
//! The RAII layer on its own: handle ownership, attributes, datasets, append, error messages.
#include "io/h5.hpp"
#include "io_test_util.hpp"

#include <gtest/gtest.h>

#include <utility>

namespace memlif::io::h5 {
namespace {

using test::ScratchDir;

TEST(H5, HandleClosesOnceAndMoves) {
    ScratchDir dir;
    Handle f = create_file(dir.file("a.h5"));
    Handle g = create_group(f, "g");
    ASSERT_TRUE(g.valid());
    const hid_t id = g.get();
    Handle moved(std::move(g));
    EXPECT_FALSE(g.valid()); // NOLINT(bugprone-use-after-move): checking the moved-from state
    EXPECT_EQ(moved.get(), id);
    EXPECT_GT(H5Iis_valid(id), 0);
    moved.reset();
    EXPECT_LE(H5Iis_valid(id), 0);
    moved.reset(); // a second reset is a no-op
    f.close();
    EXPECT_FALSE(f.valid());
}

TEST(H5, AttributesRoundTripAndReplace) {
    ScratchDir dir;
    const std::string path = dir.file("a.h5");
    {
        Handle f = create_file(path);
        write_attr<std::uint8_t>(f, "u8", 200);
        write_attr<std::uint64_t>(f, "u64", 0xFFFFFFFFFFFFFFFFULL);
        write_attr<std::int32_t>(f, "i32", -7);
        write_attr<double>(f, "f64", 0.1);
        write_attr_array<std::int32_t>(f, "pair", {1, 0});
        write_attr_string(f, "s", "µS and ünïcode");
        write_attr_string(f, "empty", "");
        write_attr_strings(f, "axes", {"condition", "stimulus"});
        // Replacing with a different type and shape must work (delete + create).
        write_attr_string(f, "u8", "now a string");
        write_attr<std::uint32_t>(f, "f64", 5);
    }
    Handle f = open_file(path, false);
    EXPECT_EQ(read_attr<std::uint64_t>(f, "u64"), 0xFFFFFFFFFFFFFFFFULL);
    EXPECT_EQ(read_attr<std::int32_t>(f, "i32"), -7);
    EXPECT_EQ(read_attr<std::uint32_t>(f, "f64"), 5u);
    EXPECT_EQ(read_attr_array<std::int32_t>(f, "pair"), (std::vector<std::int32_t>{1, 0}));
    EXPECT_EQ(read_attr_string(f, "s"), "µS and ünïcode");
    EXPECT_EQ(read_attr_string(f, "empty"), "");
    EXPECT_EQ(read_attr_string(f, "u8"), "now a string");
    EXPECT_TRUE(has_attr(f, "axes"));
    EXPECT_FALSE(has_attr(f, "nope"));
    EXPECT_THROW(read_attr<double>(f, "nope"), IoError);
    EXPECT_THROW(read_attr<double>(f, "s"), IoError);    // a string is not a number
    EXPECT_THROW(read_attr<double>(f, "pair"), IoError); // an array is not a scalar
    EXPECT_THROW(read_attr<double>(f, "i32"), IoError);  // integer stored, float wanted
    EXPECT_THROW(read_attr_string(f, "i32"), IoError);   // a number is not a string

    // The string type really is variable-length UTF-8 (what h5py turns into str).
    Handle a(H5Aopen(f, "s", H5P_DEFAULT));
    Handle t(H5Aget_type(a));
    EXPECT_GT(H5Tis_variable_str(t), 0);
    EXPECT_EQ(H5Tget_cset(t), H5T_CSET_UTF8);
}

TEST(H5, DatasetsRoundTripWithShape) {
    ScratchDir dir;
    const std::string path = dir.file("a.h5");
    {
        Handle f = create_file(path);
        write_dataset<std::uint16_t>(f, "u16", {1, 2, 65535}, {3});
        write_dataset<double>(f, "grid/f64", {1, 2, 3, 4, 5, 6}, {2, 3});
        write_dataset<std::uint32_t>(f, "empty", {}, {0});
        write_scalar_dataset<std::uint64_t>(f, "scalar", 42);
        write_string_dataset(f, "text", std::string(100000, 'j'));
        EXPECT_THROW(write_dataset<double>(f, "bad", {1, 2, 3}, {2, 2}), std::invalid_argument);
        EXPECT_THROW(write_dataset<double>(f, "u16", {1}, {1}), IoError); // exists already
    }
    Handle f = open_file(path, false);
    std::vector<hsize_t> dims;
    EXPECT_EQ(read_dataset<std::uint16_t>(f, "u16", &dims),
              (std::vector<std::uint16_t>{1, 2, 65535}));
    EXPECT_EQ(dims, (std::vector<hsize_t>{3}));
    EXPECT_EQ(read_dataset<double>(f, "/grid/f64", &dims), (std::vector<double>{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(dims, (std::vector<hsize_t>{2, 3}));
    EXPECT_TRUE(read_dataset<std::uint32_t>(f, "empty").empty());
    EXPECT_EQ(read_scalar_dataset<std::uint64_t>(f, "scalar"), 42u);
    EXPECT_EQ(read_string_dataset(f, "text"), std::string(100000, 'j'));
    EXPECT_THROW(read_dataset<std::uint32_t>(f, "grid/f64"), IoError);
    Handle d = open_dataset(f, "grid/f64");
    EXPECT_EQ(read_box<double>(d, {1, 0}, {1, 3}), (std::vector<double>{4, 5, 6}));
    EXPECT_EQ(read_box<double>(d, {0, 2}, {2, 1}), (std::vector<double>{3, 6}));
    EXPECT_THROW(read_box<double>(d, {1, 1}, {1, 3}), IoError);
}

TEST(H5, ExistsWalksNestedPaths) {
    ScratchDir dir;
    Handle f = create_file(dir.file("a.h5"));
    create_group(f, "a/b/c");
    EXPECT_TRUE(exists(f, "a"));
    EXPECT_TRUE(exists(f, "/a/b/c"));
    EXPECT_TRUE(exists(f, "a/b/c/"));
    EXPECT_TRUE(exists(f, "/"));
    EXPECT_FALSE(exists(f, "a/x/c"));
    EXPECT_FALSE(exists(f, "/z"));
    unlink(f, "a/b");
    EXPECT_FALSE(exists(f, "a/b/c"));
    EXPECT_TRUE(exists(f, "a"));
}

TEST(H5, ExtendibleAppendAcrossChunks) {
    ScratchDir dir;
    const std::string path = dir.file("a.h5");
    std::vector<std::uint64_t> all;
    {
        Handle f = create_file(path);
        Handle d1 = create_extendible<std::uint64_t>(f, "one", {}, ChunkOptions{7, true, 4});
        Handle d2 = create_extendible<std::int32_t>(f, "two", {3}, ChunkOptions{4, false, 0});
        for (std::uint64_t batch = 0; batch < 5; ++batch) {
            std::vector<std::uint64_t> rows;
            for (std::uint64_t i = 0; i < 3 + batch * 4; ++i) rows.push_back(batch * 1000 + i);
            EXPECT_EQ(append<std::uint64_t>(d1, rows), all.size());
            all.insert(all.end(), rows.begin(), rows.end());
        }
        EXPECT_EQ(append<std::int32_t>(d2, {1, 2, 3, 4, 5, 6}), 0u);
        EXPECT_EQ(append<std::int32_t>(d2, {-7, -8, -9}), 2u);
        EXPECT_THROW(append<std::int32_t>(d2, {1, 2}), std::invalid_argument);
        EXPECT_EQ(append<std::int32_t>(d2, nullptr, 0), 3u);
    }
    Handle f = open_file(path, false);
    EXPECT_EQ(read_dataset<std::uint64_t>(f, "one"), all);
    std::vector<hsize_t> dims;
    EXPECT_EQ(read_dataset<std::int32_t>(f, "two", &dims),
              (std::vector<std::int32_t>{1, 2, 3, 4, 5, 6, -7, -8, -9}));
    EXPECT_EQ(dims, (std::vector<hsize_t>{3, 3}));
    // Chunked with shuffle + deflate, unlimited first dimension.
    Handle d = open_dataset(f, "one");
    Handle space(H5Dget_space(d));
    hsize_t cur = 0, max = 0;
    H5Sget_simple_extent_dims(space, &cur, &max);
    EXPECT_EQ(max, H5S_UNLIMITED);
    Handle dcpl(H5Dget_create_plist(d));
    EXPECT_EQ(H5Pget_layout(dcpl), H5D_CHUNKED);
    EXPECT_EQ(H5Pget_nfilters(dcpl), 2);
}

TEST(H5, FilledDatasetReadsFillUntilWritten) {
    ScratchDir dir;
    Handle f = create_file(dir.file("a.h5"));
    Handle d = create_filled<double>(f, "t/x", {3, 4}, {1, 4}, -1.5);
    const std::vector<double> row = {1, 2, 3, 4};
    write_box<double>(d, {1, 0}, {1, 4}, row.data());
    EXPECT_EQ(read_dataset<double>(f, "t/x"),
              (std::vector<double>{-1.5, -1.5, -1.5, -1.5, 1, 2, 3, 4, -1.5, -1.5, -1.5, -1.5}));
    Handle dcpl(H5Dget_create_plist(d));
    EXPECT_EQ(H5Pget_layout(dcpl), H5D_CHUNKED);
}

TEST(H5, ErrorsNameFileAndObject) {
    ScratchDir dir;
    const std::string path = dir.file("a.h5");
    Handle f = create_file(path);
    Handle g = create_group(f, "grp");
    try {
        open_dataset(g, "missing");
        FAIL() << "expected IoError";
    } catch (const IoError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(path), std::string::npos) << msg;
        EXPECT_NE(msg.find("/grp"), std::string::npos) << msg;
        EXPECT_NE(msg.find("missing"), std::string::npos) << msg;
    }
    try {
        create_file("/nonexistent/dir/y.h5");
        FAIL() << "expected IoError";
    } catch (const IoError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("/nonexistent/dir/y.h5"), std::string::npos) << msg;
        EXPECT_NE(msg.find("No such file"), std::string::npos) << msg; // errno text from HDF5
    }
}

} // namespace
} // namespace memlif::io::h5
