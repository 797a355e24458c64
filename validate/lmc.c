/* SPDX-License-Identifier: Apache-2.0 */
/* lmc.c - LMC001-LMC010 on a HyperConverged's liveMigrationConfig (RULES.md sections 2
 * and 9) and the settings reader other families lay objects over (lmc_settings.c).
 * One reader checks every field; validation turns its problems into findings, the
 * overlay skips them. Pure functions of (request, view, config): no I/O. */
#include "lmc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "jsonnum.h"
#include "names.h"

enum key_kind { KK_QUANTITY, KK_INT32, KK_INT64, KK_BOOL, KK_NETWORK };

_Static_assert(MG_LMC_K_NETWORK + 1 == MG_LMC_KEY_COUNT, "one enum value per documented key");

const char *const mg_lmc_keys[MG_LMC_KEY_COUNT] = {
    "bandwidthPerMigration",
    "completionTimeoutPerGiB",
    "parallelMigrationsPerCluster",
    "parallelOutboundMigrationsPerNode",
    "progressTimeout",
    "allowAutoConverge",
    "allowPostCopy",
    "allowWorkloadDisruption",
    "network",
};

static const enum key_kind key_kinds[MG_LMC_KEY_COUNT] = {
    KK_QUANTITY, KK_INT64, KK_INT32, KK_INT32, KK_INT64, KK_BOOL, KK_BOOL, KK_BOOL, KK_NETWORK,
};

/* What the reader found in one liveMigrationConfig object. */
struct fields {
    bool set[MG_LMC_KEY_COUNT]; /* present, not null, and valid */
    bool bad[MG_LMC_KEY_COUNT]; /* present, not null, and failing a rule */
    struct mg_quantity bandwidth;
    int64_t num[MG_LMC_KEY_COUNT];
    bool flag[MG_LMC_KEY_COUNT];
    const char *network;
    const char *raw_bw; /* bandwidthPerMigration as written, when set */
};

/* One field's problem, before it becomes a finding. */
struct problem {
    enum mg_rule rule;
    char msg[400];
};

/* Where findings go; NULL members while only reading (the overlay). */
struct sink {
    const struct mg_vctx *ctx;
    const char *base; /* "spec.liveMigrationConfig" */
};

/* A user string for a message: quoted, at most 32 characters, printable ASCII only, so
 * that a message stays under the 120 characters a warning may have. */
static const char *quote(char *buf, size_t len, const char *s)
{
    size_t at = 0, i;

    buf[at++] = '"';
    for (i = 0; s[i] && i < 32 && at + 6 < len; i++)
        buf[at++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (s[i] && at + 5 < len) {
        memcpy(buf + at, "...", 3);
        at += 3;
    }
    buf[at++] = '"';
    buf[at] = '\0';
    return buf;
}

/* True when d is a whole number of magnitude below limit (every double from 2^53 on is
 * whole; below that the int64 round trip says). */
static bool whole_below(double d, double limit)
{
    double mag = d < 0 ? -d : d;

    if (!isfinite(d) || mag >= limit)
        return false;
    return mag >= 9007199254740992.0 || d == (double)(int64_t)d;
}

/* "string \"x\"", "number 5.5", "true", "an array": what a value of the wrong type is. */
static const char *describe(char *buf, size_t len, const cJSON *it)
{
    char q[48];

    if (cJSON_IsString(it))
        snprintf(buf, len, "string %s", quote(q, sizeof(q), it->valuestring));
    else if (cJSON_IsNumber(it) && it->valuestring)
        snprintf(buf, len, "number %.40s", it->valuestring);
    else if (cJSON_IsNumber(it) && whole_below(it->valuedouble, 1e21))
        snprintf(buf, len, "number %.0f", it->valuedouble); /* every digit, no exponent */
    else if (cJSON_IsNumber(it))
        snprintf(buf, len, "number %.15g", it->valuedouble);
    else if (cJSON_IsBool(it))
        snprintf(buf, len, "boolean %s", cJSON_IsTrue(it) ? "true" : "false");
    else if (cJSON_IsArray(it))
        snprintf(buf, len, "an array");
    else if (cJSON_IsObject(it))
        snprintf(buf, len, "an object");
    else
        snprintf(buf, len, "null");
    return buf;
}

/* LMC001's message: the reason and a fix, shortened (hint dropped, then the reason cut
 * to its first clause) until it fits a warning's 120 characters with the rule prefix. */
static void invalid_quantity(char *why, size_t whylen, const char *qb, const char *reason)
{
    const char *cut = strstr(reason, ": ");
    int full = (int)strlen(reason), first = cut ? (int)(cut - reason) : full;
    const struct {
        int rlen;
        bool hint;
    } tries[] = {{full, true}, {first, true}, {full, false}, {first, false}};

    for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
        int n = snprintf(why, whylen, "bandwidthPerMigration %s is not a valid quantity (%.*s)%s",
                         qb, tries[i].rlen, reason,
                         tries[i].hint ? "; use e.g. 64Mi, or 0 for unlimited" : "");

        if (n <= 110)
            return;
    }
}

bool mg_lmc_check_bandwidth(const cJSON *it, struct mg_quantity *q, enum mg_rule *rule, char *why,
                            size_t whylen)
{
    struct mg_err err = {0};
    char qb[48], db[64];

    if (!cJSON_IsString(it)) {
        *rule = MG_RULE_LMC004;
        if (cJSON_IsNumber(it) && it->valuedouble >= 0 && whole_below(it->valuedouble, 1e15))
            snprintf(why, whylen,
                     "bandwidthPerMigration must be a quantity string, not %s; "
                     "quote it: \"%.15g\"",
                     describe(db, sizeof(db), it), it->valuedouble);
        else
            snprintf(why, whylen,
                     "bandwidthPerMigration must be a quantity string such as "
                     "\"64Mi\", not %s",
                     describe(db, sizeof(db), it));
        return false;
    }
    quote(qb, sizeof(qb), it->valuestring);
    if (mg_quantity_parse(it->valuestring, q, &err) != 0) {
        *rule = MG_RULE_LMC001;
        invalid_quantity(why, whylen, qb, err.msg);
        return false;
    }
    if (q->sign < 0) {
        *rule = MG_RULE_LMC002;
        snprintf(why, whylen,
                 "bandwidthPerMigration %s is negative; use 0 for unlimited or "
                 "a positive quantity such as 64Mi",
                 qb);
        return false;
    }
    if (mg_quantity_between_zero_and_one(q)) {
        *rule = MG_RULE_LMC003;
        if (snprintf(why, whylen,
                     "bandwidthPerMigration %s is under 1 byte/s, which KubeVirt "
                     "reads as unlimited; write 0 for unlimited",
                     qb) > 110)
            snprintf(why, whylen,
                     "bandwidthPerMigration %s is under 1 byte/s; write 0 for "
                     "unlimited",
                     qb);
        return false;
    }
    return true;
}

/* LMC004 for integers: whole numbers as written (`5.0` is not one, RULES.md 9.1), exact
 * up to 2^63-1 thanks to the kept number text. */
static bool check_int(const cJSON *it, size_t k, int64_t *out, struct problem *p)
{
    bool wide = key_kinds[k] == KK_INT64;
    const char *what = wide ? "a whole number of seconds from 0 to 9223372036854775807"
                            : "a whole number from 1 to 2147483647";
    char db[64];

    /* The timeouts (the 64-bit ones) may be 0: KubeVirt then never cancels on them. */
    if (mg_jsonnum_int(it, wide ? 0 : 1, wide ? INT64_MAX : INT32_MAX, out))
        return true;
    p->rule = MG_RULE_LMC004;
    snprintf(p->msg, sizeof(p->msg), "%s must be %s, not %s", mg_lmc_keys[k], what,
             describe(db, sizeof(db), it));
    return false;
}

/* LMC008 syntax: `name` (DNS-1123 subdomain) or `namespace/name` (label / subdomain).
 * An empty string is not a name: no dedicated network is written as null or no key. */
static bool check_network_syntax(const char *net, struct problem *p)
{
    char why[128] = "", qb[48], ns[64];
    const char *slash = strchr(net, '/');
    const char *name = slash ? slash + 1 : net;
    bool ok = true;

    if (slash) {
        size_t nlen = (size_t)(slash - net);

        if (nlen >= sizeof(ns) || strchr(name, '/')) {
            ok = false;
            snprintf(why, sizeof(why), "%s",
                     nlen >= sizeof(ns) ? "namespace too long" : "more than one '/'");
        } else {
            memcpy(ns, net, nlen);
            ns[nlen] = '\0';
            ok = mg_name_dns1123_label_ok(ns, why, sizeof(why));
        }
    }
    if (ok)
        ok = mg_name_dns1123_subdomain_ok(name, why, sizeof(why));
    if (ok)
        return true;
    p->rule = MG_RULE_LMC008;
    quote(qb, sizeof(qb), net);
    snprintf(p->msg, sizeof(p->msg), "network %s is not a valid name or namespace/name (%s)", qb,
             why);
    /* names.c's reasons are Kubernetes' long ones: keep a warning under 120. */
    if (strlen(p->msg) > 110)
        snprintf(p->msg, sizeof(p->msg),
                 "network %s is not a valid name or namespace/name: "
                 "use a-z, 0-9, '-' and '.'",
                 qb);
    return false;
}

/* Check one present, non-null field; true when valid (the value is stored in f). */
static bool check_field(const cJSON *it, size_t k, struct fields *f, struct problem *p)
{
    char db[64];

    switch (key_kinds[k]) {
    case KK_QUANTITY:
        f->raw_bw = cJSON_IsString(it) ? it->valuestring : NULL;
        return mg_lmc_check_bandwidth(it, &f->bandwidth, &p->rule, p->msg, sizeof(p->msg));
    case KK_INT32:
    case KK_INT64: return check_int(it, k, &f->num[k], p);
    case KK_BOOL:
        if (cJSON_IsBool(it)) {
            f->flag[k] = cJSON_IsTrue(it);
            return true;
        }
        p->rule = MG_RULE_LMC004;
        snprintf(p->msg, sizeof(p->msg), "%s must be true or false, not %s", mg_lmc_keys[k],
                 describe(db, sizeof(db), it));
        return false;
    case KK_NETWORK:
        if (!cJSON_IsString(it)) {
            p->rule = MG_RULE_LMC004;
            snprintf(p->msg, sizeof(p->msg),
                     "network must be a string, name or "
                     "namespace/name, not %s",
                     describe(db, sizeof(db), it));
            return false;
        }
        if (!check_network_syntax(it->valuestring, p))
            return false;
        f->network = it->valuestring;
        return true;
    }
    return false;
}

static void emit(const struct sink *sk, enum mg_rule rule, const char *key, const char *msg)
{
    char field[512];

    if (!sk->ctx)
        return;
    snprintf(field, sizeof(field), "%s.%s", sk->base, key);
    mg_verdict_add(sk->ctx->v, sk->ctx->cfg, rule, MG_ACT_DENY, field, "%s", msg);
}

/* Read every documented field of lmc (an object) into f; problems go to sk. A field
 * present as null is absent: the mutating path injects its default. */
static void read_fields(const cJSON *lmc, struct fields *f, const struct sink *sk)
{
    memset(f, 0, sizeof(*f));
    mg_quantity_from_int(&f->bandwidth, 0);
    for (size_t k = 0; k < MG_LMC_KEY_COUNT; k++) {
        const cJSON *it = mg_json_get(lmc, mg_lmc_keys[k]);
        struct problem p;

        if (!it || cJSON_IsNull(it))
            continue;
        if (check_field(it, k, f, &p)) {
            f->set[k] = true;
        } else {
            f->bad[k] = true;
            emit(sk, p.rule, mg_lmc_keys[k], p.msg);
        }
    }
}

/* LMC009: every key that is not documented, with the closest documented one. */
static void check_unknown_keys(const cJSON *lmc, const struct sink *sk)
{
    const cJSON *it;

    cJSON_ArrayForEach (it, lmc) {
        const char *near;
        char qb[48], msg[256];
        bool known = false;

        for (size_t k = 0; k < MG_LMC_KEY_COUNT && !known; k++)
            known = strcmp(it->string, mg_lmc_keys[k]) == 0;
        if (known)
            continue;
        near = mg_name_closest(it->string, mg_lmc_keys, MG_LMC_KEY_COUNT);
        quote(qb, sizeof(qb), it->string);
        if (!near)
            snprintf(msg, sizeof(msg), "unknown field %s in liveMigrationConfig; remove it", qb);
        else if (snprintf(msg, sizeof(msg),
                          "unknown field %s in liveMigrationConfig; did you "
                          "mean \"%s\"?",
                          qb, near) > 110)
            snprintf(msg, sizeof(msg), "unknown field %s; did you mean \"%s\"?", qb, near);
        emit(sk, MG_RULE_LMC009, it->string, msg);
    }
}

static void apply_fields(struct mg_lmc_settings *s, const struct fields *f)
{
    if (f->set[MG_LMC_K_BANDWIDTH])
        s->bandwidth = f->bandwidth;
    if (f->set[MG_LMC_K_COMPLETION])
        s->completion_timeout = f->num[MG_LMC_K_COMPLETION];
    if (f->set[MG_LMC_K_PAR_CLUSTER])
        s->parallel_cluster = f->num[MG_LMC_K_PAR_CLUSTER];
    if (f->set[MG_LMC_K_PAR_NODE])
        s->parallel_node = f->num[MG_LMC_K_PAR_NODE];
    if (f->set[MG_LMC_K_PROGRESS])
        s->progress_timeout = f->num[MG_LMC_K_PROGRESS];
    if (f->set[MG_LMC_K_AUTO_CONVERGE])
        s->allow_auto_converge = f->flag[MG_LMC_K_AUTO_CONVERGE];
    if (f->set[MG_LMC_K_POST_COPY])
        s->allow_post_copy = f->flag[MG_LMC_K_POST_COPY];
    if (f->set[MG_LMC_K_WORKLOAD_DISRUPTION]) {
        s->allow_workload_disruption = f->flag[MG_LMC_K_WORKLOAD_DISRUPTION];
        s->awd_set = true;
    }
    if (f->set[MG_LMC_K_NETWORK])
        s->network = f->network;
}

void mg_lmc_settings_overlay(struct mg_lmc_settings *s, const cJSON *lmc)
{
    struct sink sk = {NULL, NULL};
    struct fields f;

    if (!cJSON_IsObject(lmc))
        return;
    read_fields(lmc, &f, &sk);
    apply_fields(s, &f);
}

int mg_lmc_key_index(const char *key)
{
    for (size_t k = 0; k < MG_LMC_KEY_COUNT; k++)
        if (strcmp(key, mg_lmc_keys[k]) == 0)
            return (int)k;
    return -1;
}

bool mg_lmc_settings_set(struct mg_lmc_settings *s, const char *key, const cJSON *value)
{
    int k = mg_lmc_key_index(key);
    struct fields f;
    struct problem p;

    if (k < 0 || !value || cJSON_IsNull(value))
        return false;
    memset(&f, 0, sizeof(f));
    if (!check_field(value, (size_t)k, &f, &p))
        return false;
    f.set[k] = true;
    apply_fields(s, &f);
    return true;
}

/* LMC008 existence: a bare name lives in the HyperConverged's namespace. Checked only
 * when the view knows NetworkAttachmentDefinitions and that namespace is known. */
static void check_network_exists(const struct sink *sk, const char *net)
{
    const struct mg_request *req = sk->ctx->req;
    const struct mg_store *view = sk->ctx->view;
    const cJSON *meta = mg_json_get(req->object, "metadata");
    const cJSON *mns = mg_json_get(meta, "namespace");
    const char *slash = strchr(net, '/');
    const char *name = slash ? slash + 1 : net;
    char ns[64], qb[48], msg[300];

    if (!view || !mg_store_knows(view, "NetworkAttachmentDefinition"))
        return;
    if (slash) {
        memcpy(ns, net, (size_t)(slash - net)); /* < 64: the syntax check passed */
        ns[slash - net] = '\0';
    } else {
        snprintf(ns, sizeof(ns), "%s",
                 cJSON_IsString(mns) && *mns->valuestring ? mns->valuestring
                 : req->namespace_                        ? req->namespace_
                                                          : "");
    }
    if (!*ns || mg_store_get(view, "NetworkAttachmentDefinition", ns, name))
        return;
    if (snprintf(msg, sizeof(msg),
                 "network %s: NetworkAttachmentDefinition %s/%s does not "
                 "exist; create it first",
                 quote(qb, sizeof(qb), net), ns, name) > 110)
        snprintf(msg, sizeof(msg), "network %s: NetworkAttachmentDefinition %s/%s does not exist",
                 qb, ns, name);
    emit(sk, MG_RULE_LMC008, mg_lmc_keys[MG_LMC_K_NETWORK], msg);
}

/* The field a cross-field finding names: the key, or the jsonpatch annotation when
 * that is where the value came from. */
static void emit_cross(const struct sink *sk, enum mg_rule rule, enum mg_action cap, size_t k,
                       unsigned patched, const char *msg)
{
    char field[512];

    if (patched & (1u << k)) {
        mg_verdict_add(sk->ctx->v, sk->ctx->cfg, rule, cap,
                       "metadata.annotations[" MG_LMC_JSONPATCH_ANNOTATION "]", "%s (jsonpatch)",
                       msg);
        return;
    }
    snprintf(field, sizeof(field), "%s.%s", sk->base, mg_lmc_keys[k]);
    mg_verdict_add(sk->ctx->v, sk->ctx->cfg, rule, cap, field, "%s", msg);
}

/* A field that failed its own rule is not guessed at, unless the jsonpatch replaced it. */
static bool usable(const struct fields *f, size_t k, unsigned patched)
{
    return !f->bad[k] || (patched & (1u << k));
}

/* LMC006 with KubeVirt's arithmetic (RULES.md 9.2, 9.18). The message gives E, the
 * seconds one 10^9-byte unit needs and T, shortened to fit a warning. */
static void check_fit(const struct sink *sk, const struct fields *f,
                      const struct mg_lmc_settings *s, unsigned patched)
{
    const struct mg_config *cfg = sk->ctx->cfg;
    struct mg_lmc_fit fit;
    bool own_bw = f->set[MG_LMC_K_BANDWIDTH] || (patched & (1u << MG_LMC_K_BANDWIDTH));
    char bw[80], qb[48], msg[300];
    const char *tail, *deadline;

    if (!usable(f, MG_LMC_K_BANDWIDTH, patched) || !usable(f, MG_LMC_K_COMPLETION, patched) ||
        mg_lmc_fit_check(s, &fit) == MG_LMC_FIT_OK)
        return;
    if (f->set[MG_LMC_K_BANDWIDTH] && !(patched & (1u << MG_LMC_K_BANDWIDTH)))
        snprintf(bw, sizeof(bw), "bandwidthPerMigration %s", quote(qb, sizeof(qb), f->raw_bw));
    else if (own_bw)
        snprintf(bw, sizeof(bw), "bandwidthPerMigration");
    else
        snprintf(bw, sizeof(bw), "default bandwidth %s",
                 quote(qb, sizeof(qb), cfg->defaults->bandwidth));
    tail = fit.result == MG_LMC_FIT_PAUSE ? "; large VMs get paused to finish" : "; raise one";
    deadline = fit.doubled ? "2 x completionTimeoutPerGiB" : "completionTimeoutPerGiB";
    if (snprintf(msg, sizeof(msg), "%s = %lld MiB/s: %.2f s per 10^9 bytes > %s %lld%s", bw,
                 (long long)fit.mib, fit.unit_seconds, deadline, (long long)s->completion_timeout,
                 tail) > 110)
        snprintf(msg, sizeof(msg), "bandwidth %lld MiB/s: %.2f s per 10^9 bytes > %s %lld%s",
                 (long long)fit.mib, fit.unit_seconds, deadline, (long long)s->completion_timeout,
                 tail);
    emit_cross(sk, MG_RULE_LMC006, fit.result == MG_LMC_FIT_PAUSE ? MG_ACT_WARN : MG_ACT_DENY,
               own_bw ? MG_LMC_K_BANDWIDTH : MG_LMC_K_COMPLETION, patched, msg);
}

/* LMC007 when post-copy can start, LMC010 when allowWorkloadDisruption keeps it from
 * ever starting (RULES.md 9.18). */
static void check_post_copy(const struct sink *sk, const struct fields *f,
                            const struct mg_lmc_settings *s, unsigned patched)
{
    bool awd_own =
        f->set[MG_LMC_K_WORKLOAD_DISRUPTION] || (patched & (1u << MG_LMC_K_WORKLOAD_DISRUPTION));

    if (!s->allow_post_copy || !usable(f, MG_LMC_K_POST_COPY, patched) ||
        !usable(f, MG_LMC_K_WORKLOAD_DISRUPTION, patched))
        return;
    if (s->allow_workload_disruption) {
        emit_cross(sk, MG_RULE_LMC007, MG_ACT_DENY, MG_LMC_K_POST_COPY, patched,
                   "allowPostCopy: post-copy can hurt performance during transfer; not for "
                   "critical data or unstable networks");
        return;
    }
    emit_cross(sk, MG_RULE_LMC010, MG_ACT_DENY,
               awd_own ? MG_LMC_K_WORKLOAD_DISRUPTION : MG_LMC_K_POST_COPY, patched,
               awd_own ? "allowWorkloadDisruption false: post-copy never starts, migrations are "
                         "cancelled; set it to true"
                       : "allowWorkloadDisruption false (defaults table): post-copy never "
                         "starts; set allowWorkloadDisruption: true");
}

/* LMC004's warning for a timeout of 0, which KubeVirt reads as "no timeout". */
static void check_zero_timeouts(const struct sink *sk, const struct fields *f)
{
    static const size_t keys[] = {MG_LMC_K_COMPLETION, MG_LMC_K_PROGRESS};
    char field[512];

    for (size_t i = 0; i < 2; i++) {
        size_t k = keys[i];

        if (!f->set[k] || f->num[k] != 0)
            continue;
        snprintf(field, sizeof(field), "%s.%s", sk->base, mg_lmc_keys[k]);
        mg_verdict_add(sk->ctx->v, sk->ctx->cfg, MG_RULE_LMC004, MG_ACT_WARN, field,
                       "%s 0: KubeVirt then never cancels a migration on this timeout",
                       mg_lmc_keys[k]);
    }
}

/* LMC005, LMC006, LMC007 and LMC010 on the settings KubeVirt gets from this object:
 * an absent field is the table's value, and the jsonpatch annotation applies. */
static void check_cross(const struct sink *sk, const struct fields *f)
{
    const struct mg_request *req = sk->ctx->req;
    struct mg_lmc_settings s;
    struct mg_err why;
    unsigned patched;
    char msg[300];

    patched = mg_lmc_settings_of_hco(&s, req->object, req->version, sk->ctx->cfg, &why);
    /* HCO's webhook refuses it too (pkg/webhooks/validator: NewKubeVirt fails), and its
     * reconcile cannot write the KubeVirt CR; the settings below are then without it. */
    if (why.code)
        mg_verdict_add(sk->ctx->v, sk->ctx->cfg, MG_RULE_LMC004, MG_ACT_WARN,
                       "metadata.annotations[" MG_LMC_JSONPATCH_ANNOTATION "]",
                       MG_LMC_JSONPATCH_ANNOTATION " ignored: %s", why.msg);
    if (usable(f, MG_LMC_K_PAR_CLUSTER, patched) && usable(f, MG_LMC_K_PAR_NODE, patched) &&
        s.parallel_node > s.parallel_cluster) {
        bool node = f->set[MG_LMC_K_PAR_NODE] || (patched & (1u << MG_LMC_K_PAR_NODE));

        snprintf(msg, sizeof(msg),
                 "parallelOutboundMigrationsPerNode %lld > "
                 "parallelMigrationsPerCluster %lld: the node limit is never reached",
                 (long long)s.parallel_node, (long long)s.parallel_cluster);
        emit_cross(sk, MG_RULE_LMC005, MG_ACT_DENY, node ? MG_LMC_K_PAR_NODE : MG_LMC_K_PAR_CLUSTER,
                   patched, msg);
    }
    check_fit(sk, f, &s, patched);
    check_post_copy(sk, f, &s, patched);
}

/* The values the jsonpatch annotation writes into the KubeVirt CR's migration settings
 * pass the rules liveMigrationConfig's own values pass (RULES.md 9.3); the field is the
 * annotation, then the key. Keys KubeVirt has and liveMigrationConfig lacks are not ours. */
static void check_jsonpatch_values(const struct sink *sk)
{
    struct sink at = {sk->ctx, "metadata.annotations[" MG_LMC_JSONPATCH_ANNOTATION "]"};
    cJSON *ops = mg_lmc_jsonpatch_ops(sk->ctx->req->object);
    const cJSON *op;
    struct fields f;

    cJSON_ArrayForEach (op, ops) {
        const cJSON *value = mg_json_get(op, "value");
        bool put = false;
        const char *key = mg_lmc_jsonpatch_key(op, &put);
        struct problem p;
        int k;

        if (!key || !put || !value || cJSON_IsNull(value))
            continue;
        if (!*key) {
            if (cJSON_IsObject(value))
                read_fields(value, &f, &at);
            continue;
        }
        k = mg_lmc_key_index(key);
        memset(&f, 0, sizeof(f));
        if (k >= 0 && !check_field(value, (size_t)k, &f, &p))
            emit(&at, p.rule, key, p.msg);
    }
    cJSON_Delete(ops);
}

int mg_lmc_validate(const struct mg_vctx *ctx)
{
    const struct mg_request *req = ctx->req;
    const cJSON *lmc;
    struct sink sk = {ctx, NULL};
    struct fields f;
    bool v1;
    char db[64];

    if ((req->op != MG_OP_CREATE && req->op != MG_OP_UPDATE) || !cJSON_IsObject(req->object))
        return 0;
    v1 = mg_lmc_hco_is_v1(req->object, req->version);
    sk.base = mg_lmc_path(v1);
    lmc = mg_lmc_item(req->object, v1);
    memset(&f, 0, sizeof(f));
    if (lmc && !cJSON_IsNull(lmc) && !cJSON_IsObject(lmc)) {
        mg_verdict_add(ctx->v, ctx->cfg, MG_RULE_LMC004, MG_ACT_DENY, sk.base,
                       "liveMigrationConfig must be a map of settings, not %s",
                       describe(db, sizeof(db), lmc));
        return 0;
    }
    /* Absent or null, the table's values apply: the jsonpatch may still change them. */
    if (cJSON_IsObject(lmc)) {
        read_fields(lmc, &f, &sk);
        if (f.set[MG_LMC_K_NETWORK])
            check_network_exists(&sk, f.network);
        check_zero_timeouts(&sk, &f);
        check_unknown_keys(lmc, &sk);
    }
    check_jsonpatch_values(&sk);
    check_cross(&sk, &f);
    return 0;
}
