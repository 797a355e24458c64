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
. "$SRC/tests/lib/serve.sh"
mg_serve_start --timeout 3
echo "server pid $MG_PID on port $MG_PORT"

# A review: HTTP 200, the uid echoed; the query string does not change the route.
code=$(mg_curl -o "$MG_TMP/out" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @"$REVIEW" "$MG_BASE/validate?timeout=10s")
if [ "$code" = 200 ] && grep -q "\"uid\":\"$UID_WANT\"" "$MG_TMP/out" &&
    grep -q '"kind":"AdmissionReview"' "$MG_TMP/out"; then
    mg_ok "validate 200 with uid echo"
else
    mg_fail "validate: code $code body $(head -c 300 "$MG_TMP/out")"
fi
code=$(mg_curl -o "$MG_TMP/out" -w '%{http_code}' \
    -H 'Content-Type: APPLICATION/json; charset=utf-8' --data-binary @"$REVIEW" "$MG_BASE/mutate")
{ [ "$code" = 200 ] && grep -q "$UID_WANT" "$MG_TMP/out"; } &&
    mg_ok "mutate 200, content type with parameters and any case" || mg_fail "mutate: $code"

# Keep-alive: two requests in one curl run share one TLS connection.
mg_curl -v -o /dev/null -o /dev/null -H 'Content-Type: application/json' \
    --data-binary @"$REVIEW" "$MG_BASE/validate" "$MG_BASE/validate" 2>"$MG_TMP/ka.log"
if grep -q 'Re-using existing connection' "$MG_TMP/ka.log"; then
    mg_ok "keep-alive reuse"
else
    mg_fail "keep-alive: connection not reused"
    grep -i 'connect\|close' "$MG_TMP/ka.log" | head
fi

# 413: Content-Length one byte over 7 MiB is refused before the body is read...
head -c $((7 * 1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$MG_TMP/big"
code=$(mg_curl -o "$MG_TMP/out" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @"$MG_TMP/big" "$MG_BASE/validate" 2>/dev/null)
{ [ "$code" = 413 ] && grep -q '"code":413' "$MG_TMP/out"; } &&
    mg_ok "413 by Content-Length" || mg_fail "413 by Content-Length: $code"
# ...and a chunked body (no Content-Length) as soon as it passes the cap.
code=$(mg_curl -o "$MG_TMP/out" -w '%{http_code}' -H 'Content-Type: application/json' \
    -H 'Transfer-Encoding: chunked' --data-binary @"$MG_TMP/big" "$MG_BASE/validate" \
    2>/dev/null)
[ "$code" = 413 ] && mg_ok "413 chunked" || mg_fail "413 chunked: $code"
# A chunked body well past the cap (20 MiB) still gets its 413 as JSON, not an empty
# reply: it is read to its end and dropped, never stored.
head -c $((20 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$MG_TMP/huge"
code=$(mg_curl -o "$MG_TMP/out" -w '%{http_code}' -H 'Content-Type: application/json' \
    -H 'Transfer-Encoding: chunked' --data-binary @"$MG_TMP/huge" "$MG_BASE/validate" \
    2>/dev/null)
{ [ "$code" = 413 ] && grep -q '"code":413' "$MG_TMP/out"; } && mg_ok "413 chunked 20 MiB" ||
    mg_fail "chunked 20 MiB: code $code body $(head -c 200 "$MG_TMP/out")"
rm -f "$MG_TMP/huge"
# Exactly 7 MiB is not too big (spaces are not a review: the engine says 400).
head -c $((7 * 1024 * 1024)) "$MG_TMP/big" >"$MG_TMP/max"
code=$(mg_curl -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @"$MG_TMP/max" "$MG_BASE/validate")
[ "$code" = 400 ] && mg_ok "7 MiB exactly is read (400 from the engine)" ||
    mg_fail "7 MiB: $code"

check_code() { # what want curl-args...
    local what=$1 want=$2 got
    shift 2
    got=$(mg_curl -o "$MG_TMP/out" -w '%{http_code}' "$@")
    if [ "$got" = "$want" ]; then
        mg_ok "$what $want"
    else
        mg_fail "$what: want $want got $got"
    fi
}
check_code "text/plain" 415 -H 'Content-Type: text/plain' --data-binary @"$REVIEW" \
    "$MG_BASE/validate"
grep -q '"kind":"Status".*"code":415' "$MG_TMP/out" || mg_fail "415 body: $(cat "$MG_TMP/out")"
check_code "no content type" 415 -H 'Content-Type:' --data-binary @"$REVIEW" "$MG_BASE/validate"
check_code "application/jsonx" 415 -H 'Content-Type: application/jsonx' \
    --data-binary @"$REVIEW" "$MG_BASE/validate"
check_code "malformed JSON" 400 -H 'Content-Type: application/json' --data-binary '{"kind":' \
    "$MG_BASE/validate"
check_code "unknown path" 404 "$MG_BASE/nope"
grep -q '"status":"Failure"' "$MG_TMP/out" || mg_fail "404 body: $(cat "$MG_TMP/out")"
check_code "POST to unknown path" 404 -H 'Content-Type: application/json' -d '{}' \
    "$MG_BASE/validate/x"

code=$(mg_curl -D "$MG_TMP/hdr" -o "$MG_TMP/out" -w '%{http_code}' "$MG_BASE/validate")
{ [ "$code" = 405 ] && grep -qi '^Allow: POST' "$MG_TMP/hdr" &&
    grep -q '"code":405' "$MG_TMP/out"; } &&
    mg_ok "GET /validate 405 with Allow: POST" ||
    mg_fail "GET /validate: $code $(cat "$MG_TMP/hdr")"

[ "$(mg_curl "$MG_BASE/healthz")" = ok ] && mg_ok "healthz" || mg_fail "healthz"
[ "$(mg_curl "$MG_BASE/readyz")" = ready ] && mg_ok "readyz" || mg_fail "readyz"
mg_curl "$MG_BASE/metrics" |
    grep -q '^migguard_http_requests_total{path="/validate",code="200"} [1-9]' &&
    mg_ok "metrics count requests" || mg_fail "metrics"

# Idle connections are closed after --timeout (3 s), not held for ever.
start=$(date +%s)
# (stdin from a process substitution: a pipeline would also wait for the sleep)
timeout 14 openssl s_client -quiet -connect "127.0.0.1:$MG_PORT" \
    -CAfile "$MG_TMP/certs/ca.crt" < <(sleep 15) >/dev/null 2>&1
took=$(($(date +%s) - start))
[ "$took" -le 8 ] && mg_ok "idle connection closed after ${took}s" ||
    mg_fail "idle connection held ${took}s"

# Certificate reload: new CA and serving pair in place; new handshakes use them.
mv "$MG_TMP/certs/ca.crt" "$MG_TMP/old-ca.crt"
"$MG" certs create --force --out "$MG_TMP/certs" --ip 127.0.0.1 >/dev/null ||
    mg_fail "certs create (rotate)"
reloaded=
for _ in $(seq 1 50); do
    if [ "$(mg_curl "$MG_BASE/healthz" 2>/dev/null)" = ok ]; then reloaded=1; break; fi
    sleep 0.2
done
[ -n "$reloaded" ] && mg_ok "certificate reloaded" || mg_fail "certificate not reloaded"
curl -sS --max-time 5 --cacert "$MG_TMP/old-ca.crt" "$MG_BASE/healthz" >/dev/null 2>&1 &&
    mg_fail "old CA still accepted after reload" || mg_ok "old CA no longer accepted"
# A key that does not match is not taken: the server keeps the working pair.
cp "$MG_TMP/certs/ca.key" "$MG_TMP/certs/tls.key.new" &&
    mv "$MG_TMP/certs/tls.key.new" "$MG_TMP/certs/tls.key"
sleep 3
[ "$(mg_curl "$MG_BASE/healthz")" = ok ] && mg_ok "mismatched key not loaded" ||
    mg_fail "broken pair loaded"
grep -q 'keeping the current certificate' "$MG_TMP/serve.log" || mg_fail "no reload failure logged"

# SIGTERM during a slow upload: the request is answered, then the process exits 0.
{
    printf '{"padding":"'
    head -c 1500000 /dev/zero | tr '\0' 'a'
    printf '",'
    tail -c +2 "$REVIEW"
} >"$MG_TMP/slow.json"
mg_curl -o "$MG_TMP/slow.out" -w '%{http_code}' --limit-rate 400k \
    -H 'Content-Type: application/json' --data-binary @"$MG_TMP/slow.json" "$MG_BASE/validate" \
    >"$MG_TMP/slow.code" 2>"$MG_TMP/slow.err" &
cpid=$!
sleep 1.5
kill -TERM "$MG_PID"
sleep 0.5
if curl -sS --max-time 3 --cacert "$MG_TMP/certs/ca.crt" "$MG_BASE/healthz" >/dev/null 2>&1; then
    mg_fail "new connection accepted while draining"
else
    mg_ok "no new connections while draining"
fi
wait "$cpid"
code=$(cat "$MG_TMP/slow.code")
{ [ "$code" = 200 ] && grep -q "$UID_WANT" "$MG_TMP/slow.out"; } &&
    mg_ok "in-flight slow upload answered during stop" ||
    mg_fail "slow upload: code $code $(cat "$MG_TMP/slow.err")"
# ($MG_PID is timeout(1): it passed the TERM on, and its exit status is the server's.)
mg_serve_wait 15
if [ "$MG_RC" = 0 ]; then
    mg_ok "server exited 0"
else
    mg_fail "server exit status '${MG_RC:-still running}'"
fi

if [ "$MG_FAILS" -ne 0 ]; then
    echo "--- server log"; cat "$MG_TMP/serve.log"
    echo "$MG_FAILS check(s) failed"
    exit 1
fi
echo "all HTTPS checks passed"
