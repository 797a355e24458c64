/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_state.c - libFuzzer target for the state loader: any bytes parsed as YAML, each
 * document put into a store through mg_load_doc, as --state does. Then the policy index
 * must agree with a plain scan for every loaded workload and policy, before and after
 * removing every other policy; a failed load must say why. Aborts otherwise. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "load.h"
#include "policy.h"
#include "store.h"
#include "yamljson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Resolutions checked per input, to keep one execution short. */
#define MAX_PROBES 64

static const cJSON *item(const cJSON *obj, const char *key)
{
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

static const char *str_of(const cJSON *v)
{
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* The index (mg_policy_resolve) and the scan must pick the same policy. */
static void check(const struct mg_store *s, const cJSON *vm_labels, const cJSON *ns_labels)
{
    struct mg_policy_match a, b;

    if (mg_policy_resolve(s, vm_labels, ns_labels, &a) != 0 ||
        mg_policy_resolve_scan(s, vm_labels, ns_labels, NULL, &b) != 0)
        abort();
    if (!a.policy != !b.policy || a.policy != b.policy)
        abort();
    if (a.policy && (strcmp(a.name, b.name) != 0 || a.ns_labels != b.ns_labels ||
                     a.vm_labels != b.vm_labels || a.fields.set != b.fields.set))
        abort();
}

/* Probe with every workload's labels and every policy's own selectors. */
static void check_all(const struct mg_store *s)
{
    static const char *const kinds[] = {"VirtualMachine", "VirtualMachineInstance"};
    const cJSON *const *items;
    unsigned probes = 0;
    size_t n;

    for (size_t k = 0; k < 2; k++) {
        n = mg_store_list(s, kinds[k], &items);
        for (size_t i = 0; i < n && probes < MAX_PROBES; i++, probes++) {
            const char *ns = str_of(item(item(items[i], "metadata"), "namespace"));

            check(s, mg_policy_workload_labels(items[i]), mg_policy_namespace_labels(s, ns));
        }
    }
    n = mg_store_list(s, "MigrationPolicy", &items);
    for (size_t i = 0; i < n && probes < MAX_PROBES; i++, probes++) {
        const cJSON *sel = item(item(items[i], "spec"), "selectors");
        const cJSON *vm = item(sel, "virtualMachineInstanceSelector");
        const cJSON *ns = item(sel, "namespaceSelector");

        check(s, cJSON_IsObject(vm) ? vm : NULL, cJSON_IsObject(ns) ? ns : NULL);
    }
    check(s, NULL, NULL);
}

/* The view keeps one MigrationPolicy per name: it is cluster-scoped, so a stray
 * metadata.namespace must not make a second one (found by this target once). */
static bool duplicate_names(const struct mg_store *s)
{
    const cJSON *const *items;
    size_t n = mg_store_list(s, "MigrationPolicy", &items);

    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(str_of(item(item(items[i], "metadata"), "name")),
                       str_of(item(item(items[j], "metadata"), "name"))) == 0)
                return true;
    return false;
}

/* Remove every other MigrationPolicy (exercises the index's removal path). */
static void remove_some(struct mg_store *s)
{
    const cJSON *const *items;
    size_t n = mg_store_list(s, "MigrationPolicy", &items);
    size_t m = 0;
    char **keys = calloc(n + 1, 2 * sizeof(*keys));

    if (!keys)
        return;
    for (size_t i = 0; i < n; i += 2, m++) {
        const cJSON *md = item(items[i], "metadata");

        keys[2 * m] = strdup(str_of(item(md, "namespace")));
        keys[2 * m + 1] = strdup(str_of(item(md, "name")));
    }
    for (size_t i = 0; i < m; i++) {
        if (keys[2 * i] && keys[2 * i + 1] &&
            mg_store_remove(s, "MigrationPolicy", keys[2 * i], keys[2 * i + 1]) != 0)
            abort();
        free(keys[2 * i]);
        free(keys[2 * i + 1]);
    }
    free(keys);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mg_yaml_docs docs;
    struct mg_err err = {0};
    struct mg_store *s;
    int rc = 0;

    if (mg_yaml_parse((const char *)data, size, "fuzz", false, &docs, &err) != 0)
        return 0;
    s = mg_store_new();
    if (!s)
        abort();
    for (size_t i = 0; i < docs.n; i++) {
        cJSON *doc = docs.docs[i];

        docs.docs[i] = NULL; /* mg_load_doc owns it from here, also on failure */
        if (rc == 0) {
            rc = mg_load_doc(s, doc, "fuzz", docs.lines[i], &err);
            if (rc != 0 && (!err.msg[0] || err.code != rc))
                abort();
        } else {
            cJSON_Delete(doc);
        }
    }
    mg_yaml_docs_free(&docs);
    /* All or nothing: the caller drops the store on failure, but what was put so far
     * must still be consistent. */
    if (duplicate_names(s))
        abort();
    check_all(s);
    remove_some(s);
    check_all(s);
    mg_store_free(s);
    return 0;
}
