#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# soak.sh - a steady load on migguard serve for DURATION seconds (default 300): wrk with
# CONNS keep-alive connections cycling the VM, policy and HyperConverged reviews (both
# endpoints); resident memory and open descriptors sampled every 10 s. Fails on any
# failed request, RSS growth past RSS_GROWTH_KB (default 2048) from the first sample
# under load to the last, descriptor growth past FD_GROWTH (default 2), or an exit
# other than 0 on SIGTERM at the end. Loopback only. Not part of the test suite.
# Usage: DURATION=300 CONNS=8 bench/soak.sh
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-300}
CONNS=${CONNS:-8}
EVERY=${EVERY:-10}
RSS_GROWTH_KB=${RSS_GROWTH_KB:-2048}
FD_GROWTH=${FD_GROWTH:-2}

bench_setup
mg_start soak --state "$FIX/state"
pid=$MG_PID_soak
idle_kb=$(rss_kb "$pid")
idle_fd=$(fd_count "$pid")
echo "soak: $("$MG" --version), $(date -u '+%Y-%m-%d %H:%M UTC'), ${DURATION} s at $CONNS connections"
echo "  idle before: RSS $(mb "$idle_kb") MB, $idle_fd descriptors"

export MIX="/validate=$FIX/vm-create.review.json,/validate=$FIX/policy-create.review.json,/validate=$FIX/hco-update.review.json,/mutate=$FIX/hco-update.review.json"
threads=$(( CONNS < $(nproc) ? CONNS : $(nproc) ))
wrk -t"$threads" -c"$CONNS" -d"${DURATION}s" --timeout 10s -s "$BENCH_DIR/post.lua" \
    "https://127.0.0.1:$MG_PORT_soak/validate" >"$WORK/soak.wrk" 2>&1 &
wrk_pid=$!
PIDS+=("$wrk_pid")

printf '  %6s %9s %6s\n' "t (s)" "RSS (kB)" fds
first_kb="" first_fd="" t=0 max_kb=0
# Samples at EVERY, 2*EVERY, ... while wrk still runs (the last one before it ends).
while [ $((t + EVERY)) -lt "$DURATION" ] && kill -0 "$wrk_pid" 2>/dev/null; do
    sleep "$EVERY"
    t=$((t + EVERY))
    kill -0 "$pid" 2>/dev/null || die "migguard died under load"
    kb=$(rss_kb "$pid")
    fd=$(fd_count "$pid")
    [ -n "$first_kb" ] || { first_kb=$kb; first_fd=$fd; }
    [ "$kb" -le "$max_kb" ] || max_kb=$kb
    last_kb=$kb last_fd=$fd
    printf '  %6s %9s %6s\n' "$t" "$kb" "$fd"
done
wait "$wrk_pid" || true
line=$(grep '^MGSTATS' "$WORK/soak.wrk") || { cat "$WORK/soak.wrk" >&2; die "wrk failed"; }
errs=$(( $(field connect "$line") + $(field read "$line") + $(field write "$line") +
         $(field status "$line") + $(field timeout "$line") ))
sleep 1
after_kb=$(rss_kb "$pid")
after_fd=$(fd_count "$pid")
rc=0
kill -TERM "$pid"
wait "$pid" || rc=$?

growth=$((last_kb - first_kb))
fd_growth=$((last_fd - first_fd))
echo "  load: $(field requests "$line") requests, $(field rps "$line") req/s, p50 $(ms "$(field p50 "$line")") ms," \
     "p99 $(ms "$(field p99 "$line")") ms, max $(ms "$(field max "$line")") ms, $errs failed"
echo "  RSS: first sample $(mb "$first_kb") MB, last $(mb "$last_kb") MB, max $(mb "$max_kb") MB," \
     "growth $growth kB (limit $RSS_GROWTH_KB)"
echo "  descriptors: first $first_fd, last $last_fd, growth $fd_growth (limit $FD_GROWTH);" \
     "idle after: $after_fd (before: $idle_fd), RSS $(mb "$after_kb") MB"
echo "  SIGTERM at the end: exit $rc"
fail=0
[ "$errs" -eq 0 ] || { echo "FAIL  $errs failed requests"; fail=1; }
[ "$growth" -le "$RSS_GROWTH_KB" ] || { echo "FAIL  RSS grew by $growth kB"; fail=1; }
[ "$fd_growth" -le "$FD_GROWTH" ] || { echo "FAIL  descriptors grew by $fd_growth"; fail=1; }
[ "$after_fd" -le $((idle_fd + FD_GROWTH)) ] || { echo "FAIL  $after_fd descriptors open after the load"; fail=1; }
[ "$rc" -eq 0 ] || { echo "FAIL  exit $rc on SIGTERM"; fail=1; }
[ "$fail" -ne 0 ] || echo "PASS  soak: no failed request, RSS and descriptors flat, exit 0"
exit $fail
