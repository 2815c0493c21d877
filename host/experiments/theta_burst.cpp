// SPDX-License-Identifier: MIT
//! \file host/experiments/theta_burst.cpp
//! Theta-burst LTP trains (experiment.kind = "theta_burst"; Benatti et al. 2023, Fig. 4; model.md
//! §7): bursts of presynaptic spikes with plasticity and Poisson back-spikes on, trains repeated
//! until G_read reaches each target in turn (2.6 -> 6.2 -> 13.6 uS [SEED]) or max_trains; the
//! normalised weight change after every burst and train, G after each train and the ladder's
//! steps, for a population of devices (io/FORMAT.md, /theta_burst). The same protocol expands a
//! `theta_burst_ladder` block of an MI sweep's conductance grid (host/theta_burst_ladder.hpp).
#include "device_kind.hpp"

#include "host/protocol_cards.hpp"

#include <cmath>

namespace memlif {

namespace {

//! The `theta_burst` section (docs/devices.md §7).
struct ThetaBurstCard {
    std::uint32_t n_devices = 4;     //!< devices 0..n-1 (each its own back-spikes) [ASSUMPTION]
    ThetaBurstProtocolCard protocol; //!< keys in this section (model.md §7)
    //! starts at 2.6 uS [SEED: the first rung of the ladder]; noise off [ASSUMPTION]
    DeviceCard device = DeviceCard::defaults("read_conductance", 2.6, false, false);
    template <class V> void visit(V& v) {
        v.integer("n_devices", n_devices, 1u, 1000000u);
        protocol.visit(v);
        v.section("device", device);
    }
};

class ThetaBurst final : public SectionExperiment<ThetaBurstCard> {
  public:
    const char* kind() const override { return "theta_burst"; }
    const char* summary() const override {
        return "theta-burst LTP trains: weight change per burst and train, the ladder to the "
               "target conductances (Fig. 4)";
    }
    std::string section() const override { return "theta_burst"; }

    void check(const ThetaBurstCard& c, const RunConfig&) const override {
        check_device_card(c.device, "theta_burst.device");
        c.protocol.check("theta_burst");
    }

    void run(RunContext& ctx) const override {
        const auto t0 = std::chrono::steady_clock::now();
        const ThetaBurstCard c = read_section(ctx.cfg);
        const DeviceSetup su = make_device_setup(c.device, ctx.cfg.seed);
        const ThetaBurstProtocol pr = c.protocol.protocol(c.device.v_read_V);
        const DeviceBatchBackend be = device_kind::backend(ctx, c.device, "theta_burst");
        device_kind::create_file(ctx, be);
        device_kind::FileGuard guard(ctx.file);
        const ThetaBurstBatch b = run_theta_burst_batch(su, pr, c.n_devices, 0, be);

        const std::size_t nd = c.n_devices, ntr = pr.max_trains, nbu = ntr * pr.bursts_per_train,
                          ntg = c.protocol.targets_uS.size();
        std::vector<double> g_start(nd), dw(nd * nbu), factor(nd * ntr, device_kind::k_nan);
        std::vector<double> t_train(ntr), t_burst(nbu), targets(ntg);
        std::vector<std::uint32_t> n_trains(nd), to_target(nd * ntg), n_pre(nd), n_bs(nd);
        for (std::size_t d = 0; d < nd; ++d) {
            const ThetaBurstResult& r = b.result[d];
            g_start[d] = r.g_start_S;
            n_trains[d] = r.n_trains;
            n_pre[d] = r.n_pre;
            n_bs[d] = r.n_backspikes;
            for (std::size_t k = 0; k < ntg; ++k) to_target[d * ntg + k] = r.trains_to_target[k];
            for (std::size_t k = 0; k < nbu; ++k)
                dw[d * nbu + k] = b.g_after_burst_S[d * nbu + k] / r.g_start_S - 1.0;
            for (std::size_t k = 0; k < r.n_trains; ++k)
                factor[d * ntr + k] = b.g_after_train_S[d * ntr + k] /
                                      (k == 0 ? r.g_start_S : b.g_after_train_S[d * ntr + k - 1]);
        }
        for (std::uint32_t k = 0; k < ntr; ++k)
            t_train[k] = c.protocol.burst_end_s(k, pr.bursts_per_train - 1) + pr.train_gap_s;
        for (std::uint32_t k = 0; k < ntr; ++k)
            for (std::uint32_t j = 0; j < pr.bursts_per_train; ++j)
                t_burst[k * pr.bursts_per_train + j] = c.protocol.burst_end_s(k, j);
        for (std::size_t k = 0; k < ntg; ++k) targets[k] = c.protocol.targets_uS[k] * 1e-6;

        io::KindGroupWriter w(ctx.file, io::kind_layout::theta_burst(),
                              {{"device", nd}, {"train", ntr}, {"burst", nbu}, {"target", ntg}});
        w.write("g_start_S", g_start);
        w.write("g_after_train_S", b.g_after_train_S);
        w.write("g_after_burst_S", b.g_after_burst_S);
        w.write("weight_change_after_burst", dw);
        w.write("train_factor", factor);
        w.write("t_after_train_s", t_train);
        w.write("t_after_burst_s", t_burst);
        w.write("n_trains", n_trains);
        w.write("trains_to_target", to_target);
        w.write("target_g_S", targets);
        w.write("n_pre", n_pre);
        w.write("n_backspikes", n_bs);
        w.attr("device_model", c.device.model);
        w.attr("n_devices", static_cast<std::uint64_t>(nd));
        w.attr("bursts_per_train", static_cast<std::uint64_t>(pr.bursts_per_train));
        w.attr("backspikes", c.protocol.drive.backspike_enabled ? "on" : "off");

        std::string s = device_kind::format(
            "theta burst, %zu devices (%s): G %.3f uS", nd, c.device.model.c_str(),
            device_kind::finite_stats(g_start.begin(), g_start.end()).mean * 1e6);
        for (std::size_t k = 0; k < ntg; ++k) {
            std::vector<double> reached, trains;
            for (std::size_t d = 0; d < nd; ++d) {
                const std::uint32_t n = to_target[d * ntg + k];
                if (n == 0) continue;
                trains.push_back(n);
                reached.push_back(b.g_after_train_S[d * ntr + n - 1]);
            }
            const auto g = device_kind::finite_stats(reached.begin(), reached.end());
            const auto n = device_kind::finite_stats(trains.begin(), trains.end());
            s += device_kind::format(" -> %.3f uS (target %.3g, %zu of %zu devices, %.2f trains)",
                                     g.mean * 1e6, c.protocol.targets_uS[k], g.n, nd, n.mean);
        }
        const auto f = device_kind::finite_stats(factor.begin(), factor.end());
        s += device_kind::format("; G x %.4f +- %.4f per train", f.mean, f.sd);
        w.attr("summary", s);
        w.close();
        guard.done();
        ctx.report.stages.push_back({"theta_burst", seconds_since(t0), nd});
        ctx.report.text += s + "\n";
    }
};

} // namespace

const Experiment& theta_burst_experiment() {
    static const ThetaBurst e;
    return e;
}

} // namespace memlif
