/* SPDX-License-Identifier: Apache-2.0 */
/* ticker.c - mg_ticker: one thread waiting on a condition variable (CLOCK_MONOTONIC)
 * until the earlier of two times, the period's next call and the earliest wake-up asked
 * for, so that neither a stop nor an earlier wake-up waits for the rest of a period. fn
 * runs with no lock held. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "ticker.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct mg_ticker {
    unsigned period_ms;
    void (*fn)(void *ctx);
    void *ctx;
    pthread_t thread;
    pthread_mutex_t mu; /* the fields below */
    pthread_cond_t cv;
    int64_t due;   /* the period's next call; INT64_MAX while fn runs */
    int64_t asked; /* the earliest wake-up asked for since the last call; INT64_MAX: none */
    bool stop;
};

int64_t mg_ticker_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t earlier(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Under mu: wait until the next call is due or a stop; false on a stop. */
static bool wait_turn(struct mg_ticker *t)
{
    for (;;) {
        int64_t when = earlier(t->due, t->asked), now = mg_ticker_now_ms();
        struct timespec ts;

        if (t->stop)
            return false;
        if (when <= now)
            break;
        /* Far enough for any period: a wait without a time is a wait on stop or wake. */
        if (when == INT64_MAX) {
            pthread_cond_wait(&t->cv, &t->mu);
            continue;
        }
        ts.tv_sec = (time_t)(when / 1000);
        ts.tv_nsec = (long)(when % 1000) * 1000000L;
        (void)pthread_cond_timedwait(&t->cv, &t->mu, &ts);
    }
    /* This call serves every wake-up asked for before it. */
    t->asked = INT64_MAX;
    t->due = INT64_MAX;
    return true;
}

static void *run(void *arg)
{
    struct mg_ticker *t = arg;

    /* Not the name of the thread that started it (an MHD worker, say): top -H and the
     * benchmarks' per-thread CPU counts tell the two apart. */
    (void)pthread_setname_np(pthread_self(), "mg-ticker");
    pthread_mutex_lock(&t->mu);
    while (wait_turn(t)) {
        pthread_mutex_unlock(&t->mu);
        t->fn(t->ctx);
        pthread_mutex_lock(&t->mu);
        t->due = mg_ticker_now_ms() + t->period_ms;
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

struct mg_ticker *mg_ticker_start_at(int64_t first_ms, unsigned period_ms, void (*fn)(void *ctx),
                                     void *ctx)
{
    struct mg_ticker *t = calloc(1, sizeof(*t));
    pthread_condattr_t ca;

    if (!t)
        return NULL;
    t->period_ms = period_ms < 10 ? 10 : period_ms;
    t->fn = fn;
    t->ctx = ctx;
    t->due = first_ms;
    t->asked = INT64_MAX;
    pthread_mutex_init(&t->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&t->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&t->thread, NULL, run, t) != 0) {
        pthread_cond_destroy(&t->cv);
        pthread_mutex_destroy(&t->mu);
        free(t);
        return NULL;
    }
    return t;
}

struct mg_ticker *mg_ticker_start(unsigned period_ms, void (*fn)(void *ctx), void *ctx)
{
    return mg_ticker_start_at(0, period_ms, fn, ctx);
}

void mg_ticker_wake_at(struct mg_ticker *t, int64_t at_ms)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    if (at_ms < t->asked) {
        /* Only a wake-up before the one the thread waits for needs the thread. */
        if (at_ms < earlier(t->due, t->asked))
            pthread_cond_signal(&t->cv);
        t->asked = at_ms;
    }
    pthread_mutex_unlock(&t->mu);
}

void mg_ticker_stop(struct mg_ticker *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    t->stop = true;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    free(t);
}
