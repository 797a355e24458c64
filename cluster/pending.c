/* SPDX-License-Identifier: Apache-2.0 */
/* pending.c - admitted objects that count only until a deadline unless the watch
 * confirms them: entries (what the view held before, what the admission put) in a hash
 * on (kind, name) and a min-heap on deadline, so every change is O(1) or O(log n) however
 * many are pending, and a ticker (ticker.h) that wakes at the earliest deadline to
 * restore the "before" of each expired entry. Both tables shrink as entries leave. */
#include "pending.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "idtab.h"
#include "ticker.h"

/* Smallest table sizes; when nothing is pending both are freed. */
#define MIN_SLOTS 16u
/* With nothing pending the expiry ticker still looks once a minute (a safety net). */
#define IDLE_MS 60000u
/* Out of memory restoring: try again after this, not in a loop. */
#define RETRY_MS 100

struct entry {
    char *kind, *name;
    uint64_t hash;
    cJSON *before; /* what the view held before the first pending change; NULL: absent */
    cJSON *after;  /* what the admissions put; NULL: removed */
    int64_t deadline;
    size_t slot;         /* index in the heap */
    struct entry *chain; /* next in the hash bucket */
    struct entry *retry; /* mg_pending_expire's list of entries it could not restore */
};

struct mg_pending {
    struct mg_store *store;
    pthread_mutex_t mu;      /* everything below */
    struct mg_ticker *timer; /* started by the first apply */
    bool stop;
    struct entry **bucket; /* nbucket (a power of two, or 0) chains */
    size_t nbucket;
    struct entry **heap; /* n entries, heap[0] the earliest deadline */
    size_t n, cap;
};

int64_t mg_pending_now_ms(void)
{
    return mg_ticker_now_ms();
}

struct timespec mg_pending_ts(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

    return ts;
}

struct mg_pending *mg_pending_new(struct mg_store *store)
{
    struct mg_pending *p = calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    p->store = store;
    pthread_mutex_init(&p->mu, NULL);
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

/* The key's hash: kinds are few, so the name's hash does the spreading. */
static uint64_t hash_of(const char *kind, const char *name)
{
    return mg_idtab_hash(name, strlen(name)) ^
           mg_idtab_hash(kind, strlen(kind)) * 0x9e3779b97f4a7c15ull;
}

static struct entry **chain_of(const struct mg_pending *p, uint64_t hash)
{
    return &p->bucket[hash & (p->nbucket - 1)];
}

static struct entry *find(const struct mg_pending *p, const char *kind, const char *name,
                          uint64_t hash)
{
    if (!p->nbucket)
        return NULL;
    for (struct entry *e = *chain_of(p, hash); e; e = e->chain)
        if (e->hash == hash && strcmp(e->name, name) == 0 && strcmp(e->kind, kind) == 0)
            return e;
    return NULL;
}

/* Rehash into n buckets; false (the table unchanged) when out of memory. */
static bool rehash(struct mg_pending *p, size_t n)
{
    struct entry **b = calloc(n, sizeof(*b));

    if (!b)
        return false;
    for (size_t i = 0; i < p->nbucket; i++) {
        for (struct entry *e = p->bucket[i], *next; e; e = next) {
            next = e->chain;
            e->chain = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    }
    free(p->bucket);
    p->bucket = b;
    p->nbucket = n;
    return true;
}

/* Room for one more entry in both tables; false when out of memory. */
static bool reserve(struct mg_pending *p)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : MIN_SLOTS;
        struct entry **h = realloc(p->heap, cap * sizeof(*h));

        if (!h)
            return false;
        p->heap = h;
        p->cap = cap;
    }
    /* A failed growth only makes the chains longer; a missing table is an error. */
    if (p->n + 1 > p->nbucket)
        (void)rehash(p, p->nbucket ? 2 * p->nbucket : MIN_SLOTS);
    return p->nbucket > 0;
}

/* After removals: give back what a quarter-full table does not need. */
static void shrink(struct mg_pending *p)
{
    if (p->n == 0) {
        free(p->heap);
        free(p->bucket);
        p->heap = p->bucket = NULL;
        p->cap = p->nbucket = 0;
        return;
    }
    if (p->cap > MIN_SLOTS && p->n < p->cap / 4) {
        struct entry **h = realloc(p->heap, p->cap / 2 * sizeof(*h));

        if (h) {
            p->heap = h;
            p->cap /= 2;
        }
    }
    if (p->nbucket > MIN_SLOTS && p->n < p->nbucket / 4)
        (void)rehash(p, p->nbucket / 2);
}

static void heap_set(struct mg_pending *p, size_t i, struct entry *e)
{
    p->heap[i] = e;
    e->slot = i;
}

static void sift_up(struct mg_pending *p, size_t i)
{
    struct entry *e = p->heap[i];

    while (i > 0 && p->heap[(i - 1) / 2]->deadline > e->deadline) {
        heap_set(p, i, p->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(p, i, e);
}

static void sift_down(struct mg_pending *p, size_t i)
{
    struct entry *e = p->heap[i];

    for (;;) {
        size_t c = 2 * i + 1;

        if (c >= p->n)
            break;
        if (c + 1 < p->n && p->heap[c + 1]->deadline < p->heap[c]->deadline)
            c++;
        if (p->heap[c]->deadline >= e->deadline)
            break;
        heap_set(p, i, p->heap[c]);
        i = c;
    }
    heap_set(p, i, e);
}

/* Into both tables; reserve() made the room. */
static void link_entry(struct mg_pending *p, struct entry *e)
{
    struct entry **c = chain_of(p, e->hash);

    e->chain = *c;
    *c = e;
    heap_set(p, p->n++, e);
    sift_up(p, e->slot);
}

static void heap_remove(struct mg_pending *p, struct entry *e)
{
    size_t i = e->slot;
    struct entry *last = p->heap[--p->n];

    if (last == e)
        return;
    heap_set(p, i, last);
    if (i > 0 && p->heap[(i - 1) / 2]->deadline > last->deadline)
        sift_up(p, i);
    else
        sift_down(p, i);
}

/* Out of both tables and freed. */
static void drop(struct mg_pending *p, struct entry *e)
{
    struct entry **at = chain_of(p, e->hash);

    while (*at != e)
        at = &(*at)->chain;
    *at = e->chain;
    heap_remove(p, e);
    entry_free(e);
}

static void drop_all(struct mg_pending *p)
{
    for (size_t i = 0; i < p->n; i++)
        entry_free(p->heap[i]);
    p->n = 0;
    shrink(p);
}

void mg_pending_free(struct mg_pending *p)
{
    struct mg_ticker *timer;

    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    timer = p->timer;
    p->timer = NULL;
    pthread_mutex_unlock(&p->mu);
    mg_ticker_stop(timer);
    drop_all(p);
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

/* A copy of the view's kind/name, or NULL when absent; *ok false when out of memory. */
static cJSON *copy_of(struct mg_store *s, const char *kind, const char *name, bool *ok)
{
    const cJSON *cur = mg_store_get(s, kind, "", name);
    cJSON *copy = cur ? cJSON_Duplicate(cur, 1) : NULL;

    *ok = !cur || copy;
    return copy;
}

/* The earliest deadline, INT64_MAX when nothing is pending. Caller holds mu. */
static int64_t earliest(const struct mg_pending *p)
{
    return p->n ? p->heap[0]->deadline : INT64_MAX;
}

/* The timer's call: restore what expired under the store's write lock, taken with mu
 * released (lock order: store, then pending), then sleep until the next deadline. */
static void expiry_tick(void *arg)
{
    struct mg_pending *p = arg;
    size_t restored = 0;
    int64_t next, now = mg_pending_now_ms();

    pthread_mutex_lock(&p->mu);
    next = earliest(p);
    pthread_mutex_unlock(&p->mu);
    if (next <= now) {
        mg_store_wrlock(p->store);
        restored = mg_pending_expire(p, mg_pending_now_ms());
        mg_store_unlock(p->store);
    }
    pthread_mutex_lock(&p->mu);
    next = earliest(p);
    /* Nothing restored though something is due: out of memory, so do not spin. */
    if (next <= mg_pending_now_ms() && restored == 0)
        next = mg_pending_now_ms() + RETRY_MS;
    if (next != INT64_MAX)
        mg_ticker_wake_at(p->timer, next);
    pthread_mutex_unlock(&p->mu);
}

/* A new entry for kind/name (view's current object as "before"), or NULL when out of
 * memory. Caller holds mu and reserved room. */
static struct entry *entry_new(struct mg_pending *p, const char *kind, const char *name,
                               uint64_t hash)
{
    struct entry *e = calloc(1, sizeof(*e));
    bool ok = false;

    if (!e || !(e->kind = strdup(kind)) || !(e->name = strdup(name)))
        goto out;
    e->hash = hash;
    e->before = copy_of(p->store, kind, name, &ok);
out:
    if (!ok) {
        entry_free(e);
        e = NULL;
    }
    return e;
}

int mg_pending_apply(struct mg_pending *p, const char *kind, const char *name, const cJSON *obj,
                     int64_t deadline_ms)
{
    struct entry *e, *fresh = NULL;
    cJSON *after = obj ? cJSON_Duplicate(obj, 1) : NULL;
    uint64_t hash = hash_of(kind, name);
    int rc = MG_ENOMEM;

    pthread_mutex_lock(&p->mu);
    if (obj && !after)
        goto out;
    if (!(e = find(p, kind, name, hash))) {
        if (!reserve(p) || !(fresh = entry_new(p, kind, name, hash)))
            goto out;
        e = fresh;
    }
    if ((rc = set_view(p->store, kind, name, obj)) != 0)
        goto out;
    cJSON_Delete(e->after);
    e->after = after;
    after = NULL;
    if (fresh) {
        fresh->deadline = deadline_ms > 0 ? deadline_ms : 0;
        link_entry(p, fresh);
        fresh = NULL;
        if (!p->timer && !p->stop)
            p->timer = mg_ticker_start_at(earliest(p), IDLE_MS, expiry_tick, p);
        else
            mg_ticker_wake_at(p->timer, e->deadline);
    } else if (deadline_ms > e->deadline) {
        /* Later only: the timer, armed for the old deadline or sooner, finds this. */
        e->deadline = deadline_ms;
        sift_down(p, e->slot);
    }
out:
    pthread_mutex_unlock(&p->mu);
    entry_free(fresh);
    cJSON_Delete(after);
    return rc;
}

void mg_pending_confirm(struct mg_pending *p, const char *kind, const char *name)
{
    struct entry *e;

    pthread_mutex_lock(&p->mu);
    if (p->n && (e = find(p, kind, name, hash_of(kind, name))) != NULL) {
        drop(p, e);
        shrink(p);
    }
    pthread_mutex_unlock(&p->mu);
}

void mg_pending_relisted(struct mg_pending *p, const char *kind)
{
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->n; i++) {
        struct entry *e = p->heap[i];
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
    struct entry *e, *retry = NULL;
    size_t n = 0;

    pthread_mutex_lock(&p->mu);
    while (p->n && (e = p->heap[0])->deadline <= now_ms) {
        /* Out of memory restoring: try again at the next wake-up. */
        if (set_view(p->store, e->kind, e->name, e->before) != 0) {
            heap_remove(p, e);
            e->retry = retry;
            retry = e;
            continue;
        }
        drop(p, e);
        n++;
    }
    for (; retry; retry = e->retry) {
        e = retry;
        heap_set(p, p->n++, e);
        sift_up(p, e->slot);
    }
    shrink(p);
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
