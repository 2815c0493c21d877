// SPDX-License-Identifier: MIT
//! \file host/output_file.cpp
#include "output_file.hpp"

#include "io/text.hpp"
#include "memlif/core/errors.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>

namespace memlif {

namespace {

constexpr const char* k_partial_suffix = ".partial";
constexpr const char* k_lock_suffix = ".lock";

//! A path in a message, as io/ quotes names.
std::string q(const std::string& s) { return io::in_quotes(s); }

std::string directory_of(const std::string& path) {
    const std::string dir = std::filesystem::path(path).parent_path().string();
    return dir.empty() ? "." : dir;
}

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

void fsync_path(const std::string& path, bool directory) {
    const int fd =
        ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) throw IoError("cannot open " + q(path) + " to sync it: " + std::strerror(errno));
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    // Some file systems cannot sync a directory (EINVAL); the rename is then as durable as it gets.
    if (rc != 0 && !(directory && (err == EINVAL || err == ENOTSUP)))
        throw IoError("cannot sync " + q(path) + " to disk: " + std::strerror(err));
}

} // namespace

OutputPaths output_paths(const std::string& path) {
    OutputPaths p;
    p.target = ends_with(path, k_partial_suffix)
                   ? path.substr(0, path.size() - std::strlen(k_partial_suffix))
                   : path;
    p.partial = p.target + k_partial_suffix;
    p.lock = p.target + k_lock_suffix;
    p.snapshot = p.partial + ".snapshot";
    return p;
}

bool same_file(const std::string& a, const std::string& b) {
    struct stat sa {
    }, sb{};
    if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

void check_output_target(const OutputPaths& paths, const std::vector<std::string>& inputs,
                         bool force) {
    const std::string& target = paths.target;
    if (target.empty()) throw IoError("the output path is empty");
    const std::string dir = directory_of(target);
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0)
        throw IoError("cannot create " + q(target) + ": directory " + q(dir) + " does not exist");
    if (!S_ISDIR(st.st_mode))
        throw IoError("cannot create " + q(target) + ": " + q(dir) + " is not a directory");
    for (const std::string& in : inputs) {
        for (const std::string* p : {&paths.target, &paths.partial, &paths.lock, &paths.snapshot})
            if (same_file(*p, in))
                throw IoError("the output " + q(*p) + " is the input " + q(in) +
                              " (the same file); choose another output");
    }
    if (::lstat(target.c_str(), &st) != 0) return; // absent: fine
    const bool link = S_ISLNK(st.st_mode);
    if (link && ::stat(target.c_str(), &st) != 0) st.st_mode = S_IFREG; // a dangling link
    if (S_ISDIR(st.st_mode)) throw IoError("cannot write " + q(target) + ": it is a directory");
    if (!S_ISREG(st.st_mode))
        throw IoError(
            "cannot write " + q(target) +
            ": not a regular file (a device, FIFO or socket); memlif writes regular files only");
    if (!force)
        throw IoError(
            q(target) + " exists; memlif does not overwrite a file unless --force is given" +
            (link ? " (with --force the symlink itself is replaced, not the file it points to)"
                  : ""));
}

namespace {

//! Locks this process holds, by lock-file path, with the number of OutputLock objects on each
//! (flock excludes a second lock of the same file even within one process). Never destroyed: an
//! OutputLock with static storage (stored_card's) is released at exit, possibly after the
//! function-local statics constructed after it.
std::map<std::string, int>& held_locks() {
    static auto* held = new std::map<std::string, int>;
    return *held;
}

} // namespace

OutputLock::OutputLock(const OutputPaths& paths) : path_(paths.lock) {
    auto it = held_locks().find(path_);
    if (it != held_locks().end()) {
        ++it->second;
        return;
    }
    for (int attempt = 0; attempt < 100; ++attempt) {
        fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd_ < 0)
            throw IoError("cannot create the lock file " + q(path_) + " for " + q(paths.target) +
                          ": " + std::strerror(errno));
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            const int err = errno;
            char buf[32] = {};
            const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
            ::close(fd_);
            fd_ = -1;
            if (err == EWOULDBLOCK) {
                std::string pid =
                    n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string("?");
                while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
                throw IoError(q(paths.target) + " is being written by another memlif (pid " + pid +
                              ", lock file " + q(path_) + "); nothing was touched");
            }
            throw IoError("cannot lock " + q(path_) + ": " + std::strerror(err));
        }
        // The previous holder removes the lock file on release: if this one was unlinked between
        // our open and our flock, the lock is on a dead inode; take it again.
        struct stat by_fd {
        }, by_path{};
        if (::fstat(fd_, &by_fd) == 0 && ::stat(path_.c_str(), &by_path) == 0 &&
            by_fd.st_ino == by_path.st_ino && by_fd.st_dev == by_path.st_dev) {
            const std::string pid = std::to_string(::getpid()) + "\n";
            if (::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
                // the pid is only for messages
            }
            held_locks()[path_] = 1;
            return;
        }
        ::close(fd_);
        fd_ = -1;
    }
    throw IoError("cannot lock " + q(path_) + ": it keeps being replaced");
}

OutputLock::~OutputLock() {
    auto it = held_locks().find(path_);
    if (it == held_locks().end()) return;
    if (--it->second > 0) return;
    held_locks().erase(it);
    if (fd_ < 0) return;
    ::unlink(path_.c_str()); // while still holding the lock (see the constructor)
    ::close(fd_);
}

void commit_file(const std::string& from, const std::string& to) {
    fsync_path(from, false);
    if (::rename(from.c_str(), to.c_str()) != 0)
        throw IoError("cannot rename the finished " + q(from) + " to " + q(to) + ": " +
                      std::strerror(errno) + " (the finished file is kept as " + q(from) + ")");
    fsync_path(directory_of(to), true);
}

void copy_for_update(const std::string& from, const std::string& to) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(from, ec);
    if (ec) throw IoError("cannot read " + q(from) + ": " + ec.message());
    struct statvfs vfs {};
    if (::statvfs(directory_of(to).c_str(), &vfs) == 0) {
        const double free_b = static_cast<double>(vfs.f_bavail) * static_cast<double>(vfs.f_frsize);
        if (free_b < static_cast<double>(size) + (4 << 20))
            throw IoError("not enough space to update " + q(from) +
                          " safely: it is copied first (" + std::to_string(size >> 20) +
                          " MiB), and only " +
                          std::to_string(static_cast<long long>(free_b) >> 20) + " MiB are free");
    }
    // `to` is removed first: copy_file would write through a symlink there, into its target
    remove_own_file(to);
    std::filesystem::copy_file(from, to, std::filesystem::copy_options::none, ec);
    if (ec) {
        const std::string why = ec.message();
        std::filesystem::remove(to, ec);
        throw IoError("cannot copy " + q(from) + " to " + q(to) + ": " + why);
    }
}

void remove_own_file(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return;
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
        throw IoError(q(path) + " is in the way and is not a file memlif wrote (" +
                      (S_ISDIR(st.st_mode) ? "a directory" : "not a regular file") +
                      "): remove it");
    if (::unlink(path.c_str()) != 0)
        throw IoError("cannot remove " + q(path) + ": " + std::strerror(errno));
}

} // namespace memlif
