// SPDX-License-Identifier: MIT
//! \file io/checkpoint.cpp
#include "io/checkpoint.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace memlif::io {

namespace {

struct Plan {
    int signal = 0;       //!< 0: no signal planned
    unsigned long at = 0; //!< the checkpoint number (1-based) that raises it
    const char* log = nullptr;
};

//! Checkpoints passed so far by this process.
unsigned long g_seen = 0;

Plan read_plan() {
    Plan p;
    p.log = std::getenv("MEMLIF_TEST_CHECKPOINTS");
    const char* spec = std::getenv("MEMLIF_TEST_RAISE");
    if (spec == nullptr) return p;
    const char* colon = std::strchr(spec, ':');
    if (colon == nullptr) return p;
    const std::size_t n = static_cast<std::size_t>(colon - spec);
    if (n == 4 && std::strncmp(spec, "KILL", 4) == 0)
        p.signal = SIGKILL;
    else if (n == 4 && std::strncmp(spec, "TERM", 4) == 0)
        p.signal = SIGTERM;
    else if (n == 3 && std::strncmp(spec, "INT", 3) == 0)
        p.signal = SIGINT;
    p.at = std::strtoul(colon + 1, nullptr, 10);
    return p;
}

} // namespace

void checkpoint(const char* name) {
    // Read each time (a few getenv calls per committed unit): a test may set it in a forked child.
    const Plan plan = read_plan();
    if (plan.signal == 0 && plan.log == nullptr) return;
    ++g_seen;
    if (plan.log != nullptr) {
        if (std::FILE* f = std::fopen(plan.log, "a")) {
            std::fprintf(f, "%lu %s\n", g_seen, name);
            std::fclose(f);
        }
    }
    if (plan.signal != 0 && g_seen == plan.at) std::raise(plan.signal);
}

} // namespace memlif::io
