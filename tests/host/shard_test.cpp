// SPDX-License-Identifier: MIT
//! \file tests/host/shard_test.cpp
//! The split of a sweep into shards: every unit in exactly one shard, shards balanced to one unit,
//! pieces that tile a shard, and pieces that simulate exactly the trials of the whole sweep (the
//! whole sweep on the CPU backend is the reference).
#include "host/config.hpp"
#include "host/cpu_backend.hpp"
#include "host/shard.hpp"

#include "memlif/core/errors.hpp"

#include <gtest/gtest.h>

#include <map>

namespace memlif {
namespace {

TEST(Shard, ParsesKOverNAndRefusesAnythingElse) {
    const ShardSpec s = parse_shard("3/7");
    EXPECT_EQ(s.index, 3u);
    EXPECT_EQ(s.count, 7u);
    EXPECT_EQ(parse_shard("0/1").count, 1u);
    for (const char* bad :
         {"7/7", "1/0", "", "3", "/4", "1/", "-1/4", "a/4", "1/4/2", " 1/4", "2/2000000"})
        EXPECT_THROW(parse_shard(bad), UsageError) << bad;
    try {
        parse_shard("5/3");
        FAIL();
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("--shard 5/3"), std::string::npos) << e.what();
    }
}

TEST(Shard, EveryUnitInExactlyOneShardAndShardsBalancedToOneUnit) {
    for (std::uint64_t units : {0ull, 1ull, 2ull, 5ull, 7ull, 97ull, 1000ull, 65536ull * 256ull}) {
        for (std::uint32_t n : {1u, 2u, 3u, 7u, 16u, 100u}) {
            std::uint64_t next = 0, lo = ~0ull, hi = 0;
            for (std::uint32_t k = 0; k < n; ++k) {
                const UnitRange r = shard_units(units, {k, n});
                EXPECT_EQ(r.begin, next) << units << " units, shard " << k << "/" << n;
                EXPECT_LE(r.begin, r.end);
                next = r.end;
                lo = std::min(lo, r.size());
                hi = std::max(hi, r.size());
                EXPECT_EQ(r.begin, shard_units(units, {k, n}).begin); // deterministic
            }
            EXPECT_EQ(next, units) << units << " units over " << n;
            EXPECT_LE(hi - lo, 1u) << units << " units over " << n;
        }
    }
    // no overflow at the largest sweeps: 2^32 units over 2^20 shards
    const UnitRange last = shard_units(1ull << 32, {(1u << 20) - 1, 1u << 20});
    EXPECT_EQ(last.end, 1ull << 32);
    EXPECT_EQ(last.size(), 1ull << 12);
}

TEST(Shard, PiecesTileTheRangeInUnitOrder) {
    for (std::uint32_t n_s : {1u, 3u, 10u})
        for (std::uint64_t b = 0; b < 40; ++b)
            for (std::uint64_t e = b; e <= 40; ++e) {
                const auto pieces = sweep_pieces({b, e}, n_s);
                EXPECT_LE(pieces.size(), 3u);
                std::uint64_t u = b;
                for (const SweepPiece& p : pieces) {
                    ASSERT_LT(p.c_begin, p.c_end);
                    ASSERT_LT(p.s_begin, p.s_end);
                    ASSERT_LE(p.s_end, n_s);
                    EXPECT_TRUE(p.c_end - p.c_begin == 1 || (p.s_begin == 0 && p.s_end == n_s));
                    for (std::uint32_t c = p.c_begin; c < p.c_end; ++c)
                        for (std::uint32_t s = p.s_begin; s < p.s_end; ++s) {
                            EXPECT_EQ(std::uint64_t(c) * n_s + s, u);
                            ++u;
                        }
                }
                EXPECT_EQ(u, e) << "[" << b << ", " << e << ") over " << n_s;
            }
}

TEST(Shard, TheSweepIdentityIgnoresWhereAPartRanButNotWhatItSimulates) {
    const nlohmann::json base = resolve_config(nlohmann::json::object()).card;
    nlohmann::json where = base;
    where["output"]["path"] = "elsewhere.h5";
    where["simulation"]["backend"] = "cpu";
    where["simulation"]["threads"] = 3;
    where["simulation"]["batch_trials"] = 17;
    EXPECT_EQ(card_digest(where), card_digest(base));
    for (const char* key : {"/seed", "/simulation/repeats", "/neuron/tau_ms"}) {
        nlohmann::json what = base;
        const nlohmann::json::json_pointer p(key);
        what[p] = what[p].get<double>() + 1;
        EXPECT_NE(card_digest(what), card_digest(base)) << key;
    }
    EXPECT_EQ(card_digest(base).size(), 16u);
}

class CollectSink : public ConditionSink {
  public:
    void consume(ConditionOutput&& out) override { outs.push_back(std::move(out)); }
    std::vector<ConditionOutput> outs;
};

//! (condition, stimulus code) -> the words of its repeats.
using Trials = std::map<std::pair<std::uint32_t, std::uint16_t>, std::vector<std::uint64_t>>;

void collect(const SweepSpec& spec, Trials& t) {
    CollectSink sink;
    run_sweep_cpu(spec, sink,
                  CpuOptions{1, 64}); // one thread: OpenMP barriers crawl on a loaded machine
    ASSERT_EQ(sink.outs.size(), spec.drives.size());
    for (const auto& o : sink.outs) {
        ASSERT_EQ(o.trial_words.size(), spec.stimulus_codes.size() * spec.n_repeats);
        for (std::size_t s = 0; s < spec.stimulus_codes.size(); ++s) {
            auto& w = t[{spec.condition_id(o.condition), spec.stimulus_codes[s]}];
            EXPECT_TRUE(w.empty()) << "unit simulated twice";
            w.assign(o.trial_words.begin() + s * spec.n_repeats,
                     o.trial_words.begin() + (s + 1) * spec.n_repeats);
        }
    }
}

TEST(Shard, PiecesSimulateExactlyTheWholeSweepsTrials) {
    // Each case: the solver, then further overrides. The noisy case checks that a piece carries
    // its conditions' synapse noise (a piece without it would simulate noiseless trials).
    const std::vector<std::vector<std::string>> cases = {
        {"fixed"},
        {"exact"},
        {"fixed", "synapse.noise.device_sigma_ln=0.3", "synapse.noise.read_sigma_ln=0.2"}};
    for (const auto& c : cases) {
        const char* solver = c[0].c_str();
        nlohmann::json card = nlohmann::json::object();
        apply_override(card,
                       R"(conductance_grid=[{"kind":"list","values_uS":[3.0, 8.0, 12.0, 20.0]}])");
        apply_override(card, std::string("simulation.solver=") + solver);
        apply_override(card, "simulation.repeats=3");
        for (std::size_t i = 1; i < c.size(); ++i) apply_override(card, c[i]);
        const RunConfig cfg = resolve_config(card);
        SweepPlan plan = make_sweep(cfg);
        plan.spec.stimulus_codes.resize(23); // a few stimuli keep it fast
        plan.spec.p_s.resize(23);
        plan.spec.n_input_spikes.resize(23);
        plan.spec.keep_trial_words = true;
        Trials whole;
        collect(plan.spec, whole);
        const std::uint64_t units = plan.spec.drives.size() * 23;
        for (std::uint32_t n : {1u, 2u, 3u, 7u}) {
            Trials parts;
            for (std::uint32_t k = 0; k < n; ++k)
                for (const SweepPiece& p : sweep_pieces(shard_units(units, {k, n}), 23))
                    collect(piece_spec(plan.spec, p), parts);
            EXPECT_EQ(parts, whole) << solver << ", " << n << " shards";
        }
    }
}

} // namespace
} // namespace memlif
