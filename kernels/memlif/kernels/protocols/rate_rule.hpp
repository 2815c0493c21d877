// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/protocols/rate_rule.hpp
//! The rate-based learning rule of Benatti et al. 2023 (Sec. 2, Fig. 2b; model.md §6.2): each
//! presynaptic spike potentiates a little, each Poisson back-spike depresses, so the mean
//! conductance drift changes sign at the balance rate nu0. One trial drives one synapse with
//! presynaptic spikes at rate nu and back-spikes for a fixed time and reports the change of its
//! read conductance per unit time; the host averages trials per nu (mean and confidence band) and
//! finds nu0 where the mean crosses zero (balance_rate_Hz).
#pragma once

#include "../devices/integrator.hpp"
#include "../macros.hpp"
#include "../rng.hpp"
#include "../variates.hpp"
#include "spike_drive.hpp"

#include <cmath>
#include <cstdint>

namespace memlif {

enum class SpikeTrainLaw : std::uint32_t {
    regular = 0, //!< onsets at t0 + k / nu
    //! Poisson with a dead time equal to the spike length L: intervals L + Exp(1/nu - L), so the
    //! mean rate is exactly nu and spikes never overlap (requires nu L < 1) [ASSUMPTION]
    poisson = 1,
};

struct RateRuleProtocol {
    double rate_Hz = 10.0;                      //!< presynaptic rate nu (Hz)
    SpikeTrainLaw law = SpikeTrainLaw::poisson; //!< [ASSUMPTION]
    double duration_s = 5.0;                    //!< observation time per trial (s) [ASSUMPTION]
    double v_read_V = 0.05;                     //!< conductance read-out voltage (V) [SEED]
    SpikeDriveSetup drive; //!< waveform, back-spikes, circuit (R_s = 0), step rule
};

struct RateRuleResult {
    double g_start_S = 0.0;         //!< G_read of the state at the start
    double g_end_S = 0.0;           //!< G_read of the state at the end
    double dg_per_s = 0.0;          //!< (G_end - G_start) / duration (S/s)
    double dlng_per_s = 0.0;        //!< ln(G_end / G_start) / duration (1/s)
    std::uint32_t n_pre = 0;        //!< presynaptic spikes started
    std::uint32_t n_backspikes = 0; //!< back-spike windows delivered
};

namespace detail {
//! Presynaptic onsets of the rate rule; interval k is draw k of (seed, id, stream presynaptic).
struct RateOnsets {
    SpikeTrainLaw law;
    double rate_Hz, length_s, t_s;
    std::uint64_t seed, id;
    std::uint32_t count;
    MEMLIF_HD_INLINE double operator()() {
        if (!(rate_Hz > 0.0))
            return k_never_s;
        const double period = 1.0 / rate_Hz;
        if (law == SpikeTrainLaw::regular) {
            const double t = t_s + static_cast<double>(count++) * period;
            return t;
        }
        const double free = period > length_s ? period - length_s : 0.0;
        const double gap =
            exponential_variate(trial_draw(seed, id, count++, RngStream::presynaptic).x, free);
        // The first onset follows an exponential wait; later ones add the dead time.
        t_s += (count == 1 ? 0.0 : length_s) + gap;
        return t_s;
    }
};
} // namespace detail

//! One rate-rule trial on device d (its seed and device id key the spike and back-spike draws;
//! the device clock starts the trial). G is read from the state (no read pulse, no read noise).
template <class M>
MEMLIF_HD_NOINLINE RateRuleResult run_rate_rule(DeviceInstance<M>& d, const RateRuleProtocol& pr) {
    RateRuleResult res;
    const double t0 = d.t_s;
    res.g_start_S = state_conductance_S(d, pr.v_read_V);
    detail::RateOnsets onsets{pr.law,      pr.rate_Hz, spike_length_s(pr.drive.pre), t0, d.seed,
                              d.device_id, 0};
    BackspikeClock bc = backspike_clock_start(pr.drive.backspike, d.seed, d.device_id, t0);
    double pending = onsets();
    res.n_pre = drive_spikes(d, pr.drive, bc, onsets, pending, t0 + pr.duration_s);
    res.n_backspikes = bc.delivered;
    res.g_end_S = state_conductance_S(d, pr.v_read_V);
    res.dg_per_s = (res.g_end_S - res.g_start_S) / pr.duration_s;
    res.dlng_per_s = std::log(res.g_end_S / res.g_start_S) / pr.duration_s;
    return res;
}

//! Balance rate nu0: the first zero crossing of the mean drift rate[k] (at increasing
//! rates nu[k]) from negative to positive, by linear interpolation; a negative value when there is
//! none (-1: never crosses; -2: fewer than 2 points).
MEMLIF_HD_INLINE double balance_rate_Hz(const double* nu_Hz, const double* mean_drift,
                                        std::uint32_t n) {
    if (n < 2)
        return -2.0;
    for (std::uint32_t k = 0; k + 1 < n; ++k) {
        const double a = mean_drift[k], b = mean_drift[k + 1];
        if (a == 0.0)
            return nu_Hz[k];
        if (a < 0.0 && b >= 0.0)
            return nu_Hz[k] + (nu_Hz[k + 1] - nu_Hz[k]) * (-a) / (b - a);
    }
    return -1.0;
}

} // namespace memlif
