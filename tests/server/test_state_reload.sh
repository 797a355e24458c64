#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_state_reload.sh - `serve --state DIR` reloads DIR on SIGHUP: a VM gets the new
# policy's annotation after a reload; a broken file is reported with file and line and
# the old view stays; under load during reloads no request fails and every answer
# names one of the two policies (never a half-swapped view). Loopback only.
# Usage: test_state_reload.sh MIGGUARD SOURCE_DIR
set -u

MG=${1:?usage: test_state_reload.sh MIGGUARD SOURCE_DIR}
SRC=${2:?usage: test_state_reload.sh MIGGUARD SOURCE_DIR}
. "$SRC/tests/lib/serve.sh"

STATE=$MG_TMP/state
mkdir -p "$STATE"

# policy NAME BANDWIDTH: a MigrationPolicy for VMs labelled app=db.
policy() {
    printf 'apiVersion: migrations.kubevirt.io/v1alpha1\nkind: MigrationPolicy\nmetadata:\n  name: %s\nspec:\n  selectors:\n    virtualMachineInstanceSelector:\n      app: db\n  bandwidthPerMigration: %s\n' "$1" "$2"
}

# Write through a temp file and a rename, as a config management tool would.
set_policy() {
    policy "$1" "$2" >"$STATE/.tmp" && mv "$STATE/.tmp" "$STATE/20-policy.yaml"
}

set_policy alpha 1Gi
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: default\n' >"$STATE/10-namespace.yaml"

MG_SERVE_TIMEOUT=120 mg_serve_start --state "$STATE" --quiet

# $MG_PID is timeout(1); it forwards one SIGHUP and then ignores the signal, so the
# server itself is signalled.
SERVER=
for _ in $(seq 1 50); do
    SERVER=$(pgrep -P "$MG_PID" | head -1)
    [ -n "$SERVER" ] && break
    sleep 0.1
done
[ -n "$SERVER" ] || { echo "FAIL: no server process under timeout $MG_PID"; exit 1; }

vm='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"vm-1","kind":{"group":"kubevirt.io","version":"v1","kind":"VirtualMachine"},"name":"db-0","namespace":"default","operation":"CREATE","object":{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"name":"db-0","namespace":"default"},"spec":{"template":{"metadata":{"labels":{"app":"db"}}}}}}}'
printf '%s' "$vm" >"$MG_TMP/vm.json"

# The policy named in the VM's mutate patch, "none" when there is none.
annotated() {
    local patch
    patch=$(mg_review /mutate "$MG_TMP/vm.json" | sed -n 's/.*"patch":"\([^"]*\)".*/\1/p' |
        base64 -d 2>/dev/null)
    case $patch in
    *'"migguard.io/migration-policy":"'*)
        sed -n 's/.*"migguard.io\/migration-policy":"\([^"]*\)".*/\1/p' <<<"$patch" ;;
    *) echo none ;;
    esac
}

# hup PATTERN: SIGHUP the server, wait up to 10 s for one more log line matching PATTERN.
hup() {
    local before
    before=$(grep -c -- "$1" "$MG_TMP/serve.log")
    kill -HUP "$SERVER"
    for _ in $(seq 1 100); do
        [ "$(grep -c -- "$1" "$MG_TMP/serve.log")" -gt "$before" ] && return 0
        sleep 0.1
    done
    return 1
}

got=$(annotated)
if [ "$got" = alpha ]; then mg_ok "VM annotated with alpha"; else mg_fail "before reload: $got"; fi

set_policy beta 2Gi
if hup 'migguard: reloaded state from '; then
    line=$(grep 'migguard: reloaded state from ' "$MG_TMP/serve.log" | tail -1)
    if [ "$line" = "migguard: reloaded state from $STATE (2 objects)" ]; then
        mg_ok "reload logged with the object count"
    else
        mg_fail "reload line: $line"
    fi
else
    mg_fail "no reload line: $(cat "$MG_TMP/serve.log")"
fi
got=$(annotated)
if [ "$got" = beta ]; then mg_ok "after SIGHUP the VM gets beta"; else mg_fail "after reload: $got"; fi

# A broken file: the reload fails as a whole, naming file and line; beta stays.
printf 'apiVersion: v1\nkind: Node\nmetadata:\n  name: [broken\n' >"$STATE/30-broken.yaml"
set_policy gamma 3Gi
if hup 'migguard: state reload failed: '; then
    line=$(grep 'migguard: state reload failed: ' "$MG_TMP/serve.log" | tail -1)
    case $line in
    *"failed: $STATE/30-broken.yaml:"[0-9]*": "*"; keeping the previous view")
        mg_ok "failed reload names file and line: ${line#migguard: }" ;;
    *) mg_fail "failure line: $line" ;;
    esac
else
    mg_fail "no failure line: $(cat "$MG_TMP/serve.log")"
fi
got=$(annotated)
if [ "$got" = beta ]; then mg_ok "the old view stays after a failed reload"; else mg_fail "after failure: $got"; fi
if kill -0 "$SERVER" 2>/dev/null; then mg_ok "server still runs"; else mg_fail "server died"; fi
rm -f "$STATE/30-broken.yaml"

# Load during reloads: loadclient counts every request; a curl loop checks that each
# answer names alpha or beta (a half-swapped view would answer with no policy).
python3 "$SRC/bench/loadclient.py" --port "$MG_PORT" --path /mutate --body "$MG_TMP/vm.json" \
    --conns 4 --secs 6 >"$MG_TMP/lc.out" 2>"$MG_TMP/lc.err" &
lc=$!
(
    end=$((SECONDS + 6))
    while [ "$SECONDS" -lt "$end" ]; do annotated; done
) >"$MG_TMP/answers" &
loop=$!
sleep 1
reloads=0
for i in 1 2 3 4 5 6 7 8; do
    if [ $((i % 2)) -eq 1 ]; then set_policy alpha 1Gi; else set_policy beta 2Gi; fi
    hup 'migguard: reloaded state from ' && reloads=$((reloads + 1))
    sleep 0.4
done
wait "$lc"
wait "$loop"
out=$(grep '^LOADCLIENT' "$MG_TMP/lc.out")
echo "  $out; $reloads reloads; $(wc -l <"$MG_TMP/answers") checked answers"
ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$out")
if [ "$reloads" -eq 8 ] && [ "${ok:-0}" -gt 0 ] && grep -q ' bad=0 lost=0 refused=0 ' <<<"$out"; then
    mg_ok "8 reloads under load: zero failed requests"
else
    mg_fail "under load: ${out:-no LOADCLIENT line} ($reloads reloads) $(cat "$MG_TMP/lc.err")"
fi
if [ -s "$MG_TMP/answers" ] && ! grep -qvxE 'alpha|beta' "$MG_TMP/answers"; then
    mg_ok "every answer during reloads names alpha or beta"
else
    mg_fail "answers during reloads: $(sort "$MG_TMP/answers" | uniq -c | tr '\n' ' ')"
fi
got=$(annotated)
if [ "$got" = beta ]; then mg_ok "the last reload wins"; else mg_fail "after the load: $got"; fi

# RULES.md 9.3: with two HyperConvergeds the log says which one the settings come from.
cp "$SRC/tests/cli/check/two-hcos/hco-main.yaml" "$SRC/tests/cli/check/two-hcos/hco-renamed.yaml" \
    "$STATE/"
if hup 'HyperConvergeds: the migration settings come from' &&
    grep -qF 'migguard: 2 HyperConvergeds: the migration settings come from openshift-cnv/kubevirt-hyperconverged (RULES.md 9.3); ignored: aaa/hco' "$MG_TMP/serve.log"; then
    mg_ok "the log names the ignored HyperConverged"
else
    mg_fail "no HyperConverged line: $(tail -3 "$MG_TMP/serve.log")"
fi

# docs/settings.md: the chosen HyperConverged's jsonpatch annotation, refused by HCO (a
# failing test), is ignored, and the log says which operation failed.
rm -f "$STATE/hco-main.yaml" "$STATE/hco-renamed.yaml"
cp "$SRC/tests/cli/check/jsonpatch/hco-refused.yaml" "$STATE/"
if hup 'jsonpatch annotation is ignored' &&
    grep -qF 'migguard: HyperConverged openshift-cnv/kubevirt-hyperconverged: its kubevirt.kubevirt.io/jsonpatch annotation is ignored, HCO refuses it (RULES.md 9.3): op[1] (test /spec/configuration/migrations/bandwidthPerMigration): the value differs' "$MG_TMP/serve.log"; then
    mg_ok "the log names the refused jsonpatch operation"
else
    mg_fail "no jsonpatch line: $(tail -3 "$MG_TMP/serve.log")"
fi

kill -TERM "$MG_PID"
if mg_serve_wait 15 && [ "$MG_RC" -eq 0 ]; then
    mg_ok "SIGTERM still stops the server (exit 0)"
else
    mg_fail "stop: rc=${MG_RC:-still running}"
fi

# Without --state there is nothing to reload: the server says so and keeps serving.
mg_serve_start --quiet
SERVER=
for _ in $(seq 1 50); do
    SERVER=$(pgrep -P "$MG_PID" | head -1)
    [ -n "$SERVER" ] && break
    sleep 0.1
done
if hup 'nothing to reload' && [ "$(mg_curl -o /dev/null -w '%{http_code}' "$MG_BASE/healthz")" = 200 ]; then
    mg_ok "SIGHUP without --state: nothing to reload, still serving"
else
    mg_fail "SIGHUP without --state: $(cat "$MG_TMP/serve.log")"
fi

[ "$MG_FAILS" -eq 0 ] || { echo "$MG_FAILS check(s) failed"; exit 1; }
echo "all checks passed"
