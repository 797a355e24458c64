/* SPDX-License-Identifier: Apache-2.0 */
/* node_index.c - the Node index: nodes get dense slots (free-list reuse); one table of
 * interned strings holds the postings (label key -> slots, key=value -> slots), the
 * node names (-> slot) and the filtering taint sets (-> slots of that group). A put
 * diffs the node's copied labels, taint set and cordon against the new object, so a
 * status-only update changes nothing. Emptied postings are freed. An allocation
 * failure marks the index stale and queries scan instead: slower, never wrong. */
#include "node_index.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "nodebits.h"
#include "nodefacts.h"
#include "nodematch.h"

static uint64_t hash_more(uint64_t h, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static uint64_t skey_hash(const struct nx_key *k)
{
    uint64_t h = hash_more(1469598103934665603ULL, &k->kind, 1);

    h = hash_more(h, k->a, k->la);
    if (k->b)
        h = hash_more(hash_more(h, "", 1), k->b, k->lb);
    return h ^ (h >> 29);
}

static bool skey_eq(const struct nx_str *r, const struct nx_key *k, uint64_t h)
{
    size_t len = 1 + k->la + (k->b ? 1 + k->lb : 0);

    return r->hash == h && r->len == len && r->s[0] == k->kind &&
           memcmp(r->s + 1, k->a, k->la) == 0 &&
           (!k->b || (r->s[1 + k->la] == '\0' && memcmp(r->s + 2 + k->la, k->b, k->lb) == 0));
}

uint32_t nx_find(const struct mg_node_index *x, const struct nx_key *k)
{
    uint64_t h = skey_hash(k);
    uint32_t mask = x->tcap - 1;

    if (!x->tcap)
        return NX_NONE;
    for (uint32_t i = (uint32_t)h & mask; x->table[i]; i = (i + 1) & mask) {
        if (skey_eq(&x->strs[x->table[i] - 1], k, h))
            return x->table[i] - 1;
    }
    return NX_NONE;
}

static void table_put(uint32_t *t, uint32_t cap, uint64_t h, uint32_t id)
{
    uint32_t i = (uint32_t)h & (cap - 1);

    while (t[i])
        i = (i + 1) & (cap - 1);
    t[i] = id + 1;
}

static int grow_table(struct mg_node_index *x)
{
    uint32_t cap = x->tcap ? x->tcap * 2 : 256;
    uint32_t *t = calloc(cap, sizeof(*t));

    if (!t)
        return MG_ENOMEM;
    for (uint32_t i = 0; i < x->tcap; i++)
        if (x->table[i])
            table_put(t, cap, x->strs[x->table[i] - 1].hash, x->table[i] - 1);
    free(x->table);
    x->table = t;
    x->tcap = cap;
    return 0;
}

/* Linear probing with backward-shift deletion: no tombstones, so churn never grows it. */
static void table_del(struct mg_node_index *x, uint32_t id)
{
    uint32_t mask = x->tcap - 1, i = (uint32_t)x->strs[id].hash & mask, j;

    while (x->table[i] != id + 1)
        i = (i + 1) & mask;
    for (j = (i + 1) & mask; x->table[j]; j = (j + 1) & mask) {
        uint32_t home = (uint32_t)x->strs[x->table[j] - 1].hash & mask;

        /* Move j back into the hole at i unless its home lies cyclically in (i, j]. */
        if (((j - home) & mask) >= ((j - i) & mask)) {
            x->table[i] = x->table[j];
            i = j;
        }
    }
    x->table[i] = 0;
}

static int grow(void **arr, uint32_t *cap, size_t elem)
{
    uint32_t ncap = *cap ? *cap * 2 : 16;
    void *n = realloc(*arr, (size_t)ncap * elem);

    if (!n)
        return MG_ENOMEM;
    *arr = n;
    *cap = ncap;
    return 0;
}

/* The id of the string, interned when new; NX_NONE when out of memory. */
static uint32_t intern(struct mg_node_index *x, const struct nx_key *k)
{
    uint32_t id = nx_find(x, k);
    size_t len = 1 + k->la + (k->b ? 1 + k->lb : 0);
    struct nx_str *r;

    if (id != NX_NONE)
        return id;
    if ((x->live_strs + 1) * 2 > x->tcap && grow_table(x))
        return NX_NONE;
    if (x->freestr == NX_NONE && x->nstrs == x->capstrs &&
        grow((void **)&x->strs, &x->capstrs, sizeof(*x->strs)))
        return NX_NONE;
    id = x->freestr != NX_NONE ? x->freestr : x->nstrs;
    r = &x->strs[id];
    if (id != x->nstrs)
        x->freestr = r->slot;
    else
        x->nstrs++;
    memset(r, 0, sizeof(*r));
    r->s = malloc(len + 1);
    if (!r->s) {
        r->slot = x->freestr;
        x->freestr = id;
        return NX_NONE;
    }
    r->s[0] = k->kind;
    memcpy(r->s + 1, k->a, k->la);
    if (k->b) {
        r->s[1 + k->la] = '\0';
        memcpy(r->s + 2 + k->la, k->b, k->lb);
    }
    r->s[len] = '\0';
    r->len = (uint32_t)len;
    r->hash = skey_hash(k);
    if (k->kind == NX_PAIR)
        r->isint = mg_nodematch_parse_int(r->s + 2 + k->la, &r->ival);
    table_put(x->table, x->tcap, r->hash, id);
    x->live_strs++;
    return id;
}

static void release(struct mg_node_index *x, uint32_t id)
{
    struct nx_str *r = &x->strs[id];

    if (r->s[0] == NX_TAINTS) {
        x->groups[r->gpos] = x->groups[--x->ngroups];
        x->strs[x->groups[r->gpos]].gpos = r->gpos;
    }
    table_del(x, id);
    free(r->s);
    mg_nodebits_free(&r->bits);
    memset(r, 0, sizeof(*r));
    r->slot = x->freestr;
    x->freestr = id;
    x->live_strs--;
}

/* Slot joins the posting of string k (interned when new). */
static uint32_t join(struct mg_node_index *x, const struct nx_key *k, uint32_t slot)
{
    uint32_t id = intern(x, k);
    bool fresh = id != NX_NONE && x->strs[id].bits.count == 0;

    if (id == NX_NONE)
        return NX_NONE;
    if (fresh && k->kind == NX_TAINTS) {
        if (x->ngroups == x->capgroups &&
            grow((void **)&x->groups, &x->capgroups, sizeof(*x->groups))) {
            release(x, id);
            return NX_NONE;
        }
        x->strs[id].gpos = x->ngroups;
        x->groups[x->ngroups++] = id;
    }
    if (mg_nodebits_set(&x->strs[id].bits, slot)) {
        if (fresh)
            release(x, id); /* a taint set leaves groups too */
        return NX_NONE;
    }
    return id;
}

/* Slot leaves the posting id; the string goes with its last node. */
static void leave(struct mg_node_index *x, uint32_t id, uint32_t slot)
{
    mg_nodebits_clear(&x->strs[id].bits, slot);
    if (x->strs[id].bits.count == 0)
        release(x, id);
}

/* ---- applying a put or a remove ---- */

static const char *key_text(const struct mg_node_index *x, uint32_t id)
{
    return x->strs[id].s + 1;
}

static const char *pair_value(const struct mg_node_index *x, uint32_t pair)
{
    const char *s = x->strs[pair].s + 1;

    return s + strlen(s) + 1;
}

static bool labels_same(const struct mg_node_index *x, const struct nx_node *nd,
                        const struct mg_nodefacts *f)
{
    if (nd->nlabels != f->nlabels)
        return false;
    for (uint32_t i = 0; i < nd->nlabels; i++) {
        if (strcmp(key_text(x, nd->labels[i].key), f->labels[i].k) != 0 ||
            strcmp(pair_value(x, nd->labels[i].pair), f->labels[i].v->valuestring) != 0)
            return false;
    }
    return true;
}

/* Slot joins the postings of label j of f: its key (unless key is already its) and pair. */
static int label_join(struct mg_node_index *x, uint32_t slot, const struct mg_nodefacts_kv *l,
                      uint32_t key, struct nx_label *out)
{
    const char *v = l->v->valuestring;
    struct nx_key kk = {NX_KEY, l->k, NULL, strlen(l->k), 0};
    struct nx_key pk = {NX_PAIR, l->k, v, kk.la, strlen(v)};

    out->key = key != NX_NONE ? key : join(x, &kk, slot);
    if (out->key == NX_NONE)
        return MG_ENOMEM;
    out->pair = join(x, &pk, slot);
    if (out->pair == NX_NONE) {
        if (key == NX_NONE)
            leave(x, out->key, slot);
        return MG_ENOMEM;
    }
    return 0;
}

/* The node's labels become f's: a merge of the two key-sorted lists, so only the
 * labels that changed touch their postings. */
static int apply_labels(struct mg_node_index *x, uint32_t slot, const struct mg_nodefacts *f)
{
    struct nx_node *nd = &x->nodes[slot];
    struct nx_label *nl = NULL;
    uint32_t i = 0;
    size_t j = 0;
    int rc = 0;

    if (labels_same(x, nd, f))
        return 0;
    if (f->nlabels && !(nl = malloc(f->nlabels * sizeof(*nl))))
        return MG_ENOMEM;
    while (!rc && (i < nd->nlabels || j < f->nlabels)) {
        const struct nx_label *o = i < nd->nlabels ? &nd->labels[i] : NULL;
        int c = !o ? 1 : j == f->nlabels ? -1 : strcmp(key_text(x, o->key), f->labels[j].k);

        if (c < 0) {
            leave(x, o->pair, slot);
            leave(x, o->key, slot);
            i++;
        } else if (c > 0) {
            rc = label_join(x, slot, &f->labels[j], NX_NONE, &nl[j]);
            j++;
        } else if (strcmp(pair_value(x, o->pair), f->labels[j].v->valuestring) == 0) {
            nl[j++] = *o;
            i++;
        } else {
            uint32_t old = o->pair;

            rc = label_join(x, slot, &f->labels[j], o->key, &nl[j]);
            if (!rc)
                leave(x, old, slot);
            i++;
            j++;
        }
    }
    if (rc) {
        free(nl);
        return rc;
    }
    free(nd->labels);
    nd->labels = nl;
    nd->nlabels = (uint32_t)f->nlabels;
    return 0;
}

static int apply_taints(struct mg_node_index *x, uint32_t slot, const struct mg_nodefacts *f)
{
    struct nx_node *nd = &x->nodes[slot];
    struct nx_key k = {NX_TAINTS, f->taints, NULL, f->tlen, 0};
    uint32_t id = nx_find(x, &k);

    if (id != NX_NONE && id == nd->group)
        return 0;
    id = join(x, &k, slot);
    if (id == NX_NONE)
        return MG_ENOMEM;
    if (nd->group != NX_NONE)
        leave(x, nd->group, slot);
    nd->group = id;
    return 0;
}

static int apply_cordon(struct mg_node_index *x, uint32_t slot, bool cordoned)
{
    if (cordoned == x->nodes[slot].cordoned)
        return 0;
    if (cordoned && mg_nodebits_set(&x->cordoned, slot))
        return MG_ENOMEM;
    if (!cordoned)
        mg_nodebits_clear(&x->cordoned, slot);
    x->nodes[slot].cordoned = cordoned;
    return 0;
}

static uint32_t slot_of(const struct mg_node_index *x, const char *name)
{
    struct nx_key k = {NX_NAME, name, NULL, strlen(name), 0};
    uint32_t id = nx_find(x, &k);

    return id == NX_NONE ? NX_NONE : x->strs[id].slot;
}

/* A slot for a new node named name, last in the order; NX_NONE when out of memory. */
static uint32_t node_new(struct mg_node_index *x, const char *name)
{
    struct nx_key k = {NX_NAME, name, NULL, strlen(name), 0};
    uint32_t slot, id;
    struct nx_node *nd;

    if (x->freeslot == NX_NONE && x->nslots == x->capslots &&
        grow((void **)&x->nodes, &x->capslots, sizeof(*x->nodes)))
        return NX_NONE;
    if (x->norder == x->caporder && grow((void **)&x->order, &x->caporder, sizeof(*x->order)))
        return NX_NONE;
    slot = x->freeslot != NX_NONE ? x->freeslot : x->nslots;
    if (mg_nodebits_set(&x->live, slot) || (id = intern(x, &k)) == NX_NONE) {
        mg_nodebits_clear(&x->live, slot);
        return NX_NONE;
    }
    nd = &x->nodes[slot];
    if (slot == x->nslots)
        x->nslots++;
    else
        x->freeslot = nd->nextfree;
    memset(nd, 0, sizeof(*nd));
    nd->name = id;
    nd->group = NX_NONE;
    /* The store appends a new object to its list. */
    nd->pos = x->norder;
    x->order[x->norder++] = slot;
    x->strs[id].slot = slot;
    x->nnodes++;
    /* Only names that parse as integers can satisfy a matchFields Gt or Lt. */
    nd->isint = mg_nodematch_parse_int(name, &nd->ival);
    if (nd->isint && mg_nodebits_set(&x->intnames, slot))
        return NX_NONE; /* the node is in: the caller marks the index stale */
    return slot;
}

static void node_drop(struct mg_node_index *x, uint32_t slot)
{
    struct nx_node *nd = &x->nodes[slot];

    for (uint32_t i = 0; i < nd->nlabels; i++) {
        leave(x, nd->labels[i].pair, slot);
        leave(x, nd->labels[i].key, slot);
    }
    if (nd->group != NX_NONE)
        leave(x, nd->group, slot);
    mg_nodebits_clear(&x->cordoned, slot);
    mg_nodebits_clear(&x->intnames, slot);
    mg_nodebits_clear(&x->live, slot);
    release(x, nd->name);
    /* As the store does: the last of the list takes the removed node's place. */
    x->order[nd->pos] = x->order[--x->norder];
    x->nodes[x->order[nd->pos]].pos = nd->pos;
    free(nd->labels);
    memset(nd, 0, sizeof(*nd));
    nd->name = NX_NONE;
    nd->nextfree = x->freeslot;
    x->freeslot = slot;
    x->nnodes--;
}

static int hook_put(void *ctx, const cJSON *obj, const cJSON *old)
{
    struct mg_node_index *x = ctx;
    const char *name = mg_json_name(obj);
    struct mg_nodefacts f;
    uint32_t slot;
    int rc;

    (void)old;
    if (!name || x->stale)
        return 0;
    rc = mg_nodefacts_read(&f, obj);
    if (rc)
        goto out;
    slot = slot_of(x, name);
    if (slot == NX_NONE && (slot = node_new(x, name)) == NX_NONE)
        rc = MG_ENOMEM;
    if (!rc)
        rc = apply_labels(x, slot, &f);
    if (!rc)
        rc = apply_taints(x, slot, &f);
    if (!rc)
        rc = apply_cordon(x, slot, f.cordoned);
out:
    mg_nodefacts_free(&f);
    if (rc)
        x->stale = true;
    return rc;
}

static void hook_remove(void *ctx, const cJSON *obj)
{
    struct mg_node_index *x = ctx;
    const char *name = mg_json_name(obj);
    uint32_t slot = name && !x->stale ? slot_of(x, name) : NX_NONE;

    if (slot != NX_NONE)
        node_drop(x, slot);
}

static void hook_free(void *ctx)
{
    struct mg_node_index *x = ctx;

    if (!x)
        return;
    for (uint32_t i = 0; i < x->nstrs; i++) {
        free(x->strs[i].s);
        mg_nodebits_free(&x->strs[i].bits);
    }
    for (uint32_t i = 0; i < x->nslots; i++)
        free(x->nodes[i].labels);
    mg_nodebits_free(&x->live);
    mg_nodebits_free(&x->cordoned);
    mg_nodebits_free(&x->intnames);
    free(x->strs);
    free(x->table);
    free(x->nodes);
    free(x->order);
    free(x->groups);
    free(x);
}

static const struct mg_store_hook node_hook = {"Node", hook_put, hook_remove, hook_free};

int mg_node_index_attach(struct mg_store *s)
{
    struct mg_node_index *x = calloc(1, sizeof(*x));
    const cJSON *const *items;
    size_t n;
    int rc;

    if (!x)
        return MG_ENOMEM;
    x->freestr = x->freeslot = NX_NONE;
    rc = mg_store_on_change(s, &node_hook, x);
    if (rc) {
        hook_free(x);
        return rc;
    }
    /* Nodes already in the store enter the index too. */
    n = mg_store_list(s, "Node", &items);
    for (size_t i = 0; i < n; i++)
        hook_put(x, items[i], NULL);
    return 0;
}

const struct mg_node_index *nx_of(const struct mg_store *s)
{
    const struct mg_node_index *x = mg_store_hook_ctx(s, &node_hook);

    return x && !x->stale ? x : NULL;
}

void mg_node_index_stats(const struct mg_store *s, struct mg_node_index_stats *st)
{
    const struct mg_node_index *x = nx_of(s);

    memset(st, 0, sizeof(*st));
    st->stale = !x;
    if (!x)
        return;
    st->nodes = x->nnodes;
    st->slots = x->nslots;
    st->strings = x->live_strs;
    st->groups = x->ngroups;
    st->table = x->tcap;
    st->words = x->live.cap + x->cordoned.cap + x->intnames.cap;
    for (uint32_t i = 0; i < x->nstrs; i++) {
        const struct nx_str *r = &x->strs[i];

        if (!r->s)
            continue;
        st->words += r->bits.cap;
        st->postings += r->s[0] == NX_KEY || r->s[0] == NX_PAIR;
    }
}
