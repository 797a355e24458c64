#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# fuzz_long.sh - the long fuzz run: every libFuzzer target (clang, ASan + UBSan) for
# RUNS executions (default 1,000,000) from its seed corpus; prints executions, exec/s,
# new coverage units and the verdict per target. Exits 1 when any target finds
# something (the crash file is kept and named). Not part of the test suite.
# Usage: bench/fuzz_long.sh [RUNS] [TARGET...]   (FUZZ_BUILD: build dir, default build-fuzz)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-1000000}
shift || true
build=${FUZZ_BUILD:-$src/build-fuzz}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_review fuzz_json fuzz_state fuzz_yaml fuzz_quantity fuzz_labels)

bash "$src/scripts/deps.sh" test
CC=clang cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DMG_FUZZ=ON \
    -DMG_SANITIZE=address,undefined >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" >/dev/null

out=$(mktemp -d /tmp/mg-fuzz-long.XXXXXX)
echo "fuzz_long: $runs executions per target; logs in $out"
printf '%-14s %10s %8s %8s %8s %s\n' target execs secs exec/s new result
fail=0
for t in "${targets[@]}"; do
    t0=$(date +%s)
    if FUZZ_OUT="$out" bash "$src/tests/fuzz/run_fuzz.sh" "$build/tests/fuzz/$t" "$src" "$runs" \
        >"$out/$t.summary" 2>&1; then
        result=clean
    else
        shopt -s nullglob
        found=("$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-*)
        shopt -u nullglob
        result="FOUND: ${found[*]:-(no artifact)}"
        fail=1
    fi
    secs=$(( $(date +%s) - t0 ))
    log="$out/$t.log"
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    new=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
    rate=$(( secs > 0 ? ${execs:-0} / secs : 0 ))
    printf '%-14s %10s %8s %8s %8s %s\n' "$t" "${execs:-?}" "$secs" "$rate" "${new:-?}" "$result"
    [ "$result" = clean ] || tail -30 "$log"
done
exit $fail
