// SPDX-License-Identifier: MIT
//! \file host/synapse_physics_card.cpp
#include "synapse_physics_card.hpp"

#include "config.hpp"

#include "memlif/core/errors.hpp"
#include "memlif/kernels/synapse.hpp"

#include <cmath>
#include <limits>

namespace memlif {

namespace {

[[noreturn]] void fail(const std::string& key, const std::string& what) {
    throw ConfigError(key + ": " + what);
}

} // namespace

bool noise_on(const SynapseNoiseCard& n) {
    return n.device_sigma_ln != 0.0 || n.read_sigma_ln != 0.0 || !n.rtn_traps.empty() ||
           n.axis.process != "none";
}

std::vector<double> noise_axis_values(const SynapseNoiseCard& n) {
    if (n.axis.process == "none") return {std::numeric_limits<double>::quiet_NaN()};
    return n.axis.amplitudes;
}

SynapseNoise make_synapse_noise(const SynapseNoiseCard& n, double dt_s, double axis_value) {
    SynapseNoise s;
    s.device_sigma_ln = n.device_sigma_ln;
    s.read_sigma_ln = n.read_sigma_ln;
    s.dt_s = dt_s;
    s.rtn = rtn_params(n.rtn_traps);
    if (n.axis.process == "device") {
        s.device_sigma_ln = axis_value;
    } else if (n.axis.process == "read") {
        s.read_sigma_ln = axis_value;
    } else if (n.axis.process == "rtn") {
        for (std::size_t k = 0; k < n.rtn_traps.size(); ++k) s.rtn.trap[k].delta = axis_value;
    }
    return s;
}

void check_exact_solver_applies(const RunConfig& c, const std::string& key) {
    if (c.synapse.plasticity.enabled)
        fail(key, "exact applies only to piecewise-constant drives; with "
                  "synapse.plasticity.enabled the drive follows the device state inside each "
                  "spike: use the fixed step");
    if (!c.synapse.noise.rtn_traps.empty())
        fail(key, "exact applies only to piecewise-constant drives; RTN (synapse.noise.rtn_traps) "
                  "switches the current inside a spike: use the fixed step");
}

void check_synapse_physics(const RunConfig& c) {
    const SynapseNoiseCard& n = c.synapse.noise;
    const PlasticityCard& pl = c.synapse.plasticity;
    const NoiseAxisCard& ax = n.axis;
    if (ax.process == "none" && !ax.amplitudes.empty())
        fail("synapse.noise.axis.amplitudes",
             "needs synapse.noise.axis.process (device, read or rtn)");
    if (ax.process != "none" && ax.amplitudes.empty())
        fail("synapse.noise.axis.amplitudes",
             "the axis of process \"" + ax.process + "\" needs at least one amplitude");
    if (ax.process == "rtn") {
        if (n.rtn_traps.empty())
            fail("synapse.noise.axis.process",
                 "rtn needs the traps in synapse.noise.rtn_traps (the axis sets their delta)");
        for (std::size_t i = 0; i < ax.amplitudes.size(); ++i)
            if (!(ax.amplitudes[i] < 1.0))
                fail("synapse.noise.axis.amplitudes[" + std::to_string(i) + "]",
                     "an RTN delta must be < 1 (a filled trap scales the current by 1 - delta)");
    }
    const std::size_t n_amp = noise_axis_values(n).size();
    if (c.conductances_uS.size() * n_amp > 65536)
        fail("synapse.noise.axis.amplitudes",
             std::to_string(c.conductances_uS.size()) + " conductance points x " +
                 std::to_string(n_amp) +
                 " amplitudes exceed 65536 conditions (the trial id holds 16 bits)");
    const bool any = noise_on(n) || pl.enabled;
    if (c.simulation.solver == "exact") check_exact_solver_applies(c, "simulation.solver");
    if (any && c.simulation.backend == "cuda")
        fail("simulation.backend",
             "the CUDA backend does not simulate synapse.noise or synapse.plasticity yet; "
             "use simulation.backend=cpu (or auto, which runs such sweeps on the CPU)");
    if (!pl.enabled) return;
    if (c.synapse.model != "ul-gap")
        fail("synapse.plasticity.enabled",
             "needs synapse.model=ul-gap (the linear synapse has no dynamics)");
    if (!(pl.x_min_m < pl.x_max_m))
        fail("synapse.plasticity.x_min_m", "must be < synapse.plasticity.x_max_m");
    const PlasticityParams pp = make_plasticity_params(c);
    for (std::size_t i = 0; i < c.conductances_uS.size(); ++i)
        for (double g_uS : c.conductances_uS[i]) {
            const double x =
                UlGapModel::state_from_read_conductance(pp.device, g_uS * 1e-6, pp.v_read_V).x_m;
            if (!(x >= pl.x_min_m && x <= pl.x_max_m))
                fail("conductance_grid",
                     "point " + std::to_string(i) + " (" + std::to_string(g_uS) +
                         " uS) lies outside the UL-GAP bounds synapse.plasticity.x_min_m.."
                         "x_max_m (barrier " +
                         std::to_string(x * 1e9) + " nm): plasticity would clamp it");
        }
}

PlasticityParams make_plasticity_params(const RunConfig& c) {
    const PlasticityCard& pl = c.synapse.plasticity;
    PlasticityParams p;
    p.enabled = pl.enabled ? 1u : 0u;
    p.device.i0_A = c.synapse.ul_gap.i0_A;
    p.device.v0_V = c.synapse.ul_gap.v0_V;
    p.device.x0_m = c.synapse.ul_gap.x0_nm * 1e-9;
    p.device.x_min_m = pl.x_min_m;
    p.device.x_max_m = pl.x_max_m;
    p.device.k_set_m_per_s = pl.k_set_m_per_s;
    p.device.alpha_set_per_V = pl.alpha_set_per_V;
    p.device.k_reset_m_per_s = pl.k_reset_m_per_s;
    p.device.alpha_reset_per_V = pl.alpha_reset_per_V;
    p.device.ea_eV = pl.ea_eV;
    p.device.t0_K = pl.t0_K;
    p.device.r_th_K_per_W = pl.r_th_K_per_W;
    p.v_spike_V = c.stimulus.spike_amplitude_V;
    p.v_read_V = c.synapse.v_read_V;
    p.v_backspike_V = pl.backspike_V;
    p.dt_s = c.simulation.dt_us * 1e-6;
    p.tau_s = c.neuron.tau_ms * 1e-3;
    p.c_F = c.neuron.c_nF * 1e-9;
    p.v_th_V = c.neuron.v_th_V;
    p.spike_width_s = c.stimulus.spike_width_ms * 1e-3;
    p.backspike_width_s = c.backspike.width_us * 1e-6;
    p.step.step_fraction = pl.step_fraction;
    return p;
}

} // namespace memlif
