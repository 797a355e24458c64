/* SPDX-License-Identifier: Apache-2.0 */
/* nodes.h - which Nodes a workload can be scheduled on, by the scheduler's rules for
 * what VMs carry (nodeSelector, required node affinity, taints and tolerations,
 * spec.unschedulable), and the VM006 well-formedness checks of those rules.
 * The matching itself is cluster/nodematch.h's, which the node index shares.
 * Pure functions over cJSON: every pointer is borrowed, nothing is allocated. */
#ifndef MG_NODES_H
#define MG_NODES_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "nodematch.h"
#include "store.h"
#include "verdict.h"

/* Fill p from a pod-like spec (a VMI's spec, a VM's spec.template.spec); spec may be NULL:
 * its placement rules, spec.domain.cpu.dedicatedCpuPlacement and .model. added_selector
 * and host_model are left NULL. */
void mg_placement_from_spec(struct mg_placement *p, const cJSON *spec);

/* mg_placement_from_spec, and for a VMI on node own (may be NULL) whose CPU model is
 * host-model, host_model from own's host-model-cpu.node.kubevirt.io/ label in view
 * (RULES.md MIG007): the placement of a move of that VMI. Borrowed from spec and view. */
void mg_placement_for_move(struct mg_placement *p, const struct mg_store *view, const cJSON *spec,
                           const char *own);

/* Every entry of selector (a map of string to string) equals a label in labels.
 * NULL or empty selector: true. A non-object selector or a non-string value: false. */
bool mg_nodes_selector_match(const cJSON *selector, const cJSON *labels);

/* One NodeSelectorRequirement against a node's labels: In, NotIn, Exists, DoesNotExist,
 * Gt, Lt (integers, base 10). An unknown operator or a malformed requirement: false. */
bool mg_nodes_requirement_match(const cJSON *req, const cJSON *labels);

/* One NodeSelectorTerm against a node: its matchExpressions (labels) and matchFields
 * (metadata.name) are ANDed; a term with neither matches no node. */
bool mg_nodes_term_match(const cJSON *term, const cJSON *node);

/* affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution against a node:
 * its nodeSelectorTerms are ORed (no terms: no node). No required part: true. */
bool mg_nodes_affinity_match(const cJSON *affinity, const cJSON *node);

/* Toleration t tolerates taint, as v1.Toleration.ToleratesTaint: effects equal or the
 * toleration's empty; keys equal or the toleration's empty; Exists, or Equal ("" too)
 * with equal values. */
bool mg_nodes_toleration_matches(const cJSON *t, const cJSON *taint);

/* Every NoSchedule and NoExecute taint of the node is tolerated (PreferNoSchedule only
 * weighs scores and never filters). */
bool mg_nodes_taints_tolerated(const cJSON *tolerations, const cJSON *node);

/* spec.unschedulable is not true (RULES.md 9.11). */
bool mg_nodes_schedulable(const cJSON *node);

/* How many of nodes[0..n) fit p in mode (nodematch.h), not counting the node named
 * exclude (may be NULL); KubeVirt's labels included (RULES.md 9.11). *first (may be
 * NULL) gets the name of the first that fits, NULL when none does. */
size_t mg_nodes_count(const struct mg_placement *p, const cJSON *const *nodes, size_t n,
                      enum mg_nodefit_mode mode, const char *exclude, const char **first);

/* One workload VM007 and the report ask about. Borrowed; read lock on view. */
struct mg_nodes_ask {
    const struct mg_store *view;
    const cJSON *spec;  /* pod-like spec */
    const char *own;    /* the node a VMI runs on; NULL for a VM */
    bool dedicated_cpu; /* dedicated CPUs from its instancetype (RULES.md 9.11); its own
                           spec's dedicatedCpuPlacement counts anyway */
};

/* *fitting, the nodes that could run a's workload (MG_NODEFIT_PLACEMENT: cordoned nodes
 * count), and *targets, the nodes other than a->own it could move to now
 * (mg_nodefit_targets, with a host-model VMI's source model). */
void mg_nodes_where(const struct mg_nodes_ask *a, size_t *fitting, size_t *targets);

/* VM007: when fewer than two nodes fit (fitting, from mg_nodes_where), one finding on
 * field with cap that names how many nodes each condition ruled out. */
void mg_nodes_vm007(const struct mg_nodes_ask *a, const char *field, size_t fitting,
                    const struct mg_config *cfg, enum mg_action cap, struct mg_verdict *v);

/* VM006 on a pod-like spec: nodeSelector labels (MP002 syntax), affinity operators and
 * their value rules, preferred weights 1..100, tolerations. Each problem is a VM006
 * finding (always deny) on a field under base ("spec.template.spec"). Returns the
 * number of problems, whatever the configured action. */
size_t mg_nodes_check_placement(const cJSON *spec, const char *base, const struct mg_config *cfg,
                                struct mg_verdict *v);

#endif
