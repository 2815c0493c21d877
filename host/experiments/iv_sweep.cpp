// SPDX-License-Identifier: MIT
//! \file host/experiments/iv_sweep.cpp
//! DC I-V sweep with current compliance (experiment.kind = "iv_sweep"; Benatti et al. 2023,
//! Fig. 1b; model.md §8): per cycle the source ramps 0 -> v_max -> 0 -> v_min -> 0 through R_s
//! with |I| limited to the compliance, for a population of devices with device-to-device and
//! cycle-to-cycle variability; I(V) curves and the SET and RESET voltages of every cycle
//! (io/FORMAT.md, /iv_sweep).
#include "device_kind.hpp"

#include "host/protocol_cards.hpp"

#include <cmath>

namespace memlif {

namespace {

//! The `iv_sweep` section (docs/devices.md §7).
struct IvSweepCard {
    std::uint32_t n_devices = 8;     //!< devices 0..n-1 [ASSUMPTION]
    std::uint32_t n_cycles = 10;     //!< sweep cycles per device [ASSUMPTION]
    double v_max_V = 0.4;            //!< SET end of the sweep (V) [SEED]
    double v_min_V = -0.8;           //!< RESET end of the sweep (V) [SEED]
    double rate_V_per_s = 1.0;       //!< sweep rate (V/s) [ASSUMPTION]
    double dv_step_V = 1e-3;         //!< integration step in source voltage (V) [ASSUMPTION]
    std::uint32_t sample_every = 10; //!< one stored I-V sample every this many steps
    //! G_read ratio that defines the SET / RESET voltage (docs/devices.md §6) [ASSUMPTION]
    double switch_ratio = 2.0;
    double r_series_ohm = 10e3;    //!< series resistor (ohm) [SEED]
    double i_compliance_A = 10e-6; //!< source compliance (A) [SEED]
    std::string scheme = "rk4";    //!< euler | heun | rk4 [ASSUMPTION]
    //! HRS start; device-to-device and cycle-to-cycle variability on [ASSUMPTION]
    DeviceCard device = DeviceCard::defaults("low_bound", 2.6, true, true);
    template <class V> void visit(V& v) {
        v.integer("n_devices", n_devices, 1u, 1000000u);
        v.integer("n_cycles", n_cycles, 1u, 100000u);
        v.number("v_max_V", v_max_V, card::positive);
        v.number("v_min_V", v_min_V, card::negative);
        v.number("rate_V_per_s", rate_V_per_s, card::positive);
        v.number("dv_step_V", dv_step_V, card::positive);
        v.integer("sample_every", sample_every, 1u, 100000000u);
        v.number("switch_ratio", switch_ratio, card::Range{1.0, 1e300, true, false});
        v.number("r_series_ohm", r_series_ohm, card::non_negative);
        v.number("i_compliance_A", i_compliance_A, card::non_negative);
        v.choice("scheme", scheme, {"euler", "heun", "rk4"});
        v.section("device", device);
    }
    DcSweepProtocol protocol() const {
        DcSweepProtocol pr;
        pr.v_max_V = v_max_V;
        pr.v_min_V = v_min_V;
        pr.rate_V_per_s = rate_V_per_s;
        pr.dv_step_V = dv_step_V;
        pr.sample_every = sample_every;
        pr.n_cycles = n_cycles;
        pr.switch_ratio = switch_ratio;
        pr.v_read_V = device.v_read_V;
        pr.circuit = Circuit{r_series_ohm, i_compliance_A};
        StepCard s;
        s.scheme = scheme;
        pr.scheme = s.scheme_id();
        return pr;
    }
};

class IvSweep final : public SectionExperiment<IvSweepCard> {
  public:
    const char* kind() const override { return "iv_sweep"; }
    const char* summary() const override {
        return "DC I-V sweeps with compliance of a device population: I(V), SET/RESET voltages "
               "(Fig. 1b)";
    }
    std::string section() const override { return "iv_sweep"; }

    void check(const IvSweepCard& c, const RunConfig&) const override {
        check_device_card(c.device, "iv_sweep.device");
        if (c.dv_step_V > 0.1 * std::fmin(c.v_max_V, -c.v_min_V))
            throw ConfigError("iv_sweep.dv_step_V: at least 10 steps per leg of the sweep");
        const double values = static_cast<double>(c.n_devices) * c.n_cycles *
                              dc_sweep_samples_per_cycle(c.protocol());
        if (values > 2e8)
            throw ConfigError("iv_sweep.sample_every: n_devices x n_cycles x samples exceeds 2e8 "
                              "values; store fewer samples");
    }

    void run(RunContext& ctx) const override {
        const auto t0 = std::chrono::steady_clock::now();
        const IvSweepCard c = read_section(ctx.cfg);
        const DeviceSetup su = make_device_setup(c.device, ctx.cfg.seed);
        const DcSweepProtocol pr = c.protocol();
        const DeviceBatchBackend be = device_kind::backend(ctx, c.device, "iv_sweep");
        device_kind::create_file(ctx, be);
        device_kind::FileGuard guard(ctx.file);
        const DcSweepBatch b = run_dc_sweep_batch(su, pr, c.n_devices, 0, be);

        const std::size_t ns = dc_sweep_samples_per_cycle(pr);
        // The source voltage is the same for every device and cycle: store it once.
        const std::vector<double> v_source(b.v_source_V.begin(), b.v_source_V.begin() + ns);
        io::KindGroupWriter w(ctx.file, io::kind_layout::iv_sweep(),
                              {{"device", c.n_devices}, {"cycle", c.n_cycles}, {"sample", ns}});
        w.write("v_source_V", v_source);
        w.write("i_A", b.i_A);
        w.write("v_device_V", b.v_device_V);
        w.write("g_read_S", b.g_read_S);
        w.write("v_set_V", b.v_set_V);
        w.write("v_reset_V", b.v_reset_V);
        w.attr("device_model", c.device.model);
        w.attr("n_devices", static_cast<std::uint64_t>(c.n_devices));
        w.attr("n_cycles", static_cast<std::uint64_t>(c.n_cycles));
        w.attr("r_series_ohm", c.r_series_ohm);
        w.attr("i_compliance_A", c.i_compliance_A);
        w.attr("switch_ratio", c.switch_ratio);
        w.attr("rate_V_per_s", c.rate_V_per_s);
        w.attr("dv_step_V", c.dv_step_V);
        const auto set = device_kind::finite_stats(b.v_set_V.begin(), b.v_set_V.end());
        const auto reset = device_kind::finite_stats(b.v_reset_V.begin(), b.v_reset_V.end());
        const std::size_t n_sw = b.v_set_V.size();
        w.attr("v_set_mean_V", set.mean);
        w.attr("v_set_sd_V", set.sd);
        w.attr("v_reset_mean_V", reset.mean);
        w.attr("v_reset_sd_V", reset.sd);
        const std::string summary = device_kind::format(
            "DC sweep, %u devices x %u cycles (%s): V_set %.4f +- %.4f V (%zu of %zu switched), "
            "V_reset %.4f +- %.4f V (%zu of %zu)",
            c.n_devices, c.n_cycles, c.device.model.c_str(), set.mean, set.sd, set.n, n_sw,
            reset.mean, reset.sd, reset.n, n_sw);
        w.attr("summary", summary);
        w.close();
        guard.done();
        ctx.report.stages.push_back({"iv_sweep", seconds_since(t0), c.n_devices});
        ctx.report.text += summary + " (mean +- SD over devices and cycles)\n";
    }
};

} // namespace

const Experiment& iv_sweep_experiment() {
    static const IvSweep e;
    return e;
}

} // namespace memlif
