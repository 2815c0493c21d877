// SPDX-License-Identifier: MIT
//! \file bench/drift_check.cpp
//! Float32 drift of the fixed step (issue 9), printed as a table: u after a held input of weight
//! w for T, from the kernel's lif_step (double state) and from the recurrence as it was before
//! (state, decay and increment in float: u <- u d_f + a_f), each against the closed form
//! w (1 - e^{-T/tau}) of model.md §2.2. Not a timing; `memlif_drift_check` takes no arguments.
#include "memlif/kernels/lif.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>

int main() {
    using namespace memlif;
    const double tau_s = 20e-3;
    std::printf("%8s %8s %8s %16s %16s\n", "dt_us", "w", "T_ms", "float rel. err",
                "double rel. err");
    for (const double dt_s : {10e-6, 1e-6}) {
        const double decay = step_decay(dt_s, tau_s);
        const auto decay_f = static_cast<float>(decay);
        for (const double w : {0.7801, 0.5}) {
            const double a = step_increment(w, decay);
            // the pre-fix host path: a_f = (float)(w (1 - (double)d_f))
            const auto a_f = static_cast<float>(step_increment(w, decay_f));
            for (const double t_s : {10e-3, 200e-3}) {
                const auto n = static_cast<std::uint32_t>(std::llround(t_s / dt_s));
                float u_f = 0.0f;
                LifState s;
                for (std::uint32_t k = 0; k < n; ++k) {
                    u_f = u_f * decay_f + a_f;
                    lif_step(s, a, decay, k + 1, 0xFFFFFFFFu);
                }
                const double exact = w * (1.0 - std::exp(-t_s / tau_s));
                std::printf("%8g %8g %8g %16.3e %16.3e\n", dt_s * 1e6, w, t_s * 1e3,
                            (u_f - exact) / exact, (s.u - exact) / exact);
            }
        }
    }
    return 0;
}
