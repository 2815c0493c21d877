#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#! \file tests/tools/gpu_lease_test.sh
#! ctest driver for tools/gpu_out_check.sh and the rehearsal of tools/gpu_lease.sh, on this
#! machine (no GPU). The rehearsal runs on a stand-in bundle of symlinks into the current build
#! tree (tools/gpu_bundle.sh rehearses the real bundle itself). In a CPU-only build the CUDA test
#! binaries do not exist; their places are taken by the CPU test binaries of the same folder,
#! which is enough because the rehearsal only starts them to list their tests.
#!
#! usage: gpu_lease_test.sh CASE SOURCE_DIR BUILD_DIR
#!   out_check    good and bad result folders against the limit checker
#!   rehearsal    the whole rehearsal: every step recorded, GPU steps skipped, limits kept
#!   budget       a budget below the plan's floors: steps skipped for time, exit 1, output valid
#!   only         --only 5: the other GPU steps "not selected", the sweep stand-in runs
#!   killed       SIGKILL after step 2: SUMMARY and logs.tgz hold steps 1 and 2, limits kept
#!   missing_lib  a carried binary with a library "not found": preflight stops (exit 2)
#!   dirty_out    $OUT already holds 7 files, one badly named: the lease's own check fails it
#!   packed       the bundle carried as build-gpu-pack/bundle.tgz with no folder: the lease unpacks it
#!                into its scratch space and rehearses as from the folder
#!   fake_gpu     the GPU machine's path (no --rehearse) with a stand-in nvidia-smi and no usable
#!                device: every step runs its real commands, the GPU ones fail, the output is valid
#! exit: 0 pass, 1 fail, 77 skipped (reason printed)
set -u -o pipefail

case_name="${1:?case}"
src="${2:?source dir}"
build="${3:?build dir}"
check="$src/tools/gpu_out_check.sh"
lease="$src/tools/gpu_lease.sh"
work="$(mktemp -d /tmp/memlif-lease-test.XXXXXX)"
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
expect_rc() { # EXPECTED WHAT COMMAND...
    local want=$1 what=$2 got
    shift 2
    "$@" > "$work/last.log" 2>&1
    got=$?
    if [ "$got" = "$want" ]; then
        echo "ok: $what (exit $got)"
    else
        fail "$what: exit $got, expected $want"
        sed 's/^/    /' "$work/last.log"
    fi
}
finish() {
    [ "$failures" = 0 ] && { echo "PASS $case_name"; exit 0; }
    echo "$failures failure(s) in $case_name"
    exit 1
}

#! A stand-in bundle at $work/bundle: the lease's layout, symlinks into the build tree.
make_bundle() {
    local b="$work/bundle" t="$build/tests/cuda"
    mkdir -p "$b/default" "$b/nofmad" "$b/minblocks8" "$b/lib"
    [ -x "$build/memlif" ] || { echo "SKIP: $build/memlif not built"; exit 77; }
    [ -x "$build/bench/memlif_bench" ] ||
        { echo "SKIP: no memlif_bench in $build (Google Benchmark not found at configure)"; exit 77; }
    local backend="$t/cuda_backend_test" estimators="$t/cuda_estimators_test"
    local protocols="$t/cuda_device_protocols_test"
    if [ ! -x "$backend" ]; then
        echo "note: CPU-only build, CPU test binaries stand in for the CUDA ones"
        backend="$t/cuda_device_count_test"
        estimators="$t/cuda_estimators_refusal_test"
        protocols="$t/cuda_device_count_test"
    fi
    for f in "$backend" "$estimators" "$protocols"; do
        [ -x "$f" ] || { echo "SKIP: $f not built"; exit 77; }
    done
    ln -s "$build/memlif" "$b/default/memlif"
    ln -s "$build/bench/memlif_bench" "$b/default/memlif_bench"
    ln -s "$build/bench/memlif_bench" "$b/minblocks8/memlif_bench"
    ln -s "$protocols" "$b/default/cuda_device_protocols_test"
    ln -s "$protocols" "$b/default/cuda_multi_device_test"
    [ -x "$build/bench/memlif_peer_words" ] || { echo "SKIP: no memlif_peer_words in $build"; exit 77; }
    ln -s "$build/bench/memlif_peer_words" "$b/default/memlif_peer_words"
    for flavour in default nofmad; do
        ln -s "$backend" "$b/$flavour/cuda_backend_test"
        ln -s "$estimators" "$b/$flavour/cuda_estimators_test"
    done
}

rehearse() { # extra env assignments..., then runs the lease; output in $work/out
    rm -rf "$work/out"
    mkdir -p "$work/out"
    env "$@" OUT="$work/out" MEMLIF_BUNDLE="$work/bundle" bash "$lease" --rehearse \
        > "$work/lease.log" 2>&1
}

summary_has() { # PATTERN WHAT
    if grep -qE "$1" "$work/out/SUMMARY.txt"; then echo "ok: $2"; else
        fail "$2: no line matching '$1' in SUMMARY.txt"
        sed 's/^/    /' "$work/out/SUMMARY.txt"
    fi
}
tar_has() { # MEMBER (the listing is read whole: grep -q would cut tar off with SIGPIPE)
    local members
    members=$(tar -tzf "$work/out/logs.tgz")
    if grep -qx "$1" <<< "$members"; then echo "ok: logs.tgz holds $1"; else
        fail "logs.tgz lacks $1: $(tr '\n' ' ' <<< "$members")"
    fi
}
limits_ok() { expect_rc 0 "the results keep the tool's limits" "$check" "$work/out"; }

case "$case_name" in
out_check)
    d="$work/good"
    mkdir -p "$d/a/b"
    echo x > "$d/SUMMARY.txt"
    echo x > "$d/logs.tgz"
    echo x > "$d/a/b/deep_ok-1.json"
    expect_rc 0 "2 folders down, good names" "$check" "$d"
    d="$work/many"
    mkdir -p "$d"
    for i in 1 2 3 4 5 6 7 8 9; do echo x > "$d/f$i.txt"; done
    expect_rc 1 "9 files" "$check" "$d"
    rm "$d/f9.txt"
    expect_rc 0 "8 files" "$check" "$d"
    d="$work/deep"
    mkdir -p "$d/a/b/c"
    echo x > "$d/a/b/c/file.txt"
    expect_rc 1 "a file 3 folders down" "$check" "$d"
    for bad in "with space.txt" "r$(printf '\xc3\xa9')sum$(printf '\xc3\xa9').txt" 'a:b.txt' 'x~'; do
        d="$work/name"
        rm -rf "$d"
        mkdir -p "$d"
        echo x > "$d/$bad"
        expect_rc 1 "name '$bad'" "$check" "$d"
    done
    d="$work/badfolder"
    mkdir -p "$d/bad folder"
    echo x > "$d/bad folder/ok.txt"
    expect_rc 1 "a folder name with a space" "$check" "$d"
    d="$work/link"
    mkdir -p "$d"
    echo x > "$d/real.txt"
    ln -s real.txt "$d/link.txt"
    expect_rc 1 "a symbolic link" "$check" "$d"
    d="$work/fifo"
    mkdir -p "$d"
    mkfifo "$d/pipe"
    expect_rc 1 "a named pipe" "$check" "$d"
    d="$work/big"
    mkdir -p "$d"
    head -c $((2 * 1024 * 1024)) /dev/zero > "$d/big.bin"
    expect_rc 1 "a file over the per-file limit" env GPU_OUT_MAX_FILE_MIB=1 "$check" "$d"
    head -c $((700 * 1024)) /dev/zero > "$d/big.bin"
    cp "$d/big.bin" "$d/big2.bin"
    expect_rc 0 "two files under the per-file limit" env GPU_OUT_MAX_FILE_MIB=1 "$check" "$d"
    expect_rc 1 "together over the total limit" env GPU_OUT_MAX_TOTAL_MIB=1 "$check" "$d"
    expect_rc 2 "no folder given" "$check"
    ;;
rehearsal)
    make_bundle
    t0=$SECONDS
    expect_rc 0 "the rehearsal" rehearse
    cat "$work/lease.log"
    echo "rehearsal took $((SECONDS - t0)) s"
    summary_has '^STEP 1 preflight PASS ' "preflight passes"
    for s in "2 default-tests" "3 nofmad-tests" "4 benchmarks" "6 torch-peer" "7 sanitizer" "8 device-oom"; do
        summary_has "^STEP $s SKIP [0-9]+s no device" "step $s skipped: no device"
    done
    summary_has '^STEP 2 default-tests SKIP .*cuda_backend_test: lists [0-9]+ tests' \
        "the default test binaries start"
    summary_has '^STEP 5 sweep SKIP .*stand-in.*exit 0, wall [0-9.]+s, .* [0-9]+ trials, [0-9.e+]+ trials/s, file [1-9][0-9]* B, status complete' \
        "the sweep's measuring code on the stand-in"
    summary_has '^RESULT exit 0 ' "result line"
    tar_has logs/01-preflight.log
    tar_has logs/05-sweep.log
    limits_ok
    ;;
packed)
    make_bundle
    mkdir -p "$work/pack"
    tar -C "$work" --transform 's,^bundle,build-gpu,' -czf "$work/pack/bundle.tgz" bundle
    rm -rf "$work/bundle"
    expect_rc 0 "the rehearsal from the pack" env OUT="$work/out" MEMLIF_BUNDLE="$work/bundle" \
        MEMLIF_BUNDLE_PACK="$work/pack" bash "$lease" --rehearse
    summary_has "bundle=/tmp/memlif-lease\\.[A-Za-z0-9]+/build-gpu \\(unpacked $work/pack/bundle.tgz" \
        "the pack is unpacked into the scratch space"
    summary_has '^STEP 1 preflight PASS ' "preflight passes on the unpacked bundle"
    summary_has '^RESULT exit 0 ' "result line"
    limits_ok
    expect_rc 2 "neither folder nor pack: preflight stops" env OUT="$work/out" \
        MEMLIF_BUNDLE="$work/bundle" MEMLIF_BUNDLE_PACK="$work/none" bash "$lease" --rehearse
    ;;
budget)
    make_bundle
    expect_rc 1 "a budget below the plan's floors" rehearse MEMLIF_LEASE_BUDGET_S=60
    summary_has '^PLAN the mandatory floors' "the plan is refused"
    for s in "2 default-tests" "3 nofmad-tests" "4 benchmarks" "5 sweep"; do
        summary_has "^STEP $s SKIP [0-9]+s time" "step $s skipped for time"
    done
    limits_ok
    ;;
only)
    make_bundle
    rm -rf "$work/out"
    mkdir -p "$work/out"
    expect_rc 0 "--only 5" env OUT="$work/out" MEMLIF_BUNDLE="$work/bundle" bash "$lease" \
        --rehearse --only 5
    summary_has '^STEP 2 default-tests SKIP 0s not selected' "step 2 not selected"
    summary_has '^STEP 5 sweep SKIP .*status complete' "the sweep stand-in ran"
    limits_ok
    ;;
killed)
    make_bundle
    expect_rc 137 "SIGKILL after step 2" rehearse MEMLIF_LEASE_KILL_AFTER_STEP=2
    summary_has '^STEP 2 default-tests ' "step 2 recorded"
    if grep -q '^STEP 3' "$work/out/SUMMARY.txt"; then fail "step 3 ran after the kill"; fi
    tar_has logs/01-preflight.log
    limits_ok
    ;;
missing_lib)
    make_bundle
    cc="${CC:-cc}"
    command -v "$cc" > /dev/null || { echo "SKIP: no C compiler ($cc)"; exit 77; }
    mkdir -p "$work/prog"
    echo 'int memlif_gone(void) { return 0; }' > "$work/prog/gone.c"
    echo 'int memlif_gone(void); int main(void) { return memlif_gone(); }' > "$work/prog/main.c"
    "$cc" -shared -fPIC -o "$work/prog/libmemlif_gone.so" "$work/prog/gone.c" &&
        "$cc" -o "$work/prog/memlif" "$work/prog/main.c" -L"$work/prog" -lmemlif_gone ||
        { fail "cannot build the test program"; finish; }
    rm "$work/prog/libmemlif_gone.so"
    rm "$work/bundle/default/memlif"
    cp "$work/prog/memlif" "$work/bundle/default/memlif"
    expect_rc 2 "preflight stops" rehearse
    summary_has 'libmemlif_gone\.so => not found' "the missing library is named"
    summary_has '^STEP 1 preflight STOP ' "preflight records the stop"
    if grep -q '^STEP 2' "$work/out/SUMMARY.txt"; then fail "step 2 ran after the stop"; fi
    limits_ok
    ;;
dirty_out)
    make_bundle
    rm -rf "$work/out"
    mkdir -p "$work/out/a/b/c"
    for i in 1 2 3 4 5 6; do echo x > "$work/out/old$i.txt"; done
    echo x > "$work/out/a/b/c/bad name.txt"
    expect_rc 1 "the lease on an \$OUT that breaks the limits" env OUT="$work/out" \
        MEMLIF_BUNDLE="$work/bundle" bash "$lease" --rehearse
    summary_has '^LIMITS .*9 files, at most 8 come back' "the file count is reported"
    summary_has '^LIMITS .*more than 2 folders down' "the depth is reported"
    summary_has '^LIMITS .*name not in' "the name is reported"
    ;;
fake_gpu)
    make_bundle
    mkdir -p "$work/fakebin"
    printf '#!/bin/sh\necho "GPU 0: stand-in (UUID: GPU-0)"\n' > "$work/fakebin/nvidia-smi"
    chmod +x "$work/fakebin/nvidia-smi"
    rm -rf "$work/out"
    mkdir -p "$work/out"
    expect_rc 1 "the GPU path without a usable device" env PATH="$work/fakebin:$PATH" \
        OUT="$work/out" MEMLIF_BUNDLE="$work/bundle" MEMLIF_DISABLE_DEVICE=1 bash "$lease"
    summary_has '^INFO gpu: GPU 0: stand-in' "the stand-in GPU is seen"
    summary_has '^STEP 2 default-tests (PASS|FAIL) [0-9]+s default-cuda_backend_test: ' \
        "the default test binaries ran"
    summary_has '^STEP 3 nofmad-tests (PASS|FAIL) [0-9]+s nofmad-cuda_backend_test: ' \
        "the -fmad=false test binaries ran"
    summary_has '^STEP 4 benchmarks FAIL .*bench-kernel-default: FAILED' "benchmarks fail"
    summary_has '^STEP 5 sweep FAIL .*65536 x 1000 x 64: exit [1-9]' "the sweep fails"
    summary_has '^STEP 6 torch-peer (SKIP|FAIL|PASS) ' "the torch peer step"
    summary_has '^STEP 7 sanitizer (SKIP|FAIL) ' "the sanitizer step"
    summary_has '^STEP 8 device-oom (SKIP|FAIL) ' "the device-memory step"
    tar_has logs/default-cuda_backend_test.log
    tar_has logs/bench-kernel-default.log
    limits_ok
    ;;
*)
    echo "unknown case $case_name"
    exit 1
    ;;
esac
finish
