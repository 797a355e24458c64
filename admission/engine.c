/* SPDX-License-Identifier: Apache-2.0 */
/* engine.c - one review, read top to bottom like the diagram: parse, early allow,
 * look up, validate or mutate, render. Policies admitted by /validate enter the view
 * at once (RULES.md section 3), under the write lock, so two conflicting policies
 * sent back to back are caught. */
#define _GNU_SOURCE /* memmem */
#include "engine.h"

#include <stdint.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "background.h"
#include "json.h"
#include "load.h"
#include "memtrim.h"
#include "pending.h"
#include "policywrite.h"
#include "prune.h"
#include "arena.h"
#include "mutate.h"
#include "response.h"
#include "review.h"
#include "stats.h"
#include "strbuf.h"
#include "validate.h"

struct mg_engine {
    struct mg_config cfg;
    struct mg_store *store;
    /* Policy admissions take turns: each is judged against the view its predecessor
     * left (MP010/MP011 catch two conflicting policies sent back to back) while other
     * reviews go on under the read lock; the write lock covers only the put. */
    pthread_mutex_t policy_mu;
    /* Admitted policies count only while pending unless the watch confirms them, or
     * for good when reviews are authenticated and no watch runs (issues 13, 15). */
    struct mg_pending *pending;
    unsigned pending_ms;
    /* With a watch: policy CREATE/UPDATE take turns across replicas (policywrite.h),
     * each within policy_wait_ms of its arrival. */
    struct mg_policywrite *pw;
    unsigned policy_wait_ms;
    bool authenticated, watched;
    struct mg_stats stats;
    void (*log)(const struct mg_decision *d, void *ctx);
    void *log_ctx;
    struct mg_background *bg; /* reload steps; made at the first reload */
};

/* The kinds of RULES.md section 1, for the view's object counts in /metrics. */
static const char *const view_kinds[] = {"Namespace",
                                         "PersistentVolumeClaim",
                                         "StorageClass",
                                         "StorageProfile",
                                         "Node",
                                         "NetworkAttachmentDefinition",
                                         "MigrationPolicy",
                                         "VirtualMachine",
                                         "VirtualMachineInstance",
                                         "VirtualMachineInstanceMigration",
                                         "HyperConverged",
                                         "KubeVirt",
                                         "VirtualMachineInstancetype",
                                         "VirtualMachineClusterInstancetype"};

int mg_engine_new(struct mg_engine **out, const struct mg_config *cfg, struct mg_store *store,
                  struct mg_err *err)
{
    struct mg_engine *e = calloc(1, sizeof(*e));

    *out = NULL;
    if (!e) {
        mg_store_free(store);
        return mg_err_set(err, MG_ENOMEM, "out of memory creating the engine");
    }
    e->cfg = *cfg;
    mg_arena_install();
    mg_stats_init(&e->stats);
    e->store = store ? store : mg_store_new();
    e->pending_ms = MG_PENDING_TTL_MS;
    if (!e->store || !(e->pending = mg_pending_new(e->store)) ||
        pthread_mutex_init(&e->policy_mu, NULL) != 0) {
        mg_pending_free(e->pending);
        mg_store_free(e->store);
        free(e);
        return mg_err_set(err, MG_ENOMEM, "out of memory creating the cluster view");
    }
    *out = e;
    return 0;
}

void mg_engine_free(struct mg_engine *e)
{
    if (!e)
        return;
    mg_background_stop(e->bg);
    mg_pending_free(e->pending);
    mg_policywrite_free(e->pw);
    mg_store_free(e->store);
    pthread_mutex_destroy(&e->policy_mu);
    free(e);
}

struct mg_store *mg_engine_store(struct mg_engine *e)
{
    return e->store;
}

struct reload {
    struct mg_store *fresh;
    const char *dir; /* NULL: only free old */
    struct mg_err *err;
    struct mg_store *old; /* what the previous step swapped out, freed first */
    int rc;
};

/* A reload step runs on the engine's background thread (background.h): below reviews,
 * since on a 2-core pod parsing a 100,000-VM state competes with them for the same
 * cores, and always the same thread, so that every step allocates from the malloc arena
 * whose memory the step before it freed (a thread per step took a new arena each time,
 * and the peak of a reload wandered between 270 and 450 MB at 100,000 VMs). It takes no
 * lock, and it also frees what the previous step swapped out (and gives the pages back):
 * the caller only exchanges, at its own priority. */
static void reload_job(void *arg)
{
    struct reload *r = arg;

    if (r->old) {
        mg_store_free(r->old);
        mg_mem_trim();
    }
    if (r->dir)
        r->rc = mg_load_dir(r->fresh, r->dir, r->err);
    mg_store_release();
}

static void run_reload(struct mg_engine *e, struct reload *r)
{
    /* Without the thread (out of memory) the step runs here. */
    if (!e->bg)
        e->bg = mg_background_start("mg-reload", true);
    mg_background_run(e->bg, reload_job, r);
}

/* dir loaded into a new store that keeps what f wants (old freed first); NULL with err
 * set on failure. */
static struct mg_store *load_aside(struct mg_engine *e, const char *dir,
                                   const struct mg_store_filter *f, struct mg_store *old,
                                   struct mg_err *err)
{
    struct reload r = {mg_store_new(), dir, err, old, 0};

    if (!r.fresh) {
        mg_store_free(old);
        mg_err_set(err, MG_ENOMEM, "out of memory creating the cluster view");
        return NULL;
    }
    mg_store_set_filter(r.fresh, f);
    run_reload(e, &r);
    mg_store_set_filter(r.fresh, NULL);
    if (r.rc) {
        mg_store_free(r.fresh);
        mg_mem_trim();
        return NULL;
    }
    return r.fresh;
}

/* Which files hold which big kinds, learnt while every file is read in the first step,
 * so that each later step opens only the files that hold its kind. */
#define MAX_FILES 256

struct files {
    char *path[MAX_FILES];
    unsigned mask[MAX_FILES]; /* bit i: holds mg_prune_compact_kinds[i] (files past MAX_FILES:
                                 always read) */
    size_t n, cur;
    size_t want; /* the later steps: the index in mg_prune_compact_kinds */
};

static bool first_file(void *ctx, const char *path)
{
    struct files *f = ctx;

    f->cur = f->n;
    if (f->n < MAX_FILES && (f->path[f->n] = strdup(path)) != NULL)
        f->mask[f->n++] = 0;
    else
        f->cur = MAX_FILES;
    return true;
}

static bool small_kind(void *ctx, const char *kind)
{
    struct files *f = ctx;

    for (size_t i = 0; i < MG_PRUNE_COMPACT_KINDS; i++) {
        if (strcmp(kind, mg_prune_compact_kinds[i]) != 0)
            continue;
        if (f && f->cur < MAX_FILES)
            f->mask[f->cur] |= 1u << i;
        return false;
    }
    return true;
}

static bool later_file(void *ctx, const char *path)
{
    const struct files *f = ctx;

    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->path[i], path) == 0)
            return (f->mask[i] >> f->want) & 1u;
    return true; /* not seen in the first step (too many files, or new): read it */
}

static bool one_kind(void *ctx, const char *kind)
{
    const struct files *f = ctx;

    return strcmp(mg_prune_compact_kinds[f->want], kind) == 0;
}

/* Exchange kind (every small kind either store has, when kind is NULL) under the write
 * lock, in O(1) per kind; fresh then holds the old objects, for the caller to free
 * outside it. */
static int swap_in(struct mg_engine *e, struct mg_store *fresh, const char *kind)
{
    int rc;

    mg_store_wrlock_polite(e->store);
    rc = kind ? mg_store_exchange(e->store, fresh, kind)
              : mg_store_exchange_where(e->store, fresh, small_kind, NULL);
    /* The reloaded files are the truth: what was pending is gone with the old view. */
    if (!kind && rc == 0)
        mg_pending_clear(e->pending);
    mg_store_unlock(e->store);
    return rc;
}

int mg_engine_reload_state(struct mg_engine *e, const char *dir, struct mg_err *err)
{
    struct files files = {0};
    const struct mg_store_filter smalls = {small_kind, &files, false, first_file};
    struct mg_store *fresh;
    struct reload last = {0};
    int rc = 0;

    /* First every file is read in full, and the small kinds are kept: a bad file
     * leaves the whole view as it was. Then each big kind alone, from the files that
     * hold it, the other kinds passed over unread, so that at most one kind is held
     * twice (memory stays within 1.5x of the view's while a reload runs). Between two
     * steps the view is new for some kinds and not yet for others, as during a watch. */
    if (!(fresh = load_aside(e, dir, &smalls, NULL, err)))
        rc = err && err->code ? err->code : MG_ENOMEM;
    else if ((rc = swap_in(e, fresh, NULL)) != 0)
        mg_err_set(err, rc, "cannot replace the cluster view");
    for (size_t i = 0; rc == 0 && i < MG_PRUNE_COMPACT_KINDS; i++) {
        const struct mg_store_filter one = {one_kind, &files, true, later_file};

        files.want = i;
        if (!(fresh = load_aside(e, dir, &one, fresh, err))) {
            rc = err && err->code ? err->code : MG_ENOMEM;
            break;
        }
        if ((rc = swap_in(e, fresh, mg_prune_compact_kinds[i])) != 0)
            mg_err_set(err, rc, "cannot replace the %s objects of the view",
                       mg_prune_compact_kinds[i]);
    }
    mg_stats_reload(&e->stats, rc == 0);
    /* The last step's old objects go in the background thread too. */
    last.old = fresh;
    run_reload(e, &last);
    for (size_t i = 0; i < files.n; i++)
        free(files.path[i]);
    return rc;
}

void mg_engine_state_loaded(struct mg_engine *e)
{
    mg_stats_reload(&e->stats, true);
}

const struct mg_config *mg_engine_config(const struct mg_engine *e)
{
    return &e->cfg;
}

void mg_engine_set_log(struct mg_engine *e, void (*fn)(const struct mg_decision *d, void *ctx),
                       void *ctx)
{
    e->log = fn;
    e->log_ctx = ctx;
}

char *mg_engine_metrics(struct mg_engine *e)
{
    char *stats = mg_stats_render(&e->stats);
    struct mg_strbuf b;

    if (!stats)
        return NULL;
    mg_strbuf_init(&b);
    mg_strbuf_printf(&b,
                     "%s# HELP migguard_view_objects Objects in the cluster view, by kind.\n"
                     "# TYPE migguard_view_objects gauge\n",
                     stats);
    free(stats);
    mg_store_rdlock(e->store);
    for (size_t i = 0; i < sizeof(view_kinds) / sizeof(view_kinds[0]); i++) {
        mg_strbuf_printf(&b, "migguard_view_objects{kind=\"%s\"} %zu\n", view_kinds[i],
                         mg_store_count(e->store, view_kinds[i]));
    }
    mg_store_unlock(e->store);
    return mg_strbuf_finish(&b);
}

static long micros_since(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (long)(t1.tv_sec - t0->tv_sec) * 1000000L + (t1.tv_nsec - t0->tv_nsec) / 1000L;
}

/* One decision, told to the log hook: "LMC002,LMC006" lists the rule ids. */
static void log_decision(struct mg_engine *e, enum mg_endpoint ep, const struct mg_request *req,
                         bool allowed, const struct mg_verdict *v, const struct timespec *t0)
{
    char rules[512];
    size_t at = 0;
    struct mg_decision d;

    if (!e->log)
        return;
    rules[0] = '\0';
    for (size_t i = 0; v && i < v->n && at + 8 < sizeof(rules); i++)
        at += (size_t)snprintf(rules + at, sizeof(rules) - at, "%s%s", at ? "," : "",
                               mg_rule_id(v->items[i].rule));
    d = (struct mg_decision){req->uid, req->kind, req->namespace_, req->name, mg_op_name(req->op),
                             ep,       allowed,   req->dry_run,    rules,     micros_since(t0)};
    e->log(&d, e->log_ctx);
}

void mg_reply_free(struct mg_reply *r)
{
    if (!r)
        return;
    free(r->body);
    r->body = NULL;
    r->len = 0;
}

void mg_answer_free(struct mg_answer *a)
{
    if (!a)
        return;
    mg_patch_free(&a->patch);
    mg_verdict_free(&a->verdict);
    mg_review_free(&a->review);
}

/* Kinds whose admission changes the view before the watch reports it. */
static bool writes_view(const struct mg_request *req, enum mg_endpoint ep)
{
    return ep == MG_EP_VALIDATE && !req->dry_run &&
           strcmp(req->group, "migrations.kubevirt.io") == 0 &&
           strcmp(req->kind, "MigrationPolicy") == 0;
}

/* The admitted change, into the view: for good only when the review came from an
 * authenticated API server and no watch will tell the truth (--state with
 * --client-ca); otherwise pending (policywrite.h). */
static void apply_to_view(struct mg_engine *e, const struct mg_request *req)
{
    mg_policywrite_admitted(e->store, e->pending, req, e->authenticated && !e->watched,
                            mg_pending_now_ms() + (int64_t)e->pending_ms);
}

void mg_engine_set_reviews_authenticated(struct mg_engine *e, bool yes)
{
    e->authenticated = yes;
}

void mg_engine_set_watched(struct mg_engine *e, bool yes)
{
    e->watched = yes;
}

void mg_engine_set_pending_ms(struct mg_engine *e, unsigned ms)
{
    e->pending_ms = ms ? ms : MG_PENDING_TTL_MS;
}

void mg_engine_view_changed(void *ctx, const char *kind, const char *name)
{
    struct mg_engine *e = ctx;

    if (strcmp(kind, "MigrationPolicy") != 0)
        return;
    if (name)
        mg_pending_confirm(e->pending, kind, name);
    else
        mg_pending_relisted(e->pending, kind);
}

size_t mg_engine_pending_count(struct mg_engine *e)
{
    return mg_pending_count(e->pending);
}

bool mg_engine_review_may_wait(const struct mg_engine *e, enum mg_endpoint ep, const char *body,
                               size_t len)
{
    static const char group[] = "migrations.kubevirt.io";

    return e->pw && ep == MG_EP_VALIDATE && body &&
           memmem(body, len, group, sizeof(group) - 1) != NULL;
}

void mg_engine_set_policywrite(struct mg_engine *e, struct mg_policywrite *pw, unsigned wait_ms)
{
    mg_policywrite_free(e->pw);
    e->pw = pw;
    e->policy_wait_ms = wait_ms ? wait_ms : 4000;
}

static int64_t mono_ms(const struct timespec *t)
{
    return (int64_t)t->tv_sec * 1000 + t->tv_nsec / 1000000;
}

/* Policy admissions take turns on this replica (policy_mu) and, with a Lease, across
 * replicas; all of it within policy_wait_ms of the review's arrival. 0, or MG_EIO with
 * why set: the review is then refused as retryable, with nothing held. */
static int policy_begin(struct mg_engine *e, const struct mg_request *req,
                        const struct timespec *t0, bool *guarded, struct mg_err *why)
{
    *guarded = e->pw && (req->op == MG_OP_CREATE || req->op == MG_OP_UPDATE);
    if (!e->pw) {
        pthread_mutex_lock(&e->policy_mu);
        return 0;
    }
    /* A DELETE only waits for this replica's turn, and within its webhook's 3 s. */
    return mg_policywrite_turn(
        *guarded ? e->pw : NULL, &e->policy_mu, e->store, e->pending,
        mono_ms(t0) + (*guarded || e->policy_wait_ms < 2000 ? e->policy_wait_ms : 2000), why);
}

/* Record the admission in the Lease and give it up; false when the record could not be
 * written (the admission is then refused, why says why). */
static bool policy_end(struct mg_engine *e, const struct mg_request *req, const struct timespec *t0,
                       bool guarded, bool admitted, struct mg_err *why)
{
    if (!guarded)
        return true;
    return mg_policywrite_end(e->pw, admitted ? req->object : NULL, mono_ms(t0) + e->policy_wait_ms,
                              why) == 0 ||
           !admitted;
}

/* The retryable refusal (429) of a policy write that could not take its turn. */
static void refuse_busy(struct mg_engine *e, struct mg_answer *a, const struct mg_err *why,
                        const struct timespec *t0)
{
    mg_stats_error(&e->stats);
    a->status_code = 429;
    a->allowed = false;
    mg_err_set(&a->error, MG_EIO,
               "migguard serializes MigrationPolicy writes across its replicas and could not "
               "take its turn within %u ms: %.700s; retry (nothing was changed)",
               e->policy_wait_ms, why->msg);
    mg_verdict_free(&a->verdict);
    mg_verdict_init(&a->verdict);
    mg_patch_free(&a->patch);
    log_decision(e, MG_EP_VALIDATE, &a->review.req, false, NULL, t0);
}

/* The rules' decision on a decoded review, into a (its verdict and patch). */
static void decide(struct mg_engine *e, enum mg_endpoint ep, const struct timespec *t0,
                   struct mg_answer *a)
{
    const struct mg_review *r = &a->review;
    struct mg_verdict *v = &a->verdict;
    struct mg_err inner = {0}, why = {0};
    bool write = writes_view(&r->req, ep), guarded = false;
    int rc;

    if (write && policy_begin(e, &r->req, t0, &guarded, &why) != 0) {
        refuse_busy(e, a, &why, t0);
        return;
    }
    mg_store_rdlock(e->store);
    if (ep == MG_EP_VALIDATE)
        rc = mg_validate(&r->req, e->store, &e->cfg, v, &inner);
    else
        rc = mg_mutate(&r->req, e->store, &e->cfg, &a->patch, &inner);
    mg_store_unlock(e->store);
    if (write) {
        bool admitted = rc == 0 && !mg_verdict_denied(v);

        if (!policy_end(e, &r->req, t0, guarded, admitted, &why)) {
            pthread_mutex_unlock(&e->policy_mu);
            refuse_busy(e, a, &why, t0);
            return;
        }
        if (admitted) {
            mg_store_wrlock(e->store);
            apply_to_view(e, &r->req);
            mg_store_unlock(e->store);
        }
        pthread_mutex_unlock(&e->policy_mu);
    }

    if (rc) {
        /* An internal failure still answers the review, uid echoed. */
        mg_stats_error(&e->stats);
        a->status_code = 500;
        a->error = inner;
        a->allowed = false;
        mg_patch_free(&a->patch);
    } else {
        a->allowed = !mg_verdict_denied(v);
        if (!a->allowed)
            mg_patch_free(&a->patch);
        mg_stats_record(&e->stats, ep, &r->req, a->allowed, v);
    }
    log_decision(e, ep, &r->req, a->allowed, v, t0);
}

int mg_engine_decide(struct mg_engine *e, enum mg_endpoint ep, struct mg_arena *arena,
                     const char *body, size_t len, struct mg_answer *out, struct mg_err *err)
{
    struct mg_err local;
    struct timespec t0;
    int rc;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!err)
        err = &local;
    mg_err_clear(err);
    memset(out, 0, sizeof(*out));
    mg_verdict_init(&out->verdict);
    mg_patch_init(&out->patch);
    out->http_status = 200;
    if (len > MG_REVIEW_MAX_BYTES) {
        mg_err_set(err, MG_ETOOBIG, "request body of %zu bytes is over the 7 MiB limit", len);
        out->http_status = out->status_code = 413;
        out->error = *err;
        return MG_ETOOBIG;
    }
    rc = mg_review_parse(&out->review, arena, body, len, err);
    if (rc) {
        /* Not decodable: no uid to echo, HTTP 400 (500 when the arena was taken). */
        out->http_status = out->status_code = rc == MG_EINTERNAL ? 500 : 400;
        out->error = *err;
        mg_stats_error(&e->stats);
        return rc;
    }
    if (out->review.problem) {
        out->status_code = 400;
        mg_err_set(&out->error, MG_EINVAL, "%s", out->review.problem);
    } else {
        decide(e, ep, &t0, out);
    }
    return 0;
}

char *mg_answer_render(const struct mg_answer *a)
{
    const char *uid = a->review.req.uid ? a->review.req.uid : "";

    if (a->status_code)
        return mg_response_render_error(a->http_status == 200 ? uid : "", a->status_code,
                                        a->error.msg);
    return mg_response_render(&a->review, &a->verdict, &a->patch);
}

int mg_engine_review(struct mg_engine *e, enum mg_endpoint ep, const char *body, size_t len,
                     struct mg_reply *out, struct mg_err *err)
{
    struct mg_answer a;
    struct mg_err local;
    int rc;

    if (!err)
        err = &local;
    memset(out, 0, sizeof(*out));
    rc = mg_engine_decide(e, ep, mg_arena_thread(), body, len, &a, err);
    out->http_status = a.http_status;
    out->allowed = a.allowed;
    out->body = mg_answer_render(&a);
    out->len = out->body ? strlen(out->body) : 0;
    if (!out->body && rc == 0)
        rc = mg_err_set(err, MG_ENOMEM, "out of memory rendering the response");
    mg_answer_free(&a);
    return rc;
}
