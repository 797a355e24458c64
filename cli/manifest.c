/* SPDX-License-Identifier: Apache-2.0 */
/* manifest.c - turn a manifest object into the AdmissionReview the API server would
 * send, and map finding fields back to JSON pointers (for line marks). Data
 * transformation only: no I/O, no rules; the engine's patch operations are applied by
 * mg_jsonpatch_apply (common/jsonpatch.c), the one applier. */
#include "manifest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static const char *const cluster_kinds[] = {
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "StorageProfile",
    "MigrationPolicy",
    "VirtualMachineClusterInstancetype",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleBinding",
    "PriorityClass",
    "CDI",
    "VolumeSnapshotClass",
    "CSIDriver",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
    "IngressClass",
    "RuntimeClass",
};

bool mg_manifest_cluster_scoped(const char *kind)
{
    for (size_t i = 0; i < sizeof(cluster_kinds) / sizeof(cluster_kinds[0]); i++) {
        if (strcmp(kind, cluster_kinds[i]) == 0)
            return true;
    }
    return false;
}

/* Plurals that the lowercase-plus-suffix rule below does not give. */
static const struct {
    const char *kind, *resource;
} plurals[] = {
    {"NetworkAttachmentDefinition", "network-attachment-definitions"},
    {"HyperConverged", "hyperconvergeds"},
    {"KubeVirt", "kubevirts"},
};

void mg_manifest_resource(const char *kind, char *buf, size_t cap)
{
    size_t n = 0, len = strlen(kind);
    const char *suffix = "s";

    for (size_t i = 0; i < sizeof(plurals) / sizeof(plurals[0]); i++) {
        if (strcmp(kind, plurals[i].kind) == 0) {
            snprintf(buf, cap, "%s", plurals[i].resource);
            return;
        }
    }
    if (len > 1 && kind[len - 1] == 'y' && !strchr("aeiou", kind[len - 2])) {
        len--;
        suffix = "ies";
    } else if (len > 0 && (kind[len - 1] == 's' || kind[len - 1] == 'x' ||
                           (len > 1 && kind[len - 1] == 'h' && strchr("cs", kind[len - 2])))) {
        suffix = "es";
    }
    for (size_t i = 0; i < len && n + 1 < cap; i++)
        buf[n++] = (char)tolower((unsigned char)kind[i]);
    if (cap)
        buf[n] = '\0';
    snprintf(buf + n, cap - n, "%s", suffix);
}

const char *mg_manifest_set_namespace(cJSON *obj, const char *default_ns)
{
    const cJSON *kind = mg_json_get(obj, "kind");
    cJSON *md = mg_json_get(obj, "metadata");
    cJSON *ns = mg_json_get(md, "namespace");

    if (!cJSON_IsString(kind) || !cJSON_IsObject(md))
        return NULL;
    if (mg_manifest_cluster_scoped(kind->valuestring)) {
        /* The API server ignores a namespace on a cluster-scoped object. */
        cJSON_DeleteItemFromObjectCaseSensitive(md, "namespace");
        return "";
    }
    if (cJSON_IsString(ns) && ns->valuestring[0])
        return ns->valuestring;
    cJSON_DeleteItemFromObjectCaseSensitive(md, "namespace");
    ns = cJSON_AddStringToObject(md, "namespace", default_ns);
    return ns ? ns->valuestring : NULL;
}

/* The review's kind or resource: group and version from apiVersion ("v1": the core
 * group), and key (kind or resource) set to value. */
static cJSON *group_version(const char *api_version, const char *key, const char *value)
{
    const char *slash = strchr(api_version, '/');
    int glen = slash ? (int)(slash - api_version) : 0;
    char group[256];
    cJSON *o = cJSON_CreateObject();

    snprintf(group, sizeof(group), "%.*s", glen, api_version);
    if (!o || !cJSON_AddStringToObject(o, "group", group) ||
        !cJSON_AddStringToObject(o, "version", slash ? slash + 1 : api_version) ||
        !cJSON_AddStringToObject(o, key, value)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static bool add_item(cJSON *to, const char *key, cJSON *item)
{
    if (!item || !cJSON_AddItemToObject(to, key, item)) {
        cJSON_Delete(item);
        return false;
    }
    return true;
}

/* True when t is a JSON number (RFC 8259): the YAML loader keeps the text of numbers
 * a double cannot hold exactly (jsonnum.h), and YAML's forms (`+5`, `1_000`, `0x1F`)
 * are not JSON. */
static bool json_number_text(const char *t)
{
    if (*t == '-')
        t++;
    if (*t == '0')
        t++;
    else if (*t >= '1' && *t <= '9')
        while (*t >= '0' && *t <= '9')
            t++;
    else
        return false;
    if (*t == '.') {
        if (!(*++t >= '0' && *t <= '9'))
            return false;
        while (*t >= '0' && *t <= '9')
            t++;
    }
    if (*t == 'e' || *t == 'E') {
        t++;
        if (*t == '+' || *t == '-')
            t++;
        if (!(*t >= '0' && *t <= '9'))
            return false;
        while (*t >= '0' && *t <= '9')
            t++;
    }
    return *t == '\0';
}

/* Numbers of the copy printed as written, not as their double: `9223372036854775807`
 * in a manifest must reach the engine as that integer (RULES.md 9.14), and cJSON
 * prints only the double. A number whose text is JSON becomes a raw node of it. */
static void exact_numbers(cJSON *node)
{
    for (; node; node = node->next) {
        if (cJSON_IsNumber(node) && node->valuestring && json_number_text(node->valuestring))
            node->type = cJSON_Raw;
        exact_numbers(node->child);
    }
}

static bool add_copy(cJSON *to, const char *key, const cJSON *v)
{
    cJSON *copy = v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull();

    if (copy && v)
        exact_numbers(copy->child);
    return add_item(to, key, copy);
}

int mg_manifest_review(const cJSON *obj, const cJSON *old, const char *ns, const char *uid,
                       char **out, struct mg_err *err)
{
    const char *av = mg_json_get(obj, "apiVersion")->valuestring;
    const char *kind = mg_json_get(obj, "kind")->valuestring;
    const cJSON *md = mg_json_get(obj, "metadata");
    const char *name = mg_json_get(md, "name")->valuestring;
    cJSON *root = cJSON_CreateObject(), *req = NULL, *user;
    char resource[128];
    bool ok;

    *out = NULL;
    mg_manifest_resource(kind, resource, sizeof(resource));
    ok = root && cJSON_AddStringToObject(root, "apiVersion", "admission.k8s.io/v1") &&
         cJSON_AddStringToObject(root, "kind", "AdmissionReview") &&
         (req = cJSON_AddObjectToObject(root, "request")) &&
         cJSON_AddStringToObject(req, "uid", uid);
    ok = ok && add_item(req, "kind", group_version(av, "kind", kind)) &&
         add_item(req, "resource", group_version(av, "resource", resource)) &&
         cJSON_AddStringToObject(req, "name", name) &&
         (!ns[0] || cJSON_AddStringToObject(req, "namespace", ns)) &&
         cJSON_AddStringToObject(req, "operation", old ? "UPDATE" : "CREATE") &&
         (user = cJSON_AddObjectToObject(req, "userInfo")) &&
         cJSON_AddStringToObject(user, "username", "migguard-check") &&
         add_copy(req, "object", obj) && add_copy(req, "oldObject", old) &&
         cJSON_AddBoolToObject(req, "dryRun", false);
    if (ok)
        *out = mg_json_print(root, false);
    cJSON_Delete(root);
    if (!*out)
        return mg_err_set(err, MG_ENOMEM, "out of memory building the review of %.100s/%.200s",
                          kind, name);
    return 0;
}

/* Append "/" and tok[0..len) escaped as an RFC 6901 token. */
static int put_token(char *buf, size_t cap, size_t *n, const char *tok, size_t len)
{
    if (*n + 1 >= cap)
        return MG_ETOOBIG;
    buf[(*n)++] = '/';
    for (size_t i = 0; i < len; i++) {
        const char *esc = tok[i] == '~' ? "~0" : tok[i] == '/' ? "~1" : NULL;
        size_t k = esc ? 2 : 1;

        if (*n + k >= cap)
            return MG_ETOOBIG;
        if (esc) {
            buf[(*n)++] = esc[0];
            buf[(*n)++] = esc[1];
        } else {
            buf[(*n)++] = tok[i];
        }
    }
    buf[*n] = '\0';
    return 0;
}

/* The member of node whose key is the longest prefix of p ending at '.', '[' or the end. */
static const cJSON *longest_key(const cJSON *node, const char *p, size_t *len)
{
    const cJSON *best = NULL, *it;

    *len = 0;
    if (!cJSON_IsObject(node))
        return NULL;
    cJSON_ArrayForEach (it, node) {
        size_t k = it->string ? strlen(it->string) : 0;

        if (k > *len && strncmp(p, it->string, k) == 0 &&
            (p[k] == '.' || p[k] == '[' || p[k] == '\0')) {
            best = it;
            *len = k;
        }
    }
    return best;
}

int mg_manifest_pointer(const cJSON *obj, const char *field, char *buf, size_t cap)
{
    const cJSON *node = obj;
    const char *p = field;
    size_t n = 0;

    if (!cap)
        return MG_ETOOBIG;
    buf[0] = '\0';
    while (*p) {
        size_t len;

        if (*p == '[') {
            const char *end = strchr(p, ']');
            long idx;

            if (!end)
                break;
            len = (size_t)(end - p - 1);
            idx = strtol(p + 1, NULL, 10);
            if (put_token(buf, cap, &n, p + 1, len))
                return MG_ETOOBIG;
            node = cJSON_IsArray(node) ? cJSON_GetArrayItem(node, (int)idx) : NULL;
            p = end + 1;
        } else {
            const cJSON *child = longest_key(node, p, &len);

            if (!child)
                len = strcspn(p, ".[");
            if (put_token(buf, cap, &n, p, len))
                return MG_ETOOBIG;
            node = child;
            p += len;
        }
        if (*p == '.')
            p++;
    }
    return 0;
}
