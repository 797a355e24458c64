/* SPDX-License-Identifier: Apache-2.0 */
/* audit.c - the policy audit: a ticker (ticker.h) that keeps or seeks the audit Lease and, while
 * it holds it, lists the stored policies (a quorum read), finds the conflicting pairs
 * with the validator's own MP010/MP011 and reports the pairs it had not reported yet.
 * Pairs are judged one at a time, each in a small view of its own (the other policy
 * and the cluster settings), so a finding names exactly one pair. */
#include "audit.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "kubeapply.h"
#include "kubecall.h"
#include "lease.h"
#include "pending.h"
#include "policy.h"
#include "strbuf.h"
#include "ticker.h"
#include "validate.h"

#define POLICIES_PATH "/apis/migrations.kubevirt.io/v1alpha1/migrationpolicies"
#define POLICY_API "migrations.kubevirt.io/v1alpha1"
#define CALL_MS 5000L

static const char *const settings_kinds[] = {"HyperConverged", "KubeVirt"};

/* Copy the cluster settings objects of view into s. */
static void copy_settings(struct mg_store *s, const struct mg_store *view)
{
    for (size_t k = 0; view && k < sizeof(settings_kinds) / sizeof(settings_kinds[0]); k++) {
        const cJSON *const *items;
        size_t n = mg_store_list(view, settings_kinds[k], &items);

        for (size_t i = 0; i < n; i++) {
            cJSON *c = cJSON_Duplicate(items[i], 1);

            if (c)
                (void)mg_store_put(s, c, NULL);
        }
    }
}

struct names {
    const char *mine;
    char **v;
    size_t n, cap;
    bool oom;
};

/* A tie whose name sorts after ours: each pair is judged once. */
static bool on_candidate(void *ctx, const cJSON *other, const char *name,
                         const struct mg_policy_fields *f, bool same)
{
    struct names *c = ctx;
    char **nv;

    (void)other, (void)f, (void)same;
    if (strcmp(name, c->mine) <= 0)
        return true;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;

        if (!(nv = realloc(c->v, cap * sizeof(*nv)))) {
            c->oom = true;
            return false;
        }
        c->v = nv;
        c->cap = cap;
    }
    if (!(c->v[c->n] = strdup(name))) {
        c->oom = true;
        return false;
    }
    c->n++;
    return true;
}

/* Judge a (a CREATE) against b alone; the first MP010/MP011 finding, or none. 1 when
 * fn was called, 0 when not, -1 when out of memory. */
static int judge_pair(const struct mg_config *cfg, const struct mg_store *view, const cJSON *a,
                      const cJSON *b, void (*fn)(void *ctx, const struct mg_audit_pair *p),
                      void *ctx)
{
    struct mg_store *pair = mg_store_new();
    cJSON *bc = cJSON_Duplicate(b, 1);
    const char *an = mg_json_name_or(a, ""), *bn = mg_json_name_or(b, "");
    struct mg_request req = {.uid = "audit",
                             .group = "migrations.kubevirt.io",
                             .version = "v1alpha1",
                             .kind = "MigrationPolicy",
                             .name = an,
                             .namespace_ = "",
                             .op = MG_OP_CREATE,
                             .dry_run = true,
                             .object = a};
    struct mg_verdict v;
    int found = 0;

    mg_verdict_init(&v);
    if (!pair || !bc) {
        cJSON_Delete(bc);
        mg_store_free(pair);
        return -1;
    }
    (void)mg_store_put(pair, bc, NULL);
    copy_settings(pair, view);
    if (mg_validate(&req, pair, cfg, &v, NULL) == 0) {
        for (size_t i = 0; i < v.n && !found; i++) {
            if (v.items[i].rule != MG_RULE_MP010 && v.items[i].rule != MG_RULE_MP011)
                continue;
            fn(ctx, &(struct mg_audit_pair){a, b, an, bn, v.items[i].rule, v.items[i].message});
            found = 1;
        }
    }
    mg_verdict_free(&v);
    mg_store_free(pair);
    return found;
}

long mg_audit_conflicts(const struct mg_config *cfg, const struct mg_store *view,
                        const cJSON *policies, void (*fn)(void *ctx, const struct mg_audit_pair *p),
                        void *ctx)
{
    struct mg_store *all = mg_store_new();
    const cJSON *it;
    long pairs = 0;

    if (!all)
        return -1;
    cJSON_ArrayForEach (it, policies) {
        cJSON *c = cJSON_Duplicate(it, 1);

        if (!c)
            goto oom;
        mg_kubeapply_prepare(c, "MigrationPolicy", POLICY_API);
        (void)mg_store_put(all, c, NULL);
    }
    copy_settings(all, view);
    cJSON_ArrayForEach (it, policies) {
        const char *name = mg_json_name_or(it, NULL);
        const cJSON *mine = name ? mg_store_get(all, "MigrationPolicy", "", name) : NULL;
        struct names c = {name, NULL, 0, 0, false};
        int rc;

        if (!mine)
            continue;
        if (mg_policy_ties(all, mine, name, on_candidate, &c) != 0)
            c.oom = true;
        for (size_t i = 0; i < c.n; i++) {
            const cJSON *other = mg_store_get(all, "MigrationPolicy", "", c.v[i]);

            rc = !c.oom && other ? judge_pair(cfg, view, mine, other, fn, ctx) : 0;
            if (rc < 0)
                c.oom = true;
            pairs += rc > 0;
            free(c.v[i]);
        }
        free(c.v);
        if (c.oom)
            goto oom;
    }
    mg_store_free(all);
    return pairs;
oom:
    mg_store_free(all);
    return -1;
}

/* One pair as reported: its identity includes both resourceVersions, so a pair that
 * is changed and still conflicts is reported again. */
struct seen {
    char **keys;
    size_t n, cap;
};

struct mg_audit {
    struct mg_kubecall *call;
    struct mg_lease *lease;
    struct mg_engine *engine;
    char *ns, *id;
    unsigned period_ms, tick_ms;
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
    struct mg_ticker *ticker;
    atomic_bool poked;
    int64_t next;         /* the next audit when leading; ticker thread only */
    struct seen reported; /* ticker thread only */
    atomic_long conflicts;
    atomic_bool leader;
    atomic_ulong audits, failures;
};

static void seen_free(struct seen *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->keys[i]);
    free(s->keys);
    memset(s, 0, sizeof(*s));
}

static bool seen_has(const struct seen *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->keys[i], key) == 0)
            return true;
    return false;
}

static void seen_add(struct seen *s, const char *key)
{
    char **nk;

    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;

        if (!(nk = realloc(s->keys, cap * sizeof(*nk))))
            return;
        s->keys = nk;
        s->cap = cap;
    }
    if ((s->keys[s->n] = strdup(key)) != NULL)
        s->n++;
}

static const char *rv_of(const cJSON *o)
{
    const char *rv = mg_json_str(mg_json_get(o, "metadata"), "resourceVersion");

    return rv ? rv : "";
}

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void line_out(struct mg_audit *a, const char *line)
{
    if (a->log)
        a->log(a->log_ctx, line);
    else
        fprintf(stderr, "%s\n", line);
}

/* "migguard: audit: ..." through the same channel as the findings. */
__attribute__((format(printf, 2, 3))) static void say(struct mg_audit *a, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    int n = snprintf(line, sizeof(line), "migguard: audit: ");

    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    line_out(a, line);
}

/* A Warning Event on policy `on` about the pair (POST core/v1 events in migguard's
 * namespace: `kubectl describe migrationpolicy` finds it by involvedObject). A name
 * that exists (409) means another audit already said it. */
static void post_event(struct mg_audit *a, const cJSON *on, const char *key, const char *text)
{
    cJSON *ev = cJSON_CreateObject(), *md, *io, *src, *ans = NULL;
    char name[300], now[40], path[400], *body = NULL;
    const char *pn = mg_json_name_or(on, "");
    const char *uid = mg_json_str(mg_json_get(on, "metadata"), "uid");
    struct mg_err err = {0};
    time_t t = time(NULL);
    struct tm tm;
    long status = 0;

    gmtime_r(&t, &tm);
    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(name, sizeof(name), "%.200s.migguard-%016llx", pn,
             (unsigned long long)fnv(key) ^ (unsigned long long)fnv(pn));
    snprintf(path, sizeof(path), "/api/v1/namespaces/%s/events", a->ns);
    md = ev ? cJSON_AddObjectToObject(ev, "metadata") : NULL;
    io = ev ? cJSON_AddObjectToObject(ev, "involvedObject") : NULL;
    src = ev ? cJSON_AddObjectToObject(ev, "source") : NULL;
    if (!md || !io || !src)
        goto out;
    cJSON_AddStringToObject(ev, "apiVersion", "v1");
    cJSON_AddStringToObject(ev, "kind", "Event");
    cJSON_AddStringToObject(md, "name", name);
    cJSON_AddStringToObject(md, "namespace", a->ns);
    cJSON_AddStringToObject(io, "apiVersion", POLICY_API);
    cJSON_AddStringToObject(io, "kind", "MigrationPolicy");
    cJSON_AddStringToObject(io, "name", pn);
    if (uid)
        cJSON_AddStringToObject(io, "uid", uid);
    cJSON_AddStringToObject(io, "resourceVersion", rv_of(on));
    cJSON_AddStringToObject(ev, "reason", "PolicyConflict");
    cJSON_AddStringToObject(ev, "message", text);
    cJSON_AddStringToObject(ev, "type", "Warning");
    cJSON_AddStringToObject(src, "component", "migguard");
    cJSON_AddStringToObject(ev, "reportingComponent", "migguard");
    cJSON_AddStringToObject(ev, "reportingInstance", a->id);
    cJSON_AddStringToObject(ev, "firstTimestamp", now);
    cJSON_AddStringToObject(ev, "lastTimestamp", now);
    cJSON_AddNumberToObject(ev, "count", 1);
    if (!(body = cJSON_PrintUnformatted(ev)))
        goto out;
    if (mg_kubecall_do(a->call, "POST", path, body, CALL_MS, &status, &ans, &err) != 0)
        say(a, "%s", err.msg);
    else if (status != 201 && status != 200 && status != 409 &&
             mg_kubecall_fail(a->call, "POST", path, status, ans, &err))
        say(a, "%s", err.msg);
out:
    free(body);
    cJSON_Delete(ans);
    cJSON_Delete(ev);
}

struct run {
    struct mg_audit *a;
    struct seen now;
};

static void on_pair(void *ctx, const struct mg_audit_pair *p)
{
    struct run *r = ctx;
    struct mg_audit *a = r->a;
    char key[1200], text[1400];
    cJSON *line;
    char *out;

    snprintf(key, sizeof(key), "%.250s/%.60s|%.250s/%.60s", p->a_name, rv_of(p->a), p->b_name,
             rv_of(p->b));
    seen_add(&r->now, key);
    if (seen_has(&a->reported, key))
        return;
    snprintf(text, sizeof(text), "policies \"%.250s\" and \"%.250s\" conflict: %.800s", p->a_name,
             p->b_name, p->message);
    post_event(a, p->a, key, text);
    post_event(a, p->b, key, text);
    if (!(line = cJSON_CreateObject()))
        return;
    cJSON_AddStringToObject(line, "msg", "policy-conflict");
    cJSON_AddStringToObject(line, "rule", mg_rule_id(p->rule));
    cJSON_AddStringToObject(line, "policy", p->a_name);
    cJSON_AddStringToObject(line, "other", p->b_name);
    cJSON_AddStringToObject(line, "message", p->message);
    if ((out = cJSON_PrintUnformatted(line)) != NULL)
        line_out(a, out);
    free(out);
    cJSON_Delete(line);
}

/* One audit: the stored policies now, their pairs, the new ones reported. */
static void run_audit(struct mg_audit *a)
{
    struct run r = {a, {0}};
    struct mg_err err = {0};
    struct mg_store *view = mg_engine_store(a->engine), *settings;
    cJSON *list = NULL;
    long status = 0, n;

    if (mg_kubecall_do(a->call, "GET", POLICIES_PATH, NULL, CALL_MS, &status, &list, &err) != 0 ||
        (status != 200 && status != 404)) {
        if (!err.code)
            mg_kubecall_fail(a->call, "GET", POLICIES_PATH, status, list, &err);
        say(a, "%s", err.msg);
        atomic_fetch_add(&a->failures, 1);
        cJSON_Delete(list);
        return;
    }
    /* The cluster settings are copied out: the pairs are judged with no lock held. */
    if (!(settings = mg_store_new())) {
        cJSON_Delete(list);
        return;
    }
    mg_store_rdlock(view);
    copy_settings(settings, view);
    mg_store_unlock(view);
    n = mg_audit_conflicts(mg_engine_config(a->engine), settings, mg_json_get(list, "items"),
                           on_pair, &r);
    mg_store_free(settings);
    cJSON_Delete(list);
    if (n < 0) {
        atomic_fetch_add(&a->failures, 1);
        seen_free(&r.now);
        return;
    }
    seen_free(&a->reported);
    a->reported = r.now;
    atomic_store(&a->conflicts, n);
    atomic_fetch_add(&a->audits, 1);
}

/* One turn of the ticker (every tick_ms, at once when poked): renew or take the
 * Lease, and audit when leading and poked or a period went by. */
static void audit_tick(void *arg)
{
    struct mg_audit *a = arg;
    struct mg_err err = {0};
    bool held = false, poked = atomic_exchange(&a->poked, false);

    if (mg_lease_try(a->lease, mg_pending_now_ms() + CALL_MS, &held, &err) != 0)
        say(a, "%s", err.msg);
    if (held && !atomic_exchange(&a->leader, true))
        a->next = 0; /* a new auditor audits at once */
    if (!held) {
        /* Only the auditor counts: the gauge's max over replicas is the answer. */
        atomic_store(&a->leader, false);
        atomic_store(&a->conflicts, 0);
        seen_free(&a->reported);
    }
    if (held && (poked || mg_pending_now_ms() >= a->next)) {
        run_audit(a);
        a->next = mg_pending_now_ms() + a->period_ms;
    }
}

int mg_audit_start(struct mg_audit **out, const struct mg_audit_opts *o, struct mg_err *err)
{
    struct mg_audit *a = calloc(1, sizeof(*a));
    struct mg_lease_opts lo;
    unsigned lease_s = o->lease_s ? o->lease_s : 15;
    int rc;

    *out = NULL;
    if (!a || !(a->ns = strdup(o->namespace_ ? o->namespace_ : "")) ||
        !(a->id = strdup(o->identity ? o->identity : ""))) {
        rc = mg_err_set(err, MG_ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = mg_kubecall_new(&a->call, o->kubeconfig, NULL, err)) != 0)
        goto fail;
    lo = (struct mg_lease_opts){a->call, a->ns, "migguard-policy-audit", a->id, lease_s};
    if ((rc = mg_lease_new(&a->lease, &lo, err)) != 0)
        goto fail;
    a->engine = o->engine;
    a->period_ms = (o->period_s ? o->period_s : 300) * 1000u;
    /* Renew at a third of the Lease's duration; audit at least every period. */
    a->tick_ms = lease_s * 1000u / 3;
    if (a->tick_ms > a->period_ms)
        a->tick_ms = a->period_ms;
    a->log = o->log;
    a->log_ctx = o->log_ctx;
    if (!(a->ticker = mg_ticker_start(a->tick_ms, audit_tick, a))) {
        rc = mg_err_set(err, MG_ENOMEM, "cannot start the policy audit thread");
        goto fail;
    }
    *out = a;
    return 0;
fail:
    mg_audit_stop(a);
    return rc;
}

void mg_audit_stop(struct mg_audit *a)
{
    if (!a)
        return;
    if (a->ticker) {
        mg_ticker_stop(a->ticker);
        /* A clean stop hands the audit over at once instead of after the duration. */
        (void)mg_lease_release(a->lease, NULL, NULL, mg_pending_now_ms() + 1000, NULL);
    }
    seen_free(&a->reported);
    mg_lease_free(a->lease);
    mg_kubecall_free(a->call);
    free(a->ns);
    free(a->id);
    free(a);
}

void mg_audit_poke(struct mg_audit *a)
{
    if (!a)
        return;
    atomic_store(&a->poked, true);
    mg_ticker_wake_at(a->ticker, 0);
}

char *mg_audit_metrics(struct mg_audit *a)
{
    struct mg_strbuf b;

    mg_strbuf_init(&b);
    mg_strbuf_printf(&b,
                     "# HELP migguard_policy_conflicts Conflicting MigrationPolicy pairs "
                     "(MP010/MP011) the last audit found among the stored policies.\n"
                     "# TYPE migguard_policy_conflicts gauge\n"
                     "migguard_policy_conflicts %ld\n"
                     "# HELP migguard_policy_audit_leader 1 when this replica holds the audit "
                     "Lease.\n"
                     "# TYPE migguard_policy_audit_leader gauge\n"
                     "migguard_policy_audit_leader %d\n"
                     "# HELP migguard_policy_audits_total Policy audits completed.\n"
                     "# TYPE migguard_policy_audits_total counter\n"
                     "migguard_policy_audits_total %lu\n"
                     "# HELP migguard_policy_audit_failures_total Policy audits that could not "
                     "read the policies.\n"
                     "# TYPE migguard_policy_audit_failures_total counter\n"
                     "migguard_policy_audit_failures_total %lu\n",
                     atomic_load(&a->conflicts), atomic_load(&a->leader) ? 1 : 0,
                     atomic_load(&a->audits), atomic_load(&a->failures));
    return mg_strbuf_finish(&b);
}
