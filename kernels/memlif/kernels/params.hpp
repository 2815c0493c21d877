// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/params.hpp
//! Trivially copyable run constants for one trial. Every derived constant (decay factor, per-step
//! input increments, jitter CDF) is computed on the host, so the step loop is multiply-add only and
//! host and device run the same arithmetic (GeNN's ExpTC precedent).
//!
//! Unit system inside kernels: time in integer solver steps of length dt; membrane potential
//! normalised to the threshold (u = V / V_th, threshold at u = 1, reset to u = 0).
#pragma once

#include <cstdint>
#include <type_traits>

namespace memlif {

constexpr int k_inputs = 4;             //!< presynaptic inputs (Benatti et al. 2023, Fig. 3)
constexpr int k_input_bins = 4;         //!< input bins per input; a stimulus has 4 x 4 = 16 bits
constexpr int k_max_output_bins = 64;   //!< response words are uint64
constexpr int k_max_jitter_table = 128; //!< entries of the discrete jitter CDF
constexpr int k_jitter_guide = 128; //!< buckets of the jitter table's guide (top 7 bits of a draw)

//! Jitter laws for the onset delay of an input spike inside its bin (model.md §4.2).
enum class JitterLaw : std::uint32_t {
    none = 0,    //!< onset at the bin start (deterministic; H(R|S) = 0)
    uniform = 1, //!< onset uniform over the integer steps 0..max_steps
    table =
        2, //!< onset = k * unit, k drawn from a discrete CDF (the clipped or redrawn Poisson delay)
};

//! Onset-delay law, in steps.
struct JitterParams {
    JitterLaw law = JitterLaw::none;
    std::uint32_t max_steps = 0;  //!< uniform law: largest onset delay (steps)
    std::uint32_t table_size = 0; //!< table law: k ranges over 0..table_size-1
    std::uint32_t unit_q16 = 0;   //!< table law: delay unit in steps, 16.16 fixed point
    //! table law: cdf_u32[k] = floor(2^32 P(K <= k)) for k < table_size - 1; the last k takes the
    //! rest
    std::uint32_t cdf_u32[k_max_jitter_table] = {};
    //! table law: guide[g] = the k drawn for r = g 2^25 (g < 128), guide[128] = table_size - 1, so
    //! a draw r has k in [guide[r >> 25], guide[(r >> 25) + 1]] (indexed search, Chen & Asau 1974).
    //! Filled by make_poisson_jitter_table (finish_jitter_table for a hand-made CDF).
    std::uint8_t guide[k_jitter_guide + 1] = {};
};

//! Poisson back-spikes that disconnect the inputs (Benatti et al. 2023, Sec. 2: 300 us wide,
//! exponential intervals of mean 1 s).
struct BackspikeParams {
    std::uint32_t enabled = 0;
    std::uint32_t width_steps = 0;  //!< blocking width (steps)
    double mean_interval_steps = 0; //!< mean interval between back-spike onsets (steps)
};

//! Everything a trial needs except the per-condition synaptic drive.
struct SimParams {
    std::uint64_t seed = 0;                //!< Philox key
    std::uint32_t n_steps = 0;             //!< output window length (steps); simulation stops there
    std::uint32_t steps_per_input_bin = 0; //!< input bin width (steps)
    std::uint32_t spike_steps = 0;         //!< input spike width (steps)
    std::uint32_t delay_steps = 0; //!< T_spike,Delay from threshold crossing to reset (steps)
    std::uint32_t steps_per_output_bin = 0; //!< output bin width (steps)
    std::uint32_t n_output_bins = 0;        //!< L = n_steps / steps_per_output_bin (<= 64)
    double decay = 0; //!< exp(-dt / tau): exact leak factor for one step (double:
                      //!< rounded to float it shifts tau by up to 6e-4, lif.hpp)
    JitterParams jitter;
    BackspikeParams backspike;
};

//! Per-condition drive: the membrane increment per step while input i is on, normalised to V_th:
//! a_i = w_i (1 - exp(-dt/tau)), w_i = I_i tau / (C V_th) (model.md §2.3). Double, like the
//! membrane state (lif.hpp): fill it from the double SimParams::decay with step_increment.
struct SynapseDrive {
    double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
};

static_assert(std::is_trivially_copyable<SimParams>::value,
              "SimParams is passed by value to kernels");
static_assert(std::is_trivially_copyable<SynapseDrive>::value,
              "SynapseDrive is passed by value to kernels");

} // namespace memlif
