#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_https.sh - the real server over real TLS on an ephemeral loopback port, with
# certificates from `migguard certs create` and curl as the client: routing, limits,
# media type, keep-alive, idle timeout, certificate reload, and a graceful SIGTERM
# during a slow upload. Usage: test_https.sh MIGGUARD SOURCE_DIR
set -u

MG=${1:?usage: test_https.sh MIGGUARD SOURCE_DIR}
SRC=${2:?usage: test_https.sh MIGGUARD SOURCE_DIR}
REVIEW="$SRC/tests/data/migrationpolicy-create.review.json"
UID_WANT=7fc8ac8d-57e4-48bf-873f-44d453c912bf
tmp=$(mktemp -d /tmp/mg-https-XXXXXX)
pid=
fails=0

cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}
ok() { echo "ok: $*"; }

# curl against the server; every call is bounded.
c() { curl -sS --max-time 20 --cacert "$tmp/certs/ca.crt" "$@"; }

"$MG" certs create --out "$tmp/certs" --ip 127.0.0.1 --dns localhost >/dev/null ||
    { echo "FAIL: certs create"; exit 1; }

timeout 240 "$MG" serve --listen 127.0.0.1:0 --tls-cert "$tmp/certs/tls.crt" \
    --tls-key "$tmp/certs/tls.key" --timeout 3 2>"$tmp/serve.log" &
pid=$!
port=
for _ in $(seq 1 100); do
    port=$(sed -n 's|^migguard: listening on https://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' \
        "$tmp/serve.log")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "FAIL: server did not print its port"; cat "$tmp/serve.log"; exit 1
fi
base="https://127.0.0.1:$port"
echo "server pid $pid on port $port"

# A review: HTTP 200, the uid echoed; the query string does not change the route.
code=$(c -o "$tmp/out" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @"$REVIEW" "$base/validate?timeout=10s")
if [ "$code" = 200 ] && grep -q "\"uid\":\"$UID_WANT\"" "$tmp/out" &&
    grep -q '"kind":"AdmissionReview"' "$tmp/out"; then
    ok "validate 200 with uid echo"
else
    fail "validate: code $code body $(head -c 300 "$tmp/out")"
fi
code=$(c -o "$tmp/out" -w '%{http_code}' -H 'Content-Type: APPLICATION/json; charset=utf-8' \
    --data-binary @"$REVIEW" "$base/mutate")
{ [ "$code" = 200 ] && grep -q "$UID_WANT" "$tmp/out"; } &&
    ok "mutate 200, content type with parameters and any case" || fail "mutate: $code"

# Keep-alive: two requests in one curl run share one TLS connection.
c -v -o /dev/null -o /dev/null -H 'Content-Type: application/json' --data-binary @"$REVIEW" \
    "$base/validate" "$base/validate" 2>"$tmp/ka.log"
if grep -q 'Re-using existing connection' "$tmp/ka.log"; then
    ok "keep-alive reuse"
else
    fail "keep-alive: connection not reused"; grep -i 'connect\|close' "$tmp/ka.log" | head
fi

# 413: Content-Length one byte over 7 MiB is refused before the body is read...
head -c $((7 * 1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$tmp/big"
code=$(c -o "$tmp/out" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @"$tmp/big" "$base/validate" 2>/dev/null)
{ [ "$code" = 413 ] && grep -q '"code":413' "$tmp/out"; } &&
    ok "413 by Content-Length" || fail "413 by Content-Length: $code"
# ...and a chunked body (no Content-Length) as soon as it passes the cap.
code=$(c -o "$tmp/out" -w '%{http_code}' -H 'Content-Type: application/json' \
    -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/big" "$base/validate" 2>/dev/null)
[ "$code" = 413 ] && ok "413 chunked" || fail "413 chunked: $code"
# Exactly 7 MiB is not too big (spaces are not a review: the engine says 400).
head -c $((7 * 1024 * 1024)) "$tmp/big" >"$tmp/max"
code=$(c -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @"$tmp/max" "$base/validate")
[ "$code" = 400 ] && ok "7 MiB exactly is read (400 from the engine)" || fail "7 MiB: $code"

check_code() { # what want curl-args...
    local what=$1 want=$2 got
    shift 2
    got=$(c -o "$tmp/out" -w '%{http_code}' "$@")
    if [ "$got" = "$want" ]; then ok "$what $want"; else fail "$what: want $want got $got"; fi
}
check_code "text/plain" 415 -H 'Content-Type: text/plain' --data-binary @"$REVIEW" "$base/validate"
grep -q '"kind":"Status".*"code":415' "$tmp/out" || fail "415 body: $(cat "$tmp/out")"
check_code "no content type" 415 -H 'Content-Type:' --data-binary @"$REVIEW" "$base/validate"
check_code "application/jsonx" 415 -H 'Content-Type: application/jsonx' \
    --data-binary @"$REVIEW" "$base/validate"
check_code "malformed JSON" 400 -H 'Content-Type: application/json' --data-binary '{"kind":' \
    "$base/validate"
check_code "unknown path" 404 "$base/nope"
grep -q '"status":"Failure"' "$tmp/out" || fail "404 body: $(cat "$tmp/out")"
check_code "POST to unknown path" 404 -H 'Content-Type: application/json' -d '{}' "$base/validate/x"

code=$(c -D "$tmp/hdr" -o "$tmp/out" -w '%{http_code}' "$base/validate")
{ [ "$code" = 405 ] && grep -qi '^Allow: POST' "$tmp/hdr" && grep -q '"code":405' "$tmp/out"; } &&
    ok "GET /validate 405 with Allow: POST" || fail "GET /validate: $code $(cat "$tmp/hdr")"

[ "$(c "$base/healthz")" = ok ] && ok "healthz" || fail "healthz"
[ "$(c "$base/readyz")" = ready ] && ok "readyz" || fail "readyz"
c "$base/metrics" | grep -q '^migguard_http_requests_total{path="/validate",code="200"} [1-9]' &&
    ok "metrics count requests" || fail "metrics"

# Idle connections are closed after --timeout (3 s), not held for ever.
start=$(date +%s)
# (stdin from a process substitution: a pipeline would also wait for the sleep)
timeout 14 openssl s_client -quiet -connect "127.0.0.1:$port" -CAfile "$tmp/certs/ca.crt" \
    < <(sleep 15) >/dev/null 2>&1
took=$(($(date +%s) - start))
[ "$took" -le 8 ] && ok "idle connection closed after ${took}s" || fail "idle connection held ${took}s"

# Certificate reload: new CA and serving pair in place; new handshakes use them.
mv "$tmp/certs/ca.crt" "$tmp/old-ca.crt"
"$MG" certs create --out "$tmp/certs" --ip 127.0.0.1 >/dev/null || fail "certs create (rotate)"
reloaded=
for _ in $(seq 1 50); do
    if [ "$(c "$base/healthz" 2>/dev/null)" = ok ]; then reloaded=1; break; fi
    sleep 0.2
done
[ -n "$reloaded" ] && ok "certificate reloaded" || fail "certificate not reloaded"
curl -sS --max-time 5 --cacert "$tmp/old-ca.crt" "$base/healthz" >/dev/null 2>&1 &&
    fail "old CA still accepted after reload" || ok "old CA no longer accepted"
# A key that does not match is not taken: the server keeps the working pair.
cp "$tmp/certs/ca.key" "$tmp/certs/tls.key.new" && mv "$tmp/certs/tls.key.new" "$tmp/certs/tls.key"
sleep 3
[ "$(c "$base/healthz")" = ok ] && ok "mismatched key not loaded" || fail "broken pair loaded"
grep -q 'keeping the current certificate' "$tmp/serve.log" || fail "no reload failure logged"

# SIGTERM during a slow upload: the request is answered, then the process exits 0.
{
    printf '{"padding":"'
    head -c 1500000 /dev/zero | tr '\0' 'a'
    printf '",'
    tail -c +2 "$REVIEW"
} >"$tmp/slow.json"
c -o "$tmp/slow.out" -w '%{http_code}' --limit-rate 400k -H 'Content-Type: application/json' \
    --data-binary @"$tmp/slow.json" "$base/validate" >"$tmp/slow.code" 2>"$tmp/slow.err" &
cpid=$!
sleep 1.5
kill -TERM "$pid"
sleep 0.5
if curl -sS --max-time 3 --cacert "$tmp/certs/ca.crt" "$base/healthz" >/dev/null 2>&1; then
    fail "new connection accepted while draining"
else
    ok "no new connections while draining"
fi
wait "$cpid"
code=$(cat "$tmp/slow.code")
{ [ "$code" = 200 ] && grep -q "$UID_WANT" "$tmp/slow.out"; } &&
    ok "in-flight slow upload answered during stop" ||
    fail "slow upload: code $code $(cat "$tmp/slow.err")"
rc=
for _ in $(seq 1 150); do
    if ! kill -0 "$pid" 2>/dev/null; then wait "$pid"; rc=$?; break; fi
    sleep 0.1
done
if [ "$rc" = 0 ]; then ok "server exited 0"; else fail "server exit status '${rc:-still running}'"; fi
pid=

if [ "$fails" -ne 0 ]; then
    echo "--- server log"; cat "$tmp/serve.log"
    echo "$fails check(s) failed"
    exit 1
fi
echo "all HTTPS checks passed"
