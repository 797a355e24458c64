/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_webhooks.c - `migguard certs webhooks`: read webhook configurations (deploy/'s,
 * compiled in, or files and kustomize output) and print them with every
 * clientConfig.caBundle set from a CA file (and, when asked, the service namespace and
 * name, and that namespace excluded instead of migguard's), as one JSON List for kubectl
 * apply. Other objects of the input pass through unchanged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "certs.h"
#include "cli.h"
#include "json.h"
#include "setup.h"
#include "webhooks_yaml.h"
#include "yamljson.h"

#define MAX_FILES 16

const char mg_cli_webhooks_usage[] =
    "usage: migguard certs webhooks --ca FILE [-f FILE|-]... [--namespace NS] [--service NAME]\n"
    "  Print the ValidatingWebhookConfiguration and MutatingWebhookConfiguration of FILEs\n"
    "  (YAML or JSON, several documents each, '-' for standard input, e.g. kustomize\n"
    "  output; default: deploy/base's two, built into migguard, so any directory works)\n"
    "  as one JSON List with clientConfig.caBundle set to the base64 of the CA, and with\n"
    "  --namespace/--service, clientConfig.service pointed there and NS excluded from the\n"
    "  namespaceSelector in place of the old namespace. Other objects are printed as they\n"
    "  are. Pipe it to 'kubectl apply -f -'. Exit 0 on success, 1 when a file cannot be\n"
    "  used or holds no webhook configuration, 2 usage.\n";

struct webhooks_args {
    const char *ca, *ns, *service;
    const char *files[MAX_FILES];
    size_t n_files;
};

static int parse(int argc, char **argv, struct webhooks_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char *o = argv[i];

        if (!v) {
            fprintf(stderr, "migguard certs webhooks: %s needs a value\n", o);
            return 2;
        }
        if (strcmp(o, "--ca") == 0)
            a->ca = v;
        else if (strcmp(o, "--namespace") == 0)
            a->ns = v;
        else if (strcmp(o, "--service") == 0)
            a->service = v;
        else if (strcmp(o, "-f") == 0 && a->n_files < MAX_FILES)
            a->files[a->n_files++] = v;
        else {
            fprintf(stderr, "migguard certs webhooks: unknown option %s\n%s", o,
                    mg_cli_webhooks_usage);
            return 2;
        }
        i++;
    }
    if (!a->ca) {
        fprintf(stderr, "migguard certs webhooks: --ca is required\n%s", mg_cli_webhooks_usage);
        return 2;
    }
    return -1;
}

static bool is_webhook_config(const cJSON *obj)
{
    const cJSON *kind = mg_json_get(obj, "kind");

    return cJSON_IsString(kind) &&
           (strcmp(kind->valuestring, "ValidatingWebhookConfiguration") == 0 ||
            strcmp(kind->valuestring, "MutatingWebhookConfiguration") == 0);
}

/* In a namespaceSelector, "kubernetes.io/metadata.name NotIn [...]": old becomes ns, so
 * the webhook never reviews its own namespace wherever it is installed. */
static void exclude_namespace(cJSON *sel, const char *old, const char *ns)
{
    cJSON *e;

    cJSON_ArrayForEach (e, mg_json_get(sel, "matchExpressions")) {
        const cJSON *key = mg_json_get(e, "key"), *op = mg_json_get(e, "operator");
        cJSON *v;

        if (!cJSON_IsString(key) || strcmp(key->valuestring, "kubernetes.io/metadata.name") ||
            !cJSON_IsString(op) || strcmp(op->valuestring, "NotIn"))
            continue;
        cJSON_ArrayForEach (v, mg_json_get(e, "values"))
            if (cJSON_IsString(v) && strcmp(v->valuestring, old) == 0)
                cJSON_SetValuestring(v, ns);
    }
}

/* Set the CA (and service, and the excluded namespace) in every webhook of one
 * configuration object. */
static int fill(cJSON *obj, const char *bundle, const struct webhooks_args *a, const char *file)
{
    cJSON *hooks = mg_json_get(obj, "webhooks");
    cJSON *hook;

    cJSON_ArrayForEach (hook, hooks) {
        cJSON *cc = mg_json_get(hook, "clientConfig");
        cJSON *svc = mg_json_get(cc, "service");

        if (!cJSON_IsObject(cc)) {
            fprintf(stderr, "migguard: %s: a webhook has no clientConfig\n", file);
            return 1;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(cc, "caBundle");
        if (!cJSON_AddStringToObject(cc, "caBundle", bundle))
            return 1;
        if (cJSON_IsObject(svc) && a->ns) {
            const cJSON *old = mg_json_get(svc, "namespace");

            if (cJSON_IsString(old) && strcmp(old->valuestring, a->ns) != 0)
                exclude_namespace(mg_json_get(hook, "namespaceSelector"), old->valuestring, a->ns);
            cJSON_ReplaceItemInObjectCaseSensitive(svc, "namespace", cJSON_CreateString(a->ns));
        }
        if (cJSON_IsObject(svc) && a->service)
            cJSON_ReplaceItemInObjectCaseSensitive(svc, "name", cJSON_CreateString(a->service));
    }
    return 0;
}

/* Every document of text (from file) into items, webhook configurations filled; 1 when
 * one cannot be used or none is a webhook configuration. */
static int add_text(cJSON *items, const char *text, size_t len, const char *file,
                    const char *bundle, const struct webhooks_args *a)
{
    struct mg_yaml_docs docs = {0};
    struct mg_err err = {0};
    size_t hooks = 0;
    int rc = 1;

    if (mg_yaml_parse(text, len, file, false, &docs, &err)) {
        mg_setup_print_err(&err);
        goto out;
    }
    for (size_t i = 0; i < docs.n; i++) {
        if (!docs.docs[i])
            continue;
        if (is_webhook_config(docs.docs[i])) {
            if (fill(docs.docs[i], bundle, a, file))
                goto out;
            hooks++;
        }
        cJSON_AddItemToArray(items, docs.docs[i]);
        docs.docs[i] = NULL;
    }
    if (hooks == 0) {
        fprintf(stderr,
                "migguard: %s: not a webhook configuration (no ValidatingWebhookConfiguration "
                "or MutatingWebhookConfiguration in it)\n",
                file);
        goto out;
    }
    rc = 0;
out:
    mg_yaml_docs_free(&docs);
    return rc;
}

static int add_file(cJSON *items, const char *file, const char *bundle,
                    const struct webhooks_args *a)
{
    struct mg_err err = {0};
    char *text = NULL;
    size_t len = 0;
    int rc;

    if (mg_setup_read_input(file, (size_t)4 << 20, &text, &len, &err)) {
        mg_setup_print_err(&err);
        return 1;
    }
    rc = add_text(items, text, len, strcmp(file, "-") == 0 ? "standard input" : file, bundle, a);
    free(text);
    return rc;
}

int mg_cli_certs_webhooks(int argc, char **argv)
{
    struct webhooks_args a = {0};
    struct mg_err err = {0};
    char *bundle = NULL, *text = NULL;
    cJSON *list = NULL, *items;
    int rc = parse(argc, argv, &a);

    if (rc >= 0)
        return rc;
    rc = 1;
    if (mg_certs_cabundle(a.ca, &bundle, &err)) {
        mg_setup_print_err(&err);
        goto out;
    }
    list = cJSON_CreateObject();
    if (!list || !cJSON_AddStringToObject(list, "apiVersion", "v1") ||
        !cJSON_AddStringToObject(list, "kind", "List") ||
        !(items = cJSON_AddArrayToObject(list, "items")))
        goto out;
    for (size_t i = 0; i < a.n_files; i++) {
        if (add_file(items, a.files[i], bundle, &a))
            goto out;
    }
    if (a.n_files == 0 && (add_text(items, validatingwebhook_yaml, strlen(validatingwebhook_yaml),
                                    "deploy/base/validatingwebhook.yaml (built in)", bundle, &a) ||
                           add_text(items, mutatingwebhook_yaml, strlen(mutatingwebhook_yaml),
                                    "deploy/base/mutatingwebhook.yaml (built in)", bundle, &a)))
        goto out;
    text = cJSON_Print(list);
    if (!text)
        goto out;
    puts(text);
    rc = 0;
out:
    free(text);
    cJSON_Delete(list);
    free(bundle);
    return rc;
}
