/* SPDX-License-Identifier: Apache-2.0 */
/* lmc.h - the HyperConverged liveMigrationConfig rules (LMC001-LMC009) and the
 * cluster's effective migration settings that other rule families read.
 * Pure functions of (request, view, config). */
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
    bool allow_workload_disruption;
    bool has_max_downtime;
    int64_t max_downtime_ms;
    const char *network; /* borrowed from the view, NULL: none */
};

/* The documented liveMigrationConfig keys in RULES.md section 2's order; the first
 * MG_LMC_DEFAULTED of them have a value in the defaults tables. */
#define MG_LMC_KEY_COUNT 9
#define MG_LMC_DEFAULTED 8
extern const char *const mg_lmc_keys[MG_LMC_KEY_COUNT];

/* HyperConverged CREATE/UPDATE: LMC001-LMC009 on the path of its apiVersion. */
int mg_lmc_validate(const struct mg_vctx *ctx);

/* The settings of the defaults table of cfg. */
void mg_lmc_settings_default(struct mg_lmc_settings *s, const struct mg_config *cfg);

/* Lay every well-typed, valid field of a liveMigrationConfig object over s (fields
 * that fail their rules are ignored). lmc may be NULL. */
void mg_lmc_settings_overlay(struct mg_lmc_settings *s, const cJSON *lmc);

/* The cluster's settings: the defaults with the liveMigrationConfig of the
 * HyperConverged in the view (the first one) laid over them. */
void mg_lmc_settings_cluster(struct mg_lmc_settings *s, const struct mg_store *view,
                             const struct mg_config *cfg);

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
