#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_policy_conflict.sh - two conflicting MigrationPolicies sent back to back to the
# real HTTPS server: the first is admitted and enters the view at once, the second is
# denied (MP011, and MP010 for an exact duplicate); a dry run changes nothing; a DELETE
# frees the selectors again; /mutate annotates a VM with the admitted policy.
# Usage: test_policy_conflict.sh MIGGUARD SOURCE_DIR
set -u

MG=${1:?usage: test_policy_conflict.sh MIGGUARD SOURCE_DIR}
SRC=${2:?usage: test_policy_conflict.sh MIGGUARD SOURCE_DIR}
. "$SRC/tests/lib/serve.sh"

# review OP NAME SELECTORS BANDWIDTH [DRYRUN]: a MigrationPolicy AdmissionReview.
review() {
    local obj="{\"apiVersion\":\"migrations.kubevirt.io/v1alpha1\",\"kind\":\"MigrationPolicy\",\"metadata\":{\"name\":\"$2\"},\"spec\":{\"selectors\":$3,\"bandwidthPerMigration\":\"$4\"}}"
    local object=$obj old=null
    if [ "$1" = DELETE ]; then object=null; old=$obj; fi
    printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"uid-%s-%s","kind":{"group":"migrations.kubevirt.io","version":"v1alpha1","kind":"MigrationPolicy"},"resource":{"group":"migrations.kubevirt.io","version":"v1alpha1","resource":"migrationpolicies"},"name":"%s","operation":"%s","object":%s,"oldObject":%s,"dryRun":%s}}' \
        "$1" "$2" "$2" "$1" "$object" "$old" "${5:-false}"
}

MG_SERVE_TIMEOUT=120 mg_serve_start

DB='{"virtualMachineInstanceSelector":{"app":"db"}}'
# KubeVirt picks gold-db (more VM labels), the documents team-x ("account" < "app"):
# the tie-breaks disagree, so MP011 denies (RULES.md edition 2).
TEAM='{"namespaceSelector":{"account":"x"}}'
review CREATE gold-db "$DB" 1Gi >"$MG_TMP/a.json"
review CREATE team-x "$TEAM" 2Gi >"$MG_TMP/b.json"
review CREATE gold-db-copy "$DB" 1Gi >"$MG_TMP/dup.json"

# Back to back, on one connection: the first is admitted, the second denied.
mg_curl -H 'Content-Type: application/json' --data-binary @"$MG_TMP/a.json" "$MG_BASE/validate" \
    -o "$MG_TMP/ra" --next --cacert "$MG_TMP/certs/ca.crt" -H 'Content-Type: application/json' \
    --data-binary @"$MG_TMP/b.json" "$MG_BASE/validate" -o "$MG_TMP/rb"
if grep -q '"allowed":true' "$MG_TMP/ra"; then
    mg_ok "first policy admitted"
else
    mg_fail "first: $(cat "$MG_TMP/ra")"
fi
if grep -q '"allowed":false' "$MG_TMP/rb" &&
    grep -q '\[MP011\] ties with policy \\"gold-db\\"' "$MG_TMP/rb"; then
    mg_ok "second policy denied with MP011 naming gold-db"
else
    mg_fail "second: $(cat "$MG_TMP/rb")"
fi
if grep -q 'labels {app=db} in a namespace with labels {account=x}' "$MG_TMP/rb"; then
    mg_ok "MP011 gives a label set both match"
else
    mg_fail "MP011 message: $(cat "$MG_TMP/rb")"
fi
out=$(mg_review /validate "$MG_TMP/dup.json")
case $out in
*'"allowed":false'*'[MP010]'*) mg_ok "exact duplicate denied with MP010" ;;
*) mg_fail "duplicate: $out" ;;
esac

# The admitted policy annotates a VM at once.
vm='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"vm-1","kind":{"group":"kubevirt.io","version":"v1","kind":"VirtualMachine"},"name":"db-0","namespace":"default","operation":"CREATE","object":{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"name":"db-0","namespace":"default"},"spec":{"template":{"metadata":{"labels":{"app":"db"}}}}}}}'
printf '%s' "$vm" >"$MG_TMP/vm.json"
patch=$(mg_review /mutate "$MG_TMP/vm.json" | sed -n 's/.*"patch":"\([^"]*\)".*/\1/p' |
    base64 -d 2>/dev/null)
case $patch in
*'"migguard.io/migration-policy":"gold-db"'*'\"bandwidthPerMigration\":\"1Gi\"'*)
    mg_ok "VM annotated with gold-db" ;;
*) mg_fail "mutate patch: $patch" ;;
esac

# A dry run is answered but does not enter the view.
# (two labels each: no tie with the one-label gold-db, but with each other.)
review CREATE dry-tier '{"virtualMachineInstanceSelector":{"tier":"t","zone":"z"}}' 5Gi true \
    >"$MG_TMP/dry.json"
review CREATE zone-z '{"virtualMachineInstanceSelector":{"zone":"z","rack":"r"}}' 6Gi \
    >"$MG_TMP/zone.json"
out=$(mg_review /validate "$MG_TMP/dry.json")
case $out in
*'"allowed":true'*) mg_ok "dry-run policy answered" ;;
*) mg_fail "dry run: $out" ;;
esac
out=$(mg_review /validate "$MG_TMP/zone.json")
case $out in
*'"allowed":true'*) mg_ok "dry run left no trace" ;;
*) mg_fail "after dry run: $out" ;;
esac

# DELETE removes the first policy: its selectors are free again.
review DELETE gold-db "$DB" 1Gi >"$MG_TMP/del.json"
out=$(mg_review /validate "$MG_TMP/del.json")
case $out in *'"allowed":true'*) mg_ok "delete allowed" ;; *) mg_fail "delete: $out" ;; esac
review CREATE gold-db-copy "$DB" 1Gi >"$MG_TMP/dup2.json"
out=$(mg_review /validate "$MG_TMP/dup2.json")
case $out in
*'"allowed":true'*) mg_ok "deleted policy no longer conflicts" ;;
*) mg_fail "after delete: $out" ;;
esac

kill -TERM "$MG_PID" 2>/dev/null
wait "$MG_PID" 2>/dev/null
MG_PID=
[ "$MG_FAILS" -eq 0 ] && echo "PASS" || echo "$MG_FAILS failure(s)"
exit $((MG_FAILS != 0))
