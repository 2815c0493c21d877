// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/macros.hpp
//! The only place CUDA keywords appear outside cuda/: g++ does not know __host__/__device__.
#pragma once

#if defined(__CUDACC__)
#define MEMLIF_HD __host__ __device__
#define MEMLIF_HD_INLINE __host__ __device__ __forceinline__
#define MEMLIF_HD_NOINLINE __host__ __device__ __noinline__
#define MEMLIF_HD_FORCE_INLINE __host__ __device__ __forceinline__
#else
#define MEMLIF_HD
#define MEMLIF_HD_INLINE inline
#define MEMLIF_HD_NOINLINE
//! For the few small helpers of a hot loop that g++ -O3 would otherwise call (as nvcc's
//! __forceinline__ always inlines them).
#if defined(__GNUC__)
#define MEMLIF_HD_FORCE_INLINE inline __attribute__((always_inline))
#else
#define MEMLIF_HD_FORCE_INLINE inline
#endif
#endif

// MEMLIF_HD_NOINLINE marks the large device-level routines (circuit solve, integrator steps,
// protocols): real calls on the GPU, so each model's code is emitted once instead of at every
// call site (forced inlining gave 37 MB of PTX for the four device protocols). Non-template
// functions add `inline` for the one-definition rule.

#if defined(__CUDA_ARCH__)
#define MEMLIF_DEVICE_COMPILE 1
#else
#define MEMLIF_DEVICE_COMPILE 0
#endif
