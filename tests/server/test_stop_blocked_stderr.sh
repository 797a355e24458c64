#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_stop_blocked_stderr.sh - SIGTERM while stderr is blocked (issue 14): the server's
# stderr is a pipe that stops being read once the port is known; reviews with long
# decision lines fill it; SIGTERM must still end the process, with status 0, within a
# few seconds (the log buffer gives a stuck stderr 2 s, then drops what is left), and
# reviews sent while stderr is stuck are still answered.
# Usage: test_stop_blocked_stderr.sh MIGGUARD SOURCE_DIR
set -u

MG=${1:?usage: test_stop_blocked_stderr.sh MIGGUARD SOURCE_DIR}
SRC=${2:?usage: test_stop_blocked_stderr.sh MIGGUARD SOURCE_DIR}
. "$SRC/tests/lib/serve.sh"

"$MG" certs create --out "$MG_TMP/certs" --ip 127.0.0.1 >/dev/null || { echo "FAIL: certs"; exit 1; }
mkfifo "$MG_TMP/err"
# Read-write open: neither side waits for the other; fd 3 is read only for the port.
exec 3<>"$MG_TMP/err"
timeout 120 "$MG" serve --listen 127.0.0.1:0 --tls-cert "$MG_TMP/certs/tls.crt" \
    --tls-key "$MG_TMP/certs/tls.key" >/dev/null 2>"$MG_TMP/err" &
MG_PID=$!
port=
while IFS= read -r -t 10 -u 3 line; do
    case $line in
    *"listening on https://127.0.0.1:"*) port=${line##*:}; break ;;
    esac
done
[ -n "$port" ] || { echo "FAIL: no port"; exit 1; }
MG_BASE="https://127.0.0.1:$port"

# 200 reviews of a policy with a 1,500-character label value: each decision line is
# about 2 KB, 400 KB in all, past the 64 KiB pipe and one 256 KB log buffer.
long=$(head -c 1500 /dev/zero | tr '\0' 'x')
printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-%s","kind":{"group":"migrations.kubevirt.io","version":"v1alpha1","kind":"MigrationPolicy"},"resource":{"group":"migrations.kubevirt.io","version":"v1alpha1","resource":"migrationpolicies"},"name":"p%s","operation":"CREATE","dryRun":true,"object":{"apiVersion":"migrations.kubevirt.io/v1alpha1","kind":"MigrationPolicy","metadata":{"name":"p%s"},"spec":{"selectors":{"virtualMachineInstanceSelector":{"x":"y"}}}}}}' \
    "$long" "$long" "$long" >"$MG_TMP/review.json"
: >"$MG_TMP/curl.cfg"
for i in $(seq 1 200); do
    [ "$i" -gt 1 ] && echo 'next' >>"$MG_TMP/curl.cfg"
    {
        echo "url = \"$MG_BASE/validate\""
        echo "header = \"Content-Type: application/json\""
        echo "data-binary = \"@$MG_TMP/review.json\""
        echo "cacert = \"$MG_TMP/certs/ca.crt\""
        echo "output = \"/dev/null\""
        echo "write-out = \"%{http_code}\\n\""
    } >>"$MG_TMP/curl.cfg"
done
curl -sS --max-time 60 -K "$MG_TMP/curl.cfg" >"$MG_TMP/codes" 2>"$MG_TMP/curl.err"
n200=$(grep -c '^200$' "$MG_TMP/codes")
[ "$n200" = 200 ] && mg_ok "200 reviews answered while stderr is stuck" ||
    mg_fail "answered $n200 of 200: $(head -3 "$MG_TMP/curl.err")"
sleep 0.5

start=$(date +%s)
kill -TERM "$MG_PID"
if mg_serve_wait 15; then
    took=$(($(date +%s) - start))
    [ "$MG_RC" = 0 ] && mg_ok "SIGTERM with stderr stuck: exit 0 after ${took}s" ||
        mg_fail "exit status $MG_RC"
    [ "$took" -le 8 ] || mg_fail "stop took ${took}s"
else
    mg_fail "SIGTERM with stderr stuck: still running after 15 s"
fi
exec 3<&-

[ "$MG_FAILS" = 0 ] || { echo "stop with blocked stderr: $MG_FAILS failed"; exit 1; }
echo "stop with blocked stderr: passed"
