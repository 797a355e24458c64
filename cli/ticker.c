/* SPDX-License-Identifier: Apache-2.0 */
/* ticker.c - mg_ticker: one thread, a monotonic deadline per period, a condition variable
 * so that a stop never waits for the rest of a period. */
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
    pthread_mutex_t mu; /* stop */
    pthread_cond_t cv;
    bool stop;
};

static void *run(void *arg)
{
    struct mg_ticker *t = arg;
    struct timespec until;

    for (;;) {
        t->fn(t->ctx);
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += t->period_ms / 1000;
        until.tv_nsec += (long)(t->period_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&t->mu);
        while (!t->stop && pthread_cond_timedwait(&t->cv, &t->mu, &until) == 0)
            ;
        if (t->stop) {
            pthread_mutex_unlock(&t->mu);
            return NULL;
        }
        pthread_mutex_unlock(&t->mu);
    }
}

struct mg_ticker *mg_ticker_start(unsigned period_ms, void (*fn)(void *ctx), void *ctx)
{
    struct mg_ticker *t = calloc(1, sizeof(*t));
    pthread_condattr_t ca;

    if (!t)
        return NULL;
    t->period_ms = period_ms < 10 ? 10 : period_ms;
    t->fn = fn;
    t->ctx = ctx;
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

void mg_ticker_stop(struct mg_ticker *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    t->stop = true;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    free(t);
}
