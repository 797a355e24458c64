#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_port_in_use.sh - the loops share their port through SO_REUSEPORT, which must not
# let a second server (or anything else listening) share it: a second `migguard serve`
# on the port of a running one exits 2 saying the port is in use, and the first still
# answers. Usage: test_port_in_use.sh MIGGUARD SRC
set -u
MG=${1:?usage: test_port_in_use.sh MIGGUARD SRC}
SRC=${2:?usage: test_port_in_use.sh MIGGUARD SRC}
. "$SRC/tests/lib/serve.sh"
mg_serve_start

out=$(timeout 20 "$MG" serve --listen "127.0.0.1:$MG_PORT" --tls-cert "$MG_TMP/certs/tls.crt" \
    --tls-key "$MG_TMP/certs/tls.key" 2>&1 >/dev/null)
rc=$?
if [ "$rc" -eq 2 ] && grep -q "cannot listen on 127.0.0.1:$MG_PORT: the port is in use" <<<"$out"; then
    mg_ok "second server on the same port refused"
else
    mg_fail "second server on port $MG_PORT: exit $rc, said: $out"
fi
out=$(timeout 20 "$MG" serve --listen ":$MG_PORT" --tls-cert "$MG_TMP/certs/tls.crt" \
    --tls-key "$MG_TMP/certs/tls.key" 2>&1 >/dev/null)
rc=$?
if [ "$rc" -eq 2 ] && grep -q "the port is in use" <<<"$out"; then
    mg_ok "second server on every address of the same port refused"
else
    mg_fail "second server on :$MG_PORT: exit $rc, said: $out"
fi
if [ "$(mg_curl -o /dev/null -w '%{http_code}' "$MG_BASE/healthz")" = 200 ]; then
    mg_ok "first server still answers"
else
    mg_fail "first server stopped answering"
fi
echo "port_in_use: $((3 - MG_FAILS)) passed, $MG_FAILS failed"
[ "$MG_FAILS" -eq 0 ]
