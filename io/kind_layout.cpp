// SPDX-License-Identifier: MIT
//! \file io/kind_layout.cpp
#include "io/kind_layout.hpp"

#include <stdexcept>

namespace memlif::io::kind_layout {

namespace {
using T = layout::Type;
} // namespace

const Dataset& Group::at(const std::string& name) const {
    for (const Dataset& d : datasets)
        if (name == d.name) return d;
    throw std::out_of_range(std::string("kind_layout: no dataset '") + name + "' in " + path);
}

const Group& iv_sweep() {
    static const Group g{"/iv_sweep",
                         "iv_sweep",
                         {
                             {"v_source_V", T::f64, {"sample"}, "V"},
                             {"i_A", T::f64, {"device", "cycle", "sample"}, "A"},
                             {"v_device_V", T::f64, {"device", "cycle", "sample"}, "V"},
                             {"g_read_S", T::f64, {"device", "cycle", "sample"}, "S"},
                             {"v_set_V", T::f64, {"device", "cycle"}, "V"},
                             {"v_reset_V", T::f64, {"device", "cycle"}, "V"},
                         }};
    return g;
}

const Group& pulse_cycles() {
    static const Group g{"/pulse_cycles",
                         "pulse_cycles",
                         {
                             {"r_ohm", T::f64, {"device", "pulse"}, "ohm"},
                             {"i_read_A", T::f64, {"device", "pulse"}, "A"},
                             {"g_read_S", T::f64, {"device", "pulse"}, "S"},
                             {"phase", T::u8, {"pulse"}, ""},
                             {"cycle", T::u32, {"pulse"}, ""},
                             {"v_pulse_V", T::f64, {"pulse"}, "V"},
                             {"width_s", T::f64, {"pulse"}, "s"},
                         }};
    return g;
}

const Group& rate_rule() {
    static const Group g{"/rate_rule",
                         "rate_rule",
                         {
                             {"rate_Hz", T::f64, {"rate"}, "Hz"},
                             {"dg_per_s", T::f64, {"rate", "trial"}, "S/s"},
                             {"dlng_per_s", T::f64, {"rate", "trial"}, "1/s"},
                             {"g_end_S", T::f64, {"rate", "trial"}, "S"},
                             {"n_pre", T::u32, {"rate", "trial"}, "1"},
                             {"n_backspikes", T::u32, {"rate", "trial"}, "1"},
                             {"mean_dg_per_s", T::f64, {"rate"}, "S/s"},
                             {"se_dg_per_s", T::f64, {"rate"}, "S/s"},
                             {"ci_low_dg_per_s", T::f64, {"rate"}, "S/s"},
                             {"ci_high_dg_per_s", T::f64, {"rate"}, "S/s"},
                             {"mean_dlng_per_s", T::f64, {"rate"}, "1/s"},
                             {"se_dlng_per_s", T::f64, {"rate"}, "1/s"},
                             {"balance_rate_bootstrap_Hz", T::f64, {"replicate"}, "Hz"},
                         }};
    return g;
}

const Group& theta_burst() {
    static const Group g{"/theta_burst",
                         "theta_burst",
                         {
                             {"g_start_S", T::f64, {"device"}, "S"},
                             {"g_after_train_S", T::f64, {"device", "train"}, "S"},
                             {"g_after_burst_S", T::f64, {"device", "burst"}, "S"},
                             {"weight_change_after_burst", T::f64, {"device", "burst"}, "1"},
                             {"train_factor", T::f64, {"device", "train"}, "1"},
                             {"t_after_train_s", T::f64, {"train"}, "s"},
                             {"t_after_burst_s", T::f64, {"burst"}, "s"},
                             {"n_trains", T::u32, {"device"}, "1"},
                             {"trains_to_target", T::u32, {"device", "target"}, "1"},
                             {"target_g_S", T::f64, {"target"}, "S"},
                             {"n_pre", T::u32, {"device"}, "1"},
                             {"n_backspikes", T::u32, {"device"}, "1"},
                         }};
    return g;
}

const Group& ladder() {
    static const Group g{"/analysis/ladder",
                         "mi_sweep",
                         {
                             {"target_g_S", T::f64, {"target"}, "S"},
                             {"trains_to_target", T::u32, {"target"}, "1"},
                             {"g_reached_S", T::f64, {"target"}, "S"},
                             {"g_after_train_S", T::f64, {"train"}, "S"},
                             {"t_after_train_s", T::f64, {"train"}, "s"},
                             {"g_after_burst_S", T::f64, {"burst"}, "S"},
                             {"condition", T::u32, {"point"}, ""},
                             {"conductance_S", T::f64, {"point"}, "S"},
                         }};
    return g;
}

const Group& synapse_physics() {
    static const Group g{"/analysis/synapse_physics",
                         "mi_sweep",
                         {
                             {"grid_point", T::u32, {"condition"}, ""},
                             {"noise_amplitude", T::f64, {"condition"}, "1"},
                         }};
    return g;
}

const std::vector<const Group*>& kind_groups() {
    static const std::vector<const Group*> all = {
        &iv_sweep(), &pulse_cycles(), &rate_rule(), &theta_burst(), &ladder(), &synapse_physics()};
    return all;
}

std::string shape_text(const Dataset& d) {
    std::string s = layout::type_name(d.type);
    s += "[";
    for (std::size_t i = 0; i < d.axes.size(); ++i)
        s += std::string(i ? ", " : "") + "n_" + d.axes[i];
    return s + "]";
}

} // namespace memlif::io::kind_layout
