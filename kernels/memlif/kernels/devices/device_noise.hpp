// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/devices/device_noise.hpp
//! The noise switches of a device (model.md §3.0, §3.2; all off by default, as in the MI runs of
//! the seed). The distributions of device-to-device and cycle-to-cycle variability belong to each
//! model's Params (their sigmas); these switches say whether they are drawn. Every draw is keyed
//! by (seed, device id, stream, index), so it is independent of batching and backend:
//! * device-to-device: one Philox block, index 0, stream device_variability;
//! * cycle-to-cycle: one block per switching cycle, index = cycle, stream cycle_variability;
//! * RTN: rtn.hpp;
//! * read noise: one block per read, index = read number, stream read_noise;
//! * programmed-state spread of fixed-state synapses: programmed_read_conductance_S.
#pragma once

#include "../macros.hpp"
#include "../rng.hpp"
#include "../variates.hpp"
#include "rtn.hpp"

#include <cmath>
#include <cstdint>

namespace memlif {

struct DeviceNoise {
    std::uint32_t device_variability =
        0; //!< 1: draw this device's parameters from the model's distribution
    std::uint32_t cycle_variability = 0; //!< 1: redraw the cycle parameters at each switching cycle
    RtnParams rtn;                       //!< random telegraph noise (n_traps = 0: off)
    //! Relative sigma of a multiplicative Gaussian on each measured read current,
    //! I_meas = I (1 + sigma z) [ASSUMPTION]; 0 = off.
    double read_noise_rel = 0.0;
};

//! The factor 1 + sigma z of read number `read_index`; exactly 1 when sigma = 0.
MEMLIF_HD_INLINE double read_noise_factor(const DeviceNoise& n, std::uint64_t seed,
                                          std::uint64_t device_id, std::uint32_t read_index) {
    if (n.read_noise_rel == 0.0)
        return 1.0;
    const Philox4x32 r = trial_draw(seed, device_id, read_index, RngStream::read_noise);
    return 1.0 + n.read_noise_rel * normal_pair(r.x, r.y).z0;
}

//! Device-to-device spread of a fixed-state synapse (plasticity-off MI runs): the synapse
//! programmed to G_target reads G_target exp(sigma z), z ~ N(0, 1), a log-normal programming
//! error [ASSUMPTION]; exactly G_target when sigma = 0. Draw: (seed, trial id, index 0, stream
//! device_variability, sub-stream 1 + synapse), so the four synapses of a trial are independent
//! and sub-stream 0 stays with the device protocols' parameter draws.
MEMLIF_HD_INLINE double programmed_read_conductance_S(double g_target_S, double sigma_ln,
                                                      std::uint64_t seed, std::uint64_t trial_id,
                                                      std::uint32_t synapse) {
    if (sigma_ln == 0.0)
        return g_target_S;
    const Philox4x32 r =
        trial_draw_sub(seed, trial_id, 0, RngStream::device_variability, 1u + synapse);
    return g_target_S * std::exp(sigma_ln * normal_pair(r.x, r.y).z0);
}

} // namespace memlif
