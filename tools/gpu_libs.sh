#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#! \file tools/gpu_libs.sh
#! Sourced by tools/gpu_bundle.sh and tools/gpu_lease.sh: which shared libraries the GPU machine
#! must provide itself and the bundle therefore never carries. These are the C library family and
#! the GCC runtime: the GPU machine's (Ubuntu 24.04, glibc 2.39, GCC 13/14 runtime) are newer than
#! this machine's (Debian 12, glibc 2.36, GCC 12), and both are backward compatible, whereas
#! carrying an older libc next to the machine's loader would break every program that loads it.
#! The CUDA driver (libcuda.so.1) is not in any ldd closure: libcudart loads it at run time.

# Matches the soname (first word of an ldd line).
# shellcheck disable=SC2034
MEMLIF_SYSTEM_LIB_RE='^(linux-vdso\.so|ld-linux-x86-64\.so|libc\.so|libm\.so|libmvec\.so|libpthread\.so|libdl\.so|librt\.so|libresolv\.so|libutil\.so|libanl\.so|libnss_[a-z]+\.so|libBrokenLocale\.so|libstdc\+\+\.so|libgcc_s\.so)'
