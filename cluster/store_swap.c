/* SPDX-License-Identifier: Apache-2.0 */
/* store_swap.c - what moves whole kinds between stores: the hooks (indexes) that travel
 * with a kind's table, mg_store_exchange, and the filters that let a store be filled a
 * kind at a time. No I/O; the caller holds the locks store.h asks for. */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_int.h"

void mg_store_set_filter(struct mg_store *s, const struct mg_store_filter *f)
{
    memset(&s->filter, 0, sizeof(s->filter));
    if (f)
        s->filter = *f;
}

bool mg_store_wants_file(const struct mg_store *s, const char *path)
{
    return !s->filter.want_file || s->filter.want_file(s->filter.ctx, path);
}

bool mg_store_skips(const struct mg_store *s)
{
    return s->filter.want && s->filter.unchecked;
}

bool mg_store_wants(const struct mg_store *s, const char *kind, bool *skip)
{
    bool want = !s->filter.want || s->filter.want(s->filter.ctx, kind);

    if (skip)
        *skip = !want && s->filter.unchecked;
    return want;
}

static const struct hook *hook_in(const struct hook *hs, size_t n, const struct mg_store_hook *h)
{
    for (size_t i = 0; i < n; i++)
        if (hs[i].h == h)
            return &hs[i];
    return NULL;
}

static int hook_add(struct hook **hs, size_t *n, const struct mg_store_hook *h, void *ctx)
{
    struct hook *nh = realloc(*hs, (*n + 1) * sizeof(*nh));

    if (!nh)
        return MG_ENOMEM;
    *hs = nh;
    nh[*n].h = h;
    nh[*n].ctx = ctx;
    (*n)++;
    return 0;
}

int mg_store_on_change(struct mg_store *s, const struct mg_store_hook *hook, void *ctx)
{
    struct kind *k;

    if (!hook || mg_store_hook_ctx(s, hook))
        return MG_EINVAL;
    if (!hook->kind)
        return hook_add(&s->any, &s->nany, hook, ctx);
    k = st_kind_get(s, hook->kind);
    return k ? hook_add(&k->hooks, &k->nhooks, hook, ctx) : MG_ENOMEM;
}

void *mg_store_hook_ctx(const struct mg_store *s, const struct mg_store_hook *hook)
{
    const struct kind *k;
    const struct hook *h;

    if (!s || !hook)
        return NULL;
    if (!hook->kind)
        h = hook_in(s->any, s->nany, hook);
    else
        h = (k = st_kind_find(s, hook->kind)) ? hook_in(k->hooks, k->nhooks, hook) : NULL;
    return h ? h->ctx : NULL;
}

/* A hook that only one side has stays on that side's store: it hears of every object
 * leaving and arriving (O(n), for hooks registered by hand; the indexes every store
 * carries move with the objects in O(1)). */
static void keep_hooks(struct mg_store *s, struct kind *gone, struct kind *came)
{
    for (size_t i = 0; i < gone->nhooks;) {
        struct hook h = gone->hooks[i];

        if (hook_in(came->hooks, came->nhooks, h.h) ||
            hook_add(&came->hooks, &came->nhooks, h.h, h.ctx) != 0) {
            i++;
            continue;
        }
        memmove(&gone->hooks[i], &gone->hooks[i + 1],
                (gone->nhooks - i - 1) * sizeof(gone->hooks[0]));
        gone->nhooks--;
        for (size_t j = 0; j < gone->n; j++) {
            cJSON *obj = gone->ents[j]->obj ? NULL : st_decode(gone, gone->ents[j]);

            if (h.h->remove && (gone->ents[j]->obj || obj))
                h.h->remove(h.ctx, gone->ents[j]->obj ? gone->ents[j]->obj : obj);
            cJSON_Delete(obj);
        }
        for (size_t j = 0; j < came->n; j++) {
            cJSON *obj = came->ents[j]->obj ? NULL : st_decode(came, came->ents[j]);

            if (h.h->put && (came->ents[j]->obj || obj))
                (void)h.h->put(h.ctx, came->ents[j]->obj ? came->ents[j]->obj : obj, NULL);
            cJSON_Delete(obj);
        }
    }
    (void)s;
}

/* Exchange kind name between dst and src; dst's any-kind hooks hear of the change. */
static int exchange_kind(struct mg_store *dst, struct mg_store *src, const char *name)
{
    struct kind *a = st_kind_get(dst, name), *b = st_kind_get(src, name);
    struct mg_store tmp = {0};

    if (!a || !b)
        return MG_ENOMEM;
    for (size_t i = 0; i < dst->nkinds; i++)
        if (dst->kinds[i] == a)
            dst->kinds[i] = b;
    for (size_t i = 0; i < src->nkinds; i++)
        if (src->kinds[i] == b)
            src->kinds[i] = a;
    dst->count = dst->count - a->n + b->n;
    src->count = src->count - b->n + a->n;
    dst->version++;
    src->version++;
    keep_hooks(dst, a, b);
    if (dst->nany > 0) {
        tmp.any = dst->any;
        tmp.nany = dst->nany;
        for (size_t j = 0; j < a->n; j++) {
            cJSON *obj = a->ents[j]->obj ? NULL : st_decode(a, a->ents[j]);

            if (a->ents[j]->obj || obj)
                st_notify_remove(&tmp, &(struct kind){0}, a->ents[j]->obj ? a->ents[j]->obj : obj);
            cJSON_Delete(obj);
        }
        for (size_t j = 0; j < b->n; j++) {
            cJSON *obj = b->ents[j]->obj ? NULL : st_decode(b, b->ents[j]);

            if (b->ents[j]->obj || obj)
                st_notify_put(&tmp, &(struct kind){0}, b->ents[j]->obj ? b->ents[j]->obj : obj,
                              NULL);
            cJSON_Delete(obj);
        }
    }
    return 0;
}

int mg_store_exchange(struct mg_store *dst, struct mg_store *src, const char *kind)
{
    if (!dst || !src || src == dst)
        return MG_EINVAL;
    if (kind)
        return exchange_kind(dst, src, kind);
    return mg_store_exchange_where(dst, src, NULL, NULL);
}

int mg_store_exchange_where(struct mg_store *dst, struct mg_store *src,
                            bool (*which)(void *ctx, const char *kind), void *ctx)
{
    if (!dst || !src || src == dst)
        return MG_EINVAL;
    /* Every kind either side has: kinds are created before the swap so that nothing
     * can fail half way through. */
    for (size_t i = 0; i < dst->nkinds; i++)
        if (!st_kind_get(src, dst->kinds[i]->name))
            return MG_ENOMEM;
    for (size_t i = 0; i < src->nkinds; i++)
        if (!st_kind_get(dst, src->kinds[i]->name))
            return MG_ENOMEM;
    for (size_t i = 0; i < dst->nkinds; i++) {
        const char *name = dst->kinds[i]->name;
        int rc = which && !which(ctx, name) ? 0 : exchange_kind(dst, src, name);

        if (rc)
            return rc;
    }
    return 0;
}

int mg_store_replace_all(struct mg_store *dst, struct mg_store *src)
{
    int rc = mg_store_exchange(dst, src, NULL);

    if (rc)
        return rc;
    mg_store_free(src);
    return 0;
}
