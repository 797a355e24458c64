/* SPDX-License-Identifier: Apache-2.0 */
/* drain_render.c - the text, JSON and YAML forms of a drain report (docs/report.md).
 * The table follows `oc get` (upper-case headers, two spaces between columns) and is
 * cut to the terminal's width; the reasons follow with their fix; the summary last.
 * Formatting only: the answers are validate/drain.c's. */
#include "drain_render.h"

#include <inttypes.h>
#include <string.h>

#include "mp.h"

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
    char tgt[24], why[128], node[256];
    const char *c[C_COUNT];
};

/* How a table gives way to a narrow terminal. */
struct layout {
    bool compact;       /* REASONS as "VM001+2" */
    const char *phase;  /* the phase of every row, its column left out; NULL: shown */
    const char *suffix; /* the domain every NODE ends in, left out; NULL: none */
};

static void fill_cells(const struct mg_drain_item *it, const struct layout *l, struct cells *x)
{
    if (it->nodes_known)
        snprintf(x->tgt, sizeof(x->tgt), "%zu", it->targets);
    else
        snprintf(x->tgt, sizeof(x->tgt), "-");
    rule_ids(it, l->compact, x->why, sizeof(x->why));
    x->c[C_NS] = it->ns[0] ? it->ns : "-";
    x->c[C_NAME] = it->name;
    snprintf(x->node, sizeof(x->node), "%.*s",
             (int)strlen(it->node ? it->node : "-") -
                 (int)(it->node && l->suffix ? strlen(l->suffix) : 0),
             it->node ? it->node : "-");
    x->c[C_NODE] = x->node;
    x->c[C_PHASE] = it->phase;
    x->c[C_OUT] = it->vm ? it->migratable : mg_drain_outcome_name(it->outcome);
    x->c[C_TGT] = x->tgt;
    x->c[C_POL] = it->policy ? it->policy : "-";
    x->c[C_WHY] = x->why;
}

/* Shrink the widest cuttable column until the row fits: NAMESPACE, POLICY and NODE
 * down to 12 columns first, then NAME with them, then all down to 6. */
static void fit_widths(size_t w[C_COUNT], const bool used[C_COUNT], size_t width)
{
    static const int cuttable[] = {C_NS, C_POL, C_NODE, C_WHY, C_NAME};
    static const struct {
        size_t cols, floor;
    } rounds[] = {{4, 12}, {5, 12}, {5, 6}};

    for (size_t round = 0; round < 3;) {
        size_t total = 0, best = 0;
        int pick = -1;

        for (int c = 0; c < C_COUNT; c++)
            total += used[c] ? w[c] + 2 : 0;
        if (total - 2 <= width)
            return;
        for (size_t k = 0; k < rounds[round].cols; k++) {
            int c = cuttable[k];

            if (used[c] && w[c] > best && w[c] > rounds[round].floor) {
                best = w[c];
                pick = c;
            }
        }
        if (pick < 0)
            round++;
        else
            w[pick]--;
    }
}

/* The phase every VMI row has, or NULL. */
static const char *one_phase(const struct mg_drain_report *r)
{
    const char *phase = NULL;

    for (size_t i = 0; i < r->n; i++) {
        if (r->items[i].vm)
            continue;
        if (phase && strcmp(phase, r->items[i].phase) != 0)
            return NULL;
        phase = r->items[i].phase;
    }
    return phase;
}

/* The domain part (from a '.') that every item's node name ends in, if any. */
static const char *node_suffix(const struct mg_drain_report *r)
{
    const char *suffix = NULL;

    for (size_t i = 0; i < r->n; i++) {
        const char *n = r->items[i].node;
        size_t ln;

        if (r->items[i].vm || !n)
            continue;
        if (!suffix && !(suffix = strchr(n, '.')))
            return NULL;
        ln = strlen(n);
        while (suffix && (strlen(suffix) >= ln || strcmp(n + ln - strlen(suffix), suffix) != 0))
            suffix = strchr(suffix + 1, '.');
        if (!suffix)
            return NULL;
    }
    return suffix;
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

static size_t widths(const struct mg_drain_report *r, bool vms, const struct layout *l,
                     size_t w[C_COUNT], const bool used[C_COUNT])
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
        fill_cells(&r->items[i], l, &x);
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
    bool used[C_COUNT];
    struct layout l = {false, NULL, NULL};
    struct cells x;

    for (int c = 0; c < C_COUNT; c++)
        used[c] = !vms || (c != C_NODE && c != C_PHASE);
    /* The reasons are listed in full below the table: their cell gives way first, then
     * the domain the node names share (said under the table). */
    if (widths(r, vms, &l, w, used) > width && (l.compact = true) &&
        widths(r, vms, &l, w, used) > width && !vms && (l.suffix = node_suffix(r)))
        widths(r, vms, &l, w, used);
    if (!vms && widths(r, vms, &l, w, used) > width && (l.phase = one_phase(r)))
        used[C_PHASE] = false;
    widths(r, vms, &l, w, used);
    fit_widths(w, used, width);
    for (int c = 0; c < C_COUNT; c++)
        if (used[c])
            put_cell(out, vms && c == C_OUT ? "MIGRATABLE" : heads[c], w[c], c == C_WHY);
    for (size_t i = 0; i < r->n; i++) {
        if (r->items[i].vm != vms)
            continue;
        fill_cells(&r->items[i], &l, &x);
        for (int c = 0; c < C_COUNT; c++)
            if (used[c])
                put_cell(out, x.c[c], w[c], c == C_WHY);
    }
    if (l.suffix)
        fprintf(out, "(every NODE ends in %.*s)\n", (int)(width > 22 ? width - 22 : 1), l.suffix);
    if (l.phase)
        fprintf(out, "(every PHASE is %.*s)\n", (int)(width > 20 ? width - 20 : 1), l.phase);
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

const char *mg_drain_render_message(const struct mg_finding *f)
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
                     f->action == MG_ACT_DENY ? "" : " (undetermined)", mg_drain_render_message(f),
                     f->field);
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
