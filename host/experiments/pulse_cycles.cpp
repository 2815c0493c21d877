// SPDX-License-Identifier: MIT
//! \file host/experiments/pulse_cycles.cpp
//! LTD/LTP pulse cycles (experiment.kind = "pulse_cycles"; Benatti et al. 2023, Fig. 1c,d;
//! model.md §8): an initial SET train, then n_cycles cycles of a depression and a potentiation
//! train, each pulse followed by a read; the resistance after each pulse R = V_read / I - R_s
//! [SEED], for a population of devices with device-to-device and cycle-to-cycle variability
//! (io/FORMAT.md, /pulse_cycles).
#include "device_kind.hpp"

#include "host/protocol_cards.hpp"

namespace memlif {

namespace {

//! The `pulse_cycles` section (defaults [SEED] unless tagged; docs/devices.md §7).
struct PulseCyclesCard {
    std::uint32_t n_devices = 8;        //!< devices 0..n-1 [ASSUMPTION]
    PulseTrainCard set{20, 0.6, 100.0}; //!< initial SET 20 x (+0.6 V, 100 us)
    PulseTrainCard ltd{20, -0.2, 10.0}; //!< depression 20 x (-0.2 V, 10 us)
    PulseTrainCard ltp{20, 0.55, 30.0}; //!< potentiation 20 x (+0.55 V, 30 us)
    std::uint32_t n_cycles = 15;        //!< LTD/LTP cycles
    double t_read_us = 50.0;            //!< read pulse of device.v_read_V (us)
    double gap_us = 0.0;                //!< 0 V before and after each read [ASSUMPTION]
    double r_series_ohm = 10e3;         //!< series resistor (ohm)
    double i_compliance_A = 0.0;        //!< source compliance (A), 0 = none
    StepCard step;                      //!< [ASSUMPTION]
    //! HRS start; device-to-device variability on, cycle-to-cycle off [ASSUMPTION]: the seed's
    //! cycles are reproducible, and UL-GAP's default RESET c2c sigma (0.5, set for the DC sweep)
    //! with R_s's RESET runaway spreads the LTD end over more than a decade (docs/devices.md §10)
    DeviceCard device = DeviceCard::defaults("low_bound", 2.6, true, false);
    template <class V> void visit(V& v) {
        v.integer("n_devices", n_devices, 1u, 1000000u);
        v.section("set", set);
        v.section("ltd", ltd);
        v.section("ltp", ltp);
        v.integer("n_cycles", n_cycles, 0u, 100000u);
        v.number("t_read_us", t_read_us, card::positive);
        v.number("gap_us", gap_us, card::non_negative);
        v.number("r_series_ohm", r_series_ohm, card::non_negative);
        v.number("i_compliance_A", i_compliance_A, card::non_negative);
        v.section("step", step);
        v.section("device", device);
    }
    PulseCycleProtocol protocol() const {
        PulseCycleProtocol pr;
        pr.set = set.train();
        pr.ltd = ltd.train();
        pr.ltp = ltp.train();
        pr.n_cycles = n_cycles;
        pr.v_read_V = device.v_read_V;
        pr.t_read_s = t_read_us * 1e-6;
        pr.gap_s = gap_us * 1e-6;
        pr.circuit = Circuit{r_series_ohm, i_compliance_A};
        pr.step = step.rule();
        return pr;
    }
};

class PulseCycles final : public SectionExperiment<PulseCyclesCard> {
  public:
    const char* kind() const override { return "pulse_cycles"; }
    const char* summary() const override {
        return "LTD/LTP pulse cycles of a device population: R after each pulse (Fig. 1c,d)";
    }
    std::string section() const override { return "pulse_cycles"; }

    void check(const PulseCyclesCard& c, const RunConfig&) const override {
        check_device_card(c.device, "pulse_cycles.device");
        const PulseCycleProtocol pr = c.protocol();
        if (pulse_cycle_points(pr) == 0)
            throw ConfigError("pulse_cycles: no pulses (set, ltd and ltp have n_pulses = 0)");
        if (static_cast<double>(c.n_devices) * pulse_cycle_points(pr) > 5e8)
            throw ConfigError("pulse_cycles.n_devices: n_devices x pulses exceeds 5e8 values");
    }

    void run(RunContext& ctx) const override {
        const auto t0 = std::chrono::steady_clock::now();
        const PulseCyclesCard c = read_section(ctx.cfg);
        const DeviceSetup su = make_device_setup(c.device, ctx.cfg.seed);
        const PulseCycleProtocol pr = c.protocol();
        const DeviceBatchBackend be = device_kind::backend(ctx, c.device, "pulse_cycles");
        device_kind::create_file(ctx, be);
        device_kind::FileGuard guard(ctx.file);
        const PulseCyclesBatch b = run_pulse_cycles_batch(su, pr, c.n_devices, 0, be);

        const std::size_t np = pulse_cycle_points(pr);
        std::vector<std::uint8_t> phase;
        std::vector<std::uint32_t> cycle;
        std::vector<double> v_pulse, width;
        const auto add = [&](const PulseTrain& t, std::uint8_t ph, std::uint32_t cy) {
            for (std::uint32_t j = 0; j < t.n_pulses; ++j) {
                phase.push_back(ph);
                cycle.push_back(cy);
                v_pulse.push_back(t.v_V);
                width.push_back(t.width_s);
            }
        };
        add(pr.set, 0, 0);
        for (std::uint32_t k = 0; k < pr.n_cycles; ++k) {
            add(pr.ltd, 1, k + 1);
            add(pr.ltp, 2, k + 1);
        }

        io::KindGroupWriter w(ctx.file, io::kind_layout::pulse_cycles(),
                              {{"device", c.n_devices}, {"pulse", np}});
        w.write("r_ohm", b.r_ohm);
        w.write("i_read_A", b.i_read_A);
        w.write("g_read_S", b.g_read_S);
        w.write("phase", phase);
        w.write("cycle", cycle);
        w.write("v_pulse_V", v_pulse);
        w.write("width_s", width);
        w.attr("device_model", c.device.model);
        w.attr("n_devices", static_cast<std::uint64_t>(c.n_devices));
        w.attr("n_cycles", static_cast<std::uint64_t>(c.n_cycles));
        w.attr("r_series_ohm", c.r_series_ohm);
        w.attr("v_read_V", c.device.v_read_V);
        w.attr("t_read_s", pr.t_read_s);
        w.attr("phase_codes", "0 = initial SET, 1 = LTD, 2 = LTP");

        // Summary: R at the end of the SET, of the first and last LTD and LTP trains.
        const auto end_of = [&](std::uint8_t ph, std::uint32_t cy) {
            std::size_t last = np;
            for (std::size_t k = 0; k < np; ++k)
                if (phase[k] == ph && cycle[k] == cy) last = k;
            std::vector<double> r;
            if (last < np)
                for (std::uint32_t d = 0; d < c.n_devices; ++d) r.push_back(b.r_ohm[d * np + last]);
            return device_kind::finite_stats(r.begin(), r.end());
        };
        std::string s;
        const auto line = [&](const char* what, const device_kind::FiniteStats& st) {
            if (st.n > 0)
                s += device_kind::format("%s %.4g +- %.3g kOhm; ", what, st.mean * 1e-3,
                                         st.sd * 1e-3);
        };
        line("after SET", end_of(0, 0));
        if (pr.n_cycles > 0) {
            line("LTD end (cycle 1)", end_of(1, 1));
            line("LTP end (cycle 1)", end_of(2, 1));
            line("LTD end (last)", end_of(1, pr.n_cycles));
            line("LTP end (last)", end_of(2, pr.n_cycles));
        }
        if (!s.empty()) s.erase(s.size() - 2);
        const std::string summary =
            device_kind::format("pulse cycles, %u devices (%s): ", c.n_devices,
                                c.device.model.c_str()) +
            s;
        w.attr("summary", summary);
        w.close();
        guard.done();
        ctx.report.stages.push_back({"pulse_cycles", seconds_since(t0), c.n_devices});
        ctx.report.text += summary + " (mean +- SD over devices)\n";
    }
};

} // namespace

const Experiment& pulse_cycles_experiment() {
    static const PulseCycles e;
    return e;
}

} // namespace memlif
