/* SPDX-License-Identifier: Apache-2.0 */
/* drain_doc.c - the JSON and YAML forms of a drain report (docs/report.md), written
 * one item at a time so that a report of 100,000 VMIs is never one tree in memory.
 * The YAML is block style with every string double-quoted (a JSON string is a valid
 * YAML scalar). Formatting only: the answers are validate/drain.c's. */
#include "drain_doc.h"

#include <string.h>

#include "drain_render.h"
#include "mp.h"

static const char *const fates[] = {"in-time", "cancelled", "paused", "post-copy"};

static bool add_str(cJSON *o, const char *k, const char *v)
{
    return v ? cJSON_AddStringToObject(o, k, v) != NULL : cJSON_AddNullToObject(o, k) != NULL;
}

static bool add_num(cJSON *o, const char *k, double v)
{
    return cJSON_AddNumberToObject(o, k, v) != NULL;
}

static cJSON *settings_json(const struct mg_lmc_settings *s)
{
    cJSON *o = cJSON_CreateObject();
    char bw[48];
    bool ok;

    mg_mp_quantity_format(&s->bandwidth, bw, sizeof(bw));
    ok = o && add_str(o, "bandwidthPerMigration", bw) &&
         add_num(o, "completionTimeoutPerGiB", (double)s->completion_timeout) &&
         cJSON_AddBoolToObject(o, "allowAutoConverge", s->allow_auto_converge) &&
         cJSON_AddBoolToObject(o, "allowPostCopy", s->allow_post_copy) &&
         cJSON_AddBoolToObject(o, "allowWorkloadDisruption", s->allow_workload_disruption) &&
         (!s->has_max_downtime || add_num(o, "maxDowntimeMs", (double)s->max_downtime_ms)) &&
         add_num(o, "progressTimeout", (double)s->progress_timeout) &&
         add_num(o, "parallelOutboundMigrationsPerNode", (double)s->parallel_node) &&
         add_num(o, "parallelMigrationsPerCluster", (double)s->parallel_cluster);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static bool add_item(cJSON *o, const char *k, cJSON *v)
{
    if (!v || !cJSON_AddItemToObject(o, k, v)) {
        cJSON_Delete(v);
        return false;
    }
    return true;
}

static cJSON *migration_json(const struct mg_drain_item *it, bool drain)
{
    cJSON *o;
    bool ok;

    if (!it->estimated)
        return cJSON_CreateNull();
    o = cJSON_CreateObject();
    ok = o && add_num(o, "memoryBytes", (double)it->mig.bytes) &&
         add_num(o, "bandwidthMiBps", (double)it->mig.bandwidth_mib) &&
         add_num(o, "seconds", it->mig.seconds) &&
         add_num(o, "deadlineSeconds", (double)it->mig.deadline) &&
         add_str(o, "atDeadline", fates[it->mig.fate]) &&
         (!drain || (add_num(o, "start", it->mig.start) && add_num(o, "end", it->mig.end)));
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *reasons_json(const struct mg_drain_item *it)
{
    cJSON *a = cJSON_CreateArray();

    for (size_t i = 0; a && i < it->v.n; i++) {
        const struct mg_finding *f = &it->v.items[i];
        cJSON *o = cJSON_CreateObject();

        if (!o || !cJSON_AddItemToArray(a, o)) {
            cJSON_Delete(o);
            goto fail;
        }
        if (!add_str(o, "rule", mg_rule_id(f->rule)) ||
            !add_str(o, "message", mg_drain_render_message(f)) || !add_str(o, "field", f->field) ||
            !cJSON_AddBoolToObject(o, "determined", f->action == MG_ACT_DENY) ||
            !add_str(o, "fix", mg_drain_render_fix(f->rule)))
            goto fail;
    }
    return a;
fail:
    cJSON_Delete(a);
    return NULL;
}

static cJSON *ruled_json(const struct mg_drain_item *it)
{
    cJSON *a;

    if (!it->explained)
        return cJSON_CreateNull();
    a = cJSON_CreateArray();
    for (size_t i = 0; a && i < it->n_ruled; i++) {
        cJSON *o = cJSON_CreateObject();

        if (!o || !cJSON_AddItemToArray(a, o)) {
            cJSON_Delete(o);
            cJSON_Delete(a);
            return NULL;
        }
        if (!add_str(o, "condition", it->ruled[i].why) ||
            !add_num(o, "nodes", (double)it->ruled[i].nodes)) {
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

static cJSON *item_json(const struct mg_drain_item *it, bool drain)
{
    cJSON *o = cJSON_CreateObject();
    bool ok;

    ok = o && add_str(o, "kind", it->vm ? "VirtualMachine" : "VirtualMachineInstance") &&
         add_str(o, "namespace", it->ns) && add_str(o, "name", it->name) &&
         add_str(o, "node", it->node) && add_str(o, "phase", it->phase) &&
         add_str(o, "outcome", mg_drain_outcome_name(it->outcome)) &&
         add_str(o, "migratable", it->migratable) &&
         cJSON_AddBoolToObject(o, "liveMigratable", strcmp(it->migratable, "yes") == 0) &&
         add_str(o, "evictionStrategy", it->eviction) && add_str(o, "policy", it->policy) &&
         (it->nodes_known ? add_num(o, "targetNodes", (double)it->targets)
                          : cJSON_AddNullToObject(o, "targetNodes") != NULL) &&
         add_str(o, "firstTarget", it->target) && add_item(o, "ruledOut", ruled_json(it)) &&
         add_item(o, "settings", settings_json(&it->settings)) &&
         add_item(o, "migration", migration_json(it, drain)) &&
         add_item(o, "reasons", reasons_json(it));
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *summary_json(const struct mg_drain_report *r)
{
    cJSON *s = cJSON_CreateObject(), *by = NULL, *est = NULL;
    size_t count[MG_RULE_COUNT] = {0};
    bool ok;

    for (size_t i = 0; i < r->n; i++) {
        bool seen[MG_RULE_COUNT] = {false};

        for (size_t j = 0; j < r->items[i].v.n; j++)
            seen[r->items[i].v.items[j].rule] = true;
        for (unsigned k = 0; k < MG_RULE_COUNT; k++)
            count[k] += seen[k];
    }
    ok = s && add_num(s, "virtualMachineInstances", (double)(r->n - r->counts[MG_DRAIN_STOPPED]));
    for (int k = 0; ok && k < MG_DRAIN_OUTCOMES; k++)
        ok = add_num(s, mg_drain_outcome_name((enum mg_drain_outcome)k), (double)r->counts[k]);
    ok = ok &&
         (r->nodes_known ? add_num(s, "nodes", (double)r->nodes)
                         : cJSON_AddNullToObject(s, "nodes") != NULL) &&
         (by = cJSON_AddObjectToObject(s, "byRule"));
    for (unsigned k = 0; ok && k < MG_RULE_COUNT; k++)
        if (count[k])
            ok = add_num(by, mg_rule_id((enum mg_rule)k), (double)count[k]);
    ok = ok && add_item(s, "clusterSettings", settings_json(&r->cluster)) &&
         (est = cJSON_AddObjectToObject(s, "estimate")) &&
         add_num(est, "migrations", (double)r->migrations) &&
         (r->drain ? add_num(est, "lowerBoundSeconds", r->seconds)
                   : cJSON_AddNullToObject(est, "lowerBoundSeconds") != NULL) &&
         add_num(est, "atDeadline", (double)r->late) &&
         add_num(est, "unknownMemory", (double)r->no_memory) &&
         add_num(est, "linkGbps", r->link_gbps);
    if (!ok) {
        cJSON_Delete(s);
        return NULL;
    }
    return s;
}

/* v as pretty JSON, every line after the first indented by indent spaces. cJSON
 * indents with tabs and puts one after each colon: two spaces and one here (a tab
 * inside a string is escaped, so every raw tab is layout). */
static void json_at(FILE *out, const cJSON *v, int indent)
{
    char *text = cJSON_Print(v);

    for (const char *p = text; p && *p;) {
        size_t n = strcspn(p, "\n");

        for (; n && *p == '\t'; n--, p++)
            fputs("  ", out);
        for (; n; n--, p++)
            fputc(*p == '\t' ? ' ' : *p, out);
        if (*p == '\n') {
            fprintf(out, "\n%*s", indent, "");
            p++;
        }
    }
    cJSON_free(text);
}

static void yaml_node(FILE *out, const cJSON *v, int indent, bool inline_first);

/* The items of one list (VMIs, or stopped VMs), one object at a time. */
static bool items_out(FILE *out, const struct mg_drain_report *r, bool vms, bool yaml)
{
    bool first = true;

    for (size_t i = 0; i < r->n; i++) {
        cJSON *it;

        if (r->items[i].vm != vms)
            continue;
        if (!(it = item_json(&r->items[i], r->drain)))
            return false;
        if (yaml) {
            fputs(first ? "\n- " : "- ", out);
            yaml_node(out, it, 2, true);
        } else {
            fprintf(out, "%s\n    ", first ? "" : ",");
            json_at(out, it, 4);
        }
        first = false;
        cJSON_Delete(it);
    }
    if (yaml)
        fputs(first ? " []\n" : "", out);
    else
        fputs(first ? "]" : "\n  ]", out);
    return true;
}

int mg_drain_doc_write(FILE *out, const struct mg_drain_report *r, const char *const *nodes,
                       size_t n_nodes, bool yaml, const cJSON *conflicts)
{
    bool with_conflicts = cJSON_GetArraySize(conflicts) > 0;
    cJSON *drained = r->drain ? cJSON_CreateArray() : cJSON_CreateNull();
    cJSON *summary = summary_json(r);
    bool ok = drained && summary;

    for (size_t i = 0; ok && r->drain && i < n_nodes; i++)
        ok = cJSON_AddItemToArray(drained, cJSON_CreateString(nodes[i]));
    if (ok && yaml) {
        fputs("drainedNodes:", out);
        if (r->drain && drained->child) {
            fputc('\n', out);
            yaml_node(out, drained, 0, false);
        } else {
            fputs(r->drain ? " []\n" : " null\n", out);
        }
        fputs("items:", out);
        ok = items_out(out, r, false, true);
        fputs("stoppedVMs:", out);
        ok = ok && items_out(out, r, true, true);
        fputs("summary:\n", out);
        yaml_node(out, summary, 2, false);
        if (with_conflicts) {
            fputs("policyConflicts:\n", out);
            yaml_node(out, conflicts, 0, false);
        }
    } else if (ok) {
        fputs("{\n  \"drainedNodes\": ", out);
        json_at(out, drained, 2);
        fputs(",\n  \"items\": [", out);
        ok = items_out(out, r, false, false);
        fputs(",\n  \"stoppedVMs\": [", out);
        ok = ok && items_out(out, r, true, false);
        fputs(",\n  \"summary\": ", out);
        json_at(out, summary, 2);
        if (with_conflicts) {
            fputs(",\n  \"policyConflicts\": ", out);
            json_at(out, conflicts, 2);
        }
        fputs("\n}\n", out);
    }
    cJSON_Delete(drained);
    cJSON_Delete(summary);
    if (!ok)
        fprintf(stderr, "migguard report: out of memory\n");
    return !ok || ferror(out) ? 2 : 0;
}

/* ---- YAML ---------------------------------------------------------------- */

static void yaml_scalar(FILE *out, const cJSON *v)
{
    char *s;

    if (cJSON_IsString(v)) {
        /* A JSON string is a valid YAML double-quoted scalar. */
        s = cJSON_PrintUnformatted(v);
        fputs(s ? s : "\"\"", out);
        cJSON_free(s);
    } else if (cJSON_IsBool(v)) {
        fputs(cJSON_IsTrue(v) ? "true" : "false", out);
    } else if (cJSON_IsNumber(v)) {
        s = cJSON_PrintUnformatted(v);
        fputs(s ? s : "0", out);
        cJSON_free(s);
    } else {
        fputs("null", out);
    }
}

static bool plain_key(const char *k)
{
    if (!*k)
        return false;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') ||
              *k == '_' || *k == '-' || *k == '.' || *k == '/'))
            return false;
    return true;
}

static void yaml_key(FILE *out, const char *k)
{
    cJSON *s;
    char *t;

    if (plain_key(k)) {
        fputs(k, out);
        return;
    }
    s = cJSON_CreateString(k);
    t = s ? cJSON_PrintUnformatted(s) : NULL;
    fputs(t ? t : "\"\"", out);
    cJSON_free(t);
    cJSON_Delete(s);
}

/* v at indent; inline_first: the first line continues the current one ("- "). */
static void yaml_node(FILE *out, const cJSON *v, int indent, bool inline_first)
{
    const cJSON *c;
    bool first = true;

    if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
        if (!v->child) {
            fputs(cJSON_IsObject(v) ? "{}\n" : "[]\n", out);
            return;
        }
        cJSON_ArrayForEach (c, v) {
            if (!(first && inline_first))
                fprintf(out, "%*s", indent, "");
            first = false;
            if (cJSON_IsArray(v)) {
                fputs("- ", out);
                if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && c->child)
                    yaml_node(out, c, indent + 2, true);
                else {
                    yaml_scalar(out, c);
                    fputc('\n', out);
                }
                continue;
            }
            yaml_key(out, c->string);
            if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && c->child) {
                fputs(":\n", out);
                yaml_node(out, c, indent + (cJSON_IsArray(c) ? 0 : 2), false);
            } else {
                fputs(": ", out);
                if (cJSON_IsObject(c) || cJSON_IsArray(c))
                    fputs(cJSON_IsObject(c) ? "{}\n" : "[]\n", out);
                else {
                    yaml_scalar(out, c);
                    fputc('\n', out);
                }
            }
        }
        return;
    }
    yaml_scalar(out, v);
    fputc('\n', out);
}
