/* SPDX-License-Identifier: Apache-2.0 */
/* nodematch.h - the scheduler's node filters for what KubeVirt workloads carry
 * (nodeSelector, required node affinity, taints and tolerations, spec.unschedulable),
 * one node at a time. The reference semantics of validate/nodes.h and of the node
 * index (node_index.h). Pure functions over cJSON: every pointer is borrowed, nothing
 * is allocated. */
#ifndef MG_NODEMATCH_H
#define MG_NODEMATCH_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* What a workload asks of a node. Every member may be NULL (no constraint). */
struct mg_placement {
    const cJSON *node_selector;  /* spec.nodeSelector: map of string to string */
    const cJSON *added_selector; /* a migration's addedNodeSelector, ANDed with it */
    const cJSON *affinity;       /* spec.affinity (only nodeAffinity's required part filters) */
    const cJSON *tolerations;    /* spec.tolerations */
};

/* As strconv.ParseInt(s, 10, 64): optional sign, decimal digits only, no overflow. */
bool mg_nodematch_parse_int(const char *s, long long *out);

/* Every entry of selector (a map of string to string) equals a label in labels.
 * NULL or JSON null selector: true. A non-object selector or a non-string value: false. */
bool mg_nodematch_selector(const cJSON *selector, const cJSON *labels);

/* One NodeSelectorRequirement against have, the node's value for its key (NULL: the
 * node has none): In, NotIn, Exists, DoesNotExist, Gt, Lt (integers, base 10). An
 * unknown operator or a malformed requirement: false. */
bool mg_nodematch_requirement(const cJSON *req, const char *have);

/* One NodeSelectorTerm against a node: matchExpressions (labels) and matchFields
 * (metadata.name only) are ANDed; a term with neither matches no node. */
bool mg_nodematch_term(const cJSON *term, const cJSON *node);

/* affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution: its
 * nodeSelectorTerms are ORed (no terms: no node). No required part: true. */
bool mg_nodematch_affinity(const cJSON *affinity, const cJSON *node);

/* Toleration t tolerates the taint (key, value, effect; NULL reads as ""), as
 * v1.Toleration.ToleratesTaint. */
bool mg_nodematch_toleration(const cJSON *t, const char *key, const char *value,
                             const char *effect);

/* Some toleration of tolerations (an array, or NULL: none) tolerates the taint. */
bool mg_nodematch_tolerated(const cJSON *tolerations, const char *key, const char *value,
                            const char *effect);

/* The taint's effect filters (NoSchedule, NoExecute); PreferNoSchedule only weighs
 * scores. effect may be NULL. */
bool mg_nodematch_filtering_effect(const char *effect);

/* Every NoSchedule and NoExecute taint of node is tolerated by tolerations (a list;
 * anything else tolerates nothing). */
bool mg_nodematch_taints(const cJSON *tolerations, const cJSON *node);

/* spec.unschedulable is not true. */
bool mg_nodematch_schedulable(const cJSON *node);

/* Schedulable, and satisfies both selectors, the required affinity and the taints. */
bool mg_nodematch_fit(const struct mg_placement *p, const cJSON *node);

#endif
