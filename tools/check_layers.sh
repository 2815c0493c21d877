#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#! \file tools/check_layers.sh
#! Folders include downward only (README, "Layout"):
#!   kernels/ (memlif/kernels, memlif/core)  <-  cuda/, io/  <-  host/  <-  bench/, tests/
#! kernels/ may include only kernels/ headers and the generated memlif/config.hpp; io/ and cuda/
#! may include themselves and kernels/, never host/ and never each other; host/ may include io/,
#! kernels/ and cuda/'s plain C++ headers (never a .cuh). Each quoted include is resolved the way
#! the compiler does: beside the including file first, then from the include roots (the repository
#! root and kernels/). Prints every offending include and exits 1 if there is one.
#! usage: tools/check_layers.sh [REPO_ROOT]
set -u
root="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$root" || exit 2
bad=0

#! resolve FILE INCLUDE: the included file relative to the root, "generated" for memlif/config.hpp,
#! or "" when it is not a file of the repository (a system or third-party header in quotes).
resolve() {
    local dir rel
    dir=$(dirname "$1")
    if [ -f "$dir/$2" ]; then
        rel=$(realpath -m --relative-to=. "$dir/$2")
        echo "$rel"
        return
    fi
    case "$2" in
    memlif/config.hpp) echo generated ;;
    memlif/*) [ -f "kernels/$2" ] && echo "kernels/$2" || echo "" ;;
    *) [ -f "$2" ] && realpath -m --relative-to=. "$2" || echo "" ;;
    esac
}

check() { # FOLDER ALLOWED_REGEX (on the resolved path)
    local folder="$1" allowed="$2" f line inc target
    while IFS= read -r f; do
        while IFS= read -r line; do
            inc="${line#*\"}"
            inc="${inc%%\"*}"
            target=$(resolve "$f" "$inc")
            [ -z "$target" ] && continue
            if ! [[ "$target" =~ $allowed ]]; then
                echo "layer violation: $f includes \"$inc\" ($target)"
                bad=1
            fi
        done < <(grep -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f")
    done < <(find "$folder" -type f \( -name '*.hpp' -o -name '*.cpp' -o -name '*.cu' -o -name '*.cuh' -o -name '*.in' \) | sort)
}
check kernels '^kernels/|^generated$'
check io '^io/|^kernels/|^generated$'
check cuda '^cuda/|^kernels/|^generated$'
check host '^host/|^io/|^cuda/[A-Za-z0-9_]+\.hpp$|^kernels/|^generated$'
if [ "$bad" -ne 0 ]; then
    echo "check_layers: FAILED (folders must include downward only)"
    exit 1
fi
echo "check_layers: every include points downward"
