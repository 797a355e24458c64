/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_resolve.c - `migguard resolve`: which MigrationPolicy applies to one VM or VMI
 * and why (RULES.md section 4): the winner, the effective settings as the mutating
 * webhook annotates them, and every policy with its score or the label that failed. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "mutate.h"
#include "policy.h"
#include "setup.h"
#include "yamljson.h"

static void usage(FILE *to)
{
    fprintf(to,
            "usage: migguard resolve [--state DIR] [--config FILE] [-n NAMESPACE] VM-FILE|-\n\n"
            "Read one VirtualMachine or VirtualMachineInstance (YAML or JSON) from VM-FILE or\n"
            "standard input and print which MigrationPolicy of the cluster view applies to it,\n"
            "the effective migration settings (the migguard.io/migration-config annotation\n"
            "the mutating webhook sets), and why: every policy with its score (namespace and\n"
            "VM selector labels) or the first selector label that did not match.\n"
            "Policies match a VM's spec.template.metadata.labels (a VMI's metadata.labels) and\n"
            "the labels of its Namespace in the view. Precedence: most selector labels, then\n"
            "more VM labels, then the smaller name.\n\n"
            "  --state DIR     load the cluster view (policies, namespaces, HyperConverged)\n"
            "                  from the .yaml/.yml/.json files in DIR\n"
            "  --config FILE   migguard configuration (YAML); default: the embedded one\n"
            "  -n, --namespace NS  the namespace of an object that names none (default:\n"
            "                  \"default\", as kubectl); one that names another is refused\n"
            "  -h, --help      print this help\n\n"
            "exit status: 0 printed, 2 usage error or unreadable input\n");
}

/* The string at obj.a.b (obj.a when b is NULL), "" when absent. */
static const char *str_at(const cJSON *obj, const char *a, const char *b)
{
    const cJSON *it = mg_json_get(obj, a);

    if (b)
        it = mg_json_get(it, b);

    return cJSON_IsString(it) ? it->valuestring : "";
}

static void print_labels(const char *what, const cJSON *labels)
{
    const cJSON *it;
    bool first = true;

    printf("%s {", what);
    cJSON_ArrayForEach (it, labels) {
        if (cJSON_IsString(it)) {
            printf("%s%s=%s", first ? "" : ", ", it->string, it->valuestring);
            first = false;
        }
    }
    printf("}\n");
}

static int cmp_policy(const void *a, const void *b)
{
    return strcmp(str_at(*(const cJSON *const *)a, "metadata", "name"),
                  str_at(*(const cJSON *const *)b, "metadata", "name"));
}

/* Why the winner beats the best of the rest. */
static const char *reason(const struct mg_policy_match *w, const struct mg_policy_match *next)
{
    if (!next->policy)
        return "the only matching policy";
    if (w->ns_labels + w->vm_labels != next->ns_labels + next->vm_labels)
        return "most selector labels in total";
    if (w->vm_labels != next->vm_labels)
        return "equal total, more VM labels";
    return "equal total and VM labels, smallest name";
}

static int explain(struct mg_engine *engine, const cJSON *w, const char *ns)
{
    const struct mg_store *view = mg_engine_store(engine);
    const char *kind = str_at(w, "kind", NULL);
    const cJSON *labels = mg_policy_workload_labels(w);
    const cJSON *nsl = mg_policy_namespace_labels(view, ns);
    const cJSON *const *items;
    size_t n = mg_store_list(view, "MigrationPolicy", &items);
    struct mg_request req = {"",           "kubevirt.io", "v1", kind, "",  ns,
                             MG_OP_CREATE, false,         w,    NULL, NULL};
    struct mg_mctx ctx = {&req, view, mg_engine_config(engine), NULL};
    struct mg_policy_match m, next;
    const cJSON **sorted = n ? malloc(n * sizeof(*sorted)) : NULL;
    const char *policy;
    char config[768];

    if (n && !sorted) {
        fprintf(stderr, "migguard resolve: out of memory\n");
        return 2;
    }
    mg_policy_resolve_in(view, w, ns, &m);
    mg_policy_resolve_except(view, labels, nsl, m.name, &next);
    if (mg_annotate_values(&ctx, &policy, config, sizeof(config)) != 0)
        config[0] = '\0';
    printf("workload: %s %s/%s\n", kind, ns, str_at(w, "metadata", "name"));
    print_labels("  labels:", labels);
    if (nsl)
        print_labels("  namespace labels:", nsl);
    else
        printf("  namespace labels: {} (namespace \"%s\" is not in the view)\n", ns);
    printf("policy: %s\n", policy);
    if (m.policy)
        printf("  why: %s (%zu namespace + %zu VM labels)\n", reason(&m, &next), m.ns_labels,
               m.vm_labels);
    printf("settings: %s\n", config);
    printf("candidates: %zu\n", n);
    if (n)
        memcpy(sorted, items, n * sizeof(*sorted));
    if (n)
        qsort(sorted, n, sizeof(*sorted), cmp_policy);
    for (size_t i = 0; i < n; i++) {
        const char *name = str_at(sorted[i], "metadata", "name");
        size_t a = 0, b = 0;
        char why[512];

        if (mg_policy_matches(sorted[i], labels, nsl, why, sizeof(why))) {
            mg_policy_selectors(sorted[i], &a, &b);
            printf("  %-24s matches, score %zu (%zu namespace + %zu VM labels)%s\n", name, a + b, a,
                   b, sorted[i] == m.policy ? "  <- applies" : "");
        } else {
            printf("  %-24s no: %s\n", name, why);
        }
    }
    free(sorted);
    return 0;
}

/* The namespace to resolve in (kubectl's rules for -n and a file's namespace), or NULL
 * after saying why the object is not one resolve takes. */
static const char *workload_ns(const cJSON *w, const char *file, const char *flag_ns)
{
    const char *kind = str_at(w, "kind", NULL), *ns = str_at(w, "metadata", "namespace");

    if (strcmp(kind, "VirtualMachine") != 0 && strcmp(kind, "VirtualMachineInstance") != 0) {
        if (!*kind)
            fprintf(stderr,
                    "migguard resolve: %s: the object has no kind: give a "
                    "VirtualMachine or VirtualMachineInstance with its kind\n",
                    file);
        else if (strcmp(kind, "List") == 0 || strstr(kind, "List"))
            fprintf(stderr,
                    "migguard resolve: %s: a %s: resolve takes one VirtualMachine or "
                    "VirtualMachineInstance (e.g. kubectl get vm NAME -o yaml); for a "
                    "whole cluster use migguard report\n",
                    file, kind);
        else
            fprintf(stderr,
                    "migguard resolve: %s: kind %s is not a VirtualMachine or "
                    "VirtualMachineInstance: resolve tells which MigrationPolicy applies "
                    "to a VM%s\n",
                    file, kind,
                    strcmp(kind, "MigrationPolicy") == 0 ? " (to check a policy, use migguard "
                                                           "check -f FILE)"
                                                         : "");
        return NULL;
    }
    if (*ns && flag_ns && strcmp(ns, flag_ns) != 0) {
        fprintf(stderr,
                "migguard resolve: %s: the object's namespace \"%s\" does not match "
                "-n \"%s\"\n",
                file, ns, flag_ns);
        return NULL;
    }
    return *ns ? ns : flag_ns ? flag_ns : "default";
}

int mg_cli_resolve(int argc, char **argv)
{
    static const struct option opts[] = {{"state", required_argument, NULL, 's'},
                                         {"config", required_argument, NULL, 'c'},
                                         {"namespace", required_argument, NULL, 'n'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *state = NULL, *config = NULL, *flag_ns = NULL, *ns;
    struct mg_engine *engine = NULL;
    struct mg_yaml_docs docs = {0};
    struct mg_err err = {0};
    char *text = NULL;
    size_t len = 0;
    int c, rc = 2;

    optind = 1;
    while ((c = getopt_long(argc, argv, "hn:", opts, NULL)) != -1) {
        if (c == 'n') {
            flag_ns = optarg;
        } else if (c == 's') {
            state = optarg;
        } else if (c == 'c') {
            config = optarg;
        } else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "migguard resolve: expected one VM-FILE (or - for standard input)\n");
        usage(stderr);
        return 2;
    }
    if (mg_setup_engine(config, state, &engine))
        return 2;
    if (mg_setup_read_input(argv[optind], MG_REVIEW_MAX_BYTES, &text, &len, &err) ||
        mg_yaml_parse(text, len, argv[optind], false, &docs, &err)) {
        mg_setup_print_err(&err);
        goto out;
    }
    if (docs.n != 1 || !cJSON_IsObject(docs.docs[0])) {
        fprintf(stderr,
                "migguard resolve: %s: expected one VirtualMachine or "
                "VirtualMachineInstance object, found %zu documents\n",
                argv[optind], docs.n);
        goto out;
    }
    if (!(ns = workload_ns(docs.docs[0], argv[optind], flag_ns)))
        goto out;
    mg_store_rdlock(mg_engine_store(engine));
    rc = explain(engine, docs.docs[0], ns);
    mg_store_unlock(mg_engine_store(engine));
out:
    mg_yaml_docs_free(&docs);
    free(text);
    mg_engine_free(engine);
    return rc;
}
