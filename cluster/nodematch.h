/* SPDX-License-Identifier: Apache-2.0 */
/* nodematch.h - the scheduler's node filters for what KubeVirt workloads carry
 * (nodeSelector, required node affinity, taints and tolerations, spec.unschedulable)
 * and the labels KubeVirt adds to its launcher pods, one node at a time. The reference semantics of
 * validate/nodes.h and of the node index (node_index.h). Pure functions over cJSON: every pointer
 * is borrowed, nothing is allocated. */
#ifndef MG_NODEMATCH_H
#define MG_NODEMATCH_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* What a workload asks of a node. Every member may be NULL or false (no constraint). */
struct mg_placement {
    const cJSON *node_selector;  /* spec.nodeSelector: map of string to string */
    const cJSON *added_selector; /* a migration's addedNodeSelector, ANDed with it */
    const cJSON *affinity;       /* spec.affinity (only nodeAffinity's required part filters) */
    const cJSON *tolerations;    /* spec.tolerations */
    /* What makes KubeVirt add labels to the launcher pod's nodeSelector (RULES.md 9.11): */
    bool dedicated_cpu;     /* dedicatedCpuPlacement: kubevirt.io/cpumanager=true */
    const char *cpu_model;  /* spec.domain.cpu.model; a named one: cpu-model.node.kubevirt.io/ */
    const char *host_model; /* a host-model VMI's migration: the source node's model, needs
                               cpu-model-migration.node.kubevirt.io/<it>=true */
};

/* Which nodes count. */
enum mg_nodefit_mode {
    /* VM007: where the workload could run; a cordoned node counts (cordons are temporary)
     * and the node.kubernetes.io/unschedulable taint cordoning adds is not weighed. */
    MG_NODEFIT_PLACEMENT,
    /* MIG007 and the report's TARGETS: where it can go now; a cordoned node does not. */
    MG_NODEFIT_TARGETS,
};

#define MG_NODEMATCH_SCHEDULABLE "kubevirt.io/schedulable"
#define MG_NODEMATCH_UNSCHEDULABLE_TAINT "node.kubernetes.io/unschedulable"
#define MG_KVLABELS_MAX 4
#define MG_KVLABEL_KEY_MAX 384 /* a label key is at most 253 + 1 + 63 bytes */

/* The labels KubeVirt itself requires of a node for one placement, each with the value
 * "true" (KubeVirt's NodeSelectorRenderer and, for a host-model migration, its
 * migration controller). A key too long for key[] is no valid label: unsat. */
struct mg_kvlabels {
    struct {
        char key[MG_KVLABEL_KEY_MAX];
        bool unsat; /* no node can carry it */
    } l[MG_KVLABELS_MAX];
    size_t n;
};

/* KubeVirt's labels for p: kubevirt.io/schedulable when schedulable_seen (some node of the
 * view carries that key: a view from a running KubeVirt) and p's nodeSelector does not
 * set it (the VMI's own value wins); kubevirt.io/cpumanager for dedicated CPUs; the named
 * CPU model's label (host-model and host-passthrough name no model); the host-model
 * migration label. Pure: kv is the caller's. */
void mg_nodematch_kubevirt(const struct mg_placement *p, bool schedulable_seen,
                           struct mg_kvlabels *kv);

/* A selector entry with this key does not filter: KubeVirt writes its own value over it
 * (added: of the addedNodeSelector, which the launcher pod's selector also overrides at
 * kubevirt.io/schedulable). */
bool mg_nodematch_replaced(const struct mg_kvlabels *kv, const char *key, bool added);

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

/* As mg_nodematch_taints, weighing only what mode weighs (mg_nodematch_taint_weighed). */
bool mg_nodematch_taints_in(const cJSON *tolerations, const cJSON *node, enum mg_nodefit_mode mode);

/* spec.unschedulable is not true. */
bool mg_nodematch_schedulable(const cJSON *node);

/* The node is in mode's set for p: not cordoned (MG_NODEFIT_TARGETS only), both
 * selectors (less the entries kv replaces), kv's labels, the required affinity and the
 * filtering taints (MG_NODEFIT_PLACEMENT leaves out node.kubernetes.io/unschedulable). */
bool mg_nodematch_fit(const struct mg_placement *p, const struct mg_kvlabels *kv,
                      enum mg_nodefit_mode mode, const cJSON *node);

/* The taint is weighed in mode (a filtering effect, and not the cordon's own taint
 * under MG_NODEFIT_PLACEMENT). */
bool mg_nodematch_taint_weighed(enum mg_nodefit_mode mode, const char *key, const char *effect);

#endif
