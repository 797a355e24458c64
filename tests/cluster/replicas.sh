# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# replicas.sh - sourced by the policy replica tests: the fake API server
# (fake_apiserver.py, driven through a FIFO), a kubeconfig for it, and any number of
# `migguard serve --kubeconfig` replicas on ephemeral loopback ports. Needs $MG and
# $src. Everything is stopped and removed on exit.
#   fake_start [ARGS]         start the fake API server; $FAKE_PORT
#   fake CMDJSON              send one command; prints its reply line
#   replica_start N [ARGS]    start replica N; $PORT_N, $PID_N, log in $T/rN.log
#   replica_kill N [SIG]      signal replica N (default KILL) and reap it
#   review N FILE             POST the review FILE to replica N's /validate; prints the body
#   policy_review NAME SEL [OP] [UID]  an AdmissionReview of a MigrationPolicy whose
#                             virtualMachineInstanceSelector is {"round": SEL}
T=$(mktemp -d /tmp/mg-replicas-XXXXXX)
FAKE_PID=""
REPLICAS=""
cleanup() {
    for n in $REPLICAS; do
        p=$(eval echo "\${PID_$n:-}")
        [ -n "$p" ] && kill -TERM "$p" 2>/dev/null
    done
    for n in $REPLICAS; do
        p=$(eval echo "\${PID_$n:-}")
        [ -n "$p" ] && { timeout 10 tail --pid="$p" -f /dev/null 2>/dev/null || kill -KILL "$p" 2>/dev/null; }
    done
    [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
    exec 3>&- 2>/dev/null
    # A sanitizer build reports leaks and races at exit: they fail the test.
    local bad=""
    for n in $REPLICAS; do
        if grep -q 'Sanitizer' "$T/r$n.log" 2>/dev/null; then
            grep -m1 -A40 'Sanitizer' "$T/r$n.log" | sed "s/^/  r$n: /"
            bad=1
        fi
    done
    rm -rf "$T"
    [ -z "$bad" ] || { echo "FAIL: a replica's sanitizer reported an error"; exit 1; }
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    for n in $REPLICAS; do
        [ -f "$T/r$n.log" ] || continue
        # A sanitizer's report from its start, else the log's end.
        if grep -q 'Sanitizer' "$T/r$n.log"; then
            grep -m1 -A40 'Sanitizer' "$T/r$n.log"
        else
            tail -n 30 "$T/r$n.log"
        fi | sed "s/^/  r$n: /"
    done
    exit 1
}

fake_start() {
    mkfifo "$T/ctl"
    python3 "$src/tests/cluster/fake_apiserver.py" --max-seconds 280 "$@" <"$T/ctl" \
        >"$T/fake.out" 2>"$T/fake.err" &
    FAKE_PID=$!
    exec 3>"$T/ctl"
    for _ in $(seq 100); do grep -q '^PORT' "$T/fake.out" && break; sleep 0.1; done
    FAKE_PORT=$(awk '/^PORT/{print $2}' "$T/fake.out")
    [ -n "$FAKE_PORT" ] || fail "the fake API server did not start"
    cat >"$T/kubeconfig" <<KC
current-context: fake
contexts:
- {name: fake, context: {cluster: fake, user: tester}}
clusters:
- {name: fake, cluster: {server: "http://127.0.0.1:$FAKE_PORT"}}
users:
- {name: tester, user: {token: test-token}}
KC
    "$MG" certs create --out "$T/certs" --ip 127.0.0.1 --dns localhost >/dev/null ||
        fail "certs create"
}

# Commands are answered in order, one line each: the answer is the line after the
# ones already there (no counter: callers run it in subshells).
fake() {
    local n
    n=$(($(wc -l <"$T/fake.out") + 1))
    echo "$1" >&3
    for _ in $(seq 200); do
        [ "$(wc -l <"$T/fake.out")" -ge "$n" ] && break
        sleep 0.05
    done
    sed -n "${n}p" "$T/fake.out"
}

replica_start() {
    local n=$1 port=""
    shift
    timeout 280 "$MG" serve --listen 127.0.0.1:0 --tls-cert "$T/certs/tls.crt" \
        --tls-key "$T/certs/tls.key" --kubeconfig "$T/kubeconfig" "$@" \
        >/dev/null 2>"$T/r$n.log" &
    eval "PID_$n=$!"
    REPLICAS="$REPLICAS $n"
    for _ in $(seq 100); do
        port=$(sed -n 's|^migguard: listening on https://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' \
            "$T/r$n.log")
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || fail "replica $n did not start"
    eval "PORT_$n=$port"
    for _ in $(seq 100); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$T/certs/ca.crt" \
            "https://127.0.0.1:$port/readyz")" = 200 ] && return 0
        sleep 0.1
    done
    fail "replica $n did not become ready"
}

replica_kill() {
    local p
    p=$(eval echo "\$PID_$1")
    # $p is timeout(1): the server is its child.
    pkill "-${2:-KILL}" -P "$p" 2>/dev/null
    wait "$p" 2>/dev/null
    eval "PID_$1="
}

review() {
    curl -s --max-time 20 --cacert "$T/certs/ca.crt" -H 'Content-Type: application/json' \
        --data-binary @"$2" "https://127.0.0.1:$(eval echo "\$PORT_$1")/validate"
}

policy_review() {
    local name=$1 sel=$2 op=${3:-CREATE} uid=${4:-u-$1}
    printf '%s' "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",
\"request\":{\"uid\":\"$uid\",\"kind\":{\"group\":\"migrations.kubevirt.io\",\"version\":\"v1alpha1\",
\"kind\":\"MigrationPolicy\"},\"resource\":{\"group\":\"migrations.kubevirt.io\",\"version\":\"v1alpha1\",
\"resource\":\"migrationpolicies\"},\"name\":\"$name\",\"operation\":\"$op\",
\"object\":{\"apiVersion\":\"migrations.kubevirt.io/v1alpha1\",\"kind\":\"MigrationPolicy\",
\"metadata\":{\"name\":\"$name\"},\"spec\":{\"selectors\":{\"virtualMachineInstanceSelector\":
{\"round\":\"$sel\"}}}}}}"
}

# The policy object of policy_review, for the fake API server's "add".
policy_obj() {
    printf '%s' "{\"metadata\":{\"name\":\"$1\"},\"spec\":{\"selectors\":{\"virtualMachineInstanceSelector\":{\"round\":\"$2\"}}}}"
}

allowed() { grep -q '"allowed":[ ]*true' "$1"; }
