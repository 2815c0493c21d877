// SPDX-License-Identifier: MIT
//! \file host/experiments/rate_rule.cpp
//! The rate-based learning rule (experiment.kind = "rate_rule"; Benatti et al. 2023, Fig. 2b;
//! model.md §6.2): a synapse driven by presynaptic spikes at rate nu and Poisson back-spikes;
//! the mean conductance change per unit time against nu, with a confidence band over trials, and
//! the balance rate nu0 where it changes sign, with a bootstrap uncertainty (io/FORMAT.md,
//! /rate_rule). Trial t uses Philox id t at every rate (common random numbers: the same
//! back-spikes and presynaptic uniforms at every nu, docs/devices.md §6), which makes the curve
//! smooth in nu and the differences between rates precise; the bootstrap resamples whole trials
//! (all rates together) so that it keeps that pairing.
#include "device_kind.hpp"

#include "host/information/random_stream.hpp"
#include "host/information/resampling.hpp"
#include "host/protocol_cards.hpp"

#include <algorithm>
#include <cmath>

namespace memlif {

namespace {

//! Separates the rate rule's bootstrap stream from the estimators' under the same run seed.
constexpr std::uint64_t k_bootstrap_seed_salt = 0x5241544552554c45ull; // "RATERULE"

//! The `rate_rule` section (docs/devices.md §7).
struct RateRuleCard {
    //! presynaptic rates nu (Hz), increasing [ASSUMPTION: around the default nu0 ~ 10 Hz]
    std::vector<double> rates_Hz{2, 4, 6, 8, 10, 12, 14, 16, 20, 25, 30};
    std::uint32_t n_trials = 100;    //!< trials per rate [ASSUMPTION]
    double duration_s = 5.0;         //!< observation time per trial (s) [ASSUMPTION]
    std::string law = "poisson";     //!< poisson (dead time = spike length) | regular [ASSUMPTION]
    double confidence = 0.95;        //!< level of the band and of the nu0 interval
    std::uint32_t n_bootstrap = 200; //!< bootstrap replicates of nu0 (0 = none)
    SpikeDriveCard drive;            //!< pre_spike, backspike_*, r_series_ohm, step
    //! starts at 6.2 uS (the middle of the seed's ladder) [ASSUMPTION]; noise off
    DeviceCard device = DeviceCard::defaults("read_conductance", 6.2, false, false);
    template <class V> void visit(V& v) {
        card::numbers(v, "rates_Hz", rates_Hz, card::non_negative, 1, 10000);
        v.integer("n_trials", n_trials, 1u, 100000000u);
        v.number("duration_s", duration_s, card::positive);
        v.choice("law", law, {"poisson", "regular"});
        v.number("confidence", confidence, card::open_unit);
        v.integer("n_bootstrap", n_bootstrap, 0u, 1000000u);
        drive.visit(v);
        v.section("device", device);
    }
    RateRuleProtocol protocol(double rate_Hz) const {
        RateRuleProtocol pr;
        pr.rate_Hz = rate_Hz;
        pr.law = law == "regular" ? SpikeTrainLaw::regular : SpikeTrainLaw::poisson;
        pr.duration_s = duration_s;
        pr.v_read_V = device.v_read_V;
        pr.drive = drive.setup();
        return pr;
    }
};

//! The two-sided normal quantile z with P(|Z| <= z) = level, by bisection on erfc.
double two_sided_z(double level) {
    double lo = 0.0, hi = 40.0;
    for (int it = 0; it < 200; ++it) {
        const double mid = 0.5 * (lo + hi);
        if (std::erfc(mid / std::sqrt(2.0)) > 1.0 - level)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

double balance_or_nan(const std::vector<double>& nu, const std::vector<double>& mean) {
    const double b = balance_rate_Hz(nu.data(), mean.data(), static_cast<std::uint32_t>(nu.size()));
    return b >= 0 ? b : device_kind::k_nan;
}

class RateRule final : public SectionExperiment<RateRuleCard> {
  public:
    const char* kind() const override { return "rate_rule"; }
    const char* summary() const override {
        return "rate rule: mean dG/dt against the presynaptic rate, balance rate nu0 (Fig. 2b)";
    }
    std::string section() const override { return "rate_rule"; }

    void check(const RateRuleCard& c, const RunConfig&) const override {
        check_device_card(c.device, "rate_rule.device");
        const double length_s = c.drive.spike_length_ms() * 1e-3;
        for (std::size_t k = 0; k < c.rates_Hz.size(); ++k) {
            const std::string key = "rate_rule.rates_Hz[" + std::to_string(k) + "]";
            if (k > 0 && !(c.rates_Hz[k] > c.rates_Hz[k - 1]))
                throw ConfigError(key + ": the rates must increase");
            if (!(c.rates_Hz[k] * length_s < 1.0))
                throw ConfigError(key + ": rate x spike length (" + std::to_string(length_s) +
                                  " s) must be below 1");
        }
    }

    void run(RunContext& ctx) const override {
        const auto t0 = std::chrono::steady_clock::now();
        const RateRuleCard c = read_section(ctx.cfg);
        const DeviceSetup su = make_device_setup(c.device, ctx.cfg.seed);
        const DeviceBatchBackend be = device_kind::backend(ctx, c.device, "rate_rule");
        device_kind::create_file(ctx, be);
        device_kind::FileGuard guard(ctx.file);
        const std::size_t nr = c.rates_Hz.size(), nt = c.n_trials;

        // One rate at a time, so that a stop request is honoured between rates.
        std::vector<RateRuleResult> res;
        res.reserve(nr * nt);
        for (std::size_t r = 0; r < nr; ++r) {
            if (ctx.stop_requested && ctx.stop_requested()) {
                ctx.report.interrupted = true;
                guard.done(); // execute_run marks it "interrupted"
                ctx.report.stages.push_back(
                    {"rate_rule", seconds_since(t0), res.size()});
                return;
            }
            const auto part =
                run_rate_rule_batch(su, {c.protocol(c.rates_Hz[r])}, c.n_trials, 0, be);
            res.insert(res.end(), part.begin(), part.end());
        }

        std::vector<double> dg(nr * nt), dlng(nr * nt), g_end(nr * nt);
        std::vector<std::uint32_t> n_pre(nr * nt), n_bs(nr * nt);
        for (std::size_t k = 0; k < nr * nt; ++k) {
            dg[k] = res[k].dg_per_s;
            dlng[k] = res[k].dlng_per_s;
            g_end[k] = res[k].g_end_S;
            n_pre[k] = res[k].n_pre;
            n_bs[k] = res[k].n_backspikes;
        }
        const double z = two_sided_z(c.confidence);
        std::vector<double> mean_dg(nr), se_dg(nr), lo_dg(nr), hi_dg(nr), mean_l(nr), se_l(nr);
        const double root_n = std::sqrt(static_cast<double>(nt));
        for (std::size_t r = 0; r < nr; ++r) {
            const auto a =
                device_kind::finite_stats(dg.begin() + r * nt, dg.begin() + (r + 1) * nt);
            const auto l =
                device_kind::finite_stats(dlng.begin() + r * nt, dlng.begin() + (r + 1) * nt);
            mean_dg[r] = a.mean;
            se_dg[r] = a.sd / root_n;
            lo_dg[r] = a.mean - z * se_dg[r];
            hi_dg[r] = a.mean + z * se_dg[r];
            mean_l[r] = l.mean;
            se_l[r] = l.sd / root_n;
        }
        const double nu0 = balance_or_nan(c.rates_Hz, mean_dg);

        // Bootstrap over whole trials (the pairing across rates kept), replicate b on its own
        // Philox stream.
        std::vector<double> boot(c.n_bootstrap, device_kind::k_nan);
        const std::uint64_t bseed = ctx.cfg.seed ^ k_bootstrap_seed_salt;
        for (std::uint32_t b = 0; b < c.n_bootstrap; ++b) {
            detail::RandomStream rng(bseed, detail::RandomPurpose::bootstrap, b);
            std::vector<double> m(nr, 0.0);
            for (std::size_t t = 0; t < nt; ++t) {
                const std::size_t pick = static_cast<std::size_t>(rng.below(nt));
                for (std::size_t r = 0; r < nr; ++r) m[r] += dg[r * nt + pick];
            }
            for (double& x : m) x /= static_cast<double>(nt);
            boot[b] = balance_or_nan(c.rates_Hz, m);
        }
        std::vector<double> finite;
        for (double x : boot)
            if (std::isfinite(x)) finite.push_back(x);
        std::sort(finite.begin(), finite.end());
        const auto bs = device_kind::finite_stats(finite.begin(), finite.end());
        const double ci_lo = detail::quantile_sorted(finite, 0.5 * (1.0 - c.confidence));
        const double ci_hi = detail::quantile_sorted(finite, 0.5 * (1.0 + c.confidence));

        // model.md §6.2's analytic nu0 where it applies: UL-GAP, one rectangular spike part,
        // back-spikes on, no series resistor (heating and bounds neglected).
        double analytic = device_kind::k_nan;
        if (su.spec.model == DeviceModel::ul_gap && c.drive.pre_spike.size() == 1 &&
            c.drive.backspike_enabled && c.drive.r_series_ohm == 0.0)
            analytic = ulgap_balance_rate_Hz(
                su.spec.ul_gap, c.drive.pre_spike[0].v_V, c.drive.pre_spike[0].width_ms * 1e-3,
                c.drive.backspike_amplitude_V, c.drive.backspike_width_us * 1e-6,
                c.drive.backspike_mean_interval_ms * 1e-3);

        io::KindGroupWriter w(ctx.file, io::kind_layout::rate_rule(),
                              {{"rate", nr}, {"trial", nt}, {"replicate", c.n_bootstrap}});
        w.write("rate_Hz", c.rates_Hz);
        w.write("dg_per_s", dg);
        w.write("dlng_per_s", dlng);
        w.write("g_end_S", g_end);
        w.write("n_pre", n_pre);
        w.write("n_backspikes", n_bs);
        w.write("mean_dg_per_s", mean_dg);
        w.write("se_dg_per_s", se_dg);
        w.write("ci_low_dg_per_s", lo_dg);
        w.write("ci_high_dg_per_s", hi_dg);
        w.write("mean_dlng_per_s", mean_l);
        w.write("se_dlng_per_s", se_l);
        w.write("balance_rate_bootstrap_Hz", boot);
        w.attr("device_model", c.device.model);
        w.attr("g_start_S", res.empty() ? device_kind::k_nan : res[0].g_start_S);
        w.attr("duration_s", c.duration_s);
        w.attr("n_trials", static_cast<std::uint64_t>(nt));
        w.attr("law", c.law);
        w.attr("confidence", c.confidence);
        w.attr("backspike_amplitude_V", c.drive.backspike_amplitude_V);
        w.attr("balance_rate_Hz", nu0);
        w.attr("balance_rate_se_Hz", bs.sd);
        w.attr("balance_rate_ci_low_Hz", ci_lo);
        w.attr("balance_rate_ci_high_Hz", ci_hi);
        w.attr("n_bootstrap_with_crossing", static_cast<std::uint64_t>(finite.size()));
        w.attr("analytic_balance_rate_Hz", analytic);
        const std::string summary =
            std::isfinite(nu0)
                ? device_kind::format("rate rule, %zu rates x %zu trials of %g s (%s): nu0 = "
                                      "%.3f Hz, bootstrap SE %.3f Hz, %g%% interval [%.3f, %.3f] "
                                      "Hz; analytic (model.md 6.2) %.3f Hz",
                                      nr, nt, c.duration_s, c.device.model.c_str(), nu0, bs.sd,
                                      100 * c.confidence, ci_lo, ci_hi, analytic)
                : device_kind::format("rate rule, %zu rates x %zu trials of %g s (%s): the mean "
                                      "dG/dt does not cross zero from - to + over the rates",
                                      nr, nt, c.duration_s, c.device.model.c_str());
        w.attr("summary", summary);
        w.close();
        guard.done();
        ctx.report.stages.push_back({"rate_rule", seconds_since(t0), nr * nt});
        ctx.report.text += summary + "\n";
    }
};

} // namespace

const Experiment& rate_rule_experiment() {
    static const RateRule e;
    return e;
}

} // namespace memlif
