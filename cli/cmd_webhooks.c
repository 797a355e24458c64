/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_webhooks.c - `migguard certs webhooks`: read the webhook configurations of
 * deploy/ and print them with every clientConfig.caBundle set from a CA file (and,
 * when asked, the service namespace and name), as one JSON List for kubectl apply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "certs.h"
#include "cli.h"
#include "json.h"
#include "setup.h"
#include "yamljson.h"

#define MAX_FILES 16

const char mg_cli_webhooks_usage[] =
    "usage: migguard certs webhooks --ca FILE [-f FILE]... [--namespace NS] [--service NAME]\n"
    "  Print the ValidatingWebhookConfiguration and MutatingWebhookConfiguration of FILEs\n"
    "  (default: deploy/base/validatingwebhook.yaml and deploy/base/mutatingwebhook.yaml)\n"
    "  as one JSON List with clientConfig.caBundle set to the base64 of the CA, and with\n"
    "  --namespace/--service, clientConfig.service pointed there. Pipe it to\n"
    "  'kubectl apply -f -'. Exit 0 on success, 1 when a file cannot be used, 2 usage.\n";

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
    if (a->n_files == 0) {
        a->files[a->n_files++] = "deploy/base/validatingwebhook.yaml";
        a->files[a->n_files++] = "deploy/base/mutatingwebhook.yaml";
    }
    return -1;
}

/* Set the CA (and service) in every webhook of one configuration object. */
static int fill(cJSON *obj, const char *bundle, const struct webhooks_args *a, const char *file)
{
    const cJSON *kind = mg_json_get(obj, "kind");
    cJSON *hooks = mg_json_get(obj, "webhooks");
    cJSON *hook;

    if (!cJSON_IsString(kind) ||
        (strcmp(kind->valuestring, "ValidatingWebhookConfiguration") != 0 &&
         strcmp(kind->valuestring, "MutatingWebhookConfiguration") != 0)) {
        fprintf(stderr, "migguard: %s: not a webhook configuration\n", file);
        return 1;
    }
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
        if (cJSON_IsObject(svc) && a->ns)
            cJSON_ReplaceItemInObjectCaseSensitive(svc, "namespace", cJSON_CreateString(a->ns));
        if (cJSON_IsObject(svc) && a->service)
            cJSON_ReplaceItemInObjectCaseSensitive(svc, "name", cJSON_CreateString(a->service));
    }
    return 0;
}

static int add_file(cJSON *items, const char *file, const char *bundle,
                    const struct webhooks_args *a)
{
    struct mg_yaml_docs docs = {0};
    struct mg_err err = {0};
    char *text = NULL;
    size_t len = 0;
    int rc = 1;

    if (mg_read_file(file, (size_t)4 << 20, &text, &len, &err) ||
        mg_yaml_parse(text, len, file, false, &docs, &err)) {
        mg_setup_print_err(&err);
        goto out;
    }
    for (size_t i = 0; i < docs.n; i++) {
        if (fill(docs.docs[i], bundle, a, file))
            goto out;
        cJSON_AddItemToArray(items, docs.docs[i]);
        docs.docs[i] = NULL;
    }
    rc = 0;
out:
    mg_yaml_docs_free(&docs);
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
