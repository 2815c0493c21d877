// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/macros.hpp
//! The only place CUDA keywords appear outside cuda/: g++ does not know __host__/__device__.
#pragma once

#if defined(__CUDACC__)
#define MEMLIF_HD __host__ __device__
#define MEMLIF_HD_INLINE __host__ __device__ __forceinline__
#define MEMLIF_HD_FORCE_INLINE __host__ __device__ __forceinline__
#else
#define MEMLIF_HD
#define MEMLIF_HD_INLINE inline
//! For the few small helpers of a hot loop that g++ -O3 would otherwise call (as nvcc's
//! __forceinline__ always inlines them).
#if defined(__GNUC__)
#define MEMLIF_HD_FORCE_INLINE inline __attribute__((always_inline))
#else
#define MEMLIF_HD_FORCE_INLINE inline
#endif
#endif

#if defined(__CUDA_ARCH__)
#define MEMLIF_DEVICE_COMPILE 1
#else
#define MEMLIF_DEVICE_COMPILE 0
#endif
