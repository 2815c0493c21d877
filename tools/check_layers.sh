#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#! \file tools/check_layers.sh
#! Folders include downward only (README, "Layout"):
#!   kernels/ (memlif/kernels, memlif/core)  <-  cuda/, io/  <-  host/  <-  bench/, tests/
#! kernels/ may include only kernels/ headers and the generated memlif/config.hpp; io/ and cuda/
#! may include themselves and kernels/, never host/ and never each other. Prints every offending
#! include and exits 1 if there is one.
#! usage: tools/check_layers.sh [REPO_ROOT]
set -u
root="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$root" || exit 2
bad=0
check() { # FOLDER ALLOWED_REGEX
    local folder="$1" allowed="$2" f line inc
    while IFS= read -r f; do
        while IFS= read -r line; do
            inc="${line#*\"}"
            inc="${inc%%\"*}"
            # a quoted include relative to the including file stays inside its folder
            case "$inc" in */*) ;; *) continue ;; esac
            if ! [[ "$inc" =~ $allowed ]]; then
                echo "layer violation: $f includes \"$inc\""
                bad=1
            fi
        done < <(grep -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f")
    done < <(find "$folder" -type f \( -name '*.hpp' -o -name '*.cpp' -o -name '*.cu' -o -name '*.cuh' -o -name '*.in' \) | sort)
}
check kernels '^memlif/(kernels|core)/|^memlif/config\.hpp$'
check io '^io/|^memlif/(kernels|core)/|^memlif/config\.hpp$'
check cuda '^cuda/|^memlif/(kernels|core)/|^memlif/config\.hpp$'
# host/ may include io/, cuda/ (plain headers only) and kernels/, but no CUDA-only header
check host '^host/|^io/|^cuda/[a-z_]+\.hpp$|^memlif/(kernels|core)/|^memlif/config\.hpp$|^(information|experiments)/|^\.\./'
if [ "$bad" -ne 0 ]; then
    echo "check_layers: FAILED (folders must include downward only)"
    exit 1
fi
echo "check_layers: every include points downward"
