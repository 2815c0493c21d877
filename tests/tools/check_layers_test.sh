#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#! \file tests/tools/check_layers_test.sh
#! tools/check_layers.sh on small trees built here: a clean one passes; each upward include (io/ to
#! host/, cuda/ to host/, kernels/ to io/, host/ to a .cuh, a relative ../ that leaves kernels/)
#! is reported and fails the check; a relative include that stays inside kernels/ passes.
#! usage: check_layers_test.sh CHECK_LAYERS_SCRIPT
set -u
script="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

tree() { # NAME: a minimal clean tree at $work/NAME
    local t="$work/$1"
    mkdir -p "$t/kernels/memlif/kernels/devices" "$t/kernels/memlif/core" "$t/io" "$t/cuda" "$t/host"
    echo '#pragma once' > "$t/kernels/memlif/kernels/macros.hpp"
    printf '#include "../macros.hpp"\n' > "$t/kernels/memlif/kernels/devices/model.hpp"
    printf '#include "memlif/kernels/macros.hpp"\n' > "$t/kernels/memlif/core/counts.hpp"
    printf '#include "memlif/core/counts.hpp"\n#include "io/h5.hpp"\n' > "$t/io/run_file.cpp"
    echo '#pragma once' > "$t/io/h5.hpp"
    printf '#include "cuda_backend.hpp"\n#include "memlif/core/counts.hpp"\n' > "$t/cuda/sweep.cpp"
    echo '#pragma once' > "$t/cuda/cuda_backend.hpp"
    echo '#pragma once' > "$t/cuda/support.cuh"
    printf '#include "cuda/cuda_backend.hpp"\n#include "io/h5.hpp"\n#include "run.hpp"\n' > "$t/host/run.cpp"
    echo '#pragma once' > "$t/host/run.hpp"
    echo "$t"
}

expect() { # RC WHAT ROOT
    local out rc
    out=$(bash "$script" "$3" 2>&1)
    rc=$?
    if [ "$rc" = "$1" ]; then echo "ok: $2"; else
        echo "FAIL: $2: exit $rc, expected $1"
        echo "$out" | sed 's/^/    /'
        failures=$((failures + 1))
    fi
}

t=$(tree clean)
expect 0 "a clean tree passes" "$t"

t=$(tree io_up)
echo '#include "host/run.hpp"' >> "$t/io/run_file.cpp"
expect 1 "io/ including host/ fails" "$t"

t=$(tree cuda_up)
echo '#include "host/run.hpp"' >> "$t/cuda/sweep.cpp"
expect 1 "cuda/ including host/ fails" "$t"

t=$(tree cuda_io)
echo '#include "io/h5.hpp"' >> "$t/cuda/sweep.cpp"
expect 1 "cuda/ including io/ fails" "$t"

t=$(tree kernels_up)
echo '#include "io/h5.hpp"' >> "$t/kernels/memlif/core/counts.hpp"
expect 1 "kernels/ including io/ fails" "$t"

t=$(tree kernels_relative_up)
echo '#include "../../../../io/h5.hpp"' >> "$t/kernels/memlif/kernels/devices/model.hpp"
expect 1 "a relative include leaving kernels/ fails" "$t"

t=$(tree host_cuh)
echo '#include "cuda/support.cuh"' >> "$t/host/run.cpp"
expect 1 "host/ including a .cuh fails" "$t"

[ "$failures" = 0 ] || exit 1
echo "all check_layers cases pass"
