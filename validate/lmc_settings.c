/* SPDX-License-Identifier: Apache-2.0 */
/* lmc_settings.c - where the cluster's migration settings come from (RULES.md 9.3): the
 * KubeVirt CR, else the chosen HyperConverged with its kubevirt.kubevirt.io/jsonpatch
 * operations on /spec/configuration/migrations, else the defaults table; and LMC006's
 * arithmetic (9.2, 9.18). Pure functions of the view; the caller holds its lock. */
#include "lmc.h"

#include <stdio.h>
#include <string.h>

#include "json.h"
#include "jsonnum.h"
#include "jsonpatch.h"

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

/* Where a pointer lies from MIGRATIONS, by whole tokens (MIGRATIONS has no escapes,
 * so its text is its tokens). */
enum place { OUTSIDE, INSIDE, ABOVE };

static enum place place_of(const char *p)
{
    size_t n = strlen(MIGRATIONS), m = p ? strlen(p) : 0;

    if (!p)
        return OUTSIDE;
    if (strncmp(p, MIGRATIONS, n) == 0 && (p[n] == '\0' || p[n] == '/'))
        return INSIDE;
    if (m < n && strncmp(MIGRATIONS, p, m) == 0 && MIGRATIONS[m] == '/')
        return ABOVE;
    return OUTSIDE;
}

/* Parse hco's annotation: 0 with *ops NULL when it has none; MG_EINVAL when the text is
 * not a JSON array. Caller frees *ops with cJSON_Delete. */
static int annotation_ops(const cJSON *hco, cJSON **ops, struct mg_err *err)
{
    const cJSON *ann = mg_json_get(mg_json_get(mg_json_get(hco, "metadata"), "annotations"),
                                   MG_LMC_JSONPATCH_ANNOTATION);

    *ops = NULL;
    if (!ann)
        return 0;
    if (cJSON_IsString(ann))
        *ops = cJSON_Parse(ann->valuestring);
    if (cJSON_IsArray(*ops))
        return 0;
    cJSON_Delete(*ops);
    *ops = NULL;
    return mg_err_set(err, MG_EINVAL, "the text is not a JSON array of JSON Patch operations");
}

cJSON *mg_lmc_jsonpatch_ops(const cJSON *hco)
{
    cJSON *ops = NULL;

    annotation_ops(hco, &ops, NULL);
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

static bool is_op(const cJSON *op, const char *kind)
{
    const char *k = mg_json_str(op, "op");

    return k && strcmp(k, kind) == 0;
}

/* The operations that can change the migration settings: on MIGRATIONS, inside it or
 * above it, and a move out of it. The others patch parts of the KubeVirt CR migguard
 * does not model. */
static bool keep_op(const cJSON *op, size_t index, void *arg)
{
    (void)index;
    (void)arg;
    return place_of(mg_json_str(op, "path")) != OUTSIDE ||
           (is_op(op, "move") && place_of(mg_json_str(op, "from")) != OUTSIDE);
}

/* What HCO checks before it applies the annotation (controllers/operands/operand.go
 * applyAnnotationPatch: every operation's path is under /spec/), and the operations
 * whose effect on the migrations migguard cannot know: a value read from, or moved to,
 * a part of the KubeVirt CR it does not model. */
static int precheck(const cJSON *ops, struct mg_err *err)
{
    const cJSON *op;
    size_t i = 0;

    cJSON_ArrayForEach (op, ops) {
        const char *kind = mg_json_str(op, "op"), *path = mg_json_str(op, "path");
        const char *from = mg_json_str(op, "from");

        if (!path || strncmp(path, "/spec/", 6) != 0)
            return mg_err_set(err, MG_EINVAL,
                              "op[%zu] (%.20s %.200s): HCO only applies paths under /spec/", i,
                              kind ? kind : "?", path ? path : "(no path)");
        if (keep_op(op, i, NULL) && (is_op(op, "move") || is_op(op, "copy")) &&
            (place_of(from) == OUTSIDE || place_of(path) == OUTSIDE))
            return mg_err_set(err, MG_EINVAL,
                              "op[%zu] (%s %.200s): from %.200s: migguard models only "
                              "spec.configuration.migrations of the KubeVirt CR",
                              i, kind, path, from ? from : "(none)");
        i++;
    }
    return 0;
}

/* Add integer v as key to m, exactly (jsonnum.h). */
static bool add_int(cJSON *m, const char *key, int64_t v)
{
    char t[24];
    int len = snprintf(t, sizeof(t), "%lld", (long long)v);
    cJSON *n = cJSON_CreateNumber((double)v);

    if (!n || (mg_jsonnum_needs_text(t, (size_t)len) && mg_jsonnum_set_text(n, t, (size_t)len)) ||
        !cJSON_AddItemToObject(m, key, n)) {
        cJSON_Delete(n);
        return false;
    }
    return true;
}

/* Set key of m to a copy of v. */
static bool set_copy(cJSON *m, const char *key, const cJSON *v)
{
    cJSON *dup = cJSON_Duplicate(v, 1);

    if (dup && (mg_json_get(m, key) ? cJSON_ReplaceItemInObjectCaseSensitive(m, key, dup)
                                    : cJSON_AddItemToObject(m, key, dup)))
        return true;
    cJSON_Delete(dup);
    return false;
}

/* The defaults table as the migrations HCO writes when the HyperConverged names no
 * value (the CRD's defaults fill liveMigrationConfig before HCO reads it). */
static bool add_defaults(cJSON *m, const struct mg_lmc_defaults *d)
{
    return !d ||
           ((!d->bandwidth ||
             cJSON_AddStringToObject(m, mg_lmc_keys[MG_LMC_K_BANDWIDTH], d->bandwidth)) &&
            add_int(m, mg_lmc_keys[MG_LMC_K_COMPLETION], d->completion_timeout) &&
            add_int(m, mg_lmc_keys[MG_LMC_K_PAR_CLUSTER], d->parallel_cluster) &&
            add_int(m, mg_lmc_keys[MG_LMC_K_PAR_NODE], d->parallel_node) &&
            add_int(m, mg_lmc_keys[MG_LMC_K_PROGRESS], d->progress_timeout) &&
            cJSON_AddBoolToObject(m, mg_lmc_keys[MG_LMC_K_AUTO_CONVERGE], d->allow_auto_converge) &&
            cJSON_AddBoolToObject(m, mg_lmc_keys[MG_LMC_K_POST_COPY], d->allow_post_copy));
}

/* The KubeVirt CR as far as migguard models it, {"spec":{"configuration":{"migrations":
 * M}}}, M as HCO writes it (controllers/handlers/kubevirt.go hcLiveMigrationToKv): the
 * documented keys of liveMigrationConfig over the defaults table, and the table's
 * allowWorkloadDisruption where mg_lmc_settings_hco_own injects it. NULL when out of
 * memory. */
static cJSON *kubevirt_doc(const cJSON *hco, const char *req_version, const struct mg_config *cfg)
{
    static const cJSON no = {.type = cJSON_False};
    bool v1 = mg_lmc_hco_is_v1(hco, req_version);
    const cJSON *lmc = mg_lmc_item(hco, v1), *it;
    const cJSON *awd = mg_json_get(lmc, "allowWorkloadDisruption");
    cJSON *doc = cJSON_CreateObject(), *spec, *conf, *m = NULL;
    bool ok = doc && (spec = cJSON_AddObjectToObject(doc, "spec")) &&
              (conf = cJSON_AddObjectToObject(spec, "configuration")) &&
              (m = cJSON_AddObjectToObject(conf, "migrations")) && add_defaults(m, cfg->defaults);

    if (ok && cJSON_IsObject(lmc)) {
        cJSON_ArrayForEach (it, lmc) {
            if (ok && it->string && mg_lmc_key_index(it->string) >= 0 && !cJSON_IsNull(it))
                ok = set_copy(m, it->string, it);
        }
    }
    if (ok && (!lmc || cJSON_IsObject(lmc) || cJSON_IsNull(lmc)) && (!awd || cJSON_IsNull(awd)) &&
        mg_lmc_table_injects_awd(cfg, v1))
        ok = set_copy(m, mg_lmc_keys[MG_LMC_K_WORKLOAD_DISRUPTION], &no);
    if (!ok) {
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

/* The keys an operation at pointer p sets or removes, as mg_lmc_settings_of_hco
 * returns them; the network key is never one (see there). */
static unsigned keys_at(const char *p)
{
    const unsigned all = ((1u << MG_LMC_KEY_COUNT) - 1) & ~(1u << MG_LMC_K_NETWORK);
    size_t n = strlen(MIGRATIONS);
    char key[40];
    int k;

    switch (place_of(p)) {
    case ABOVE: return all;
    case INSIDE:
        if (!p[n])
            return all;
        snprintf(key, sizeof(key), "%.*s", (int)strcspn(p + n + 1, "/"), p + n + 1);
        k = mg_lmc_key_index(key);
        return k >= 0 && k != MG_LMC_K_NETWORK ? 1u << k : 0;
    case OUTSIDE: break;
    }
    return 0;
}

static unsigned keys_touched(const cJSON *ops)
{
    const cJSON *op;
    unsigned touched = 0;

    cJSON_ArrayForEach (op, ops) {
        if (!keep_op(op, 0, NULL) || is_op(op, "test"))
            continue;
        touched |= keys_at(mg_json_str(op, "path"));
        if (is_op(op, "move"))
            touched |= keys_at(mg_json_str(op, "from"));
    }
    return touched;
}

/* A value the patch writes that fails its key's rules is not guessed at: the key keeps
 * the value it had before (in was), as if that operation had not written it. Returns
 * those keys, as keys_at. */
static unsigned keep_invalid(cJSON *now, const cJSON *was)
{
    unsigned bad = 0;

    for (int k = 0; k < MG_LMC_KEY_COUNT && cJSON_IsObject(now); k++) {
        const cJSON *v = mg_json_get(now, mg_lmc_keys[k]), *old = mg_json_get(was, mg_lmc_keys[k]);
        struct mg_lmc_settings scratch;

        memset(&scratch, 0, sizeof(scratch));
        if (!v || cJSON_IsNull(v) || mg_lmc_settings_set(&scratch, mg_lmc_keys[k], v))
            continue;
        bad |= 1u << k;
        if (!old || !set_copy(now, mg_lmc_keys[k], old))
            cJSON_DeleteItemFromObjectCaseSensitive(now, mg_lmc_keys[k]);
    }
    return bad;
}

/* The annotation applied whole to the modelled KubeVirt CR, and s read back from it.
 * 0 with *touched 0 when there is nothing to apply; an error leaves s alone. */
static int apply_annotation(struct mg_lmc_settings *s, const cJSON *hco, const char *req_version,
                            const struct mg_config *cfg, unsigned *touched, struct mg_err *err)
{
    cJSON *ops = NULL, *doc = NULL, *was = NULL;
    const char *net = s->network;
    unsigned bad;
    const cJSON *op;
    bool any = false;
    int rc;

    *touched = 0;
    if ((rc = annotation_ops(hco, &ops, err)) != 0 || !ops || (rc = precheck(ops, err)) != 0)
        goto out;
    cJSON_ArrayForEach (op, ops)
        any |= keep_op(op, 0, NULL);
    if (!any)
        goto out;
    if (!(doc = kubevirt_doc(hco, req_version, cfg)) ||
        !(was = cJSON_Duplicate(mg_jsonpatch_get(doc, MIGRATIONS), 1))) {
        rc = mg_err_set(err, MG_ENOMEM, "out of memory applying it");
        goto out;
    }
    if ((rc = mg_jsonpatch_apply_some(doc, ops, keep_op, NULL, err)) != 0)
        goto out;
    bad = keep_invalid(mg_jsonpatch_get(doc, MIGRATIONS), was);
    /* What it leaves out is the table's value again. The network key stays the
     * HyperConverged's own: s would borrow the text from doc. */
    mg_lmc_settings_default(s, cfg);
    mg_lmc_settings_overlay(s, mg_jsonpatch_get(doc, MIGRATIONS));
    s->network = net;
    *touched = keys_touched(ops) & ~bad;
out:
    cJSON_Delete(was);
    cJSON_Delete(doc);
    cJSON_Delete(ops);
    return rc;
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
                                const char *req_version, const struct mg_config *cfg,
                                struct mg_err *why)
{
    struct mg_err err = {0};
    unsigned touched = 0;

    mg_lmc_settings_hco_own(s, hco, req_version, cfg);
    apply_annotation(s, hco, req_version, cfg, &touched, &err);
    mg_lmc_settings_resolve(s);
    if (why)
        *why = err;
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
        mg_lmc_settings_of_hco(s, hco, NULL, cfg, NULL);
        return;
    }
    mg_lmc_settings_default(s, cfg);
    mg_lmc_settings_resolve(s);
}

void mg_lmc_jsonpatch_note(const struct mg_store *view, const struct mg_config *cfg, char *buf,
                           size_t len)
{
    const cJSON *const *items = NULL;
    const cJSON *hco = mg_lmc_hco_pick(view);
    struct mg_lmc_settings s;
    struct mg_err why = {0};
    const char *ns;

    buf[0] = '\0';
    if (!hco || mg_store_list(view, "KubeVirt", &items) > 0)
        return;
    mg_lmc_settings_of_hco(&s, hco, NULL, cfg, &why);
    if (!why.code)
        return;
    ns = ns_of(hco);
    snprintf(buf, len,
             "HyperConverged %.63s%s%.253s: its " MG_LMC_JSONPATCH_ANNOTATION " annotation is "
             "ignored, HCO refuses it (RULES.md 9.3): %s",
             ns, *ns ? "/" : "", mg_json_name_or(hco, ""), why.msg);
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
