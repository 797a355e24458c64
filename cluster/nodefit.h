/* SPDX-License-Identifier: Apache-2.0 */
/* nodefit.h - which Nodes of the view fit a workload's placement (nodeSelector, a
 * migration's addedNodeSelector, required node affinity, tolerations, the labels
 * KubeVirt adds, cordons: RULES.md 9.11), asked of the node index (node_index.h): the
 * answers of mg_nodefit_scan at a cost that does not follow the size of the nodes'
 * objects (a few word operations per 64 nodes); nodewhy.h says why nodes were ruled out.
 * Thread-safety: callers hold the store's read lock; queries write nothing shared. */
#ifndef MG_NODEFIT_H
#define MG_NODEFIT_H

#include <stdbool.h>
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

/* Fill out for the Nodes of s, p and mode (nodematch.h: MG_NODEFIT_PLACEMENT for VM007,
 * MG_NODEFIT_TARGETS for MIG007 and the report); exclude (may be NULL) names a node to
 * leave out of others and first_other. The same answers as mg_nodefit_scan over
 * mg_store_list(s, "Node"). A store without a usable node index (it ran out of memory),
 * or a query that cannot get its scratch memory, is answered by that scan. */
void mg_nodefit_query(const struct mg_store *s, const struct mg_placement *p,
                      enum mg_nodefit_mode mode, const char *exclude, struct mg_nodefit *out);

/* The report's TARGETS and MIG007's question (RULES.md 9.11, 9.15): how many nodes other
 * than current (may be NULL) the workload of p can move to now: cordoned nodes do not
 * count; for a host-model VMI p->host_model names its source node's model
 * (mg_nodefit_host_model). *first (may be NULL) gets the first such node or NULL. */
size_t mg_nodefit_targets(const struct mg_store *s, const struct mg_placement *p,
                          const char *current, const char **first);

/* Some Node of s carries the label key kubevirt.io/schedulable: the view was taken from a
 * running KubeVirt, whose virt-handler labels every node (RULES.md 9.11). */
bool mg_nodefit_kubevirt_view(const struct mg_store *s);

/* KubeVirt's labels for p in s (mg_nodematch_kubevirt; whether some node carries
 * kubevirt.io/schedulable comes from the node index, or a scan without one), for callers
 * that weigh nodes one at a time with mg_nodematch_fit. */
void mg_nodefit_kubevirt(const struct mg_store *s, const struct mg_placement *p,
                         struct mg_kvlabels *kv);

/* The model M of node's host-model-cpu.node.kubevirt.io/M label (the first such key),
 * NULL when the view has no such node or label. Borrowed from the view. */
const char *mg_nodefit_host_model(const struct mg_store *s, const char *node);

/* The reference answer, node by node, over nodes[0..n) (which also decide whether any
 * node carries kubevirt.io/schedulable). */
void mg_nodefit_scan(const cJSON *const *nodes, size_t n, const struct mg_placement *p,
                     enum mg_nodefit_mode mode, const char *exclude, struct mg_nodefit *out);

#endif
