/* SPDX-License-Identifier: Apache-2.0 */
/* workload_index.c - the VMs, or the VMIs, of a view by label and namespace (one index
 * per kind: each moves with its kind's objects; VMIs that a VirtualMachine owns by
 * ownerReference are left out, as MP012 counts them through their VM). Strings are interned with
 * reference counts; a workload is its namespace, name and (key, value) id pairs; postings are (key,
 * value) -> workload ids and (namespace) -> ids, each workload remembering its place in each
 * posting so a remove is O(labels). Emptied postings and unreferenced strings are freed at once. An
 * allocation failure marks the index stale for good; readers then walk the view instead. */
#include "workload_index.h"

#include <stdlib.h>
#include <string.h>

#include "idtab.h"
#include "json.h"
#include "policy.h"
#include "policy_index.h"

#define NONE MG_IDTAB_NONE

struct lab {
    uint32_t k, v;     /* string ids */
    uint32_t post, at; /* the posting and the place in it */
};

struct wl {
    struct lab *labs;
    uint32_t nlabs;
    uint32_t ns, name; /* string ids */
    uint32_t post, at; /* the namespace posting and the place in it */
    uint64_t hash;
    bool ownref;
};

struct post {
    uint32_t a, b; /* key and value ids; a NONE: the workloads of namespace b */
    uint64_t hash;
    /* cap 0: at most one id, held in one (most label values are a single VM's: its
     * name in kubevirt.io/domain and vm.kubevirt.io/name); else ids. */
    union {
        uint32_t *ids;
        uint32_t one;
    } u;
    uint32_t n, cap;
    uint32_t nsat; /* place in nslist (namespace postings) */
};

struct mg_workload_index {
    struct mg_idstrs strs;
    struct mg_idslots wls, posts;
    struct mg_idtab twl, tpost;
    uint32_t *nslist; /* the namespace postings */
    uint32_t nns, capns;
    size_t live_wls, live_posts, post_ids;
    bool vmi; /* the VirtualMachineInstance index; else the VirtualMachine one */
    bool stale;
};

#define WL(x, id) (((struct wl *)(x)->wls.v)[id])
#define IDS(p) ((p)->cap ? (p)->u.ids : &(p)->u.one)
#define POST(x, id) (((struct post *)(x)->posts.v)[id])

static uint64_t hash2(uint32_t a, uint32_t b)
{
    uint32_t k[2] = {a, b};

    return mg_idtab_hash(k, sizeof(k));
}

static bool post_eq(const void *ctx, uint32_t id, const void *key)
{
    const struct mg_workload_index *x = ctx;
    const uint32_t *ab = key;

    return POST(x, id).a == ab[0] && POST(x, id).b == ab[1];
}

static uint32_t post_find(const struct mg_workload_index *x, uint32_t a, uint32_t b)
{
    uint32_t ab[2] = {a, b};

    return mg_idtab_find(&x->tpost, hash2(a, b), post_eq, x, ab);
}

/* The posting (a, b), created empty when absent; NONE when out of memory. */
static uint32_t post_get(struct mg_workload_index *x, uint32_t a, uint32_t b)
{
    uint32_t id = post_find(x, a, b);
    struct post *p;

    if (id != NONE)
        return id;
    if (a == NONE && x->nns == x->capns) {
        uint32_t cap = x->capns ? x->capns * 2 : 64, *l = realloc(x->nslist, cap * sizeof(*l));

        if (!l)
            return NONE;
        x->nslist = l;
        x->capns = cap;
    }
    if ((id = mg_idtab_take(&x->posts, sizeof(struct post))) == NONE)
        return NONE;
    p = &POST(x, id);
    memset(p, 0, sizeof(*p));
    p->a = a;
    p->b = b;
    p->hash = hash2(a, b);
    if (mg_idtab_add(&x->tpost, p->hash, id)) {
        mg_idtab_give(&x->posts, id);
        return NONE;
    }
    if (a == NONE) {
        p->nsat = x->nns;
        x->nslist[x->nns++] = id;
    }
    x->live_posts++;
    return id;
}

/* Append workload w to posting pid; *at gets its place. */
static int post_add(struct mg_workload_index *x, uint32_t pid, uint32_t w, uint32_t *at)
{
    struct post *p = &POST(x, pid);

    if (p->n == 0 && p->cap == 0) {
        p->u.one = w;
        *at = p->n++;
        return 0;
    }
    if (p->n >= p->cap) {
        uint32_t cap = p->cap ? p->cap * 2 : 4;
        uint32_t *ids = realloc(p->cap ? p->u.ids : NULL, cap * sizeof(*ids));

        if (!ids)
            return MG_ENOMEM;
        if (!p->cap)
            ids[0] = p->u.one;
        x->post_ids += cap - p->cap;
        p->u.ids = ids;
        p->cap = cap;
    }
    *at = p->n;
    p->u.ids[p->n++] = w;
    return 0;
}

/* Where workload w records its place in posting pid. */
static uint32_t *place_of(struct mg_workload_index *x, uint32_t w, uint32_t pid)
{
    struct wl *r = &WL(x, w);

    if (r->post == pid)
        return &r->at;
    for (uint32_t i = 0; i < r->nlabs; i++)
        if (r->labs[i].post == pid)
            return &r->labs[i].at;
    return NULL;
}

static void post_free(struct mg_workload_index *x, uint32_t pid)
{
    struct post *p = &POST(x, pid);

    mg_idtab_del(&x->tpost, p->hash, pid);
    if (p->a == NONE) {
        uint32_t last = x->nslist[--x->nns];

        x->nslist[p->nsat] = last;
        POST(x, last).nsat = p->nsat;
    }
    x->post_ids -= p->cap;
    if (p->cap)
        free(p->u.ids);
    memset(p, 0, sizeof(*p));
    mg_idtab_give(&x->posts, pid);
    x->live_posts--;
}

/* Take the entry at place at out of posting pid; free the posting when it empties. */
static void post_del(struct mg_workload_index *x, uint32_t pid, uint32_t at)
{
    struct post *p = &POST(x, pid);
    uint32_t moved;

    if (--p->n == 0) {
        post_free(x, pid);
        return;
    }
    moved = IDS(p)[p->n];
    if (at != p->n) {
        IDS(p)[at] = moved;
        *place_of(x, moved, pid) = at;
    }
    if (p->cap > 8 && p->n * 4 < p->cap) {
        uint32_t *ids = realloc(p->u.ids, (p->cap / 2) * sizeof(*ids));

        if (ids) {
            x->post_ids -= p->cap / 2;
            p->u.ids = ids;
            p->cap /= 2;
        }
    }
}

static bool wl_eq(const void *ctx, uint32_t id, const void *key)
{
    const struct mg_workload_index *x = ctx;
    const uint32_t *k = key;

    return WL(x, id).ns == k[0] && WL(x, id).name == k[1];
}

static uint32_t wl_find(const struct mg_workload_index *x, const char *ns, const char *name)
{
    uint32_t k[2] = {mg_idtab_lookup(&x->strs, ns), mg_idtab_lookup(&x->strs, name)};

    if (k[0] == NONE || k[1] == NONE)
        return NONE;
    return mg_idtab_find(&x->twl, hash2(k[0], k[1]), wl_eq, x, k);
}

/* Undo wl_add, also of a half-built record. */
static void wl_drop(struct mg_workload_index *x, uint32_t id)
{
    struct wl *r = &WL(x, id);

    for (uint32_t i = 0; i < r->nlabs; i++) {
        if (r->labs[i].post != NONE)
            post_del(x, r->labs[i].post, r->labs[i].at);
        mg_idtab_release(&x->strs, r->labs[i].k);
        mg_idtab_release(&x->strs, r->labs[i].v);
    }
    if (r->post != NONE) {
        mg_idtab_del(&x->twl, r->hash, id);
        post_del(x, r->post, r->at);
        x->live_wls--;
    }
    mg_idtab_release(&x->strs, r->ns);
    mg_idtab_release(&x->strs, r->name);
    free(r->labs);
    memset(r, 0, sizeof(*r));
    mg_idtab_give(&x->wls, id);
}

/* The distinct string labels (first value of a repeated key), as lookups see them. */
static int wl_labels(struct mg_workload_index *x, uint32_t id, const cJSON *labels)
{
    struct wl *r = &WL(x, id);
    const cJSON *it;
    uint32_t n = 0;

    cJSON_ArrayForEach (it, labels)
        n += it->string && cJSON_IsString(it) && mg_json_get(labels, it->string) == it;
    if (n && !(r->labs = malloc(n * sizeof(*r->labs))))
        return MG_ENOMEM;
    cJSON_ArrayForEach (it, labels) {
        struct lab *l;

        if (!it->string || !cJSON_IsString(it) || mg_json_get(labels, it->string) != it)
            continue;
        l = &r->labs[r->nlabs++];
        l->post = NONE;
        l->k = mg_idtab_intern(&x->strs, it->string);
        l->v = mg_idtab_intern(&x->strs, it->valuestring);
        if (l->k == NONE || l->v == NONE || (l->post = post_get(x, l->k, l->v)) == NONE)
            return MG_ENOMEM;
        if (post_add(x, l->post, id, &l->at)) {
            if (!POST(x, l->post).n)
                post_free(x, l->post);
            l->post = NONE;
            return MG_ENOMEM;
        }
    }
    return 0;
}

/* An ownerReference of kind VirtualMachine, as MP012 has always read it. */
static bool has_vm_owner(const cJSON *obj)
{
    const cJSON *r;

    cJSON_ArrayForEach (r, mg_json_get(mg_json_get(obj, "metadata"), "ownerReferences")) {
        const cJSON *kind = mg_json_get(r, "kind");

        if (cJSON_IsString(kind) && strcmp(kind->valuestring, "VirtualMachine") == 0)
            return true;
    }
    return false;
}

static int wl_add(struct mg_workload_index *x, const cJSON *obj, const char *ns, const char *name)
{
    uint32_t id = mg_idtab_take(&x->wls, sizeof(struct wl));
    struct wl *r;
    int rc = MG_ENOMEM;

    if (id == NONE)
        return MG_ENOMEM;
    r = &WL(x, id);
    memset(r, 0, sizeof(*r));
    r->post = NONE;
    r->ownref = x->vmi && has_vm_owner(obj);
    r->ns = mg_idtab_intern(&x->strs, ns);
    r->name = mg_idtab_intern(&x->strs, name);
    if (r->ns == NONE || r->name == NONE || wl_labels(x, id, mg_policy_workload_labels(obj)))
        goto out;
    r = &WL(x, id);
    r->hash = hash2(r->ns, r->name);
    if ((r->post = post_get(x, NONE, r->ns)) == NONE)
        goto out;
    if (post_add(x, r->post, id, &r->at)) {
        if (!POST(x, r->post).n)
            post_free(x, r->post);
        r->post = NONE;
        goto out;
    }
    if (mg_idtab_add(&x->twl, r->hash, id)) {
        post_del(x, r->post, r->at);
        r->post = NONE;
        goto out;
    }
    x->live_wls++;
    rc = 0;
out:
    if (rc)
        wl_drop(x, id);
    return rc;
}

static const char *obj_ns(const cJSON *obj)
{
    const char *ns = mg_json_str(mg_json_get(obj, "metadata"), "namespace");

    return ns ? ns : "";
}

static int hook_put(void *ctx, const cJSON *obj, const cJSON *old)
{
    struct mg_workload_index *x = ctx;
    const char *name = mg_json_name(obj);
    uint32_t id;

    (void)old;
    if (!name || x->stale)
        return 0;
    id = wl_find(x, obj_ns(obj), name);
    if (id != NONE)
        wl_drop(x, id);
    /* A VMI a VirtualMachine owns is counted through its VM (RULES.md 9.7): it needs no
     * place here, which halves the index in a cluster of VMs. */
    if (x->vmi && has_vm_owner(obj))
        return 0;
    if (wl_add(x, obj, obj_ns(obj), name)) {
        x->stale = true;
        return MG_ENOMEM;
    }
    return 0;
}

static void hook_remove(void *ctx, const cJSON *obj)
{
    struct mg_workload_index *x = ctx;
    const char *name = mg_json_name(obj);
    uint32_t id = name && !x->stale ? wl_find(x, obj_ns(obj), name) : NONE;

    if (id != NONE)
        wl_drop(x, id);
}

static void index_free(void *ctx)
{
    struct mg_workload_index *x = ctx;

    if (!x)
        return;
    for (uint32_t i = 0; i < x->wls.n; i++)
        free(WL(x, i).labs);
    for (uint32_t i = 0; i < x->posts.n; i++)
        if (POST(x, i).cap)
            free(POST(x, i).u.ids);
    mg_idtab_strs_free(&x->strs);
    mg_idtab_slots_free(&x->wls);
    mg_idtab_slots_free(&x->posts);
    mg_idtab_free(&x->twl);
    mg_idtab_free(&x->tpost);
    free(x->nslist);
    free(x);
}

/* One index per kind, so that each can move with its kind's objects. */
static const struct mg_store_hook vm_hook = {"VirtualMachine", hook_put, hook_remove, index_free};
static const struct mg_store_hook vmi_hook = {"VirtualMachineInstance", hook_put, hook_remove,
                                              index_free};

static int attach(struct mg_store *s, bool vmi)
{
    struct mg_workload_index *x = calloc(1, sizeof(*x));
    const struct mg_store_hook *h = vmi ? &vmi_hook : &vm_hook;
    const cJSON *const *items;
    size_t n;
    int rc;

    if (!x)
        return MG_ENOMEM;
    x->vmi = vmi;
    if ((rc = mg_store_on_change(s, h, x)) != 0) {
        index_free(x);
        return rc;
    }
    /* Workloads already in the store enter the index too (mg_store_new's is empty). */
    n = mg_store_list(s, h->kind, &items);
    for (size_t i = 0; i < n; i++)
        hook_put(x, items[i], NULL);
    return 0;
}

int mg_workload_index_attach(struct mg_store *s)
{
    int rc = attach(s, false);

    return rc ? rc : attach(s, true);
}

const struct mg_workload_index *mg_workload_index_of(const struct mg_store *s, bool vmi)
{
    const struct mg_workload_index *x = mg_store_hook_ctx(s, vmi ? &vmi_hook : &vm_hook);

    return x && !x->stale ? x : NULL;
}

/* A small per-query memo of namespaceSelector answers, by namespace string id. */
struct ns_memo {
    uint32_t id[64];
    bool ok[64];
};

/* True when the labels of the Namespace ns in view have every entry of sel, compared
 * as mg_policy_matches compares them. */
static bool ns_matches(const struct mg_workload_index *x, const struct mg_store *view,
                       const cJSON *sel, uint32_t ns, struct ns_memo *memo)
{
    const cJSON *labels, *it;
    uint32_t slot = ns & 63;
    bool ok = true;

    if (!sel || !sel->child)
        return true;
    if (memo->id[slot] == ns + 1)
        return memo->ok[slot];
    labels = mg_policy_namespace_labels(view, mg_idtab_str(&x->strs, ns));
    cJSON_ArrayForEach (it, sel) {
        const cJSON *l = mg_json_get(labels, it->string);

        if (!cJSON_IsString(l) || strcmp(l->valuestring, it->valuestring) != 0) {
            ok = false;
            break;
        }
    }
    memo->id[slot] = ns + 1;
    memo->ok[slot] = ok;
    return ok;
}

static bool has_all(const struct wl *r, const uint32_t (*kv)[2], uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t j = 0;

        while (j < r->nlabs && (r->labs[j].k != kv[i][0] || r->labs[j].v != kv[i][1]))
            j++;
        if (j == r->nlabs)
            return false;
    }
    return true;
}

/* Intersect the postings of vsel's labels, starting from the smallest. */
static int by_labels(const struct mg_workload_index *x, const struct mg_store *view,
                     const cJSON *vsel, const cJSON *nsel, uint32_t **ids, size_t *n)
{
    size_t cnt = (size_t)cJSON_GetArraySize(vsel);
    uint32_t stack[32][2], (*kv)[2] = cnt > 32 ? malloc(cnt * sizeof(*kv)) : stack;
    uint32_t nkv = 0, best = NONE, *out = NULL;
    struct ns_memo memo = {{0}, {0}};
    const struct post *p;
    const cJSON *it;
    int rc = 0;

    if (!kv)
        return MG_ENOMEM;
    cJSON_ArrayForEach (it, vsel) {
        uint32_t k, v, pid;

        if (!px_first(vsel, it))
            continue;
        k = mg_idtab_lookup(&x->strs, it->string);
        v = mg_idtab_lookup(&x->strs, it->valuestring);
        pid = k == NONE || v == NONE ? NONE : post_find(x, k, v);
        /* A label no workload has: nothing can match. */
        if (pid == NONE)
            goto out;
        kv[nkv][0] = k;
        kv[nkv++][1] = v;
        if (best == NONE || POST(x, pid).n < POST(x, best).n)
            best = pid;
    }
    p = &POST(x, best);
    if (!(out = malloc(p->n * sizeof(*out)))) {
        rc = MG_ENOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < p->n; i++) {
        const struct wl *r = &WL(x, IDS(p)[i]);

        if (has_all(r, (const uint32_t(*)[2])kv, nkv) && ns_matches(x, view, nsel, r->ns, &memo))
            out[(*n)++] = IDS(p)[i];
    }
    *ids = out;
    out = NULL;
out:
    free(out);
    if (kv != stack)
        free(kv);
    return rc;
}

/* Every workload of the namespaces nsel matches. */
static int by_namespaces(const struct mg_workload_index *x, const struct mg_store *view,
                         const cJSON *nsel, uint32_t **ids, size_t *n)
{
    bool *ok = malloc(x->nns ? x->nns : 1);
    struct ns_memo memo = {{0}, {0}};
    size_t total = 0, at = 0;
    uint32_t *out = NULL;
    int rc = MG_ENOMEM;

    if (!ok)
        goto out;
    for (uint32_t i = 0; i < x->nns; i++) {
        const struct post *p = &POST(x, x->nslist[i]);

        ok[i] = ns_matches(x, view, nsel, p->b, &memo);
        total += ok[i] ? p->n : 0;
    }
    if (total && !(out = malloc(total * sizeof(*out))))
        goto out;
    for (uint32_t i = 0; i < x->nns; i++) {
        const struct post *p = &POST(x, x->nslist[i]);

        if (ok[i]) {
            memcpy(out + at, IDS(p), p->n * sizeof(*out));
            at += p->n;
        }
    }
    *ids = out;
    *n = total;
    rc = 0;
out:
    free(ok);
    return rc;
}

int mg_workload_index_candidates(const struct mg_workload_index *x, const struct mg_store *view,
                                 const cJSON *policy, uint32_t **ids, size_t *n)
{
    const cJSON *vsel = px_selector(policy, true), *nsel = px_selector(policy, false);

    *ids = NULL;
    *n = 0;
    /* Malformed selectors never match (as in KubeVirt). */
    if (!mg_policy_selectors(policy, NULL, NULL))
        return 0;
    if (vsel && vsel->child)
        return by_labels(x, view, vsel, nsel, ids, n);
    return by_namespaces(x, view, nsel, ids, n);
}

void mg_workload_index_get(const struct mg_workload_index *x, uint32_t id, struct mg_workload *w)
{
    const struct wl *r = &WL(x, id);

    w->vm = !x->vmi;
    w->owned = r->ownref;
    w->ns = mg_idtab_str(&x->strs, r->ns);
    w->name = mg_idtab_str(&x->strs, r->name);
    w->nlabels = r->nlabs;
}

bool mg_workload_index_has(const struct mg_workload_index *x, const char *ns, const char *name)
{
    return wl_find(x, ns, name) != NONE;
}

size_t mg_workload_index_labels(const struct mg_workload_index *x, uint32_t id, const char **kv,
                                size_t cap)
{
    const struct wl *r = &WL(x, id);

    for (uint32_t i = 0; i < r->nlabs && 2 * (size_t)i + 1 < cap; i++) {
        kv[2 * i] = mg_idtab_str(&x->strs, r->labs[i].k);
        kv[2 * i + 1] = mg_idtab_str(&x->strs, r->labs[i].v);
    }
    return r->nlabs;
}

void mg_workload_index_stats(const struct mg_workload_index *x, struct mg_workload_index_stats *st)
{
    st->workloads = x->live_wls;
    st->strings = x->strs.live;
    st->postings = x->live_posts;
    st->namespaces = x->nns;
    st->posting_ids = x->post_ids;
}
