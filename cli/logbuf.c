/* SPDX-License-Identifier: Apache-2.0 */
/* logbuf.c - batched log lines: one buffer and one mutex, a flusher thread on a
 * condition variable with a timeout. Writes happen under the mutex, so batches keep
 * their order; a writer that finds the buffer full writes it itself. No allocation
 * after start. */
#include "logbuf.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOGBUF_SIZE ((size_t)64 * 1024)

struct mg_logbuf {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t flusher;
    int fd;
    unsigned flush_ms;
    bool stop;
    size_t len;
    char buf[LOGBUF_SIZE];
};

/* All of p, or give up on the first error other than EINTR. */
static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void flush_locked(struct mg_logbuf *b)
{
    if (b->len) {
        write_all(b->fd, b->buf, b->len);
        b->len = 0;
    }
}

static void *flusher(void *arg)
{
    struct mg_logbuf *b = arg;

    pthread_mutex_lock(&b->mu);
    while (!b->stop) {
        struct timespec until;

        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += b->flush_ms / 1000;
        until.tv_nsec += (long)(b->flush_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&b->cv, &b->mu, &until);
        flush_locked(b);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

int mg_logbuf_start(struct mg_logbuf **out, int fd, unsigned flush_ms)
{
    struct mg_logbuf *b = calloc(1, sizeof(*b));
    pthread_condattr_t ca;

    *out = NULL;
    if (!b)
        return -1;
    b->fd = fd;
    b->flush_ms = flush_ms < 1 ? 1 : flush_ms > 10000 ? 10000 : flush_ms;
    pthread_mutex_init(&b->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&b->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&b->flusher, NULL, flusher, b) != 0) {
        pthread_cond_destroy(&b->cv);
        pthread_mutex_destroy(&b->mu);
        free(b);
        return -1;
    }
    *out = b;
    return 0;
}

void mg_logbuf_line(struct mg_logbuf *b, const char *line, size_t n)
{
    pthread_mutex_lock(&b->mu);
    if (b->len + n > LOGBUF_SIZE)
        flush_locked(b);
    if (n > LOGBUF_SIZE) {
        write_all(b->fd, line, n);
    } else {
        memcpy(b->buf + b->len, line, n);
        b->len += n;
    }
    pthread_mutex_unlock(&b->mu);
}

void mg_logbuf_stop(struct mg_logbuf *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->mu);
    b->stop = true;
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->flusher, NULL);
    flush_locked(b);
    pthread_cond_destroy(&b->cv);
    pthread_mutex_destroy(&b->mu);
    free(b);
}
