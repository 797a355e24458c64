#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_certs_cli.sh - `migguard certs create` and `certs client` as a user runs them
# (issue 14, 15): without --out the files go to ~/.config/migguard/certs (or
# $MIGGUARD_CERTS_DIR), never the working directory; an existing CA is kept unless
# --force; `certs client` issues a clientAuth certificate from that CA that OpenSSL
# verifies for client use and not for serving, and keeps existing files unless --force.
set -u
MG=${1:?usage: test_certs_cli.sh MIGGUARD SRC}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

mkdir "$tmp/home" "$tmp/work"
cd "$tmp/work" || exit 1
d=$tmp/home/.config/migguard/certs
if env -u XDG_CONFIG_HOME -u MIGGUARD_CERTS_DIR HOME="$tmp/home" \
    "$MG" certs create --ip 127.0.0.1 >"$tmp/out" 2>&1 && [ -f "$d/ca.key" ] && [ -f "$d/tls.crt" ]; then
    ok "default directory is ~/.config/migguard/certs"
else
    bad "default directory: $(cat "$tmp/out")"
fi
[ -z "$(ls -A "$tmp/work")" ] && ok "nothing written to the working directory" ||
    bad "wrote into the working directory: $(ls -A "$tmp/work")"
[ "$(stat -c %a "$tmp/home/.config/migguard")" = 700 ] && ok "made directories are 0700" ||
    bad "mode $(stat -c %a "$tmp/home/.config/migguard")"
sum=$(sha256sum "$d/ca.key")
if env -u XDG_CONFIG_HOME -u MIGGUARD_CERTS_DIR HOME="$tmp/home" \
    "$MG" certs create --ip 127.0.0.1 >"$tmp/out" 2>&1; then
    bad "an existing CA was replaced without --force"
else
    grep -q 'already holds a CA.*--force' "$tmp/out" && ok "existing CA refused, --force named" ||
        bad "refusal message: $(cat "$tmp/out")"
fi
[ "$(sha256sum "$d/ca.key")" = "$sum" ] && ok "the CA key is untouched" || bad "CA key changed"
MIGGUARD_CERTS_DIR=$d "$MG" certs create --force --ip 127.0.0.1 >/dev/null &&
    [ "$(sha256sum "$d/ca.key")" != "$sum" ] && ok "--force replaces it (MIGGUARD_CERTS_DIR)" ||
    bad "--force did not replace the CA"

# certs client from the default CA directory.
MIGGUARD_CERTS_DIR=$d "$MG" certs client --name kube-apiserver >"$tmp/out" 2>&1 ||
    bad "certs client: $(cat "$tmp/out")"
grep -q -- "--client-ca $d/ca.crt --client-name kube-apiserver" "$tmp/out" &&
    ok "certs client prints the serve flags" || bad "certs client output: $(cat "$tmp/out")"
openssl verify -CAfile "$d/ca.crt" -purpose sslclient "$d/kube-apiserver.crt" >/dev/null 2>&1 &&
    ok "client certificate verifies for TLS client use" || bad "not a client certificate"
openssl verify -CAfile "$d/ca.crt" -purpose sslserver "$d/kube-apiserver.crt" >/dev/null 2>&1 &&
    bad "client certificate also verifies for serving" || ok "client certificate is not for serving"
openssl x509 -in "$d/kube-apiserver.crt" -noout -subject | grep -q 'CN *= *kube-apiserver' &&
    ok "subject CN is the name" || bad "subject: $(openssl x509 -in "$d/kube-apiserver.crt" -noout -subject)"
[ "$(stat -c %a "$d/kube-apiserver.key")" = 600 ] && ok "client key 0600" || bad "client key mode"
if MIGGUARD_CERTS_DIR=$d "$MG" certs client --name kube-apiserver >"$tmp/out" 2>&1; then
    bad "an existing client certificate was replaced without --force"
else
    ok "existing client certificate kept without --force"
fi
"$MG" certs client --name x --ca-dir "$tmp/none" >"$tmp/out" 2>&1 &&
    bad "certs client without a CA succeeded" ||
    { grep -q "certs create" "$tmp/out" && ok "missing CA names 'certs create'" || bad "message: $(cat "$tmp/out")"; }
"$MG" certs client --ca-dir "$d" >"$tmp/out" 2>&1 && bad "certs client without --name" ||
    { grep -q -- "--name NAME is required" "$tmp/out" && ok "--name required" || bad "$(cat "$tmp/out")"; }
[ $fail = 0 ] || { echo "certs cli: FAILED"; exit 1; }
echo "certs cli: passed"
