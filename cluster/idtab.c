/* SPDX-License-Identifier: Apache-2.0 */
/* idtab.c - hash table of ids, slot arrays and interned strings for the derived
 * indexes (idtab.h). Pure data structures: no I/O, no locking. */
#include "idtab.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

struct istr {
    char *s; /* NULL: a free slot */
    uint64_t hash;
    uint32_t refs;
};

#define ISTR(s, id) (((struct istr *)(s)->slots.v)[id])

uint64_t mg_idtab_hash(const void *p, size_t len)
{
    const unsigned char *b = p;
    uint64_t h = 1469598103934665603ULL;

    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 33);
}

uint32_t mg_idtab_find(const struct mg_idtab *t, uint64_t h,
                       bool (*eq)(const void *ctx, uint32_t id, const void *key), const void *ctx,
                       const void *key)
{
    uint32_t m = t->cap - 1;

    if (!t->cap)
        return MG_IDTAB_NONE;
    for (uint32_t i = (uint32_t)h & m; t->t[i].id != MG_IDTAB_NONE; i = (i + 1) & m)
        if (t->t[i].hash == h && eq(ctx, t->t[i].id, key))
            return t->t[i].id;
    return MG_IDTAB_NONE;
}

static void place(struct mg_idtab_ent *t, uint32_t cap, struct mg_idtab_ent e)
{
    uint32_t i = (uint32_t)e.hash & (cap - 1);

    while (t[i].id != MG_IDTAB_NONE)
        i = (i + 1) & (cap - 1);
    t[i] = e;
}

int mg_idtab_add(struct mg_idtab *t, uint64_t h, uint32_t id)
{
    if ((t->n + 1) * 2 > t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 64;
        struct mg_idtab_ent *nt = malloc(cap * sizeof(*nt));

        if (!nt)
            return MG_ENOMEM;
        for (uint32_t i = 0; i < cap; i++)
            nt[i].id = MG_IDTAB_NONE;
        for (uint32_t i = 0; i < t->cap; i++)
            if (t->t[i].id != MG_IDTAB_NONE)
                place(nt, cap, t->t[i]);
        free(t->t);
        t->t = nt;
        t->cap = cap;
    }
    place(t->t, t->cap, (struct mg_idtab_ent){h, id});
    t->n++;
    return 0;
}

void mg_idtab_del(struct mg_idtab *t, uint64_t h, uint32_t id)
{
    uint32_t m = t->cap - 1, i = (uint32_t)h & m, j;

    if (!t->cap)
        return;
    while (t->t[i].id != MG_IDTAB_NONE && t->t[i].id != id)
        i = (i + 1) & m;
    if (t->t[i].id == MG_IDTAB_NONE)
        return;
    /* Backward shift (no tombstones): an entry later in the run moves into the hole
     * unless its home bucket lies cyclically in (hole, its place]. */
    for (j = (i + 1) & m; t->t[j].id != MG_IDTAB_NONE; j = (j + 1) & m) {
        uint32_t home = (uint32_t)t->t[j].hash & m;

        if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
            t->t[i] = t->t[j];
            i = j;
        }
    }
    t->t[i].id = MG_IDTAB_NONE;
    t->n--;
}

void mg_idtab_free(struct mg_idtab *t)
{
    if (!t)
        return;
    free(t->t);
    memset(t, 0, sizeof(*t));
}

uint32_t mg_idtab_take(struct mg_idslots *s, size_t elem)
{
    if (s->nfree)
        return s->free[--s->nfree];
    if (s->n == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 64, *f;
        void *v = realloc(s->v, (size_t)cap * elem);

        if (!v)
            return MG_IDTAB_NONE;
        s->v = v;
        if (!(f = realloc(s->free, (size_t)cap * sizeof(*f))))
            return MG_IDTAB_NONE;
        s->free = f;
        s->cap = cap;
    }
    return s->n++;
}

void mg_idtab_give(struct mg_idslots *s, uint32_t id)
{
    s->free[s->nfree++] = id;
}

void mg_idtab_slots_free(struct mg_idslots *s)
{
    if (!s)
        return;
    free(s->v);
    free(s->free);
    memset(s, 0, sizeof(*s));
}

static bool str_eq(const void *ctx, uint32_t id, const void *key)
{
    return strcmp(ISTR((const struct mg_idstrs *)ctx, id).s, key) == 0;
}

uint32_t mg_idtab_lookup(const struct mg_idstrs *s, const char *str)
{
    return mg_idtab_find(&s->tab, mg_idtab_hash(str, strlen(str)), str_eq, s, str);
}

uint32_t mg_idtab_intern(struct mg_idstrs *s, const char *str)
{
    uint64_t h = mg_idtab_hash(str, strlen(str));
    uint32_t id = mg_idtab_find(&s->tab, h, str_eq, s, str);
    struct istr *e;

    if (id != MG_IDTAB_NONE) {
        ISTR(s, id).refs++;
        return id;
    }
    if ((id = mg_idtab_take(&s->slots, sizeof(struct istr))) == MG_IDTAB_NONE)
        return MG_IDTAB_NONE;
    e = &ISTR(s, id);
    e->hash = h;
    e->refs = 1;
    if (!(e->s = strdup(str)) || mg_idtab_add(&s->tab, h, id)) {
        free(e->s);
        e->s = NULL;
        mg_idtab_give(&s->slots, id);
        return MG_IDTAB_NONE;
    }
    s->live++;
    return id;
}

void mg_idtab_release(struct mg_idstrs *s, uint32_t id)
{
    struct istr *e;

    if (id == MG_IDTAB_NONE)
        return;
    e = &ISTR(s, id);
    if (--e->refs)
        return;
    mg_idtab_del(&s->tab, e->hash, id);
    free(e->s);
    e->s = NULL;
    mg_idtab_give(&s->slots, id);
    s->live--;
}

const char *mg_idtab_str(const struct mg_idstrs *s, uint32_t id)
{
    return ISTR(s, id).s;
}

void mg_idtab_strs_free(struct mg_idstrs *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; i < s->slots.n; i++)
        free(ISTR(s, i).s);
    mg_idtab_slots_free(&s->slots);
    mg_idtab_free(&s->tab);
    s->live = 0;
}
