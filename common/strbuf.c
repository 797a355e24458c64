/* SPDX-License-Identifier: Apache-2.0 */
/* strbuf.c - a growing text buffer: at least doubling, so n appends cost O(total).
 * Pure memory work, no I/O. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mg_strbuf_init(struct mg_strbuf *b)
{
    memset(b, 0, sizeof(*b));
}

static bool grow(struct mg_strbuf *b, size_t need)
{
    size_t cap = b->cap ? b->cap : 4096;
    char *p;

    while (cap - b->len <= need)
        cap *= 2;
    if (cap == b->cap)
        return true;
    p = realloc(b->p, cap);
    if (!p)
        return false;
    b->p = p;
    b->cap = cap;
    return true;
}

void mg_strbuf_printf(struct mg_strbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->oom)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !grow(b, (size_t)n)) {
        b->oom = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *mg_strbuf_finish(struct mg_strbuf *b)
{
    char *out;

    if (!b->oom && !b->p && !grow(b, 0))
        b->oom = true;
    if (b->oom) {
        mg_strbuf_free(b);
        return NULL;
    }
    b->p[b->len] = '\0';
    out = b->p;
    mg_strbuf_init(b);
    return out;
}

void mg_strbuf_free(struct mg_strbuf *b)
{
    if (!b)
        return;
    free(b->p);
    mg_strbuf_init(b);
}
