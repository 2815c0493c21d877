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

} // namespace detail
} // namespace memlif
