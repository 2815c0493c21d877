// SPDX-License-Identifier: MIT
//! \file host/multi_device.cpp
#include "multi_device.hpp"

#include "shard.hpp"

#include "cuda/cuda_backend.hpp"
#include "memlif/core/errors.hpp"

#include "memlif/config.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace memlif {

namespace {

constexpr const char* k_key = "simulation.devices";

//! One finished piece of a condition.
struct Part {
    std::uint32_t s_begin = 0;
    ConditionOutput out;
};

//! What the part threads and the calling thread share.
struct Shared {
    std::mutex m;
    std::condition_variable cv;
    std::map<std::uint32_t, std::vector<Part>> parts; //!< condition -> pieces received
    std::vector<std::uint64_t> done;                  //!< trials done per part
    std::size_t running = 0;
    std::exception_ptr error;
    std::atomic<bool> stop{false};
};

//! The sink of one piece on one part's thread: files each condition under its sweep index.
class PieceSink : public ConditionSink {
  public:
    PieceSink(Shared& sh, std::size_t part, const SweepPiece& piece, std::uint64_t done_before)
        : sh_(sh), part_(part), piece_(piece), done_before_(done_before) {}
    void consume(ConditionOutput&& out) override {
        const std::uint32_t c = piece_.c_begin + out.condition;
        out.condition = c;
        std::lock_guard<std::mutex> lock(sh_.m);
        sh_.parts[c].push_back({piece_.s_begin, std::move(out)});
        sh_.cv.notify_all();
    }
    void on_progress(std::uint64_t done) override {
        std::lock_guard<std::mutex> lock(sh_.m);
        sh_.done[part_] = done_before_ + done;
    }
    bool stop_requested() const override { return sh_.stop.load(); }

  private:
    Shared& sh_;
    std::size_t part_;
    SweepPiece piece_;
    std::uint64_t done_before_;
};

//! One condition from its pieces, stimuli in order (they tile the stimulus axis).
ConditionOutput assemble(std::vector<Part>& parts, std::uint32_t n_repeats) {
    std::sort(parts.begin(), parts.end(),
              [](const Part& a, const Part& b) { return a.s_begin < b.s_begin; });
    if (parts.size() == 1) return std::move(parts[0].out);
    ConditionOutput o;
    o.condition = parts[0].out.condition;
    o.counts.n_bins = parts[0].out.counts.n_bins;
    o.counts.offsets.push_back(0);
    std::uint64_t spikes = 0, n = 0;
    for (Part& p : parts) {
        const ConditionCounts& c = p.out.counts;
        const std::uint64_t base = o.counts.words.size();
        for (std::size_t s = 1; s < c.offsets.size(); ++s)
            o.counts.offsets.push_back(base + c.offsets[s]);
        o.counts.words.insert(o.counts.words.end(), c.words.begin(), c.words.end());
        o.counts.counts.insert(o.counts.counts.end(), c.counts.begin(), c.counts.end());
        o.trial_words.insert(o.trial_words.end(), p.out.trial_words.begin(),
                             p.out.trial_words.end());
        const std::uint64_t np = std::uint64_t(c.n_stimuli()) * n_repeats;
        // each part's mean is one rounded division of integers below 2^53: it rounds back
        spikes += static_cast<std::uint64_t>(
            std::llround(p.out.mean_output_spikes * static_cast<double>(np)));
        n += np;
        o.kernel_s += p.out.kernel_s;
    }
    o.mean_output_spikes = n ? static_cast<double>(spikes) / static_cast<double>(n) : 0.0;
    o.has_device_plugin = false; // the pieces' device measures are of parts of the stimuli
    return o;
}

} // namespace

void run_sweep_parts(const SweepSpec& spec, ConditionSink& sink, std::size_t n_parts,
                     const PartRunner& run_part) {
    const auto n_c = static_cast<std::uint32_t>(spec.drives.size());
    const auto n_s = static_cast<std::uint32_t>(spec.stimulus_codes.size());
    if (n_parts == 0) throw std::invalid_argument("run_sweep_parts: no parts");
    const std::uint64_t units = std::uint64_t(n_c) * n_s;
    std::vector<std::vector<SweepPiece>> pieces(n_parts);
    std::vector<std::uint32_t> expected(n_c, 0); // pieces per condition
    for (std::size_t p = 0; p < n_parts; ++p) {
        pieces[p] = sweep_pieces(shard_units(units, {static_cast<std::uint32_t>(p),
                                                     static_cast<std::uint32_t>(n_parts)}),
                                 n_s);
        for (const SweepPiece& pc : pieces[p])
            for (std::uint32_t c = pc.c_begin; c < pc.c_end; ++c) ++expected[c];
    }

    Shared sh;
    sh.done.assign(n_parts, 0);
    sh.running = n_parts;
    std::vector<std::thread> threads;
    for (std::size_t p = 0; p < n_parts; ++p) {
        threads.emplace_back([&, p] {
            try {
                std::uint64_t before = 0;
                for (const SweepPiece& pc : pieces[p]) {
                    if (sh.stop.load()) break;
                    PieceSink ps(sh, p, pc, before);
                    run_part(p, piece_spec(spec, pc), ps);
                    before += std::uint64_t(pc.c_end - pc.c_begin) * (pc.s_end - pc.s_begin) *
                              spec.n_repeats;
                }
            } catch (...) {
                std::lock_guard<std::mutex> lock(sh.m);
                if (!sh.error) sh.error = std::current_exception();
                sh.stop.store(true);
            }
            std::lock_guard<std::mutex> lock(sh.m);
            --sh.running;
            sh.cv.notify_all();
        });
    }

    // The calling thread: conditions in order, progress, and the stop request.
    std::uint32_t next = 0;
    std::uint64_t reported = 0;
    while (next < n_c) {
        std::vector<Part> ready;
        std::uint64_t done = 0;
        bool finished = false;
        {
            std::unique_lock<std::mutex> lock(sh.m);
            sh.cv.wait_for(lock, std::chrono::milliseconds(100), [&] {
                const auto it = sh.parts.find(next);
                return (it != sh.parts.end() && it->second.size() == expected[next]) ||
                       sh.running == 0;
            });
            const auto it = sh.parts.find(next);
            if (it != sh.parts.end() && it->second.size() == expected[next]) {
                ready = std::move(it->second);
                sh.parts.erase(it);
            } else if (sh.running == 0) {
                finished = true;
            }
            for (std::uint64_t d : sh.done) done += d;
        }
        if (done != reported) {
            sink.on_progress(done);
            reported = done;
        }
        if (!ready.empty() || expected[next] == 0) {
            sink.consume(assemble(ready, spec.n_repeats));
            ++next;
            continue;
        }
        if (finished) break; // stopped or failed: the conditions not finished are dropped
        if (sink.stop_requested()) sh.stop.store(true);
    }
    sh.stop.store(true);
    for (std::thread& t : threads) t.join();
    if (sh.error) std::rethrow_exception(sh.error);
}

void check_devices_value(const nlohmann::json& devices) {
    if (devices.is_string()) {
        if (devices.get<std::string>() == "all") return;
        throw ConfigError(std::string(k_key) +
                          ": expected \"all\" or a list of device ids, got \"" +
                          devices.get<std::string>() + "\"");
    }
    if (!devices.is_array())
        throw ConfigError(std::string(k_key) + ": expected \"all\" or a list of device ids, got " +
                          devices.dump());
    std::set<std::int64_t> seen;
    for (std::size_t i = 0; i < devices.size(); ++i) {
        const nlohmann::json& d = devices[i];
        if (!d.is_number_integer() || d.get<std::int64_t>() < 0 || d.get<std::int64_t>() > 1023)
            throw ConfigError(std::string(k_key) + "[" + std::to_string(i) +
                              "]: expected a device id in [0, 1023], got " + d.dump());
        if (!seen.insert(d.get<std::int64_t>()).second)
            throw ConfigError(std::string(k_key) + "[" + std::to_string(i) + "]: device " +
                              d.dump() + " is listed twice");
    }
}

std::vector<int> resolve_devices(const nlohmann::json& devices, int n_devices,
                                 bool build_has_cuda) {
    check_devices_value(devices);
    if (devices.is_array() && devices.empty()) return {};
    if (!build_has_cuda)
        throw ConfigError(std::string(k_key) + " = " + devices.dump() +
                          ": this build has no CUDA support (remove the key to run on the CPU)");
    if (n_devices <= 0)
        throw ConfigError(std::string(k_key) + " = " + devices.dump() +
                          ": no usable CUDA device on this machine (remove the key to run on the "
                          "CPU)");
    std::vector<int> ids;
    if (devices.is_string()) {
        for (int d = 0; d < n_devices; ++d) ids.push_back(d);
        return ids;
    }
    for (std::size_t i = 0; i < devices.size(); ++i) {
        const int d = devices[i].get<int>();
        if (d >= n_devices)
            throw ConfigError(std::string(k_key) + "[" + std::to_string(i) + "]: device " +
                              std::to_string(d) + " does not exist (" + std::to_string(n_devices) +
                              " usable)");
        ids.push_back(d);
    }
    return ids;
}

BackendChoice choose_run_backend(const RunConfig& cfg) {
    CpuOptions cpu;
    cpu.threads = static_cast<int>(cfg.simulation.threads);
    cpu.batch_trials = cfg.simulation.batch_trials;
    const nlohmann::json& devices = cfg.simulation.devices;
    const bool spread = !(devices.is_array() && devices.empty());
    if (spread && cfg.simulation.backend == "cpu")
        throw ConfigError(std::string(k_key) + " = " + devices.dump() +
                          ": needs simulation.backend = auto or cuda (it is cpu)");
    // the device check first: a CPU-only machine is told about the key it cannot honour
    const std::vector<int> ids =
        spread ? resolve_devices(devices, device_count(), MEMLIF_USE_CUDA != 0)
               : std::vector<int>{};
    BackendChoice b = choose_backend(cfg.simulation.backend, cpu);
    if (!ids.empty() && b.kind == BackendKind::cuda) {
        b.devices = ids;
        if (ids.size() > 1) {
            b.description = "cuda: " + std::to_string(ids.size()) + " devices (";
            for (std::size_t i = 0; i < ids.size(); ++i)
                b.description +=
                    (i ? ", " : "") + std::to_string(ids[i]) + ": " + device_name(ids[i]);
            b.description += ")";
        } else {
            b.description = "cuda: " + device_name(ids[0]);
        }
    }
    return b;
}

void run_sweep_devices(const SweepSpec& spec, ConditionSink& sink,
                       const std::vector<int>& devices) {
    if (devices.size() == 1) {
        CudaOptions o;
        o.device = devices[0];
        run_sweep_cuda(spec, sink, o);
        return;
    }
    run_sweep_parts(spec, sink, devices.size(),
                    [&](std::size_t p, const SweepSpec& part, ConditionSink& part_sink) {
                        CudaOptions o;
                        o.device = devices[p];
                        run_sweep_cuda(part, part_sink, o);
                    });
}

} // namespace memlif
