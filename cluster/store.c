/* SPDX-License-Identifier: Apache-2.0 */
/* store.c - the cluster view: a chained hash table keyed by kind\0namespace\0name,
 * plus one insertion-ordered array per kind for listing. Replacing an object keeps
 * its place in the list; removing one closes the gap. No I/O; locking is the
 * caller's business through mg_store_rdlock/wrlock. */
#include "store.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "view_indexes.h"

struct entry {
    struct entry *next; /* hash chain */
    uint64_t hash;
    char *key; /* kind\0ns\0name\0 */
    size_t keylen;
    cJSON *obj;
    struct kind *kind;
    size_t pos; /* index in kind->items */
};

struct kind {
    char *name;
    bool known;
    const cJSON **items;
    struct entry **ents;
    size_t n, cap;
};

struct hook {
    const struct mg_store_hook *h;
    void *ctx;
};

struct mg_store {
    pthread_rwlock_t lock;
    struct hook *hooks;
    size_t nhooks;
    struct entry **buckets;
    size_t nbuckets; /* power of two */
    size_t count;
    struct kind *kinds;
    size_t nkinds, capkinds;
};

static uint64_t fnv(uint64_t h, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* The three parts with their NULs, hashed as the stored key is laid out. */
static uint64_t key_hash(const char *kind, const char *ns, const char *name)
{
    uint64_t h = 1469598103934665603ULL;

    h = fnv(h, kind, strlen(kind) + 1);
    h = fnv(h, ns, strlen(ns) + 1);
    return fnv(h, name, strlen(name) + 1);
}

static bool key_eq(const struct entry *e, const char *kind, const char *ns, const char *name)
{
    const char *k = e->key;

    if (strcmp(k, kind) != 0)
        return false;
    k += strlen(k) + 1;
    if (strcmp(k, ns) != 0)
        return false;
    k += strlen(k) + 1;
    return strcmp(k, name) == 0;
}

struct mg_store *mg_store_new(void)
{
    struct mg_store *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    s->nbuckets = 256;
    s->buckets = calloc(s->nbuckets, sizeof(*s->buckets));
    if (!s->buckets || pthread_rwlock_init(&s->lock, NULL) != 0) {
        free(s->buckets);
        free(s);
        return NULL;
    }
    /* Every view carries its indexes (view_indexes.h). */
    if (mg_view_indexes_attach(s) != 0) {
        mg_store_free(s);
        return NULL;
    }
    return s;
}

void mg_store_free(struct mg_store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nhooks; i++)
        if (s->hooks[i].h->free)
            s->hooks[i].h->free(s->hooks[i].ctx);
    free(s->hooks);
    for (size_t i = 0; i < s->nbuckets; i++) {
        struct entry *e = s->buckets[i], *next;

        for (; e; e = next) {
            next = e->next;
            cJSON_Delete(e->obj);
            free(e->key);
            free(e);
        }
    }
    for (size_t i = 0; i < s->nkinds; i++) {
        free(s->kinds[i].name);
        free(s->kinds[i].items);
        free(s->kinds[i].ents);
    }
    free(s->kinds);
    free(s->buckets);
    pthread_rwlock_destroy(&s->lock);
    free(s);
}

/* Kinds are few (a dozen or two), so a linear scan beats hashing them. */
static struct kind *kind_find(const struct mg_store *s, const char *name)
{
    for (size_t i = 0; i < s->nkinds; i++)
        if (strcmp(s->kinds[i].name, name) == 0)
            return &s->kinds[i];
    return NULL;
}

static struct kind *kind_get(struct mg_store *s, const char *name)
{
    struct kind *k = kind_find(s, name);

    if (k)
        return k;
    if (s->nkinds == s->capkinds) {
        size_t cap = s->capkinds ? s->capkinds * 2 : 16;
        struct kind *nk = realloc(s->kinds, cap * sizeof(*nk));

        if (!nk)
            return NULL;
        /* Entries point at their kind: re-aim them after the move. */
        for (size_t i = 0; i < s->nkinds; i++)
            for (size_t j = 0; j < nk[i].n; j++)
                nk[i].ents[j]->kind = &nk[i];
        s->kinds = nk;
        s->capkinds = cap;
    }
    k = &s->kinds[s->nkinds];
    memset(k, 0, sizeof(*k));
    k->name = strdup(name);
    if (!k->name)
        return NULL;
    s->nkinds++;
    return k;
}

static int kind_append(struct kind *k, struct entry *e)
{
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 16;
        const cJSON **items = realloc(k->items, cap * sizeof(*items));
        struct entry **ents;

        if (!items)
            return -1;
        k->items = items;
        ents = realloc(k->ents, cap * sizeof(*ents));
        if (!ents)
            return -1;
        k->ents = ents;
        k->cap = cap;
    }
    e->kind = k;
    e->pos = k->n;
    k->items[k->n] = e->obj;
    k->ents[k->n] = e;
    k->n++;
    return 0;
}

static void grow_buckets(struct mg_store *s)
{
    size_t n = s->nbuckets * 2;
    struct entry **b = calloc(n, sizeof(*b));

    if (!b)
        return; /* longer chains, still correct */
    for (size_t i = 0; i < s->nbuckets; i++) {
        struct entry *e = s->buckets[i], *next;

        for (; e; e = next) {
            next = e->next;
            e->next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    }
    free(s->buckets);
    s->buckets = b;
    s->nbuckets = n;
}

static struct entry *lookup(const struct mg_store *s, const char *kind, const char *ns,
                            const char *name, uint64_t h)
{
    struct entry *e = s->buckets[h & (s->nbuckets - 1)];

    for (; e; e = e->next)
        if (e->hash == h && key_eq(e, kind, ns, name))
            return e;
    return NULL;
}

static struct entry *entry_new(const char *kind, const char *ns, const char *name, uint64_t h)
{
    size_t lk = strlen(kind) + 1, ln = strlen(ns) + 1, lm = strlen(name) + 1;
    struct entry *e = calloc(1, sizeof(*e));

    if (!e || !(e->key = malloc(lk + ln + lm))) {
        free(e);
        return NULL;
    }
    memcpy(e->key, kind, lk);
    memcpy(e->key + lk, ns, ln);
    memcpy(e->key + lk + ln, name, lm);
    e->keylen = lk + ln + lm;
    e->hash = h;
    return e;
}

static void notify_put(const struct mg_store *s, const char *kind, const cJSON *obj,
                       const cJSON *old)
{
    for (size_t i = 0; i < s->nhooks; i++) {
        const struct mg_store_hook *h = s->hooks[i].h;

        if (h->put && (!h->kind || strcmp(h->kind, kind) == 0))
            (void)h->put(s->hooks[i].ctx, obj, old);
    }
}

static void notify_remove(const struct mg_store *s, const char *kind, const cJSON *obj)
{
    for (size_t i = 0; i < s->nhooks; i++) {
        const struct mg_store_hook *h = s->hooks[i].h;

        if (h->remove && (!h->kind || strcmp(h->kind, kind) == 0))
            h->remove(s->hooks[i].ctx, obj);
    }
}

/* Kinds of the view that live outside namespaces: a stray metadata.namespace on one of
 * them must not make a second object of the same name (the API server ignores it). */
static bool cluster_scoped(const char *kind)
{
    static const char *const kinds[] = {"Namespace",       "Node",
                                        "StorageClass",    "StorageProfile",
                                        "MigrationPolicy", "PersistentVolume"};

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcmp(kinds[i], kind) == 0)
            return true;
    }
    return false;
}

static int identify(const cJSON *obj, const char **kind, const char **ns, const char **name,
                    struct mg_err *err)
{
    const cJSON *k = mg_json_get(obj, "kind");
    const cJSON *md = mg_json_get(obj, "metadata");
    const cJSON *n = mg_json_get(md, "name");
    const cJSON *s = mg_json_get(md, "namespace");

    if (!cJSON_IsString(k) || !k->valuestring[0])
        return mg_err_set(err, MG_EINVAL, "object has no kind");
    if (!cJSON_IsObject(md) || !cJSON_IsString(n) || !n->valuestring[0])
        return mg_err_set(err, MG_EINVAL, "object has no metadata.name (kind %.100s)",
                          k->valuestring);
    if (s && !cJSON_IsNull(s) && !cJSON_IsString(s))
        return mg_err_set(err, MG_EINVAL, "%.100s %.200s: metadata.namespace is not a string",
                          k->valuestring, n->valuestring);
    *kind = k->valuestring;
    *name = n->valuestring;
    *ns = cJSON_IsString(s) && !cluster_scoped(*kind) ? s->valuestring : "";
    return 0;
}

int mg_store_put(struct mg_store *s, cJSON *obj, struct mg_err *err)
{
    const char *kind = NULL, *ns = NULL, *name = NULL;
    struct entry *e;
    struct kind *k;
    uint64_t h;
    int rc = identify(obj, &kind, &ns, &name, err);

    if (rc)
        goto out;
    h = key_hash(kind, ns, name);
    e = lookup(s, kind, ns, name, h);
    if (e) {
        cJSON *prev = e->obj;

        e->obj = obj;
        e->kind->items[e->pos] = obj;
        e->kind->known = true;
        notify_put(s, e->kind->name, obj, prev);
        cJSON_Delete(prev);
        return 0;
    }
    k = kind_get(s, kind);
    e = k ? entry_new(kind, ns, name, h) : NULL;
    if (!e) {
        rc = mg_err_set(err, MG_ENOMEM, "out of memory storing %.100s %.200s", kind, name);
        goto out;
    }
    e->obj = obj;
    if (kind_append(k, e) != 0) {
        free(e->key);
        free(e);
        rc = mg_err_set(err, MG_ENOMEM, "out of memory storing %.100s %.200s", kind, name);
        goto out;
    }
    k->known = true;
    e->next = s->buckets[h & (s->nbuckets - 1)];
    s->buckets[h & (s->nbuckets - 1)] = e;
    if (++s->count > s->nbuckets)
        grow_buckets(s);
    notify_put(s, k->name, obj, NULL);
    return 0;
out:
    cJSON_Delete(obj);
    return rc;
}

int mg_store_remove(struct mg_store *s, const char *kind, const char *ns, const char *name)
{
    struct entry **pp, *e;
    struct kind *k;
    uint64_t h;

    ns = cluster_scoped(kind) ? "" : ns;
    h = key_hash(kind, ns ? ns : "", name);
    pp = &s->buckets[h & (s->nbuckets - 1)];
    for (; (e = *pp); pp = &e->next)
        if (e->hash == h && key_eq(e, kind, ns ? ns : "", name))
            break;
    if (!e)
        return MG_ENOTFOUND;
    *pp = e->next;
    k = e->kind;
    notify_remove(s, k->name, e->obj);
    memmove(&k->items[e->pos], &k->items[e->pos + 1], (k->n - e->pos - 1) * sizeof(*k->items));
    memmove(&k->ents[e->pos], &k->ents[e->pos + 1], (k->n - e->pos - 1) * sizeof(*k->ents));
    k->n--;
    for (size_t i = e->pos; i < k->n; i++)
        k->ents[i]->pos = i;
    s->count--;
    cJSON_Delete(e->obj);
    free(e->key);
    free(e);
    return 0;
}

/* Tell dst's hooks about every object of dst, as removed (put false) or put. */
static void notify_all(const struct mg_store *s, bool put)
{
    for (size_t i = 0; i < s->nkinds; i++) {
        const struct kind *k = &s->kinds[i];

        for (size_t j = 0; j < k->n; j++) {
            if (put)
                notify_put(s, k->name, k->items[j], NULL);
            else
                notify_remove(s, k->name, k->items[j]);
        }
    }
}

/* Exchange the tables of a and b; locks and hooks stay where they are. The entries
 * point at their kind inside the kinds array, which moves with it. */
static void swap_tables(struct mg_store *a, struct mg_store *b)
{
    struct entry **buckets = a->buckets;
    size_t nbuckets = a->nbuckets, count = a->count;
    struct kind *kinds = a->kinds;
    size_t nkinds = a->nkinds, capkinds = a->capkinds;

    a->buckets = b->buckets;
    a->nbuckets = b->nbuckets;
    a->count = b->count;
    a->kinds = b->kinds;
    a->nkinds = b->nkinds;
    a->capkinds = b->capkinds;
    b->buckets = buckets;
    b->nbuckets = nbuckets;
    b->count = count;
    b->kinds = kinds;
    b->nkinds = nkinds;
    b->capkinds = capkinds;
}

int mg_store_replace_all(struct mg_store *dst, struct mg_store *src)
{
    if (!src || src == dst)
        return MG_EINVAL;
    notify_all(dst, false);
    /* Swap the tables, not the objects: nothing to allocate, so no failure half way. */
    swap_tables(dst, src);
    notify_all(dst, true);
    /* src now holds the old objects; its own hooks (its policy index) go with it. */
    mg_store_free(src);
    return 0;
}

const cJSON *mg_store_get(const struct mg_store *s, const char *kind, const char *ns,
                          const char *name)
{
    const struct entry *e;

    if (!s || !kind || !name)
        return NULL;
    if (!ns || cluster_scoped(kind))
        ns = "";
    e = lookup(s, kind, ns, name, key_hash(kind, ns, name));
    return e ? e->obj : NULL;
}

size_t mg_store_list(const struct mg_store *s, const char *kind, const cJSON *const **items)
{
    const struct kind *k = s && kind ? kind_find(s, kind) : NULL;

    *items = k ? k->items : NULL;
    return k ? k->n : 0;
}

bool mg_store_knows(const struct mg_store *s, const char *kind)
{
    const struct kind *k = s && kind ? kind_find(s, kind) : NULL;

    return k && (k->known || k->n > 0);
}

int mg_store_mark_known(struct mg_store *s, const char *kind)
{
    struct kind *k = kind_get(s, kind);

    if (!k)
        return MG_ENOMEM;
    k->known = true;
    return 0;
}

size_t mg_store_size(const struct mg_store *s)
{
    return s ? s->count : 0;
}

int mg_store_on_change(struct mg_store *s, const struct mg_store_hook *hook, void *ctx)
{
    struct hook *hs;

    if (mg_store_hook_ctx(s, hook) || !hook)
        return MG_EINVAL;
    hs = realloc(s->hooks, (s->nhooks + 1) * sizeof(*hs));
    if (!hs)
        return MG_ENOMEM;
    s->hooks = hs;
    s->hooks[s->nhooks].h = hook;
    s->hooks[s->nhooks].ctx = ctx;
    s->nhooks++;
    return 0;
}

void *mg_store_hook_ctx(const struct mg_store *s, const struct mg_store_hook *hook)
{
    for (size_t i = 0; s && i < s->nhooks; i++)
        if (s->hooks[i].h == hook)
            return s->hooks[i].ctx;
    return NULL;
}

void mg_store_rdlock(struct mg_store *s)
{
    pthread_rwlock_rdlock(&s->lock);
}

void mg_store_wrlock(struct mg_store *s)
{
    pthread_rwlock_wrlock(&s->lock);
}

void mg_store_unlock(struct mg_store *s)
{
    pthread_rwlock_unlock(&s->lock);
}
