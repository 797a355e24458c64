#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# policy_writes.sh - what the cross-replica serialization of issue 13 costs a
# MigrationPolicy write: one and then two `migguard serve --kubeconfig` replicas against
# tests/cluster/fake_apiserver.py on loopback; N (default 300) policy CREATEs, each
# admitted and then stored in the fake API server. Each write takes the Lease (GET +
# PUT), lists the policies, and records itself in the releasing PUT. Prints one line
# per setup: median, p99 and max in ms. Usage: bench/policy_writes.sh [N]
set -euo pipefail
N=${1:-300}
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$BENCH_DIR/.." && pwd)
BUILD=${BUILD:-$src/build-bench}
MG=$BUILD/cli/migguard
if [ -z "${NO_BUILD:-}" ]; then
    cmake -S "$src" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD" -j2 --target migguard >/dev/null
fi
set +e
for replicas in 1 2; do
    (
        . "$src/tests/cluster/replicas.sh"
        fake_start
        ports=()
        for r in $(seq "$replicas"); do
            replica_start "$r" --quiet
            ports+=("$(eval echo "\$PORT_$r")")
        done
        python3 "$BENCH_DIR/policy_writes.py" "$T/certs/ca.crt" "$T/ctl" "$N" "${ports[@]}"
    )
done
