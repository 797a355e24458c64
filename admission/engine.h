/* SPDX-License-Identifier: Apache-2.0 */
/* engine.h - one AdmissionReview in, one AdmissionReview out: parse, early allow,
 * look up, validate or mutate, render. Holds no transport types, so the server, the
 * offline CLI and the tests all call the same function.
 * Thread-safety: mg_engine_review may be called from many threads at once, and
 * mg_engine_reload_state alongside them. */
#ifndef MG_ENGINE_H
#define MG_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "config.h"
#include "err.h"
#include "patch.h"
#include "review.h"
#include "store.h"
#include "verdict.h"

/* Review bodies larger than this are refused with 413. */
#define MG_REVIEW_MAX_BYTES ((size_t)7 * 1024 * 1024)

enum mg_endpoint { MG_EP_VALIDATE, MG_EP_MUTATE };

struct mg_engine;

/* The answer to one review. body is a NUL-terminated JSON document the caller frees
 * with mg_reply_free. */
struct mg_reply {
    int http_status; /* 200 for every decodable review, 400 otherwise */
    bool allowed;
    char *body;
    size_t len;
};

/* A new engine over cfg (copied) and store (takes ownership, also on failure). */
int mg_engine_new(struct mg_engine **out, const struct mg_config *cfg, struct mg_store *store,
                  struct mg_err *err);

/* Free the engine and its store; accepts NULL. */
void mg_engine_free(struct mg_engine *e);

/* The engine's store (borrowed), for loaders and watchers that fill it. */
struct mg_store *mg_engine_store(struct mg_engine *e);

/* Reload the cluster view from the manifest files of dir (mg_load_dir, outside any
 * lock), then swap it in under the store's write lock (mg_store_replace_all): each
 * review sees the old view or the new one, never a mix. All or nothing: on failure
 * err names the file and line and the view is unchanged. Objects admitted since the
 * last load (policies through /validate) are dropped with the old view. Safe to call
 * while reviews run on other threads. */
int mg_engine_reload_state(struct mg_engine *e, const char *dir, struct mg_err *err);

/* Record that the view was loaded from --state before the engine was made (the
 * reload success time in /metrics starts there). mg_engine_reload_state records each
 * reload itself: migguard_state_reload_failures_total and
 * migguard_state_reload_last_success_timestamp_seconds. */
void mg_engine_state_loaded(struct mg_engine *e);

/* The engine's configuration (borrowed, immutable). */
const struct mg_config *mg_engine_config(const struct mg_engine *e);

/* What the engine decided about one review body: the one evaluation that the server
 * (mg_engine_review renders it) and every command (`check`, `review`) show at their
 * edge. Owned by the caller: free with mg_answer_free, which also ends the review's
 * hold on the arena it was decided in. */
struct mg_answer {
    int http_status; /* 200 for every decodable review, 400 otherwise, 413 too large */
    /* 0 when the rules decided; else the response's status.code of an answer that
     * denies without findings: 400 (not decodable, or malformed with a uid), 413 (too
     * large), 500 (an internal failure); error.msg says why. */
    int status_code;
    bool allowed;
    struct mg_err error;       /* why, when status_code is set */
    struct mg_verdict verdict; /* the findings: rule, action, whole message, field path */
    struct mg_patch patch;     /* mutate: the operations (none when denied or unchanged) */
    struct mg_review review;   /* the decoded request (strings borrowed from the arena) */
};

/* Decide one review body in arena (the calling thread's, mg_arena_thread(); it must hold
 * no other live review until mg_answer_free). Always fills out, also for a body that
 * cannot be decoded (out->status_code says so). Returns 0 for a decodable review,
 * MG_EINVAL (err->msg says what is wrong) when the body is not an AdmissionReview,
 * MG_ETOOBIG over MG_REVIEW_MAX_BYTES, MG_ENOMEM when out of memory. */
int mg_engine_decide(struct mg_engine *e, enum mg_endpoint ep, struct mg_arena *arena,
                     const char *body, size_t len, struct mg_answer *out, struct mg_err *err);

/* The response AdmissionReview of an answer (what the server sends). Caller frees with
 * free(); NULL when out of memory. */
char *mg_answer_render(const struct mg_answer *a);

/* Free what a holds and drop its review's arena; accepts a zeroed answer. */
void mg_answer_free(struct mg_answer *a);

/* Answer one review body: mg_engine_decide in this thread's arena (so not while this
 * thread holds a live mg_answer: that review would be refused with 500), then
 * mg_answer_render; the arena is free again on return. Always fills out (also with an
 * error review for a body that cannot be decoded). Returns 0 for a decodable review,
 * MG_EINVAL (with err->msg saying what is wrong) when the body is not an AdmissionReview,
 * MG_ETOOBIG over MG_REVIEW_MAX_BYTES, MG_ENOMEM when out of memory. */
int mg_engine_review(struct mg_engine *e, enum mg_endpoint ep, const char *body, size_t len,
                     struct mg_reply *out, struct mg_err *err);

/* One decided review, as the decision log sees it. Strings are borrowed for the call. */
struct mg_decision {
    const char *uid, *kind, *namespace_, *name, *operation;
    enum mg_endpoint endpoint;
    bool allowed;
    bool dry_run;
    const char *rules; /* rule ids of the findings, comma-separated, "" for none */
    long micros;       /* time spent in the engine */
};

/* Call fn once per decided review, from the reviewing thread (fn must be thread-safe).
 * Set it before the engine is shared; NULL turns the log off. */
void mg_engine_set_log(struct mg_engine *e, void (*fn)(const struct mg_decision *d, void *ctx),
                       void *ctx);

/* Prometheus text: reviews by endpoint, kind, operation and verdict; findings by rule;
 * view objects by kind. Caller frees with free(); NULL when out of memory. */
char *mg_engine_metrics(struct mg_engine *e);

/* Whether reviews come from an authenticated API server (serve --client-ca). Without
 * it (the default), or with a watch (mg_engine_set_watched), an admitted
 * MigrationPolicy change counts only while pending: for the pending time unless the
 * watch confirms it (RULES.md section 3, issues 13 and 15). Set before the engine is
 * shared. */
void mg_engine_set_reviews_authenticated(struct mg_engine *e, bool yes);

/* Whether a watch (serve --kube) keeps the view: admitted policies are then always
 * pending until the watch reports them. Set before the engine is shared. */
void mg_engine_set_watched(struct mg_engine *e, bool yes);

/* How long an admitted policy change counts without the watch confirming it, in ms;
 * 0: MG_PENDING_TTL_MS (10 s). Set before the engine is shared. */
void mg_engine_set_pending_ms(struct mg_engine *e, unsigned ms);

/* The watch changed kind's object name (NULL: listed the whole kind again), called
 * under the store's write lock (struct mg_kube_opts.changed, ctx the engine): a
 * pending policy of that name is now the watch's truth. */
void mg_engine_view_changed(void *ctx, const char *kind, const char *name);

/* Policy changes pending now (for /metrics and tests). */
size_t mg_engine_pending_count(struct mg_engine *e);

struct mg_policywrite;

/* Serialize MigrationPolicy CREATE/UPDATE across replicas through pw (taken; NULL:
 * only on this replica): a review that cannot take its turn within wait_ms (0: 4000)
 * of its arrival is refused with HTTP 429 in the review, retryable. Set before the
 * engine is shared. */
void mg_engine_set_policywrite(struct mg_engine *e, struct mg_policywrite *pw, unsigned wait_ms);

/* True when the review may wait for its turn (a MigrationPolicy write with a
 * serializer set): the caller should answer it off its event loop. A cheap look at the
 * body; a false "true" only costs a thread. */
bool mg_engine_review_may_wait(const struct mg_engine *e, enum mg_endpoint ep, const char *body,
                               size_t len);

/* Free the reply's body; accepts a zeroed reply. */
void mg_reply_free(struct mg_reply *r);

#endif
