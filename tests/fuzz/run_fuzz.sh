#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run_fuzz.sh TARGET SRCDIR RUNS - run a fuzz target for RUNS executions on a fresh copy
# of its seed corpus (the test fixtures), so the source tree is never written.
set -euo pipefail
target=$1 src=$2 runs=${3:-20000}
name=$(basename "$target")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
# seed FIND-ARGS...: copy the first 400 files find lists (no pipe: with pipefail, find
# killed by SIGPIPE from head would fail the run once there are more than 400).
seed() {
    local files f
    mapfile -t files < <(find "$@" 2>/dev/null | sort)
    for f in "${files[@]:0:400}"; do
        cp "$f" "$work/corpus/$(echo "$f" | md5sum | cut -c1-16)"
    done
}
case "$name" in
    fuzz_jsonlist) seed "$src/tests/cli/report/state" "$src/bench/fixtures" -name '*.json' -size -64k
                   printf '{"apiVersion":"v1","items":[{"kind":"Namespace","metadata":{"name":"a"}}],"kind":"List","metadata":{}}' \
                       > "$work/corpus/list" ;;
    fuzz_review|fuzz_json) seed "$src/tests/cases" "$src/tests/data" -name '*.json' -size -64k ;;
    fuzz_yaml) seed "$src/tests" "$src/deploy" \( -name '*.yaml' -o -name '*.yml' \) -size -64k ;;
    fuzz_state) # one multi-document seed per case: its whole state/ directory
                 for d in "$src"/tests/cases/*/state; do
                     [ -d "$d" ] || continue
                     for f in "$d"/*; do cat "$f"; printf '\n---\n'; done \
                         > "$work/corpus/$(echo "$d" | md5sum | cut -c1-16)"
                 done ;;
    fuzz_quantity) for q in 64Mi 1.5Gi 0 -0 1m 1e18 1e-18 8Ei .5 5. +1k 100M 1e1.5 2048Mi; do
                     printf '%s' "$q" > "$work/corpus/$(printf '%s' "$q" | md5sum | cut -c1-16)"; done ;;
    fuzz_jsonpatch) # [document, patch]: RFC 6902's examples and the annotation's paths
                 n=0
                 for q in '[{"foo":"bar"},[{"op":"add","path":"/baz","value":"qux"}]]' \
                          '[{"foo":["bar","baz"]},[{"op":"add","path":"/foo/1","value":"q"},{"op":"remove","path":"/foo/0"}]]' \
                          '[{"a":{"b":1},"l":[1,2]},[{"op":"move","from":"/a/b","path":"/l/-"},{"op":"copy","from":"/l","path":"/c"},{"op":"test","path":"/c/2","value":1}]]' \
                          '[{"a/b":{"m~n":[0]}},[{"op":"replace","path":"/a~1b/m~0n/0","value":{"x":null}},{"op":"test","path":"/a~1b","value":{"m~n":[{"x":null}]}}]]' \
                          '[{"spec":{"configuration":{"migrations":{"completionTimeoutPerGiB":150}}}},[{"op":"test","path":"/spec/configuration/migrations/completionTimeoutPerGiB","value":150},{"op":"replace","path":"/spec/configuration","value":{}},{"op":"add","path":"","value":[1]}]]'; do
                     printf '%s' "$q" > "$work/corpus/jsonpatch$n"; n=$((n + 1)); done
                 seed "$src/tests/cases" -path '*jsonpatch*' -name 'review.json' ;;
    fuzz_labels) for q in kubevirt.io/size a.b/c- x/y/z hpc-workloads "" -a A_B.c; do
                     printf '%s' "$q" > "$work/corpus/$(printf '%s' "$q" | md5sum | cut -c1-16)"; done ;;
esac
cd "$work"
# FUZZ_OUT: keep the log and any crash file there (bench/fuzz_long.sh reads them).
out=${FUZZ_OUT:-$work}
mkdir -p "$out"
"$target" -runs="$runs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/" ${FUZZ_FLAGS:-} corpus >"$out/$name.log" 2>&1 || {
    tail -50 "$out/$name.log"; exit 1; }
grep -E '^Done|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
    "$out/$name.log"
echo "$name: 1 passed, 0 failed"
