/* SPDX-License-Identifier: Apache-2.0 */
/* hco.c - inject the defaults table into a HyperConverged's liveMigrationConfig
 * (RULES.md sections 2, 7 and 9.4): every absent or null field gets the table's value,
 * a value the user set (0, false, or even of the wrong type) is never touched.
 * Pure: builds JSON Patch operations only. */
#include "mutate.h"

#include <stdbool.h>
#include <stdio.h>

#include "lmc.h"

#define N_DEFAULTS 8

/* The i-th default of the table, in the table's order; NULL value when the table has
 * none for this version (no bandwidth: unlimited; allowWorkloadDisruption per version). */
static cJSON *default_value(const struct mg_lmc_defaults *d, bool v1, int i, const char **key)
{
    switch (i) {
    case 0:
        *key = "bandwidthPerMigration";
        return d->bandwidth ? cJSON_CreateString(d->bandwidth) : NULL;
    case 1:
        *key = "completionTimeoutPerGiB";
        return cJSON_CreateNumber((double)d->completion_timeout);
    case 2:
        *key = "parallelMigrationsPerCluster";
        return cJSON_CreateNumber((double)d->parallel_cluster);
    case 3:
        *key = "parallelOutboundMigrationsPerNode";
        return cJSON_CreateNumber((double)d->parallel_node);
    case 4:
        *key = "progressTimeout";
        return cJSON_CreateNumber((double)d->progress_timeout);
    case 5:
        *key = "allowAutoConverge";
        return cJSON_CreateBool(d->allow_auto_converge);
    case 6:
        *key = "allowPostCopy";
        return cJSON_CreateBool(d->allow_post_copy);
    default:
        *key = "allowWorkloadDisruption";
        return (v1 ? d->inject_awd_v1 : d->inject_awd_v1beta1) ? cJSON_CreateFalse() : NULL;
    }
}

/* True when the table has a value for slot i on this version. */
static bool has_default(const struct mg_lmc_defaults *d, bool v1, int i)
{
    if (i == 0)
        return d->bandwidth != NULL;
    if (i == N_DEFAULTS - 1)
        return v1 ? d->inject_awd_v1 : d->inject_awd_v1beta1;
    return true;
}

/* The whole liveMigrationConfig map of the table, or NULL when out of memory. */
static cJSON *full_map(const struct mg_lmc_defaults *d, bool v1)
{
    cJSON *map = cJSON_CreateObject();

    for (int i = 0; map && i < N_DEFAULTS; i++) {
        const char *key = NULL;
        cJSON *val;

        if (!has_default(d, v1, i))
            continue;
        val = default_value(d, v1, i, &key);
        if (!val || !cJSON_AddItemToObject(map, key, val)) {
            cJSON_Delete(val);
            cJSON_Delete(map);
            map = NULL;
        }
    }
    return map;
}

/* Wrap child under key in a new map; takes ownership of child, NULL when out of memory. */
static cJSON *wrap(const char *key, cJSON *child)
{
    cJSON *map = child ? cJSON_CreateObject() : NULL;

    if (!map || !cJSON_AddItemToObject(map, key, child)) {
        cJSON_Delete(map);
        cJSON_Delete(child);
        return NULL;
    }
    return map;
}

static bool absent(const cJSON *it)
{
    return !it || cJSON_IsNull(it);
}

/* Add each absent or null field of an existing liveMigrationConfig map at ptr. */
static int add_missing(const struct mg_mctx *ctx, const cJSON *lmc, bool v1, const char *ptr)
{
    const struct mg_lmc_defaults *d = ctx->cfg->defaults;

    for (int i = 0; i < N_DEFAULTS; i++) {
        const char *key = NULL;
        char field[256];
        cJSON *val;
        int rc;

        if (!has_default(d, v1, i))
            continue;
        val = default_value(d, v1, i, &key);
        if (!absent(cJSON_GetObjectItemCaseSensitive(lmc, key))) {
            cJSON_Delete(val);
            continue;
        }
        if (snprintf(field, sizeof(field), "%s/%s", ptr, key) >= (int)sizeof(field)) {
            cJSON_Delete(val);
            return MG_EINTERNAL;
        }
        rc = mg_patch_add(ctx->patch, field, val);
        if (rc)
            return rc;
    }
    return 0;
}

int mg_hco_mutate(const struct mg_mctx *ctx)
{
    const struct mg_request *req = ctx->req;
    const struct mg_lmc_defaults *d = ctx->cfg->defaults;
    const cJSON *spec, *parent, *lmc;
    bool v1;

    if ((req->op != MG_OP_CREATE && req->op != MG_OP_UPDATE) || !cJSON_IsObject(req->object) ||
        !d)
        return 0;
    v1 = mg_lmc_hco_is_v1(req->object, req->version);
    /* RFC 6902 add needs the parent to exist: the first missing map is added whole. */
    spec = cJSON_GetObjectItemCaseSensitive(req->object, "spec");
    if (absent(spec)) {
        cJSON *lmc_map = wrap("liveMigrationConfig", full_map(d, v1));

        return mg_patch_add(ctx->patch, "/spec", v1 ? wrap("virtualization", lmc_map) : lmc_map);
    }
    if (!cJSON_IsObject(spec))
        return 0;
    parent = spec;
    if (v1) {
        parent = cJSON_GetObjectItemCaseSensitive(spec, "virtualization");
        if (absent(parent))
            return mg_patch_add(ctx->patch, "/spec/virtualization",
                                wrap("liveMigrationConfig", full_map(d, v1)));
        if (!cJSON_IsObject(parent))
            return 0;
    }
    lmc = cJSON_GetObjectItemCaseSensitive(parent, "liveMigrationConfig");
    if (absent(lmc))
        return mg_patch_add(ctx->patch,
                            v1 ? "/spec/virtualization/liveMigrationConfig"
                               : "/spec/liveMigrationConfig",
                            full_map(d, v1));
    /* A liveMigrationConfig of the wrong type is LMC004's to deny, not ours to replace. */
    if (!cJSON_IsObject(lmc))
        return 0;
    return add_missing(ctx, lmc, v1,
                       v1 ? "/spec/virtualization/liveMigrationConfig" : "/spec/liveMigrationConfig");
}
