/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_check.c - `migguard check`: manifests in, the webhook's verdicts out, before
 * `oc apply`. Each object becomes the AdmissionReview the API server would send
 * (mutate first, then validate the mutated object, as the API server orders them) and
 * goes through the same engine as `migguard serve`; no rule is decided here. An
 * allowed object joins the view, so later objects of the same input see it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_input.h"
#include "check_report.h"
#include "cli.h"
#include "json.h"
#include "jsonpatch.h"
#include "manifest.h"
#include "patch.h"
#include "setup.h"

struct check {
    struct mg_check_inputs in;
    const char *default_ns;
    struct mg_engine *engine;
    struct mg_check_results results;
};

static void usage(FILE *to)
{
    fprintf(to,
            "usage: migguard check [-f FILE|DIR|-]... [--state DIR] [--config FILE]\n"
            "                      [-n NAMESPACE] [-o text|json] [--show-patch] [FILE|DIR|-]...\n\n"
            "Check manifests offline before `oc apply`: every object of the YAML or JSON files\n"
            "(multi-document, `kind: List`, directories recursively: their .yaml, .yml and\n"
            ".json files by name) becomes the AdmissionReview the API server would send, and\n"
            "goes through migguard's mutating and then validating webhook, as `migguard serve`\n"
            "answers it. An object the view already has is an UPDATE with it as oldObject,\n"
            "else a CREATE; every allowed object joins the view (mutated), so objects earlier\n"
            "in the input are seen by later ones. Denied objects do not join.\n\n"
            "  -f, --filename PATH   a manifest file, a directory, or - for standard input\n"
            "                        (repeatable; plain arguments are read the same way)\n"
            "  --state DIR           load the cluster view from the .yaml/.yml/.json files in DIR\n"
            "  --config FILE         migguard configuration (YAML); default: the embedded one\n"
            "  -n, --namespace NS    namespace of namespaced objects without one (default:\n"
            "                        default)\n"
            "  -o, --output FORMAT   text (default) or json (the format of docs/check.md)\n"
            "  --show-patch          print the JSON Patch the mutating webhook returns\n"
            "  -h, --help            print this help\n\n"
            "Documents that are not Kubernetes objects (kustomization.yaml, patches) are\n"
            "skipped with a note on stderr. A file that cannot be read or parsed is reported\n"
            "(one line on stderr names the file and line) and the rest is still checked.\n\n"
            "exit status: 0 every object allowed, 1 at least one denied, 2 usage error or\n"
            "some input that cannot be read or parsed\n");
}

static void free_check(struct check *c)
{
    mg_check_inputs_free(&c->in);
    mg_check_report_free(&c->results);
    mg_engine_free(c->engine);
}

/* Line of a finding's field in the object's source: list items are under /items/N. */
static int field_line(const struct mg_check_pending *p, const char *field)
{
    char ptr[1024];
    int n = 0, line;

    if (!field || !field[0] || !p->marks)
        return p->line;
    if (p->item >= 0)
        n = snprintf(ptr, sizeof(ptr), "/items/%d", p->item);
    if (mg_manifest_pointer(p->obj, field, ptr + n, sizeof(ptr) - (size_t)n))
        return p->line;
    line = mg_marks_line(p->marks, ptr);
    return line > 0 ? line : p->line;
}

/* The engine's decision on one review body: the same evaluation `serve` and `review`
 * make, with each finding's whole message and field path, and the patch operations.
 * Free *a with mg_answer_free before the next question (one live review per thread). */
static int ask(struct check *c, enum mg_endpoint ep, const char *body, struct mg_answer *a,
               struct mg_err *err)
{
    return mg_engine_decide(c->engine, ep, mg_arena_thread(), body, strlen(body), a, err);
}

/* Verdict and findings of one answer into o: denials first, then warnings, as the
 * review shows them (causes, then warnings). */
static int take_answer(struct mg_check_object *o, const struct mg_check_pending *p,
                       const struct mg_answer *a)
{
    const struct mg_verdict *v = &a->verdict;
    size_t denials = 0;
    int rc = 0;

    o->allowed = a->allowed;
    if (a->status_code)
        /* A malformed request or an internal error: the status message only. */
        return mg_check_report_finding(o, true, a->error.msg, NULL, p->line);
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        enum mg_action want = pass == 0 ? MG_ACT_DENY : MG_ACT_WARN;

        for (size_t i = 0; i < v->n && rc == 0; i++) {
            const struct mg_finding *f = &v->items[i];

            if (f->action != want)
                continue;
            denials += want == MG_ACT_DENY;
            rc = mg_check_report_finding(o, want == MG_ACT_DENY, f->message, f->field,
                                         field_line(p, f->field));
        }
    }
    if (rc == 0 && !o->allowed && denials == 0)
        rc = mg_check_report_finding(o, true, "denied: the verdict is incomplete (out of memory)",
                                     NULL, p->line);
    return rc;
}

/* The mutating answer: record its patch in o and apply it to *obj (replaced by the
 * patched copy); o->allowed false when it denied. */
static int mutate(struct check *c, struct mg_check_object *o, const struct mg_check_pending *p,
                  cJSON **obj, const cJSON *old, const char *ns, const char *uid,
                  struct mg_err *err)
{
    struct mg_answer a = {0};
    struct mg_err perr = {0};
    char *body = NULL;
    int rc = mg_manifest_review(*obj, old, ns, uid, &body, err);

    if (rc == 0)
        rc = ask(c, MG_EP_MUTATE, body, &a, err);
    free(body);
    if (rc)
        goto out;
    if (!a.allowed) {
        rc = take_answer(o, p, &a);
        goto out;
    }
    o->allowed = true;
    if (mg_patch_len(&a.patch) == 0)
        goto out;
    if (!(o->patch = mg_patch_render(&a.patch))) {
        rc = mg_err_set(err, MG_ENOMEM, "out of memory applying the patch");
        goto out;
    }
    /* Not fatal: the patch applies whole or not at all, and the object is then validated
     * as written. */
    if (mg_jsonpatch_apply(*obj, a.patch.ops, &perr))
        fprintf(stderr, "migguard check: %s/%s: cannot apply the mutating patch: %s\n", o->kind,
                o->name, perr.msg);
out:
    mg_answer_free(&a);
    return rc;
}

/* An object with only metadata.generateName gets the name the API server would make
 * (generateName and 5 characters of its alphabet), here from the object's index so that
 * `check` says the same every time. */
static int generate_name(cJSON *obj, size_t idx)
{
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    cJSON *md = mg_json_get(obj, "metadata");
    const char *gen = mg_json_str(md, "generateName"), *own = mg_json_str(md, "name");
    char name[300];
    size_t n;

    if ((own && own[0]) || !gen)
        return 0;
    n = (size_t)snprintf(name, sizeof(name) - 6, "%.250s", gen);
    for (int i = 0; i < 5; i++, idx /= sizeof(alphabet) - 1)
        name[n++] = alphabet[idx % (sizeof(alphabet) - 1)];
    name[n] = '\0';
    cJSON_DeleteItemFromObjectCaseSensitive(md, "name");
    return cJSON_AddStringToObject(md, "name", name) ? 0 : MG_ENOMEM;
}

/* Fill o's identity from obj (namespace already set): o keeps its own copies, which
 * stay valid when obj is replaced by its patched copy. */
static int describe(struct mg_check_object *o, const struct mg_check_pending *p, const cJSON *obj,
                    const char *ns)
{
    const cJSON *md = mg_json_get(obj, "metadata");

    o->file = p->in->name;
    o->line = p->line;
    o->operation = "CREATE";
    o->api_version = strdup(mg_json_get(obj, "apiVersion")->valuestring);
    o->kind = strdup(mg_json_get(obj, "kind")->valuestring);
    o->name = strdup(mg_json_get(md, "name")->valuestring);
    o->namespace_ = strdup(ns);
    return o->api_version && o->kind && o->name && o->namespace_ ? 0 : MG_ENOMEM;
}

/* The old object of o (caller frees), NULL when the view has none: the whole object
 * from --state or from earlier in the input, as the API server sends it, since the
 * view keeps VMs, VMIs, PVCs and DataVolumes compacted; the view's copy otherwise. */
static int view_copy(const struct check *c, const struct mg_check_object *o, cJSON **old)
{
    struct mg_store *view = mg_engine_store(c->engine);
    const cJSON *had, *whole = mg_check_inputs_whole(&c->in, o->kind, o->namespace_, o->name);

    mg_store_rdlock(view);
    had = mg_store_get(view, o->kind, o->namespace_, o->name);
    *old = had ? cJSON_Duplicate(whole ? whole : had, 1) : NULL;
    mg_store_unlock(view);
    return had && !*old ? MG_ENOMEM : 0;
}

/* Mutate, validate, and let an allowed object join the view. */
static int check_one(struct check *c, const struct mg_check_pending *p, size_t idx,
                     struct mg_err *err)
{
    struct mg_store *view = mg_engine_store(c->engine);
    struct mg_check_object *o = mg_check_report_add(&c->results);
    cJSON *obj = cJSON_Duplicate(p->obj, 1), *old = NULL;
    struct mg_answer a = {0};
    const char *ns;
    char uid[32], *body = NULL;
    int rc = MG_ENOMEM;

    snprintf(uid, sizeof(uid), "check-%zu", idx + 1);
    if (!o || !obj || generate_name(obj, idx) ||
        !(ns = mg_manifest_set_namespace(obj, c->default_ns)) || describe(o, p, obj, ns) ||
        view_copy(c, o, &old))
        goto out;
    if (old)
        o->operation = "UPDATE";
    ns = o->namespace_;
    rc = mutate(c, o, p, &obj, old, ns, uid, err);
    if (rc || !o->allowed)
        goto out;
    rc = mg_manifest_review(obj, old, ns, uid, &body, err);
    if (rc)
        goto out;
    rc = ask(c, MG_EP_VALIDATE, body, &a, err);
    if (rc)
        goto out;
    rc = take_answer(o, p, &a);
    if (rc == 0 && o->allowed)
        rc = mg_check_inputs_remember(&c->in, o->kind, o->namespace_, o->name, obj);
    if (rc == 0 && o->allowed) {
        mg_store_wrlock(view);
        rc = mg_store_put(view, obj, err);
        mg_store_unlock(view);
        obj = NULL;
    }
out:
    if (rc == MG_ENOMEM && !err->msg[0])
        mg_err_set(err, MG_ENOMEM, "out of memory");
    mg_answer_free(&a);
    free(body);
    cJSON_Delete(old);
    cJSON_Delete(obj);
    return rc;
}

static int parse_args(int argc, char **argv, struct check *c, const char **state,
                      const char **config, bool *json, bool *show_patch)
{
    static const struct option opts[] = {
        {"filename", required_argument, NULL, 'f'}, {"state", required_argument, NULL, 's'},
        {"config", required_argument, NULL, 'c'},   {"namespace", required_argument, NULL, 'n'},
        {"output", required_argument, NULL, 'o'},   {"show-patch", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    struct mg_err err = {0};
    int ch;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "f:n:o:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            if (mg_check_inputs_read(&c->in, optarg, &err)) {
                mg_setup_print_err(&err);
                return 2;
            }
            break;
        case 's': *state = optarg; break;
        case 'c': *config = optarg; break;
        case 'n': c->default_ns = optarg; break;
        case 'p': *show_patch = true; break;
        case 'o':
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
                fprintf(stderr, "migguard check: -o takes text or json, not '%s'\n", optarg);
                return 2;
            }
            *json = strcmp(optarg, "json") == 0;
            break;
        case 'h': usage(stdout); return -1;
        default: usage(stderr); return 2;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (mg_check_inputs_read(&c->in, argv[i], &err)) {
            mg_setup_print_err(&err);
            return 2;
        }
    }
    return 0;
}

int mg_cli_check(int argc, char **argv)
{
    struct check c = {.default_ns = "default"};
    const char *state = NULL, *config = NULL;
    bool json = false, show_patch = false, denied = false;
    struct mg_err err = {0};
    int rc = parse_args(argc, argv, &c, &state, &config, &json, &show_patch);

    if (rc)
        goto out;
    rc = 2;
    if (c.in.named == 0) {
        fprintf(stderr, "migguard check: no input: give -f FILE, a directory, or - for "
                        "standard input\n");
        usage(stderr);
        goto out;
    }
    if (mg_check_inputs_collect(&c.in, &err)) {
        mg_setup_print_err(&err);
        goto out;
    }
    if (mg_setup_engine(config, state, &c.engine))
        goto out;
    if (state && mg_check_inputs_keep_state(&c.in, state, c.default_ns, &err)) {
        mg_setup_print_err(&err);
        goto out;
    }
    for (size_t i = 0; i < c.in.n_objs; i++) {
        if (check_one(&c, &c.in.objs[i], i, &err)) {
            fprintf(stderr, "migguard check: %s:%d: %s\n", c.in.objs[i].in->name, c.in.objs[i].line,
                    err.msg);
            goto out;
        }
        denied |= !c.results.items[i].allowed;
    }
    mg_store_rdlock(mg_engine_store(c.engine));
    mg_setup_note_hcos("check", mg_engine_store(c.engine), mg_engine_config(c.engine));
    mg_store_unlock(mg_engine_store(c.engine));
    if (json ? mg_check_report_json(stdout, &c.results) != 0
             : (mg_check_report_text(stdout, &c.results, show_patch), false)) {
        fprintf(stderr, "migguard check: out of memory writing the report\n");
        goto out;
    }
    /* Input that could not be read wins over a denial: something was not checked. */
    rc = c.in.broken ? 2 : denied ? 1 : 0;
out:
    free_check(&c);
    return rc < 0 ? 0 : rc;
}
