/* SPDX-License-Identifier: Apache-2.0 */
/* annotate.c - annotate VirtualMachines and VMIs with the MigrationPolicy that applies
 * and the effective migration settings (RULES.md sections 4 and 7). Adds the whole
 * annotations map when there is none; sends nothing when both values are already
 * right, so the same object admitted twice gets the same answer. No I/O. */
#include "json.h"
#include "mutate.h"

#include <stdio.h>
#include <string.h>

#include "mp.h"
#include "policy.h"

#define ANN_POLICY "migguard.io/migration-policy"
#define ANN_CONFIG "migguard.io/migration-config"

static const char *tf(bool b)
{
    return b ? "true" : "false";
}

int mg_annotate_values(const struct mg_mctx *ctx, const char **policy, char *buf, size_t len)
{
    struct mg_policy_match m;
    struct mg_lmc_settings s;
    char bw[48], downtime[48] = "";
    int n;

    mg_policy_resolve_in(ctx->view, ctx->req->object, ctx->req->namespace_, &m);
    mg_mp_settings_effective(&s, ctx->view, ctx->cfg, m.policy ? &m.fields : NULL);
    *policy = m.name ? m.name : "none";
    mg_mp_quantity_format(&s.bandwidth, bw, sizeof(bw));
    if (s.has_max_downtime)
        snprintf(downtime, sizeof(downtime), "\"maxDowntimeMs\":%lld,",
                 (long long)s.max_downtime_ms);
    /* Written by hand: cJSON prints numbers as doubles, which loses int64 digits. */
    n = snprintf(buf, len,
                 "{\"bandwidthPerMigration\":\"%s\",\"completionTimeoutPerGiB\":%lld,"
                 "\"allowAutoConverge\":%s,\"allowPostCopy\":%s,\"allowWorkloadDisruption\":%s,"
                 "%s\"progressTimeout\":%lld,\"parallelOutboundMigrationsPerNode\":%lld,"
                 "\"parallelMigrationsPerCluster\":%lld}",
                 bw, (long long)s.completion_timeout, tf(s.allow_auto_converge),
                 tf(s.allow_post_copy), tf(s.allow_workload_disruption), downtime,
                 (long long)s.progress_timeout, (long long)s.parallel_node,
                 (long long)s.parallel_cluster);
    return n < 0 || (size_t)n >= len ? MG_EINVAL : 0;
}

static bool has_value(const cJSON *annotations, const char *key, const char *value)
{
    const cJSON *it = mg_json_get(annotations, key);

    return cJSON_IsString(it) && strcmp(it->valuestring, value) == 0;
}

static int add_one(struct mg_patch *p, const char *key, const char *value)
{
    char ptr[128];
    int rc = mg_patch_pointer(ptr, sizeof(ptr), 3, "metadata", "annotations", key);

    return rc ? rc : mg_patch_add(p, ptr, cJSON_CreateString(value));
}

static int add_metadata(struct mg_patch *p, cJSON *map)
{
    cJSON *meta = cJSON_CreateObject();

    if (!meta || !cJSON_AddItemToObject(meta, "annotations", map)) {
        cJSON_Delete(meta);
        cJSON_Delete(map);
        return MG_ENOMEM;
    }
    return mg_patch_add(p, "/metadata", meta);
}

int mg_annotate_mutate(const struct mg_mctx *ctx)
{
    const cJSON *md = mg_json_get(ctx->req->object, "metadata");
    const cJSON *ann = mg_json_get(md, "annotations");
    const char *policy;
    char config[768];
    cJSON *map;
    int rc = mg_annotate_values(ctx, &policy, config, sizeof(config));

    if (rc)
        return rc;
    if (cJSON_IsObject(ann)) {
        if (!has_value(ann, ANN_POLICY, policy) && (rc = add_one(ctx->patch, ANN_POLICY, policy)))
            return rc;
        if (!has_value(ann, ANN_CONFIG, config))
            rc = add_one(ctx->patch, ANN_CONFIG, config);
        return rc;
    }
    /* No map (or null): add the whole map, under a new metadata when that is absent. */
    map = cJSON_CreateObject();
    if (!map || !cJSON_AddStringToObject(map, ANN_POLICY, policy) ||
        !cJSON_AddStringToObject(map, ANN_CONFIG, config)) {
        cJSON_Delete(map);
        return MG_ENOMEM;
    }
    if (cJSON_IsObject(md))
        return mg_patch_add(ctx->patch, "/metadata/annotations", map);
    return add_metadata(ctx->patch, map);
}
