/* SPDX-License-Identifier: Apache-2.0 */
/* lmc_settings.c - where the cluster's migration settings come from (RULES.md 9.3): the
 * KubeVirt CR, else the chosen HyperConverged with its kubevirt.kubevirt.io/jsonpatch
 * operations on /spec/configuration/migrations, else the defaults table; and LMC006's
 * arithmetic (9.2, 9.18). Pure functions of the view; the caller holds its lock. */
#include "lmc.h"

#include <string.h>

#include "json.h"

#define MIGRATIONS "/spec/configuration/migrations"
#define HCO_NAME "kubevirt-hyperconverged"

__extension__ typedef unsigned __int128 u128;

/* The defaults table's bandwidth: zero (unlimited) when the table has none. */
static void default_bandwidth(struct mg_quantity *q, const struct mg_config *cfg)
{
    struct mg_err err;

    if (!cfg->defaults || !cfg->defaults->bandwidth ||
        mg_quantity_parse(cfg->defaults->bandwidth, q, &err) != 0)
        mg_quantity_from_int(q, 0);
}

void mg_lmc_settings_default(struct mg_lmc_settings *s, const struct mg_config *cfg)
{
    const struct mg_lmc_defaults *d = cfg->defaults;

    memset(s, 0, sizeof(*s));
    default_bandwidth(&s->bandwidth, cfg);
    if (!d)
        return;
    s->completion_timeout = d->completion_timeout;
    s->parallel_cluster = d->parallel_cluster;
    s->parallel_node = d->parallel_node;
    s->progress_timeout = d->progress_timeout;
    s->allow_auto_converge = d->allow_auto_converge;
    s->allow_post_copy = d->allow_post_copy;
}

void mg_lmc_settings_resolve(struct mg_lmc_settings *s)
{
    if (!s->awd_set)
        s->allow_workload_disruption = s->allow_post_copy;
    s->awd_set = true;
}

void mg_lmc_settings_unset(struct mg_lmc_settings *s, const char *key, const struct mg_config *cfg)
{
    struct mg_lmc_settings d;

    mg_lmc_settings_default(&d, cfg);
    switch (mg_lmc_key_index(key)) {
    case MG_LMC_K_BANDWIDTH: s->bandwidth = d.bandwidth; break;
    case MG_LMC_K_COMPLETION: s->completion_timeout = d.completion_timeout; break;
    case MG_LMC_K_PAR_CLUSTER: s->parallel_cluster = d.parallel_cluster; break;
    case MG_LMC_K_PAR_NODE: s->parallel_node = d.parallel_node; break;
    case MG_LMC_K_PROGRESS: s->progress_timeout = d.progress_timeout; break;
    case MG_LMC_K_AUTO_CONVERGE: s->allow_auto_converge = d.allow_auto_converge; break;
    case MG_LMC_K_POST_COPY: s->allow_post_copy = d.allow_post_copy; break;
    case MG_LMC_K_WORKLOAD_DISRUPTION:
        s->allow_workload_disruption = false;
        s->awd_set = false;
        break;
    case MG_LMC_K_NETWORK: s->network = NULL; break;
    default: break;
    }
}

bool mg_lmc_table_injects_awd(const struct mg_config *cfg, bool v1)
{
    return cfg->defaults && (v1 ? cfg->defaults->inject_awd_v1 : cfg->defaults->inject_awd_v1beta1);
}

bool mg_lmc_hco_is_v1(const cJSON *hco, const char *req_version)
{
    const cJSON *av = mg_json_get(hco, "apiVersion");
    const cJSON *spec;

    if (cJSON_IsString(av)) {
        if (strcmp(av->valuestring, "hco.kubevirt.io/v1") == 0)
            return true;
        if (strcmp(av->valuestring, "hco.kubevirt.io/v1beta1") == 0)
            return false;
    }
    if (req_version && *req_version)
        return strcmp(req_version, "v1") == 0;
    /* Neither says: a spec.virtualization map is the v1 layout. */
    spec = mg_json_get(hco, "spec");
    return cJSON_IsObject(mg_json_get(spec, "virtualization"));
}

const cJSON *mg_lmc_item(const cJSON *hco, bool v1)
{
    const cJSON *parent = mg_json_get(hco, "spec");

    if (!cJSON_IsObject(parent))
        return NULL;
    if (v1) {
        parent = mg_json_get(parent, "virtualization");
        if (!cJSON_IsObject(parent))
            return NULL;
    }
    return mg_json_get(parent, "liveMigrationConfig");
}

const char *mg_lmc_path(bool v1)
{
    return v1 ? "spec.virtualization.liveMigrationConfig" : "spec.liveMigrationConfig";
}

const cJSON *mg_lmc_of_hco(const cJSON *hco, const char **path)
{
    bool v1 = mg_lmc_hco_is_v1(hco, NULL);
    const cJSON *lmc = mg_lmc_item(hco, v1);

    if (path)
        *path = mg_lmc_path(v1);
    return cJSON_IsObject(lmc) ? lmc : NULL;
}

cJSON *mg_lmc_jsonpatch_ops(const cJSON *hco)
{
    const cJSON *ann = mg_json_get(mg_json_get(mg_json_get(hco, "metadata"), "annotations"),
                                   MG_LMC_JSONPATCH_ANNOTATION);
    cJSON *ops;

    /* Most annotations patch other parts of the KubeVirt CR: no parse for those. */
    if (!cJSON_IsString(ann) || !strstr(ann->valuestring, MIGRATIONS))
        return NULL;
    ops = cJSON_Parse(ann->valuestring);
    if (!cJSON_IsArray(ops)) {
        cJSON_Delete(ops);
        return NULL;
    }
    return ops;
}

const char *mg_lmc_jsonpatch_key(const cJSON *op, bool *put)
{
    const char *kind = mg_json_str(op, "op"), *path = mg_json_str(op, "path");
    size_t len = strlen(MIGRATIONS);

    if (!kind || !path || strncmp(path, MIGRATIONS, len) != 0)
        return NULL;
    *put = strcmp(kind, "add") == 0 || strcmp(kind, "replace") == 0;
    if (!*put && strcmp(kind, "remove") != 0)
        return NULL;
    path += len;
    if (*path == '\0')
        return path;
    /* A deeper path or an escaped token never names one of our (flat, plain) keys. */
    if (*path != '/' || strchr(path + 1, '/') || mg_lmc_key_index(path + 1) < 0)
        return NULL;
    return path + 1;
}

/* One operation on the migration settings. The network key is left alone: the settings
 * would borrow its text from the parsed annotation. */
static unsigned apply_op(struct mg_lmc_settings *s, const cJSON *op, const struct mg_config *cfg)
{
    const char *net = s->network;
    bool put = false;
    const char *key = mg_lmc_jsonpatch_key(op, &put);
    int k;

    if (!key)
        return 0;
    if (!*key) {
        /* The whole map: what it does not name is KubeVirt's default again. */
        for (k = 0; k < MG_LMC_KEY_COUNT; k++)
            mg_lmc_settings_unset(s, mg_lmc_keys[k], cfg);
        if (put)
            mg_lmc_settings_overlay(s, mg_json_get(op, "value"));
        s->network = net;
        return ((1u << MG_LMC_KEY_COUNT) - 1) & ~(1u << MG_LMC_K_NETWORK);
    }
    k = mg_lmc_key_index(key);
    if (k == MG_LMC_K_NETWORK)
        return 0;
    if (!put) {
        mg_lmc_settings_unset(s, key, cfg);
        return 1u << k;
    }
    return mg_lmc_settings_set(s, key, mg_json_get(op, "value")) ? 1u << k : 0;
}

unsigned mg_lmc_settings_jsonpatch(struct mg_lmc_settings *s, const cJSON *hco,
                                   const struct mg_config *cfg)
{
    cJSON *ops = mg_lmc_jsonpatch_ops(hco);
    const cJSON *op;
    unsigned touched = 0;

    cJSON_ArrayForEach (op, ops)
        touched |= apply_op(s, op, cfg);
    cJSON_Delete(ops);
    return touched;
}

void mg_lmc_settings_hco_own(struct mg_lmc_settings *s, const cJSON *hco, const char *req_version,
                             const struct mg_config *cfg)
{
    bool v1 = mg_lmc_hco_is_v1(hco, req_version);
    const cJSON *lmc = mg_lmc_item(hco, v1);
    const cJSON *awd = mg_json_get(lmc, "allowWorkloadDisruption");

    mg_lmc_settings_default(s, cfg);
    mg_lmc_settings_overlay(s, lmc);
    /* The mutating path injects the table's allowWorkloadDisruption where the key is
     * absent or null (and leaves a liveMigrationConfig that is not a map alone); a value
     * of the wrong type stays, and is not guessed at. */
    if ((!lmc || cJSON_IsObject(lmc) || cJSON_IsNull(lmc)) && (!awd || cJSON_IsNull(awd)) &&
        mg_lmc_table_injects_awd(cfg, v1)) {
        s->allow_workload_disruption = false;
        s->awd_set = true;
    }
}

unsigned mg_lmc_settings_of_hco(struct mg_lmc_settings *s, const cJSON *hco,
                                const char *req_version, const struct mg_config *cfg)
{
    unsigned touched;

    mg_lmc_settings_hco_own(s, hco, req_version, cfg);
    touched = mg_lmc_settings_jsonpatch(s, hco, cfg);
    mg_lmc_settings_resolve(s);
    return touched;
}

static const char *ns_of(const cJSON *obj)
{
    const char *ns = mg_json_str(mg_json_get(obj, "metadata"), "namespace");

    return ns ? ns : "";
}

/* True when HyperConverged a comes before b in mg_lmc_hco_pick's order. */
static bool before(const cJSON *a, const cJSON *b)
{
    const char *na = mg_json_name_or(a, ""), *nb = mg_json_name_or(b, "");
    bool ka = strcmp(na, HCO_NAME) == 0, kb = strcmp(nb, HCO_NAME) == 0;
    int c;

    if (ka != kb)
        return ka;
    c = strcmp(ns_of(a), ns_of(b));
    return c != 0 ? c < 0 : strcmp(na, nb) < 0;
}

const cJSON *mg_lmc_hco_pick(const struct mg_store *view)
{
    const cJSON *const *items = NULL;
    const cJSON *best = NULL;
    size_t n = view ? mg_store_list(view, "HyperConverged", &items) : 0;

    for (size_t i = 0; i < n; i++)
        if (!best || before(items[i], best))
            best = items[i];
    return best;
}

size_t mg_lmc_hco_ignored(const struct mg_store *view, const cJSON **out, size_t max)
{
    const cJSON *const *items = NULL;
    const cJSON *best = mg_lmc_hco_pick(view);
    size_t n = view ? mg_store_list(view, "HyperConverged", &items) : 0, count = 0;

    /* A handful of objects at most: each one's place is how many come before it. */
    for (size_t i = 0; i < n; i++) {
        size_t rank = 0;

        if (items[i] == best)
            continue;
        for (size_t j = 0; j < n; j++)
            rank += items[j] != best && before(items[j], items[i]);
        if (rank < max)
            out[rank] = items[i];
        count++;
    }
    return count;
}

void mg_lmc_settings_cluster(struct mg_lmc_settings *s, const struct mg_store *view,
                             const struct mg_config *cfg)
{
    const cJSON *const *items = NULL;
    const cJSON *hco;

    /* What KubeVirt reads, and what HCO writes there (its jsonpatch included). */
    if (view && mg_store_list(view, "KubeVirt", &items) > 0) {
        const cJSON *conf = mg_json_get(mg_json_get(items[0], "spec"), "configuration");

        mg_lmc_settings_default(s, cfg);
        mg_lmc_settings_overlay(s, mg_json_get(conf, "migrations"));
        mg_lmc_settings_resolve(s);
        return;
    }
    hco = mg_lmc_hco_pick(view);
    if (hco) {
        mg_lmc_settings_of_hco(s, hco, NULL, cfg);
        return;
    }
    mg_lmc_settings_default(s, cfg);
    mg_lmc_settings_resolve(s);
}

enum mg_lmc_fit_result mg_lmc_fit_check(const struct mg_lmc_settings *s, struct mg_lmc_fit *fit)
{
    const u128 unit = 1000000000u;
    int64_t t = s->completion_timeout;
    u128 per_second;

    memset(fit, 0, sizeof(*fit));
    fit->mib = mg_quantity_mebibytes(&s->bandwidth);
    if (fit->mib <= 0 || t <= 0)
        return fit->result = MG_LMC_FIT_OK;
    fit->unit_seconds = 1e9 / ((double)fit->mib * 1048576.0);
    /* E <= 2^43 and T < 2^63: E x 2^20 x 2T < 2^127 fits. */
    per_second = (u128)fit->mib << 20;
    if (per_second * (u128)t >= unit)
        return fit->result = MG_LMC_FIT_OK;
    if (!s->allow_workload_disruption)
        return fit->result = MG_LMC_FIT_CANCEL;
    if (s->allow_post_copy)
        return fit->result = MG_LMC_FIT_OK;
    if (per_second * (u128)t * 2 < unit) {
        fit->doubled = true;
        return fit->result = MG_LMC_FIT_CANCEL;
    }
    return fit->result = MG_LMC_FIT_PAUSE;
}
