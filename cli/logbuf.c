/* SPDX-License-Identifier: Apache-2.0 */
/* logbuf.c - batched log lines: two buffers and one mutex. Writers only append to the
 * active buffer; the flusher thread swaps it with the spare and writes the spare outside
 * the lock, every flush_ms or as soon as a writer finds the active one full. Writers
 * never make a system call, so a slow or stuck stderr cannot hold a review: when both
 * buffers are full, lines are dropped and counted instead. No allocation after start. */
#include "logbuf.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Each of the two buffers: at 70,000 reviews a second (21 MB/s of lines) the flusher has
 * about 12 ms to get the CPU before lines are dropped. */
#define LOGBUF_SIZE ((size_t)256 * 1024)
/* Writes go out in pieces of at most PIPE_BUF, each after poll() says the descriptor
 * takes more, so a full pipe or a stopped terminal never holds the flusher inside
 * write(2): it waits in poll, where stop can end the wait. Once stop is asked, what is
 * left gets STOP_WAIT_MS in all, then is dropped (SIGTERM must not hang on stderr). */
#define WRITE_PIECE ((size_t)4096)
#define POLL_MS 100
#define STOP_WAIT_MS 2000

struct mg_logbuf {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t flusher;
    int fd;
    unsigned flush_ms;
    atomic_bool stopping; /* stop asked: writes get STOP_WAIT_MS, then give up */
    atomic_int give_up;   /* a write gave up after stop: the rest is dropped */
    bool stop, wake, writing;
    char *active, *spare;  /* spare: the batch the flusher writes next (or is writing) */
    size_t len, spare_len; /* bytes in each; spare_len 0: spare is free */
    unsigned long dropped, reported;
    char bufs[2][LOGBUF_SIZE];
};

/* All of p, or give up on the first error other than EINTR, or once stop was asked and
 * the descriptor took nothing for STOP_WAIT_MS. */
static void write_all(struct mg_logbuf *b, const char *p, size_t n)
{
    int waited_ms = 0;

    while (n > 0 && !atomic_load(&b->give_up)) {
        struct pollfd pfd = {.fd = b->fd, .events = POLLOUT};
        int r = poll(&pfd, 1, POLL_MS);
        ssize_t w;

        if (r == 0 || (r < 0 && errno == EINTR)) {
            if (atomic_load(&b->stopping) && (waited_ms += POLL_MS) >= STOP_WAIT_MS)
                atomic_store(&b->give_up, 1);
            continue;
        }
        if (r < 0 || (pfd.revents & (POLLERR | POLLNVAL)))
            return;
        w = write(b->fd, p, n < WRITE_PIECE ? n : WRITE_PIECE);
        if (w < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* Under mu: make the active buffer the pending batch, when there is one to make and the
 * spare is free. */
static void swap_locked(struct mg_logbuf *b)
{
    char *full = b->active;

    if (b->len == 0 || b->spare_len != 0)
        return;
    b->active = b->spare;
    b->spare = full;
    b->spare_len = b->len;
    b->len = 0;
}

/* Write one batch outside the lock, then a note on lines dropped since the last one. */
static void write_batch(struct mg_logbuf *b, const char *p, size_t n, unsigned long dropped)
{
    write_all(b, p, n);
    if (dropped) {
        char note[128];
        int k = snprintf(note, sizeof(note),
                         "migguard: decision log: %lu lines dropped (stderr is not keeping up)\n",
                         dropped);

        if (k > 0)
            write_all(b, note, (size_t)k);
    }
}

static void *flusher(void *arg)
{
    struct mg_logbuf *b = arg;

    pthread_mutex_lock(&b->mu);
    while (!b->stop) {
        struct timespec until;
        unsigned long dropped;

        if (!b->wake) {
            clock_gettime(CLOCK_MONOTONIC, &until);
            until.tv_sec += b->flush_ms / 1000;
            until.tv_nsec += (long)(b->flush_ms % 1000) * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&b->cv, &b->mu, &until);
        }
        b->wake = false;
        swap_locked(b);
        dropped = b->dropped - b->reported;
        b->reported = b->dropped;
        if (b->spare_len == 0 && dropped == 0)
            continue;
        b->writing = true;
        pthread_mutex_unlock(&b->mu);
        write_batch(b, b->spare, b->spare_len, dropped);
        pthread_mutex_lock(&b->mu);
        b->spare_len = 0;
        b->writing = false;
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
    b->active = b->bufs[0];
    b->spare = b->bufs[1];
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
    if (b->len + n > LOGBUF_SIZE && !b->writing)
        swap_locked(b);
    if (b->len + n > LOGBUF_SIZE) {
        /* Both buffers full: the line has nowhere to go but the count. */
        b->dropped++;
    } else {
        memcpy(b->active + b->len, line, n);
        b->len += n;
    }
    if ((b->spare_len || b->len > LOGBUF_SIZE / 2) && !b->wake) {
        /* A batch is waiting, or this one is half full: write now, so a burst fills the
         * other buffer meanwhile. */
        b->wake = true;
        pthread_cond_signal(&b->cv);
    }
    pthread_mutex_unlock(&b->mu);
}

unsigned long mg_logbuf_dropped(struct mg_logbuf *b)
{
    unsigned long n;

    pthread_mutex_lock(&b->mu);
    n = b->dropped;
    pthread_mutex_unlock(&b->mu);
    return n;
}

void mg_logbuf_stop(struct mg_logbuf *b)
{
    if (!b)
        return;
    atomic_store(&b->stopping, true);
    pthread_mutex_lock(&b->mu);
    b->stop = true;
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->flusher, NULL);
    /* The flusher is gone: the pending batch, then the active one, in order. */
    write_batch(b, b->spare, b->spare_len, 0);
    write_batch(b, b->active, b->len, b->dropped - b->reported);
    pthread_cond_destroy(&b->cv);
    pthread_mutex_destroy(&b->mu);
    free(b);
}
