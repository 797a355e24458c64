# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# lib.sh - shared by bench/run.sh, soak.sh and faults.sh (source it): a Release build,
# a throwaway work dir with certificates, migguard and nginx on loopback, wrk runs
# parsed from post.lua's MGSTATS line, RSS and descriptor counts. Everything started
# here is killed on exit.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$BENCH_DIR/.." && pwd)
BUILD=${BUILD:-$SRC/build-bench}
MG=$BUILD/cli/migguard
FIX=$BENCH_DIR/fixtures
PIDS=()
WORK=$(mktemp -d /tmp/mg-bench.XXXXXX)

cleanup() {
    local p
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    sleep 0.2
    for p in "${PIDS[@]}"; do
        kill -9 "$p" 2>/dev/null || true
    done
    [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
    echo "$(basename "$0"): $*" >&2
    exit 1
}

# Install wrk and nginx, build a Release migguard when it is missing or older than
# the sources (NO_BUILD=1: only when missing), make certificates in $WORK/certs.
bench_setup() {
    bash "$SRC/scripts/deps.sh" bench
    if [ ! -x "$MG" ] || { [ -z "${NO_BUILD:-}" ] && [ -n "$(find "$SRC" -path "$BUILD" -prune \
            -o -path "$SRC/build*" -prune -o -newer "$MG" \( -name '*.c' -o -name '*.h' \) \
            -print -quit)" ]; }; then
        echo "building Release migguard in $BUILD" >&2
        if ! { cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null &&
               cmake --build "$BUILD" -j"$(nproc)" --target migguard >"$WORK/build.log" 2>&1; }; then
            tail -20 "$WORK/build.log" >&2
            [ -x "$MG" ] || die "the build failed"
            echo "the build failed: measuring the previous binary $MG" >&2
        fi
    fi
    "$MG" certs create --out "$WORK/certs" --ip 127.0.0.1 --dns localhost >/dev/null
    ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
}

# A free loopback TCP port.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# mg_start NAME [serve flags...]: start migguard serve on a free port; sets MG_PID_<NAME>
# and MG_PORT_<NAME>, logs to $WORK/NAME.log.
mg_start() {
    local name=$1 log port i
    shift
    log=$WORK/$name.log
    "$MG" serve --listen 127.0.0.1:0 --tls-cert "${CERT:-$WORK/certs/tls.crt}" \
        --tls-key "${KEY:-$WORK/certs/tls.key}" "$@" 2>"$log" &
    PIDS+=($!)
    printf -v "MG_PID_$name" '%s' $!
    for i in $(seq 1 600); do
        port=$(sed -n 's|.*listening on https://127.0.0.1:\([0-9]*\).*|\1|p' "$log")
        [ -n "$port" ] && break
        kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$log" >&2; die "migguard $name did not start"; }
        sleep 0.1
    done
    [ -n "$port" ] || die "migguard $name did not listen within 60 s"
    printf -v "MG_PORT_$name" '%s' "$port"
}

# ng_start: nginx on a free port answering every request with the fixed JSON in
# $1, over TLS with the same certificate; sets NG_PID and NG_PORT. Unprivileged
# workers ($NG_WORKERS of them, default one per CPU), every path in $WORK/nginx, no daemon.
ng_start() {
    local body=$1 d=$WORK/nginx user=""
    NG_PORT=$(free_port)
    mkdir -p "$d/tmp"
    [ "$(id -u)" -ne 0 ] || { user="user nobody nogroup;"; chmod 755 "$d" "$d/tmp"; }
    cat >"$d/nginx.conf" <<EOF
$user
daemon off;
worker_processes ${NG_WORKERS:-auto};
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    keepalive_timeout 60s;
    keepalive_requests 100000000;
    server {
        listen 127.0.0.1:$NG_PORT ssl;
        ssl_certificate $WORK/certs/tls.crt;
        ssl_certificate_key $WORK/certs/tls.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {
            default_type application/json;
            return 200 '$body';
        }
    }
}
EOF
    nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" &
    NG_PID=$!
    PIDS+=("$NG_PID")
    for _ in $(seq 1 100); do
        curl -sk -o /dev/null "https://127.0.0.1:$NG_PORT/" && return 0
        kill -0 "$NG_PID" 2>/dev/null || { cat "$d/error.log" >&2; die "nginx did not start"; }
        sleep 0.1
    done
    die "nginx did not answer"
}

# post PORT PATH BODYFILE: one request with curl, the response body on stdout.
post() {
    curl -sS --cacert "$WORK/certs/ca.crt" -H 'Content-Type: application/json' \
        --data-binary @"$3" "https://127.0.0.1:$1$2"
}

# wrk_run PORT PATH BODYFILE CONNS SECS: run wrk; sets W_RPS W_P50 W_P99 W_MAX (us),
# W_REQS and W_ERRS (socket errors + non-2xx + timeouts). Output in $WORK/wrk.last.
wrk_run() {
    local port=$1 path=$2 body=$3 conns=$4 secs=$5 threads line
    threads=$(( conns < $(nproc) ? conns : $(nproc) ))
    BODY=$body wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s -s "$BENCH_DIR/post.lua" \
        "https://127.0.0.1:$port$path" >"$WORK/wrk.last" 2>&1 || true
    line=$(grep '^MGSTATS' "$WORK/wrk.last") || { cat "$WORK/wrk.last" >&2; die "wrk failed"; }
    W_RPS=$(field rps "$line")
    W_P50=$(field p50 "$line")
    W_P99=$(field p99 "$line")
    W_MAX=$(field max "$line")
    W_REQS=$(field requests "$line")
    W_ERRS=$(( $(field connect "$line") + $(field read "$line") + $(field write "$line") +
               $(field status "$line") + $(field timeout "$line") ))
}

field() {
    sed -n "s/.*[ ]$1=\([0-9.]*\).*/\1/p" <<<" $2"
}

# Resident memory of a process in kB, and its number of open descriptors.
rss_kb() {
    awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

fd_count() {
    ls "/proc/$1/fd" | wc -l
}

# CPU ticks of each MHD event-loop thread of PID (pool worker or single daemon), space-separated, in thread order.
worker_ticks() {
    local t out=""
    for t in /proc/"$1"/task/*; do
        case "$(cat "$t/comm" 2>/dev/null)" in MHD-worker | MHD-single) ;; *) continue ;; esac
        out+="$(awk '{print $14 + $15}' "$t/stat") "
    done
    echo "$out"
}

# How the CPU of the MHD workers split between two worker_ticks samples: "71/29".
worker_split() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        n = split(a, x, " "); split(b, y, " "); tot = 0
        for (i = 1; i <= n; i++) { d[i] = y[i] - x[i]; tot += d[i] }
        for (i = 1; i <= n; i++) printf "%s%.0f", (i > 1 ? "/" : ""), tot ? 100 * d[i] / tot : 0
    }'
}

# Microseconds as milliseconds with two decimals.
ms() {
    awk -v u="$1" 'BEGIN {printf "%.2f", u / 1000}'
}

mb() {
    awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'
}
