/* SPDX-License-Identifier: Apache-2.0 */
/* nodefit_int.h - internal to cluster/: the pieces of a node index query that nodefit.c
 * (which nodes fit) and nodewhy.c (why the others do not) share: the query's dense
 * bitsets, postings by string, the required node affinity, taint sets one taint at a
 * time. Callers hold the store's read lock; nothing shared is written. */
#ifndef MG_NODEFIT_INT_H
#define MG_NODEFIT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "node_index.h"
#include "nodematch.h"

#define NF_STACK_WORDS 128 /* 8,192 node slots per bitset on the stack; past that the heap */

/* One query: the index, KubeVirt's labels and up to five dense bitsets of nw words. */
struct nf_q {
    const struct mg_node_index *x;
    enum mg_nodefit_mode mode;
    const struct mg_kvlabels *kv;
    size_t nw;
    uint64_t *r; /* the result */
    uint64_t *a; /* the affinity: OR of its terms */
    uint64_t *t; /* one term */
    uint64_t *v; /* one requirement's values */
    uint64_t *b; /* nodewhy.c: the nodes considered */
};

/* One taint of a set (nodefacts.h's serialization). */
struct nf_taint {
    char effect; /* 'S' or 'E' */
    const char *key, *value;
};

/* Points q's k (4 or 5) bitsets into stack (k * NF_STACK_WORDS words) or, for a larger
 * index, a heap block; returns the block (free it when it is not stack), NULL when out
 * of memory. */
uint64_t *nf_scratch(struct nf_q *q, uint64_t *stack, size_t k);

/* The posting of the interned string (kind, a, b), NULL when absent. Borrowed. */
const struct mg_nodebits *nf_posting(const struct mg_node_index *x, char kind, const char *a,
                                     const char *b);

/* The slot of the node named name, NX_NONE when absent. */
uint32_t nf_slot(const struct mg_node_index *x, const char *name);

/* Set members of d[0..nw). */
size_t nf_popcount(const uint64_t *d, size_t nw);

/* Some node carries the label key kubevirt.io/schedulable. */
bool nf_schedulable_seen(const struct mg_node_index *x);

/* q->r &= the nodes that satisfy aff's required node affinity (uses q->a, t, v). */
void nf_affinity(const struct nf_q *q, const cJSON *aff);

/* The next taint of the set g from *p (start with *p = g->s); false past the last. */
bool nf_next_taint(const struct nx_str *g, const char **p, struct nf_taint *t);

/* The taint is weighed in mode and tols do not tolerate it. */
bool nf_untolerated(const struct nf_taint *t, const cJSON *tols, enum mg_nodefit_mode mode);

#endif
