// SPDX-License-Identifier: MIT
//! \file cuda/sweep_pipeline.cpp
//! run_sweep_cuda: a worker thread drives the GPU through two pipeline slots, so that chunk k + 1
//! is simulated (trial_kernel.cu) while chunk k is reduced (chunk_reducer.cu, plugin_reducer.cu)
//! and copied back; the caller's thread meanwhile hands finished conditions to the sink (HDF5
//! writing) in condition order (output_queue.hpp). Only counts, a few scalars and per-stimulus
//! results cross to the host, plus the raw words when SweepSpec::keep_trial_words asks for them.
//!
//! Host code only (streams, events and copies of the CUDA runtime API), so the host compiler
//! builds it: no kernel is launched here except through the launchers of the .cu files.
#include "chunk_reducer.cuh"
#include "cuda_backend.hpp"
#include "cuda_support.cuh"
#include "output_queue.hpp"
#include "plugin_reducer.cuh"
#include "trial_launch.hpp"

#include "memlif/core/errors.hpp"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace memlif {
namespace detail {
namespace {

//! Upper bound on trials per chunk: ~0.2 s of kernel at the H100 goal, so two slots overlap well
//! while pinned staging stays a few hundred MB.
constexpr std::uint64_t k_default_chunk_cap = 1ull << 23;

//! One pipeline slot: device buffers, page-locked staging and the events that say when it is done.
struct Slot {
    Slot(std::uint64_t cap, std::uint32_t n_repeats, bool keep_words)
        : reducer(cap, n_repeats), kernel_start(true), kernel_stop(true) {
        h_words.reset(cap);
        h_counts.reset(cap);
        h_off.reset(reducer.max_stimuli() + 1);
        h_scalars.reset(1);
        if (keep_words) h_trial_words.reset(cap);
    }

    ChunkReducer reducer;
    Stream stream;
    Event kernel_start, kernel_stop, copied, appended;
    PinnedBuffer<std::uint64_t> h_words, h_trial_words;
    PinnedBuffer<std::uint32_t> h_counts, h_off;
    PinnedBuffer<ChunkScalars> h_scalars;

    // The chunk in flight.
    bool busy = false;
    std::uint32_t condition = 0, s0 = 0, n_stim = 0;
    std::uint64_t n = 0;
    bool last_of_condition = false;
};

//! Chunk size and whether the plug-in passes fit, from the free device memory.
struct MemoryPlan {
    std::uint64_t chunk_trials = 0;
    bool device_plugin = false;
};

MemoryPlan plan_memory(std::uint64_t trials_per_condition, std::uint32_t n_stimuli,
                       std::uint32_t n_repeats, bool want_plugin, std::size_t max_chunk_trials) {
    std::size_t free_b = 0, total_b = 0;
    MEMLIF_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
    // Headroom for the CUDA context's own growth and for other processes sharing the card.
    const double budget = 0.8 * static_cast<double>(free_b);
    MemoryPlan plan;
    double plugin_b = 0;
    if (want_plugin && trials_per_condition < 0xFFFFFFFFull) {
        plugin_b =
            static_cast<double>(PluginReducer::bytes_needed(trials_per_condition, n_stimuli));
        plan.device_plugin = plugin_b <= 0.5 * budget;
        if (!plan.device_plugin) plugin_b = 0;
    }
    std::uint64_t cap = max_chunk_trials ? max_chunk_trials : k_default_chunk_cap;
    // Chunk-local indices are 32-bit.
    cap = std::min<std::uint64_t>({cap, trials_per_condition, 1ull << 31});
    cap = std::max<std::uint64_t>(cap / n_repeats, 1) * n_repeats;
    while (2.0 * static_cast<double>(ChunkReducer::bytes_needed(cap, n_repeats)) + plugin_b >
           budget) {
        if (cap == n_repeats)
            throw CudaError("run_sweep_cuda: the " + std::to_string(n_repeats) +
                            " repeats of one stimulus do not fit in the free device memory (" +
                            std::to_string(free_b >> 20) + " MiB)");
        cap = std::max<std::uint64_t>(cap / 2 / n_repeats, 1) * n_repeats;
    }
    plan.chunk_trials = cap;
    return plan;
}

void validate_spec(const SweepSpec& spec) {
    if (spec.n_repeats == 0) throw std::invalid_argument("run_sweep_cuda: n_repeats is 0");
    if (spec.stimulus_codes.empty()) throw std::invalid_argument("run_sweep_cuda: no stimuli");
    if (spec.params.n_output_bins < 1 || spec.params.n_output_bins > 64)
        throw std::invalid_argument("run_sweep_cuda: n_output_bins must be in 1..64");
    if (spec.solver == Solver::exact && spec.exact_drives.size() != spec.drives.size())
        throw std::invalid_argument(
            "run_sweep_cuda: exact solver needs one ExactDrive per condition");
    if (spec.drives.size() > 0x10000)
        throw std::invalid_argument(
            "run_sweep_cuda: at most 65536 conditions (16-bit trial id field)");
    if (!spec.condition_ids.empty() && spec.condition_ids.size() != spec.drives.size())
        throw std::invalid_argument("run_sweep_cuda: condition_ids must name every drive");
    for (std::uint32_t id : spec.condition_ids)
        if (id > 0xFFFF)
            throw std::invalid_argument(
                "run_sweep_cuda: condition id above 65535 (16-bit trial id field)");
    // The trial kernel runs the noiseless fixed-state trial only: refuse rather than ignore.
    if (sweep_has_device_physics(spec))
        throw UsageError("run_sweep_cuda: the CUDA backend does not simulate synapse.noise or "
                         "synapse.plasticity yet; run the sweep with --backend cpu");
}

//! The GPU side of run_sweep_cuda, on its own thread: enqueues chunks into two slots, collects
//! each slot when its next chunk is due, and hands finished conditions to `queue`.
class SweepRunner {
  public:
    SweepRunner(const SweepSpec& spec, const CudaOptions& opts, OutputQueue& queue,
                std::atomic<std::uint64_t>& trials_done)
        : spec_(spec), opts_(opts), queue_(queue), trials_done_(trials_done),
          ns_(static_cast<std::uint32_t>(spec.stimulus_codes.size())), r_(spec.n_repeats) {}

    void run() {
        MEMLIF_CUDA_CHECK(cudaSetDevice(opts_.device));
        const std::uint64_t per_condition = std::uint64_t(ns_) * r_;
        std::vector<std::uint32_t> n_spk = spec_.n_input_spikes;
        if (n_spk.size() != ns_) {
            n_spk.resize(ns_);
            for (std::uint32_t s = 0; s < ns_; ++s)
                n_spk[s] = static_cast<std::uint32_t>(__builtin_popcount(spec_.stimulus_codes[s]));
        }
        const bool want_plugin = spec_.p_s.size() == ns_;
        const MemoryPlan plan =
            plan_memory(per_condition, ns_, r_, want_plugin, opts_.max_chunk_trials);

        d_codes_.reset(ns_);
        MEMLIF_CUDA_CHECK(cudaMemcpy(d_codes_.get(), spec_.stimulus_codes.data(),
                                     ns_ * sizeof(std::uint16_t), cudaMemcpyHostToDevice));
        slots_[0] = std::make_unique<Slot>(plan.chunk_trials, r_, spec_.keep_trial_words);
        slots_[1] = std::make_unique<Slot>(plan.chunk_trials, r_, spec_.keep_trial_words);
        if (plan.device_plugin) {
            plugin_ = std::make_unique<PluginReducer>(per_condition, ns_, spec_.p_s, n_spk);
            plugin_host_[0] = std::make_unique<PluginHost>(ns_);
            plugin_host_[1] = std::make_unique<PluginHost>(ns_);
        }

        const std::uint32_t stim_per_chunk =
            static_cast<std::uint32_t>(std::min<std::uint64_t>(plan.chunk_trials / r_, ns_));
        std::size_t k = 0;
        for (std::uint32_t c = 0; c < spec_.drives.size(); ++c) {
            for (std::uint32_t s0 = 0; s0 < ns_; s0 += stim_per_chunk, ++k) {
                if (queue_.closed()) return drain();
                Slot& slot = *slots_[k % 2];
                if (slot.busy) collect(slot);
                const std::uint32_t n_stim = std::min(stim_per_chunk, ns_ - s0);
                enqueue(slot, c, s0, n_stim, s0 + n_stim == ns_);
            }
        }
        // Collect in enqueue order so conditions leave in order.
        Slot& first = *slots_[k % 2];
        Slot& second = *slots_[(k + 1) % 2];
        if (first.busy) collect(first);
        if (second.busy) collect(second);
    }

  private:
    void enqueue(Slot& slot, std::uint32_t c, std::uint32_t s0, std::uint32_t n_stim, bool last) {
        const cudaStream_t st = slot.stream.get();
        const std::uint64_t n = std::uint64_t(n_stim) * r_;
        MEMLIF_CUDA_CHECK(cudaMemsetAsync(slot.reducer.scalars.get(), 0, sizeof(ChunkScalars), st));
        MEMLIF_CUDA_CHECK(cudaEventRecord(slot.kernel_start.get(), st));
        // the run's condition id keys the trials: a part of a sweep keeps the whole sweep's trials
        if (spec_.solver == Solver::exact)
            launch_exact_trial_kernel(spec_.exact, spec_.exact_drives[c], spec_.condition_id(c),
                                      d_codes_.get() + s0, r_, n, slot.reducer.words.get(),
                                      &slot.reducer.scalars.get()->spikes, st);
        else
            launch_trial_kernel(spec_.params, spec_.drives[c], spec_.condition_id(c),
                                d_codes_.get() + s0, r_, n, slot.reducer.words.get(),
                                &slot.reducer.scalars.get()->spikes, st);
        MEMLIF_CUDA_CHECK(cudaEventRecord(slot.kernel_stop.get(), st));
        slot.reducer.enqueue(n, s0, st);
        // The scalars (entry count m, spikes) and the chunk's CSR offsets come back now; the m
        // entries themselves once collect() has read m, so no uninitialised tail is copied.
        const std::uint32_t s_local_end = n_stim + 1;
        MEMLIF_CUDA_CHECK(cudaMemcpyAsync(slot.h_scalars.get(), slot.reducer.scalars.get(),
                                          sizeof(ChunkScalars), cudaMemcpyDeviceToHost, st));
        MEMLIF_CUDA_CHECK(cudaMemcpyAsync(slot.h_off.get(), slot.reducer.local_off.get(),
                                          s_local_end * sizeof(std::uint32_t),
                                          cudaMemcpyDeviceToHost, st));
        if (spec_.keep_trial_words)
            MEMLIF_CUDA_CHECK(cudaMemcpyAsync(slot.h_trial_words.get(), slot.reducer.words.get(),
                                              n * sizeof(std::uint64_t), cudaMemcpyDeviceToHost,
                                              st));
        if (plugin_) {
            // The accumulator is shared by both streams, so appends are serialised: each waits
            // for the previous one, whose event also covers the previous condition's plug-in pass
            // when that append ended a condition. The wait sits here, after this chunk's
            // simulation and reduction, so that the first chunk of condition c + 1 simulates while
            // condition c's plug-in pass runs on the other stream; only the append waits.
            if (last_append_slot_ && last_append_slot_ != &slot)
                MEMLIF_CUDA_CHECK(cudaStreamWaitEvent(st, last_append_slot_->appended.get(), 0));
            if (s0 == 0) plugin_->reset(st);
            plugin_->append(slot.reducer, n_stim, s0, n, st);
            if (last) plugin_->enqueue(spec_.params.n_output_bins, *plugin_host_[c % 2], st);
            MEMLIF_CUDA_CHECK(cudaEventRecord(slot.appended.get(), st));
            last_append_slot_ = &slot;
        }
        MEMLIF_CUDA_CHECK(cudaEventRecord(slot.copied.get(), st));
        slot.busy = true;
        slot.condition = c;
        slot.s0 = s0;
        slot.n_stim = n_stim;
        slot.n = n;
        slot.last_of_condition = last;
    }

    //! Waits for the slot's chunk, copies back its m entries (m is known only now; the other slot
    //! keeps the device busy meanwhile) and moves them into the condition being assembled.
    void collect(Slot& slot) {
        const cudaStream_t st = slot.stream.get();
        std::uint32_t m = 0;
        try {
            MEMLIF_CUDA_CHECK(cudaEventSynchronize(slot.copied.get()));
            m = slot.h_scalars.get()->m;
            if (m > 0) {
                MEMLIF_CUDA_CHECK(cudaMemcpyAsync(slot.h_words.get(), slot.reducer.out_words.get(),
                                                  m * sizeof(std::uint64_t), cudaMemcpyDeviceToHost,
                                                  st));
                MEMLIF_CUDA_CHECK(
                    cudaMemcpyAsync(slot.h_counts.get(), slot.reducer.out_counts.get(),
                                    m * sizeof(std::uint32_t), cudaMemcpyDeviceToHost, st));
                MEMLIF_CUDA_CHECK(cudaStreamSynchronize(st));
            }
        } catch (const CudaError& e) {
            // A fault inside a kernel surfaces here, at the first synchronisation: say which chunk.
            slot.busy = false;
            throw CudaError(std::string(e.what()) + " (simulating or reducing condition " +
                                std::to_string(spec_.condition_id(slot.condition)) + ", stimuli " +
                                std::to_string(slot.s0) + ".." +
                                std::to_string(slot.s0 + slot.n_stim - 1) + ")",
                            e.out_of_memory());
        }
        slot.busy = false;
        float ms = 0;
        MEMLIF_CUDA_CHECK(
            cudaEventElapsedTime(&ms, slot.kernel_start.get(), slot.kernel_stop.get()));
        if (slot.s0 == 0) {
            current_ = ConditionOutput{};
            current_.condition = slot.condition; // the drive; its trial ids carry condition_id()
            current_.counts.n_bins = spec_.params.n_output_bins;
            current_.counts.offsets.assign(1, 0);
            current_.counts.offsets.reserve(ns_ + 1);
            if (spec_.keep_trial_words) current_.trial_words.reserve(std::uint64_t(ns_) * r_);
            spikes_ = 0;
        }
        const ChunkScalars cs = *slot.h_scalars.get();
        ConditionCounts& cc = current_.counts;
        const std::uint64_t base = cc.words.size();
        cc.words.insert(cc.words.end(), slot.h_words.get(), slot.h_words.get() + m);
        cc.counts.insert(cc.counts.end(), slot.h_counts.get(), slot.h_counts.get() + m);
        for (std::uint32_t j = 1; j <= slot.n_stim; ++j)
            cc.offsets.push_back(base + slot.h_off.get()[j]);
        if (spec_.keep_trial_words)
            current_.trial_words.insert(current_.trial_words.end(), slot.h_trial_words.get(),
                                        slot.h_trial_words.get() + slot.n);
        spikes_ += cs.spikes;
        current_.kernel_s += ms * 1e-3;
        trials_done_ += slot.n;
        if (!slot.last_of_condition) return;
        current_.mean_output_spikes =
            static_cast<double>(spikes_) / static_cast<double>(std::uint64_t(ns_) * r_);
        if (plugin_) {
            // The plug-in passes ran on this slot's stream before `copied` was recorded.
            current_.has_device_plugin = true;
            current_.device_plugin = plugin_host_[slot.condition % 2]->result(ns_);
        }
        if (!queue_.push(std::move(current_))) return;
    }

    //! Stop requested: let in-flight work finish so buffers are not freed under the GPU.
    void drain() {
        for (auto& s : slots_)
            if (s && s->busy) MEMLIF_CUDA_CHECK(cudaEventSynchronize(s->copied.get()));
    }

    const SweepSpec& spec_;
    const CudaOptions& opts_;
    OutputQueue& queue_;
    std::atomic<std::uint64_t>& trials_done_;
    std::uint32_t ns_, r_;
    DeviceBuffer<std::uint16_t> d_codes_;
    std::unique_ptr<Slot> slots_[2];
    std::unique_ptr<PluginReducer> plugin_;
    std::unique_ptr<PluginHost> plugin_host_[2];
    Slot* last_append_slot_ = nullptr;
    ConditionOutput current_;
    std::uint64_t spikes_ = 0;
};

} // namespace
} // namespace detail

void run_sweep_cuda(const SweepSpec& spec, ConditionSink& sink, const CudaOptions& opts) {
    detail::require_device("run_sweep_cuda");
    detail::validate_spec(spec);
    detail::require_device_index("run_sweep_cuda", opts.device);
    if (spec.drives.empty()) return;

    // The GPU is driven from a worker thread; this (the caller's) thread is the writer: it hands
    // finished conditions to the sink in order while the next ones are simulated.
    detail::OutputQueue queue(2);
    std::atomic<std::uint64_t> trials_done{0};
    std::thread worker([&] {
        std::exception_ptr err;
        try {
            detail::SweepRunner(spec, opts, queue, trials_done).run();
        } catch (const CudaError& e) {
            // Issue 12: the chunk is sized from the free memory at the start (plan_memory);
            // running out later means another process took memory. Every committed condition
            // is kept in the file.
            err = !e.out_of_memory()
                      ? std::current_exception()
                      : std::make_exception_ptr(CudaError(
                            std::string(e.what()) +
                                " (out of GPU memory after the run was planned: another process "
                                "may hold device memory; the committed conditions are kept, "
                                "continue with `memlif run --resume OUT.h5` once memory is free)",
                            true));
        } catch (...) {
            err = std::current_exception();
        }
        queue.finish(err);
    });
    struct Joiner {
        std::thread& t;
        detail::OutputQueue& q;
        ~Joiner() {
            q.close();
            if (t.joinable()) t.join();
        }
    } joiner{worker, queue};

    std::uint64_t reported = 0;
    for (;;) {
        ConditionOutput out;
        const detail::OutputQueue::Pop r = queue.pop(out, std::chrono::milliseconds(100));
        const std::uint64_t done = trials_done.load();
        if (done != reported) {
            sink.on_progress(done);
            reported = done;
        }
        if (r == detail::OutputQueue::Pop::item) {
            sink.consume(std::move(out));
        } else if (r == detail::OutputQueue::Pop::done) {
            break;
        }
        if (sink.stop_requested()) {
            queue.close();
            break;
        }
    }
    queue.close();
    worker.join();
    // Every finished condition has been consumed before a device error is reported, so completed
    // conductances stay in the output file.
    if (std::exception_ptr err = queue.error()) std::rethrow_exception(err);
}

} // namespace memlif
