# SPDX-License-Identifier: Apache-2.0
# serve.sh - sourced by script tests: make certificates, start `migguard serve` on an
# ephemeral loopback port, stop it on exit. After mg_serve_start: $MG_BASE, $MG_PID,
# $MG_TMP (a temp dir removed on exit), and mg_curl (curl bounded and trusting the CA).
# Usage: MG=path/to/migguard; . tests/lib/serve.sh; mg_serve_start [serve options]

MG_TMP=$(mktemp -d /tmp/mg-test-XXXXXX)
MG_PID=
MG_BASE=

# $MG_PID is timeout(1), which passes TERM on to the server but not KILL.
mg_serve_cleanup() {
    if [ -n "$MG_PID" ] && kill -0 "$MG_PID" 2>/dev/null; then
        kill -TERM "$MG_PID" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$MG_PID" 2>/dev/null || break; sleep 0.1; done
        pkill -KILL -P "$MG_PID" 2>/dev/null
        kill -KILL "$MG_PID" 2>/dev/null
    fi
    rm -rf "$MG_TMP"
}
trap mg_serve_cleanup EXIT

mg_curl() { curl -sS --max-time 20 --cacert "$MG_TMP/certs/ca.crt" "$@"; }

# Start the server with extra options; fails the test when it does not come up.
mg_serve_start() {
    local port=
    if [ ! -f "$MG_TMP/certs/tls.crt" ]; then
        "$MG" certs create --out "$MG_TMP/certs" --ip 127.0.0.1 --dns localhost >/dev/null ||
            { echo "FAIL: certs create"; exit 1; }
    fi
    timeout 240 "$MG" serve --listen 127.0.0.1:0 --tls-cert "$MG_TMP/certs/tls.crt" \
        --tls-key "$MG_TMP/certs/tls.key" "$@" >/dev/null 2>"$MG_TMP/serve.log" &
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
    MG_BASE="https://127.0.0.1:$port"
}

# POST a review file to a path; prints the body.
mg_review() { mg_curl -H 'Content-Type: application/json' --data-binary @"$2" "$MG_BASE$1"; }
