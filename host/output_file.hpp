// SPDX-License-Identifier: MIT
//! \file host/output_file.hpp
//! How memlif writes a file the user named, so that no finished work is ever lost (io/FORMAT.md,
//! "Completeness and crash semantics"):
//!  - an existing file is replaced only on request (--force), never through a symlink, never when
//!    it is a directory, device or FIFO, and never when it is one of the run's inputs;
//!  - the file is written as a temporary beside it (OUT.partial) and renamed onto it only once it
//!    is complete, after an fsync, so OUT is always either absent, the old file or the new one;
//!  - a lock file (OUT.lock, flock) held for the whole run refuses a second writer before it has
//!    touched anything.
#pragma once

#include <string>
#include <vector>

namespace memlif {

//! The files that belong to one output.
struct OutputPaths {
    std::string target;  //!< the file the user named
    std::string partial; //!< target + ".partial": the run being written, kept if interrupted
    std::string lock;    //!< target + ".lock"
    //! partial + ".snapshot": the partial file as it was when its current phase began (a run's
    //! stages after the sweep), for a resume to fall back on if a kill tore the partial file
    std::string snapshot;
};

//! The paths of an output named by its target or by its partial file.
OutputPaths output_paths(const std::string& path);

//! True if both paths exist and are the same file (device and inode, symlinks followed).
bool same_file(const std::string& a, const std::string& b);

//! IoError unless `target` may be written: its directory exists; it does not exist, or it is a
//! regular file (or a symlink to one) and `force` is given; and neither it nor its partial or lock
//! file is one of `inputs` (checked even with `force`). Called before any work starts.
void check_output_target(const OutputPaths& paths, const std::vector<std::string>& inputs,
                         bool force);

//! An exclusive lock on an output, held while the object lives: flock(2) on its lock file, which
//! is created, holds the owner's pid, and is removed on release. IoError at construction if
//! another process holds it ("being written by another memlif, pid N") or it cannot be created.
//! Within one process the lock nests: a second OutputLock on the same output shares the first.
//! Not thread-safe.
class OutputLock {
  public:
    explicit OutputLock(const OutputPaths& paths);
    ~OutputLock();
    OutputLock(const OutputLock&) = delete;
    OutputLock& operator=(const OutputLock&) = delete;

  private:
    int fd_ = -1;
    std::string path_;
};

//! Makes the finished file `from` the file `to`: fsync(from), rename(from, to), fsync of the
//! directory. IoError naming both on failure (`to` is then untouched).
void commit_file(const std::string& from, const std::string& to);

//! Copies `from` to `to` (replacing it, never through a symlink), for an update that must not
//! touch `from` until it is complete. IoError if the file system lacks the room for the copy or
//! `to` is a directory.
void copy_for_update(const std::string& from, const std::string& to);

//! Removes one of memlif's own files beside an output (OUT.partial, its snapshot) if it is there;
//! IoError naming it if it cannot be removed or is not a regular file or symlink (a directory).
void remove_own_file(const std::string& path);

} // namespace memlif
