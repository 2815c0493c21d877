// SPDX-License-Identifier: MIT
//! \file tests/cli/cli_util.hpp
//! Running the memlif executable from a test: exit code and output, a scratch directory per test.
//! MEMLIF_TEST_EXE in the environment replaces the executable under test (used to show that a new
//! test fails on an older build).
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace memlif::cli_test {

//! The executable under test.
inline std::string exe() {
    const char* e = std::getenv("MEMLIF_TEST_EXE");
    return e && *e ? e : MEMLIF_EXE;
}

struct Result {
    int code = -1;   //!< exit status; 128 + n if killed by signal n
    std::string out; //!< stdout and stderr together
};

//! Runs a shell command line and returns its exit code and output (stdout and stderr together).
inline Result shell(const std::string& cmd) {
    Result r;
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    const int status = pclose(p);
    r.code = WIFEXITED(status)     ? WEXITSTATUS(status)
             : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                   : -1;
    return r;
}

//! memlif with environment assignments ("A=1 B=2") in front of the command.
inline Result sh_env(const std::string& env, const std::string& args) {
    return shell(env + " " + exe() + " " + args);
}

inline Result sh(const std::string& args) { return sh_env("", args); }

inline bool exists(const std::string& path) {
    struct stat st;
    return lstat(path.c_str(), &st) == 0;
}

inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class Cli : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/memlif_cli_XXXXXX";
        dir_ = mkdtemp(tmpl);
    }
    void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
    std::string file(const std::string& name) const { return dir_ + "/" + name; }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(file(name)) << text;
        return file(name);
    }
    std::string dir_;
};

//! 20 x 10 ms bins, two conditions: fast enough for tests
inline const char* k_fast_grid = R"('conductance_grid=[{"kind":"list","values_uS":[3.0, 12.0]}]')";

} // namespace memlif::cli_test
