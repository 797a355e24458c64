/* SPDX-License-Identifier: Apache-2.0 */
/* hco_watch.c - log which HyperConverged the migration settings come from when the
 * watched view holds several, once per change (RULES.md 9.3). The look is a read lock
 * over the HyperConverged table only (a handful of objects), so reviews never wait on it. */
#include "hco_watch.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "setup.h"
#include "store.h"

#define NOTE_LEN 1024

struct mg_hco_watch {
    struct mg_engine *engine;
    unsigned period_ms;
    void (*line)(void *ctx, const char *text);
    void *ctx;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    char last[NOTE_LEN];
};

static void look(struct mg_hco_watch *w)
{
    struct mg_store *s = mg_engine_store(w->engine);
    char note[NOTE_LEN];

    mg_store_rdlock(s);
    mg_setup_hco_note(s, note, sizeof(note));
    mg_store_unlock(s);
    if (strcmp(note, w->last) == 0)
        return;
    if (*note)
        w->line(w->ctx, note);
    else
        w->line(w->ctx, "one HyperConverged again: the migration settings come from it "
                        "(RULES.md 9.3)");
    memcpy(w->last, note, sizeof(note));
}

static void *run(void *arg)
{
    struct mg_hco_watch *w = arg;
    struct timespec until;

    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        pthread_mutex_unlock(&w->mu);
        look(w);
        pthread_mutex_lock(&w->mu);
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += w->period_ms / 1000;
        until.tv_nsec += (long)(w->period_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!w->stop && pthread_cond_timedwait(&w->cv, &w->mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

struct mg_hco_watch *mg_hco_watch_start(struct mg_engine *engine, unsigned period_ms,
                                        void (*line)(void *ctx, const char *text), void *ctx)
{
    struct mg_hco_watch *w = calloc(1, sizeof(*w));
    pthread_condattr_t ca;

    if (!w)
        return NULL;
    w->engine = engine;
    w->period_ms = period_ms < 10 ? 10 : period_ms;
    w->line = line;
    w->ctx = ctx;
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return NULL;
    }
    return w;
}

void mg_hco_watch_stop(struct mg_hco_watch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}
