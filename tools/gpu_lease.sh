#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#! \file tools/gpu_lease.sh
#! The GPU check: one command on the lent GPU machine, from the repository root,
#!
#!     bash tools/gpu_lease.sh
#!
#! with build-gpu-pack/ (build-gpu/ packed, made here by tools/gpu_bundle.sh) carried along. Nothing is built there: the
#! machine has none of our C++ dependencies. The carried binaries run with LD_LIBRARY_PATH set to
#! the carried libraries for them alone (system tools keep their own libraries).
#!
#! Steps, in order; each appends a line to $OUT/SUMMARY.txt and re-tars every log so far into
#! $OUT/logs.tgz, so a kill at any point still returns what was done:
#!   1 preflight: nvidia-smi -L, OS, ldd of every carried binary (stops on any "not found")
#!   2 default build: the CUDA test binaries, run directly, MEMLIF_REQUIRE_GPU=1, gtest JSON
#!   3 -fmad=false build: the same (exact word parity with the CPU), without the two largest tests
#!   4 benchmarks: kernel alone and pipeline (default build), kernel with 8 blocks/SM; 3 reps, JSON
#!   5 the 65536 x 1000 x 64 sweep through `memlif run --backend cuda`, plug-in only, output under
#!     /tmp, under a timeout: wall time, trials/s, file size
#!   6 if time remains: the PyTorch peer (bench/peers/torch_peer.py, eager and torch.compile) on
#!     the paper card's 13.6 uS condition, against memlif_peer_words' words (optional)
#!   7 if time remains: compute-sanitizer memcheck on a filtered set of GPU tests (and initcheck,
#!     informational, if time still remains)
#!   8 (run right after 5) device memory held by another process: a PyTorch allocation leaves
#!     memlif 1536 MiB, then 64 MiB, of the GPU; a 65536 x 100 x 4 sweep must finish with the MI
#!     of an unconstrained run (smaller chunks) or stop with a clear CUDA error (exit 1), never
#!     crash
#! The whole run keeps within MEMLIF_LEASE_BUDGET_S (480 s): each step's timeout is its cap or what
#! the budget leaves after the minimum the later steps need, and a step that cannot get its minimum
#! is skipped ("time"). Scratch lives under /tmp; $OUT holds 2 files (SUMMARY.txt, logs.tgz), and
#! tools/gpu_out_check.sh checks it against the tool's limits at the end. The last lines of stdout
#! are a table of the steps (the tool returns the last 12 kB of output).
#!
#! usage: bash tools/gpu_lease.sh [--rehearse] [--only N,N,...]
#!   --rehearse  (or MEMLIF_LEASE_REHEARSE=1) on a machine without a GPU: the GPU steps report
#!               "no device" and are skipped; their binaries are only started to list their tests;
#!               step 5 runs a tiny CPU stand-in through the same measuring code; everything else
#!               (SUMMARY.txt, the tarball, the limit check, the time budget) as on the GPU machine.
#!               $OUT defaults to a new folder under /tmp.
#!   --only      run only these steps (preflight always runs), e.g. --only 5 for a rerun.
#! env: OUT (required on the GPU machine), MEMLIF_BUNDLE (build-gpu; if that folder is absent,
#!      MEMLIF_BUNDLE_PACK/bundle.tgz is unpacked, default build-gpu-pack), MEMLIF_LEASE_BUDGET_S (480),
#!      MEMLIF_LEASE_KILL_AFTER_STEP (tests: SIGKILL itself after that step, to show what is left)
#! exit: 0 every step that ran passed; 1 a step failed; 2 preflight stopped the run; 3 nothing
#!       failed but a step was skipped for lack of time or ended at its timeout
set -u -o pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/gpu_libs.sh
source "$here/gpu_libs.sh"

rehearse="${MEMLIF_LEASE_REHEARSE:-0}"
[ "$rehearse" = "0" ] || rehearse=1
only=""
while [ $# -gt 0 ]; do
    case "$1" in
    --rehearse) rehearse=1 ;;
    --only)
        shift
        only=",${1:-},"
        ;;
    -h | --help)
        sed -n 's/^#! \{0,1\}//p' "${BASH_SOURCE[0]}"
        exit 0
        ;;
    *)
        echo "gpu_lease: unknown argument '$1' (see --help)" >&2
        exit 2
        ;;
    esac
    shift
done

budget="${MEMLIF_LEASE_BUDGET_S:-480}"
bundle="${MEMLIF_BUNDLE:-build-gpu}"
if [ "$rehearse" = 1 ]; then
    OUT="${OUT:-$(mktemp -d /tmp/memlif-lease-out.XXXXXX)}"
elif [ -z "${OUT:-}" ]; then
    echo "gpu_lease: OUT is not set (the device tool sets it; use --rehearse here)" >&2
    exit 2
fi
mkdir -p "$OUT" || exit 2
OUT="$(cd "$OUT" && pwd)"
scratch="$(mktemp -d /tmp/memlif-lease.XXXXXX)" || exit 2
# The bundle travels packed (tools/gpu_bundle.sh: build-gpu-pack/bundle.tgz, a third of its size):
# without the folder it is unpacked into the scratch space first.
pack="${MEMLIF_BUNDLE_PACK:-build-gpu-pack}"
unpacked=""
if [ ! -d "$bundle" ] && [ -f "$pack/bundle.tgz" ]; then
    t_unpack=$SECONDS
    if ! tar -xzf "$pack/bundle.tgz" -C "$scratch"; then
        echo "gpu_lease: cannot unpack $pack/bundle.tgz into $scratch" >&2
        exit 2
    fi
    bundle="$scratch/build-gpu"
    unpacked="unpacked $pack/bundle.tgz in $((SECONDS - t_unpack)) s"
fi
logs="$scratch/logs"
mkdir -p "$logs"
summary="$OUT/SUMMARY.txt"
: > "$summary"
t0=$SECONDS
pack_reserve=15

# Step table: name, cap (s), floor (s: below this the step is not started), mandatory.
names=("" preflight default-tests nofmad-tests benchmarks sweep torch-peer sanitizer device-oom)
caps=(0 60 180 100 150 300 120 150 60)
floors=(0 0 60 30 45 60 40 30 25)
mandatory=(0 1 1 1 1 1 0 0 1)
status=() secs=() detail=()
failed=0 incomplete=0

elapsed() { echo $((SECONDS - t0)); }
joined() { # ITEMS...: "a; b; c"
    local IFS=$'\x1f'
    local all="$*"
    echo "${all//$'\x1f'/; }"
}
line() { echo "$*" | tee -a "$summary"; }

pack() {
    tar -czf "$OUT/logs.tgz.part" -C "$scratch" logs 2>/dev/null &&
        mv -f "$OUT/logs.tgz.part" "$OUT/logs.tgz"
}

selected() { [ -z "$only" ] || [ "$1" = 1 ] || [[ "$only" == *",$1,"* ]]; }

#! Seconds step $1 may use: its cap, or what the budget leaves after the floors of the later
#! mandatory steps and the final packing; empty when that is under the step's floor.
step_timeout() {
    local i=$1 reserve=$pack_reserve j
    for ((j = i + 1; j < ${#names[@]}; ++j)); do
        # (a step that already ran, as 8 does before 6 and 7, needs nothing more)
        if [ "${mandatory[$j]}" = 1 ] && selected "$j" && [ -z "${status[$j]:-}" ]; then
            reserve=$((reserve + floors[j]))
        fi
    done
    local t=$((budget - $(elapsed) - reserve))
    [ "$t" -gt "${caps[$i]}" ] && t=${caps[$i]}
    [ "$t" -ge "${floors[$i]}" ] && [ "$t" -gt 0 ] && echo "$t"
}

#! Records the end of step $1: STATUS DETAIL; re-tars the logs.
finish_step() {
    local i=$1 st=$2 d=$3
    status[$i]=$st
    secs[$i]=$(($(elapsed) - ${start[$i]:-$(elapsed)}))
    detail[$i]=$d
    line "STEP $i ${names[$i]} $st ${secs[$i]}s $d"
    case "$st" in
    FAIL | STOP) failed=1 ;;
    TIMEOUT | PARTIAL) incomplete=1 ;;
    SKIP) [[ "$d" == time* ]] && [ "${mandatory[$i]}" = 1 ] && incomplete=1 ;;
    esac
    pack
    if [ "${MEMLIF_LEASE_KILL_AFTER_STEP:-0}" = "$i" ]; then kill -KILL $$; fi
}

declare -A start
begin_step() { start[$1]=$(elapsed); }

lib_env=(env "LD_LIBRARY_PATH=$PWD/$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
# shellcheck disable=SC2206
[[ "$bundle" == /* ]] && lib_env=(env "LD_LIBRARY_PATH=$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
libdir="${lib_env[1]#LD_LIBRARY_PATH=}"
libdir="${libdir%%:*}"

bin_default=("$bundle/default/cuda_backend_test" "$bundle/default/cuda_estimators_test"
             "$bundle/default/cuda_device_protocols_test" "$bundle/default/cuda_multi_device_test")
bin_nofmad=("$bundle/nofmad/cuda_backend_test" "$bundle/nofmad/cuda_estimators_test")
memlif="$bundle/default/memlif"
bench_default="$bundle/default/memlif_bench"
bench_minb8="$bundle/minblocks8/memlif_bench"
peer_words="$bundle/default/memlif_peer_words"
all_bins=("$memlif" "${bin_default[@]}" "$bench_default" "$peer_words" "${bin_nofmad[@]}" "$bench_minb8")

{
    echo "memlif GPU lease $( [ "$rehearse" = 1 ] && echo "REHEARSAL" ) $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "budget ${budget}s; OUT=$OUT; scratch=$scratch; bundle=$bundle${unpacked:+ ($unpacked)}"
    echo "plan (cap/floor s):$(for ((i = 1; i < ${#names[@]}; ++i)); do printf ' %s=%s/%s' "${names[$i]}" "${caps[$i]}" "${floors[$i]}"; done)"
} | tee -a "$summary"
floor_sum=$pack_reserve
for ((i = 1; i < ${#names[@]}; ++i)); do
    [ "${mandatory[$i]}" = 1 ] && floor_sum=$((floor_sum + floors[i]))
done
if [ "$floor_sum" -gt "$budget" ]; then
    line "PLAN the mandatory floors (${floor_sum}s) exceed the budget (${budget}s)"
    failed=1
fi

# ---------------------------------------------------------------------------------------------
# 1 preflight

gpu=0
preflight() {
    local log="$logs/01-preflight.log" stop="" missing=0 b
    local -A outside_libs=()
    begin_step 1
    {
        echo "--- date"; date -u
        echo "--- git"; git rev-parse HEAD 2>&1; git status --porcelain 2>&1 | head -20
        echo "--- uname"; uname -a
        echo "--- os-release"; cat /etc/os-release 2>&1
        echo "--- cpus / memory / disk"; nproc; free -g 2>&1; df -h /tmp 2>&1
        echo "--- nvidia-smi -L"; timeout 20 nvidia-smi -L 2>&1
        echo "--- nvidia-smi"; timeout 20 nvidia-smi 2>&1
        echo "--- compute-sanitizer"; command -v compute-sanitizer 2>&1 || ls /usr/local/cuda/bin/compute-sanitizer 2>&1
        echo "--- bundle manifest"; cat "$bundle/MANIFEST.txt" 2>&1
    } > "$log" 2>&1
    cp "$bundle"/ptxas-*.txt "$logs/" 2>/dev/null
    local smi
    smi=$(timeout 20 nvidia-smi -L 2>/dev/null)
    grep -q '^GPU ' <<< "$smi" && gpu=1
    local os
    os="$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-?}")"
    line "INFO os: ${os:-unknown}; $(uname -m); $(nproc) cores"
    line "INFO gpu: $( [ "$gpu" = 1 ] && grep '^GPU ' <<< "$smi" | tr '\n' ' ' || echo "no device")"
    for b in "${all_bins[@]}"; do
        echo "--- ldd $b (LD_LIBRARY_PATH=$libdir)" >> "$log"
        if [ ! -x "$b" ]; then
            echo "MISSING $b" >> "$log"
            line "PREFLIGHT missing binary: $b (build the bundle: tools/gpu_bundle.sh)"
            missing=$((missing + 1))
            continue
        fi
        "${lib_env[@]}" ldd "$b" > "$scratch/ldd.txt" 2>&1
        cat "$scratch/ldd.txt" >> "$log"
        if grep -q 'not found' "$scratch/ldd.txt"; then
            line "PREFLIGHT $b: $(grep 'not found' "$scratch/ldd.txt" | sed 's/^[[:space:]]*//' | head -3 | tr '\n' ';')"
            missing=$((missing + 1))
        fi
        # Resolved outside the carried folder and not the machine's own C library family.
        while read -r soname _ path _; do
            [ -n "${path:-}" ] || continue
            [[ "$soname" =~ $MEMLIF_SYSTEM_LIB_RE ]] && continue
            case "$path" in "$libdir"/*) ;; *)
                echo "OUTSIDE $soname => $path" >> "$log"
                outside_libs[$soname]=1 ;;
            esac
        done < <(grep '=>' "$scratch/ldd.txt")
    done
    if [ "$missing" -eq 0 ]; then
        "${lib_env[@]}" "$memlif" --version >> "$log" 2>&1 || {
            line "PREFLIGHT $memlif --version failed"
            missing=$((missing + 1))
        }
    fi
    [ "$missing" -gt 0 ] && stop="$missing problem(s) with the carried binaries (see 01-preflight.log)"
    if [ -z "$stop" ] && [ "$gpu" = 0 ] && [ "$rehearse" = 0 ]; then
        stop="no GPU visible (nvidia-smi -L)"
    fi
    local d="binaries ${#all_bins[@]}, libraries resolved outside $bundle/lib: ${#outside_libs[@]}"
    [ "$rehearse" = 1 ] && d="$d; rehearsal: the GPU steps are skipped (no device)"
    if [ -n "$stop" ]; then
        finish_step 1 STOP "$stop"
        return 1
    fi
    finish_step 1 PASS "$d"
}

# ---------------------------------------------------------------------------------------------
# gtest and benchmark runners

#! run_gtest LABEL BIN TIMEOUT [FILTER]: prints "LABEL: P/T passed" or the failure; returns rc.
run_gtest() {
    local label=$1 bin=$2 t=$3 filter=${4:-} log="$logs/$1.log"
    local args=("--gtest_output=json:$logs/$label.json")
    [ -n "$filter" ] && args+=("--gtest_filter=$filter")
    timeout -k 10 "$t" "${lib_env[@]}" MEMLIF_REQUIRE_GPU=1 "$bin" "${args[@]}" > "$log" 2>&1
    local rc=$?
    local total passed failed
    total=$(sed -nE 's/^\[==========\] ([0-9]+) tests? from .* ran\..*/\1/p' "$log" | tail -1)
    passed=$(sed -nE 's/^\[  PASSED  \] ([0-9]+) tests?\..*/\1/p' "$log" | tail -1)
    failed=$(sed -nE 's/^\[  FAILED  \] ([0-9]+) tests?, listed below.*/\1/p' "$log" | tail -1)
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        echo "$label: TIMEOUT after ${t}s in $(grep '^\[ RUN      \]' "$log" | tail -1 | sed 's/^\[ RUN      \] //')"
    elif [ "$rc" = 0 ] && [ "${total:-0}" = 0 ]; then
        echo "$label: FAILED: no test ran (filter '${filter:-*}')"
        return 1
    elif [ "$rc" = 0 ]; then
        echo "$label: ${passed:-?}/${total:-?} passed"
    else
        local names n_names
        names=$(sed -nE 's/^\[  FAILED  \] ([A-Za-z].*)/\1/p' "$log" | sed 's/ (.*//; s/, where .*//' | sort -u)
        n_names=$(grep -c . <<< "$names")
        echo "$label: FAILED (exit $rc) ${failed:-?} of ${total:-?}: $(head -4 <<< "$names" | tr '\n' ' ')$([ "$n_names" -gt 4 ] && echo "+$((n_names - 4)) more")"
    fi
    return "$rc"
}

#! list_gtest LABEL BIN: rehearsal stand-in, the binary starts and lists its tests.
list_gtest() {
    local n
    if n=$("${lib_env[@]}" MEMLIF_DISABLE_DEVICE=1 "$2" --gtest_list_tests 2> "$logs/$1.log" | grep -c '^  '); then
        echo "$1: lists $n tests"
    else
        echo "$1: FAILED to list its tests"
        return 1
    fi
}

#! step_tests STEP FLAVOUR FILTER_BACKEND FILTER_ESTIMATORS BINARIES...
step_tests() {
    local i=$1 flavour=$2 fb=$3 fe=$4
    shift 4
    begin_step "$i"
    local t
    t=$(step_timeout "$i") || { finish_step "$i" SKIP "time (under ${floors[$i]}s left)"; return; }
    local out=() rc=0 r
    if [ "$rehearse" = 1 ] || [ "$gpu" = 0 ]; then
        for b in "$@"; do
            r=$(list_gtest "$flavour-$(basename "$b")" "$b") || rc=1
            out+=("$r")
        done
        if [ "$rc" = 0 ]; then finish_step "$i" SKIP "no device; $(joined "${out[@]}")"; else finish_step "$i" FAIL "$(joined "${out[@]}")"; fi
        return
    fi
    # The first binary may use the step's time less a third of its floor, kept for the second.
    r=$(run_gtest "$flavour-$(basename "$1")" "$1" $((t - floors[i] / 3)) "$fb")
    local rc1=$?
    out+=("$r")
    local t_left=$((t - ($(elapsed) - start[$i])))
    if [ "$t_left" -lt 10 ]; then
        out+=("$flavour-$(basename "$2"): not run (time)")
        rc=124
    else
        r=$(run_gtest "$flavour-$(basename "$2")" "$2" "$t_left" "$fe")
        rc=$?
        out+=("$r")
    fi
    # Further binaries (the device protocols) run unfiltered in what is left of the step.
    local rc3=0 b3
    for b3 in "${@:3}"; do
        t_left=$((t - ($(elapsed) - start[$i])))
        if [ "$t_left" -lt 10 ]; then
            out+=("$flavour-$(basename "$b3"): not run (time)")
            rc3=124
            continue
        fi
        r=$(run_gtest "$flavour-$(basename "$b3")" "$b3" "$t_left" "")
        local rc_b=$?
        [ "$rc_b" = 0 ] || rc3=$rc_b
        out+=("$r")
    done
    grep -h '^\[ parity \]' "$logs/$flavour"-*.log 2>/dev/null | sed 's/^\[ parity \] /  parity: /' | tee -a "$summary"
    local st=PASS
    for r in "$rc1" "$rc" "$rc3"; do
        case "$r" in 0) ;; 124 | 137) [ "$st" = PASS ] && st=TIMEOUT ;; *) st=FAIL ;; esac
    done
    finish_step "$i" "$st" "$(joined "${out[@]}")"
}

#! bench_summary JSON: "name median trials/s" lines of the aggregates (python3 reads the JSON).
bench_summary() {
    python3 - "$1" << 'EOF' 2>/dev/null || echo "  (no summary: see $(basename "$1"))"
import json, sys
d = json.load(open(sys.argv[1]))
seen = set()
for b in d.get("benchmarks", []):
    if b.get("aggregate_name") == "median":
        ips = b.get("items_per_second", 0.0)
        print("  %-34s median %9.3f %-2s  %.3e trials/s" % (b["run_name"], b["real_time"], b["time_unit"], ips))
    if b.get("error_occurred") and b.get("run_name", b["name"]) not in seen:
        seen.add(b.get("run_name", b["name"]))
        print("  %-34s ERROR %s" % (b.get("run_name", b["name"]), b.get("error_message", "")))
EOF
}

#! run_bench LABEL BIN FILTER TIMEOUT: 3 repetitions, JSON; an error inside a benchmark fails.
run_bench() {
    local label=$1 bin=$2 filter=$3 t=$4 json="$logs/$1.json"
    timeout -k 10 "$t" "${lib_env[@]}" "$bin" --benchmark_filter="$filter" \
        --benchmark_repetitions=3 --benchmark_out="$json" --benchmark_out_format=json \
        > "$logs/$label.log" 2>&1
    local rc=$?
    # Google Benchmark exits 0 when a benchmark skips with an error ("no CUDA device") and when
    # the filter matches nothing (a bundle built without CUDA): both are failures here.
    if [ "$rc" = 0 ] && grep -q '"error_occurred": true' "$json" 2>/dev/null; then rc=1; fi
    if [ "$rc" = 0 ] && ! grep -q '"run_name"' "$json" 2>/dev/null; then
        echo "no benchmark matched '$filter'" >> "$logs/$label.log"
        rc=1
    fi
    [ -s "$json" ] && bench_summary "$json" | tee -a "$summary" >&2
    return "$rc"
}

step_benchmarks() {
    local i=4 t st=PASS out=() rc
    begin_step $i
    t=$(step_timeout $i) || { finish_step $i SKIP "time (under ${floors[$i]}s left)"; return; }
    if [ "$rehearse" = 1 ] || [ "$gpu" = 0 ]; then
        local n1 n2
        n1=$("${lib_env[@]}" MEMLIF_DISABLE_DEVICE=1 "$bench_default" --benchmark_list_tests \
            --benchmark_filter='BM_cuda_' 2> "$logs/bench-list.log" | grep -c .)
        n2=$("${lib_env[@]}" MEMLIF_DISABLE_DEVICE=1 "$bench_minb8" --benchmark_list_tests \
            --benchmark_filter='BM_cuda_kernel' 2>> "$logs/bench-list.log" | grep -c .)
        # A CPU-only build has no CUDA benchmarks to list; the binaries starting is what counts.
        if "${lib_env[@]}" "$bench_default" --benchmark_list_tests > /dev/null 2>&1 &&
            "${lib_env[@]}" "$bench_minb8" --benchmark_list_tests > /dev/null 2>&1; then
            finish_step $i SKIP "no device; default lists $n1 CUDA benchmarks, minblocks8 $n2"
        else
            finish_step $i FAIL "the benchmark binaries do not start (see bench-list.log)"
        fi
        return
    fi
    # Kernel alone (fast), then the pipeline, then the 8-blocks/SM kernel at the two large sizes:
    # separate runs, so a timeout in one keeps the JSON of the others. Shares of the step's time:
    # kernel 30 %, the exact solver 15 %, minblocks8 20 %, the pipeline what is left in between.
    local parts=("bench-kernel-default|$bench_default|BM_cuda_kernel"
        "bench-pipeline-default|$bench_default|BM_cuda_pipeline"
        "bench-exact-default|$bench_default|BM_cuda_exact_(kernel|pipeline)"
        "bench-kernel-minblocks8|$bench_minb8|BM_cuda_kernel/(16777216|67108864)")
    local p label bin filter left tt
    for p in "${parts[@]}"; do
        IFS='|' read -r label bin filter <<< "$p"
        left=$((t - ($(elapsed) - start[$i])))
        case "$label" in
        bench-kernel-default) tt=$((t * 30 / 100)) ;;
        bench-pipeline-default) tt=$((left - t * 35 / 100)) ;;
        bench-exact-default) tt=$((left - t * 20 / 100)) ;;
        *) tt=$left ;;
        esac
        [ "$tt" -gt "$left" ] && tt=$left
        if [ "$tt" -lt 5 ]; then
            out+=("$label: not run (time)")
            st=TIMEOUT
            continue
        fi
        run_bench "$label" "$bin" "$filter" "$tt" 2>&1
        rc=$?
        case "$rc" in
        0) out+=("$label: ok") ;;
        124 | 137)
            out+=("$label: TIMEOUT ${tt}s")
            [ "$st" = PASS ] && st=TIMEOUT
            ;;
        *)
            out+=("$label: FAILED (exit $rc)")
            st=FAIL
            ;;
        esac
    done
    finish_step $i "$st" "$(joined "${out[@]}")"
}

# ---------------------------------------------------------------------------------------------
# 5 the full sweep

step_sweep() {
    local i=5 t
    begin_step $i
    t=$(step_timeout $i) || { finish_step $i SKIP "time (under ${floors[$i]}s left)"; return; }
    local h5="$scratch/sweep.h5" log="$logs/05-sweep.log" backend=cuda
    local sets=(--set stimulus.set=all --set simulation.repeats=1000
        --set 'conductance_grid=[{"kind":"log","start_uS":1.0,"stop_uS":20.0,"n":64}]'
        --set 'information.estimators=["plugin"]')
    local what="65536 x 1000 x 64"
    if [ "$rehearse" = 1 ] || [ "$gpu" = 0 ]; then
        # Same command and measuring code on a card small enough for a CPU: 3876 x 1 x 2.
        backend=cpu
        what="rehearsal stand-in on the CPU, 3876 x 1 x 2"
        sets=(--set stimulus.set=symmetric --set simulation.repeats=1
            --set 'conductance_grid=[{"kind":"list","values_uS":[2.6,6.2]}]'
            --set 'information.estimators=["plugin"]')
    fi
    echo "timeout ${t}s: $memlif run --backend $backend -o $h5 ${sets[*]}" > "$log"
    local w0 w1 rc
    w0=$(date +%s.%N)
    timeout -s TERM -k 20 "$t" "${lib_env[@]}" "$memlif" run --backend "$backend" -o "$h5" \
        "${sets[@]}" >> "$log" 2>&1
    rc=$?
    w1=$(date +%s.%N)
    local wall size report n_trials run_s rate info
    wall=$(awk -v a="$w0" -v b="$w1" 'BEGIN { printf "%.1f", b - a }')
    size=$(stat -c %s "$h5" 2>/dev/null || echo 0)
    report=$(grep -E '^(ran|INTERRUPTED after) [0-9]+ trials' "$log" | tail -1)
    n_trials=$(sed -nE 's/^(ran|INTERRUPTED after) ([0-9]+) trials.*/\2/p' <<< "$report")
    run_s=$(sed -nE 's/.* in ([0-9.]+) s \(.*/\1/p' <<< "$report")
    rate=$(sed -nE 's/.*\(([0-9.e+-]+) trials\/s\).*/\1/p' <<< "$report")
    info=""
    [ -f "$h5" ] && info=$("${lib_env[@]}" "$memlif" info "$h5" 2>&1 | tee -a "$log" | sed -nE 's/^status: +//p')
    rm -f "$h5"
    local d="$what: exit $rc, wall ${wall}s, memlif ${run_s:-?}s, ${n_trials:-?} trials, ${rate:-?} trials/s, file $size B, status ${info:-no file}"
    [ "$rc" = 0 ] || d="$d; $(grep -m1 'error' "$log" | cut -c1-200)"
    local st=PASS
    case "$rc" in
    0) [[ "${info:-}" == complete* ]] || st=FAIL ;;
    124 | 137) st=PARTIAL ;;
    *) st=FAIL ;;
    esac
    [ "$backend" = cpu ] && [ "$st" = PASS ] && { st=SKIP; d="no device; $d"; }
    # The same sweep with the exact solver (goal: under 15 s), in what is left of the step.
    local left=$((t - ($(elapsed) - start[$i])))
    if [ "$st" = PASS ] && [ "$left" -ge 30 ]; then
        local xlog="$logs/05-sweep-exact.log" xrc xw0 xw1 xwall xreport xinfo
        echo "timeout ${left}s: $memlif run --backend $backend -o $h5 ${sets[*]} --set simulation.solver=exact" > "$xlog"
        xw0=$(date +%s.%N)
        timeout -s TERM -k 10 "$left" "${lib_env[@]}" "$memlif" run --backend "$backend" -o "$h5" \
            "${sets[@]}" --set simulation.solver=exact >> "$xlog" 2>&1
        xrc=$?
        xw1=$(date +%s.%N)
        xwall=$(awk -v a="$xw0" -v b="$xw1" 'BEGIN { printf "%.1f", b - a }')
        xreport=$(grep -E '^(ran|INTERRUPTED after) [0-9]+ trials' "$xlog" | tail -1)
        xinfo=""
        [ -f "$h5" ] && xinfo=$("${lib_env[@]}" "$memlif" info "$h5" 2>&1 | tee -a "$xlog" | sed -nE 's/^status: +//p')
        rm -f "$h5"
        d="$d; exact: exit $xrc, wall ${xwall}s, ${xreport:-no report}, status ${xinfo:-no file}"
    fi
    finish_step $i "$st" "$d"
}

# ---------------------------------------------------------------------------------------------
# 6 the PyTorch peer

step_torch_peer() {
    local i=6 t
    begin_step $i
    t=$(step_timeout $i) || { finish_step $i SKIP "time (under ${floors[$i]}s left)"; return; }
    local log="$logs/06-torch-peer.log" csv="$scratch/peer_c2.csv" py rc
    local script="$here/../bench/peers/torch_peer.py"
    py=$(command -v python3)
    if [ "$rehearse" = 1 ] || [ "$gpu" = 0 ]; then
        if [ -n "$py" ] && "$py" -c 'import ast, sys; ast.parse(open(sys.argv[1]).read())' \
            "$script" 2> "$log"; then
            finish_step $i SKIP "no device; torch_peer.py compiles"
        else
            finish_step $i FAIL "bench/peers/torch_peer.py does not compile (see 06-torch-peer.log)"
        fi
        return
    fi
    if ! timeout -k 5 60 "${lib_env[@]}" "$peer_words" 2 15 "$csv" > "$log" 2>&1; then
        finish_step $i FAIL "memlif_peer_words failed (see 06-torch-peer.log)"
        return
    fi
    local left=$((t - ($(elapsed) - start[$i])))
    timeout -k 5 "$left" "$py" "$script" "$csv" --time-limit $((left - 5)) \
        >> "$log" 2>&1
    rc=$?
    grep -E 'trials/s|P\(fire\)|mean z' "$log" | sed 's/^/  torch: /' | tee -a "$summary"
    case "$rc" in
    0) finish_step $i PASS "$(grep -E '^(eager|torch.compile)' "$log" | sed 's/ in .*->/ ->/' | tr '\n' ';')" ;;
    77) finish_step $i SKIP "$(grep -m1 SKIP "$log")" ;;
    124 | 137) finish_step $i TIMEOUT "after ${left}s" ;;
    *) finish_step $i FAIL "exit $rc (see 06-torch-peer.log)" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# 7 compute-sanitizer

step_sanitizer() {
    local i=7 t
    begin_step $i
    t=$(step_timeout $i) || { finish_step $i SKIP "time (under ${floors[$i]}s left)"; return; }
    local cs
    cs=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null)
    if [ "$rehearse" = 1 ] || [ "$gpu" = 0 ]; then finish_step $i SKIP "no device"; return; fi
    if [ -z "$cs" ]; then finish_step $i SKIP "compute-sanitizer not found"; return; fi
    local fb='DeviceCounts.*:DevicePlugin.*:Sweep.ChunkedSweepEqualsHostPathOnSameWords:Sweep.CountsIndependentOfChunking:Sweep.OverlappingConditionsKeepTheirOwnPlugin:Sweep.WithoutProbabilitiesHasNoDevicePlugin'
    local fe='EstimatorsCuda.*:-EstimatorsCuda.LargeStimulusSetMatchesHost'
    local runs=("memcheck|${bin_default[0]}|$fb|45" "memcheck|${bin_default[1]}|$fe|35"
        "initcheck|${bin_default[0]}|Sweep.ChunkedSweepEqualsHostPathOnSameWords|20")
    local p tool bin filter share out=() st=PASS left tt rc label
    for p in "${runs[@]}"; do
        IFS='|' read -r tool bin filter share <<< "$p"
        label="sanitizer-$tool-$(basename "$bin")"
        left=$((t - ($(elapsed) - start[$i])))
        tt=$((t * share / 100))
        [ "$tt" -gt "$left" ] && tt=$left
        if [ "$tt" -lt 10 ]; then out+=("$label: not run (time)"); continue; fi
        timeout -k 10 "$tt" "${lib_env[@]}" MEMLIF_REQUIRE_GPU=1 "$cs" --tool "$tool" \
            --error-exitcode 99 --print-limit 30 "$bin" --gtest_filter="$filter" \
            > "$logs/$label.log" 2>&1
        rc=$?
        local errs
        errs=$(sed -nE 's/^========= ERROR SUMMARY: ([0-9]+) error.*/\1/p' "$logs/$label.log" | tail -1)
        case "$rc" in
        0) out+=("$label: ${errs:-0} errors") ;;
        124 | 137) out+=("$label: TIMEOUT ${tt}s") ;;
        *)
            out+=("$label: exit $rc, ${errs:-?} errors")
            # initcheck is informational: CUB's own temporaries may trip it.
            [ "$tool" = memcheck ] && st=FAIL
            ;;
        esac
    done
    finish_step $i "$st" "$(joined "${out[@]}")"
}

# ---------------------------------------------------------------------------------------------
# 8 device memory held by another process (issue 12: GPU out of memory at start or mid-run)

#! oom_run LABEL FREE_MIB TIMEOUT: the sweep of step 8 while a PyTorch process holds all but
#! FREE_MIB of the device (nothing held when FREE_MIB is "-"); prints "exit RC; MI ...; note".
oom_run() {
    local label=$1 keep=$2 t=$3 log="$logs/08-$1.log" h5="$scratch/oom-$1.h5" hog="" rc k
    local sets=(--set stimulus.set=all --set simulation.repeats=100
        --set 'conductance_grid=[{"kind":"list","values_uS":[2.6,6.2,13.6,20]}]'
        --set 'information.estimators=["plugin"]')
    : > "$log"
    if [ "$keep" != "-" ]; then
        python3 -c '
import sys, time
import torch
free, total = torch.cuda.mem_get_info()
x = torch.empty(max(free - (int(sys.argv[1]) << 20), 0), dtype=torch.uint8, device="cuda")
left, _ = torch.cuda.mem_get_info()
print("hog: holds %d MiB, %d MiB of %d left" % (x.numel() >> 20, left >> 20, total >> 20), flush=True)
time.sleep(600)' "$keep" >> "$log" 2>&1 &
        hog=$!
        for ((k = 0; k < 300; ++k)); do
            grep -q '^hog:' "$log" && break
            kill -0 "$hog" 2> /dev/null || break
            sleep 0.1
        done
        if ! grep -q '^hog:' "$log"; then
            kill "$hog" 2> /dev/null
            wait "$hog" 2> /dev/null
            echo "exit 77; MI none; no hog (torch could not take the memory)"
            return 77
        fi
    fi
    timeout -s TERM -k 10 "$t" "${lib_env[@]}" "$memlif" run --backend cuda -q -o "$h5" \
        "${sets[@]}" >> "$log" 2>&1
    rc=$?
    if [ -n "$hog" ]; then
        kill "$hog" 2> /dev/null
        wait "$hog" 2> /dev/null
    fi
    local mi=""
    [ -f "$h5" ] && mi=$("${lib_env[@]}" "$memlif" info "$h5" 2>&1 | tee -a "$log" |
        awk '/^ *[0-9]+ +[0-9]/ { printf "%s ", $NF }')
    rm -f "$h5" "$h5.partial"
    echo "exit $rc; MI ${mi:-none}; $(grep -m1 -iE 'error|hog:' "$log" | cut -c1-160)"
    return "$rc"
}

step_oom() {
    local i=8 t
    begin_step $i
    t=$(step_timeout $i) || { finish_step $i SKIP "time (under ${floors[$i]}s left)"; return; }
    if [ "$rehearse" = 1 ] || [ "$gpu" = 0 ]; then finish_step $i SKIP "no device"; return; fi
    if ! python3 -c 'import torch; assert torch.cuda.is_available()' > "$logs/08-torch.log" 2>&1; then
        finish_step $i SKIP "torch with CUDA not importable: no process to hold the memory"
        return
    fi
    local free_run tight tiny rc_f rc_t rc_s st=PASS mi_f mi_t
    free_run=$(oom_run free - $((t / 3)))
    rc_f=$?
    tight=$(oom_run tight 1536 $((t / 3)))
    rc_t=$?
    tiny=$(oom_run tiny 64 $((t - ($(elapsed) - start[$i]))))
    rc_s=$?
    mi_f=$(cut -d';' -f2 <<< "$free_run")
    mi_t=$(cut -d';' -f2 <<< "$tight")
    # Unconstrained: must finish. 1536 MiB left: the chunk shrinks and the MI is the unconstrained
    # run's, or a clear CUDA error (exit 1). 64 MiB left: finishing or exit 1 both pass. A signal
    # (> 128), an internal error or a user-error exit does not.
    [ "$rc_f" = 0 ] || st=FAIL
    case "$rc_t" in 0) [ "$mi_t" = "$mi_f" ] || st=FAIL ;; 1 | 77) ;; *) st=FAIL ;; esac
    case "$rc_s" in 0 | 1 | 77) ;; 124 | 137) [ "$st" = PASS ] && st=TIMEOUT ;; *) st=FAIL ;; esac
    finish_step $i "$st" "free: $free_run | 1536 MiB left: $tight | 64 MiB left: $tiny"
}

# ---------------------------------------------------------------------------------------------

run_or_skip() { # STEP FUNCTION ARGS...
    local i=$1
    shift
    if selected "$i"; then "$@"; else
        begin_step "$i"
        finish_step "$i" SKIP "not selected (--only)"
    fi
}

stopped=0
if preflight; then
    run_or_skip 2 step_tests 2 default "" "" "${bin_default[@]}"
    run_or_skip 3 step_tests 3 nofmad '*-Sweep.FullPatternSetThousandRepeatsFits' \
        '*-EstimatorsCuda.LargeStimulusSetMatchesHost' "${bin_nofmad[@]}"
    run_or_skip 4 step_benchmarks
    run_or_skip 5 step_sweep
    run_or_skip 8 step_oom # mandatory, so before the optional steps 6 and 7
    run_or_skip 6 step_torch_peer
    run_or_skip 7 step_sanitizer
else
    stopped=1
fi

total=$(elapsed)
[ "$total" -gt "$budget" ] && { line "BUDGET exceeded: ${total}s > ${budget}s"; incomplete=1; }
code=0
[ "$incomplete" = 1 ] && code=3
[ "$failed" = 1 ] && code=1
[ "$stopped" = 1 ] && code=2
pack
# The limit check sees the final set of files: SUMMARY.txt only grows from here.
check=$("$here/gpu_out_check.sh" "$OUT" 2>&1)
if [ $? != 0 ]; then
    sed 's/^/LIMITS /' <<< "$check" | tee -a "$summary"
    [ "$code" = 0 ] || [ "$code" = 3 ] && code=1
fi
line "RESULT exit $code after ${total}s (budget ${budget}s)$( [ "$rehearse" = 1 ] && echo ", rehearsal")"

# The table last: the device tool returns the end of stdout.
echo
echo "================ memlif GPU lease$( [ "$rehearse" = 1 ] && echo " (rehearsal)") ================"
printf '%-2s %-14s %-8s %6s  %s\n' "#" step status seconds detail
for ((i = 1; i < ${#names[@]}; ++i)); do
    [ -n "${status[$i]:-}" ] || continue
    printf '%-2s %-14s %-8s %6s  %s\n' "$i" "${names[$i]}" "${status[$i]}" "${secs[$i]}" "${detail[$i]}"
done
echo "$check"
echo "exit $code after ${total}s; results in $OUT (SUMMARY.txt, logs.tgz)"
rm -rf "$scratch"
exit "$code"
