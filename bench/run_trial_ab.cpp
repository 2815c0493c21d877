// SPDX-License-Identifier: MIT
//! \file bench/run_trial_ab.cpp
//! Single-thread run_trial rate (trials per CPU-second, best of 7), written against the SimParams /
//! SynapseDrive of any revision (their float or double fields via decltype), so one source times
//! the fixed step before and after the double-state change (bench/RESULTS.md, drift-fix cost):
//!
//!     build/bench/memlif_run_trial_ab                       # this tree
//!     git -C . archive 8a00581 | tar -x -C /tmp/base        # the float-state revision
//!     g++ -O3 -std=c++17 -I/tmp/base/kernels -I<a configured build>/include
//!         bench/run_trial_ab.cpp -o /tmp/ab_base && /tmp/ab_base       (one command line)
//!
//! Workload: the default protocol at dt = 10 us (Poisson delay table, 20,000 steps), w = 1.86
//! (6.2 uS with UL-GAP), 1024 trials over varied codes.
#include "memlif/kernels/jitter.hpp"
#include "memlif/kernels/lif.hpp"
#include "memlif/kernels/trial.hpp"
#include "memlif/kernels/trial_id.hpp"

#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <type_traits>

namespace {
double thread_cpu_s() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
} // namespace

int main() {
    using namespace memlif;
    SimParams p;
    p.seed = 20230523;
    p.n_steps = 20000;
    p.steps_per_input_bin = 5000;
    p.spike_steps = 1000;
    p.delay_steps = 1000;
    p.steps_per_output_bin = 1000;
    p.n_output_bins = 20;
    using Decay = decltype(p.decay);
    p.decay = static_cast<Decay>(step_decay(10e-6, 20e-3));
    make_poisson_jitter_table(p.jitter, 20.0, 40, 100.0, false);
    using Drive = std::remove_reference_t<decltype(SynapseDrive{}.a0)>;
    const auto a = static_cast<Drive>(step_increment(1.86012, p.decay));
    const SynapseDrive d{a, a, a, a};
    const int n = 1024;
    double best = 1e30;
    std::uint64_t sink = 0;
    for (int rep = 0; rep < 7; ++rep) {
        const double t0 = thread_cpu_s();
        for (int i = 0; i < n; ++i) {
            const auto code = static_cast<std::uint32_t>(i * 61) & 0xFFFFu;
            sink +=
                run_trial(p, d, code, make_trial_id(1, code, static_cast<std::uint32_t>(rep))).word;
        }
        best = std::min(best, thread_cpu_s() - t0);
    }
    std::printf("run_trial: %.4g trials per CPU-second (checksum %llu)\n", n / best,
                static_cast<unsigned long long>(sink & 0xFFFF));
    return 0;
}
