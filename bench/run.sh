#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run.sh - the benchmark, one command: migguard serve against nginx returning a fixed
# AdmissionReview over TLS (the cost of TLS and HTTP alone), wrk with keep-alive, the
# review fixtures at 1 and 16 connections; then resident memory idle, under load and
# with 10,000 MigrationPolicies in the view; then the goals. Loopback only, about
# 6 minutes. Not part of the test suite.
# Usage: bench/run.sh   (SECS: seconds per run, default 5; ROUNDS: reference/migguard
#        pairs per point, default 3; BUILD: build dir, default build-bench; CONNS:
#        connection counts, default "1 16")
source "$(dirname "$0")/lib.sh"
SECS=${SECS:-5}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-1 16}
POLICIES=${POLICIES:-10000}

bench_setup
mg_start main --state "$FIX/state"
sleep 1
IDLE_KB=$(rss_kb "$MG_PID_main")

# Every fixture must be answered with an AdmissionReview that allows it.
for f in vm-create policy-create hco-update; do
    post "$MG_PORT_main" /validate "$FIX/$f.review.json" >"$WORK/$f.resp"
    grep -q '"allowed":true' "$WORK/$f.resp" || die "unexpected answer to $f: $(cat "$WORK/$f.resp")"
done
ng_start "$(cat "$WORK/vm-create.resp")"
cmp -s <(post "$NG_PORT" /validate "$FIX/vm-create.review.json") "$WORK/vm-create.resp" ||
    die "nginx does not answer the fixed review"

echo "$("$MG" --version 2>/dev/null || echo migguard) at $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo '?')," \
     "$(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC'), ${ROUNDS} rounds of ${SECS} s per side and point, wrk keep-alive over TLS," \
     "load average $(cut -d" " -f1-3 /proc/loadavg)"
printf '%-22s %5s %9s %9s %6s | %-23s | %-23s | %s\n' "" "" migguard reference "" \
    "migguard p50/p99/max ms" "reference p50/p99/max ms" "CPU split of"
printf '%-22s %5s %9s %9s %6s | %-23s | %-23s | %s\n' scenario conns "req/s" "req/s" ratio "" "" \
    "MHD workers %"

LOAD_KB=0
ERRORS=0
median() {
    sort -n | awk '{v[NR] = $1} END {print NR ? v[int((NR + 1) / 2)] : 0}'
}
# row NAME PATH FILE CONNS [PORT PID]: ROUNDS rounds of the reference then migguard, SECS
# each, back to back, so both sides see the same minutes of a noisy machine. Prints the
# median req/s of each side, the median of the rounds' ratios, median p50/p99 and the
# largest max.
row() {
    local name=$1 path=$2 file=$3 c=$4 port=${5:-$MG_PORT_main} pid=${6:-$MG_PID_main}
    local sampler t0 t1 i key mr rr ratio
    local -a m_rps=() r_rps=() ratios=() m50=() m99=() r50=() r99=()
    local mmax=0 rmax=0
    (while sleep 0.5; do rss_kb "$pid" >>"$WORK/rss.$pid" 2>/dev/null || true; done) &
    sampler=$!
    t0=$(worker_ticks "$pid")
    for ((i = 0; i < ROUNDS; i++)); do
        wrk_run "$NG_PORT" "$path" "$FIX/$file" "$c" "$SECS"
        [ "$W_ERRS" -eq 0 ] || die "the reference failed $W_ERRS requests"
        r_rps+=("$W_RPS") r50+=("$W_P50") r99+=("$W_P99")
        rmax=$((W_MAX > rmax ? W_MAX : rmax)) rr=$W_RPS
        wrk_run "$port" "$path" "$FIX/$file" "$c" "$SECS"
        ERRORS=$((ERRORS + W_ERRS))
        [ "$W_ERRS" -eq 0 ] || echo "  ($W_ERRS errors: see $(grep -c . "$WORK/wrk.last") lines of wrk output)" >&2
        m_rps+=("$W_RPS") m50+=("$W_P50") m99+=("$W_P99")
        mmax=$((W_MAX > mmax ? W_MAX : mmax)) mr=$W_RPS
        ratios+=("$(awk -v a="$mr" -v b="$rr" 'BEGIN {printf "%.4f", a / b}')")
    done
    t1=$(worker_ticks "$pid")
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    mr=$(printf '%s\n' "${m_rps[@]}" | median)
    rr=$(printf '%s\n' "${r_rps[@]}" | median)
    ratio=$(printf '%s\n' "${ratios[@]}" | median)
    printf '%-22s %5s %9s %9s %6s | %-23s | %-23s | %s\n' "$name" "$c" "$mr" "$rr" \
        "$(awk -v r="$ratio" 'BEGIN {printf "%.2f", r}')" \
        "$(ms "$(printf '%s\n' "${m50[@]}" | median)") / $(ms "$(printf '%s\n' "${m99[@]}" | median)") / $(ms "$mmax")" \
        "$(ms "$(printf '%s\n' "${r50[@]}" | median)") / $(ms "$(printf '%s\n' "${r99[@]}" | median)") / $(ms "$rmax")" \
        "$(worker_split "$t0" "$t1")"
    echo "  rounds: $name/$c: migguard ${m_rps[*]}; reference ${r_rps[*]}" >>"$WORK/rounds"
    key=${name//[^a-zA-Z0-9]/_}_$c
    eval "R_$key=\$mr REF_$key=\$rr RATIO_$key=\$ratio P99_$key=$(printf '%s\n' "${m99[@]}" | median)"
}

for spec in "vm-create /validate vm-create" "policy-create /validate policy-create" \
            "hco-update /validate hco-update" "hco-update.mutate /mutate hco-update"; do
    read -r name path file <<<"$spec"
    for c in $CONNS; do
        row "$name" "$path" "$file.review.json" "$c"
    done
done
LOAD_KB=$(sort -n "$WORK/rss.$MG_PID_main" | tail -1)
AFTER_KB=$(rss_kb "$MG_PID_main")

# The same VM review with POLICIES distinct MigrationPolicies in the view.
big=$WORK/state-big
mkdir -p "$big"
cp "$FIX"/state/* "$big/"
awk -v n="$POLICIES" 'BEGIN {
    for (i = 0; i < n; i++) {
        printf "---\napiVersion: migrations.kubevirt.io/v1alpha1\nkind: MigrationPolicy\n"
        printf "metadata:\n  name: policy-%05d\nspec:\n  selectors:\n", i
        printf "    namespaceSelector:\n      team: team-%03d\n", i % 100
        printf "    virtualMachineInstanceSelector:\n      app: app-%05d\n", i
        if (i % 3 == 0) printf "      tier: tier-%d\n", i % 7
        printf "  bandwidthPerMigration: %dMi\n  completionTimeoutPerGiB: %d\n", 64 + i % 512, 150 + i % 700
    } }' >"$big/30-policies.yaml"
t0=$(date +%s.%N)
mg_start big --state "$big"
t1=$(date +%s.%N)
sleep 1
BIG_IDLE_KB=$(rss_kb "$MG_PID_big")
post "$MG_PORT_big" /validate "$FIX/vm-create.review.json" | grep -q '"allowed":true' ||
    die "the 10k-policy server does not allow the VM"
for c in $CONNS; do
    row "vm-create+${POLICIES}pol" /validate vm-create.review.json "$c" "$MG_PORT_big" "$MG_PID_big"
done
BIG_LOAD_KB=$(sort -n "$WORK/rss.$MG_PID_big" | tail -1)

# For contrast, one worker each: nginx with one worker process, migguard with one event
# loop, so each server has about one core and wrk the other (both above use one per CPU
# and share both cores with wrk, which is where their p99 comes from).
kill "$NG_PID" 2>/dev/null || true
wait "$NG_PID" 2>/dev/null || true
NG_WORKERS=1 ng_start "$(cat "$WORK/vm-create.resp")"
mg_start one --state "$FIX/state" --threads 1
row "vm-create,1worker" /validate vm-create.review.json "${CONNS##* }" "$MG_PORT_one" "$MG_PID_one"

echo
echo "req/s of each round (reference, then migguard, back to back):"
sed 's/^  rounds: /  /' "$WORK/rounds"
echo
echo "resident memory (VmRSS):"
echo "  idle after start:              $(mb "$IDLE_KB") MB"
echo "  under load (max of samples):   $(mb "$LOAD_KB") MB"
echo "  idle after load:               $(mb "$AFTER_KB") MB"
echo "  with $POLICIES policies, idle:    $(mb "$BIG_IDLE_KB") MB (started in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}') s)"
echo "  with $POLICIES policies, under load: $(mb "$BIG_LOAD_KB") MB"
echo "  failed requests in all runs:   $ERRORS"

# The goals (bench/README.md).
last=${CONNS##* }
echo
goal() {
    if awk "BEGIN {exit !($2)}"; then echo "  ok    $1"; else echo "  MISS  $1"; FAILED=1; fi
}
FAILED=0
echo "goals:"
for c in $CONNS; do
    eval "ratio=\$RATIO_vm_create_$c"
    goal "vm-create at $c conns: $(awk -v r="$ratio" 'BEGIN {printf "%.0f%%", 100 * r}') of the reference, median of $ROUNDS rounds (>= 60%)" \
        "$ratio >= 0.6"
done
eval "p=\$P99_vm_create_$last"
goal "vm-create p99 at $last conns: $(ms "$p") ms (< 2 ms)" "$p < 2000"
goal "idle RSS $(mb "$IDLE_KB") MB (< 10 MB)" "$IDLE_KB < 10240"
goal "no failed requests ($ERRORS)" "$ERRORS == 0"
exit $FAILED
