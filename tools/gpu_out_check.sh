#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#! \file tools/gpu_out_check.sh
#! Checks a results folder against what the GPU machine's tool brings back from $OUT: at most 8
#! files, 16 MiB each, 64 MiB together, at most 2 folders down ($OUT/a/b/file comes back,
#! $OUT/a/b/c/file does not), every file and folder named in letters, digits, '.', '_' and '-'
#! only, and nothing but plain files and folders (links and special files do not come back).
#! What breaks a limit is lost silently on the real machine, so every violation is an error here.
#!
#! usage: tools/gpu_out_check.sh DIR
#! exit:  0 within the limits, 1 a limit is broken (each violation printed), 2 usage error
#! env:   GPU_OUT_MAX_FILES (8), GPU_OUT_MAX_DEPTH (2 folders), GPU_OUT_MAX_FILE_MIB (16),
#!        GPU_OUT_MAX_TOTAL_MIB (64): the limits, for tests only
set -u -o pipefail

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 DIR   (DIR must be an existing folder)" >&2
    exit 2
fi
dir="${1%/}"
max_files="${GPU_OUT_MAX_FILES:-8}"
max_depth="${GPU_OUT_MAX_DEPTH:-2}"
max_file_b=$((${GPU_OUT_MAX_FILE_MIB:-16} * 1024 * 1024))
max_total_b=$((${GPU_OUT_MAX_TOTAL_MIB:-64} * 1024 * 1024))

problems=0
problem() {
    echo "gpu_out_check: $*"
    problems=$((problems + 1))
}

n_files=0
total_b=0
# -print0 so that names with newlines or spaces are seen as they are.
while IFS= read -r -d '' path; do
    rel="${path#"$dir"/}"
    # Depth: folders above the entry.
    IFS='/' read -r -a parts <<< "$rel"
    for part in "${parts[@]}"; do
        if ! [[ "$part" =~ ^[A-Za-z0-9._-]+$ ]]; then
            problem "name not in [A-Za-z0-9._-]: $(printf '%q' "$rel")"
            break
        fi
    done
    if [ -L "$path" ]; then
        problem "link (does not come back): $rel"
    elif [ -d "$path" ]; then
        if [ $((${#parts[@]})) -gt "$max_depth" ]; then
            problem "folder deeper than $max_depth levels: $rel"
        fi
    elif [ -f "$path" ]; then
        n_files=$((n_files + 1))
        if [ $((${#parts[@]} - 1)) -gt "$max_depth" ]; then
            problem "file more than $max_depth folders down: $rel"
        fi
        size=$(stat -c %s "$path")
        total_b=$((total_b + size))
        if [ "$size" -gt "$max_file_b" ]; then
            problem "file over $((max_file_b / 1024 / 1024)) MiB ($size B): $rel"
        fi
    else
        problem "not a plain file or folder: $rel"
    fi
done < <(find "$dir" -mindepth 1 -print0)

if [ "$n_files" -gt "$max_files" ]; then
    problem "$n_files files, at most $max_files come back"
fi
if [ "$total_b" -gt "$max_total_b" ]; then
    problem "$total_b B in all, at most $((max_total_b / 1024 / 1024)) MiB come back"
fi
if [ "$problems" -gt 0 ]; then
    echo "gpu_out_check: $dir breaks the limits ($problems problem(s))"
    exit 1
fi
echo "gpu_out_check: $dir ok ($n_files files, $total_b B)"
