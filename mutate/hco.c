/* SPDX-License-Identifier: Apache-2.0 */
/* hco.c - inject the defaults table into a HyperConverged's liveMigrationConfig
 * (RULES.md sections 2, 7 and 9.4): every absent or null field gets the table's value,
 * a value the user set (0, false, or even of the wrong type) is never touched.
 * Pure: builds JSON Patch operations only. */
#include "json.h"
#include "mutate.h"

#include <stdbool.h>

#include "lmc.h"

/* The injected keys are the first MG_LMC_DEFAULTED of mg_lmc_keys, in the defaults
 * table's order (RULES.md section 2). */
#define N_DEFAULTS MG_LMC_DEFAULTED

/* True when the table has a value for key i on this version (no bandwidth means
 * unlimited; allowWorkloadDisruption is injected per version). */
static bool has_default(const struct mg_lmc_defaults *d, bool v1, int i)
{
    if (i == 0)
        return d->bandwidth != NULL;
    if (i == N_DEFAULTS - 1)
        return v1 ? d->inject_awd_v1 : d->inject_awd_v1beta1;
    return true;
}

/* The table's value for key i (has_default must hold); NULL when out of memory. */
static cJSON *default_value(const struct mg_lmc_defaults *d, int i)
{
    switch (i) {
    case 0: return cJSON_CreateString(d->bandwidth);
    case 1: return cJSON_CreateNumber((double)d->completion_timeout);
    case 2: return cJSON_CreateNumber((double)d->parallel_cluster);
    case 3: return cJSON_CreateNumber((double)d->parallel_node);
    case 4: return cJSON_CreateNumber((double)d->progress_timeout);
    case 5: return cJSON_CreateBool(d->allow_auto_converge);
    case 6: return cJSON_CreateBool(d->allow_post_copy);
    default: return cJSON_CreateFalse();
    }
}

/* The whole liveMigrationConfig map of the table, or NULL when out of memory. */
static cJSON *full_map(const struct mg_lmc_defaults *d, bool v1)
{
    cJSON *map = cJSON_CreateObject();

    for (int i = 0; map && i < N_DEFAULTS; i++) {
        cJSON *val;

        if (!has_default(d, v1, i))
            continue;
        val = default_value(d, i);
        if (!val || !cJSON_AddItemToObject(map, mg_lmc_keys[i], val)) {
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

/* Add each absent or null field of an existing liveMigrationConfig map. */
static int add_missing(const struct mg_mctx *ctx, const cJSON *lmc, bool v1)
{
    const struct mg_lmc_defaults *d = ctx->cfg->defaults;

    for (int i = 0; i < N_DEFAULTS; i++) {
        char ptr[128];
        int rc;

        if (!has_default(d, v1, i) || !absent(mg_json_get(lmc, mg_lmc_keys[i])))
            continue;
        rc = v1 ? mg_patch_pointer(ptr, sizeof(ptr), 4, "spec", "virtualization",
                                   "liveMigrationConfig", mg_lmc_keys[i])
                : mg_patch_pointer(ptr, sizeof(ptr), 3, "spec", "liveMigrationConfig",
                                   mg_lmc_keys[i]);
        if (rc == 0)
            rc = mg_patch_add(ctx->patch, ptr, default_value(d, i));
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

    if ((req->op != MG_OP_CREATE && req->op != MG_OP_UPDATE) || !cJSON_IsObject(req->object) || !d)
        return 0;
    v1 = mg_lmc_hco_is_v1(req->object, req->version);
    /* RFC 6902 add needs the parent to exist: the first missing map is added whole. */
    spec = mg_json_get(req->object, "spec");
    if (absent(spec)) {
        cJSON *lmc_map = wrap("liveMigrationConfig", full_map(d, v1));

        return mg_patch_add(ctx->patch, "/spec", v1 ? wrap("virtualization", lmc_map) : lmc_map);
    }
    if (!cJSON_IsObject(spec))
        return 0;
    parent = spec;
    if (v1) {
        parent = mg_json_get(spec, "virtualization");
        if (absent(parent))
            return mg_patch_add(ctx->patch, "/spec/virtualization",
                                wrap("liveMigrationConfig", full_map(d, v1)));
        if (!cJSON_IsObject(parent))
            return 0;
    }
    lmc = mg_json_get(parent, "liveMigrationConfig");
    if (absent(lmc))
        return mg_patch_add(ctx->patch,
                            v1 ? "/spec/virtualization/liveMigrationConfig"
                               : "/spec/liveMigrationConfig",
                            full_map(d, v1));
    /* A liveMigrationConfig of the wrong type is LMC004's to deny, not ours to replace. */
    if (!cJSON_IsObject(lmc))
        return 0;
    return add_missing(ctx, lmc, v1);
}
