/* SPDX-License-Identifier: Apache-2.0 */
/* drain_render.c - the text, JSON and YAML forms of a drain report (docs/report.md).
 * The table follows `oc get` (upper-case headers, two spaces between columns) and is
 * cut to the terminal's width; the reasons follow with their fix; the summary last.
 * Formatting only: the answers are validate/drain.c's. */
#include "drain_render.h"

#include <inttypes.h>
#include <string.h>

#include "mp.h"

static const char *const fates[] = {"in-time", "cancelled", "paused", "post-copy"};

const char *mg_drain_render_fix(enum mg_rule rule)
{
    switch (rule) {
    case MG_RULE_VM001:
        return "put the volume on ReadWriteMany storage (a storage class whose StorageProfile "
               "offers RWX), or set evictionStrategy: None to accept a shutdown";
    case MG_RULE_VM002: return "set shared: true on the hostDisk (shared storage), or remove it";
    case MG_RULE_VM003:
        return "use masquerade or passt on the pod network, or annotate the template "
               "kubevirt.io/allow-pod-bridge-network-live-migration";
    case MG_RULE_VM004:
        return "drop ports 49152/49153 from the masquerade interface (legacy TCP transport)";
    case MG_RULE_VM005:
        return "remove the host device or GPU (or use a permitted mediated vGPU with the "
               "VGPULiveMigration gate); confidential guests cannot move";
    case MG_RULE_VM006: return "correct the placement rule at the field shown";
    case MG_RULE_VM007: /* cordoned nodes already count (RULES.md 9.11) */
        return "label, untaint or add a node that satisfies its nodeSelector, affinity, "
               "tolerations and KubeVirt's node labels, or relax them";
    case MG_RULE_MIG007:
        return "uncordon, label, untaint or add a node that satisfies its nodeSelector, "
               "affinity, tolerations and KubeVirt's node labels, or relax them";
    case MG_RULE_MIG003: return "resolve the condition KubeVirt reports (its reason says what)";
    default: return "see docs/rules.md for the rule";
    }
}

/* ---- text ---------------------------------------------------------------- */

enum { C_NS, C_NAME, C_NODE, C_PHASE, C_OUT, C_TGT, C_POL, C_WHY, C_COUNT };

static const char *const heads[C_COUNT] = {"NAMESPACE", "NAME",    "NODE",   "PHASE",
                                           "OUTCOME",   "TARGETS", "POLICY", "REASONS"};

/* The rule ids of an item's reasons, each once; compact: the first and "+N". */
static void rule_ids(const struct mg_drain_item *it, bool compact, char *buf, size_t len)
{
    bool seen[MG_RULE_COUNT] = {false};
    size_t at = 0, distinct = 0;

    for (size_t i = 0; i < it->v.n; i++)
        if (!seen[it->v.items[i].rule]) {
            seen[it->v.items[i].rule] = true;
            distinct++;
        }
    if (compact && distinct > 1) {
        snprintf(buf, len, "%s+%zu", mg_rule_id(it->v.items[0].rule), distinct - 1);
        return;
    }
    memset(seen, 0, sizeof(seen));

    snprintf(buf, len, "-");
    for (size_t i = 0; i < it->v.n; i++) {
        enum mg_rule rule = it->v.items[i].rule;
        int w;

        if (seen[rule])
            continue;
        seen[rule] = true;
        w = snprintf(buf + at, len - at, "%s%s", at ? "," : "", mg_rule_id(rule));
        if (w < 0 || (size_t)w >= len - at)
            break;
        at += (size_t)w;
    }
}

struct cells {
    char tgt[24], why[128];
    const char *c[C_COUNT];
};

static void fill_cells(const struct mg_drain_item *it, bool compact, struct cells *x)
{
    if (it->nodes_known)
        snprintf(x->tgt, sizeof(x->tgt), "%zu", it->targets);
    else
        snprintf(x->tgt, sizeof(x->tgt), "-");
    rule_ids(it, compact, x->why, sizeof(x->why));
    x->c[C_NS] = it->ns[0] ? it->ns : "-";
    x->c[C_NAME] = it->name;
    x->c[C_NODE] = it->node ? it->node : "-";
    x->c[C_PHASE] = it->phase;
    x->c[C_OUT] = it->vm ? it->migratable : mg_drain_outcome_name(it->outcome);
    x->c[C_TGT] = x->tgt;
    x->c[C_POL] = it->policy ? it->policy : "-";
    x->c[C_WHY] = x->why;
}

/* Shrink the widest cuttable column until the row fits. */
static void fit_widths(size_t w[C_COUNT], const bool used[C_COUNT], size_t width)
{
    static const int cuttable[] = {C_NAME, C_NS, C_POL, C_NODE, C_WHY};

    for (;;) {
        size_t total = 0, best = 0;
        int pick = -1;

        for (int c = 0; c < C_COUNT; c++)
            total += used[c] ? w[c] + 2 : 0;
        if (total - 2 <= width)
            return;
        for (size_t k = 0; k < sizeof(cuttable) / sizeof(cuttable[0]); k++) {
            int c = cuttable[k];

            if (used[c] && w[c] > best && w[c] > 6) {
                best = w[c];
                pick = c;
            }
        }
        if (pick < 0)
            return;
        w[pick]--;
    }
}

static void put_cell(FILE *out, const char *s, size_t w, bool last)
{
    size_t n = strlen(s);

    if (n > w) {
        fprintf(out, "%.*s~", (int)(w - 1), s);
    } else if (last) {
        fputs(s, out);
    } else {
        fprintf(out, "%-*s", (int)w, s);
    }
    fputs(last ? "\n" : "  ", out);
}

static size_t widths(const struct mg_drain_report *r, bool vms, bool compact, size_t w[C_COUNT],
                     const bool used[C_COUNT])
{
    struct cells x;
    size_t total = 0;

    for (int c = 0; c < C_COUNT; c++)
        w[c] = strlen(heads[c]);
    if (vms)
        w[C_OUT] = strlen("MIGRATABLE");
    for (size_t i = 0; i < r->n; i++) {
        if (r->items[i].vm != vms)
            continue;
        fill_cells(&r->items[i], compact, &x);
        for (int c = 0; c < C_COUNT; c++)
            w[c] = strlen(x.c[c]) > w[c] ? strlen(x.c[c]) : w[c];
    }
    for (int c = 0; c < C_COUNT; c++)
        total += used[c] ? w[c] + 2 : 0;
    return total - 2;
}

static void table(FILE *out, const struct mg_drain_report *r, bool vms, size_t width)
{
    size_t w[C_COUNT];
    bool used[C_COUNT], compact = false;
    struct cells x;

    for (int c = 0; c < C_COUNT; c++)
        used[c] = !vms || (c != C_NODE && c != C_PHASE);
    /* The reasons are listed in full below the table: their cell gives way first. */
    if (widths(r, vms, false, w, used) > width)
        widths(r, vms, compact = true, w, used);
    fit_widths(w, used, width);
    for (int c = 0; c < C_COUNT; c++)
        if (used[c])
            put_cell(out, vms && c == C_OUT ? "MIGRATABLE" : heads[c], w[c], c == C_WHY);
    for (size_t i = 0; i < r->n; i++) {
        if (r->items[i].vm != vms)
            continue;
        fill_cells(&r->items[i], compact, &x);
        for (int c = 0; c < C_COUNT; c++)
            if (used[c])
                put_cell(out, x.c[c], w[c], c == C_WHY);
    }
}

/* text, wrapped at width, each line indented by indent (the first by first). */
static void wrap(FILE *out, const char *text, size_t first, size_t indent, size_t width)
{
    size_t col = first;
    bool fresh = true; /* nothing written on this line yet */

    fprintf(out, "%*s", (int)first, "");
    while (*text == ' ')
        text++;
    while (*text) {
        size_t n = strcspn(text, " ");

        if (!fresh && col + 1 + n > width) {
            fprintf(out, "\n%*s", (int)indent, "");
            col = indent;
            fresh = true;
        }
        if (!fresh) {
            fputc(' ', out);
            col++;
        }
        fprintf(out, "%.*s", (int)n, text);
        col += n;
        fresh = false;
        text += n;
        while (*text == ' ')
            text++;
    }
    fputc('\n', out);
}

static const char *bare(const struct mg_finding *f)
{
    size_t skip = strlen(mg_rule_id(f->rule)) + 3;

    return strlen(f->message) >= skip ? f->message + skip : f->message;
}

static void targets_line(FILE *out, const struct mg_drain_item *it, size_t width)
{
    char buf[1200];
    size_t at;

    if (!it->nodes_known || it->vm)
        return;
    at = (size_t)snprintf(buf, sizeof(buf), "targets: %zu%s%s%s", it->targets,
                          it->target ? " (" : "", it->target ? it->target : "",
                          it->target ? (it->targets > 1 ? ", ...)" : ")") : "");
    for (size_t i = 0; i < it->n_ruled && at < sizeof(buf); i++)
        at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%zu %s",
                               i ? ", " : "; ruled out: ", it->ruled[i].nodes, it->ruled[i].why);
    wrap(out, buf, 4, 6, width);
}

static void migration_line(FILE *out, const struct mg_drain_item *it, size_t width)
{
    char buf[400], t[32], d[32];

    if (!it->estimated || it->mig.fate == MG_FATE_IN_TIME)
        return;
    mg_drain_time_format(it->mig.seconds, t, sizeof(t));
    mg_drain_time_format((double)it->mig.deadline, d, sizeof(d));
    snprintf(buf, sizeof(buf),
             "deadline: one copy of %" PRIu64 " MiB takes at least %s at %s, past its %s "
             "deadline (completionTimeoutPerGiB %" PRId64 "): %s",
             it->mig.bytes >> 20, t,
             it->mig.bandwidth_mib ? "bandwidthPerMigration" : "the link speed", d,
             it->mig.timeout_per_gib,
             it->mig.fate == MG_FATE_CANCELLED ? "KubeVirt cancels it; raise the timeout or the "
                                                 "bandwidth (policy or cluster settings)"
             : it->mig.fate == MG_FATE_PAUSED  ? "KubeVirt pauses the guest to finish"
                                               : "KubeVirt switches to post-copy");
    wrap(out, buf, 4, 6, width);
}

static void details(FILE *out, const struct mg_drain_report *r, size_t width)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct mg_drain_item *it = &r->items[i];
        bool late = it->estimated && it->mig.fate != MG_FATE_IN_TIME;
        char head[700];

        if (it->v.n == 0 && !late)
            continue;
        snprintf(head, sizeof(head), "%s/%s (%s%s%s): %s", it->ns[0] ? it->ns : "-", it->name,
                 it->vm ? "stopped VM" : "VMI on ",
                 it->vm     ? ""
                 : it->node ? it->node
                            : "no node",
                 "", it->vm ? it->migratable : mg_drain_outcome_name(it->outcome));
        fputc('\n', out);
        wrap(out, head, 0, 2, width);
        for (size_t j = 0; j < it->v.n; j++) {
            const struct mg_finding *f = &it->v.items[j];
            char line[1400];

            snprintf(line, sizeof(line), "%s%s %s (at %s)", mg_rule_id(f->rule),
                     f->action == MG_ACT_DENY ? "" : " (undetermined)", bare(f), f->field);
            wrap(out, line, 2, 6, width);
            snprintf(line, sizeof(line), "fix: %s", mg_drain_render_fix(f->rule));
            wrap(out, line, 6, 11, width);
        }
        targets_line(out, it, width);
        migration_line(out, it, width);
    }
}

static void settings_text(const struct mg_lmc_settings *s, double link, char *buf, size_t len)
{
    char bw[48], how[96] = "";

    mg_mp_quantity_format(&s->bandwidth, bw, sizeof(bw));
    if (s->bandwidth.sign <= 0)
        snprintf(how, sizeof(how), " (unlimited: %g Gbit/s assumed, --link-gbps)", link);
    snprintf(buf, len,
             "cluster settings: parallelMigrationsPerCluster %" PRId64
             ", parallelOutboundMigrationsPerNode %" PRId64 ", bandwidthPerMigration %s%s, "
             "completionTimeoutPerGiB %" PRId64 ", allowPostCopy %s, allowWorkloadDisruption %s",
             s->parallel_cluster, s->parallel_node, bw, how, s->completion_timeout,
             s->allow_post_copy ? "true" : "false",
             s->allow_workload_disruption ? "true" : "false");
}

static void summary(FILE *out, const struct mg_drain_report *r, const char *const *nodes,
                    size_t n_nodes, size_t width)
{
    char buf[1600], t[32];
    size_t at = 0, vmis = r->n - r->counts[MG_DRAIN_STOPPED];

    if (r->drain) {
        at = (size_t)snprintf(buf, sizeof(buf), "Drain of");
        for (size_t i = 0; i < n_nodes && at < 600; i++)
            at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s %s", i ? "," : "", nodes[i]);
    } else {
        at = (size_t)snprintf(buf, sizeof(buf), "Every VMI, as if its own node were drained");
    }
    snprintf(buf + at, sizeof(buf) - at,
             ": %zu VMIs: %zu live-migrate, %zu are shut down, %zu block the drain, %zu "
             "undetermined%s",
             vmis, r->counts[MG_DRAIN_MIGRATE], r->counts[MG_DRAIN_SHUTDOWN],
             r->counts[MG_DRAIN_BLOCK], r->counts[MG_DRAIN_UNKNOWN],
             r->nodes_known ? "" : " (the view has no Nodes: TARGETS not computed)");
    fputc('\n', out);
    wrap(out, buf, 0, 2, width);
    if (r->counts[MG_DRAIN_STOPPED]) {
        snprintf(buf, sizeof(buf), "%zu stopped VMs (on no node) are listed apart",
                 r->counts[MG_DRAIN_STOPPED]);
        wrap(out, buf, 0, 2, width);
    }
    settings_text(&r->cluster, r->link_gbps, buf, sizeof(buf));
    wrap(out, buf, 0, 2, width);
    if (r->drain) {
        mg_drain_time_format(r->seconds, t, sizeof(t));
        snprintf(buf, sizeof(buf),
                 "estimate: the %zu live migrations take at least %s. A lower bound: each "
                 "moves its memory once at the bandwidth KubeVirt applies, queued by the "
                 "parallel limits; guests that dirty memory take longer%s",
                 r->migrations, t,
                 r->no_memory ? " (some VMIs state no memory and count as 0 s)" : "");
        wrap(out, buf, 0, 2, width);
    }
    if (r->late) {
        snprintf(buf, sizeof(buf),
                 "%zu migrations are expected to hit their deadline (see \"deadline:\" above)",
                 r->late);
        wrap(out, buf, 0, 2, width);
    }
    if (r->counts[MG_DRAIN_BLOCK]) {
        snprintf(buf, sizeof(buf),
                 "%zu VMIs block the drain: `oc adm drain` waits for them until they are fixed, "
                 "stopped or given evictionStrategy None (exit status 3)",
                 r->counts[MG_DRAIN_BLOCK]);
        wrap(out, buf, 0, 2, width);
    }
}

int mg_drain_render_text(FILE *out, const struct mg_drain_report *r, const char *const *nodes,
                         size_t n_nodes, unsigned width)
{
    size_t w = width < 60 ? 60 : width;

    if (r->n - r->counts[MG_DRAIN_STOPPED] > 0)
        table(out, r, false, w);
    else
        fprintf(out, "No VMIs %s.\n", r->drain ? "run on these nodes" : "in the view");
    if (r->counts[MG_DRAIN_STOPPED]) {
        fprintf(out, "\nSTOPPED VMS (on no node: nothing to drain)\n");
        table(out, r, true, w);
    }
    details(out, r, w);
    summary(out, r, nodes, n_nodes, w);
    return ferror(out) ? 2 : 0;
}

/* ---- JSON ---------------------------------------------------------------- */

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
        if (!add_str(o, "rule", mg_rule_id(f->rule)) || !add_str(o, "message", bare(f)) ||
            !add_str(o, "field", f->field) ||
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

cJSON *mg_drain_render_json(const struct mg_drain_report *r, const char *const *nodes,
                            size_t n_nodes)
{
    cJSON *root = cJSON_CreateObject(), *items, *stopped, *drained;

    if (!root ||
        !(drained = r->drain ? cJSON_AddArrayToObject(root, "drainedNodes")
                             : cJSON_AddNullToObject(root, "drainedNodes")) ||
        !(items = cJSON_AddArrayToObject(root, "items")) ||
        !(stopped = cJSON_AddArrayToObject(root, "stoppedVMs")))
        goto fail;
    for (size_t i = 0; r->drain && i < n_nodes; i++)
        if (!cJSON_AddItemToArray(drained, cJSON_CreateString(nodes[i])))
            goto fail;
    for (size_t i = 0; i < r->n; i++) {
        cJSON *it = item_json(&r->items[i], r->drain);

        if (!it || !cJSON_AddItemToArray(r->items[i].vm ? stopped : items, it)) {
            cJSON_Delete(it);
            goto fail;
        }
    }
    if (add_item(root, "summary", summary_json(r)))
        return root;
fail:
    cJSON_Delete(root);
    return NULL;
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

static void yaml_node(FILE *out, const cJSON *v, int indent, bool inline_first);

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

int mg_drain_render_yaml(FILE *out, const cJSON *doc)
{
    yaml_node(out, doc, 0, false);
    return ferror(out) ? 2 : 0;
}
