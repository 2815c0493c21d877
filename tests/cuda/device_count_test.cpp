// SPDX-License-Identifier: MIT
//! \file tests/cuda/device_count_test.cpp
//! CPU test (runs everywhere, MEMLIF_DISABLE_DEVICE=1 from ctest): with the device hidden, the CUDA
//! API reports no device and refuses work before touching device memory. In a CUDA build a
//! cudaMalloc or a thrust::device_vector would fail with a CUDA or bad_alloc message instead, so
//! the message proves the early exit.
#include "cuda/cuda_backend.hpp"
#include "memlif/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <string>

namespace memlif {
namespace {

class DisabledDevice : public ::testing::Test {
  protected:
    void SetUp() override { ::setenv("MEMLIF_DISABLE_DEVICE", "1", 1); }
};

void expect_refused(const std::function<void()>& call) {
    try {
        call();
        ADD_FAILURE() << "expected CudaError";
    } catch (const CudaError& e) {
        const std::string msg = e.what();
        const std::string expected = MEMLIF_USE_CUDA ? "no CUDA device" : "not configured";
        EXPECT_NE(msg.find(expected), std::string::npos) << msg;
        EXPECT_EQ(msg.find("cudaMalloc"), std::string::npos) << msg;
    }
}

TEST_F(DisabledDevice, DeviceCountIsZero) {
    EXPECT_EQ(device_count(), 0);
    EXPECT_TRUE(device_name(0).empty());
}

TEST_F(DisabledDevice, EmptyOrZeroValueDoesNotDisable) {
    // Only the documented switch values hide devices; here there is no GPU in any case, so the
    // count must still be 0 but the call must not fail.
    ::setenv("MEMLIF_DISABLE_DEVICE", "0", 1);
    EXPECT_GE(device_count(), 0);
    ::setenv("MEMLIF_DISABLE_DEVICE", "1", 1);
    EXPECT_EQ(device_count(), 0);
}

TEST_F(DisabledDevice, ApiRefusesWithoutAllocating) {
    SweepSpec spec;
    spec.stimulus_codes = {0x1234};
    spec.drives.resize(1);
    spec.n_repeats = 2;
    spec.params.n_output_bins = 20;
    struct NoSink : ConditionSink {
        void consume(ConditionOutput&&) override { ADD_FAILURE() << "no output expected"; }
    } sink;
    expect_refused([&] { run_sweep_cuda(spec, sink, CudaOptions{}); });
    expect_refused([&] { simulate_words_cuda(spec.params, spec.drives[0], 0, {1, 2}, 3); });
    expect_refused([&] { simulate_exact_words_cuda(ExactParams{}, ExactDrive{}, 0, {1, 2}, 3); });
    expect_refused([&] { counts_from_words_cuda({1, 2, 3, 4}, 2, 2, 20); });
    ConditionCounts c;
    c.n_bins = 20;
    c.offsets = {0, 1};
    c.words = {5};
    c.counts = {2};
    expect_refused([&] { compute_plugin_cuda(c, {1.0}, {1}); });
}

} // namespace
} // namespace memlif
