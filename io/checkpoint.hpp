// SPDX-License-Identifier: MIT
//! \file io/checkpoint.hpp
//! Named points in the writers' commit sequences (io/FORMAT.md, "Completeness and crash
//! semantics"), where tests stop the process to check that a file stopped there reads correctly
//! and resumes to the same result. With MEMLIF_TEST_RAISE=SIG:N in the environment (SIG one of
//! KILL, TERM, INT), the N-th checkpoint the process passes raises that signal in the process
//! itself; MEMLIF_TEST_CHECKPOINTS=FILE appends the name of every checkpoint passed to FILE (to
//! list the points a run goes through). Without them a checkpoint costs one branch.
#pragma once

namespace memlif::io {

//! Marks a checkpoint (`name` says where, e.g. "condition-data", "condition-commit").
void checkpoint(const char* name);

} // namespace memlif::io
