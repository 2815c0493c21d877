// SPDX-License-Identifier: MIT
//! \file tests/io/kind_file_test.cpp
//! The files of the device kinds (io/kind_file.hpp): provenance without the MI layout, a group
//! written only as its layout table says, and the run-file functions that seal it.
#include "io/h5.hpp"
#include "io/kind_file.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace memlif::io {
namespace {

std::string fresh(const std::string& stem) {
    const std::string p =
        ::testing::TempDir() + "memlif_kindfile_" + std::to_string(getpid()) + "_" + stem + ".h5";
    std::remove(p.c_str());
    return p;
}

RunMetadata meta() {
    RunMetadata m;
    m.software_version = "0.1.0-test";
    m.git_sha = "0123456789ab";
    m.backend = "cpu: test";
    m.config_json = "{\"experiment\": {\"kind\": \"pulse_cycles\"}}";
    m.seed = 0xFFFFFFFFFFFFFFFFull;
    m.experiment_kind = "pulse_cycles";
    m.trial_id_layout = "test layout";
    return m;
}

void write_pulse_group(const std::string& path) {
    KindGroupWriter w(path, kind_layout::pulse_cycles(), {{"device", 1}, {"pulse", 2}});
    w.write("r_ohm", std::vector<double>{1e5, 2e5});
    w.write("i_read_A", std::vector<double>{5e-7, 2.5e-7});
    w.write("g_read_S", std::vector<double>{1e-5, 5e-6});
    w.write("phase", std::vector<std::uint8_t>{0, 1});
    w.write("cycle", std::vector<std::uint32_t>{0, 1});
    w.write("v_pulse_V", std::vector<double>{0.6, -0.2});
    w.write("width_s", std::vector<double>{1e-4, 1e-5});
    w.attr("summary", "test");
    w.close();
}

TEST(KindFile, ProvenanceGroupAndSealWithoutTheMiLayout) {
    const std::string p = fresh("ok");
    create_kind_file(p, meta());
    write_pulse_group(p);
    finish_run(p, RuntimeInfo{1.5, 2.0, 3, {}});
    h5::Handle f = h5::open_file(p, false);
    EXPECT_EQ(h5::read_attr_string(f, "filetype"), "memlif-run");
    EXPECT_EQ(h5::read_attr_array<std::int32_t>(f, "format_version"),
              (std::vector<std::int32_t>{run_format_major, run_format_minor}));
    EXPECT_EQ(h5::read_attr<std::uint64_t>(f, "seed"), 0xFFFFFFFFFFFFFFFFull);
    EXPECT_EQ(h5::read_attr_string(f, "experiment_kind"), "pulse_cycles");
    EXPECT_EQ(h5::read_attr<std::uint8_t>(f, "complete"), 1);
    EXPECT_FALSE(h5::exists(f, "results"));
    EXPECT_FALSE(h5::exists(f, "stimuli"));
    EXPECT_EQ(h5::read_dataset<double>(f, "pulse_cycles/r_ohm"), (std::vector<double>{1e5, 2e5}));
    h5::Handle d = h5::open_dataset(f, "pulse_cycles/r_ohm");
    EXPECT_EQ(h5::read_attr_string(d, "units"), "ohm");
    EXPECT_EQ(h5::shape(d), (std::vector<hsize_t>{1, 2}));
    h5::Handle phase = h5::open_dataset(f, "pulse_cycles/phase");
    EXPECT_FALSE(h5::has_attr(phase, "units"));
    const auto text = describe_kind_file(p);
    ASSERT_TRUE(text.has_value());
    EXPECT_NE(text->find("kind:      pulse_cycles"), std::string::npos) << *text;
    EXPECT_NE(text->find("r_ohm: float64[1, 2] ohm"), std::string::npos) << *text;
    EXPECT_NE(text->find("status:    complete"), std::string::npos) << *text;
}

TEST(KindFile, InterruptedFileSaysSoAndDescribesItsEmptyState) {
    const std::string p = fresh("interrupted");
    create_kind_file(p, meta());
    mark_run_incomplete(p, "interrupted");
    const auto text = describe_kind_file(p);
    ASSERT_TRUE(text.has_value());
    EXPECT_NE(text->find("INCOMPLETE: interrupted"), std::string::npos) << *text;
    EXPECT_NE(text->find("no group of this kind written yet"), std::string::npos) << *text;
}

TEST(KindGroupWriter, RefusesWhatTheTableDoesNotSay) {
    const std::string p = fresh("refuse");
    create_kind_file(p, meta());
    KindGroupWriter w(p, kind_layout::pulse_cycles(), {{"device", 1}, {"pulse", 2}});
    EXPECT_THROW(w.write("no_such_dataset", std::vector<double>{1, 2}), std::logic_error);
    EXPECT_THROW(w.write("phase", std::vector<double>{0, 1}), std::logic_error);    // uint8
    EXPECT_THROW(w.write("r_ohm", std::vector<double>{1, 2, 3}), std::logic_error); // size
    w.write("r_ohm", std::vector<double>{1, 2});
    EXPECT_THROW(w.write("r_ohm", std::vector<double>{1, 2}), std::logic_error); // twice
    EXPECT_THROW(w.close(), std::logic_error); // the rest of the table is missing
}

TEST(KindFile, MiSweepFilesAreNotDescribedHere) {
    const std::string p = fresh("mi");
    RunMetadata m = meta();
    m.experiment_kind = "mi_sweep";
    create_kind_file(p, m);
    EXPECT_FALSE(describe_kind_file(p).has_value());
    EXPECT_THROW(describe_kind_file(fresh("missing")), IoError);
}

} // namespace
} // namespace memlif::io
