// SPDX-License-Identifier: MIT
//! \file host/protocol_cards.cpp
#include "protocol_cards.hpp"

#include "memlif/core/errors.hpp"

namespace memlif {

ThetaBurstProtocol ThetaBurstProtocolCard::protocol(double v_read_V) const {
    ThetaBurstProtocol pr;
    pr.spikes_per_burst = spikes_per_burst;
    pr.spike_period_s = spike_period_ms * 1e-3;
    pr.bursts_per_train = bursts_per_train;
    pr.burst_period_s = burst_period_ms * 1e-3;
    pr.train_gap_s = train_gap_ms * 1e-3;
    pr.max_trains = max_trains;
    pr.n_targets = static_cast<std::uint32_t>(targets_uS.size());
    for (std::size_t k = 0; k < targets_uS.size() && k < k_max_theta_targets; ++k)
        pr.target_g_S[k] = targets_uS[k] * 1e-6;
    pr.v_read_V = v_read_V;
    pr.drive = drive.setup();
    return pr;
}

void ThetaBurstProtocolCard::check(const std::string& path) const {
    const double length = drive.spike_length_ms();
    // Spikes of a burst must not overlap (drive_spikes would delay them) and the last one must
    // end inside its burst period, so every burst delivers spikes_per_burst whole spikes.
    if (spike_period_ms < length * (1 - 1e-12))
        throw ConfigError(card::join(path, "spike_period_ms") +
                          ": shorter than the presynaptic spike (" + std::to_string(length) +
                          " ms)");
    if ((spikes_per_burst - 1) * spike_period_ms + length > burst_period_ms * (1 + 1e-12))
        throw ConfigError(card::join(path, "burst_period_ms") +
                          ": the burst's spikes do not fit in it");
    for (std::size_t k = 1; k < targets_uS.size(); ++k)
        if (!(targets_uS[k] > targets_uS[k - 1]))
            throw ConfigError(card::join(path, "targets_uS") + "[" + std::to_string(k) +
                              "]: the targets must increase");
}

double ThetaBurstProtocolCard::burst_end_s(std::uint32_t train, std::uint32_t burst) const {
    const double train_s = bursts_per_train * burst_period_ms * 1e-3 + train_gap_ms * 1e-3;
    return train * train_s + (burst + 1) * burst_period_ms * 1e-3;
}

} // namespace memlif
