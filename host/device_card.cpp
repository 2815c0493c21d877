// SPDX-License-Identifier: MIT
//! \file host/device_card.cpp
#include "device_card.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace memlif {

namespace {

[[noreturn]] void fail(const std::string& key, const std::string& what) {
    throw ConfigError(key + ": " + what);
}

//! G_read of the two bounds of the spec's model.
struct BoundsOp {
    double v_read_V;
    ConductanceRange out;
    template <class M> void apply(const typename M::Params& p) {
        out.low_S = read_conductance_S<M>(p, M::low_state(p), v_read_V);
        out.high_S = read_conductance_S<M>(p, M::high_state(p), v_read_V);
    }
};

std::string micro(double g_S) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", g_S * 1e6);
    return buf;
}

} // namespace

DeviceModel DeviceCard::model_id() const {
    if (model == "linear") return DeviceModel::linear;
    if (model == "gmms" || model == "mss") return DeviceModel::gmms;
    if (model == "vteam") return DeviceModel::vteam;
    if (model == "yakopcic") return DeviceModel::yakopcic;
    if (model == "short-long-term") return DeviceModel::short_long_term;
    if (model == "ion-drift") return DeviceModel::ion_drift;
    return DeviceModel::ul_gap;
}

std::string DeviceCard::parameter_section() const {
    return detail::k_parameter_sections[static_cast<std::uint32_t>(model_id())];
}

DeviceCard DeviceCard::defaults(const char* initial, double initial_g_uS, bool device_variability,
                                bool cycle_variability) {
    DeviceCard d;
    d.initial = initial;
    d.initial_g_uS = initial_g_uS;
    d.noise.device_variability = device_variability;
    d.noise.cycle_variability = cycle_variability;
    return d;
}

DeviceSetup make_device_setup(const DeviceCard& d, std::uint64_t seed) {
    DeviceSetup su;
    su.spec = d.params;
    su.spec.model = d.model_id();
    su.noise.device_variability = d.noise.device_variability ? 1u : 0u;
    su.noise.cycle_variability = d.noise.cycle_variability ? 1u : 0u;
    su.noise.read_noise_rel = d.noise.read_noise_rel;
    su.noise.rtn = rtn_params(d.noise.rtn_traps);
    su.initial = d.initial == "high_bound"         ? InitialState::high_bound
                 : d.initial == "read_conductance" ? InitialState::read_conductance
                                                   : InitialState::low_bound;
    su.initial_g_read_S = d.initial_g_uS * 1e-6;
    su.v_read_V = d.v_read_V;
    su.seed = seed;
    return su;
}

ConductanceRange device_conductance_range(const DeviceCard& d) {
    DeviceSpec spec = d.params;
    spec.model = d.model_id();
    BoundsOp op{d.v_read_V, {}};
    visit_device_model(spec, op);
    return op.out;
}

void check_device_card(const DeviceCard& d, const std::string& path) {
    const std::string sec = card::join(path, d.parameter_section());
    const DeviceSpec& p = d.params;
    switch (d.model_id()) {
    case DeviceModel::ul_gap:
        if (!(p.ul_gap.x_min_m < p.ul_gap.x_max_m)) fail(sec + ".x_min_m", "must be below x_max_m");
        break;
    case DeviceModel::linear:
        if (!(p.linear.g_min_S < p.linear.g_max_S)) fail(sec + ".g_min_S", "must be below g_max_S");
        break;
    case DeviceModel::short_long_term:
        if (!(p.short_long_term.g_min_S < p.short_long_term.g_max_S))
            fail(sec + ".g_min_S", "must be below g_max_S");
        break;
    case DeviceModel::gmms:
        if (!(p.gmms.r_on_ohm < p.gmms.r_off_ohm))
            fail(sec + ".r_on_ohm", "must be below r_off_ohm");
        break;
    default:
        break;
    }
    if (d.initial == "read_conductance") {
        const ConductanceRange r = device_conductance_range(d);
        const double lo = std::fmin(r.low_S, r.high_S), hi = std::fmax(r.low_S, r.high_S);
        const double g = d.initial_g_uS * 1e-6;
        // a relative slack so that a bound itself, given in rounded uS, is accepted
        if (!(g >= lo * (1 - 1e-9) && g <= hi * (1 + 1e-9)))
            fail(card::join(path, "initial_g_uS"),
                 micro(g) + " uS is outside the " + d.model + " model's range [" + micro(lo) +
                     ", " + micro(hi) + "] uS (G_read at v_read_V of its two bounds)");
    }
}

RtnParams rtn_params(const std::vector<RtnTrapCard>& traps) {
    RtnParams r;
    r.n_traps = static_cast<std::uint32_t>(std::min<std::size_t>(traps.size(), k_max_rtn_traps));
    for (std::uint32_t k = 0; k < r.n_traps; ++k)
        r.trap[k] = RtnTrap{traps[k].delta, traps[k].tau_capture_s, traps[k].tau_emission_s};
    return r;
}

} // namespace memlif
