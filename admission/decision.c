/* SPDX-License-Identifier: Apache-2.0 */
/* decision.c - format the decision log line by hand: building a cJSON tree per review
 * cost a dozen allocations on the hot path. Each string is escaped and cut to its share
 * of the buffer, so the line is always valid JSON. */
#include "decision.h"

#include <stdio.h>
#include <string.h>

/* Escape s as a JSON string (with quotes) into out, using at most max bytes. */
static size_t json_str(char *out, size_t max, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t at = 0;

    if (max < 2)
        return 0;
    out[at++] = '"';
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        char esc[7];
        size_t n = 1;

        if (*p == '"' || *p == '\\') {
            esc[0] = '\\', esc[1] = (char)*p, n = 2;
        } else if (*p < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[*p >> 4], esc[5] = hex[*p & 15], n = 6;
        } else {
            esc[0] = (char)*p;
        }
        if (at + n + 1 > max)
            break;
        memcpy(out + at, esc, n);
        at += n;
    }
    out[at++] = '"';
    return at;
}

size_t mg_decision_format(const struct mg_decision *d, char *buf, size_t cap)
{
    const char *strs[] = {d->uid, d->kind, d->namespace_, d->name, d->operation, d->rules};
    const char *keys[] = {"uid", "kind", "namespace", "name", "operation", "rules"};
    size_t share, at;
    int n;

    if (cap < 256)
        return 0;
    /* Fixed parts take under 160 bytes; the six strings share the rest. */
    share = (cap - 160) / 6;
    at = (size_t)snprintf(buf, cap, "{\"msg\":\"decision\",\"endpoint\":\"%s\"",
                          d->endpoint == MG_EP_MUTATE ? "mutate" : "validate");
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        at += (size_t)snprintf(buf + at, cap - at, ",\"%s\":", keys[i]);
        at += json_str(buf + at, share, strs[i]);
    }
    n = snprintf(buf + at, cap - at, ",\"allowed\":%s,\"dryRun\":%s,\"micros\":%ld}\n",
                 d->allowed ? "true" : "false", d->dry_run ? "true" : "false", d->micros);
    return n > 0 ? at + (size_t)n : at;
}
