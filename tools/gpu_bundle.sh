#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#! \file tools/gpu_bundle.sh
#! Builds here (Debian 12, nvcc, sm_90) everything the GPU check runs on the lent GPU machine, and
#! collects it into one git-ignored folder that travels with the call (`carry`): that machine has
#! none of our C++ dependencies, so nothing is built there.
#!
#! Builds, each in its own tree under build-bundle/ (Release, CMAKE_CUDA_ARCHITECTURES=90, ptxas
#! resource report on):
#!   default     memlif, cuda_backend_test, cuda_estimators_test, cuda_device_protocols_test,
#!               cuda_multi_device_test, memlif_bench, memlif_peer_words
#!   nofmad      -DMEMLIF_CUDA_NO_FMAD=ON: cuda_backend_test, cuda_estimators_test (bitwise parity)
#!   minblocks8  -DMEMLIF_CUDA_MIN_BLOCKS=8: memlif_bench (the 32-register kernel variant)
#! Collects into build-gpu/: default/, nofmad/, minblocks8/ (the executables, stripped), lib/ (the
#! ldd closure of all of them without the C library family and the GCC runtime, which the GPU
#! machine has in newer versions: tools/gpu_libs.sh), ptxas-*.txt (resource reports) and
#! MANIFEST.txt (provenance, build options, required symbol versions, sizes, sha256).
#!
#! Then packs build-gpu/ into build-gpu-pack/bundle.tgz, which is what travels (the nine binaries
#! and their libraries were 59 MiB unpacked, close to the call's 64 MiB with the working tree; the
#! lease unpacks it into /tmp first).
#!
#! Checks: every carried binary resolves all its libraries from lib/ or the system family; the
#! newest GLIBC_/GLIBCXX_ version needed is what Ubuntu 24.04 provides; the pack is under
#! MEMLIF_BUNDLE_MAX_MIB (40) and, with the working tree that travels too, under 60 MiB; finally
#! `tools/gpu_lease.sh --rehearse` runs on the pack, unpacked as on the GPU machine. Prints the
#! sizes. Exit 1 on any failure.
#!
#! usage: tools/gpu_bundle.sh [-j N]        (run from anywhere; N defaults to 2)
#! env:   MEMLIF_BUNDLE (build-gpu), MEMLIF_BUNDLE_BUILDS (build-bundle), MEMLIF_BUNDLE_MAX_MIB (40)
set -u -o pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/gpu_libs.sh
source "$repo/tools/gpu_libs.sh"
jobs=2
while [ $# -gt 0 ]; do
    case "$1" in
    -j)
        shift
        jobs="${1:?-j needs a number}"
        ;;
    -j*) jobs="${1#-j}" ;;
    -h | --help)
        sed -n 's/^#! \{0,1\}//p' "${BASH_SOURCE[0]}"
        exit 0
        ;;
    *)
        echo "gpu_bundle: unknown argument '$1'" >&2
        exit 2
        ;;
    esac
    shift
done
cd "$repo" || exit 1
bundle="${MEMLIF_BUNDLE:-build-gpu}"
builds="${MEMLIF_BUNDLE_BUILDS:-build-bundle}"
max_mib="${MEMLIF_BUNDLE_MAX_MIB:-40}"
max_travel_mib=60
# The GPU machine: Ubuntu 24.04, glibc 2.39, libstdc++ of GCC 13 or newer (GLIBCXX_3.4.32).
target_glibc=2.39
target_glibcxx=3.4.32

die() {
    echo "gpu_bundle: $*" >&2
    exit 1
}
command -v nvcc > /dev/null || die "nvcc is not on PATH: the bundle needs the CUDA build"
git check-ignore -q "$bundle/" || die "$bundle is not git-ignored: it must travel only as carry"
git check-ignore -q "$builds/" || die "$builds is not git-ignored"
generator=()
command -v ninja > /dev/null && generator=(-G Ninja)

#! build NAME TARGETS -- CMAKE_ARGS...: configure and build one tree; keep its ptxas report.
build() {
    local name=$1 dir="$builds/$1" targets=() log
    shift
    while [ "$1" != "--" ]; do
        targets+=("$1")
        shift
    done
    shift
    log="$dir.log"
    # MPI off: the lease runs one process, and Open MPI's dlopen'ed components would not travel.
    echo ">>> build $name: ${targets[*]} ($*)"
    mkdir -p "$builds"
    if ! { cmake -S "$repo" -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_CUDA_ARCHITECTURES=90 -DMEMLIF_CUDA_PTXAS_VERBOSE=ON -DMEMLIF_ENABLE_MPI=OFF "$@" &&
        nice cmake --build "$dir" -j "$jobs" --target "${targets[@]}"; } > "$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "build $name failed (full log: $log)"
    fi
    grep -q '^CMAKE_CUDA_COMPILER:' "$dir/CMakeCache.txt" || die "build $name has no CUDA"
    if grep -qiE 'warning[: ]' "$log"; then
        grep -iE 'warning[: ]' "$log" | head -5 >&2
        die "build $name has warnings (full log: $log)"
    fi
    # ptxas reports only what it compiled this time; keep the last complete report.
    if grep -q 'ptxas info' "$log"; then
        grep -E 'ptxas info|bytes stack frame' "$log" > "$dir/ptxas.txt"
    fi
}

build default memlif cuda_backend_test cuda_estimators_test cuda_device_protocols_test \
    cuda_multi_device_test memlif_bench memlif_peer_words -- \
    -DMEMLIF_BUILD_TESTS=ON -DMEMLIF_BUILD_BENCH=ON
build nofmad cuda_backend_test cuda_estimators_test -- \
    -DMEMLIF_CUDA_NO_FMAD=ON -DMEMLIF_BUILD_TESTS=ON -DMEMLIF_BUILD_BENCH=OFF
build minblocks8 memlif_bench -- \
    -DMEMLIF_CUDA_MIN_BLOCKS=8 -DMEMLIF_BUILD_TESTS=OFF -DMEMLIF_BUILD_BENCH=ON

echo ">>> collect into $bundle/"
rm -rf "$bundle"
mkdir -p "$bundle/default" "$bundle/nofmad" "$bundle/minblocks8" "$bundle/lib"
collect() { # BUILD RELATIVE_PATH
    local src="$builds/$1/$2" dst
    dst="$bundle/$1/$(basename "$2")"
    [ -x "$src" ] || die "missing $src"
    cp "$src" "$dst" && strip --strip-unneeded "$dst" || die "cannot copy and strip $src"
}
collect default memlif
collect default tests/cuda/cuda_backend_test
collect default tests/cuda/cuda_estimators_test
collect default tests/cuda/cuda_device_protocols_test
collect default tests/cuda/cuda_multi_device_test
collect default bench/memlif_bench
collect default bench/memlif_peer_words
collect nofmad tests/cuda/cuda_backend_test
collect nofmad tests/cuda/cuda_estimators_test
collect minblocks8 bench/memlif_bench

bins=("$bundle"/default/* "$bundle"/nofmad/* "$bundle"/minblocks8/*)
# The ldd closure, by soname, as regular files (a link would travel as a link only).
for b in "${bins[@]}"; do
    ldd "$b" | grep '=>' | while read -r soname _ path _; do
        [[ "$soname" =~ $MEMLIF_SYSTEM_LIB_RE ]] && continue
        [ -f "$path" ] || die "$b: $soname => $path (not found here)"
        [ -f "$bundle/lib/$soname" ] || cp -L "$path" "$bundle/lib/$soname" || die "copy $path"
    done || exit 1
done

echo ">>> check the closure with LD_LIBRARY_PATH=$bundle/lib"
for b in "${bins[@]}" "$bundle"/lib/*; do
    LD_LIBRARY_PATH="$PWD/$bundle/lib" ldd "$b" | grep '=>' | while read -r soname _ path _; do
        [[ "$soname" =~ $MEMLIF_SYSTEM_LIB_RE ]] && continue
        case "$path" in "$PWD/$bundle/lib/"*) ;; *) die "$b: $soname resolves to $path, not $bundle/lib" ;; esac
    done || exit 1
done

newest() { # PREFIX FILES...: the newest symbol version PREFIX_x.y needed by FILES
    local p=$1
    shift
    objdump -T "$@" 2>/dev/null | grep -oE "\\b${p}_[0-9][0-9.]*" | sed "s/^${p}_//" | sort -uV | tail -1
}
need_glibc=$(newest GLIBC "${bins[@]}" "$bundle"/lib/*)
need_glibcxx=$(newest GLIBCXX "${bins[@]}" "$bundle"/lib/*)
version_ok() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -1)" = "$2" ]; }
version_ok "$need_glibc" "$target_glibc" || die "needs GLIBC_$need_glibc > $target_glibc"
version_ok "$need_glibcxx" "$target_glibcxx" || die "needs GLIBCXX_$need_glibcxx > $target_glibcxx"

for name in default nofmad minblocks8; do
    [ -f "$builds/$name/ptxas.txt" ] && cp "$builds/$name/ptxas.txt" "$bundle/ptxas-$name.txt"
done

{
    echo "memlif GPU bundle, built $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname)"
    echo "git: $(git rev-parse HEAD) ($(git status --porcelain | wc -l) changed paths)"
    echo "host: $(. /etc/os-release && echo "$PRETTY_NAME"); $(ldd --version | head -1)"
    echo "nvcc: $(nvcc --version | tail -1)"
    echo "g++:  $(g++ --version | head -1)"
    echo "needs: GLIBC_$need_glibc, GLIBCXX_$need_glibcxx (GPU machine: $target_glibc, $target_glibcxx)"
    for name in default nofmad minblocks8; do
        echo "build $name: $(grep -E '^MEMLIF_[A-Z_]+:' "$builds/$name/CMakeCache.txt" | tr '\n' ' ')"
    done
    echo "files:"
    (cd "$bundle" && find . -type f ! -name MANIFEST.txt | sort | while read -r f; do
        printf '  %10s  %s  %s\n' "$(stat -c %s "$f")" "$(sha256sum "$f" | cut -c1-16)" "${f#./}"
    done)
} > "$bundle/MANIFEST.txt"

pack="${MEMLIF_BUNDLE_PACK:-build-gpu-pack}"
git check-ignore -q "$pack/" || die "$pack is not git-ignored: it must travel only as carry"
rm -rf "$pack"
mkdir -p "$pack"
# the top folder is always build-gpu: the lease unpacks it as such
tar -C "$(dirname "$bundle")" --transform 's,^[^/]*,build-gpu,' -czf "$pack/bundle.tgz" \
    "$(basename "$bundle")" || die "cannot pack $bundle"
bundle_b=$(du -sb "$bundle" | cut -f1)
pack_b=$(du -sb "$pack" | cut -f1)
tree_b=$(git ls-files -z -co --exclude-standard | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo ">>> $bundle: $(mib "$bundle_b") ($(du -sb "$bundle/lib" | cut -f1 | { read -r x; mib "$x"; }) of it libraries, $(ls "$bundle/lib" | wc -l) files);" \
    "packed: $pack/bundle.tgz $(mib "$pack_b"); working tree that travels too: $(mib "$tree_b");" \
    "together $(mib $((pack_b + tree_b)))"
[ "$pack_b" -le $((max_mib * 1048576)) ] || die "$pack is over $max_mib MiB"
[ $((pack_b + tree_b)) -le $((max_travel_mib * 1048576)) ] ||
    die "pack and working tree are over $max_travel_mib MiB (the call's limit is 64 MiB)"

echo ">>> rehearse the lease on $pack (unpacked as on the GPU machine)"
rm -rf "$builds/rehearsal-out"
# on the pack, as the GPU machine gets it: no build-gpu/ folder, only build-gpu-pack/
if ! OUT="$builds/rehearsal-out" MEMLIF_BUNDLE="$builds/absent/build-gpu" MEMLIF_BUNDLE_PACK="$pack" \
    bash "$repo/tools/gpu_lease.sh" --rehearse > "$builds/rehearsal.log" 2>&1; then
    tail -n 20 "$builds/rehearsal.log" >&2
    die "the rehearsal failed (full log: $builds/rehearsal.log)"
fi
tail -n 10 "$builds/rehearsal.log"
echo "    (SUMMARY.txt and logs.tgz of the rehearsal: $builds/rehearsal-out/)"
echo ">>> bundle ready: carry [\"$pack\"], command: bash tools/gpu_lease.sh"
