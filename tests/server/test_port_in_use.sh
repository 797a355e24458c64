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

for listen in "127.0.0.1:$MG_PORT" ":$MG_PORT"; do
    out=$(timeout 20 "$MG" serve --listen "$listen" --tls-cert "$MG_TMP/certs/tls.crt" \
        --tls-key "$MG_TMP/certs/tls.key" 2>&1 >/dev/null)
    rc=$?
    if [ "$rc" -eq 2 ] && grep -q "cannot listen on $listen: the port is in use" <<<"$out"; then
        mg_ok "second server on $listen refused"
    else
        mg_fail "second server on $listen: exit $rc, said: $out"
    fi
done
if [ "$(mg_curl -o /dev/null -w '%{http_code}' "$MG_BASE/healthz")" = 200 ]; then
    mg_ok "first server still answers"
else
    mg_fail "first server stopped answering"
fi
echo "port_in_use: $((3 - MG_FAILS)) passed, $MG_FAILS failed"
[ "$MG_FAILS" -eq 0 ]
