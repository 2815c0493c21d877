// SPDX-License-Identifier: MIT
//! \file host/protocol_cards.hpp
//! Card pieces shared by the device experiment kinds, each mapped onto its kernels/ struct
//! (kernels/memlif/kernels/protocols/*.hpp): the integration step rule, a pulse train, the
//! presynaptic spike drive with Poisson back-spikes (rate rule, theta burst) and the theta-burst
//! protocol (theta_burst kind and the theta_burst_ladder grid block). Keys carry their units;
//! defaults and provenance as in docs/devices.md §6 (model.md §6-§8).
#pragma once

#include "card_io.hpp"
#include "card_lists.hpp"

#include "memlif/kernels/protocols/device_protocols.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace memlif {

//! Integration step rule (model.md §3.0; docs/devices.md §5) [ASSUMPTION].
struct StepCard {
    double step_fraction = 0.01; //!< h <= step_fraction x pulse width (1)
    double max_step_us = 0.0;    //!< absolute cap on h (us); 0 = none
    std::string scheme = "rk4";  //!< euler | heun | rk4
    template <class V> void visit(V& v) {
        v.number("step_fraction", step_fraction, card::Range{0.0, 1.0, true, false});
        v.number("max_step_us", max_step_us, card::non_negative);
        v.choice("scheme", scheme, {"euler", "heun", "rk4"});
    }
    IntegratorScheme scheme_id() const {
        return scheme == "euler"  ? IntegratorScheme::euler
               : scheme == "heun" ? IntegratorScheme::heun
                                  : IntegratorScheme::rk4;
    }
    StepRule rule() const { return StepRule{step_fraction, max_step_us * 1e-6, scheme_id()}; }
};

//! n identical rectangular pulses at the source.
struct PulseTrainCard {
    std::uint32_t n_pulses = 0;
    double v_V = 0.0;      //!< source amplitude (V)
    double width_us = 0.0; //!< pulse width (us)
    template <class V> void visit(V& v) {
        v.integer("n_pulses", n_pulses, 0u, 1000000u);
        v.number("v_V", v_V);
        v.number("width_us", width_us, card::positive);
    }
    PulseTrain train() const { return PulseTrain{n_pulses, v_V, width_us * 1e-6}; }
};

//! One rectangular part of the presynaptic spike waveform.
struct SpikePartCard {
    double v_V = 0.1;       //!< voltage across the memristor (V) [ASSUMPTION, model.md §6.1]
    double width_ms = 10.0; //!< (ms) [SEED: 10 ms spikes]
    template <class V> void visit(V& v) {
        v.number("v_V", v_V);
        v.number("width_ms", width_ms, card::positive);
    }
};

//! Presynaptic spikes and Poisson back-spikes across one synapse (model.md §6.1); its keys sit
//! directly in the kind's section (visit it with `drive.visit(v)`).
struct SpikeDriveCard {
    std::vector<SpikePartCard> pre_spike{SpikePartCard{}}; //!< 1-4 parts, in order
    bool backspike_enabled = true;                         //!< back-spikes on [SEED]
    //! V_bs: the memristor sees -V_bs (V) [ASSUMPTION, model.md §6.1: nu0 ~ 10 Hz with UL-GAP]
    double backspike_amplitude_V = 0.115;
    double backspike_width_us = 300.0;          //!< [SEED]
    double backspike_mean_interval_ms = 1000.0; //!< [SEED: "lambda = 1 s" as a mean interval]
    double r_series_ohm = 0.0;                  //!< source resistance (ohm) [SEED: 0 in the neuron]
    StepCard step;
    template <class V> void visit(V& v) {
        card::sections(v, "pre_spike", pre_spike, 1, static_cast<std::size_t>(k_max_spike_parts));
        v.flag("backspike_enabled", backspike_enabled);
        v.number("backspike_amplitude_V", backspike_amplitude_V, card::non_negative);
        v.number("backspike_width_us", backspike_width_us, card::positive);
        v.number("backspike_mean_interval_ms", backspike_mean_interval_ms, card::positive);
        v.number("r_series_ohm", r_series_ohm, card::non_negative);
        v.section("step", step);
    }
    SpikeDriveSetup setup() const {
        SpikeDriveSetup s;
        s.pre.n_parts = static_cast<std::uint32_t>(pre_spike.size());
        for (std::size_t j = 0; j < pre_spike.size() && j < k_max_spike_parts; ++j) {
            s.pre.v_V[j] = pre_spike[j].v_V;
            s.pre.width_s[j] = pre_spike[j].width_ms * 1e-3;
        }
        s.backspike.enabled = backspike_enabled ? 1u : 0u;
        s.backspike.amplitude_V = backspike_amplitude_V;
        s.backspike.width_s = backspike_width_us * 1e-6;
        s.backspike.mean_interval_s = backspike_mean_interval_ms * 1e-3;
        s.circuit = Circuit{r_series_ohm, 0.0};
        s.step = step.rule();
        return s;
    }
    double spike_length_ms() const {
        double t = 0;
        for (const SpikePartCard& p : pre_spike) t += p.width_ms;
        return t;
    }
};

//! The theta-burst protocol (model.md §7 [ASSUMPTION: every number but the targets]); its keys
//! sit directly in the section that holds it (theta_burst, or a theta_burst_ladder block).
struct ThetaBurstProtocolCard {
    std::uint32_t spikes_per_burst = 5;
    double spike_period_ms = 20.0; //!< onset to onset inside a burst (ms)
    std::uint32_t bursts_per_train = 10;
    double burst_period_ms = 200.0; //!< 5 Hz (ms)
    double train_gap_ms = 0.0;      //!< 0 V after each train, back-spikes running (ms)
    std::uint32_t max_trains = 20;  //!< hard limit on the trains
    //! G_read targets in increasing order (uS) [SEED: 2.6 -> 6.2 -> 13.6 uS]; the trains stop
    //! when the last is reached; an empty list runs max_trains trains
    std::vector<double> targets_uS{6.2, 13.6};
    SpikeDriveCard drive;
    template <class V> void visit(V& v) {
        v.integer("spikes_per_burst", spikes_per_burst, 1u, 1000u);
        v.number("spike_period_ms", spike_period_ms, card::positive);
        v.integer("bursts_per_train", bursts_per_train, 1u, 100000u);
        v.number("burst_period_ms", burst_period_ms, card::positive);
        v.number("train_gap_ms", train_gap_ms, card::non_negative);
        v.integer("max_trains", max_trains, 1u, 10000u);
        card::numbers(v, "targets_uS", targets_uS, card::positive, 0,
                      static_cast<std::size_t>(k_max_theta_targets));
        drive.visit(v);
    }
    ThetaBurstProtocol protocol(double v_read_V) const;
    //! Cross-key rules (spikes fit in their burst, targets ascending); ConfigError naming `path`.
    void check(const std::string& path) const;
    //! Device time at the end of burst b of train k (s), from the protocol's start.
    double burst_end_s(std::uint32_t train, std::uint32_t burst) const;
};

} // namespace memlif
