/* SPDX-License-Identifier: Apache-2.0 */
/* store.c - the cluster view: one table per kind (a chained hash keyed by
 * namespace\0name, and a dense array for listing), each carrying the hooks (indexes)
 * that follow its objects, so a kind built aside is swapped in by exchanging one
 * pointer. Objects are pruned on entry; the kinds held by the thousand are kept
 * packed (packed.h) and decoded for the thread that reads them. No I/O; locking is
 * the caller's business through mg_store_rdlock/wrlock. Exchanges, hooks and filters
 * are in store_swap.c. */
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np */
#include "store.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "packed.h"
#include "prune.h"
#include "store_int.h"
#include "view_indexes.h"

/* What this thread decoded from compact kinds: freed at its next unlock. */
struct decoded {
    void **ptrs;
    bool *is_json;
    size_t n, cap;
};
static _Thread_local struct decoded tl_decoded;

static uint64_t fnv(uint64_t h, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static uint64_t key_hash(const char *ns, const char *name)
{
    uint64_t h = 1469598103934665603ULL;

    h = fnv(h, ns, strlen(ns) + 1);
    return fnv(h, name, strlen(name) + 1);
}

static bool key_eq(const struct entry *e, const char *ns, const char *name)
{
    size_t lns = strlen(ns) + 1;

    return memcmp(e->key, ns, lns) == 0 && strcmp(e->key + lns, name) == 0;
}

static void kind_free(struct kind *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->nhooks; i++)
        if (k->hooks[i].h->free)
            k->hooks[i].h->free(k->hooks[i].ctx);
    for (size_t i = 0; i < k->n; i++) {
        cJSON_Delete(k->ents[i]->obj);
        free(k->ents[i]);
    }
    free(k->hooks);
    free(k->buckets);
    free(k->ents);
    free(k->items);
    free(k->dict);
    free(k->name);
    free(k);
}

/* Writers first: every write section is short (one event, or one exchange), and with
 * glibc's default a steady stream of reviews would keep a watch event or a swap
 * waiting for ever. No reader takes the lock twice, as this kind requires. */
static int init_lock(pthread_rwlock_t *lock)
{
    pthread_rwlockattr_t a;
    int rc;

    if (pthread_rwlockattr_init(&a) != 0)
        return -1;
    pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    rc = pthread_rwlock_init(lock, &a);
    pthread_rwlockattr_destroy(&a);
    return rc;
}

struct mg_store *mg_store_new(void)
{
    struct mg_store *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    if (init_lock(&s->lock) != 0) {
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

void mg_store_release(void)
{
    struct decoded *d = &tl_decoded;

    for (size_t i = 0; i < d->n; i++) {
        if (d->is_json[i])
            cJSON_Delete(d->ptrs[i]);
        else
            free(d->ptrs[i]);
    }
    free(d->ptrs);
    free(d->is_json);
    memset(d, 0, sizeof(*d));
}

void mg_store_free(struct mg_store *s)
{
    if (!s)
        return;
    mg_store_release();
    for (size_t i = 0; i < s->nany; i++)
        if (s->any[i].h->free)
            s->any[i].h->free(s->any[i].ctx);
    free(s->any);
    for (size_t i = 0; i < s->nkinds; i++)
        kind_free(s->kinds[i]);
    free(s->kinds);
    pthread_rwlock_destroy(&s->lock);
    free(s);
}

/* Kinds are few (a dozen or two), so a linear scan beats hashing them. */
struct kind *st_kind_find(const struct mg_store *s, const char *name)
{
    for (size_t i = 0; i < s->nkinds; i++)
        if (strcmp(s->kinds[i]->name, name) == 0)
            return s->kinds[i];
    return NULL;
}

struct kind *st_kind_get(struct mg_store *s, const char *name)
{
    struct kind *k = st_kind_find(s, name);

    if (k)
        return k;
    if (s->nkinds == s->capkinds) {
        size_t cap = s->capkinds ? s->capkinds * 2 : 16;
        struct kind **nk = realloc(s->kinds, cap * sizeof(*nk));

        if (!nk)
            return NULL;
        s->kinds = nk;
        s->capkinds = cap;
    }
    k = calloc(1, sizeof(*k));
    if (!k || !(k->name = strdup(name))) {
        free(k);
        return NULL;
    }
    k->compact = mg_prune_compact_kind(name);
    s->kinds[s->nkinds++] = k;
    return k;
}

static int remember(void *p, bool is_json)
{
    struct decoded *d = &tl_decoded;

    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        void **ptrs = realloc(d->ptrs, cap * sizeof(*ptrs));
        bool *js;

        if (!ptrs)
            return -1;
        d->ptrs = ptrs;
        js = realloc(d->is_json, cap * sizeof(*js));
        if (!js)
            return -1;
        d->is_json = js;
        d->cap = cap;
    }
    d->ptrs[d->n] = p;
    d->is_json[d->n++] = is_json;
    return 0;
}

/* The tree of a compact entry, owned by the caller (cJSON_Delete), or NULL. */
cJSON *st_decode(const struct kind *k, const struct entry *e)
{
    return mg_packed_parse(k->dict, k->dlen, e->key + e->keylen, e->plen, e->textlen);
}

/* The object of e for a reader: borrowed until this thread's next unlock. */
static const cJSON *entry_obj(const struct kind *k, const struct entry *e)
{
    cJSON *obj;

    if (e->obj)
        return e->obj;
    obj = st_decode(k, e);
    if (obj && remember(obj, true) != 0) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

static int kind_append(struct kind *k, struct entry *e)
{
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 16;
        struct entry **ents = realloc(k->ents, cap * sizeof(*ents));

        if (!ents)
            return -1;
        k->ents = ents;
        if (!k->compact) {
            const cJSON **items = realloc(k->items, cap * sizeof(*items));

            if (!items)
                return -1;
            k->items = items;
        }
        k->cap = cap;
    }
    e->pos = k->n;
    k->ents[k->n] = e;
    if (!k->compact)
        k->items[k->n] = e->obj;
    k->n++;
    return 0;
}

static void grow_buckets(struct kind *k)
{
    size_t n = k->nbuckets ? k->nbuckets * 2 : 64;
    struct entry **b = calloc(n, sizeof(*b));

    if (!b)
        return; /* longer chains, still correct */
    for (size_t i = 0; i < k->nbuckets; i++) {
        struct entry *e = k->buckets[i], *next;

        for (; e; e = next) {
            next = e->next;
            e->next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    }
    free(k->buckets);
    k->buckets = b;
    k->nbuckets = n;
}

static struct entry **slot_of(const struct kind *k, const char *ns, const char *name, uint64_t h)
{
    struct entry **pp;

    if (!k->nbuckets)
        return NULL;
    for (pp = &k->buckets[h & (k->nbuckets - 1)]; *pp; pp = &(*pp)->next)
        if ((*pp)->hash == h && key_eq(*pp, ns, name))
            return pp;
    return NULL;
}

/* obj's text packed against k's dictionary (the first text of k becomes it):
 * *packed (caller frees) of *plen bytes, *tlen the text's length. */
static int pack(struct kind *k, const cJSON *obj, char **packed, size_t *plen, size_t *tlen)
{
    char *text = cJSON_PrintUnformatted(obj), *out = NULL;
    size_t cap;
    int rc = MG_ENOMEM;

    if (!text)
        return MG_ENOMEM;
    *tlen = strlen(text);
    cap = mg_packed_bound(*tlen);
    if (*tlen > UINT32_MAX || cap > UINT32_MAX || !(out = malloc(cap)))
        goto out;
    if (!k->dict) {
        k->dict = text;
        k->dlen = *tlen;
        text = NULL;
    }
    rc = mg_packed_pack(k->dict, k->dlen, text ? text : k->dict, *tlen, out, cap, plen);
    if (rc)
        goto out;
    *packed = out;
    out = NULL;
out:
    free(out);
    free(text);
    return rc;
}

/* A new entry for ns/name holding obj (a tree kind) or obj packed. */
static struct entry *entry_new(struct kind *k, const char *ns, const char *name, uint64_t h,
                               cJSON *obj)
{
    size_t ln = strlen(ns) + 1, lm = strlen(name) + 1, lp = 0, lt = 0;
    char *packed = NULL;
    struct entry *e;

    if (k->compact && pack(k, obj, &packed, &lp, &lt) != 0)
        return NULL;
    if (ln + lm > UINT32_MAX || !(e = malloc(sizeof(*e) + ln + lm + lp))) {
        free(packed);
        return NULL;
    }
    memset(e, 0, sizeof(*e));
    memcpy(e->key, ns, ln);
    memcpy(e->key + ln, name, lm);
    e->keylen = (uint32_t)(ln + lm);
    e->hash = h;
    if (packed) {
        memcpy(e->key + ln + lm, packed, lp);
        e->textlen = (uint32_t)lt;
        e->plen = (uint32_t)lp;
        free(packed);
    } else {
        e->obj = obj;
    }
    return e;
}

void st_notify_put(const struct mg_store *s, const struct kind *k, const cJSON *obj,
                   const cJSON *old)
{
    for (size_t i = 0; i < k->nhooks; i++)
        if (k->hooks[i].h->put)
            (void)k->hooks[i].h->put(k->hooks[i].ctx, obj, old);
    for (size_t i = 0; i < s->nany; i++)
        if (s->any[i].h->put)
            (void)s->any[i].h->put(s->any[i].ctx, obj, old);
}

void st_notify_remove(const struct mg_store *s, const struct kind *k, const cJSON *obj)
{
    for (size_t i = 0; i < k->nhooks; i++)
        if (k->hooks[i].h->remove)
            k->hooks[i].h->remove(k->hooks[i].ctx, obj);
    for (size_t i = 0; i < s->nany; i++)
        if (s->any[i].h->remove)
            s->any[i].h->remove(s->any[i].ctx, obj);
}

static bool has_hooks(const struct mg_store *s, const struct kind *k)
{
    return k->nhooks > 0 || s->nany > 0;
}

/* Kinds of the view that live outside namespaces: a stray metadata.namespace on one of
 * them must not make a second object of the same name (the API server ignores it). */
static bool cluster_scoped(const char *kind)
{
    static const char *const kinds[] = {"Namespace",
                                        "Node",
                                        "StorageClass",
                                        "StorageProfile",
                                        "MigrationPolicy",
                                        "PersistentVolume",
                                        "VirtualMachineClusterInstancetype"};

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

/* Replace the entry at *pp (same key) by e, in the chain and in the array. */
static void entry_swap_in(struct kind *k, struct entry **pp, struct entry *e)
{
    struct entry *old = *pp;

    e->next = old->next;
    e->pos = old->pos;
    *pp = e;
    k->ents[e->pos] = e;
    if (!k->compact)
        k->items[e->pos] = e->obj;
}

int mg_store_put(struct mg_store *s, cJSON *obj, struct mg_err *err)
{
    const char *kind = NULL, *ns = NULL, *name = NULL;
    struct entry *e = NULL, **pp;
    struct kind *k;
    uint64_t h;
    int rc = identify(obj, &kind, &ns, &name, err);

    if (rc || !mg_store_wants(s, kind, NULL))
        goto out;
    k = st_kind_get(s, kind);
    if (!k)
        goto oom;
    mg_prune(obj, kind);
    h = key_hash(ns, name);
    e = entry_new(k, ns, name, h, obj);
    if (!e)
        goto oom;
    if (!k->compact)
        obj = NULL; /* the entry owns it now */
    pp = slot_of(k, ns, name, h);
    if (pp) {
        struct entry *prev = *pp;
        cJSON *old = NULL;

        entry_swap_in(k, pp, e);
        k->known = true;
        s->version++;
        if (has_hooks(s, k)) {
            old = prev->obj ? prev->obj : st_decode(k, prev);
            st_notify_put(s, k, e->obj ? e->obj : obj, old);
            if (!prev->obj)
                cJSON_Delete(old);
        }
        cJSON_Delete(prev->obj);
        free(prev);
        goto out;
    }
    if (kind_append(k, e) != 0)
        goto oom;
    k->known = true;
    if (k->n > k->nbuckets)
        grow_buckets(k);
    e->next = k->buckets[h & (k->nbuckets - 1)];
    k->buckets[h & (k->nbuckets - 1)] = e;
    s->count++;
    s->version++;
    st_notify_put(s, k, e->obj ? e->obj : obj, NULL);
    goto out;
oom:
    if (e) {
        if (!k->compact)
            obj = e->obj;
        free(e);
    }
    rc = mg_err_set(err, MG_ENOMEM, "out of memory storing %.100s %.200s", kind, name);
out:
    cJSON_Delete(obj);
    return rc;
}

int mg_store_put_arena(struct mg_store *s, cJSON *obj, struct mg_err *err)
{
    const char *kind = mg_json_str(obj, "kind");
    cJSON *copy;

    int rc;

    if (kind && mg_prune_compact_kind(kind))
        return mg_store_put(s, obj, err);
    copy = cJSON_Duplicate(obj, true);
    rc = copy ? 0
              : mg_err_set(err, MG_ENOMEM, "out of memory copying %.100s %.200s",
                           kind ? kind : "an object", mg_json_name_or(obj, ""));
    /* The arena's nodes go with the arena; what was added to the tree since it closed
     * (kubeapply_prepare's kind and apiVersion) was malloc'd and goes now. */
    cJSON_Delete(obj);
    return rc ? rc : mg_store_put(s, copy, err);
}

int mg_store_remove(struct mg_store *s, const char *kind, const char *ns, const char *name)
{
    struct kind *k = kind ? st_kind_find(s, kind) : NULL;
    struct entry **pp, *e, *last;

    if (!k || !name)
        return MG_ENOTFOUND;
    ns = cluster_scoped(kind) || !ns ? "" : ns;
    pp = slot_of(k, ns, name, key_hash(ns, name));
    if (!pp)
        return MG_ENOTFOUND;
    e = *pp;
    *pp = e->next;
    if (has_hooks(s, k)) {
        cJSON *obj = e->obj ? e->obj : st_decode(k, e);

        if (obj)
            st_notify_remove(s, k, obj);
        if (!e->obj)
            cJSON_Delete(obj);
    }
    /* The last entry takes the freed place: O(1), the order of the rest is kept. */
    last = k->ents[--k->n];
    last->pos = e->pos;
    k->ents[e->pos] = last;
    if (!k->compact)
        k->items[e->pos] = last->obj;
    s->count--;
    s->version++;
    cJSON_Delete(e->obj);
    free(e);
    return 0;
}

const cJSON *mg_store_get(const struct mg_store *s, const char *kind, const char *ns,
                          const char *name)
{
    const struct kind *k = s && kind ? st_kind_find(s, kind) : NULL;
    struct entry **pp;

    if (!k || !name)
        return NULL;
    if (!ns || cluster_scoped(kind))
        ns = "";
    pp = slot_of(k, ns, name, key_hash(ns, name));
    return pp ? entry_obj(k, *pp) : NULL;
}

size_t mg_store_list(const struct mg_store *s, const char *kind, const cJSON *const **items)
{
    const struct kind *k = s && kind ? st_kind_find(s, kind) : NULL;
    const cJSON **all;

    *items = NULL;
    if (!k || k->n == 0)
        return 0;
    if (!k->compact) {
        *items = k->items;
        return k->n;
    }
    /* Every object decoded at once: for tests and small views; walks use
     * mg_store_each. */
    all = malloc(k->n * sizeof(*all));
    if (!all || remember(all, false) != 0) {
        free(all);
        return 0;
    }
    for (size_t i = 0; i < k->n; i++)
        if (!(all[i] = entry_obj(k, k->ents[i])))
            return 0;
    *items = all;
    return k->n;
}

int mg_store_each_range(const struct mg_store *s, const char *kind, size_t from, size_t count,
                        int (*fn)(void *ctx, const cJSON *obj), void *ctx)
{
    const struct kind *k = s && kind ? st_kind_find(s, kind) : NULL;
    int rc = 0;

    for (size_t i = from; k && i < k->n && i - from < count && rc == 0; i++) {
        const struct entry *e = k->ents[i];
        cJSON *obj = e->obj ? NULL : st_decode(k, e);

        if (!e->obj && !obj)
            return MG_ENOMEM;
        rc = fn(ctx, e->obj ? e->obj : obj);
        cJSON_Delete(obj);
    }
    return rc;
}

bool mg_store_key_at(const struct mg_store *s, const char *kind, size_t i, const char **ns,
                     const char **name)
{
    const struct kind *k = s && kind ? st_kind_find(s, kind) : NULL;

    if (!k || i >= k->n)
        return false;
    *ns = k->ents[i]->key;
    *name = k->ents[i]->key + strlen(k->ents[i]->key) + 1;
    return true;
}

int mg_store_each(const struct mg_store *s, const char *kind,
                  int (*fn)(void *ctx, const cJSON *obj), void *ctx)
{
    return mg_store_each_range(s, kind, 0, SIZE_MAX, fn, ctx);
}

size_t mg_store_count(const struct mg_store *s, const char *kind)
{
    const struct kind *k = s && kind ? st_kind_find(s, kind) : NULL;

    return k ? k->n : 0;
}

bool mg_store_knows(const struct mg_store *s, const char *kind)
{
    const struct kind *k = s && kind ? st_kind_find(s, kind) : NULL;

    return k && (k->known || k->n > 0);
}

int mg_store_mark_known(struct mg_store *s, const char *kind)
{
    struct kind *k = st_kind_get(s, kind);

    if (!k)
        return MG_ENOMEM;
    k->known = true;
    return 0;
}

uint64_t mg_store_version(const struct mg_store *s)
{
    return s ? s->version : 0;
}

size_t mg_store_size(const struct mg_store *s)
{
    return s ? s->count : 0;
}

void mg_store_rdlock(struct mg_store *s)
{
    pthread_rwlock_rdlock(&s->lock);
}

void mg_store_wrlock(struct mg_store *s)
{
    pthread_rwlock_wrlock(&s->lock);
}

/* Tries at 20 us, then twice as far apart up to 1 ms, for 50 ms in all: some 55
 * wake-ups while reviews keep the lock busy, where a try every 20 us woke this thread
 * 2,500 times, each taking a core from a review. */
void mg_store_wrlock_polite(struct mg_store *s)
{
    long nap_ns = 20000, waited_ns = 0;

    while (waited_ns < 50000000) {
        struct timespec nap = {0, nap_ns};

        if (pthread_rwlock_trywrlock(&s->lock) == 0)
            return;
        nanosleep(&nap, NULL);
        waited_ns += nap_ns;
        if (nap_ns < 1000000)
            nap_ns *= 2;
    }
    pthread_rwlock_wrlock(&s->lock);
}

void mg_store_unlock(struct mg_store *s)
{
    pthread_rwlock_unlock(&s->lock);
    if (tl_decoded.n)
        mg_store_release();
}
