// SPDX-License-Identifier: MIT
//! \file host/information/parallel.hpp
//! OpenMP in the estimators, when the build has it (MEMLIF_USE_OPENMP). Parallel loops write one
//! slot per stimulus or replicate and every sum over slots is taken afterwards in index order,
//! so results do not depend on the number of threads.
#pragma once

#include "memlif/config.hpp"

#if MEMLIF_USE_OPENMP
#include <omp.h>
//! An OpenMP directive, e.g. MEMLIF_OMP(omp parallel for schedule(dynamic)); nothing without it.
#define MEMLIF_OMP(directive) _Pragma(#directive)
#else
#define MEMLIF_OMP(directive)
#endif

namespace memlif {
namespace detail {

//! Threads a parallel region would use now (1 without OpenMP).
inline int max_threads() {
#if MEMLIF_USE_OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

//! Whether a loop of about `work` elementary steps (trial draws, cell visits) is worth a parallel
//! region. Small tables are common (tests, short runs) and a region costs a fork and a barrier,
//! which on a loaded machine can wait for a descheduled thread: below 2^17 steps stay serial.
inline bool worth_threads(double work) { return work >= 131072.0; }

} // namespace detail
} // namespace memlif
