// SPDX-License-Identifier: MIT
//! \file host/resource_check.cpp
#include "resource_check.hpp"

#include "memlif/core/errors.hpp"

#include <cstdlib>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace memlif {

namespace {

constexpr double k_inf = std::numeric_limits<double>::infinity();

std::string size_text(double bytes) {
    char buf[48];
    if (bytes >= 1024.0 * 1024 * 1024)
        std::snprintf(buf, sizeof buf, "%.3g GiB", bytes / (1024.0 * 1024 * 1024));
    else
        std::snprintf(buf, sizeof buf, "%.3g MiB", bytes / (1024.0 * 1024));
    return buf;
}

//! A "key value [kB]" line of a /proc file, in bytes; NaN if absent.
double proc_value(const char* file, const std::string& key, double scale) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key, 0) != 0) continue;
        std::istringstream s(line.substr(key.size()));
        double v = 0;
        if (s >> v) return v * scale;
    }
    return std::numeric_limits<double>::quiet_NaN();
}

//! A cgroup v2 number (memory.max is "max" when unlimited); NaN if absent.
double cgroup_value(const char* file) {
    std::ifstream in(file);
    std::string text;
    if (!(in >> text) || text == "max") return std::numeric_limits<double>::quiet_NaN();
    try {
        return std::stod(text);
    } catch (...) {
        return std::numeric_limits<double>::quiet_NaN();
    }
}

void lower(double& limit, std::string& source, double value, const std::string& what) {
    if (value == value && value < limit) {
        limit = std::max(0.0, value);
        source = what;
    }
}

} // namespace

MachineLimits machine_limits(const std::string& dir) {
    MachineLimits m;
    m.memory_bytes = k_inf;
    m.disk_bytes = k_inf;
    lower(m.memory_bytes, m.memory_source, proc_value("/proc/meminfo", "MemAvailable:", 1024.0),
          "MemAvailable in /proc/meminfo");
    struct rlimit lim {};
    const double vm = proc_value("/proc/self/status", "VmSize:", 1024.0);
    if (::getrlimit(RLIMIT_AS, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
        lower(m.memory_bytes, m.memory_source,
              static_cast<double>(lim.rlim_cur) - (vm == vm ? vm : 0.0),
              "the address space limit (ulimit -v)");
    if (::getrlimit(RLIMIT_DATA, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
        lower(m.memory_bytes, m.memory_source, static_cast<double>(lim.rlim_cur),
              "the data limit (ulimit -d)");
    const double cg_max = cgroup_value("/sys/fs/cgroup/memory.max");
    const double cg_cur = cgroup_value("/sys/fs/cgroup/memory.current");
    if (cg_max == cg_max)
        lower(m.memory_bytes, m.memory_source, cg_max - (cg_cur == cg_cur ? cg_cur : 0.0),
              "the cgroup's memory.max");

    struct statvfs vfs {};
    if (::statvfs(dir.c_str(), &vfs) == 0)
        lower(m.disk_bytes, m.disk_source,
              static_cast<double>(vfs.f_bavail) * static_cast<double>(vfs.f_frsize),
              "the free space in '" + dir + "'");
    if (::getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
        lower(m.disk_bytes, m.disk_source, static_cast<double>(lim.rlim_cur),
              "the file size limit (ulimit -f)");
    return m;
}

void check_resources(const std::vector<ResourceNeeds>& needs, const MachineLimits& limits,
                     double existing_bytes) {
    double disk = 0;
    for (const ResourceNeeds& n : needs) {
        disk += n.disk_bytes;
        if (n.peak_memory_bytes > 0.9 * limits.memory_bytes)
            throw ConfigError(n.key + ": one condition needs about " +
                              size_text(n.peak_memory_bytes) + " of memory, but " +
                              limits.memory_source + " leaves " + size_text(limits.memory_bytes) +
                              "; lower " + n.key);
    }
    disk -= existing_bytes;
    // MEMLIF_TEST_SKIP_SPACE_CHECK=1 turns the disk checks off (the writer's too), for the tests
    // of the failure path behind them (tests/cli/full_disk_test.cpp)
    const char* skip = std::getenv("MEMLIF_TEST_SKIP_SPACE_CHECK");
    if (skip != nullptr && *skip == '1') return;
    if (disk > limits.disk_bytes)
        throw IoError("the output needs at least " + size_text(disk) + ", but " +
                      limits.disk_source + " leaves " + size_text(limits.disk_bytes));
}

void check_threads(int n, const std::string& key) {
    if (n <= 1) return;
    // Started together and held until all exist, as an OpenMP team is; default attributes, as
    // libgomp uses (its stack size follows ulimit -s unless OMP_STACKSIZE says otherwise).
    struct Gate {
        pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
        pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
        bool open = false;
    } gate;
    const auto body = +[](void* p) -> void* {
        auto* g = static_cast<Gate*>(p);
        pthread_mutex_lock(&g->mu);
        while (!g->open) pthread_cond_wait(&g->cv, &g->mu);
        pthread_mutex_unlock(&g->mu);
        return nullptr;
    };
    std::vector<pthread_t> started;
    int err = 0;
    for (int i = 1; i < n; ++i) {
        pthread_t t;
        err = pthread_create(&t, nullptr, body, &gate);
        if (err != 0) break;
        started.push_back(t);
    }
    pthread_mutex_lock(&gate.mu);
    gate.open = true;
    pthread_cond_broadcast(&gate.cv);
    pthread_mutex_unlock(&gate.mu);
    for (pthread_t t : started) pthread_join(t, nullptr);
    if (err != 0)
        throw UsageError(key + " = " + std::to_string(n) + ": only " +
                         std::to_string(started.size() + 1) + " threads can run in this process (" +
                         std::strerror(err) + "; a thread or address-space limit); lower " + key);
}

} // namespace memlif
