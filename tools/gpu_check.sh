#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#! \file tools/gpu_check.sh
#! One command for a GPU machine: builds memlif twice (default, and -DMEMLIF_CUDA_NO_FMAD=ON for
#! bitwise CPU/GPU parity), runs every test with MEMLIF_REQUIRE_GPU=1 (a missing GPU fails instead
#! of skipping), runs the benchmarks, runs the full-size sweep, and writes everything into one
#! results directory. Exits non-zero if any step failed; later steps still run so one call
#! collects everything.
#!
#! usage: tools/gpu_check.sh [RESULTS_DIR]        (default ./gpu_check_results)
#! env:   MEMLIF_GPU_CHECK_SKIP_FULL=1  skip the 65536 x 1000 x 64 sweep through the CLI
#!        CMAKE_GENERATOR                e.g. Ninja (used if set)
set -u -o pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "${1:-./gpu_check_results}" && cd "${1:-./gpu_check_results}" && pwd)"
jobs="$(nproc 2>/dev/null || echo 4)"
failed=()
summary="$out/SUMMARY.txt"
: > "$summary"

note() { echo "$*" | tee -a "$summary"; }

# step NAME LOGFILE COMMAND...: runs COMMAND, logs it, records PASS/FAIL.
step() {
    local name="$1" log="$2"
    shift 2
    local t0=$SECONDS
    echo ">>> $name" >&2
    if "$@" > "$log" 2>&1; then
        note "PASS  $name ($((SECONDS - t0)) s)  log: $(basename "$log")"
    else
        note "FAIL  $name ($((SECONDS - t0)) s, exit $?)  log: $(basename "$log")"
        failed+=("$name")
    fi
}

{
    echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host: $(hostname)"
    echo "git: $(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)"
    echo "git_dirty: $(git -C "$repo" status --porcelain 2>/dev/null | wc -l) changed paths"
    echo "cores: $jobs"
    echo "--- nvidia-smi -L"
    nvidia-smi -L 2>&1 || true
    echo "--- nvidia-smi"
    nvidia-smi 2>&1 || true
    echo "--- nvcc --version"
    nvcc --version 2>&1 || true
    echo "--- cmake --version"
    cmake --version 2>&1 | head -1 || true
    echo "--- g++ --version"
    g++ --version 2>&1 | head -1 || true
} > "$out/environment.txt"
note "environment: environment.txt"
if ! nvidia-smi -L > /dev/null 2>&1; then
    note "FAIL  nvidia-smi -L found no GPU"
    failed+=("nvidia-smi")
fi

configure_build() { # DIR EXTRA_CMAKE_ARGS...
    local dir="$1"
    shift
    cmake -S "$repo" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" &&
        cmake --build "$dir" -j "$jobs"
}

b_default="$out/build-default"
b_nofmad="$out/build-nofmad"
b_minb8="$out/build-minblocks8"

# -Xptxas -v goes to the default build's log; the resource lines are extracted below.
step "build default (-Xptxas -v)" "$out/build-default.log" \
    configure_build "$b_default" -DMEMLIF_CUDA_PTXAS_VERBOSE=ON
step "build -fmad=false" "$out/build-nofmad.log" \
    configure_build "$b_nofmad" -DMEMLIF_CUDA_NO_FMAD=ON -DMEMLIF_CUDA_PTXAS_VERBOSE=ON
grep -A3 "Compiling entry function.*trial_kernel" "$out/build-default.log" \
    > "$out/ptxas_trial_kernel_default.txt" 2>/dev/null || true
grep -A3 "Compiling entry function.*trial_kernel" "$out/build-nofmad.log" \
    > "$out/ptxas_trial_kernel_nofmad.txt" 2>/dev/null || true
grep "ptxas info\|Function properties\|spill" "$out/build-default.log" \
    > "$out/ptxas_all_default.txt" 2>/dev/null || true

run_ctest() { # DIR
    (cd "$1" && MEMLIF_REQUIRE_GPU=1 ctest --output-on-failure --timeout 3600 -j 1)
}
step "ctest default (MEMLIF_REQUIRE_GPU=1)" "$out/ctest-default.log" run_ctest "$b_default"
step "ctest -fmad=false (MEMLIF_REQUIRE_GPU=1)" "$out/ctest-nofmad.log" run_ctest "$b_nofmad"
# The parity lines (fraction of differing words per card) from both builds.
grep -h "\[ parity \]" "$out/ctest-default.log" "$out/ctest-nofmad.log" \
    > "$out/parity.txt" 2>/dev/null || true

run_bench() { # DIR JSON [FILTER]
    local filter="${3:-.}"
    if [ ! -x "$1/bench/memlif_bench" ]; then
        echo "memlif_bench not built (Google Benchmark missing?)"
        return 1
    fi
    "$1/bench/memlif_bench" --benchmark_filter="$filter" --benchmark_repetitions=3 \
        --benchmark_report_aggregates_only=true \
        --benchmark_out="$2" --benchmark_out_format=json || return 1
    # Google Benchmark exits 0 when a benchmark skips with an error ("no CUDA device"); on the GPU
    # machine that is a failure.
    if grep -q '"error_occurred": true' "$2"; then
        echo "a benchmark reported an error (see $2)"
        return 1
    fi
}
step "benchmarks (default build)" "$out/bench-default.log" \
    run_bench "$b_default" "$out/bench-default.json"

# The kernel with 8 blocks/SM (32 registers, a few spilled bytes) against the default 6 blocks/SM.
build_minb8() {
    cmake -S "$repo" -B "$b_minb8" -DCMAKE_BUILD_TYPE=Release -DMEMLIF_CUDA_MIN_BLOCKS=8 \
        -DMEMLIF_CUDA_PTXAS_VERBOSE=ON -DMEMLIF_BUILD_TESTS=OFF &&
        cmake --build "$b_minb8" -j "$jobs" --target memlif_bench
}
step "build min-blocks 8 variant" "$out/build-minblocks8.log" build_minb8
grep -A3 "Compiling entry function.*trial_kernel" "$out/build-minblocks8.log" \
    > "$out/ptxas_trial_kernel_minblocks8.txt" 2>/dev/null || true
step "kernel benchmark, min-blocks 8" "$out/bench-minblocks8.log" \
    run_bench "$b_minb8" "$out/bench-minblocks8.json" "BM_cuda_kernel"

# The issue's full size through the CLI: 65536 patterns x 1000 repeats x 64 conductances.
full_sweep() {
    "$b_default/memlif" run --backend cuda -o "$out/full_sweep.h5" \
        --set stimulus.set=all --set simulation.repeats=1000 \
        --set 'conductance_grid=[{"kind":"log","start_uS":1.0,"stop_uS":20.0,"n":64}]' &&
        rm -f "$out/full_sweep.h5"
}
if [ "${MEMLIF_GPU_CHECK_SKIP_FULL:-0}" = "1" ]; then
    note "SKIP  full sweep 65536 x 1000 x 64 (MEMLIF_GPU_CHECK_SKIP_FULL=1)"
else
    step "full sweep 65536 x 1000 x 64 (CLI, --backend cuda)" "$out/full-sweep.log" \
        full_sweep
fi

# Build trees are large; keep only logs and results.
rm -rf "$b_default" "$b_nofmad" "$b_minb8"

if [ "${#failed[@]}" -gt 0 ]; then
    note "RESULT: ${#failed[@]} step(s) failed: ${failed[*]}"
    exit 1
fi
note "RESULT: all steps passed"
