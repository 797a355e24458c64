/* SPDX-License-Identifier: Apache-2.0 */
/* nodewhy.c - why nodes do not fit, from the node index: the considered nodes as a
 * bitset, and per condition (a selector entry, one of KubeVirt's labels, the required
 * affinity, the cordon, each untolerated taint of each taint group) a popcount of the
 * nodes it rules out. Scratch bitsets on the stack (or heap for very large views);
 * nothing shared is written. */
#include "nodewhy.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "node_index.h"
#include "nodefit_int.h"

/* How many of the considered nodes q->b lack (are not in) the set d: q->v scratch. */
static size_t lack_dense(const struct nf_q *q, const uint64_t *d)
{
    size_t n = 0;

    for (size_t i = 0; i < q->nw; i++)
        n += (size_t)__builtin_popcountll(q->b[i] & ~d[i]);
    return n;
}

static size_t lack(const struct nf_q *q, const struct mg_nodebits *bits)
{
    mg_nodebits_copy(q->v, q->nw, bits);
    return lack_dense(q, q->v);
}

static void why_add(struct mg_nodewhy *w, char what, const char *key, const char *value,
                    char effect, size_t count)
{
    size_t i = w->n;

    if (count == 0)
        return;
    if (w->n == MG_NODEWHY_MAX) {
        /* Keep the largest: the last (smallest) goes when this one is larger. */
        if (w->c[w->n - 1].count >= count) {
            w->more++;
            return;
        }
        w->more++;
        i = --w->n;
    }
    while (i > 0 && w->c[i - 1].count < count) {
        w->c[i] = w->c[i - 1];
        i--;
    }
    w->c[i].what = what;
    w->c[i].key = key;
    w->c[i].value = value;
    w->c[i].effect = effect;
    w->c[i].count = count;
    w->n++;
}

static void why_selector(const struct nf_q *q, struct mg_nodewhy *w, const cJSON *sel,
                         const char *name, bool added)
{
    const cJSON *it;

    if (!sel || cJSON_IsNull(sel))
        return;
    if (!cJSON_IsObject(sel)) {
        why_add(w, 'M', name, NULL, 0, w->considered);
        return;
    }
    cJSON_ArrayForEach (it, sel) {
        if (mg_nodematch_replaced(q->kv, it->string, added))
            continue;
        if (!cJSON_IsString(it))
            why_add(w, 'L', it->string, "(not a string)", 0, w->considered);
        else
            why_add(w, 'L', it->string, it->valuestring, 0,
                    lack(q, nf_posting(q->x, NX_PAIR, it->string, it->valuestring)));
    }
}

static bool taint_same(const struct nf_taint *a, char effect, const char *key, const char *value)
{
    return a->effect == effect && strcmp(a->key, key) == 0 && strcmp(a->value, value) == 0;
}

/* Each untolerated taint with the number of considered nodes that carry it. */
static void why_taints(const struct nf_q *q, struct mg_nodewhy *w, const cJSON *tols)
{
    struct {
        struct nf_taint t;
        size_t n;
    } seen[MG_NODEWHY_MAX * 2];
    size_t nseen = 0, dropped = 0;

    for (uint32_t i = 0; i < q->x->ngroups; i++) {
        const struct nx_str *g = &q->x->strs[q->x->groups[i]];
        size_t on = 0, k;
        const char *p = g->s;
        struct nf_taint t;

        mg_nodebits_copy(q->v, q->nw, &g->bits);
        for (size_t j = 0; j < q->nw; j++)
            on += (size_t)__builtin_popcountll(q->b[j] & q->v[j]);
        while (on && nf_next_taint(g, &p, &t)) {
            if (!nf_untolerated(&t, tols, q->mode))
                continue;
            for (k = 0; k < nseen && !taint_same(&seen[k].t, t.effect, t.key, t.value); k++)
                ;
            if (k == nseen && nseen == sizeof(seen) / sizeof(seen[0])) {
                dropped++;
                continue;
            }
            if (k == nseen) {
                seen[nseen].t = t;
                seen[nseen++].n = 0;
            }
            seen[k].n += on;
        }
    }
    for (size_t k = 0; k < nseen; k++)
        why_add(w, 'T', seen[k].t.key, seen[k].t.value, seen[k].t.effect, seen[k].n);
    w->more += dropped ? 1 : 0;
}

int mg_nodewhy_fill(const struct mg_store *s, const struct mg_placement *p,
                    enum mg_nodefit_mode mode, const char *exclude, struct mg_nodewhy *w)
{
    uint64_t stack[5 * NF_STACK_WORDS], *buf = NULL;
    struct nf_q q = {nx_of(s), mode, &w->kv, 0, NULL, NULL, NULL, NULL, NULL};
    const cJSON *na = mg_json_get(p->affinity, "nodeAffinity");
    uint32_t ex;

    memset(w, 0, sizeof(*w));
    if (!q.x || !(buf = nf_scratch(&q, stack, 5)))
        return MG_ENOMEM;
    mg_nodematch_kubevirt(p, nf_schedulable_seen(q.x), &w->kv);
    mg_nodebits_copy(q.b, q.nw, &q.x->live);
    ex = exclude ? nf_slot(q.x, exclude) : NX_NONE;
    if (ex != NX_NONE)
        q.b[ex / 64] &= ~((uint64_t)1 << (ex % 64));
    w->considered = nf_popcount(q.b, q.nw);
    why_selector(&q, w, p->node_selector, "nodeSelector", false);
    why_selector(&q, w, p->added_selector, "addedNodeSelector", true);
    for (size_t i = 0; i < w->kv.n; i++)
        why_add(w, 'L',
                w->kv.l[i].unsat ? "(a CPU model name too long for a label)" : w->kv.l[i].key,
                "true", 0,
                w->kv.l[i].unsat ? w->considered
                                 : lack(&q, nf_posting(q.x, NX_PAIR, w->kv.l[i].key, "true")));
    if (mg_json_get(na, "requiredDuringSchedulingIgnoredDuringExecution")) {
        /* nf_affinity() ANDs its terms' OR into r: start r from every node. */
        mg_nodebits_copy(q.r, q.nw, &q.x->live);
        nf_affinity(&q, p->affinity);
        why_add(w, 'A', NULL, NULL, 0, lack_dense(&q, q.r));
    }
    if (mode == MG_NODEFIT_TARGETS) {
        mg_nodebits_copy(q.r, q.nw, &q.x->cordoned);
        why_add(w, 'C', NULL, NULL, 0, w->considered - lack_dense(&q, q.r));
    }
    why_taints(&q, w, p->tolerations);
    if (buf != stack)
        free(buf);
    return 0;
}

/* Appends to buf at *at; a part that does not fit whole is left out and counted. */
static void put(char *buf, size_t len, size_t *at, size_t *cut, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void put(char *buf, size_t len, size_t *at, size_t *cut, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*cut) {
        (*cut)++;
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(buf + *at, len - *at, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= len - *at) {
        buf[*at] = '\0';
        (*cut)++;
        return;
    }
    *at += (size_t)n;
}

void mg_nodewhy_text(const struct mg_nodewhy *w, char *buf, size_t len)
{
    size_t at = 0, cut = 0;

    if (!len)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < w->n; i++) {
        size_t c = w->c[i].count;
        bool one = c == 1;
        const char *sep = i ? ", " : "", *nodes = i ? "" : one ? " node" : " nodes";
        char v = w->c[i].what;

        if (v == 'L')
            put(buf, len, &at, &cut, "%s%zu%s lack%s %.80s=%.63s", sep, c, nodes, one ? "s" : "",
                w->c[i].key, w->c[i].value);
        else if (v == 'T')
            put(buf, len, &at, &cut, "%s%zu%s %s the untolerated taint %.80s%s%.63s:%s", sep, c,
                nodes, one ? "has" : "have", w->c[i].key, w->c[i].value[0] ? "=" : "",
                w->c[i].value, w->c[i].effect == 'S' ? "NoSchedule" : "NoExecute");
        else if (v == 'A')
            put(buf, len, &at, &cut, "%s%zu%s fail%s the required node affinity", sep, c, nodes,
                one ? "s" : "");
        else if (v == 'C')
            put(buf, len, &at, &cut, "%s%zu%s %s cordoned", sep, c, nodes, one ? "is" : "are");
        else
            put(buf, len, &at, &cut, "%s%zu%s: %s is not a map", sep, c, nodes, w->c[i].key);
    }
    if (cut + w->more)
        put(buf, len, &at, &(size_t){0}, " (+%zu more)", cut + w->more);
}
