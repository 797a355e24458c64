/* SPDX-License-Identifier: Apache-2.0 */
/* mp.c - MP001-MP011 on a MigrationPolicy (RULES.md sections 3 and 9): selector shape
 * and syntax, the migration fields, feasibility of the effective settings, and the
 * search for duplicates and ties through the policy index. The view holds every other
 * policy (an UPDATE's old version is skipped by name). No I/O. */
#include "mp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jsonnum.h"
#include "names.h"

#define SEL "spec.selectors"
#define MAX_TIE_FINDINGS 5

static const char *type_of(const cJSON *it)
{
    if (cJSON_IsNumber(it))
        return "a number";
    if (cJSON_IsBool(it))
        return "a boolean";
    if (cJSON_IsArray(it))
        return "a list";
    if (cJSON_IsObject(it))
        return "a map";
    if (cJSON_IsString(it))
        return "a string";
    return "null";
}

static void add(const struct mg_vctx *ctx, enum mg_rule rule, enum mg_action cap, const char *field,
                const char *msg)
{
    mg_verdict_add(ctx->v, ctx->cfg, rule, cap, field, "%s", msg);
}

/* MP001 and MP002 on one selector map; false when it is not a plain label map. */
static bool check_side(const struct mg_vctx *ctx, const cJSON *sel, const char *key)
{
    const cJSON *m = mg_json_get(sel, key), *it;
    char field[512], msg[512], why[160];
    bool ok = true;

    if (!m || cJSON_IsNull(m))
        return true;
    snprintf(field, sizeof(field), SEL ".%s", key);
    if (!cJSON_IsObject(m)) {
        snprintf(msg, sizeof(msg), "%s must be a map of label keys to values, not %s", key,
                 type_of(m));
        add(ctx, MG_RULE_MP001, MG_ACT_DENY, field, msg);
        return false;
    }
    cJSON_ArrayForEach (it, m) {
        snprintf(field, sizeof(field), SEL ".%s.%.300s", key, it->string);
        if (strcmp(it->string, "matchLabels") == 0 || strcmp(it->string, "matchExpressions") == 0) {
            snprintf(msg, sizeof(msg),
                     "%s.%s: MigrationPolicy selectors are plain label maps, "
                     "not label selectors; write the labels directly under %s",
                     key, it->string, key);
            add(ctx, MG_RULE_MP001, MG_ACT_DENY, field, msg);
            ok = false;
        } else if (!cJSON_IsString(it)) {
            snprintf(msg, sizeof(msg),
                     "%s label %.100s must have a string value, not %s; "
                     "quote it",
                     key, it->string, type_of(it));
            add(ctx, MG_RULE_MP001, MG_ACT_DENY, field, msg);
            ok = false;
        } else {
            if (!mg_name_label_key_ok(it->string, why, sizeof(why))) {
                snprintf(msg, sizeof(msg), "%s key \"%.100s\" is not a valid label key: %s", key,
                         it->string, why);
                add(ctx, MG_RULE_MP002, MG_ACT_DENY, field, msg);
            }
            if (!mg_name_label_value_ok(it->valuestring, why, sizeof(why))) {
                snprintf(msg, sizeof(msg),
                         "%s value \"%.100s\" of %.100s is not a valid label "
                         "value: %s",
                         key, it->valuestring, it->string, why);
                add(ctx, MG_RULE_MP002, MG_ACT_DENY, field, msg);
            }
        }
    }
    return ok;
}

static bool check_selectors(const struct mg_vctx *ctx, const cJSON *spec)
{
    static const char *const known[] = {"namespaceSelector", "virtualMachineInstanceSelector"};
    const cJSON *sel = mg_json_get(spec, "selectors"), *it;
    char msg[512];
    bool ok = true, a, b;

    if (!sel || cJSON_IsNull(sel)) {
        add(ctx, MG_RULE_MP001, MG_ACT_DENY, SEL,
            "spec.selectors is required: without it the "
            "policy matches no VM; write selectors: {} to match every VM");
        return false;
    }
    if (!cJSON_IsObject(sel)) {
        snprintf(msg, sizeof(msg),
                 "spec.selectors must be a map with namespaceSelector and/or "
                 "virtualMachineInstanceSelector, not %s",
                 type_of(sel));
        add(ctx, MG_RULE_MP001, MG_ACT_DENY, SEL, msg);
        return false;
    }
    /* An unknown key selects nothing: the policy would match more VMs than meant. */
    cJSON_ArrayForEach (it, sel) {
        const char *near;
        char field[400];

        if (strcmp(it->string, known[0]) == 0 || strcmp(it->string, known[1]) == 0)
            continue;
        near = mg_name_closest(it->string, known, 2);
        snprintf(field, sizeof(field), SEL ".%.300s", it->string);
        snprintf(msg, sizeof(msg),
                 "spec.selectors has unknown key \"%.100s\"%s%s%s; only "
                 "namespaceSelector and virtualMachineInstanceSelector select",
                 it->string, near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
        add(ctx, MG_RULE_MP001, MG_ACT_DENY, field, msg);
        ok = false;
    }
    a = check_side(ctx, sel, known[0]);
    b = check_side(ctx, sel, known[1]);
    return ok && a && b;
}

/* MP003: int-or-string; a whole number is bytes per second with a string's checks. */
static bool check_bandwidth(const struct mg_vctx *ctx, const cJSON *spec)
{
    const cJSON *it = mg_json_get(spec, "bandwidthPerMigration");
    const char *field = "spec.bandwidthPerMigration";
    cJSON *tmp = NULL;
    struct mg_quantity q;
    enum mg_rule rule;
    char why[400], num[32];
    int64_t d;
    bool ok;

    if (!it || cJSON_IsNull(it))
        return true;
    if (cJSON_IsNumber(it)) {
        if (!mg_jsonnum_int(it, INT64_MIN, INT64_MAX, &d)) {
            snprintf(why, sizeof(why),
                     "bandwidthPerMigration %.15g is not a whole number of "
                     "bytes per second; write a quantity such as \"64Mi\"",
                     it->valuedouble);
            add(ctx, MG_RULE_MP003, MG_ACT_DENY, field, why);
            return false;
        }
        snprintf(num, sizeof(num), "%lld", (long long)d);
        if (!(tmp = cJSON_CreateString(num))) {
            ctx->v->oom = true;
            return false;
        }
        it = tmp;
    } else if (!cJSON_IsString(it)) {
        snprintf(why, sizeof(why),
                 "bandwidthPerMigration must be a quantity such as \"64Mi\" "
                 "or a whole number of bytes per second, not %s",
                 type_of(it));
        add(ctx, MG_RULE_MP003, MG_ACT_DENY, field, why);
        return false;
    }
    ok = mg_lmc_check_bandwidth(it, &q, &rule, why, sizeof(why));
    if (!ok)
        add(ctx, MG_RULE_MP003, MG_ACT_DENY, field, why);
    cJSON_Delete(tmp);
    return ok;
}

/* MP004: the configured action for a negative value, at most a warning for 0. */
static bool check_completion(const struct mg_vctx *ctx, const cJSON *spec)
{
    const cJSON *it = mg_json_get(spec, "completionTimeoutPerGiB");
    const char *field = "spec.completionTimeoutPerGiB";
    char msg[300];
    int64_t d;

    if (!it || cJSON_IsNull(it))
        return true;
    if (!mg_jsonnum_int(it, INT64_MIN, INT64_MAX, &d)) {
        snprintf(msg, sizeof(msg),
                 "completionTimeoutPerGiB must be a whole number of seconds, "
                 "not %s%s",
                 type_of(it), cJSON_IsNumber(it) ? " with a fraction" : "");
        add(ctx, MG_RULE_MP004, MG_ACT_DENY, field, msg);
        return false;
    }
    if (d < 0) {
        snprintf(msg, sizeof(msg),
                 "completionTimeoutPerGiB %lld is negative; KubeVirt rejects "
                 "it",
                 (long long)d);
        add(ctx, MG_RULE_MP004, MG_ACT_DENY, field, msg);
        return false;
    }
    if (d == 0)
        add(ctx, MG_RULE_MP004, MG_ACT_WARN, field,
            "completionTimeoutPerGiB 0: KubeVirt then never cancels a migration on "
            "its deadline");
    return true;
}

static void check_downtime(const struct mg_vctx *ctx, const cJSON *spec)
{
    const cJSON *it = mg_json_get(spec, "maxDowntimeMs");
    char msg[300];

    if (!it || cJSON_IsNull(it) || mg_jsonnum_int(it, 1, 2000000, NULL))
        return;
    if (cJSON_IsNumber(it))
        snprintf(msg, sizeof(msg),
                 "maxDowntimeMs %.15g is outside 1..2000000 milliseconds or "
                 "not a whole number",
                 it->valuedouble);
    else
        snprintf(msg, sizeof(msg),
                 "maxDowntimeMs must be a whole number from 1 to 2000000, "
                 "not %s",
                 type_of(it));
    add(ctx, MG_RULE_MP005, MG_ACT_DENY, "spec.maxDowntimeMs", msg);
}

/* MP006: LMC006 on the effective settings; each number says where it came from. */
static void check_feasible(const struct mg_vctx *ctx, const struct mg_lmc_settings *s,
                           const struct mg_policy_fields *f)
{
    struct mg_lmc_fit fit;
    char msg[400], bw[48];
    bool own_bw = f->set & MG_PF_BANDWIDTH, own_ct = f->set & MG_PF_COMPLETION;
    const char *deadline;

    if (mg_lmc_fit_check(s, &fit) == MG_LMC_FIT_OK)
        return;
    deadline = fit.doubled ? "2 x completionTimeoutPerGiB" : "completionTimeoutPerGiB";
    mg_mp_quantity_format(&s->bandwidth, bw, sizeof(bw));
    /* The full text names where each number came from; a warning gets the short one. */
    if (fit.result == MG_LMC_FIT_PAUSE || mg_config_action(ctx->cfg, MG_RULE_MP006) == MG_ACT_WARN)
        snprintf(msg, sizeof(msg), "bandwidth %lld MiB/s: %.2f s per 10^9 bytes > %s %lld; %s",
                 (long long)fit.mib, fit.unit_seconds, deadline, (long long)s->completion_timeout,
                 fit.result == MG_LMC_FIT_PAUSE ? "large VMs get paused to finish" : "raise one");
    else
        snprintf(msg, sizeof(msg),
                 "bandwidthPerMigration %s (%s) is %lld MiB/s to KubeVirt: %.2f s per 10^9 bytes "
                 "> %s %lld (%s); every migration is cancelled; raise one",
                 bw, own_bw ? "policy" : "cluster", (long long)fit.mib, fit.unit_seconds, deadline,
                 (long long)s->completion_timeout, own_ct ? "policy" : "cluster");
    add(ctx, MG_RULE_MP006, fit.result == MG_LMC_FIT_PAUSE ? MG_ACT_WARN : MG_ACT_DENY,
        own_ct   ? "spec.completionTimeoutPerGiB"
        : own_bw ? "spec.bandwidthPerMigration"
                 : "spec",
        msg);
}

/* MP007: LMC007 and LMC010 on the effective settings, when the policy touches them. */
static void check_post_copy(const struct mg_vctx *ctx, const struct mg_lmc_settings *s,
                            const struct mg_policy_fields *f)
{
    if (!(f->set & (MG_PF_POST_COPY | MG_PF_WORKLOAD_DISRUPTION)) || !s->allow_post_copy)
        return;
    if (s->allow_workload_disruption)
        add(ctx, MG_RULE_MP007, MG_ACT_WARN, "spec.allowPostCopy",
            "allowPostCopy: post-copy can hurt performance during transfer; not for critical "
            "data or unstable networks");
    else
        add(ctx, MG_RULE_MP007, MG_ACT_WARN,
            f->set & MG_PF_WORKLOAD_DISRUPTION ? "spec.allowWorkloadDisruption"
                                               : "spec.allowPostCopy",
            "allowWorkloadDisruption false: post-copy never starts, migrations are cancelled; "
            "set it to true");
}

static const cJSON *side(const cJSON *policy, const char *key)
{
    const cJSON *m = mg_json_get(mg_json_get(mg_json_get(policy, "spec"), "selectors"), key);

    return cJSON_IsObject(m) ? m : NULL;
}

/* One policy that ties with the new one. */
struct tie {
    const cJSON *obj;
    const char *name; /* its metadata.name, looked up once for sorting */
    bool same;
    struct mg_lmc_settings theirs; /* effective settings, when !same */
    bool kubevirt_mine;            /* KubeVirt's tie-break picks the new policy */
    int docs;                      /* the documents': -1 the new policy, 1 this one, 0 none */
};

/* The MAX_TIE_FINDINGS ties with the smallest names, in name order, and how many
 * there are in all: no list of every tie, however many the view holds. */
struct tie_search {
    struct tie best[MAX_TIE_FINDINGS];
    size_t n, kept;
    const cJSON *mine_obj;
    const char *mine_name;
    const struct mg_lmc_settings *mine;
    const struct mg_lmc_settings *cluster;
    bool oom;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A policy's selector keys, namespace and VM keys together, sorted; NULL with *n 0
 * for none, NULL with *n not 0 when out of memory. Caller frees. */
static const char **sorted_keys(const cJSON *policy, size_t *n)
{
    const cJSON *m, *it;
    const char **keys;
    size_t at = 0;

    *n = 0;
    mg_policy_selectors(policy, &at, n);
    *n += at;
    if (!*n || !(keys = malloc(*n * sizeof(*keys))))
        return NULL;
    at = 0;
    for (int vm = 0; vm < 2; vm++) {
        m = side(policy, vm ? "virtualMachineInstanceSelector" : "namespaceSelector");
        cJSON_ArrayForEach (it, m)
            if (mg_json_get(m, it->string) == it && at < *n)
                keys[at++] = it->string;
    }
    qsort(keys, at, sizeof(*keys), cmp_str);
    return keys;
}

/* The documents' tie-break: the smaller sorted key list in byte order wins; -1 for a,
 * 1 for b, 0 when the lists are equal (it decides nothing). */
static int docs_pick(const cJSON *a, const cJSON *b, bool *oom)
{
    size_t na, nb, i;
    const char **ka = sorted_keys(a, &na), **kb = sorted_keys(b, &nb);
    int c = 0;

    if ((na && !ka) || (nb && !kb)) {
        *oom = true;
    } else {
        for (i = 0; i < na && i < nb && c == 0; i++)
            c = strcmp(ka[i], kb[i]);
        if (c == 0)
            c = na < nb ? -1 : (na > nb ? 1 : 0);
    }
    free(ka);
    free(kb);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

static bool on_tie(void *arg, const cJSON *other, const char *name,
                   const struct mg_policy_fields *f, bool same)
{
    struct tie_search *ts = arg;
    struct tie t = {other, name, same, *ts->cluster, false, 0};
    struct mg_policy_match a = {ts->mine_obj, ts->mine_name, 0, 0, {0}};
    struct mg_policy_match b = {other, name, 0, 0, {0}};
    size_t at;

    if (!same) {
        mg_mp_settings_apply(&t.theirs, f);
        if (mg_mp_settings_equal(ts->mine, &t.theirs, NULL, 0))
            return true;
        /* RULES.md MP011: only a tie the two tie-breaks settle differently is a finding;
         * when they pick the same policy, which one applies is predictable. */
        mg_policy_selectors(ts->mine_obj, &a.ns_labels, &a.vm_labels);
        mg_policy_selectors(other, &b.ns_labels, &b.vm_labels);
        t.kubevirt_mine = mg_policy_outranks(&a, &b);
        t.docs = docs_pick(ts->mine_obj, other, &ts->oom);
        if (t.docs == 0 || (t.docs < 0) == t.kubevirt_mine)
            return !ts->oom;
    }
    ts->n++;
    at = ts->kept;
    while (at > 0 && strcmp(t.name, ts->best[at - 1].name) < 0)
        at--;
    if (at == MAX_TIE_FINDINGS)
        return true;
    if (ts->kept < MAX_TIE_FINDINGS)
        ts->kept++;
    memmove(&ts->best[at + 1], &ts->best[at], (ts->kept - 1 - at) * sizeof(t));
    ts->best[at] = t;
    return true;
}

/* "{a=1, b=2}" of the entries of a, then those of b that a lacks. */
static void union_text(char *buf, size_t len, const cJSON *a, const cJSON *b)
{
    const cJSON *it;
    size_t at = (size_t)snprintf(buf, len, "{");
    bool first = true;

    for (int pass = 0; pass < 2; pass++) {
        const cJSON *m = pass ? b : a;

        cJSON_ArrayForEach (it, m) {
            if ((pass && mg_json_get(a, it->string)) || at >= len)
                continue;
            at += (size_t)snprintf(buf + at, len - at, "%s%.80s=%.63s", first ? "" : ", ",
                                   it->string, it->valuestring);
            first = false;
        }
    }
    if (at < len)
        snprintf(buf + at, len - at, "}");
}

static void report_tie(const struct mg_vctx *ctx, const cJSON *mine,
                       const struct mg_lmc_settings *my, const struct tie *t, size_t more)
{
    const char *me = mg_json_name_or(mine, ""), *other = t->name;
    const char *kv = t->kubevirt_mine ? me : other, *docs = t->docs < 0 ? me : other;
    size_t labels = 0, vm_labels = 0, their_vm = 0;
    char vm[600], ns[600], who[700], where[700], diff[160] = "", tail[80] = "";

    if (more)
        snprintf(tail, sizeof(tail), " (%zu more policies conflict)", more);
    /* A warning has under 120 characters: names and the winners only. */
    if (mg_config_action(ctx->cfg, t->same ? MG_RULE_MP010 : MG_RULE_MP011) == MG_ACT_WARN) {
        if (t->same)
            mg_verdict_add(ctx->v, ctx->cfg, MG_RULE_MP010, MG_ACT_WARN, SEL,
                           "policy \"%.40s\" has exactly the same selectors", other);
        else
            mg_verdict_add(ctx->v, ctx->cfg, MG_RULE_MP011, MG_ACT_WARN, SEL,
                           "ties with \"%.25s\"; KubeVirt applies \"%.25s\", the documents "
                           "\"%.25s\"",
                           other, kv, docs);
        return;
    }
    if (t->same) {
        mg_verdict_add(ctx->v, ctx->cfg, MG_RULE_MP010, MG_ACT_DENY, SEL,
                       "policy \"%s\" has exactly the same selectors; the documents do not "
                       "allow two such policies and only the name decides which applies%s",
                       other, tail);
        return;
    }
    mg_policy_selectors(mine, &labels, &vm_labels);
    mg_policy_selectors(t->obj, NULL, &their_vm);
    labels += vm_labels;
    mg_mp_settings_equal(my, &t->theirs, diff, sizeof(diff));
    union_text(vm, sizeof(vm), side(mine, "virtualMachineInstanceSelector"),
               side(t->obj, "virtualMachineInstanceSelector"));
    union_text(ns, sizeof(ns), side(mine, "namespaceSelector"), side(t->obj, "namespaceSelector"));
    if (strcmp(vm, "{}") == 0)
        snprintf(who, sizeof(who), "any VM");
    else
        snprintf(who, sizeof(who), "a VM with labels %s", vm);
    if (strcmp(ns, "{}") == 0)
        snprintf(where, sizeof(where), "in any namespace");
    else
        snprintf(where, sizeof(where), "in a namespace with labels %s", ns);
    mg_verdict_add(ctx->v, ctx->cfg, MG_RULE_MP011, MG_ACT_DENY, SEL,
                   "ties with policy \"%s\": %s %s matches both with %zu label%s each, and the "
                   "settings differ (%s); KubeVirt applies \"%s\" (%s), the documents' order "
                   "(sorted selector keys) picks \"%s\"%s",
                   other, who, where, labels, labels == 1 ? "" : "s", diff, kv,
                   vm_labels != their_vm ? "more VM labels" : "smaller name", docs, tail);
}

/* MP010 and MP011 against every other policy of the view. */
static int check_ties(const struct mg_vctx *ctx, const cJSON *obj, const char *name,
                      const struct mg_policy_fields *f)
{
    struct mg_lmc_settings cluster, mine;
    struct tie_search ts;
    int rc;

    memset(&ts, 0, sizeof(ts));
    ts.mine_obj = obj;
    ts.mine_name = mg_json_name_or(obj, "");
    ts.mine = &mine;
    ts.cluster = &cluster;
    /* The cluster's settings once: every tie lays its own fields over a copy. */
    mg_mp_settings_effective(&cluster, ctx->view, ctx->cfg, NULL);
    mine = cluster;
    mg_mp_settings_apply(&mine, f);
    rc = mg_policy_ties(ctx->view, obj, name, on_tie, &ts);
    if (ts.oom)
        ctx->v->oom = true;
    for (size_t i = 0; rc == 0 && i < ts.kept; i++)
        report_tie(ctx, obj, &mine, &ts.best[i], i + 1 == ts.kept ? ts.n - ts.kept : 0);
    return rc;
}

static void check_moves(const struct mg_vctx *ctx, const char *name, const cJSON *obj)
{
    const struct mg_request *req = ctx->req;
    const cJSON *old = mg_store_get(ctx->view, "MigrationPolicy", "", name);
    size_t to = 0, from = 0;

    if (!mg_store_knows(ctx->view, "VirtualMachine") &&
        !mg_store_knows(ctx->view, "VirtualMachineInstance"))
        return;
    if (!old && req->op != MG_OP_CREATE)
        old = req->old_object;
    mg_mp_moves(ctx->view, name, old, obj, &to, &from);
    if (to + from == 0)
        return;
    mg_verdict_add(ctx->v, ctx->cfg, MG_RULE_MP012, MG_ACT_WARN, obj ? SEL : "metadata.name",
                   "this %s moves %zu VM%s to policy \"%.60s\" and %zu from it",
                   mg_op_name(req->op), to, to == 1 ? "" : "s", name, from);
}

int mg_mp_validate(const struct mg_vctx *ctx)
{
    const struct mg_request *req = ctx->req;
    const cJSON *obj = req->object, *spec;
    const char *name =
        req->name && *req->name ? req->name : mg_json_name_or(obj ? obj : req->old_object, "");
    struct mg_policy_fields f;
    struct mg_lmc_settings s;
    bool sel_ok, bw_ok, ct_ok;

    if (req->op == MG_OP_DELETE) {
        check_moves(ctx, name, NULL);
        return 0;
    }
    if ((req->op != MG_OP_CREATE && req->op != MG_OP_UPDATE) || !cJSON_IsObject(obj))
        return 0;
    if (!*name)
        name = mg_json_name_or(obj, "");
    spec = mg_json_get(obj, "spec");
    if (!cJSON_IsObject(spec)) {
        add(ctx, MG_RULE_MP001, MG_ACT_DENY, "spec", "spec with spec.selectors is required");
        return 0;
    }
    sel_ok = check_selectors(ctx, spec);
    bw_ok = check_bandwidth(ctx, spec);
    ct_ok = check_completion(ctx, spec);
    check_downtime(ctx, spec);
    mg_policy_fields_read(obj, &f);
    mg_mp_settings_effective(&s, ctx->view, ctx->cfg, &f);
    if (bw_ok && ct_ok)
        check_feasible(ctx, &s, &f);
    check_post_copy(ctx, &s, &f);
    if (!sel_ok)
        return 0;
    check_moves(ctx, name, obj);
    return check_ties(ctx, obj, name, &f);
}
