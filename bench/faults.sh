#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# faults.sh - migguard serve under faults, on loopback, about 90 seconds:
#   1. SIGTERM under load: every request written is answered, the process exits 0.
#   2. A slow client (one byte a second) and 2,000 idle connections: others are served.
#   3. Certificate rotation (a Secret-style ..data symlink swap) under load, with a new
#      handshake every 20 requests: no failed request, the new certificate is served.
#   4. State reload under load: skipped, `serve --state` loads the directory once.
# Prints PASS/FAIL per check; exits 1 when any fails. Not part of the test suite.
# Usage: bench/faults.sh [sigterm|idle|rotate]...   (BUILD: build dir; IDLE: 2000)
source "$(dirname "$0")/lib.sh"
LC="python3 $BENCH_DIR/loadclient.py"
VM=$FIX/vm-create.review.json
IDLE=${IDLE:-2000}
FAILS=0

check() {
    if eval "$2"; then echo "PASS  $1"; else echo "FAIL  $1"; FAILS=$((FAILS + 1)); fi
}

lc_field() {
    sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<" $2"
}

t_sigterm() {
    local out rc=0 pid
    echo "== SIGTERM under load (16 connections)"
    mg_start term --state "$FIX/state"
    pid=$MG_PID_term
    $LC --port "$MG_PORT_term" --body "$VM" --conns 16 --secs 15 --until-refused \
        >"$WORK/term.lc" 2>"$WORK/term.err" &
    local lc=$!
    sleep 3
    kill -TERM "$pid"
    wait "$pid" || rc=$?
    wait "$lc" || true
    out=$(grep '^LOADCLIENT' "$WORK/term.lc" || { cat "$WORK/term.err" >&2; echo LOADCLIENT failed; })
    echo "  $out; migguard exit $rc"
    grep -q 'stopped' "$WORK/term.log" || sed 's/^/  log: /' "$WORK/term.log"
    check "SIGTERM: migguard exits 0" "[ $rc -eq 0 ]"
    check "SIGTERM: no request lost or answered wrongly" \
        "[ $(lc_field lost "$out") -eq 0 ] && [ $(lc_field bad "$out") -eq 0 ] && [ $(lc_field ok "$out") -gt 0 ]"
}

t_idle() {
    local base out pid
    echo "== a slow client and $IDLE idle connections"
    mg_start idle --state "$FIX/state"
    pid=$MG_PID_idle
    wrk_run "$MG_PORT_idle" /validate "$VM" 4 3
    base=$W_RPS
    echo "  baseline: $W_RPS req/s, p99 $(ms "$W_P99") ms"
    # One client dribbling a request a byte a second, then the idle connections (plain
    # TCP, no TLS handshake); wrk starts once they are open, so it needs new connections.
    $LC --port "$MG_PORT_idle" --slow 1 --idle "$IDLE" --conns 0 --secs 16 \
        >"$WORK/idle.lc" 2>"$WORK/idle.err" &
    local lc=$!
    for _ in $(seq 1 100); do
        [ "$(fd_count "$pid")" -gt $((IDLE < 1000 ? IDLE : 1000)) ] && break
        sleep 0.1
    done
    sleep 1
    echo "  migguard holds $(fd_count "$pid") descriptors"
    wrk_run "$MG_PORT_idle" /validate "$VM" 4 8
    echo "  during: $W_RPS req/s, $W_REQS requests, $W_ERRS errors, p99 $(ms "$W_P99") ms"
    wait "$lc" || true
    out=$(grep '^LOADCLIENT' "$WORK/idle.lc" || { cat "$WORK/idle.err" >&2; echo LOADCLIENT failed; })
    echo "  held: $out"
    check "slow client + $IDLE idle connections: others are served without errors" \
        "[ $W_REQS -gt 0 ] && [ $W_ERRS -eq 0 ]"
    check "slow client + $IDLE idle connections: at least half the baseline throughput" \
        "awk 'BEGIN {exit !($W_RPS >= 0.5 * $base)}'"
}

# A Secret volume: DIR/tls.crt -> ..data/tls.crt, ..data -> ..gen-N, swapped by rename.
rotate_to() {
    local d=$WORK/secret gen=$1
    "$MG" certs create --out "$d/..gen-$gen" --ip 127.0.0.1 --dns localhost ${2:+--key-type $2} >/dev/null
    ln -sfn "..gen-$gen" "$d/..data.tmp"
    mv -T "$d/..data.tmp" "$d/..data"
}

t_rotate() {
    local d=$WORK/secret out
    echo "== certificate rotation under load (8 connections, a handshake every 20 requests)"
    mkdir -p "$d"
    rotate_to 1
    ln -s ..data/tls.crt "$d/tls.crt"
    ln -s ..data/tls.key "$d/tls.key"
    CERT=$d/tls.crt KEY=$d/tls.key mg_start rot --state "$FIX/state"
    $LC --port "$MG_PORT_rot" --body "$VM" --conns 8 --reconnect 20 --secs 14 \
        >"$WORK/rot.lc" 2>"$WORK/rot.err" &
    local lc=$!
    sleep 3
    rotate_to 2
    sleep 4
    check "rotation: the second certificate is served" \
        "$LC --port $MG_PORT_rot --expect-cert $d/..gen-2/tls.crt >/dev/null"
    rotate_to 3 rsa
    sleep 4
    check "rotation: the third certificate (RSA) is served" \
        "$LC --port $MG_PORT_rot --expect-cert $d/..gen-3/tls.crt >/dev/null"
    wait "$lc" || true
    out=$(grep '^LOADCLIENT' "$WORK/rot.lc" || { cat "$WORK/rot.err" >&2; echo LOADCLIENT failed; })
    echo "  $out"
    echo "  $(curl -sk "https://127.0.0.1:$MG_PORT_rot/metrics" | grep '^migguard_tls_reloads_total' | tr '\n' ' ')"
    check "rotation: zero failed requests" \
        "[ $(lc_field lost "$out") -eq 0 ] && [ $(lc_field bad "$out") -eq 0 ] && [ $(lc_field refused "$out") -eq 0 ] && [ $(lc_field ok "$out") -gt 0 ]"
}

bench_setup
echo "faults: $("$MG" --version), $(date -u '+%Y-%m-%d %H:%M UTC'), open files limit $(ulimit -n)"
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(sigterm idle rotate)
for t in "${tests[@]}"; do
    "t_$t"
done
echo "SKIP  state reload under load: serve --state reads the directory once (no reload)"
echo "faults: $FAILS failed"
[ "$FAILS" -eq 0 ]
