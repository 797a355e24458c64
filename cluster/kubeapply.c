/* SPDX-License-Identifier: Apache-2.0 */
/* kubeapply.c - list and watch payloads into the store. A replacement is built in a
 * private store and exchanged in under the write lock in O(1). Watch events are
 * applied by the caller's batch under its lock. No I/O. */
#include "kubeapply.h"

#include "json.h"

#include <stdio.h>
#include <string.h>

void mg_kubeapply_prepare(cJSON *obj, const char *kind, const char *api_version)
{
    cJSON *md = mg_json_get(obj, "metadata");

    if (!cJSON_IsObject(obj))
        return;
    if (!mg_json_str(obj, "kind")) {
        cJSON_DeleteItemFromObjectCaseSensitive(obj, "kind");
        cJSON_AddStringToObject(obj, "kind", kind);
    }
    if (!mg_json_str(obj, "apiVersion")) {
        cJSON_DeleteItemFromObjectCaseSensitive(obj, "apiVersion");
        cJSON_AddStringToObject(obj, "apiVersion", api_version);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(md, "managedFields");
    cJSON_DeleteItemFromObjectCaseSensitive(mg_json_get(md, "annotations"),
                                            "kubectl.kubernetes.io/last-applied-configuration");
    if (strcmp(kind, "Node") == 0)
        cJSON_DeleteItemFromObjectCaseSensitive(mg_json_get(obj, "status"), "images");
}

size_t mg_kubeapply_replace(struct mg_store *s, const char *kind, const char *api_version,
                            cJSON *items, struct mg_err *err)
{
    struct mg_store *aside = mg_store_new();
    struct mg_err e = {0};
    size_t skipped = 0;
    cJSON *it;

    if (!aside || mg_store_mark_known(aside, kind) != 0) {
        mg_err_set(err, MG_ENOMEM, "out of memory building the %.100s list", kind);
        int n = cJSON_GetArraySize(items);

        mg_store_free(aside);
        cJSON_Delete(items);
        return n > 0 ? (size_t)n : 1;
    }
    /* Built with no lock held; the write lock covers one O(1) exchange. */
    while (cJSON_IsArray(items) && (it = cJSON_DetachItemViaPointer(items, items->child)) != NULL) {
        mg_kubeapply_prepare(it, kind, api_version);
        if (mg_store_put(aside, it, &e) != 0 && skipped++ == 0 && err)
            *err = e;
    }
    mg_store_wrlock(s);
    if (mg_store_exchange(s, aside, kind) != 0 && skipped++ == 0)
        mg_err_set(err, MG_ENOMEM, "out of memory swapping the %.100s list in", kind);
    mg_store_unlock(s);
    mg_store_free(aside);
    cJSON_Delete(items);
    return skipped;
}

static enum mg_kubeapply_result on_error_event(const cJSON *obj, struct mg_err *err)
{
    const cJSON *code = mg_json_get(obj, "code");
    const char *msg = mg_json_str(obj, "message");

    if (cJSON_IsNumber(code) && code->valuedouble == 410)
        return MG_KUBEAPPLY_GONE;
    mg_err_set(err, MG_EIO, "ERROR event %d: %.300s", cJSON_IsNumber(code) ? code->valueint : 0,
               msg ? msg : "");
    return MG_KUBEAPPLY_ERROR;
}

enum mg_kubeapply_result mg_kubeapply_event(struct mg_store *s, const char *kind,
                                            const char *api_version, cJSON *ev, char *rv,
                                            size_t rvsize, struct mg_err *err)
{
    const char *type = mg_json_str(ev, "type"), *v;
    cJSON *obj = mg_json_get(ev, "object");
    const cJSON *md = mg_json_get(obj, "metadata");

    if (rvsize)
        rv[0] = '\0';
    if (!type || !cJSON_IsObject(obj)) {
        mg_err_set(err, MG_EIO, "a watch event without type or object");
        return MG_KUBEAPPLY_ERROR;
    }
    if (strcmp(type, "ERROR") == 0)
        return on_error_event(obj, err);
    v = mg_json_str(md, "resourceVersion");
    if (v && strlen(v) < rvsize)
        memcpy(rv, v, strlen(v) + 1);
    if (strcmp(type, "BOOKMARK") == 0)
        return MG_KUBEAPPLY_BOOKMARK;
    if (strcmp(type, "ADDED") == 0 || strcmp(type, "MODIFIED") == 0) {
        cJSON_DetachItemViaPointer(ev, obj);
        mg_kubeapply_prepare(obj, kind, api_version);
        return mg_store_put(s, obj, err) == 0 ? MG_KUBEAPPLY_CHANGED : MG_KUBEAPPLY_IGNORED;
    }
    if (strcmp(type, "DELETED") == 0) {
        const char *ns = mg_json_str(md, "namespace"), *name = mg_json_str(md, "name");

        if (!name) {
            mg_err_set(err, MG_EINVAL, "a DELETED event without metadata.name");
            return MG_KUBEAPPLY_IGNORED;
        }
        mg_store_remove(s, kind, ns ? ns : "", name);
        return MG_KUBEAPPLY_CHANGED;
    }
    mg_err_set(err, MG_EINVAL, "a watch event of unknown type %.40s", type);
    return MG_KUBEAPPLY_IGNORED;
}
