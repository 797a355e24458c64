#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_rotation.sh - certificate rotation under load: the serving pair sits behind a
# Secret-volume layout (tls.crt -> ..data/tls.crt, ..data -> ..gen-N, swapped by an
# atomic rename), is rotated twice (EC, then RSA) while a client opens a new TLS
# connection every 10 requests; zero requests may fail, and the new certificate must be
# served after each swap. Usage: test_rotation.sh MIGGUARD SRC
set -u
MG=${1:?usage: test_rotation.sh MIGGUARD SRC}
SRC=${2:?usage: test_rotation.sh MIGGUARD SRC}
. "$SRC/tests/lib/serve.sh"
LC="python3 $SRC/bench/loadclient.py"
secret=$MG_TMP/certs

rotate_to() {
    "$MG" certs create --out "$secret/..gen-$1" --ip 127.0.0.1 --dns localhost \
        ${2:+--key-type $2} >/dev/null || { echo "FAIL: certs create"; exit 1; }
    ln -sfn "..gen-$1" "$secret/..data.tmp"
    mv -T "$secret/..data.tmp" "$secret/..data"
}

mkdir -p "$secret"
rotate_to 1
for f in tls.crt tls.key ca.crt; do ln -s "..data/$f" "$secret/$f"; done
mg_serve_start --quiet

$LC --port "$MG_PORT" --body "$SRC/tests/data/migrationpolicy-create.review.json" --conns 4 \
    --reconnect 10 --secs 9 >"$MG_TMP/lc.out" 2>"$MG_TMP/lc.err" &
lc=$!
sleep 2
rotate_to 2
served=
for _ in $(seq 1 40); do
    $LC --port "$MG_PORT" --expect-cert "$secret/..gen-2/tls.crt" >/dev/null 2>&1 && { served=1; break; }
    sleep 0.2
done
if [ -n "$served" ]; then mg_ok "the second (EC) certificate is served"; else mg_fail "gen-2 not served"; fi
rotate_to 3 rsa
served=
for _ in $(seq 1 40); do
    $LC --port "$MG_PORT" --expect-cert "$secret/..gen-3/tls.crt" >/dev/null 2>&1 && { served=1; break; }
    sleep 0.2
done
if [ -n "$served" ]; then mg_ok "the third (RSA) certificate is served"; else mg_fail "gen-3 not served"; fi
wait "$lc"
out=$(grep '^LOADCLIENT' "$MG_TMP/lc.out")
ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$out")
echo "  $out"
if [ "${ok:-0}" -gt 0 ] && grep -q ' bad=0 lost=0 refused=0 ' <<<"$out"; then
    mg_ok "two rotations under load: zero failed requests"
else
    mg_fail "under load: ${out:-no LOADCLIENT line} $(cat "$MG_TMP/lc.err")"
fi
reloads=$(mg_curl "$MG_BASE/metrics" | sed -n 's/^migguard_tls_reloads_total{result="ok"} //p')
if [ "${reloads:-0}" -ge 2 ]; then mg_ok "metrics count $reloads reloads"; else mg_fail "reloads: '$reloads'"; fi
echo "rotation: $((MG_FAILS == 0 ? 1 : 0)) passed, $((MG_FAILS == 0 ? 0 : 1)) failed"
[ "$MG_FAILS" -eq 0 ]
