#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scale figures of shards and merge (issue 13; bench/RESULTS.md): for one sweep, the unsharded
# run's wall time against N shards run one after another plus their merge, the merge time against
# N and against the number of distinct (stimulus, word) rows, and the shard bytes a rank-0 gather
# moves. Usage: bench/shard_merge_scale.sh [BUILD_DIR] [REPEATS...]
# Prints one table row per (repeats, N). CPU only; nothing here is a test.
set -euo pipefail
build=${1:-build}
shift || true
repeats=${*:-10 100}
exe="$build/memlif"
dir=$(mktemp -d /tmp/memlif-shard-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
card=(--set 'conductance_grid=[{"kind":"list","values_uS":[6.2, 13.6]}]' --set stimulus.set=all
      --set simulation.solver=exact --set 'information.estimators=["plugin"]')
now() { date +%s.%N; }
printf '| repeats | N | run s | shards s (sum) | merge s | rows | shard bytes (sum) | run file bytes |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for r in $repeats; do
  t0=$(now); "$exe" run "${card[@]}" --set simulation.repeats="$r" -q -o "$dir/whole.h5" >/dev/null; t1=$(now)
  run_s=$(echo "$t1 - $t0" | bc -l)
  rows=$(h5dump -H -d /counts/word "$dir/whole.h5" | sed -n 's/.*DATASPACE  SIMPLE { ( \([0-9]*\) ).*/\1/p' | head -1)
  for n in 1 2 4 8 16; do
    rm -f "$dir"/s_*.h5
    t0=$(now)
    for ((k = 0; k < n; ++k)); do
      "$exe" run "${card[@]}" --set simulation.repeats="$r" -q --shard "$k/$n" -o "$dir/s_$k.h5" >/dev/null
    done
    t1=$(now)
    "$exe" merge -q "$dir/merged.h5" "$dir"/s_*.h5 >/dev/null
    t2=$(now)
    sb=$(cat "$dir"/s_*.h5 | wc -c)
    printf '| %s | %s | %.2f | %.2f | %.3f | %s | %s | %s |\n' "$r" "$n" "$run_s" \
      "$(echo "$t1 - $t0" | bc -l)" "$(echo "$t2 - $t1" | bc -l)" "$rows" "$sb" \
      "$(wc -c < "$dir/whole.h5")"
  done
done
