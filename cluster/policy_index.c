/* SPDX-License-Identifier: Apache-2.0 */
/* policy_index.c - the MigrationPolicy index: one open-addressing hash table of
 * postings (string key -> array of policy slots), kept current by a store hook on
 * every put, replace and remove. A posting goes as soon as its last policy does, so
 * create/delete churn of distinct policies leaves nothing behind. An allocation
 * failure marks the index stale and readers fall back to a scan: slower, never wrong. */
#include "policy_index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idtab.h"
#include "json.h"

struct post {
    char *key; /* NULL: a free slot */
    size_t len;
    uint64_t hash;
    uint32_t *ids;
    uint32_t *tot; /* total selector labels of ids[i]: resolution reads no policy */
    uint32_t n, cap;
};

struct mg_policy_index {
    struct px_pol *pols;
    uint32_t npols, cappols;
    uint32_t *freeids;
    uint32_t nfree, capfree;
    struct mg_idslots posts; /* struct post */
    struct mg_idtab table;   /* key hash -> post id */
    uint32_t live_posts, live_pols;
    bool stale;
};

#define POST(x, id) (((struct post *)(x)->posts.v)[id])

#define KEYBUF 512

/* kind, NUL, key[, NUL, value]: into buf when it fits, else a malloc'd buffer. */
static char *make_key(char *buf, char kind, const char *k, const char *v, size_t *len)
{
    size_t lk = k ? strlen(k) : 0, lv = v ? strlen(v) : 0;
    size_t need = 2 + lk + (v ? 1 + lv : 0);
    char *out = need <= KEYBUF ? buf : malloc(need);

    if (!out)
        return NULL;
    out[0] = kind;
    out[1] = '\0';
    if (lk)
        memcpy(out + 2, k, lk);
    if (v) {
        out[2 + lk] = '\0';
        if (lv)
            memcpy(out + 3 + lk, v, lv);
    }
    *len = need;
    return out;
}

struct probe {
    const char *key;
    size_t len;
};

static bool post_eq(const void *ctx, uint32_t id, const void *key)
{
    const struct post *p = &POST((const struct mg_policy_index *)ctx, id);
    const struct probe *k = key;

    return p->len == k->len && memcmp(p->key, k->key, k->len) == 0;
}

static uint32_t lookup(const struct mg_policy_index *x, const char *key, size_t len, uint64_t h)
{
    struct probe k = {key, len};

    return mg_idtab_find(&x->table, h, post_eq, x, &k);
}

static int grow(void **arr, uint32_t *cap, size_t elem)
{
    uint32_t ncap = *cap ? *cap * 2 : 8;
    void *n = realloc(*arr, (size_t)ncap * elem);

    if (!n)
        return MG_ENOMEM;
    *arr = n;
    *cap = ncap;
    return 0;
}

/* The id of the posting for key, created empty when absent; PX_NONE when out of memory. */
static uint32_t posting_get(struct mg_policy_index *x, const char *key, size_t len)
{
    uint64_t h = mg_idtab_hash(key, len);
    uint32_t id = lookup(x, key, len, h);
    struct post *p;

    if (id != PX_NONE)
        return id;
    if ((id = mg_idtab_take(&x->posts, sizeof(*p))) == MG_IDTAB_NONE)
        return PX_NONE;
    p = &POST(x, id);
    memset(p, 0, sizeof(*p));
    if (!(p->key = malloc(len)) || mg_idtab_add(&x->table, h, id)) {
        free(p->key);
        p->key = NULL;
        mg_idtab_give(&x->posts, id);
        return PX_NONE;
    }
    memcpy(p->key, key, len);
    p->len = len;
    p->hash = h;
    x->live_posts++;
    return id;
}

/* The last policy left posting id: it goes, key and all. */
static void posting_free(struct mg_policy_index *x, uint32_t id)
{
    struct post *p = &POST(x, id);

    mg_idtab_del(&x->table, p->hash, id);
    free(p->key);
    free(p->ids);
    free(p->tot);
    memset(p, 0, sizeof(*p));
    mg_idtab_give(&x->posts, id);
    x->live_posts--;
}

static int posting_add(struct mg_policy_index *x, uint32_t id, char kind, const char *k,
                       const char *v)
{
    char buf[KEYBUF];
    size_t len;
    char *key = make_key(buf, kind, k, v, &len);
    struct px_pol *pol = &x->pols[id];
    uint32_t pid;
    struct post *p;
    int rc = MG_ENOMEM;

    if (!key)
        return MG_ENOMEM;
    pid = posting_get(x, key, len);
    if (pid == PX_NONE)
        goto out;
    p = &POST(x, pid);
    if (p->n == p->cap) {
        uint32_t cap = p->cap, *tot = realloc(p->tot, (size_t)(cap ? cap * 2 : 8) * sizeof(*tot));

        if (!tot)
            goto drop_empty;
        p->tot = tot;
        if (grow((void **)&p->ids, &p->cap, sizeof(*p->ids)))
            goto drop_empty;
    }
    if (pol->nposts == pol->capposts &&
        grow((void **)&pol->posts, &pol->capposts, sizeof(*pol->posts)))
        goto drop_empty;
    p->tot[p->n] = pol->nns + pol->nvm;
    p->ids[p->n++] = id;
    pol->posts[pol->nposts++] = pid;
    rc = 0;
    goto out;
drop_empty:
    if (!p->n)
        posting_free(x, pid);
out:
    if (key != buf)
        free(key);
    return rc;
}

static int add_side(struct mg_policy_index *x, uint32_t id, const cJSON *map, char kv, char kk)
{
    const cJSON *it;
    int rc = 0;

    cJSON_ArrayForEach (it, map) {
        if (!px_first(map, it))
            continue;
        rc = posting_add(x, id, kv, it->string, it->valuestring);
        if (!rc)
            rc = posting_add(x, id, kk, it->string, NULL);
        if (rc)
            break;
    }
    return rc;
}

static uint32_t slot_new(struct mg_policy_index *x)
{
    if (x->nfree)
        return x->freeids[--x->nfree];
    if (x->npols == x->cappols && grow((void **)&x->pols, &x->cappols, sizeof(*x->pols)))
        return PX_NONE;
    return x->npols++;
}

static int add(struct mg_policy_index *x, const cJSON *obj, const char *name)
{
    uint32_t id = slot_new(x);
    struct px_pol *p;
    size_t nns, nvm;
    char total[24];
    int rc;

    if (id == PX_NONE)
        return MG_ENOMEM;
    p = &x->pols[id];
    memset(p, 0, sizeof(*p));
    p->obj = obj;
    p->live = true;
    x->live_pols++;
    mg_policy_fields_read(obj, &p->fields);
    if (!(p->name = strdup(name)))
        return MG_ENOMEM;
    rc = posting_add(x, id, PX_NAME, name, NULL);
    /* Malformed selectors never match (as in KubeVirt): indexed by name only. */
    if (rc || !mg_policy_selectors(obj, &nns, &nvm))
        return rc;
    p->nns = (uint32_t)nns;
    p->nvm = (uint32_t)nvm;
    rc = add_side(x, id, px_selector(obj, false), PX_NS_KV, PX_NS_KEY);
    if (!rc)
        rc = add_side(x, id, px_selector(obj, true), PX_VM_KV, PX_VM_KEY);
    snprintf(total, sizeof(total), "%zu", nns + nvm);
    if (!rc)
        rc = posting_add(x, id, PX_TOTAL, total, NULL);
    return rc;
}

static void drop(struct mg_policy_index *x, uint32_t id)
{
    struct px_pol *p = &x->pols[id];

    for (uint32_t i = 0; i < p->nposts; i++) {
        struct post *post = &POST(x, p->posts[i]);

        for (uint32_t j = 0; j < post->n; j++) {
            if (post->ids[j] == id) {
                post->n--;
                post->ids[j] = post->ids[post->n];
                post->tot[j] = post->tot[post->n];
                break;
            }
        }
        if (!post->n)
            posting_free(x, p->posts[i]);
    }
    free(p->name);
    free(p->posts);
    memset(p, 0, sizeof(*p));
    x->live_pols--;
    /* The free list never outgrows the slot array, so this cannot fail once sized. */
    if (x->nfree == x->capfree && grow((void **)&x->freeids, &x->capfree, sizeof(uint32_t)))
        return;
    x->freeids[x->nfree++] = id;
}

static int hook_put(void *ctx, const cJSON *obj, const cJSON *old)
{
    struct mg_policy_index *x = ctx;
    const char *name = mg_json_name(obj);
    uint32_t id;

    (void)old;
    if (!name || x->stale)
        return 0;
    id = px_find(x, name);
    if (id != PX_NONE)
        drop(x, id);
    if (add(x, obj, name) != 0) {
        x->stale = true;
        return MG_ENOMEM;
    }
    return 0;
}

static void hook_remove(void *ctx, const cJSON *obj)
{
    struct mg_policy_index *x = ctx;
    const char *name = mg_json_name(obj);
    uint32_t id = name && !x->stale ? px_find(x, name) : PX_NONE;

    if (id != PX_NONE)
        drop(x, id);
}

static void hook_free(void *ctx)
{
    struct mg_policy_index *x = ctx;

    if (!x)
        return;
    for (uint32_t i = 0; i < x->npols; i++) {
        free(x->pols[i].name);
        free(x->pols[i].posts);
    }
    for (uint32_t i = 0; i < x->posts.n; i++) {
        free(POST(x, i).key);
        free(POST(x, i).ids);
        free(POST(x, i).tot);
    }
    free(x->pols);
    free(x->freeids);
    mg_idtab_slots_free(&x->posts);
    mg_idtab_free(&x->table);
    free(x);
}

static const struct mg_store_hook policy_hook = {
    "MigrationPolicy",
    hook_put,
    hook_remove,
    hook_free,
};

int mg_policy_index_attach(struct mg_store *s)
{
    struct mg_policy_index *x = calloc(1, sizeof(*x));
    const cJSON *const *items;
    size_t n;
    int rc;

    if (!x)
        return MG_ENOMEM;
    rc = mg_store_on_change(s, &policy_hook, x);
    if (rc) {
        hook_free(x);
        return rc;
    }
    /* Policies already in the store enter the index too. */
    n = mg_store_list(s, "MigrationPolicy", &items);
    for (size_t i = 0; i < n; i++)
        hook_put(x, items[i], NULL);
    return 0;
}

const struct mg_policy_index *px_of(const struct mg_store *s)
{
    const struct mg_policy_index *x = mg_store_hook_ctx(s, &policy_hook);

    return x && !x->stale ? x : NULL;
}

const uint32_t *px_posting_totals(const struct mg_policy_index *x, char kind, const char *key,
                                  const char *value, uint32_t *n, const uint32_t **totals)
{
    char buf[KEYBUF];
    size_t len;
    char *k = make_key(buf, kind, key, value, &len);
    uint32_t id = k ? lookup(x, k, len, mg_idtab_hash(k, len)) : PX_NONE;

    if (k != buf)
        free(k);
    *n = id == PX_NONE ? 0 : POST(x, id).n;
    if (totals)
        *totals = id == PX_NONE ? NULL : POST(x, id).tot;
    return id == PX_NONE ? NULL : POST(x, id).ids;
}

const uint32_t *px_posting(const struct mg_policy_index *x, char kind, const char *key,
                           const char *value, uint32_t *n)
{
    return px_posting_totals(x, kind, key, value, n, NULL);
}

const uint32_t *px_empty(const struct mg_policy_index *x, uint32_t *n)
{
    return px_posting(x, PX_TOTAL, "0", NULL, n);
}

const struct px_pol *px_pol(const struct mg_policy_index *x, uint32_t id)
{
    return &x->pols[id];
}

uint32_t px_find(const struct mg_policy_index *x, const char *name)
{
    uint32_t n;
    const uint32_t *ids = px_posting(x, PX_NAME, name, NULL, &n);

    return n ? ids[0] : PX_NONE;
}

bool mg_policy_index_stats(const struct mg_store *s, struct mg_policy_index_stats *st)
{
    const struct mg_policy_index *x = px_of(s);

    memset(st, 0, sizeof(*st));
    if (!x)
        return false;
    st->policies = x->live_pols;
    st->postings = x->live_posts;
    st->slots = x->npols;
    st->posting_slots = x->posts.n;
    st->buckets = x->table.cap;
    return true;
}
