/* SPDX-License-Identifier: Apache-2.0 */
/* strbuf.h - a growing text buffer for renderers (metrics, reports): printf appends,
 * an allocation failure is remembered and reported once at the end.
 * Not thread-safe: one buffer per caller. */
#ifndef MG_STRBUF_H
#define MG_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct mg_strbuf {
    char *p;
    size_t len;
    size_t cap;
    bool oom;
};

/* An empty buffer (allocates on first append). */
void mg_strbuf_init(struct mg_strbuf *b);

/* Append printf-style text; after a failure, does nothing. */
void mg_strbuf_printf(struct mg_strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The text, NUL-terminated, for the caller to free with free(); NULL when an append
 * failed (the buffer is freed then). The buffer is empty afterwards. */
char *mg_strbuf_finish(struct mg_strbuf *b);

/* Free the text; accepts an empty buffer. */
void mg_strbuf_free(struct mg_strbuf *b);

#endif
