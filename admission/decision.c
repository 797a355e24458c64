/* SPDX-License-Identifier: Apache-2.0 */
/* decision.c - format the decision log line by hand: building a cJSON tree per review
 * cost a dozen allocations on the hot path, and snprintf a tenth of a review. Each
 * string is escaped, made valid UTF-8 (a request's NUL written back as \u0000) and cut to
 * its share of the buffer on a character boundary, so the line is always valid JSON. */
#include "decision.h"

#include <string.h>

#include "utf8.h"

/* Escape s as a JSON string (with quotes) into out, using at most max bytes; bytes
 * that are not UTF-8 become '?'. */
static size_t json_str(char *out, size_t max, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t at = 0, left = strlen((const char *)p);

    if (max < 2)
        return 0;
    out[at++] = '"';
    while (left > 0) {
        char esc[6];
        size_t n = 1, used = 1;

        if (*p == '"' || *p == '\\') {
            esc[0] = '\\', esc[1] = (char)*p, n = 2;
        } else if (*p < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[*p >> 4], esc[5] = hex[*p & 15], n = 6;
        } else if (*p < 0x80) {
            esc[0] = (char)*p;
        } else if (left >= 2 && p[0] == 0xC0 && p[1] == 0x80) {
            /* A NUL of the request (MG_JSON_NUL), logged as the request wrote it. */
            memcpy(esc, "\\u0000", 6);
            n = 6, used = 2;
        } else if ((used = mg_utf8_seq(p, left)) == 0) {
            esc[0] = '?', used = 1;
        } else {
            memcpy(esc, p, used);
            n = used;
        }
        if (at + n + 1 > max)
            break;
        memcpy(out + at, esc, n);
        at += n;
        p += used;
        left -= used;
    }
    out[at++] = '"';
    return at;
}

static size_t put(char *out, const char *lit)
{
    size_t n = strlen(lit);

    memcpy(out, lit, n);
    return n;
}

static size_t put_long(char *out, long v)
{
    char tmp[24];
    size_t n = 0, at = 0;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;

    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        out[at++] = '-';
    while (n)
        out[at++] = tmp[--n];
    return at;
}

size_t mg_decision_format(const struct mg_decision *d, char *buf, size_t cap)
{
    const char *strs[] = {d->uid, d->kind, d->namespace_, d->name, d->operation, d->rules};
    const char *keys[] = {",\"uid\":",  ",\"kind\":",      ",\"namespace\":",
                          ",\"name\":", ",\"operation\":", ",\"rules\":"};
    size_t share, at;

    if (cap < 256)
        return 0;
    /* Fixed parts take under 160 bytes; the six strings share the rest. */
    share = (cap - 160) / 6;
    at = put(buf, d->endpoint == MG_EP_MUTATE ? "{\"msg\":\"decision\",\"endpoint\":\"mutate\""
                                              : "{\"msg\":\"decision\",\"endpoint\":\"validate\"");
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        at += put(buf + at, keys[i]);
        at += json_str(buf + at, share, strs[i]);
    }
    at += put(buf + at, d->allowed ? ",\"allowed\":true" : ",\"allowed\":false");
    at += put(buf + at,
              d->dry_run ? ",\"dryRun\":true,\"micros\":" : ",\"dryRun\":false,\"micros\":");
    at += put_long(buf + at, d->micros);
    at += put(buf + at, "}\n");
    buf[at] = '\0';
    return at;
}
