// SPDX-License-Identifier: MIT
//! \file host/experiments/ladder.cpp
//! The ladder stage (follows mi_sweep when the conductance grid holds a theta_burst_ladder block):
//! records in /analysis/ladder what the theta-burst ladder did to produce the grid (G after each
//! train and burst, the train that reached each target, the conditions it gave), so a file says
//! where its conductances came from (host/theta_burst_ladder.hpp; io/FORMAT.md). The ladder is
//! deterministic, so running it again here gives exactly the points the grid was expanded to.
#include "host/experiment.hpp"
#include "host/theta_burst_ladder.hpp"

#include "io/kind_file.hpp"

#include <chrono>
#include <cstdio>

namespace memlif {

namespace {

class Ladder final : public Experiment {
  public:
    const char* kind() const override { return "ladder"; }
    const char* summary() const override {
        return "records the theta-burst ladder that produced the conductance grid (follows "
               "mi_sweep)";
    }
    const char* follows() const override { return "mi_sweep"; }
    bool enabled(const RunConfig& cfg) const override {
        return find_theta_burst_ladder(cfg.conductance_grid).has_value();
    }

    void run(RunContext& ctx) const override {
        const auto t0 = std::chrono::steady_clock::now();
        const RunConfig& cfg = ctx.cfg;
        ctx.enter_phase("ladder");
        if (ctx.stop_requested && ctx.stop_requested()) {
            ctx.report.interrupted = true;
            return;
        }
        const LadderBlockRef ref = *find_theta_burst_ladder(cfg.conductance_grid);
        const std::string key = "conductance_grid[" + std::to_string(ref.block) + "]";
        const nlohmann::json& block = cfg.conductance_grid[ref.block];
        const LadderResult r = run_theta_burst_ladder(block, key);
        const std::size_t n_points = r.points_S.size(), n_targets = r.g_reached_S.size();
        std::vector<std::uint32_t> condition(n_points), to_target(n_targets);
        // With a noise axis (synapse.noise.axis) grid point g is the conditions g n_a to
        // g n_a + n_a - 1; the ladder names the first, at the axis's first amplitude.
        const std::size_t n_a = noise_axis_values(cfg.synapse.noise).size();
        for (std::size_t k = 0; k < n_points; ++k)
            condition[k] = static_cast<std::uint32_t>((ref.first_condition + k) * n_a);
        std::vector<double> targets(n_targets);
        for (std::size_t k = 0; k < n_targets; ++k) {
            to_target[k] = r.result.trains_to_target[k];
            targets[k] = r.card.protocol.targets_uS[k] * 1e-6;
        }
        io::KindGroupWriter w(ctx.file, io::kind_layout::ladder(),
                              {{"target", n_targets},
                               {"train", r.g_after_train_S.size()},
                               {"burst", r.g_after_burst_S.size()},
                               {"point", n_points}},
                              true);
        w.write("target_g_S", targets);
        w.write("trains_to_target", to_target);
        w.write("g_reached_S", r.g_reached_S);
        w.write("g_after_train_S", r.g_after_train_S);
        w.write("t_after_train_s", r.t_after_train_s);
        w.write("g_after_burst_S", r.g_after_burst_S);
        w.write("condition", condition);
        // The conductances as the sweep used them (uS in the grid, S on /axes): equal to
        // /axes/conductance_S bit for bit; g_reached_S keeps the ladder's own values.
        std::vector<double> axis_S(n_points);
        for (std::size_t k = 0; k < n_points; ++k)
            axis_S[k] = cfg.conductances_uS.at(ref.first_condition + k)[0] * 1e-6;
        w.write("conductance_S", axis_S);
        w.attr("grid_block", static_cast<std::uint64_t>(ref.block));
        w.attr("first_condition", static_cast<std::uint64_t>(ref.first_condition));
        w.attr("seed", r.card.seed);
        w.attr("device_id", r.card.device_id);
        w.attr("device_model", r.card.device.model);
        w.attr("g_start_S", r.result.g_start_S);
        w.attr("n_trains", static_cast<std::uint64_t>(r.result.n_trains));
        w.attr("block_json", card::to_json(r.card).dump());
        std::string s = "theta-burst ladder (grid block " + std::to_string(ref.block) + "):";
        char buf[96];
        std::snprintf(buf, sizeof buf, " %.4g uS", r.result.g_start_S * 1e6);
        s += buf;
        for (std::size_t k = 0; k < n_targets; ++k) {
            std::snprintf(buf, sizeof buf, " -> %.4g uS (train %u)", r.g_reached_S[k] * 1e6,
                          to_target[k]);
            s += buf;
        }
        w.attr("summary", s);
        w.close();
        ctx.report.stages.push_back(
            {"ladder", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
             0});
        ctx.report.text += s + "\n";
    }
};

} // namespace

const Experiment& ladder_experiment() {
    static const Ladder e;
    return e;
}

} // namespace memlif
