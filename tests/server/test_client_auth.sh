#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_client_auth.sh - serve --client-ca over real TLS on loopback (issue 15): reviews
# without a client certificate, with one from another CA, with a name not in
# --client-name, and with the server's own certificate (no clientAuth purpose) get 403
# before the body is read and leave the view unchanged; a valid one is served; probes
# stay open; /metrics moves to --metrics-listen (plain HTTP); a new --client-ca bundle
# is picked up while serving. Usage: test_client_auth.sh MIGGUARD SOURCE_DIR
set -u

MG=${1:?usage: test_client_auth.sh MIGGUARD SOURCE_DIR}
SRC=${2:?usage: test_client_auth.sh MIGGUARD SOURCE_DIR}
. "$SRC/tests/lib/serve.sh"

C=$MG_TMP/certs
"$MG" certs create --out "$C" --ip 127.0.0.1 >/dev/null || { echo "FAIL: certs create"; exit 1; }
"$MG" certs client --name kube-apiserver --ca-dir "$C" >/dev/null &&
    "$MG" certs client --name tenant --ca-dir "$C" >/dev/null || { echo "FAIL: certs client"; exit 1; }
# Another CA issuing the right name.
"$MG" certs create --out "$MG_TMP/other" --ip 127.0.0.1 >/dev/null &&
    "$MG" certs client --name kube-apiserver --ca-dir "$MG_TMP/other" >/dev/null ||
    { echo "FAIL: other CA"; exit 1; }
# A second bundle file, for the reload check: starts as a copy of the first CA.
cp "$C/ca.crt" "$MG_TMP/bundle2.crt"

MG_SERVE_TIMEOUT=120 mg_serve_start --client-ca "$C/ca.crt" --client-ca "$MG_TMP/bundle2.crt" \
    --client-name kube-apiserver --client-name apiserver.example --metrics-listen 127.0.0.1:0 \
    --pending 1
mport=
for _ in $(seq 1 50); do
    mport=$(sed -n 's|^migguard: metrics on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$MG_TMP/serve.log")
    [ -n "$mport" ] && break
    sleep 0.1
done
grep -q 'reviews are authenticated' "$MG_TMP/serve.log" && mg_ok "start says reviews are authenticated" ||
    mg_fail "no authentication line: $(cat "$MG_TMP/serve.log")"

# policy NAME: a MigrationPolicy CREATE review with the selectors the issue's squatter took.
policy() {
    printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"uid-%s","kind":{"group":"migrations.kubevirt.io","version":"v1alpha1","kind":"MigrationPolicy"},"resource":{"group":"migrations.kubevirt.io","version":"v1alpha1","resource":"migrationpolicies"},"name":"%s","operation":"CREATE","object":{"apiVersion":"migrations.kubevirt.io/v1alpha1","kind":"MigrationPolicy","metadata":{"name":"%s"},"spec":{"selectors":{"virtualMachineInstanceSelector":{"tier":"prod"}}}}}}' "$1" "$1" "$1"
}
policy squatter >"$MG_TMP/squatter.json"
policy production >"$MG_TMP/production.json"

# post WHAT WANT_CODE WANT_TEXT curl-args...: POST the squatter to /validate.
post() {
    local what=$1 want=$2 text=$3 code
    shift 3
    code=$(mg_curl -o "$MG_TMP/out" -w '%{http_code}' -H 'Content-Type: application/json' \
        --data-binary @"$MG_TMP/squatter.json" "$@" "$MG_BASE/validate")
    if [ "$code" = "$want" ] && grep -q "$text" "$MG_TMP/out"; then
        mg_ok "$what: $want"
    else
        mg_fail "$what: want $want with '$text', got $code $(head -c 400 "$MG_TMP/out")"
    fi
}
post "no client certificate" 403 '"code":403.*\|client certificate is required'
grep -q 'a TLS client certificate is required' "$MG_TMP/out" || mg_fail "403 message: $(cat "$MG_TMP/out")"
grep -q '"kind":"Status"' "$MG_TMP/out" || mg_fail "403 is not a JSON Status"
post "certificate from another CA" 403 'issuer is unknown' \
    --cert "$MG_TMP/other/kube-apiserver.crt" --key "$MG_TMP/other/kube-apiserver.key"
post "name not in --client-name" 403 'CN=tenant.*match no --client-name' \
    --cert "$C/tenant.crt" --key "$C/tenant.key"
post "serving certificate (not for client use)" 403 'intended purpose' \
    --cert "$C/tls.crt" --key "$C/tls.key"
code=$(mg_curl -o "$MG_TMP/out" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @"$MG_TMP/squatter.json" "$MG_BASE/mutate")
[ "$code" = 403 ] && mg_ok "/mutate without a certificate: 403" || mg_fail "/mutate: $code"

# 403 before the body is read: a body announced as 5 MiB that never comes still gets
# its answer at once.
{
    printf 'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
    printf 'Content-Length: 5000000\r\n\r\n{"a":'
    sleep 10
} | timeout 6 openssl s_client -quiet -connect "127.0.0.1:$MG_PORT" -CAfile "$C/ca.crt" \
    >"$MG_TMP/early" 2>/dev/null
grep -q '^HTTP/1.1 403' "$MG_TMP/early" && mg_ok "403 before the body is read" ||
    mg_fail "no early 403: $(head -c 300 "$MG_TMP/early")"

# The refused squatter never entered the view: the real policy with the same selectors
# is admitted (without --client-ca it would be refused with MP010, test_policy_conflict).
code=$(mg_curl -o "$MG_TMP/out" -w '%{http_code}' -H 'Content-Type: application/json' \
    --cert "$C/kube-apiserver.crt" --key "$C/kube-apiserver.key" \
    --data-binary @"$MG_TMP/production.json" "$MG_BASE/validate")
if [ "$code" = 200 ] && grep -q '"allowed":true' "$MG_TMP/out"; then
    mg_ok "valid client certificate served; the view did not take the squatter"
else
    mg_fail "valid client: $code $(cat "$MG_TMP/out")"
fi
# ...and the authenticated one entered it for good (not only while pending, 1 s here):
# the squatter, authenticated now, is MP010.
sleep 2
code=$(mg_curl -o "$MG_TMP/out" -w '%{http_code}' -H 'Content-Type: application/json' \
    --cert "$C/kube-apiserver.crt" --key "$C/kube-apiserver.key" \
    --data-binary @"$MG_TMP/squatter.json" "$MG_BASE/validate")
grep -q 'MP010' "$MG_TMP/out" && mg_ok "an authenticated admitted policy is in the view" ||
    mg_fail "authenticated policy not in the view: $code $(cat "$MG_TMP/out")"

[ "$(mg_curl "$MG_BASE/healthz")" = ok ] && mg_ok "healthz open without a certificate" ||
    mg_fail "healthz"
[ "$(mg_curl "$MG_BASE/readyz")" = ready ] && mg_ok "readyz open without a certificate" ||
    mg_fail "readyz"

# /metrics: on its own plain-HTTP address, not on the webhook port.
code=$(mg_curl -o /dev/null -w '%{http_code}' "$MG_BASE/metrics")
[ "$code" = 404 ] && mg_ok "no /metrics on the webhook port" || mg_fail "webhook /metrics: $code"
if [ -n "$mport" ] && curl -sS --max-time 10 "http://127.0.0.1:$mport/metrics" >"$MG_TMP/m"; then
    grep -q '^migguard_client_auth_refused_total [5-9]' "$MG_TMP/m" &&
        grep -q '^migguard_http_requests_total{path="/validate",code="403"} [4-9]' "$MG_TMP/m" &&
        mg_ok "metrics on --metrics-listen count the refusals" ||
        mg_fail "metrics: $(grep -E 'auth|403' "$MG_TMP/m")"
else
    mg_fail "no metrics listener (port '$mport')"
fi
code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$mport/validate")
[ "$code" = 404 ] && mg_ok "the metrics address serves /metrics only" || mg_fail "metrics /validate: $code"

# A new bundle in the second --client-ca file is taken while serving (the certificate
# poll, every 2 s): the other CA's client is accepted then.
cat "$MG_TMP/other/ca.crt" >"$MG_TMP/bundle2.new" && mv "$MG_TMP/bundle2.new" "$MG_TMP/bundle2.crt"
ok=
for _ in $(seq 1 40); do
    code=$(mg_curl -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        --cert "$MG_TMP/other/kube-apiserver.crt" --key "$MG_TMP/other/kube-apiserver.key" \
        --data-binary @"$MG_TMP/production.json" "$MG_BASE/validate")
    [ "$code" = 200 ] && { ok=1; break; }
    sleep 0.25
done
[ -n "$ok" ] && mg_ok "--client-ca re-read while serving" || mg_fail "new client CA not taken"
# The log is written by a background flusher: give it a moment.
logged=
for _ in $(seq 1 40); do
    grep -q 'reloaded the --client-ca bundles' "$MG_TMP/serve.log" && { logged=1; break; }
    sleep 0.25
done
[ -n "$logged" ] && mg_ok "the --client-ca reload is logged" || mg_fail "reload not logged"
# A broken bundle keeps the previous one.
echo "not a certificate" >"$MG_TMP/bundle2.new" && mv "$MG_TMP/bundle2.new" "$MG_TMP/bundle2.crt"
sleep 3
code=$(mg_curl -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    --cert "$MG_TMP/other/kube-apiserver.crt" --key "$MG_TMP/other/kube-apiserver.key" \
    --data-binary @"$MG_TMP/production.json" "$MG_BASE/validate")
[ "$code" = 200 ] && grep -q 'keeping the previous --client-ca bundles' "$MG_TMP/serve.log" &&
    mg_ok "a broken bundle keeps the previous one" || mg_fail "broken bundle: $code"

# A connection checked once keeps its verdict only while the bundles stay: when the CA
# that signed it goes, the next review on the same keep-alive connection is refused.
req() {
    printf 'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
    printf 'Content-Length: %s\r\n\r\n' "$(wc -c <"$MG_TMP/production.json")"
    cat "$MG_TMP/production.json"
}
{
    req
    sleep 1
    cp "$C/ca.crt" "$MG_TMP/bundle2.new" && mv "$MG_TMP/bundle2.new" "$MG_TMP/bundle2.crt"
    sleep 4
    req
    sleep 1
} | timeout 15 openssl s_client -quiet -connect "127.0.0.1:$MG_PORT" -CAfile "$C/ca.crt" \
    -cert "$MG_TMP/other/kube-apiserver.crt" -key "$MG_TMP/other/kube-apiserver.key" \
    >"$MG_TMP/ka" 2>/dev/null
codes=$(grep -ao 'HTTP/1.1 [0-9]*' "$MG_TMP/ka" | cut -d' ' -f2 | tr '\n' ' ')
[ "$codes" = "200 403 " ] && mg_ok "a removed CA refuses the next review on an open connection" ||
    mg_fail "keep-alive across a CA change: codes '$codes'"

mg_serve_stop

# Without --client-ca (issue 15): the made-up policy is admitted and counts while pending
# (--pending 1), so the real one is refused at first, but admitted once that time is over.
MG_SERVE_TIMEOUT=60 mg_serve_start --pending 1
grep -q 'reviews are NOT authenticated' "$MG_TMP/serve.log" &&
    mg_ok "start says reviews are not authenticated" || mg_fail "no unauthenticated line"
out=$(mg_review /validate "$MG_TMP/squatter.json")
case $out in *'"allowed":true'*) mg_ok "unauthenticated squatter admitted" ;;
*) mg_fail "squatter: $out" ;; esac
out=$(mg_review /validate "$MG_TMP/production.json")
case $out in *MP010*) mg_ok "while pending, the real policy is refused (MP010)" ;;
*) mg_fail "while pending: $out" ;; esac
sleep 2
out=$(mg_review /validate "$MG_TMP/production.json")
case $out in *'"allowed":true'*) mg_ok "after the pending time the real policy is admitted" ;;
*) mg_fail "after pending: $out" ;; esac
mg_serve_stop

# Bad flags are refused with the fix named.
out=$("$MG" serve --tls-cert "$C/tls.crt" --tls-key "$C/tls.key" --client-name x 2>&1)
case $out in *"--client-name needs --client-ca"*) mg_ok "--client-name alone refused" ;;
*) mg_fail "--client-name alone: $out" ;; esac
out=$("$MG" serve --listen 127.0.0.1:0 --tls-cert "$C/tls.crt" --tls-key "$C/tls.key" \
    --client-ca "$MG_TMP/nope.crt" 2>&1)
case $out in *nope.crt*) mg_ok "missing --client-ca file named" ;; *) mg_fail "missing CA: $out" ;; esac
out=$("$MG" serve --listen 127.0.0.1:0 --tls-cert "$C/tls.crt" --tls-key "$C/tls.key" \
    --client-ca "$C/tls.key" 2>&1)
case $out in *"holds no PEM certificate"*) mg_ok "a --client-ca without a certificate refused" ;;
*) mg_fail "key as CA: $out" ;; esac

# --metrics-listen: a bad address and a port in use are refused, naming the flag.
out=$("$MG" serve --listen 127.0.0.1:0 --tls-cert "$C/tls.crt" --tls-key "$C/tls.key" \
    --metrics-listen localhost:9090 2>&1)
case $out in *"--metrics-listen: listen address 'localhost:9090'"*) mg_ok "bad --metrics-listen named" ;;
*) mg_fail "bad --metrics-listen: $out" ;; esac
MG_SERVE_TIMEOUT=30 mg_serve_start
out=$("$MG" serve --listen 127.0.0.1:0 --tls-cert "$C/tls.crt" --tls-key "$C/tls.key" \
    --metrics-listen "127.0.0.1:$MG_PORT" 2>&1)
case $out in *"cannot listen on 127.0.0.1:$MG_PORT for --metrics-listen"*) mg_ok "--metrics-listen port in use refused" ;;
*) mg_fail "--metrics-listen in use: $out" ;; esac
mg_serve_stop

# --threads: the help, the error and what is accepted agree (1 to 64, 0 for one per CPU).
out=$("$MG" serve --tls-cert "$C/tls.crt" --tls-key "$C/tls.key" --threads 65 2>&1)
case $out in *"--threads takes a number from 1 to 64 (0: one per usable CPU)"*)
    mg_ok "--threads 65 refused with the range" ;; *) mg_fail "--threads 65: $out" ;; esac
"$MG" serve --help | grep -q 'event loops, one thread each, 1 to 64; 0 or absent' &&
    mg_ok "--threads help gives the same range" || mg_fail "--threads help"

[ "$MG_FAILS" = 0 ] || { echo "client auth: $MG_FAILS failed"; exit 1; }
echo "client auth: passed"
