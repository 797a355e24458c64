/* SPDX-License-Identifier: Apache-2.0 */
/* nodefit.h - which Nodes of the view fit a workload's placement (nodeSelector, a
 * migration's addedNodeSelector, required node affinity, tolerations, cordons), asked
 * of the node index (node_index.h): the answers of mg_nodes_count's scan at a cost
 * that does not follow the size of the nodes' objects (a few word operations per
 * 64 nodes). Thread-safety: callers hold the store's read lock; queries write nothing
 * shared. */
#ifndef MG_NODEFIT_H
#define MG_NODEFIT_H

#include <stddef.h>

#include "nodematch.h"
#include "store.h"

/* Which nodes fit. Names are borrowed from the view until its next write. */
struct mg_nodefit {
    size_t fit;              /* nodes that fit */
    size_t others;           /* of those, the ones not named exclude */
    const char *first;       /* the first that fits, in mg_store_list order, or NULL */
    const char *first_other; /* the first that fits and is not exclude, or NULL */
};

/* Fill out for the Nodes of s and p; exclude (may be NULL) names a node to leave out
 * of others and first_other. The same answers as mg_nodes_count over
 * mg_store_list(s, "Node"), with exclude for others and first_other, without it for
 * fit and first. A store without a usable node index (it ran out of memory), or a
 * query that cannot get its scratch memory, is answered by that scan. */
void mg_nodefit_query(const struct mg_store *s, const struct mg_placement *p, const char *exclude,
                      struct mg_nodefit *out);

#endif
