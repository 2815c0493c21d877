// SPDX-License-Identifier: MIT
//! \file host/experiments/device_kind.hpp
//! What the four device experiment kinds (iv_sweep, pulse_cycles, rate_rule, theta_burst) share:
//! the backend their batches run on, and the run file they write (provenance, /config_json and
//! the kind's own group; no MI layout: io/kind_file.hpp).
#pragma once

#include "host/device_batch.hpp"
#include "host/device_card.hpp"
#include "host/experiment.hpp"
#include "host/wall_clock.hpp"

#include "cuda/device_protocols.hpp"
#include "io/kind_file.hpp"

#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>

namespace memlif::device_kind {

inline constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();

//! The Philox layout of the device kinds, stored as the file's trial_id_layout.
inline constexpr const char* k_id_layout =
    "Philox4x32-10; key = (seed & 0xffffffff, seed >> 32); counter = (id & 0xffffffff, id >> 32, "
    "index, stream | sub << 8); id = device index (iv_sweep, pulse_cycles, theta_burst) or trial "
    "index (rate_rule: the same ids at every rate); streams: 1 back-spike intervals, 2 "
    "device-to-device, 3 cycle-to-cycle (index = switching cycle), 4 RTN (index = flip, sub = "
    "trap), 5 GMMS switching steps, 6 presynaptic intervals, 7 read noise (index = read)";

//! The GPU only on an explicit simulation.backend = "cuda" (CPU/GPU equality of the device
//! protocols is not yet verified on a GPU: docs/devices.md §8); "auto" runs on the CPU.
inline DeviceBatchBackend backend(const RunContext& ctx, const DeviceCard& device,
                                  const char* section) {
    DeviceBatchBackend be;
    be.threads = ctx.backend.cpu.threads;
    be.cuda = ctx.backend.kind == BackendKind::cuda && ctx.cfg.simulation.backend == "cuda";
    if (be.cuda && !device_protocols_cuda_supports(device.model_id()))
        throw UsageError(std::string("simulation.backend=cuda: the GPU device protocols cover "
                                     "only the ul-gap model; ") +
                         section + ".device.model is \"" + device.model + "\" (use --backend cpu)");
    return be;
}

//! Creates the kind's run file (ctx.file, renamed onto the output once complete): the provenance
//! of make_run_metadata, on the backend used. A device kind is one unit of work: resuming one
//! starts it again (its result depends only on the seed), so an interrupted file is replaced.
inline void create_file(const RunContext& ctx, const DeviceBatchBackend& be) {
    const BackendChoice used = be.cuda ? ctx.backend : choose_backend("cpu", ctx.backend.cpu);
    io::RunMetadata meta = make_run_metadata(ctx.cfg, used);
    meta.trial_id_layout = k_id_layout;
    meta.phase = ctx.cfg.experiment.kind;
    if (ctx.resume) std::remove(ctx.file.c_str());
    io::create_kind_file(ctx.file, meta);
}

//! Marks the kind's file "failed" if the driver leaves by an exception after creating it (a
//! finished driver calls done()), so no file says "running" after its writer is gone.
class FileGuard {
  public:
    explicit FileGuard(std::string path) : path_(std::move(path)) {}
    FileGuard(const FileGuard&) = delete;
    FileGuard& operator=(const FileGuard&) = delete;
    ~FileGuard() {
        if (done_) return;
        try {
            io::mark_run_incomplete(path_, "failed");
        } catch (...) {
        }
    }
    void done() { done_ = true; }

  private:
    std::string path_;
    bool done_ = false;
};

//! printf into a std::string (summary lines).
inline std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
inline std::string format(const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

//! Mean and sample SD of the finite values; n = how many.
struct FiniteStats {
    double mean = k_nan, sd = k_nan;
    std::size_t n = 0;
};
template <class It> FiniteStats finite_stats(It first, It last) {
    FiniteStats s;
    double sum = 0, sq = 0;
    for (It it = first; it != last; ++it)
        if (std::isfinite(*it)) {
            sum += *it;
            ++s.n;
        }
    if (s.n == 0) return s;
    s.mean = sum / static_cast<double>(s.n);
    for (It it = first; it != last; ++it)
        if (std::isfinite(*it)) sq += (*it - s.mean) * (*it - s.mean);
    s.sd = s.n > 1 ? std::sqrt(sq / static_cast<double>(s.n - 1)) : 0.0;
    return s;
}

} // namespace memlif::device_kind
