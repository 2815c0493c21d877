// SPDX-License-Identifier: MIT
//! \file tests/io/io_test_util.hpp
//! Scratch directories and exact comparisons for the io tests.
#pragma once

#include "io/run_file.hpp"
#include "synthetic_run.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <unistd.h>
#include <vector>

namespace memlif::io::test {

//! A fresh directory per test, removed afterwards.
class ScratchDir {
  public:
    ScratchDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = "memlif_io_" + std::to_string(::getpid());
        if (info != nullptr)
            name += std::string("_") + info->test_suite_name() + "_" + info->name();
        for (char& c : name) {
            if (c == '/') c = '_';
        }
        dir_ = std::filesystem::temp_directory_path() / name;
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    std::string file(const std::string& leaf) const { return (dir_ / leaf).string(); }

  private:
    std::filesystem::path dir_;
};

//! Bitwise equality for doubles, so NaN == NaN and -0.0 != 0.0.
inline bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

inline void expect_same(const std::vector<double>& a, const std::vector<double>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(same_bits(a[i], b[i])) << "index " << i;
}

inline void expect_counts_equal(const ConditionCounts& a, const ConditionCounts& b) {
    EXPECT_EQ(a.n_bins, b.n_bins);
    EXPECT_EQ(a.offsets, b.offsets);
    EXPECT_EQ(a.words, b.words);
    EXPECT_EQ(a.counts, b.counts);
}

inline void expect_plugin_equal(const PluginMeasures& a, const PluginMeasures& b) {
    EXPECT_TRUE(same_bits(a.h_r, b.h_r));
    EXPECT_TRUE(same_bits(a.h_rs, b.h_rs));
    EXPECT_TRUE(same_bits(a.mi, b.mi));
    expect_same(a.sss, b.sss);
    expect_same(a.sps, b.sps);
    EXPECT_EQ(a.rank, b.rank);
    EXPECT_EQ(a.n_trials, b.n_trials);
    EXPECT_EQ(a.n_s, b.n_s);
    EXPECT_EQ(a.distinct_s, b.distinct_s);
    EXPECT_EQ(a.distinct_total, b.distinct_total);
    EXPECT_EQ(a.sps_undefined, b.sps_undefined);
}

inline void expect_stats_equal(const ConditionStats& a, const ConditionStats& b) {
    EXPECT_TRUE(same_bits(a.wall_s, b.wall_s));
    EXPECT_TRUE(same_bits(a.mean_output_spikes, b.mean_output_spikes));
    EXPECT_EQ(a.n_trials, b.n_trials);
}

} // namespace memlif::io::test
