// SPDX-License-Identifier: MIT
//! \file tests/kernels/synapse_test.cpp
#include "memlif/kernels/synapse.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace memlif {
namespace {

TEST(Synapse, LinearIsOhmic) { EXPECT_DOUBLE_EQ(linear_current_A(2e-6, 0.1), 2e-7); }

TEST(Synapse, UlGapStateRoundTripsReadConductance) {
    const UlGapParams p;
    for (double g : {0.5e-6, 2.6e-6, 6.2e-6, 13.6e-6, 20e-6}) {
        const double x = ulgap_state_from_read_conductance_m(p, g, 0.05);
        EXPECT_NEAR(ulgap_read_conductance_S(p, x, 0.05), g, 1e-12 * g / 1e-6);
    }
}

TEST(Synapse, UlGapStatesOfThePaperConductances) {
    // model.md §3.2: 2.6 uS <-> x ~ 3.45 nm; 6.2 <-> 2.58 nm; 13.6 <-> 1.80 nm
    const UlGapParams p;
    EXPECT_NEAR(ulgap_state_from_read_conductance_m(p, 2.6e-6, 0.05) * 1e9, 3.45, 0.01);
    EXPECT_NEAR(ulgap_state_from_read_conductance_m(p, 6.2e-6, 0.05) * 1e9, 2.58, 0.01);
    EXPECT_NEAR(ulgap_state_from_read_conductance_m(p, 13.6e-6, 0.05) * 1e9, 1.80, 0.01);
}

TEST(Synapse, UlGapExceedsLinearBySinhRatio) {
    // model.md §3.2: sinh(0.4) / (2 sinh(0.2)) = 1.0201 at V_int = 0.1 V
    const UlGapParams p;
    const double i_gap = synapse_current_A(SynapseModel::ul_gap, p, 6.2e-6, 0.05, 0.1);
    const double i_lin = synapse_current_A(SynapseModel::linear, p, 6.2e-6, 0.05, 0.1);
    EXPECT_NEAR(i_gap / i_lin, std::sinh(0.4) / (2 * std::sinh(0.2)), 1e-12);
    EXPECT_NEAR(i_gap / i_lin, 1.0201, 1e-4);
}

} // namespace
} // namespace memlif
