/* SPDX-License-Identifier: Apache-2.0 */
/* lmc.h - the HyperConverged liveMigrationConfig rules (LMC001-LMC010) and the
 * cluster's effective migration settings that other rule families read (RULES.md 9.3:
 * KubeVirt CR, else HyperConverged plus its jsonpatch annotation, else the defaults).
 * Pure functions of (request, view, config); the caller holds the view's lock. */
#ifndef MG_LMC_H
#define MG_LMC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "quantity.h"
#include "store.h"
#include "validate.h"

/* Effective live-migration settings: the defaults table with a liveMigrationConfig
 * (and, for policies, a MigrationPolicy spec) laid over it. */
struct mg_lmc_settings {
    struct mg_quantity bandwidth; /* 0: unlimited */
    int64_t completion_timeout;
    int64_t parallel_cluster;
    int64_t parallel_node;
    int64_t progress_timeout;
    bool allow_auto_converge;
    bool allow_post_copy;
    bool allow_workload_disruption; /* once resolved: the effective value (RULES.md 9.18) */
    bool awd_set;                   /* false: unset, follows allow_post_copy when resolved */
    bool has_max_downtime;
    int64_t max_downtime_ms;
    const char *network; /* borrowed from the view, NULL: none */
};

/* The documented liveMigrationConfig keys in RULES.md section 2's order (the defaults
 * table's; mutate/hco.c follows it too): indexes into mg_lmc_keys. The first
 * MG_LMC_DEFAULTED of them have a value in the defaults tables. */
enum mg_lmc_key {
    MG_LMC_K_BANDWIDTH,
    MG_LMC_K_COMPLETION,
    MG_LMC_K_PAR_CLUSTER,
    MG_LMC_K_PAR_NODE,
    MG_LMC_K_PROGRESS,
    MG_LMC_K_AUTO_CONVERGE,
    MG_LMC_K_POST_COPY,
    MG_LMC_K_WORKLOAD_DISRUPTION,
    MG_LMC_K_NETWORK,
};
#define MG_LMC_KEY_COUNT 9
#define MG_LMC_DEFAULTED 8
extern const char *const mg_lmc_keys[MG_LMC_KEY_COUNT];

/* The annotation through which HCO patches the KubeVirt CR it writes. */
#define MG_LMC_JSONPATCH_ANNOTATION "kubevirt.kubevirt.io/jsonpatch"

/* HyperConverged CREATE/UPDATE: LMC001-LMC010 on the path of its apiVersion. */
int mg_lmc_validate(const struct mg_vctx *ctx);

/* The settings of the defaults table of cfg; allowWorkloadDisruption unset. */
void mg_lmc_settings_default(struct mg_lmc_settings *s, const struct mg_config *cfg);

/* Lay every well-typed, valid field of a liveMigrationConfig object over s (fields
 * that fail their rules are ignored). lmc may be NULL. */
void mg_lmc_settings_overlay(struct mg_lmc_settings *s, const cJSON *lmc);

/* Set one documented key of s from a JSON value; false (s unchanged) when key is not
 * documented or the value fails the key's rules. */
bool mg_lmc_settings_set(struct mg_lmc_settings *s, const char *key, const cJSON *value);

/* Return one key of s to the defaults table's value (allowWorkloadDisruption: unset). */
void mg_lmc_settings_unset(struct mg_lmc_settings *s, const char *key, const struct mg_config *cfg);

/* RULES.md 9.18: an unset allowWorkloadDisruption follows allowPostCopy. After this,
 * s->allow_workload_disruption is the effective value. */
void mg_lmc_settings_resolve(struct mg_lmc_settings *s);

/* The index of key in mg_lmc_keys, -1 when it is not documented. */
int mg_lmc_key_index(const char *key);

/* True when the defaults table injects allowWorkloadDisruption: false on this
 * HyperConverged version (v1 or v1beta1). */
bool mg_lmc_table_injects_awd(const struct mg_config *cfg, bool v1);

/* The defaults with a HyperConverged's own liveMigrationConfig over them and the
 * table's allowWorkloadDisruption where the mutating path injects it; no jsonpatch,
 * not resolved. req_version as for mg_lmc_hco_is_v1. */
void mg_lmc_settings_hco_own(struct mg_lmc_settings *s, const cJSON *hco, const char *req_version,
                             const struct mg_config *cfg);

/* The operations of hco's kubevirt.kubevirt.io/jsonpatch annotation (a JSON array), or
 * NULL when it has none or the text is not an array. Caller frees with cJSON_Delete. */
cJSON *mg_lmc_jsonpatch_ops(const cJSON *hco);

/* The documented key one operation sets (*put: add or replace) or removes under
 * /spec/configuration/migrations: "" for the whole map, NULL when it touches no key of
 * ours (another path, a deeper one, another operation). Borrowed from op. */
const char *mg_lmc_jsonpatch_key(const cJSON *op, bool *put);

/* What KubeVirt gets from one HyperConverged (RULES.md 9.3), resolved:
 * mg_lmc_settings_hco_own, then its kubevirt.kubevirt.io/jsonpatch annotation applied
 * whole (common/jsonpatch.h, all six operations) to the KubeVirt CR HCO would write as
 * far as migguard models it, spec.configuration.migrations: that liveMigrationConfig
 * over the defaults table. Operations elsewhere in the CR are not modelled and pass;
 * a key the patch leaves out is the table's value again; the network key stays the
 * HyperConverged's own. An annotation HCO refuses (not a JSON array, a path outside
 * /spec/, an operation that fails, one reading or moving a value outside the modelled
 * part) is ignored as a whole: s is then mg_lmc_settings_hco_own's, and why (may be
 * NULL) gets MG_EINVAL (MG_ENOMEM when out of memory) with a message naming the
 * operation "op[INDEX] (OP PATH): ..." but not the annotation; otherwise why->code is
 * 0. Returns the keys the applied annotation set or removed, bit
 * (1u << mg_lmc_key_index(key)). Allocates only while it runs. */
unsigned mg_lmc_settings_of_hco(struct mg_lmc_settings *s, const cJSON *hco,
                                const char *req_version, const struct mg_config *cfg,
                                struct mg_err *why);

/* The cluster's settings (RULES.md 9.3), resolved: the KubeVirt CR's
 * spec.configuration.migrations over the defaults when the view has a KubeVirt CR;
 * else mg_lmc_settings_of_hco of mg_lmc_hco_pick; else the defaults. view may be NULL. */
void mg_lmc_settings_cluster(struct mg_lmc_settings *s, const struct mg_store *view,
                             const struct mg_config *cfg);

/* The HyperConverged whose settings count when the view holds several: the one named
 * kubevirt-hyperconverged (among several, the smallest namespace in byte order), else
 * the smallest namespace, then name. The same whatever the view's order. NULL when
 * there is none. Borrowed from the view. */
const cJSON *mg_lmc_hco_pick(const struct mg_store *view);

/* The HyperConvergeds mg_lmc_hco_pick passes over, in its order: the first max go to
 * out (borrowed from the view; out may be NULL when max is 0). Returns how many there
 * are in all, so callers can say "and N more". */
size_t mg_lmc_hco_ignored(const struct mg_store *view, const cJSON **out, size_t max);

/* When the cluster's settings come from a HyperConverged (no KubeVirt CR in the view)
 * whose kubevirt.kubevirt.io/jsonpatch annotation mg_lmc_settings_of_hco ignores, one
 * line into buf naming the HyperConverged, the annotation and the failing operation;
 * otherwise "". The caller holds the view's lock. */
void mg_lmc_jsonpatch_note(const struct mg_store *view, const struct mg_config *cfg, char *buf,
                           size_t len);

/* LMC006/MP006's verdict on a resolved s (RULES.md LMC006, 9.2, 9.18). */
enum mg_lmc_fit_result {
    MG_LMC_FIT_OK,     /* feasible, or T = 0, or E = 0, or post-copy finishes it */
    MG_LMC_FIT_PAUSE,  /* paused guest, doubled deadline, enough: a warning */
    MG_LMC_FIT_CANCEL, /* every whole-GB VM is cancelled at its deadline: deny */
};

struct mg_lmc_fit {
    enum mg_lmc_fit_result result;
    int64_t mib;         /* E: the bandwidth KubeVirt applies, MiB/s (0: unlimited) */
    double unit_seconds; /* seconds one 10^9-byte unit needs at E, for messages only */
    bool doubled;        /* the deadline that failed is 2T (the guest is paused) */
};

/* With E = mg_quantity_mebibytes(bandwidth) and T = completionTimeoutPerGiB: OK when
 * T = 0, E = 0 or E x 2^20 x T >= 10^9 (exact integers); otherwise by the effective
 * allowWorkloadDisruption: false CANCEL; true with allowPostCopy OK; true without it
 * CANCEL when E x 2^20 x 2T < 10^9, else PAUSE. */
enum mg_lmc_fit_result mg_lmc_fit_check(const struct mg_lmc_settings *s, struct mg_lmc_fit *fit);

/* The liveMigrationConfig item as written (any JSON type) at the v1 or v1beta1 path,
 * or NULL when absent. Borrowed from hco. */
const cJSON *mg_lmc_item(const cJSON *hco, bool v1);

/* "spec.virtualization.liveMigrationConfig" (v1) or "spec.liveMigrationConfig". */
const char *mg_lmc_path(bool v1);

/* The liveMigrationConfig of a HyperConverged object, or NULL. *path (may be NULL) gets
 * "spec.liveMigrationConfig" (v1beta1) or "spec.virtualization.liveMigrationConfig" (v1). */
const cJSON *mg_lmc_of_hco(const cJSON *hco, const char **path);

/* True when a HyperConverged uses the v1 layout (spec.virtualization.liveMigrationConfig):
 * its apiVersion decides; without a known one req_version (request.kind.version, may be
 * NULL); without that, the presence of a spec.virtualization map. */
bool mg_lmc_hco_is_v1(const cJSON *hco, const char *req_version);

/* LMC001-LMC003 (and LMC004: not a string) on one bandwidthPerMigration value. True when
 * valid, with the value in *q. Otherwise *rule is the failing rule and why gets the
 * message without the "[RULE] " prefix, starting with "bandwidthPerMigration". */
bool mg_lmc_check_bandwidth(const cJSON *it, struct mg_quantity *q, enum mg_rule *rule, char *why,
                            size_t whylen);

#endif
