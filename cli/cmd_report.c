/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_report.c - `migguard report`: for every VirtualMachine and VirtualMachineInstance
 * of a state directory, whether it can live-migrate, every reason it cannot (VM001-VM007,
 * and a VMI's LiveMigratable=False condition as MIG003), its resolved MigrationPolicy
 * and how many nodes it could move to; a table or JSON (docs/report.md) on stdout. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "policy.h"
#include "setup.h"
#include "vm.h"

struct row {
    const char *kind;
    char *ns, *name;     /* copies: objects are decoded one at a time */
    char *eviction;      /* facts.eviction points here */
    const char *policy;  /* resolved MigrationPolicy, NULL: none */
    struct mg_verdict v; /* the reasons; a warning is a "cannot determine" */
    struct mg_vm_facts facts;
};

struct report {
    struct row *rows;
    size_t n, cap;
    size_t nodes;
    bool nodes_known;
};

static const char *str_or(const cJSON *obj, const char *key, const char *dflt)
{
    const cJSON *it = mg_json_get(obj, key);

    return cJSON_IsString(it) ? it->valuestring : dflt;
}

static void usage(FILE *to)
{
    fprintf(to,
            "usage: migguard report --state DIR [--config FILE] [-o text|json]\n\n"
            "For every VirtualMachine and VirtualMachineInstance in the state directory: can it\n"
            "live-migrate, every reason it cannot (rule id and message), its MigrationPolicy and\n"
            "how many nodes it could move to.\n\n"
            "  --state DIR       load the cluster view from the .yaml/.yml/.json files in DIR\n"
            "  --config FILE     migguard configuration (YAML); rules set to off are not reported\n"
            "  -o, --output FMT  text (a table, the default) or json (docs/report.md)\n"
            "  -h, --help        print this help\n\n"
            "exit status: 0 reported, 2 usage error or a file cannot be read\n");
}

/* Reasons are independent of the eviction strategy: every rule that is not off counts
 * as deny, so that a warning left in the verdict means "cannot determine". */
static void report_config(struct mg_config *rc, const struct mg_config *cfg)
{
    *rc = *cfg;
    for (unsigned i = 0; i < MG_RULE_COUNT; i++)
        if (rc->actions[i] != MG_ACT_OFF)
            rc->actions[i] = MG_ACT_DENY;
}

static void vmi_condition(struct row *r, const cJSON *vmi, const struct mg_config *cfg)
{
    const cJSON *c;
    char field[64];
    int i = -1;

    cJSON_ArrayForEach (c, mg_json_get(mg_json_get(vmi, "status"), "conditions")) {
        i++;
        if (strcmp(str_or(c, "type", ""), "LiveMigratable") != 0 ||
            strcmp(str_or(c, "status", ""), "False") != 0)
            continue;
        snprintf(field, sizeof(field), "status.conditions[%d]", i);
        mg_verdict_add(&r->v, cfg, MG_RULE_MIG003, MG_ACT_DENY, field,
                       "KubeVirt reports LiveMigratable=False: %.100s: %.300s",
                       str_or(c, "reason", "(no reason)"), str_or(c, "message", "(no message)"));
    }
}

struct fill_ctx {
    struct report *rep;
    const struct mg_store *view;
    const struct mg_config *rc;
    const char *kind;
    bool vmi;
};

/* One row; obj is decoded for this call only, so the row keeps copies. */
static int fill_one(void *ctx, const cJSON *obj)
{
    struct fill_ctx *f = ctx;
    struct row *r = &f->rep->rows[f->rep->n];
    struct mg_policy_match m = {0};

    if (f->rep->n == f->rep->cap)
        return MG_ENOMEM; /* the view grew under the read lock: cannot happen */
    f->rep->n++;
    r->kind = f->kind;
    r->ns = strdup(str_or(mg_json_get(obj, "metadata"), "namespace", ""));
    r->name = strdup(str_or(mg_json_get(obj, "metadata"), "name", ""));
    mg_verdict_init(&r->v);
    if (!r->ns || !r->name)
        return MG_ENOMEM;
    mg_vm_check(obj, f->vmi, NULL, f->view, f->rc, MG_VM_FORCE_MUST, &r->v, &r->facts);
    if (r->facts.eviction && !(r->facts.eviction = r->eviction = strdup(r->facts.eviction)))
        return MG_ENOMEM;
    if (f->vmi)
        vmi_condition(r, obj, f->rc);
    if (mg_policy_resolve_workload(f->view, obj, &m) == 0)
        r->policy = m.name;
    /* The PVCs and VMs looked up for this row were decoded for it alone: the row keeps
     * copies, and 200,000 rows must not keep every lookup until the unlock. */
    mg_store_release();
    return r->v.oom ? MG_ENOMEM : 0;
}

static int fill(struct report *rep, const struct mg_store *view, const struct mg_config *cfg)
{
    static const char *const kinds[] = {"VirtualMachine", "VirtualMachineInstance"};
    struct mg_config rc;
    struct fill_ctx f = {rep, view, &rc, NULL, false};

    report_config(&rc, cfg);
    rep->cap = mg_store_count(view, kinds[0]) + mg_store_count(view, kinds[1]);
    rep->rows = calloc(rep->cap ? rep->cap : 1, sizeof(*rep->rows));
    if (!rep->rows)
        return MG_ENOMEM;
    rep->nodes_known = mg_store_knows(view, "Node");
    rep->nodes = mg_store_count(view, "Node");
    for (size_t k = 0; k < 2; k++) {
        int rc2;

        f.kind = kinds[k];
        f.vmi = k == 1;
        if ((rc2 = mg_store_each(view, kinds[k], fill_one, &f)) != 0)
            return rc2;
    }
    return 0;
}

static int row_cmp(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    int c = strcmp(x->ns, y->ns);

    if (c == 0)
        c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->kind, y->kind);
}

static bool all_undetermined(const struct row *r)
{
    for (size_t i = 0; i < r->v.n; i++)
        if (r->v.items[i].action == MG_ACT_DENY)
            return false;
    return r->v.n > 0;
}

/* A finding's message without its "[RULE] " prefix (the rule is its own field). */
static const char *bare(const struct mg_finding *f)
{
    size_t skip = strlen(mg_rule_id(f->rule)) + 3;

    return strlen(f->message) >= skip ? f->message + skip : f->message;
}

static const char *verdict_word(const struct row *r)
{
    return r->v.n == 0 ? "yes" : all_undetermined(r) ? "unknown" : "no";
}

/* Rule ids of a row's reasons, each once, comma-separated ("-" when none). */
static const char *rule_list(const struct row *r, char *buf, size_t len)
{
    bool seen[MG_RULE_COUNT] = {false};
    size_t at = 0;

    snprintf(buf, len, "-");
    for (size_t i = 0; i < r->v.n; i++) {
        enum mg_rule rule = r->v.items[i].rule;
        int w;

        if (seen[rule])
            continue;
        seen[rule] = true;
        w = snprintf(buf + at, len - at, "%s%s", at ? "," : "", mg_rule_id(rule));
        if (w < 0 || (size_t)w >= len - at)
            break;
        at += (size_t)w;
    }
    return buf;
}

static void summary_counts(const struct report *rep, size_t *yes, size_t *no, size_t *unknown,
                           size_t *vms)
{
    *yes = *no = *unknown = *vms = 0;
    for (size_t i = 0; i < rep->n; i++) {
        const struct row *r = &rep->rows[i];

        *vms += strcmp(r->kind, "VirtualMachine") == 0;
        if (r->v.n == 0)
            (*yes)++;
        else if (all_undetermined(r))
            (*unknown)++;
        else
            (*no)++;
    }
}

enum { C_NS, C_NAME, C_KIND, C_MIG, C_POLICY, C_TARGETS, C_REASONS, C_COUNT };

static void cells(const struct report *rep, const struct row *r, char targets[24],
                  char reasons[256], const char *out[C_COUNT])
{
    if (rep->nodes_known)
        snprintf(targets, 24, "%zu", r->facts.target_nodes);
    else
        snprintf(targets, 24, "-");
    out[C_NS] = r->ns[0] ? r->ns : "-";
    out[C_NAME] = r->name;
    out[C_KIND] = strcmp(r->kind, "VirtualMachine") == 0 ? "VM" : "VMI";
    out[C_MIG] = verdict_word(r);
    out[C_POLICY] = r->policy ? r->policy : "-";
    out[C_TARGETS] = targets;
    out[C_REASONS] = rule_list(r, reasons, 256);
}

static int render_text(const struct report *rep)
{
    static const char *const head[C_COUNT] = {"NAMESPACE", "NAME",    "KIND",   "MIGRATABLE",
                                              "POLICY",    "TARGETS", "REASONS"};
    size_t width[C_COUNT], yes, no, unknown, vms;
    const char *out[C_COUNT];
    char targets[24], reasons[256];

    for (int c = 0; c < C_COUNT; c++)
        width[c] = strlen(head[c]);
    for (size_t i = 0; i < rep->n; i++) {
        cells(rep, &rep->rows[i], targets, reasons, out);
        for (int c = 0; c < C_COUNT; c++)
            width[c] = strlen(out[c]) > width[c] ? strlen(out[c]) : width[c];
    }
    for (int c = 0; c < C_COUNT; c++)
        printf("%-*s%s", c + 1 < C_COUNT ? (int)width[c] : 0, head[c],
               c + 1 < C_COUNT ? "  " : "\n");
    for (size_t i = 0; i < rep->n; i++) {
        cells(rep, &rep->rows[i], targets, reasons, out);
        for (int c = 0; c < C_COUNT; c++)
            printf("%-*s%s", c + 1 < C_COUNT ? (int)width[c] : 0, out[c],
                   c + 1 < C_COUNT ? "  " : "\n");
    }
    for (size_t i = 0; i < rep->n; i++) {
        const struct row *r = &rep->rows[i];

        if (r->v.n)
            printf("\n%s/%s (%s):\n", r->ns[0] ? r->ns : "-", r->name,
                   strcmp(r->kind, "VirtualMachine") == 0 ? "VM" : "VMI");
        for (size_t j = 0; j < r->v.n; j++)
            printf("  %-6s %s\n         at %s\n", mg_rule_id(r->v.items[j].rule),
                   bare(&r->v.items[j]), r->v.items[j].field);
    }
    summary_counts(rep, &yes, &no, &unknown, &vms);
    printf("\n%zu workloads (%zu VMs, %zu VMIs): %zu can live-migrate, %zu cannot, %zu "
           "undetermined; ",
           rep->n, vms, rep->n - vms, yes, no, unknown);
    if (rep->nodes_known)
        printf("%zu nodes\n", rep->nodes);
    else
        printf("nodes unknown (TARGETS not computed)\n");
    return ferror(stdout) ? 2 : 0;
}

static cJSON *json_row(const struct report *rep, const struct row *r)
{
    cJSON *item = cJSON_CreateObject(), *reasons;
    bool ok = item != NULL;

    ok = ok && cJSON_AddStringToObject(item, "kind", r->kind) &&
         cJSON_AddStringToObject(item, "namespace", r->ns) &&
         cJSON_AddStringToObject(item, "name", r->name) &&
         cJSON_AddBoolToObject(item, "liveMigratable", r->v.n == 0) &&
         (r->policy ? cJSON_AddStringToObject(item, "policy", r->policy)
                    : cJSON_AddNullToObject(item, "policy")) &&
         (rep->nodes_known
              ? cJSON_AddNumberToObject(item, "targetNodes", (double)r->facts.target_nodes)
              : cJSON_AddNullToObject(item, "targetNodes")) &&
         cJSON_AddStringToObject(item, "evictionStrategy",
                                 r->facts.eviction ? r->facts.eviction : "None") &&
         (reasons = cJSON_AddArrayToObject(item, "reasons"));
    for (size_t i = 0; ok && i < r->v.n; i++) {
        const struct mg_finding *f = &r->v.items[i];
        cJSON *o = cJSON_CreateObject();

        if (!o || !cJSON_AddItemToArray(reasons, o)) {
            cJSON_Delete(o);
            ok = false;
            break;
        }
        ok = cJSON_AddStringToObject(o, "rule", mg_rule_id(f->rule)) &&
             cJSON_AddStringToObject(o, "message", bare(f)) &&
             cJSON_AddStringToObject(o, "field", f->field) &&
             cJSON_AddBoolToObject(o, "determined", f->action == MG_ACT_DENY);
    }
    if (!ok) {
        cJSON_Delete(item);
        return NULL;
    }
    return item;
}

static cJSON *json_summary(const struct report *rep)
{
    cJSON *s = cJSON_CreateObject(), *by_rule;
    size_t yes, no, unknown, vms, count[MG_RULE_COUNT] = {0};
    bool ok;

    summary_counts(rep, &yes, &no, &unknown, &vms);
    for (size_t i = 0; i < rep->n; i++) {
        bool seen[MG_RULE_COUNT] = {false};

        for (size_t j = 0; j < rep->rows[i].v.n; j++)
            seen[rep->rows[i].v.items[j].rule] = true;
        for (unsigned k = 0; k < MG_RULE_COUNT; k++)
            count[k] += seen[k];
    }
    ok = s && cJSON_AddNumberToObject(s, "total", (double)rep->n) &&
         cJSON_AddNumberToObject(s, "virtualMachines", (double)vms) &&
         cJSON_AddNumberToObject(s, "virtualMachineInstances", (double)(rep->n - vms)) &&
         cJSON_AddNumberToObject(s, "liveMigratable", (double)yes) &&
         cJSON_AddNumberToObject(s, "notLiveMigratable", (double)no) &&
         cJSON_AddNumberToObject(s, "undetermined", (double)unknown) &&
         (rep->nodes_known ? cJSON_AddNumberToObject(s, "nodes", (double)rep->nodes)
                           : cJSON_AddNullToObject(s, "nodes")) &&
         (by_rule = cJSON_AddObjectToObject(s, "byRule"));
    for (unsigned k = 0; ok && k < MG_RULE_COUNT; k++)
        if (count[k])
            ok = cJSON_AddNumberToObject(by_rule, mg_rule_id((enum mg_rule)k), (double)count[k]);
    if (!ok) {
        cJSON_Delete(s);
        return NULL;
    }
    return s;
}

static int render_json(const struct report *rep)
{
    cJSON *root = cJSON_CreateObject(), *items, *summary = NULL;
    char *text = NULL;
    int rc = 2;

    if (!root || !(items = cJSON_AddArrayToObject(root, "items")))
        goto out;
    for (size_t i = 0; i < rep->n; i++) {
        cJSON *it = json_row(rep, &rep->rows[i]);

        if (!it || !cJSON_AddItemToArray(items, it)) {
            cJSON_Delete(it);
            goto out;
        }
    }
    summary = json_summary(rep);
    if (!summary || !cJSON_AddItemToObject(root, "summary", summary))
        goto out;
    summary = NULL;
    text = cJSON_Print(root);
    if (!text)
        goto out;
    fputs(text, stdout);
    fputc('\n', stdout);
    rc = ferror(stdout) ? 2 : 0;
out:
    if (rc)
        fprintf(stderr, "migguard report: %s\n", text ? "cannot write" : "out of memory");
    cJSON_Delete(summary);
    cJSON_Delete(root);
    free(text);
    return rc;
}

int mg_cli_report(int argc, char **argv)
{
    static const struct option opts[] = {{"state", required_argument, NULL, 's'},
                                         {"config", required_argument, NULL, 'c'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *state = NULL, *config = NULL, *output = "text";
    struct mg_engine *engine = NULL;
    struct mg_store *view;
    struct report rep = {0};
    int c, rc = 2;

    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 's': state = optarg; break;
        case 'c': config = optarg; break;
        case 'o': output = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc || !state || (strcmp(output, "text") != 0 && strcmp(output, "json") != 0)) {
        fprintf(stderr, "migguard report: %s\n",
                optind != argc ? "unexpected argument"
                : !state       ? "--state DIR is required"
                               : "-o must be text or json");
        usage(stderr);
        return 2;
    }
    if (mg_setup_engine(config, state, &engine))
        return 2;
    view = mg_engine_store(engine);
    mg_store_rdlock(view);
    if (fill(&rep, view, mg_engine_config(engine)) != 0) {
        fprintf(stderr, "migguard report: out of memory\n");
    } else {
        qsort(rep.rows, rep.n, sizeof(*rep.rows), row_cmp);
        rc = strcmp(output, "json") == 0 ? render_json(&rep) : render_text(&rep);
    }
    mg_store_unlock(view);
    for (size_t i = 0; i < rep.n; i++) {
        mg_verdict_free(&rep.rows[i].v);
        free(rep.rows[i].ns);
        free(rep.rows[i].name);
        free(rep.rows[i].eviction);
    }
    free(rep.rows);
    mg_engine_free(engine);
    return rc;
}
