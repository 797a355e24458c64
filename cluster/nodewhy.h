/* SPDX-License-Identifier: Apache-2.0 */
/* nodewhy.h - why Nodes of the view do not fit a workload's placement (nodefit.h asks
 * which do): for each condition, how many nodes it rules out, from the node index's
 * postings and taint groups by popcount, never a walk over the nodes; and that as the
 * text MIG007 and VM007 show. Thread-safety: callers hold the store's read lock. */
#ifndef MG_NODEWHY_H
#define MG_NODEWHY_H

#include <stddef.h>

#include "nodematch.h"
#include "store.h"

#define MG_NODEWHY_MAX 8

/* Of the nodes considered (every node but exclude), how many each condition rules out,
 * each counted on its own (a node failing two conditions counts under both). Strings
 * are borrowed from the placement, the view (until its next write) or why itself. */
struct mg_nodewhy {
    size_t considered; /* nodes other than exclude */
    size_t n;          /* conditions that rule out at least one node, most first */
    struct {
        char what;         /* 'L' lacks label key=value, 'T' has the untolerated taint,
                              'A' fails the required node affinity, 'C' is cordoned,
                              'M' the selector named by key is not a map */
        const char *key;   /* L, T, M */
        const char *value; /* L, T */
        char effect;       /* T: 'S' NoSchedule, 'E' NoExecute */
        size_t count;
    } c[MG_NODEWHY_MAX];
    size_t more; /* further conditions left out of c */
    struct mg_kvlabels kv;
};

/* Fill why for p, mode (nodematch.h) and exclude (may be NULL). 0; or MG_ENOMEM when
 * the index is unusable (it ran out of memory) or scratch memory is short (why is then
 * empty). */
int mg_nodewhy_fill(const struct mg_store *s, const struct mg_placement *p,
                    enum mg_nodefit_mode mode, const char *exclude, struct mg_nodewhy *why);

/* why as text into buf[0..len) (NUL-terminated; parts that do not fit are counted as
 * "(+N more)"): "3 nodes lack accelerator=gpu, 1 is cordoned, 2 have the untolerated
 * taint dedicated=infra:NoSchedule". An empty why writes "". */
void mg_nodewhy_text(const struct mg_nodewhy *why, char *buf, size_t len);

#endif
