# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034  # MG_PORT, MG_RC are for the sourcing test
# serve.sh - sourced by script tests: make certificates, start `migguard serve` on an
# ephemeral loopback port, stop it on exit. Usage:
#   MG=path/to/migguard; . tests/lib/serve.sh; mg_serve_start [serve options]
# Set on sourcing: $MG_TMP (a temp dir removed on exit; certificates in $MG_TMP/certs,
# ca.crt among them). After mg_serve_start: $MG_BASE (https://127.0.0.1:PORT), $MG_PORT,
# $MG_PID (timeout(1) around the server: it passes TERM on, and its exit status is the
# server's), and the server's stderr (its log and decision log) in $MG_TMP/serve.log.
# $MG_SERVE_TIMEOUT (seconds, default 240) bounds the server's life.
#   mg_curl ARGS      curl bounded to 20 s and trusting the CA
#   mg_review PATH F  POST the JSON file F to PATH; prints the body
#   mg_serve_wait S   after the test sent TERM to $MG_PID: wait up to S seconds for the
#                     server to exit; then $MG_RC is its exit status (empty while it runs)
#                     and $MG_PID is cleared; returns 1 if it still runs
#   mg_serve_stop     stop the server (TERM, then KILL after 5 s); the exit trap does this
#   mg_ok MSG, mg_fail MSG   print a check's result; mg_fail counts into $MG_FAILS
# A test with more to stop sets its own EXIT trap and ends it with mg_serve_cleanup.

MG_TMP=$(mktemp -d /tmp/mg-test-XXXXXX)
MG_PID=
MG_BASE=
MG_PORT=
MG_RC=
MG_FAILS=0

# $MG_PID is timeout(1), which passes TERM on to the server but not KILL.
mg_serve_stop() {
    if [ -n "$MG_PID" ] && kill -0 "$MG_PID" 2>/dev/null; then
        kill -TERM "$MG_PID" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$MG_PID" 2>/dev/null || break; sleep 0.1; done
        pkill -KILL -P "$MG_PID" 2>/dev/null
        kill -KILL "$MG_PID" 2>/dev/null
    fi
    MG_PID=
}

mg_serve_cleanup() {
    mg_serve_stop
    rm -rf "$MG_TMP"
}
trap mg_serve_cleanup EXIT

mg_ok() { echo "ok: $*"; }
mg_fail() {
    echo "FAIL: $*"
    MG_FAILS=$((MG_FAILS + 1))
}

mg_curl() { curl -sS --max-time 20 --cacert "$MG_TMP/certs/ca.crt" "$@"; }

# Start the server with extra options; fails the test when it does not come up.
mg_serve_start() {
    local port=
    if [ ! -f "$MG_TMP/certs/tls.crt" ]; then
        "$MG" certs create --out "$MG_TMP/certs" --ip 127.0.0.1 --dns localhost >/dev/null ||
            { echo "FAIL: certs create"; exit 1; }
    fi
    # Emptied here, not by the background job's redirection: that one may run after the
    # loop below has read the previous server's port from the old log.
    : >"$MG_TMP/serve.log"
    # stdout to /dev/null: the server must not hold ctest's pipe open.
    timeout "${MG_SERVE_TIMEOUT:-240}" "$MG" serve --listen 127.0.0.1:0 \
        --tls-cert "$MG_TMP/certs/tls.crt" --tls-key "$MG_TMP/certs/tls.key" "$@" \
        >/dev/null 2>"$MG_TMP/serve.log" &
    MG_PID=$!
    for _ in $(seq 1 100); do
        port=$(sed -n 's|^migguard: listening on https://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' \
            "$MG_TMP/serve.log")
        [ -n "$port" ] && break
        kill -0 "$MG_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$port" ]; then
        echo "FAIL: server did not print its port"; cat "$MG_TMP/serve.log"; exit 1
    fi
    MG_PORT=$port
    MG_BASE="https://127.0.0.1:$port"
}

mg_serve_wait() {
    local i
    MG_RC=
    for i in $(seq 0 $(($1 * 10))); do
        if ! kill -0 "$MG_PID" 2>/dev/null; then
            wait "$MG_PID"
            MG_RC=$?
            MG_PID=
            return 0
        fi
        [ "$i" -lt $(($1 * 10)) ] && sleep 0.1
    done
    return 1
}

mg_review() { mg_curl -H 'Content-Type: application/json' --data-binary @"$2" "$MG_BASE$1"; }
