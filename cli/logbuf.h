/* SPDX-License-Identifier: Apache-2.0 */
/* logbuf.h - whole log lines to a file descriptor in batches: writers append lines to
 * one buffer under a mutex, and a flusher thread writes it out every flush_ms (or a
 * writer does, when a line would not fit), so a busy server makes one write(2) per
 * batch instead of one per review. Lines are never split or interleaved; what is
 * buffered is written by mg_logbuf_stop. Thread-safety: mg_logbuf_line may be called
 * from any number of threads at once. */
#ifndef MG_LOGBUF_H
#define MG_LOGBUF_H

#include <stddef.h>

struct mg_logbuf;

/* Start batching to fd (not owned) with a flush every flush_ms (1 to 10000). 0, or
 * -1 when out of memory or the thread cannot start (*out is then NULL). */
int mg_logbuf_start(struct mg_logbuf **out, int fd, unsigned flush_ms);

/* Append one line of n bytes (its '\n' included). Longer than the buffer: written at
 * once. A write that fails drops the batch (the log must never stop reviews). */
void mg_logbuf_line(struct mg_logbuf *b, const char *line, size_t n);

/* Write what is buffered, stop the flusher and free b; accepts NULL. */
void mg_logbuf_stop(struct mg_logbuf *b);

#endif
