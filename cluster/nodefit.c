/* SPDX-License-Identifier: Apache-2.0 */
/* nodefit.c - placement questions answered from the node index: a result bitset over
 * node slots, ANDed with the pair postings of the selectors and of KubeVirt's own
 * labels, the OR over the terms of the required node affinity (each an AND of its
 * requirements), the groups of nodes whose taint set the tolerations cover (each set
 * checked once), and the uncordoned nodes; then a popcount. Gt and Lt walk only the
 * nodes with the key. The scratch bitsets are the caller's stack (or heap for very
 * large views): nothing shared is written. */
#include "nodefit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "node_index.h"
#include "nodefit_int.h"

#define WALK_MAX 64 /* nodes of the list order tried before "first" by position */

enum op { OP_BAD, OP_IN, OP_NOTIN, OP_EXISTS, OP_ABSENT, OP_GT, OP_LT };

const struct mg_nodebits *nf_posting(const struct mg_node_index *x, char kind, const char *a,
                                     const char *b)
{
    struct nx_key k = {kind, a, b, strlen(a), b ? strlen(b) : 0};
    uint32_t id = nx_find(x, &k);

    return id == NX_NONE ? NULL : &x->strs[id].bits;
}

uint32_t nf_slot(const struct mg_node_index *x, const char *name)
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

size_t nf_popcount(const uint64_t *d, size_t nw)
{
    size_t n = 0;

    for (size_t i = 0; i < nw; i++)
        n += (size_t)__builtin_popcountll(d[i]);
    return n;
}

/* Every entry of a selector map equals a label (mg_nodematch_fit), but those KubeVirt
 * replaces. */
static void select_labels(const struct nf_q *q, const cJSON *sel, bool added)
{
    const cJSON *it;

    if (!sel || cJSON_IsNull(sel))
        return;
    if (!cJSON_IsObject(sel)) {
        zero(q->r, q->nw);
        return;
    }
    cJSON_ArrayForEach (it, sel) {
        if (mg_nodematch_replaced(q->kv, it->string, added))
            continue;
        if (!cJSON_IsString(it)) {
            zero(q->r, q->nw);
            return;
        }
        mg_nodebits_and(q->r, q->nw, nf_posting(q->x, NX_PAIR, it->string, it->valuestring));
    }
}

/* KubeVirt's labels, each "true". */
static void select_kubevirt(const struct nf_q *q)
{
    for (size_t i = 0; i < q->kv->n; i++) {
        const struct mg_nodebits *b =
            q->kv->l[i].unsat ? NULL : nf_posting(q->x, NX_PAIR, q->kv->l[i].key, "true");

        mg_nodebits_and(q->r, q->nw, b);
    }
}

bool nf_schedulable_seen(const struct mg_node_index *x)
{
    return nf_posting(x, NX_KEY, MG_NODEMATCH_SCHEDULABLE, NULL) != NULL;
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
static void compare_walk(const struct nf_q *q, const struct mg_nodebits *b, uint32_t key,
                         enum op op, long long rv)
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
static void requirement(const struct nf_q *q, const cJSON *req, bool names)
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
            uint32_t slot = names && cJSON_IsString(it) ? nf_slot(q->x, it->valuestring) : NX_NONE;

            if (!names && cJSON_IsString(it))
                mg_nodebits_or(q->v, q->nw, nf_posting(q->x, NX_PAIR, key, it->valuestring));
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
static bool term(const struct nf_q *q, const cJSON *term)
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

void nf_affinity(const struct nf_q *q, const cJSON *aff)
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

bool nf_next_taint(const struct nx_str *g, const char **p, struct nf_taint *t)
{
    if (*p == g->s) /* the kind byte */
        (*p)++;
    if (*p >= g->s + g->len)
        return false;
    t->effect = **p;
    t->key = *p + 1;
    t->value = t->key + strlen(t->key) + 1;
    *p = t->value + strlen(t->value) + 1;
    return true;
}

/* The taint is weighed in mode and tols do not tolerate it. */
bool nf_untolerated(const struct nf_taint *t, const cJSON *tols, enum mg_nodefit_mode mode)
{
    const char *effect = t->effect == 'S' ? "NoSchedule" : "NoExecute";

    return mg_nodematch_taint_weighed(mode, t->key, effect) &&
           !mg_nodematch_tolerated(tols, t->key, t->value, effect);
}

/* Every taint of the set g that mode weighs is tolerated. */
static bool tolerated(const struct nx_str *g, const cJSON *tols, enum mg_nodefit_mode mode)
{
    const char *p = g->s;
    struct nf_taint t;

    while (nf_next_taint(g, &p, &t))
        if (nf_untolerated(&t, tols, mode))
            return false;
    return true;
}

static void tolerate(const struct nf_q *q, const cJSON *tols)
{
    if (q->mode == MG_NODEFIT_TARGETS && (!cJSON_IsArray(tols) || !tols->child)) {
        mg_nodebits_and(q->r, q->nw, nf_posting(q->x, NX_TAINTS, "", NULL));
        return;
    }
    zero(q->v, q->nw);
    for (uint32_t i = 0; i < q->x->ngroups; i++) {
        const struct nx_str *g = &q->x->strs[q->x->groups[i]];

        if (tolerated(g, tols, q->mode))
            mg_nodebits_or(q->v, q->nw, &g->bits);
    }
    dense_and(q->r, q->v, q->nw, false);
}

/* The first fitting nodes in the store's list order: a short walk of that order, which
 * a dense result ends at once; else the least position among the result. */
static void firsts(const struct nf_q *q, uint32_t ex, bool want_other, uint32_t *f1, uint32_t *f2)
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

/* Some node of nodes[0..n) carries the label key kubevirt.io/schedulable. */
static bool scan_seen(const cJSON *const *nodes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const cJSON *labels = mg_json_get(mg_json_get(nodes[i], "metadata"), "labels");

        if (mg_json_str(labels, MG_NODEMATCH_SCHEDULABLE))
            return true;
    }
    return false;
}

bool mg_nodefit_kubevirt_view(const struct mg_store *s)
{
    const struct mg_node_index *x = nx_of(s);
    const cJSON *const *items = NULL;
    size_t n = x ? 0 : mg_store_list(s, "Node", &items);

    return x ? nf_schedulable_seen(x) : scan_seen(items, n);
}

void mg_nodefit_kubevirt(const struct mg_store *s, const struct mg_placement *p,
                         struct mg_kvlabels *kv)
{
    mg_nodematch_kubevirt(p, mg_nodefit_kubevirt_view(s), kv);
}

void mg_nodefit_scan(const cJSON *const *nodes, size_t n, const struct mg_placement *p,
                     enum mg_nodefit_mode mode, const char *exclude, struct mg_nodefit *out)
{
    struct mg_kvlabels kv;

    memset(out, 0, sizeof(*out));
    mg_nodematch_kubevirt(p, scan_seen(nodes, n), &kv);
    for (size_t i = 0; i < n; i++) {
        const char *name = mg_json_name(nodes[i]);

        if (!mg_nodematch_fit(p, &kv, mode, nodes[i]))
            continue;
        out->fit++;
        out->first = out->first ? out->first : name;
        if (exclude && name && strcmp(name, exclude) == 0)
            continue;
        out->others++;
        out->first_other = out->first_other ? out->first_other : name;
    }
}

/* Scratch for a query of x: k bitsets of nw words each, on the stack when they fit. */
uint64_t *nf_scratch(struct nf_q *q, uint64_t *stack, size_t k)
{
    uint64_t *buf = stack;

    q->nw = q->x->nslots ? (q->x->nslots + 63) / 64 : 1;
    if (q->nw > NF_STACK_WORDS)
        buf = malloc(k * q->nw * sizeof(*buf));
    if (!buf)
        return NULL;
    q->r = buf;
    q->a = buf + q->nw;
    q->t = buf + 2 * q->nw;
    q->v = buf + 3 * q->nw;
    q->b = k > 4 ? buf + 4 * q->nw : NULL;
    return buf;
}

void mg_nodefit_query(const struct mg_store *s, const struct mg_placement *p,
                      enum mg_nodefit_mode mode, const char *exclude, struct mg_nodefit *out)
{
    uint64_t stack[4 * NF_STACK_WORDS], *buf = NULL;
    struct mg_kvlabels kv;
    struct nf_q q = {nx_of(s), mode, &kv, 0, NULL, NULL, NULL, NULL, NULL};
    uint32_t ex, f1 = NX_NONE, f2 = NX_NONE;

    memset(out, 0, sizeof(*out));
    if (!q.x || !(buf = nf_scratch(&q, stack, 4))) {
        const cJSON *const *items = NULL;
        size_t n = mg_store_list(s, "Node", &items);

        mg_nodefit_scan(items, n, p, mode, exclude, out);
        return;
    }
    mg_nodematch_kubevirt(p, nf_schedulable_seen(q.x), &kv);
    mg_nodebits_copy(q.r, q.nw, &q.x->live);
    if (mode == MG_NODEFIT_TARGETS)
        mg_nodebits_andnot(q.r, q.nw, &q.x->cordoned);
    select_labels(&q, p->node_selector, false);
    select_labels(&q, p->added_selector, true);
    select_kubevirt(&q);
    if (any(q.r, q.nw))
        nf_affinity(&q, p->affinity);
    if (any(q.r, q.nw))
        tolerate(&q, p->tolerations);
    out->fit = nf_popcount(q.r, q.nw);
    ex = exclude ? nf_slot(q.x, exclude) : NX_NONE;
    out->others = out->fit - (ex != NX_NONE && bit(q.r, ex));
    if (out->fit)
        firsts(&q, ex, out->others > 0, &f1, &f2);
    out->first = f1 == NX_NONE ? NULL : q.x->strs[q.x->nodes[f1].name].s + 1;
    out->first_other = f2 == NX_NONE ? NULL : q.x->strs[q.x->nodes[f2].name].s + 1;
    if (buf != stack)
        free(buf);
}

size_t mg_nodefit_targets(const struct mg_store *s, const struct mg_placement *p,
                          const char *current, const char **first)
{
    struct mg_nodefit nf;

    mg_nodefit_query(s, p, MG_NODEFIT_TARGETS, current, &nf);
    if (first)
        *first = nf.first_other;
    return nf.others;
}

const char *mg_nodefit_host_model(const struct mg_store *s, const char *node)
{
    static const char prefix[] = "host-model-cpu.node.kubevirt.io/";
    const cJSON *n = node ? mg_store_get(s, "Node", "", node) : NULL;
    const cJSON *labels = mg_json_get(mg_json_get(n, "metadata"), "labels"), *it;

    if (!cJSON_IsObject(labels))
        return NULL;
    cJSON_ArrayForEach (it, labels) {
        if (it->string && strncmp(it->string, prefix, sizeof(prefix) - 1) == 0 &&
            it->string[sizeof(prefix) - 1])
            return it->string + sizeof(prefix) - 1;
    }
    return NULL;
}
