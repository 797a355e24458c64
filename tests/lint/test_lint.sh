#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_lint.sh - what clang-format cannot see: banned functions, missing file headers,
# and includes that cross a layer boundary. Usage: test_lint.sh MIGGUARD SRCDIR
set -u
src=${2:?usage: test_lint.sh MIGGUARD SRCDIR}
cd "$src" || exit 2
fail=0
files=$(git ls-files -co --exclude-standard -- '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')

for f in $files; do
    [ -f "$f" ] || continue
    if ! head -1 "$f" | grep -q 'SPDX-License-Identifier'; then
        echo "$f:1: missing SPDX header line"; fail=1
    fi
    # Banned: unbounded or unchecked string and number functions.
    if grep -nE '\b(sprintf|vsprintf|strcpy|strcat|strtok|gets|atoi|atol|sscanf)[[:space:]]*\(' "$f" \
        | grep -vE '(snprintf|vsnprintf|strtok_r)' ; then
        echo "$f: uses a banned function (above)"; fail=1
    fi
    # cJSON's lookups that ignore case: Kubernetes member names are case-sensitive.
    case "$f" in tests/*|bench/*|./tests/*|./bench/*) continue ;; esac
    if grep -nE '\bcJSON_(GetObjectItem|HasObjectItem|DeleteItemFromObject|DetachItemFromObject|ReplaceItemInObject)[[:space:]]*\(' "$f"; then
        echo "$f: a cJSON lookup that ignores case (above): use mg_json_get or the CaseSensitive call"; fail=1
    fi
done

# Layer rules: only server/ sees libmicrohttpd; OpenSSL only in certs/, and for base64 in
# admission/response.c, cluster/kubeconf.c and cli/manifest.c
# (and tests); validate/ and mutate/ never include a transport or the engine.
while IFS= read -r hit; do
    case "$hit" in
        server/*|tests/*|bench/*) ;;
        *) echo "$hit: <microhttpd.h> outside server/"; fail=1 ;;
    esac
done < <(grep -rln --include='*.[ch]' 'include <microhttpd.h>' . | sed 's|^\./||')
while IFS= read -r hit; do
    case "$hit" in
        certs/*|tests/*|bench/*|admission/response.c|cluster/kube*|cli/manifest.c) ;;
        *) echo "$hit: OpenSSL outside certs/"; fail=1 ;;
    esac
done < <(grep -rln --include='*.[ch]' 'include <openssl/' . | sed 's|^\./||')
if grep -rnE --include='*.[ch]' '#include "(engine|server|review|response)\.h"' validate mutate cluster common; then
    echo "a lower layer includes admission/ or server/ (above)"; fail=1
fi
# Formatting: .clang-format is the whole policy.
if command -v clang-format >/dev/null 2>&1; then
    for f in $files; do
        [ -f "$f" ] || continue
        clang-format --dry-run -Werror "$f" >/dev/null 2>&1 ||
            { echo "$f: not formatted (run clang-format -i $f)"; fail=1; }
    done
else
    echo "lint: clang-format not installed; formatting not checked"
fi
if [ $fail -ne 0 ]; then
    echo "lint: FAILED"; exit 1
fi
echo "lint: 1 passed, 0 failed"
