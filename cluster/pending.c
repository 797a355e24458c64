/* SPDX-License-Identifier: Apache-2.0 */
/* pending.c - admitted objects that count only until a deadline unless the watch
 * confirms them: a small list of entries (what the view held before, what the
 * admission put) and one thread that restores the "before" of each expired entry.
 * Reviews pay an insert under the write lock they already hold; expiry costs them
 * nothing but that same short lock. */
#include "pending.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct entry {
    char *kind, *name;
    cJSON *before; /* what the view held before the first pending change; NULL: absent */
    cJSON *after;  /* what the admissions put; NULL: removed */
    int64_t deadline;
    struct entry *next;
};

struct mg_pending {
    struct mg_store *store;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool started, stop;
    struct entry *head;
    size_t n;
};

int64_t mg_pending_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct timespec mg_pending_ts(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

    return ts;
}

struct mg_pending *mg_pending_new(struct mg_store *store)
{
    struct mg_pending *p = calloc(1, sizeof(*p));
    pthread_condattr_t ca;

    if (!p)
        return NULL;
    p->store = store;
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cv, &ca);
    pthread_condattr_destroy(&ca);
    return p;
}

static void entry_free(struct entry *e)
{
    if (!e)
        return;
    free(e->kind);
    free(e->name);
    cJSON_Delete(e->before);
    cJSON_Delete(e->after);
    free(e);
}

static void drop_all(struct mg_pending *p)
{
    while (p->head) {
        struct entry *e = p->head;

        p->head = e->next;
        entry_free(e);
    }
    p->n = 0;
}

void mg_pending_free(struct mg_pending *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    if (p->started)
        pthread_join(p->thread, NULL);
    drop_all(p);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

/* Put a copy of obj (NULL: remove kind/name) into the view; 0 or MG_ENOMEM. */
static int set_view(struct mg_store *s, const char *kind, const char *name, const cJSON *obj)
{
    cJSON *copy;

    if (!obj) {
        (void)mg_store_remove(s, kind, "", name);
        return 0;
    }
    if (!(copy = cJSON_Duplicate(obj, 1)))
        return MG_ENOMEM;
    return mg_store_put(s, copy, NULL);
}

static struct entry *find(struct mg_pending *p, const char *kind, const char *name,
                          struct entry ***link)
{
    struct entry **at = &p->head;

    for (; *at; at = &(*at)->next) {
        if (strcmp((*at)->kind, kind) == 0 && strcmp((*at)->name, name) == 0) {
            if (link)
                *link = at;
            return *at;
        }
    }
    return NULL;
}

/* A copy of the view's kind/name, or NULL when absent; *ok false when out of memory. */
static cJSON *copy_of(struct mg_store *s, const char *kind, const char *name, bool *ok)
{
    const cJSON *cur = mg_store_get(s, kind, "", name);
    cJSON *copy = cur ? cJSON_Duplicate(cur, 1) : NULL;

    *ok = !cur || copy;
    return copy;
}

static void *expiry_thread(void *arg);

int mg_pending_apply(struct mg_pending *p, const char *kind, const char *name, const cJSON *obj,
                     int64_t deadline_ms)
{
    struct entry *e, *fresh = NULL;
    cJSON *after = obj ? cJSON_Duplicate(obj, 1) : NULL;
    int rc = MG_ENOMEM;
    bool ok = true;

    pthread_mutex_lock(&p->mu);
    if (obj && !after)
        goto out;
    if (!(e = find(p, kind, name, NULL))) {
        fresh = calloc(1, sizeof(*fresh));
        if (!fresh || !(fresh->kind = strdup(kind)) || !(fresh->name = strdup(name)))
            goto out;
        fresh->before = copy_of(p->store, kind, name, &ok);
        if (!ok)
            goto out;
        e = fresh;
    }
    if ((rc = set_view(p->store, kind, name, obj)) != 0)
        goto out;
    cJSON_Delete(e->after);
    e->after = after;
    after = NULL;
    if (deadline_ms > e->deadline)
        e->deadline = deadline_ms;
    if (fresh) {
        fresh->next = p->head;
        p->head = fresh;
        p->n++;
        fresh = NULL;
    }
    if (!p->started && !p->stop)
        p->started = pthread_create(&p->thread, NULL, expiry_thread, p) == 0;
    pthread_cond_broadcast(&p->cv);
out:
    pthread_mutex_unlock(&p->mu);
    entry_free(fresh);
    cJSON_Delete(after);
    return rc;
}

void mg_pending_confirm(struct mg_pending *p, const char *kind, const char *name)
{
    struct entry **link, *e;

    pthread_mutex_lock(&p->mu);
    if (p->head && (e = find(p, kind, name, &link)) != NULL) {
        *link = e->next;
        p->n--;
        entry_free(e);
    }
    pthread_mutex_unlock(&p->mu);
}

void mg_pending_relisted(struct mg_pending *p, const char *kind)
{
    pthread_mutex_lock(&p->mu);
    for (struct entry *e = p->head; e; e = e->next) {
        bool ok;
        cJSON *before;

        if (strcmp(e->kind, kind) != 0)
            continue;
        before = copy_of(p->store, kind, e->name, &ok);
        /* Out of memory: keep the old "before" rather than lose one. */
        if (ok) {
            cJSON_Delete(e->before);
            e->before = before;
        }
        (void)set_view(p->store, kind, e->name, e->after);
    }
    pthread_mutex_unlock(&p->mu);
}

void mg_pending_clear(struct mg_pending *p)
{
    pthread_mutex_lock(&p->mu);
    drop_all(p);
    pthread_mutex_unlock(&p->mu);
}

size_t mg_pending_expire(struct mg_pending *p, int64_t now_ms)
{
    struct entry **at, *e;
    size_t n = 0;

    pthread_mutex_lock(&p->mu);
    for (at = &p->head; (e = *at) != NULL;) {
        if (e->deadline > now_ms) {
            at = &e->next;
            continue;
        }
        /* Out of memory restoring: try again at the next wake-up. */
        if (set_view(p->store, e->kind, e->name, e->before) != 0) {
            at = &e->next;
            continue;
        }
        *at = e->next;
        p->n--;
        entry_free(e);
        n++;
    }
    pthread_mutex_unlock(&p->mu);
    return n;
}

size_t mg_pending_count(struct mg_pending *p)
{
    size_t n;

    pthread_mutex_lock(&p->mu);
    n = p->n;
    pthread_mutex_unlock(&p->mu);
    return n;
}

/* The earliest deadline, INT64_MAX when nothing is pending. Caller holds mu. */
static int64_t earliest(const struct mg_pending *p)
{
    int64_t t = INT64_MAX;

    for (const struct entry *e = p->head; e; e = e->next)
        if (e->deadline < t)
            t = e->deadline;
    return t;
}

/* Sleeps until the earliest deadline (or a change), then restores under the store's
 * write lock, taken with mu released (lock order: store, then pending). */
static void *expiry_thread(void *arg)
{
    struct mg_pending *p = arg;
    size_t restored;

    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        int64_t t = earliest(p), now = mg_pending_now_ms();

        if (t > now) {
            struct timespec ts = mg_pending_ts(t == INT64_MAX ? now + 60000 : t);

            (void)pthread_cond_timedwait(&p->cv, &p->mu, &ts);
            continue;
        }
        pthread_mutex_unlock(&p->mu);
        mg_store_wrlock(p->store);
        restored = mg_pending_expire(p, mg_pending_now_ms());
        mg_store_unlock(p->store);
        pthread_mutex_lock(&p->mu);
        if (restored == 0 && !p->stop) {
            /* Out of memory restoring: do not spin. */
            struct timespec ts = mg_pending_ts(mg_pending_now_ms() + 100);

            (void)pthread_cond_timedwait(&p->cv, &p->mu, &ts);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}
