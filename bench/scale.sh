#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scale.sh - migguard with a large cluster view (issue 11): for each size, a generated
# view (bench/gen_view.py), then with --state: time to /readyz 200 and RSS; VM CREATE
# throughput and p99 against an empty view (A B A B); MigrationPolicy CREATE latency;
# VM p99 during one forced full reload (SIGHUP) against a calm run of the same length, A B A
# B, paced (each connection waits PACE_MS after each answer, so the cores have room for
# the reload, as at any real review rate) and at saturation (wrk keeps every connection
# busy: the reload, in the idle class, gets only idle moments); `migguard report` time and
# max RSS; and with --kubeconfig against tests/cluster/fake_apiserver.py serving the same
# files: time to /readyz 200 and RSS, and the VM p99 calm and while every kind is listed
# again and again (--resync 6), paced and at saturation. A failed measurement is printed
# and skipped.
# Loopback only; everything started here is killed on exit. Not part of the test suite.
# Usage: bench/scale.sh [VMS:NODES ...]   (default "10000:500 100000:5000"; BUILD: build
#        dir, default build-bench-scale; DURATION: seconds per wrk run, default 5; CONNS:
#        wrk connections, default 16; PACE_MS: the paced runs' wait, default 1;
#        POLICY_N: policy CREATEs, default 200; VIEWS: where generated views are kept
#        and reused, default /tmp/mg-scale-views; START_TIMEOUT: seconds to wait for
#        /readyz, default 600; STEPS: which of "state report kube" to run, default all)
BUILD=${BUILD:-$(cd "$(dirname "$0")/.." && pwd)/build-bench-scale}
source "$(dirname "$0")/lib.sh"
set +e
DURATION=${DURATION:-5}
CONNS=${CONNS:-16}
PACE_MS=${PACE_MS:-1}
POLICY_N=${POLICY_N:-200}
VIEWS=${VIEWS:-/tmp/mg-scale-views}
START_TIMEOUT=${START_TIMEOUT:-600}
STEPS=${STEPS:-state report kube}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000:500 100000:5000)
declare -A R   # R[size,metric] = the figure, or "error"

bench_setup
CA=$WORK/certs/ca.crt
mkdir -p "$VIEWS" "$WORK/empty"

err() {
    echo "  ERROR: $*" >&2
}

# stop PID: SIGTERM, then SIGKILL after 10 s.
stop() {
    local p=$1 i
    [ -n "$p" ] || return 0
    kill "$p" 2>/dev/null
    for i in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
}

# start NAME [serve flags...]: start migguard serve and wait for /readyz 200 (up to
# START_TIMEOUT); sets PID_<NAME>, PORT_<NAME> and READY_<NAME> (seconds since the
# start). Returns 1, with the log's tail on stderr, when it fails.
start() {
    local name=$1 log=$WORK/$1.log pid port="" code="" t0 t1 i
    shift
    # An empty log first: the port is read from it, and the previous run's line must not
    # be taken for this server's (the redirection below happens only in the child).
    : >"$log"
    t0=$(date +%s.%N)
    "$MG" serve --listen 127.0.0.1:0 --tls-cert "$WORK/certs/tls.crt" --tls-key "$WORK/certs/tls.key" \
        "$@" 2>"$log" &
    pid=$!
    PIDS+=("$pid")
    printf -v "PID_$name" '%s' "$pid"
    for ((i = 0; i < START_TIMEOUT * 20; i++)); do
        if [ -z "$port" ]; then
            port=$(sed -n 's|.*listening on https://127.0.0.1:\([0-9]*\).*|\1|p' "$log")
        fi
        if [ -n "$port" ]; then
            code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$CA" \
                "https://127.0.0.1:$port/readyz")
            [ "$code" = 200 ] && break
        fi
        kill -0 "$pid" 2>/dev/null || { tail -5 "$log" >&2; return 1; }
        sleep 0.05
    done
    t1=$(date +%s.%N)
    [ "$code" = 200 ] || { tail -5 "$log" >&2; echo "no /readyz 200 within $START_TIMEOUT s" >&2; return 1; }
    printf -v "PORT_$name" '%s' "$port"
    printf -v "READY_$name" '%s' "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')"
}

status_kb() {
    awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"
}

# wrk_try PORT BODY SECS: wrk_run without dying; prints "rps p99_us max_us errors".
wrk_try() {
    (wrk_run "$1" /validate "$2" "$CONNS" "$3" && echo "$W_RPS $W_P99 $W_MAX $W_ERRS")
}

median() {
    sort -n | awk '{v[NR] = $1} END {print NR ? v[int((NR + 1) / 2)] : 0}'
}

# view VMS NODES: generate (or reuse) the view; sets DIR.
view() {
    DIR=$VIEWS/vms$1-nodes$2-seed11
    if [ -f "$DIR/objects.txt" ] && [ "$DIR/objects.txt" -nt "$BENCH_DIR/gen_view.py" ]; then
        echo "  reusing the view in $DIR" >&2
        return 0
    fi
    rm -rf "$DIR"
    local t0=$(date +%s)
    python3 "$BENCH_DIR/gen_view.py" "$DIR" --vms "$1" --nodes "$2" --seed 11 || return 1
    echo "  generated in $(($(date +%s) - t0)) s" >&2
}

# reload_runs SIZE SECS PACE KEY: VM CREATE on the full --state server for SECS, calm and
# with one SIGHUP 0.5 s in, A B A B, PACE_MS=PACE (empty: at saturation); the worst p99
# of each side into R[SIZE,KEY_calm] and R[SIZE,KEY_hup], and whether every reload
# finished within its run into R[SIZE,KEY_done].
reload_runs() {
    local s=$1 secs=$2 pace=$3 key=$4 out a b c e i hups hupper calm=() hup=() rc=() rh=()
    local label="at saturation"
    [ -n "$pace" ] && label="paced, $pace ms between requests per connection"
    echo "  $label:" >&2
    R[$s,${key}_done]=yes
    for i in 1 2; do
        if out=$(PACE_MS=$pace wrk_try "$PORT_full" "$vm" "$secs"); then
            read -r a b _ e <<<"$out"; calm+=("$b"); rc+=("$a")
            echo "    no reload, $secs s: $a req/s, p99 $(ms "$b") ms, $e errors" >&2
        else err "wrk failed"; fi
        hups=$(grep -c 'reloaded state\|reload failed' "$WORK/full.log")
        (sleep 0.5; kill -HUP "$PID_full" 2>/dev/null) &
        hupper=$!
        if out=$(PACE_MS=$pace wrk_try "$PORT_full" "$vm" "$secs"); then
            read -r a b c e <<<"$out"; hup+=("$b"); rh+=("$a")
            echo "    one reload, $secs s: $a req/s, p99 $(ms "$b") ms, max $(ms "$c") ms, $e errors" >&2
        else err "wrk failed"; fi
        wait "$hupper"
        if [ "$(grep -c 'reloaded state' "$WORK/full.log")" -le "$hups" ]; then
            R[$s,${key}_done]=no
            echo "    the reload did not finish within the run" >&2
            # Wait for it, so that the next calm run is calm.
            for _ in $(seq 6000); do
                [ "$(grep -c 'reloaded state\|reload failed' "$WORK/full.log")" -gt "$hups" ] && break
                sleep 0.05
            done
        fi
        grep 'reload failed' "$WORK/full.log" | head -2 | sed 's/^/    /' >&2
    done
    [ ${#calm[@]} -gt 0 ] && R[$s,${key}_calm]=$(ms "$(printf '%s\n' "${calm[@]}" | sort -n | tail -1)")
    [ ${#hup[@]} -gt 0 ] && R[$s,${key}_hup]=$(ms "$(printf '%s\n' "${hup[@]}" | sort -n | tail -1)")
    [ ${#rc[@]} -gt 0 ] && R[$s,${key}_rps]="$(printf '%s\n' "${rc[@]}" | median) / $(printf '%s\n' "${rh[@]}" | median)"
}

measure_state() {
    local s=$1 objs=$2 rps_a=() rps_b=() p99_a=() p99_b=() out i hups pid
    local vm=$DIR/reviews/vm-create.review.json
    echo "--state: starting on the full view" >&2
    if ! start full --state "$DIR"; then
        err "migguard serve --state $DIR did not become ready"
        R[$s,ready]=error
        return 1
    fi
    sleep 1
    R[$s,ready]=$READY_full
    R[$s,rss]=$(mb "$(status_kb "$PID_full" VmRSS)")
    R[$s,hwm]=$(mb "$(status_kb "$PID_full" VmHWM)")
    echo "  ready in $READY_full s, VmRSS ${R[$s,rss]} MB, VmHWM ${R[$s,hwm]} MB" >&2
    out=$(post "$PORT_full" /validate "$vm")
    R[$s,verdict]=$(grep -o '"allowed":[a-z]*' <<<"$out" | head -1)
    echo "  VM CREATE answer: ${out:0:300}" >&2

    if start empty --state "$WORK/empty"; then
        sleep 1
        R[$s,rss_empty]=$(mb "$(status_kb "$PID_empty" VmRSS)")
        # What the view costs: the full server's RSS over the empty one's, per 1,000 objects.
        R[$s,per1k]=$(awk -v f="$(status_kb "$PID_full" VmRSS)" -v e="$(status_kb "$PID_empty" VmRSS)" \
            -v n="$objs" 'BEGIN {printf "%.0f", (f - e) * 1000 / n}')
        echo "VM CREATE throughput, full vs empty view, A B A B, ${DURATION} s each, $CONNS conns" >&2
        for i in 1 2; do
            if out=$(wrk_try "$PORT_full" "$vm" "$DURATION"); then
                read -r a b _ e <<<"$out"; rps_a+=("$a"); p99_a+=("$b")
                echo "  full:  $a req/s, p99 $(ms "$b") ms, $e errors" >&2
            else err "wrk on the full view failed"; fi
            if out=$(wrk_try "$PORT_empty" "$vm" "$DURATION"); then
                read -r a b _ e <<<"$out"; rps_b+=("$a"); p99_b+=("$b")
                echo "  empty: $a req/s, p99 $(ms "$b") ms, $e errors" >&2
            else err "wrk on the empty view failed"; fi
        done
        stop "$PID_empty"
        if [ ${#rps_a[@]} -gt 0 ] && [ ${#rps_b[@]} -gt 0 ]; then
            R[$s,rps_full]=$(printf '%s\n' "${rps_a[@]}" | median)
            R[$s,rps_empty]=$(printf '%s\n' "${rps_b[@]}" | median)
            R[$s,p99_full]=$(ms "$(printf '%s\n' "${p99_a[@]}" | sort -n | tail -1)")
            R[$s,p99_empty]=$(ms "$(printf '%s\n' "${p99_b[@]}" | sort -n | tail -1)")
            R[$s,ratio]=$(awk -v a="${R[$s,rps_full]}" -v b="${R[$s,rps_empty]}" 'BEGIN {printf "%.2f", a / b}')
        fi
    else
        err "the empty-view server did not start"
    fi

    echo "MigrationPolicy CREATE latency, $POLICY_N sequential requests, one TLS connection" >&2
    if out=$(python3 "$BENCH_DIR/scale_client.py" "$PORT_full" "$CA" \
            "$DIR/reviews/policy-create.review.template.json" "$DIR/reviews/policy-values.txt" "$POLICY_N"); then
        echo "$out" | sed 's/^/  /' >&2
        R[$s,mp_med]=$(sed -n '1s/.*median_ms=\([0-9.]*\).*/\1/p' <<<"$out")
        R[$s,mp_p99]=$(sed -n '1s/.*p99_ms=\([0-9.]*\).*/\1/p' <<<"$out")
        R[$s,mp_ok]=$(sed -n '1s/.*allowed=\([0-9]*\) denied=\([0-9]*\).*/\1 allowed, \2 denied/p' <<<"$out")
    else
        err "the policy client failed"
    fi

    # One forced full reload (SIGHUP: every file read again, each kind built aside and
    # swapped in): first timed alone, then runs as long as two reloads, calm and with a
    # SIGHUP 0.5 s in (A B A B; the worst p99 of each side), paced (PACE_MS) and at
    # saturation.
    echo "VM CREATE p99 during one full reload (SIGHUP) vs none, same length" >&2
    local t0 t1 secs
    hups=$(grep -c 'reloaded state\|reload failed' "$WORK/full.log")
    t0=$(date +%s.%N)
    kill -HUP "$PID_full"
    for i in $(seq 6000); do
        [ "$(grep -c 'reloaded state\|reload failed' "$WORK/full.log")" -gt "$hups" ] && break
        sleep 0.05
    done
    t1=$(date +%s.%N)
    R[$s,reload_s]=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')
    R[$s,reload_hwm]=$(mb "$(status_kb "$PID_full" VmHWM)")
    R[$s,reload_rss]=$(mb "$(status_kb "$PID_full" VmRSS)")
    echo "  a reload alone: ${R[$s,reload_s]} s; VmHWM ${R[$s,reload_hwm]} MB, VmRSS after ${R[$s,reload_rss]} MB" >&2
    secs=$(awk -v r="${R[$s,reload_s]}" -v d="$DURATION" 'BEGIN {r = int(2 * r + 1.5); print (r > d ? r : d)}')
    reload_runs "$s" "$secs" "$PACE_MS" paced
    reload_runs "$s" "$secs" "" sat
    stop "$PID_full"
}

measure_report() {
    local s=$1 out rc
    echo "migguard report --state" >&2
    # Exit 3 is a report too: some VMI would block a drain.
    out=$( { /usr/bin/time -f 'TIME %e %M' "$MG" report --state "$DIR" >/dev/null; } 2>&1); rc=$?
    if [ $rc -eq 0 ] || [ $rc -eq 3 ]; then
        R[$s,report_s]=$(awk '/^TIME/ {print $2}' <<<"$out")
        R[$s,report_mb]=$(mb "$(awk '/^TIME/ {print $3}' <<<"$out")")
        echo "  ${R[$s,report_s]} s, max RSS ${R[$s,report_mb]} MB" >&2
    else
        err "report failed: $(grep -v '^TIME' <<<"$out" | tail -3)"
        R[$s,report_s]=error
    fi
}

# kube_p99 SIZE KEY LABEL SECS: VM CREATE on the --kubeconfig server, paced (PACE_MS)
# into R[SIZE,KEY_paced], then at saturation into R[SIZE,KEY_sat].
kube_p99() {
    local out a b e pace key
    for key in paced sat; do
        pace=""
        [ $key = paced ] && pace=$PACE_MS
        if out=$(PACE_MS=$pace wrk_try "$PORT_kube" "$DIR/reviews/vm-create.review.json" "$4"); then
            read -r a b _ e <<<"$out"
            R[$1,$2_$key]=$(ms "$b")
            echo "  $3, $key, $4 s: $a req/s, p99 $(ms "$b") ms, $e errors" >&2
        else err "wrk failed"; fi
    done
}

measure_kube() {
    local s=$1 port="" i fake out
    echo "--kubeconfig: fake API server serving the view" >&2
    # In the idle scheduling class: it stands for an API server on other machines, and
    # its Python costs more CPU per page than the list costs migguard (at nice 10 it
    # still kept a core for whole slices while reviews waited).
    chrt --idle 0 python3 "$SRC/tests/cluster/fake_apiserver.py" --serve-dir "$DIR" --no-stdin \
        --max-seconds $((START_TIMEOUT * 3)) >"$WORK/fake.out" 2>"$WORK/fake.err" &
    fake=$!
    PIDS+=("$fake")
    for ((i = 0; i < START_TIMEOUT * 10; i++)); do
        port=$(awk '/^PORT/ {print $2}' "$WORK/fake.out")
        [ -n "$port" ] && break
        kill -0 "$fake" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$port" ]; then
        err "the fake API server did not start: $(tail -3 "$WORK/fake.err")"
        R[$s,kube_ready]=error
        stop "$fake"
        return 1
    fi
    sed 's/^/  /' "$WORK/fake.err" >&2
    cat >"$WORK/kubeconfig" <<KC
current-context: fake
contexts:
- {name: fake, context: {cluster: fake, user: bench}}
clusters:
- {name: fake, cluster: {server: "http://127.0.0.1:$port"}}
users:
- {name: bench, user: {token: test-token}}
KC
    if start kube --kubeconfig "$WORK/kubeconfig"; then
        sleep 1
        R[$s,kube_ready]=$READY_kube
        R[$s,kube_rss]=$(mb "$(status_kb "$PID_kube" VmRSS)")
        R[$s,kube_hwm]=$(mb "$(status_kb "$PID_kube" VmHWM)")
        # migguard's own CPU time: the rest of the wait is the fake server's (Python).
        R[$s,kube_cpu]=$(awk -v t="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / t}' "/proc/$PID_kube/stat")
        echo "  ready in $READY_kube s (migguard CPU ${R[$s,kube_cpu]} s), VmRSS ${R[$s,kube_rss]} MB, VmHWM ${R[$s,kube_hwm]} MB" >&2
        out=$(post "$PORT_kube" /validate "$DIR/reviews/vm-create.review.json")
        echo "  VM CREATE answer: ${out:0:300}" >&2
        # Review p99 while every kind is listed again and again (--resync 6: each kind
        # 6 s after its last list, the lists taking turns) against the calm server. The
        # fake server's pages cost CPU on the same two cores, as no real API server would.
        local kd=$((DURATION * 4))
        kube_p99 "$s" kube_p99_calm "no relist" "$kd"
        stop "$PID_kube"
        if start kube --kubeconfig "$WORK/kubeconfig" --resync 6; then
            kube_p99 "$s" kube_p99_relist "relisting (--resync 6)" "$kd"
            R[$s,kube_relist_hwm]=$(mb "$(status_kb "$PID_kube" VmHWM)")
            echo "  VmHWM after the relisting runs: ${R[$s,kube_relist_hwm]} MB" >&2
            stop "$PID_kube"
        fi
    else
        err "migguard serve --kubeconfig did not become ready"
        R[$s,kube_ready]=error
    fi
    stop "$fake"
}

echo "$("$MG" --version 2>/dev/null || echo migguard) at $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo '?')," \
     "$(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC'), wrk ${DURATION} s runs at $CONNS conns over TLS," \
     "load average $(cut -d" " -f1-3 /proc/loadavg)"
for size in "${SIZES[@]}"; do
    vms=${size%%:*} nodes=${size##*:}
    echo >&2
    echo "=== $vms VMs, $nodes nodes" >&2
    if ! view "$vms" "$nodes"; then
        err "gen_view.py failed"
        continue
    fi
    objs=$(awk '$1 == "total" {print $2}' "$DIR/objects.txt")
    R[$size,objects]=$objs
    R[$size,json_mb]=$(du -sm --apparent-size "$DIR" | cut -f1)
    R[$size,biggest]=$(ls -S "$DIR"/*.json | head -1 | xargs du -m --apparent-size | cut -f1)
    case " $STEPS " in *" state "*) measure_state "$size" "$objs" ;; esac
    case " $STEPS " in *" report "*) measure_report "$size" ;; esac
    case " $STEPS " in *" kube "*) measure_kube "$size" ;; esac
done

# The table: one column per size.
echo
row() {
    local label=$1 s
    shift
    printf '%-44s' "$label"
    for s in "${SIZES[@]}"; do
        local v="" k
        for k in "$@"; do
            v+="${v:+ / }${R[$s,$k]:--}"
        done
        printf ' %22s' "$v"
    done
    echo
}
printf '%-44s' "size (VMs:nodes)"; for s in "${SIZES[@]}"; do printf ' %22s' "$s"; done; echo
row "objects" objects
row "JSON MB (largest file MB)" json_mb biggest
row "--state: s to /readyz 200" ready
row "--state: VmRSS / VmHWM MB" rss hwm
row "--state: VmRSS MB of an empty view" rss_empty
row "--state: (RSS - empty) kB per 1,000 objects" per1k
row "VM CREATE verdict" verdict
row "VM CREATE req/s: full / empty view" rps_full rps_empty
row "  ratio full/empty" ratio
row "VM CREATE p99 ms: full / empty view" p99_full p99_empty
row "MP CREATE ms: median / p99" mp_med mp_p99
row "  verdicts" mp_ok
row "reload alone: s; VmHWM / VmRSS after MB" reload_s reload_hwm reload_rss
row "VM p99 ms, paced: no reload / one reload" paced_calm paced_hup
row "  req/s; every reload finished in its run" paced_rps paced_done
row "VM p99 ms, saturated: no reload / reload" sat_calm sat_hup
row "  req/s; every reload finished in its run" sat_rps sat_done
row "report: s / max RSS MB" report_s report_mb
row "--kubeconfig: s to /readyz 200; CPU s" kube_ready kube_cpu
row "--kubeconfig: VmRSS / VmHWM MB" kube_rss kube_hwm
row "  VmHWM MB after relisting" kube_relist_hwm
row "--kubeconfig: VM p99 ms, paced: calm / relisting" kube_p99_calm_paced kube_p99_relist_paced
row "  saturated: calm / relisting" kube_p99_calm_sat kube_p99_relist_sat
