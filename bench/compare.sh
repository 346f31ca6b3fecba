#!/usr/bin/env bash
# Runs each workload with hessian-rmt (examples/workload.rs) and with numpy (bench/reference.py),
# interleaved, RUNS times (default 5), and prints per workload the median seconds of each, their
# ratio and its range over runs, and the peak memory.
#
# numpy goes into bench/.venv, made by this script from the package registry on first use. The
# version is pinned to the one of the record in bench/README.md (NUMPY_VERSION to change it).
# Run it on a quiet machine: another busy process skews both tools, OpenBLAS's threads most.
#
# Usage: bench/compare.sh [WORKLOAD ...], a workload being "eig 2000", "verify-pair 1000 2000 8"
# or "full-hessian 2000 200 20"; without arguments, the four workloads below.
set -euo pipefail

cd "$(dirname "$0")/.."
runs="${RUNS:-5}"
venv="bench/.venv"

if [ ! -x "$venv/bin/python" ]; then
    echo "creating $venv with numpy" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "numpy==${NUMPY_VERSION:-2.4.6}"
fi
cargo build --release --quiet --example workload

if [ "$#" -gt 0 ]; then
    workloads=("$@")
else
    workloads=("eig 2000" "eig 4000" "verify-pair 1000 2000 8" "full-hessian 2000 200 20")
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
{
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, hessian-rmt $(git rev-parse --short HEAD)"
} >&2
for run in $(seq "$runs"); do
    for workload in "${workloads[@]}"; do
        # shellcheck disable=SC2086 # the sizes are separate arguments
        target/release/examples/workload $workload >>"$log"
        # shellcheck disable=SC2086
        "$venv/bin/python" bench/reference.py $workload >>"$log"
    done
    echo "run $run of $runs done" >&2
done
"$venv/bin/python" bench/reference.py summary "$log"
