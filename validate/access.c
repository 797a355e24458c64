/* SPDX-License-Identifier: Apache-2.0 */
/* access.c - where a volume's access modes come from, source by source (RULES.md 5
 * VM001, 9.9). A source that names no modes passes the question on; when none answers,
 * the result says what was missing so the warning can name it.
 * Reads the view only; no allocation. */
#include "access.h"

#include "json.h"

#include <stdio.h>
#include <string.h>

#define ANN_DEFAULT "storageclass.kubernetes.io/is-default-class"
#define ANN_DEFAULT_BETA "storageclass.beta.kubernetes.io/is-default-class"
#define ANN_DEFAULT_VIRT "storageclass.kubevirt.io/is-default-virt-class"

/* A non-empty array of access modes: copy them into out and answer. */
static bool take_modes(const cJSON *modes, struct mg_access *out, const char *source)
{
    const cJSON *it;
    size_t at = 0;

    if (!cJSON_IsArray(modes) || cJSON_GetArraySize(modes) == 0)
        return false;
    out->known = true;
    out->rwx = false;
    out->modes[0] = '\0';
    cJSON_ArrayForEach (it, modes) {
        const char *m = cJSON_IsString(it) ? it->valuestring : "?";
        int n = snprintf(out->modes + at, sizeof(out->modes) - at, "%s%s", at ? "," : "", m);

        if (n > 0 && (size_t)n < sizeof(out->modes) - at)
            at += (size_t)n;
        if (strcmp(m, "ReadWriteMany") == 0)
            out->rwx = true;
    }
    snprintf(out->source, sizeof(out->source), "%s", source);
    return true;
}

static bool annotated_true(const cJSON *obj, const char *key)
{
    const char *v = mg_json_str(mg_json_get(mg_json_get(obj, "metadata"), "annotations"), key);

    return v && strcmp(v, "true") == 0;
}

/* Kubernetes picks the newest default class when several are marked. */
static const char *pick_default(const cJSON *const *items, size_t n, bool virt)
{
    const cJSON *best = NULL;
    const char *best_ts = "";

    for (size_t i = 0; i < n; i++) {
        const char *ts = mg_json_str(mg_json_get(items[i], "metadata"), "creationTimestamp");
        int cmp;

        if (!mg_json_name(items[i]))
            continue;
        if (virt ? !annotated_true(items[i], ANN_DEFAULT_VIRT)
                 : !annotated_true(items[i], ANN_DEFAULT) &&
                       !annotated_true(items[i], ANN_DEFAULT_BETA))
            continue;
        ts = ts ? ts : "";
        cmp = strcmp(ts, best_ts);
        if (!best || cmp > 0 ||
            (cmp == 0 && strcmp(mg_json_name(items[i]), mg_json_name(best)) < 0)) {
            best = items[i];
            best_ts = ts;
        }
    }
    return best ? mg_json_name(best) : NULL;
}

const char *mg_access_default_class(const struct mg_store *view, bool virt)
{
    const cJSON *const *items = NULL;
    size_t n = mg_store_list(view, "StorageClass", &items);
    const char *name = virt ? pick_default(items, n, true) : NULL;

    return name ? name : pick_default(items, n, false);
}

/* StorageProfiles are cluster-scoped; tolerate one stored with a namespace. */
static const cJSON *find_profile(const struct mg_store *view, const char *name)
{
    const cJSON *const *items = NULL;
    const cJSON *p = mg_store_get(view, "StorageProfile", "", name);
    size_t n;

    if (p)
        return p;
    n = mg_store_list(view, "StorageProfile", &items);
    for (size_t i = 0; i < n; i++) {
        const char *pn = mg_json_name(items[i]);

        if (pn && strcmp(pn, name) == 0)
            return items[i];
    }
    return NULL;
}

/* RULES.md 9.9, as CDI's pkg/controller/datavolume/util.go: without a volumeMode the
 * first set (on Ceph RBD: ReadWriteMany Block); with one, the first set of that mode,
 * and none when no set has it. */
static const cJSON *pick_set(const cJSON *sets, const char *volume_mode)
{
    const cJSON *it;

    if (!volume_mode)
        return cJSON_GetArrayItem(sets, 0);
    cJSON_ArrayForEach (it, sets) {
        const char *vm = mg_json_str(it, "volumeMode");

        if (vm && strcmp(vm, volume_mode) == 0)
            return it;
    }
    return NULL;
}

static void from_profile(const struct mg_store *view, const char *cls, bool virt,
                         const char *volume_mode, struct mg_access *out)
{
    const char *name = cls ? cls : mg_access_default_class(view, virt);
    const cJSON *p, *sets, *set;
    char source[160];

    if (!name) {
        snprintf(out->unknown, sizeof(out->unknown),
                 "no storage class is named and the view has no default StorageClass");
        return;
    }
    p = find_profile(view, name);
    if (!p) {
        snprintf(out->unknown, sizeof(out->unknown), "no StorageProfile for storage class %.63s%s",
                 name, cls ? "" : " (the default)");
        return;
    }
    sets = mg_json_get(mg_json_get(p, "status"), "claimPropertySets");
    if (!cJSON_IsArray(sets) || cJSON_GetArraySize(sets) == 0)
        sets = mg_json_get(mg_json_get(p, "spec"), "claimPropertySets");
    snprintf(source, sizeof(source), "StorageProfile %.63s", name);
    set = pick_set(cJSON_IsArray(sets) ? sets : NULL, volume_mode);
    if (!set && volume_mode && cJSON_GetArraySize(sets) > 0) {
        snprintf(out->unknown, sizeof(out->unknown),
                 "StorageProfile %.63s: no %.32s claimPropertySet", name, volume_mode);
        return;
    }
    if (!take_modes(mg_json_get(set, "accessModes"), out, source))
        snprintf(out->unknown, sizeof(out->unknown), "StorageProfile %.63s lists no access modes",
                 name);
}

/* A DataVolume spec (template or object): spec.pvc or spec.storage. */
static const cJSON *dv_claim_spec(const cJSON *dvspec)
{
    const cJSON *pvc = mg_json_get(dvspec, "pvc");

    return cJSON_IsObject(pvc) ? pvc : mg_json_get(dvspec, "storage");
}

static const cJSON *find_template(const cJSON *templates, const char *name)
{
    const cJSON *list = cJSON_IsArray(templates) ? templates : NULL, *it;

    cJSON_ArrayForEach (it, list) {
        const char *n = mg_json_name(it);

        if (n && strcmp(n, name) == 0)
            return mg_json_get(it, "spec");
    }
    return NULL;
}

static const cJSON *find_volume_status(const cJSON *status, const char *volume)
{
    const cJSON *list = cJSON_IsArray(status) ? status : NULL, *it;

    cJSON_ArrayForEach (it, list) {
        const char *n = mg_json_str(it, "name");

        if (n && strcmp(n, volume) == 0)
            return mg_json_get(mg_json_get(it, "persistentVolumeClaimInfo"), "accessModes");
    }
    return NULL;
}

void mg_access_resolve(const struct mg_volume_ref *ref, const struct mg_store *view,
                       struct mg_access *out)
{
    const cJSON *claim = NULL, *pvc;
    const char *cls = NULL, *volume_mode = NULL;
    bool described = false;

    memset(out, 0, sizeof(*out));
    if (ref->data_volume) {
        const cJSON *dv = find_template(ref->dv_templates, ref->claim);

        claim = dv_claim_spec(dv);
        if (claim && take_modes(mg_json_get(claim, "accessModes"), out, "dataVolumeTemplates"))
            return;
        if (!dv) {
            dv = mg_json_get(mg_store_get(view, "DataVolume", ref->ns, ref->claim), "spec");
            claim = dv_claim_spec(dv);
        }
        described = dv != NULL;
        cls = mg_json_str(claim, "storageClassName");
        /* CDI reads an empty class on a DataVolume as "use the default". */
        cls = cls && cls[0] ? cls : NULL;
        volume_mode = mg_json_str(claim, "volumeMode");
    }
    if (take_modes(find_volume_status(ref->volume_status, ref->volume), out,
                   "the VMI's volumeStatus"))
        return;
    if (claim && take_modes(mg_json_get(claim, "accessModes"), out, "the DataVolume"))
        return;
    pvc = mg_store_get(view, "PersistentVolumeClaim", ref->ns, ref->claim);
    if (pvc) {
        const cJSON *spec = mg_json_get(pvc, "spec");

        if (take_modes(mg_json_get(spec, "accessModes"), out, "the PVC") ||
            take_modes(mg_json_get(mg_json_get(pvc, "status"), "accessModes"), out,
                       "the PVC's status"))
            return;
        if (!described) {
            cls = mg_json_str(spec, "storageClassName");
            volume_mode = mg_json_str(spec, "volumeMode");
            /* On a PVC, "" means no class at all (static binding), not the default. */
            if (cls && !cls[0]) {
                snprintf(out->unknown, sizeof(out->unknown),
                         "PVC %.63s lists no access modes and names no storage class", ref->claim);
                return;
            }
        }
        described = true;
    } else if (!ref->data_volume) {
        /* RULES.md 9.9: without the PVC no StorageClass can answer. */
        snprintf(out->unknown, sizeof(out->unknown), "PVC %.63s/%.63s is not in the view", ref->ns,
                 ref->claim);
        return;
    }
    if (!described) {
        snprintf(out->unknown, sizeof(out->unknown),
                 "no dataVolumeTemplate, DataVolume or PVC %.63s in the view", ref->claim);
        return;
    }
    from_profile(view, cls, ref->data_volume, volume_mode, out);
}
