// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/macros.hpp
//! The only place CUDA keywords appear outside cuda/: g++ does not know __host__/__device__.
#pragma once

#if defined(__CUDACC__)
#define MEMLIF_HD __host__ __device__
#define MEMLIF_HD_INLINE __host__ __device__ __forceinline__
#else
#define MEMLIF_HD
#define MEMLIF_HD_INLINE inline
#endif

#if defined(__CUDA_ARCH__)
#define MEMLIF_DEVICE_COMPILE 1
#else
#define MEMLIF_DEVICE_COMPILE 0
#endif
