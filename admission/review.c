/* SPDX-License-Identifier: Apache-2.0 */
/* review.c - AdmissionReview v1 <-> structs. Decoding borrows every string from
 * the parsed tree; rendering builds a fresh tree. Strings echoed from the request
 * are made valid UTF-8 so the response is always valid JSON text. */
#include "review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "json.h"

#define REVIEW_API "admission.k8s.io/v1"

static enum mg_op parse_op(const char *op)
{
    static const struct {
        const char *name;
        enum mg_op op;
    } ops[] = {{"CREATE", MG_OP_CREATE},
               {"UPDATE", MG_OP_UPDATE},
               {"DELETE", MG_OP_DELETE},
               {"CONNECT", MG_OP_CONNECT}};

    for (size_t i = 0; op && i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (strcmp(ops[i].name, op) == 0)
            return ops[i].op;
    }
    return MG_OP_OTHER;
}

static void set_problem(struct mg_review *r, const char *what)
{
    if (!r->problem) {
        snprintf(r->problem_buf, sizeof(r->problem_buf), "%s", what);
        r->problem = r->problem_buf;
    }
}

static const cJSON *object_or_null(const cJSON *req, const char *key, struct mg_review *r)
{
    const cJSON *it = mg_json_get(req, key);

    if (!it || cJSON_IsNull(it))
        return NULL;
    if (!cJSON_IsObject(it)) {
        char msg[96];

        snprintf(msg, sizeof(msg), "request.%s must be an object or null", key);
        set_problem(r, msg);
        return NULL;
    }
    return it;
}

static void fill_request(struct mg_review *r, const cJSON *req)
{
    struct mg_request *q = &r->req;
    const cJSON *kind = mg_json_get(req, "kind");
    const cJSON *dry = mg_json_get(req, "dryRun");
    const char *op = mg_json_str(req, "operation");

    q->group = "";
    q->version = "";
    q->kind = "";
    if (!cJSON_IsObject(kind) || !mg_json_str(kind, "kind")) {
        set_problem(r, "request.kind must be an object with a string kind");
    } else {
        q->kind = mg_json_str(kind, "kind");
        q->group = mg_json_str(kind, "group") ? mg_json_str(kind, "group") : "";
        q->version = mg_json_str(kind, "version") ? mg_json_str(kind, "version") : "";
    }
    q->op = parse_op(op);
    if (q->op == MG_OP_OTHER)
        set_problem(r, "request.operation must be CREATE, UPDATE, DELETE or CONNECT");
    q->name = mg_json_str(req, "name") ? mg_json_str(req, "name") : "";
    q->namespace_ = mg_json_str(req, "namespace") ? mg_json_str(req, "namespace") : "";
    if (dry && !cJSON_IsBool(dry) && !cJSON_IsNull(dry))
        set_problem(r, "request.dryRun must be a boolean");
    q->dry_run = cJSON_IsTrue(dry);
    q->username = mg_json_str(mg_json_get(req, "userInfo"), "username");
    q->object = object_or_null(req, "object", r);
    q->old_object = object_or_null(req, "oldObject", r);
    /* The API server omits request.name on CREATE with generateName; the object has it. */
    if (!*q->name && q->object) {
        const char *n = mg_json_name(q->object);

        if (n)
            q->name = n;
    }
}

int mg_review_parse(struct mg_review *r, struct mg_arena *arena, const char *body, size_t len,
                    struct mg_err *err)
{
    struct mg_json_error jerr;
    const cJSON *req;
    const char *kind;

    memset(r, 0, sizeof(*r));
    r->api_version = REVIEW_API;
    if (len == 0)
        return mg_err_set(err, MG_EINVAL, "request body is empty; expected an AdmissionReview");
    if (!mg_arena_hold(arena))
        return mg_err_set(err, MG_EINTERNAL,
                          "this thread's arena already holds a review (one live review per "
                          "thread)");
    r->arena = arena;
    /* The request tree lives in the arena until mg_review_free. */
    mg_arena_open();
    r->root = mg_json_parse(body, len, MG_REVIEW_MAX_VALUES, &jerr);
    mg_arena_close();
    if (!r->root) {
        if (jerr.oom)
            return mg_err_set(err, MG_ENOMEM, "out of memory decoding the review");
        if (jerr.too_many)
            return mg_err_set(err, MG_EINVAL,
                              "request body has more than %d JSON values, the limit for one "
                              "review (at byte %zu)",
                              MG_REVIEW_MAX_VALUES, jerr.at);
        return mg_err_set(err, MG_EINVAL, "request body is not valid JSON: %s at byte %zu",
                          jerr.what, jerr.at);
    }
    if (!cJSON_IsObject(r->root))
        return mg_err_set(err, MG_EINVAL, "request body must be a JSON object (AdmissionReview)");
    req = mg_json_get(r->root, "request");
    if (!cJSON_IsObject(req))
        return mg_err_set(err, MG_EINVAL, "AdmissionReview has no request object");
    r->req.uid = mg_json_str(req, "uid");
    if (!r->req.uid || !*r->req.uid)
        return mg_err_set(err, MG_EINVAL, "AdmissionReview request.uid must be a non-empty string");
    kind = mg_json_str(r->root, "kind");
    if (!kind || strcmp(kind, "AdmissionReview") != 0)
        set_problem(r, "kind must be AdmissionReview");
    if (!mg_json_str(r->root, "apiVersion") ||
        strcmp(mg_json_str(r->root, "apiVersion"), REVIEW_API) != 0)
        set_problem(r, "apiVersion must be admission.k8s.io/v1");
    fill_request(r, req);
    return 0;
}

void mg_review_free(struct mg_review *r)
{
    if (!r)
        return;
    /* The tree is all arena memory (mg_review_parse): no cJSON_Delete walk. */
    mg_arena_drop(r->arena);
    memset(r, 0, sizeof(*r));
}
