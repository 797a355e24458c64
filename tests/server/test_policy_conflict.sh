#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_policy_conflict.sh - two conflicting MigrationPolicies sent back to back to the
# real HTTPS server: the first is admitted and enters the view at once, the second is
# denied (MP011, and MP010 for an exact duplicate); a dry run changes nothing; a DELETE
# frees the selectors again; /mutate annotates a VM with the admitted policy.
# Usage: test_policy_conflict.sh MIGGUARD SOURCE_DIR
set -u

MG=${1:?usage: test_policy_conflict.sh MIGGUARD SOURCE_DIR}
tmp=$(mktemp -d /tmp/mg-conflict-XXXXXX)
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

c() { curl -sS --max-time 20 --cacert "$tmp/certs/ca.crt" -H 'Content-Type: application/json' "$@"; }

# review OP NAME SELECTORS BANDWIDTH [DRYRUN]: a MigrationPolicy AdmissionReview.
review() {
    local obj="{\"apiVersion\":\"migrations.kubevirt.io/v1alpha1\",\"kind\":\"MigrationPolicy\",\"metadata\":{\"name\":\"$2\"},\"spec\":{\"selectors\":$3,\"bandwidthPerMigration\":\"$4\"}}"
    local object=$obj old=null
    if [ "$1" = DELETE ]; then object=null; old=$obj; fi
    printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"uid-%s-%s","kind":{"group":"migrations.kubevirt.io","version":"v1alpha1","kind":"MigrationPolicy"},"resource":{"group":"migrations.kubevirt.io","version":"v1alpha1","resource":"migrationpolicies"},"name":"%s","operation":"%s","object":%s,"oldObject":%s,"dryRun":%s}}' \
        "$1" "$2" "$2" "$1" "$object" "$old" "${5:-false}"
}

# post FILE: /validate; prints the response body.
post() { c --data-binary @"$1" "$base/validate"; }

"$MG" certs create --out "$tmp/certs" --ip 127.0.0.1 >/dev/null || { echo "FAIL: certs create"; exit 1; }
timeout 120 "$MG" serve --listen 127.0.0.1:0 --tls-cert "$tmp/certs/tls.crt" \
    --tls-key "$tmp/certs/tls.key" 2>"$tmp/serve.log" &
pid=$!
port=
for _ in $(seq 1 100); do
    port=$(sed -n 's|^migguard: listening on https://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$tmp/serve.log")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "FAIL: server did not print its port"; cat "$tmp/serve.log"; exit 1
fi
base="https://127.0.0.1:$port"

DB='{"virtualMachineInstanceSelector":{"app":"db"}}'
TEAM='{"namespaceSelector":{"team":"x"}}'
review CREATE gold-db "$DB" 1Gi >"$tmp/a.json"
review CREATE team-x "$TEAM" 2Gi >"$tmp/b.json"
review CREATE gold-db-copy "$DB" 1Gi >"$tmp/dup.json"

# Back to back, on one connection: the first is admitted, the second denied.
c --data-binary @"$tmp/a.json" "$base/validate" -o "$tmp/ra" \
    --next --cacert "$tmp/certs/ca.crt" -H 'Content-Type: application/json' \
    --data-binary @"$tmp/b.json" "$base/validate" -o "$tmp/rb"
if grep -q '"allowed":true' "$tmp/ra"; then ok "first policy admitted"; else fail "first: $(cat "$tmp/ra")"; fi
if grep -q '"allowed":false' "$tmp/rb" && grep -q '\[MP011\] ties with policy \\"gold-db\\"' "$tmp/rb"; then
    ok "second policy denied with MP011 naming gold-db"
else
    fail "second: $(cat "$tmp/rb")"
fi
if grep -q 'labels {app=db} in a namespace with labels {team=x}' "$tmp/rb"; then
    ok "MP011 gives a label set both match"
else
    fail "MP011 message: $(cat "$tmp/rb")"
fi
out=$(post "$tmp/dup.json")
case $out in
*'"allowed":false'*'[MP010]'*) ok "exact duplicate denied with MP010" ;;
*) fail "duplicate: $out" ;;
esac

# The admitted policy annotates a VM at once.
vm='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"vm-1","kind":{"group":"kubevirt.io","version":"v1","kind":"VirtualMachine"},"name":"db-0","namespace":"default","operation":"CREATE","object":{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"name":"db-0","namespace":"default"},"spec":{"template":{"metadata":{"labels":{"app":"db"}}}}}}}'
patch=$(c --data-binary "$vm" "$base/mutate" | sed -n 's/.*"patch":"\([^"]*\)".*/\1/p' | base64 -d 2>/dev/null)
case $patch in
*'"migguard.io/migration-policy":"gold-db"'*'\"bandwidthPerMigration\":\"1Gi\"'*) ok "VM annotated with gold-db" ;;
*) fail "mutate patch: $patch" ;;
esac

# A dry run is answered but does not enter the view.
# (two labels each: no tie with the one-label gold-db, but with each other.)
review CREATE dry-tier '{"virtualMachineInstanceSelector":{"tier":"t","zone":"z"}}' 5Gi true >"$tmp/dry.json"
review CREATE zone-z '{"virtualMachineInstanceSelector":{"zone":"z","rack":"r"}}' 6Gi >"$tmp/zone.json"
out=$(post "$tmp/dry.json")
case $out in *'"allowed":true'*) ok "dry-run policy answered" ;; *) fail "dry run: $out" ;; esac
out=$(post "$tmp/zone.json")
case $out in *'"allowed":true'*) ok "dry run left no trace" ;; *) fail "after dry run: $out" ;; esac

# DELETE removes the first policy: its selectors are free again.
review DELETE gold-db "$DB" 1Gi >"$tmp/del.json"
out=$(post "$tmp/del.json")
case $out in *'"allowed":true'*) ok "delete allowed" ;; *) fail "delete: $out" ;; esac
review CREATE gold-db-copy "$DB" 1Gi >"$tmp/dup2.json"
out=$(post "$tmp/dup2.json")
case $out in *'"allowed":true'*) ok "deleted policy no longer conflicts" ;; *) fail "after delete: $out" ;; esac

kill -TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
[ "$fails" -eq 0 ] && echo "PASS" || echo "$fails failure(s)"
exit $((fails != 0))
