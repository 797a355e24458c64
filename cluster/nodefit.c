/* SPDX-License-Identifier: Apache-2.0 */
/* nodefit.c - placement questions answered from the node index: a result bitset over
 * node slots, ANDed with the pair postings of the selectors, the OR over the terms of
 * the required node affinity (each an AND of its requirements), the groups of nodes
 * whose taint set the tolerations cover (each set checked once), and the uncordoned
 * nodes; then a popcount. Gt and Lt walk only the nodes with the key. The scratch
 * bitsets are the caller's stack (or heap for very large views): nothing shared is
 * written. */
#include "nodefit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "node_index.h"

#define STACK_WORDS 128 /* 8,192 node slots on the stack; past that the heap */
#define WALK_MAX 64     /* nodes of the list order tried before "first" by position */

enum op { OP_BAD, OP_IN, OP_NOTIN, OP_EXISTS, OP_ABSENT, OP_GT, OP_LT };

/* One query: the index and four dense bitsets of nw words. */
struct q {
    const struct mg_node_index *x;
    size_t nw;
    uint64_t *r; /* the result */
    uint64_t *a; /* the affinity: OR of its terms */
    uint64_t *t; /* one term */
    uint64_t *v; /* one requirement's values */
};

static const struct mg_nodebits *posting(const struct mg_node_index *x, char kind, const char *a,
                                         const char *b)
{
    struct nx_key k = {kind, a, b, strlen(a), b ? strlen(b) : 0};
    uint32_t id = nx_find(x, &k);

    return id == NX_NONE ? NULL : &x->strs[id].bits;
}

static uint32_t slot_named(const struct mg_node_index *x, const char *name)
{
    struct nx_key k = {NX_NAME, name, NULL, strlen(name), 0};
    uint32_t id = nx_find(x, &k);

    return id == NX_NONE ? NX_NONE : x->strs[id].slot;
}

static void zero(uint64_t *d, size_t nw)
{
    memset(d, 0, nw * sizeof(*d));
}

static void dense_and(uint64_t *d, const uint64_t *s, size_t nw, bool invert)
{
    for (size_t i = 0; i < nw; i++)
        d[i] &= invert ? ~s[i] : s[i];
}

static bool bit(const uint64_t *d, uint32_t slot)
{
    return (d[slot / 64] >> (slot % 64) & 1) != 0;
}

static bool any(const uint64_t *d, size_t nw)
{
    for (size_t i = 0; i < nw; i++)
        if (d[i])
            return true;
    return false;
}

/* Every entry of a selector map equals a label (mg_nodematch_selector). */
static void select_labels(const struct q *q, const cJSON *sel)
{
    const cJSON *it;

    if (!sel || cJSON_IsNull(sel))
        return;
    if (!cJSON_IsObject(sel)) {
        zero(q->r, q->nw);
        return;
    }
    cJSON_ArrayForEach (it, sel) {
        if (!cJSON_IsString(it)) {
            zero(q->r, q->nw);
            return;
        }
        mg_nodebits_and(q->r, q->nw, posting(q->x, NX_PAIR, it->string, it->valuestring));
    }
}

/* The operator of a requirement, OP_BAD when it matches no node whatever its value
 * (mg_nodematch_requirement's checks); *rv: the Gt/Lt operand. */
static enum op op_of(const cJSON *req, long long *rv)
{
    const char *op = mg_json_str(req, "operator");
    const cJSON *values = mg_json_get(req, "values"), *v = cJSON_GetArrayItem(values, 0);
    bool cmp;

    if (!op || !mg_json_str(req, "key") ||
        (values && !cJSON_IsArray(values) && !cJSON_IsNull(values)))
        return OP_BAD;
    if (strcmp(op, "In") == 0)
        return OP_IN;
    if (strcmp(op, "NotIn") == 0)
        return OP_NOTIN;
    if (strcmp(op, "Exists") == 0)
        return OP_EXISTS;
    if (strcmp(op, "DoesNotExist") == 0)
        return OP_ABSENT;
    cmp = strcmp(op, "Gt") == 0 || strcmp(op, "Lt") == 0;
    if (!cmp || cJSON_GetArraySize(values) != 1 || !cJSON_IsString(v) ||
        !mg_nodematch_parse_int(v->valuestring, rv))
        return OP_BAD;
    return op[0] == 'G' ? OP_GT : OP_LT;
}

static bool compare(enum op op, long long have, long long rv)
{
    return op == OP_GT ? have > rv : have < rv;
}

/* q->v = the nodes in b whose value (label key, or name when key is NX_NONE) compares. */
static void compare_walk(const struct q *q, const struct mg_nodebits *b, uint32_t key, enum op op,
                         long long rv)
{
    zero(q->v, q->nw);
    for (uint32_t i = 0; b && i < b->nw; i++) {
        for (uint64_t w = b->w[i]; w; w &= w - 1) {
            uint32_t slot = (b->lo + i) * 64 + (uint32_t)__builtin_ctzll(w);
            const struct nx_node *nd = &q->x->nodes[slot];
            bool in = key == NX_NONE && nd->isint && compare(op, nd->ival, rv);

            for (uint32_t l = 0; key != NX_NONE && l < nd->nlabels; l++) {
                const struct nx_str *pair = &q->x->strs[nd->labels[l].pair];

                if (nd->labels[l].key == key) {
                    in = pair->isint && compare(op, pair->ival, rv);
                    break;
                }
            }
            if (in && slot / 64 < q->nw)
                q->v[slot / 64] |= (uint64_t)1 << (slot % 64);
        }
    }
}

/* One matchExpressions (names false) or matchFields (names true) requirement: q->t
 * keeps the nodes that meet it. */
static void requirement(const struct q *q, const cJSON *req, bool names)
{
    const char *key = mg_json_str(req, "key");
    long long rv = 0;
    enum op op = op_of(req, &rv);
    struct nx_key kk = {NX_KEY, key, NULL, key ? strlen(key) : 0, 0};
    uint32_t kid = op == OP_BAD || names ? NX_NONE : nx_find(q->x, &kk);
    const struct mg_nodebits *kb = kid == NX_NONE ? NULL : &q->x->strs[kid].bits;
    const cJSON *it;

    if (op == OP_BAD || (names && op == OP_ABSENT)) {
        zero(q->t, q->nw);
    } else if (op == OP_IN || op == OP_NOTIN) {
        zero(q->v, q->nw);
        cJSON_ArrayForEach (it, mg_json_get(req, "values")) {
            uint32_t slot =
                names && cJSON_IsString(it) ? slot_named(q->x, it->valuestring) : NX_NONE;

            if (!names && cJSON_IsString(it))
                mg_nodebits_or(q->v, q->nw, posting(q->x, NX_PAIR, key, it->valuestring));
            else if (slot != NX_NONE)
                q->v[slot / 64] |= (uint64_t)1 << (slot % 64);
        }
        dense_and(q->t, q->v, q->nw, op == OP_NOTIN);
    } else if (op == OP_EXISTS || op == OP_ABSENT) {
        /* Every node has a name: Exists on metadata.name keeps them all. */
        if (!names && op == OP_EXISTS)
            mg_nodebits_and(q->t, q->nw, kb);
        else if (!names)
            mg_nodebits_andnot(q->t, q->nw, kb);
    } else {
        compare_walk(q, names ? &q->x->intnames : kb, names ? NX_NONE : kid, op, rv);
        dense_and(q->t, q->v, q->nw, false);
    }
}

/* One NodeSelectorTerm into q->t (mg_nodematch_term); false: it matches no node. */
static bool term(const struct q *q, const cJSON *term)
{
    const cJSON *it;
    int n = 0;

    mg_nodebits_copy(q->t, q->nw, &q->x->live);
    cJSON_ArrayForEach (it, mg_json_get(term, "matchExpressions")) {
        requirement(q, it, false);
        n++;
    }
    cJSON_ArrayForEach (it, mg_json_get(term, "matchFields")) {
        const char *key = mg_json_str(it, "key");

        if (!key || strcmp(key, "metadata.name") != 0)
            return false;
        requirement(q, it, true);
        n++;
    }
    return n > 0;
}

static void affinity(const struct q *q, const cJSON *aff)
{
    const cJSON *na = mg_json_get(aff, "nodeAffinity");
    const cJSON *req = mg_json_get(na, "requiredDuringSchedulingIgnoredDuringExecution");
    const cJSON *it;

    if (!req || cJSON_IsNull(req))
        return;
    zero(q->a, q->nw);
    cJSON_ArrayForEach (it, mg_json_get(req, "nodeSelectorTerms")) {
        if (term(q, it))
            for (size_t i = 0; i < q->nw; i++)
                q->a[i] |= q->t[i];
    }
    dense_and(q->r, q->a, q->nw, false);
}

/* Every taint of the set g (nodefacts.h's serialization) is tolerated. */
static bool tolerated(const struct nx_str *g, const cJSON *tols)
{
    const char *p = g->s + 1, *end = g->s + g->len;

    while (p < end) {
        const char *effect = *p == 'S' ? "NoSchedule" : "NoExecute";
        const char *key = p + 1, *value = key + strlen(key) + 1;

        p = value + strlen(value) + 1;
        if (!mg_nodematch_tolerated(tols, key, value, effect))
            return false;
    }
    return true;
}

static void tolerate(const struct q *q, const cJSON *tols)
{
    if (!cJSON_IsArray(tols) || !tols->child) {
        mg_nodebits_and(q->r, q->nw, posting(q->x, NX_TAINTS, "", NULL));
        return;
    }
    zero(q->v, q->nw);
    for (uint32_t i = 0; i < q->x->ngroups; i++) {
        const struct nx_str *g = &q->x->strs[q->x->groups[i]];

        if (tolerated(g, tols))
            mg_nodebits_or(q->v, q->nw, &g->bits);
    }
    dense_and(q->r, q->v, q->nw, false);
}

/* The first fitting nodes in the store's list order: a short walk of that order, which
 * a dense result ends at once; else the least position among the result. */
static void firsts(const struct q *q, uint32_t ex, bool want_other, uint32_t *f1, uint32_t *f2)
{
    const struct mg_node_index *x = q->x;
    uint32_t i = 0;

    for (; i < x->norder && i < WALK_MAX && (*f1 == NX_NONE || (want_other && *f2 == NX_NONE));
         i++) {
        uint32_t s = x->order[i];

        if (!bit(q->r, s))
            continue;
        if (*f1 == NX_NONE)
            *f1 = s;
        if (s != ex && *f2 == NX_NONE)
            *f2 = s;
    }
    if (i == x->norder || (*f1 != NX_NONE && (!want_other || *f2 != NX_NONE)))
        return;
    *f1 = *f2 = NX_NONE;
    for (size_t w = 0; w < q->nw; w++) {
        for (uint64_t b = q->r[w]; b; b &= b - 1) {
            uint32_t s = (uint32_t)(w * 64) + (uint32_t)__builtin_ctzll(b);
            uint32_t pos = x->nodes[s].pos;

            if (*f1 == NX_NONE || pos < x->nodes[*f1].pos)
                *f1 = s;
            if (s != ex && (*f2 == NX_NONE || pos < x->nodes[*f2].pos))
                *f2 = s;
        }
    }
}

/* The reference answer, node by node. */
static void scan(const struct mg_store *s, const struct mg_placement *p, const char *exclude,
                 struct mg_nodefit *out)
{
    const cJSON *const *items = NULL;
    size_t n = mg_store_list(s, "Node", &items);

    for (size_t i = 0; i < n; i++) {
        const char *name = mg_json_name(items[i]);

        if (!mg_nodematch_fit(p, items[i]))
            continue;
        out->fit++;
        out->first = out->first ? out->first : name;
        if (exclude && name && strcmp(name, exclude) == 0)
            continue;
        out->others++;
        out->first_other = out->first_other ? out->first_other : name;
    }
}

void mg_nodefit_query(const struct mg_store *s, const struct mg_placement *p, const char *exclude,
                      struct mg_nodefit *out)
{
    uint64_t stack[4 * STACK_WORDS], *buf = stack;
    struct q q = {nx_of(s), 0, NULL, NULL, NULL, NULL};
    uint32_t ex, f1 = NX_NONE, f2 = NX_NONE;

    memset(out, 0, sizeof(*out));
    q.nw = q.x && q.x->nslots ? (q.x->nslots + 63) / 64 : 1;
    if (q.x && q.nw > STACK_WORDS)
        buf = malloc(4 * q.nw * sizeof(*buf));
    if (!q.x || !buf) {
        scan(s, p, exclude, out);
        goto out;
    }
    q.r = buf;
    q.a = buf + q.nw;
    q.t = buf + 2 * q.nw;
    q.v = buf + 3 * q.nw;
    mg_nodebits_copy(q.r, q.nw, &q.x->live);
    mg_nodebits_andnot(q.r, q.nw, &q.x->cordoned);
    select_labels(&q, p->node_selector);
    select_labels(&q, p->added_selector);
    if (any(q.r, q.nw))
        affinity(&q, p->affinity);
    if (any(q.r, q.nw))
        tolerate(&q, p->tolerations);
    for (size_t i = 0; i < q.nw; i++)
        out->fit += (size_t)__builtin_popcountll(q.r[i]);
    ex = exclude ? slot_named(q.x, exclude) : NX_NONE;
    out->others = out->fit - (ex != NX_NONE && bit(q.r, ex));
    if (out->fit)
        firsts(&q, ex, out->others > 0, &f1, &f2);
    out->first = f1 == NX_NONE ? NULL : q.x->strs[q.x->nodes[f1].name].s + 1;
    out->first_other = f2 == NX_NONE ? NULL : q.x->strs[q.x->nodes[f2].name].s + 1;
out:
    if (buf != stack)
        free(buf);
}
