// SPDX-License-Identifier: MIT
//! \file cuda/output_queue.hpp
//! The bounded hand-over of finished conditions from the sweep's GPU thread to the caller's
//! thread (sweep_pipeline.cpp), which writes them: plain C++, a mutex and a condition variable.
#pragma once

#include "memlif/core/sweep.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <utility>

namespace memlif {
namespace detail {

//! Bounded hand-over of finished conditions from the GPU thread to the caller's thread.
class OutputQueue {
  public:
    explicit OutputQueue(std::size_t depth) : depth_(depth) {}

    //! Blocks while full; returns false if the consumer has gone.
    bool push(ConditionOutput&& out) {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return q_.size() < depth_ || closed_; });
        if (closed_) return false;
        q_.push_back(std::move(out));
        cv_.notify_all();
        return true;
    }
    void finish(std::exception_ptr err) {
        std::lock_guard<std::mutex> lock(mu_);
        done_ = true;
        err_ = err;
        cv_.notify_all();
    }
    //! Consumer side: stop accepting outputs (stop requested or the sink threw).
    void close() {
        std::lock_guard<std::mutex> lock(mu_);
        closed_ = true;
        cv_.notify_all();
    }
    bool closed() const {
        std::lock_guard<std::mutex> lock(mu_);
        return closed_;
    }

    enum class Pop { item, timeout, done };
    Pop pop(ConditionOutput& out, std::chrono::milliseconds wait) {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, wait, [&] { return !q_.empty() || done_; });
        if (!q_.empty()) {
            out = std::move(q_.front());
            q_.pop_front();
            cv_.notify_all();
            return Pop::item;
        }
        return done_ ? Pop::done : Pop::timeout;
    }
    std::exception_ptr error() const {
        std::lock_guard<std::mutex> lock(mu_);
        return err_;
    }

  private:
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<ConditionOutput> q_;
    std::size_t depth_;
    bool done_ = false, closed_ = false;
    std::exception_ptr err_;
};

} // namespace detail
} // namespace memlif
