#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets of tests/fuzz with Debian's clang (ASan + UBSan over the whole
# project) in build-fuzz/ and runs each, starting from its seed corpus tests/fuzz/corpus/<target>/
# (new inputs go to build-fuzz/corpus/<target>/, the repository is not written).
#   tools/fuzz.sh [--runs N | --seconds S] [--seed N] [target ...]
# (default: --seconds 60, a random seed, both targets). With --seed the inputs tried are one fixed
# sequence for a given tree, so a finding in CI (.ci/run uses --seed 1) is reproduced here with
# the same command; a time limit only decides how far along that sequence a run gets.
# Exit 0 only if no target found a crash, a hang (> 10 s per input), a leak or a sanitizer report.
# The last line of each target's run ("Done N runs in S second(s)") is the count to record in
# bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=(-max_total_time=60)
seed=()
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) limit=(-runs="$2"); shift 2 ;;
    --seconds) limit=(-max_total_time="$2"); shift 2 ;;
    --seed) seed=(-seed="$2"); shift 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=(card_fuzz run_file_fuzz)
cc=$(command -v clang-14 || command -v clang || true)
cxx=$(command -v clang++-14 || command -v clang++ || true)
if [[ -z "$cc" || -z "$cxx" ]]; then
  echo "fuzz.sh: clang not found (apt-get install clang-14)" >&2
  exit 2
fi
build=build-fuzz
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S . -B $build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER="$cc" \
    -DCMAKE_CXX_COMPILER="$cxx" -DMEMLIF_ENABLE_CUDA=OFF -DMEMLIF_BUILD_TESTS=OFF \
    -DMEMLIF_BUILD_BENCH=OFF -DMEMLIF_BUILD_FUZZ=ON >/dev/null
fi
cmake --build $build -j"${MEMLIF_FUZZ_JOBS:-2}" --target "${targets[@]}"
status=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "${targets[@]}"; do
  corpus=$build/corpus/$t
  mkdir -p "$corpus" "$build/artifacts/$t"
  echo "== $t ${limit[*]} ${seed[*]}"
  if ! "$build/tests/fuzz/$t" "${limit[@]}" "${seed[@]}" -timeout=10 -rss_limit_mb=4096 -max_len=4096 \
      -print_final_stats=1 -artifact_prefix="$build/artifacts/$t/" "$corpus" "tests/fuzz/corpus/$t" \
      2>"$build/$t.log"; then
    status=1
    echo "fuzz.sh: $t FAILED; log: $build/$t.log, inputs: $build/artifacts/$t/" >&2
    tail -40 "$build/$t.log" >&2
  fi
  grep -E "^Done [0-9]+ runs|stat::number_of_executed_units" "$build/$t.log" || true
done
exit $status
