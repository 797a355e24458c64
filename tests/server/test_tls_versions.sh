#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_tls_versions.sh - the server's TLS floor (issue 15: TLS 1.2 and 1.3 only, GnuTLS
# priority "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"): a client offering only TLS 1.0
# or only 1.1 is refused (the client is told SECLEVEL=0, so it really offers them), only
# 1.2 and only 1.3 are accepted, with openssl s_client and curl --tls-max on loopback;
# the refused handshakes reach the log as one "migguard: http: ..." line each, and so
# does a 431, without libmicrohttpd's HTML page.
# Usage: test_tls_versions.sh MIGGUARD SOURCE_DIR
set -u

MG=${1:?usage: test_tls_versions.sh MIGGUARD SOURCE_DIR}
SRC=${2:?usage: test_tls_versions.sh MIGGUARD SOURCE_DIR}
. "$SRC/tests/lib/serve.sh"
MG_SERVE_TIMEOUT=60 mg_serve_start

# proto FLAG: the protocol openssl s_client settled on with only FLAG offered ("" if none).
proto() {
    echo | timeout 10 openssl s_client "$1" -cipher 'DEFAULT:@SECLEVEL=0' \
        -connect "127.0.0.1:$MG_PORT" -CAfile "$MG_TMP/certs/ca.crt" 2>&1 >"$MG_TMP/s.out" |
        cat >/dev/null
    sed -n 's/^New, \(TLSv[0-9.]*\), Cipher is .*/\1/p' "$MG_TMP/s.out"
}
for v in tls1 tls1_1; do
    got=$(proto "-$v")
    [ -z "$got" ] && mg_ok "only $v offered: refused" || mg_fail "only $v offered: got $got"
done
got=$(proto -tls1_2)
[ "$got" = TLSv1.2 ] && mg_ok "only TLS 1.2: accepted" || mg_fail "TLS 1.2: got '$got'"
got=$(proto -tls1_3)
[ "$got" = TLSv1.3 ] && mg_ok "only TLS 1.3: accepted" || mg_fail "TLS 1.3: got '$got'"

# curl: at most 1.1 fails the handshake; exactly 1.3 is served.
if mg_curl --tls-max 1.1 --ciphers 'DEFAULT:@SECLEVEL=0' "$MG_BASE/healthz" >/dev/null 2>&1; then
    mg_fail "curl --tls-max 1.1 served"
else
    mg_ok "curl --tls-max 1.1 refused"
fi
[ "$(mg_curl --tlsv1.3 --tls-max 1.3 "$MG_BASE/healthz")" = ok ] &&
    mg_ok "curl TLS 1.3 only: served" || mg_fail "curl TLS 1.3"

# libmicrohttpd's complaint about the refused handshakes: one prefixed line each, no
# blank or unprefixed lines in the log.
sleep 0.3
grep -q '^migguard: http: .*handshake' "$MG_TMP/serve.log" &&
    mg_ok "refused handshakes logged as migguard: http: lines" ||
    mg_fail "no http: line: $(cat "$MG_TMP/serve.log")"
# A 431 (headers past the 16 KB pool): libmicrohttpd's own page (HTML, compiled into
# libmicrohttpd 0.9.75) goes to the client, but not into the log.
code=$(mg_curl -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)" \
    "$MG_BASE/healthz")
[ "$code" = 431 ] && mg_ok "oversized headers: 431" || mg_fail "oversized headers: $code"
sleep 0.3
grep -q '^migguard: http: .*431' "$MG_TMP/serve.log" && ! grep -q '<html>' "$MG_TMP/serve.log" &&
    mg_ok "the 431 is logged in one line without libmicrohttpd's HTML" ||
    mg_fail "431 log: $(grep 431 "$MG_TMP/serve.log")"
bad=$(grep -v '^migguard: \|^{"msg":"decision"' "$MG_TMP/serve.log" | head -3)
[ -z "$bad" ] && mg_ok "every log line in the project's form" || mg_fail "raw lines: $bad"

[ "$MG_FAILS" = 0 ] || { echo "tls versions: $MG_FAILS failed"; exit 1; }
echo "tls versions: passed"
