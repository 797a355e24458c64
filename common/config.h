/* SPDX-License-Identifier: Apache-2.0 */
/* config.h - migguard's configuration: the action of each rule, the
 * liveMigrationConfig defaults table, the cluster default eviction strategy.
 * Immutable after load and shared by all threads. */
#ifndef MG_CONFIG_H
#define MG_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "rules.h"

/* One named, versioned defaults table (RULES.md section 2). */
struct mg_lmc_defaults {
    const char *name;           /* "hco-1.14" */
    const char *bandwidth;      /* injected bandwidthPerMigration, NULL: none (unlimited) */
    int64_t completion_timeout; /* completionTimeoutPerGiB */
    int64_t parallel_cluster;   /* parallelMigrationsPerCluster */
    int64_t parallel_node;      /* parallelOutboundMigrationsPerNode */
    int64_t progress_timeout;   /* progressTimeout */
    bool allow_auto_converge;   /* allowAutoConverge */
    bool allow_post_copy;       /* allowPostCopy */
    bool inject_awd_v1;         /* inject allowWorkloadDisruption: false on hco v1 */
    bool inject_awd_v1beta1;    /* ... and on v1beta1 */
};

enum mg_eviction {
    MG_EVICT_UNSET = 0,
    MG_EVICT_NONE,
    MG_EVICT_LIVE_MIGRATE,
    MG_EVICT_LIVE_MIGRATE_IF_POSSIBLE,
    MG_EVICT_EXTERNAL
};

struct mg_config {
    enum mg_action actions[MG_RULE_COUNT];
    const struct mg_lmc_defaults *defaults; /* points into the static tables */
    enum mg_eviction default_eviction;      /* MG_EVICT_UNSET: take it from the view */
};

/* The embedded default configuration, as YAML text (what --config replaces). */
extern const char mg_config_default_yaml[];

/* Fill cfg with the shipped defaults (every rule its shipped action, hco-1.14). */
void mg_config_init(struct mg_config *cfg);

/* Parse a YAML configuration over cfg's current values. Unknown keys, rule ids,
 * actions or tables are errors naming the key and, where known, the line. */
int mg_config_parse(struct mg_config *cfg, const char *text, size_t len, const char *filename,
                    struct mg_err *err);

/* mg_config_init, then mg_config_parse of the file at path. */
int mg_config_load_file(struct mg_config *cfg, const char *path, struct mg_err *err);

/* The action configured for rule. */
enum mg_action mg_config_action(const struct mg_config *cfg, enum mg_rule rule);

/* A defaults table by name ("hco-1.14"), NULL when there is none. Static storage. */
const struct mg_lmc_defaults *mg_config_defaults_lookup(const char *name);

/* Parse an eviction strategy name ("LiveMigrate"); false for unknown names. */
bool mg_eviction_parse(const char *text, enum mg_eviction *out);

#endif
