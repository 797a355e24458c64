#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# deps.sh - install the Debian packages migguard needs to build, test and benchmark,
# only those that are missing. Usage: scripts/deps.sh [build|test|bench]
set -euo pipefail

build=(build-essential cmake pkg-config libmicrohttpd-dev libgnutls28-dev libcjson-dev
       libyaml-dev libpcre2-dev libssl-dev libcmocka-dev libcurl4-openssl-dev libzstd-dev)
# kubernetes-client: kubectl, for the plugin test (tests/cli/test_report_plugin.sh runs
# `kubectl migguard report`); any kubectl already on PATH does as well.
test=(curl clang libclang-rt-14-dev clang-format python3 python3-yaml procps kubernetes-client)
bench=(wrk nginx procps)

want=("${build[@]}")
case "${1:-build}" in
    build) ;;
    test) want+=("${test[@]}") ;;
    bench) want+=("${test[@]}" "${bench[@]}") ;;
    *) echo "usage: $0 [build|test|bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
    [ "$p" = kubernetes-client ] && command -v kubectl >/dev/null && continue
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
