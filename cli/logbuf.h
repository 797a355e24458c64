/* SPDX-License-Identifier: Apache-2.0 */
/* logbuf.h - whole log lines to a file descriptor in batches: writers append lines to a
 * buffer under a mutex, and a flusher thread writes the batches out every flush_ms (or
 * sooner when one is half full), so a busy server writes batches (in 4 KiB pieces, each
 * after poll(2)) instead of a line per review, and a writer never waits on the descriptor: when
 * stderr does not keep up and both 256 KB buffers are full, lines are dropped and counted, and the
 * next batch says how many. Lines are never split or interleaved; what is buffered is written by
 * mg_logbuf_stop. Thread-safety: mg_logbuf_line may be called from any number of threads
 * at once. */
#ifndef MG_LOGBUF_H
#define MG_LOGBUF_H

#include <stddef.h>

struct mg_logbuf;

/* Start batching to fd (not owned) with a flush every flush_ms (1 to 10000). 0, or
 * -1 when out of memory or the thread cannot start (*out is then NULL). */
int mg_logbuf_start(struct mg_logbuf **out, int fd, unsigned flush_ms);

/* Append one line of n bytes (its '\n' included); never blocks on I/O. A line longer
 * than a buffer (256 KB), or one that finds both buffers full, is dropped and counted. A
 * write that fails drops its batch (the log must never stop reviews). */
void mg_logbuf_line(struct mg_logbuf *b, const char *line, size_t n);

/* Lines dropped so far. */
unsigned long mg_logbuf_dropped(struct mg_logbuf *b);

/* Write what is buffered, stop the flusher and free b; accepts NULL. When the descriptor
 * takes nothing for 2 s (a full pipe, a stopped terminal), the rest is dropped: this
 * returns within about 2 s whatever stderr does. */
void mg_logbuf_stop(struct mg_logbuf *b);

#endif
