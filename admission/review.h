/* SPDX-License-Identifier: Apache-2.0 */
/* review.h - decode an AdmissionReview v1 body into a struct mg_request.
 * No I/O: bytes in, borrowed structs out. */
#ifndef MG_REVIEW_H
#define MG_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "err.h"
#include "request.h"

/* JSON values in one review body at most: a real AdmissionReview (object and old object
 * with managedFields) has a few thousand; this bounds the tree of a 7 MiB body to 16 MB. */
#define MG_REVIEW_MAX_VALUES 250000

struct mg_review {
    cJSON *root;             /* the parsed body, in arena */
    struct mg_arena *arena;  /* held for this review until mg_review_free */
    struct mg_request req;   /* borrows from root */
    const char *api_version; /* echoed in the response */
    const char *problem;     /* set when uid is known but the request is malformed */
    char problem_buf[256];
};

/* Decode body into arena (this thread's, mg_arena_thread): the tree and every string
 * of r live there until mg_review_free, and the arena holds no other review meanwhile
 * (MG_EINTERNAL when it already holds one). Returns MG_EINVAL with err->msg when the
 * body is not an AdmissionReview carrying a request.uid (not decodable: HTTP 400). A
 * review with a uid whose other fields are malformed decodes with r->problem set
 * (answered 200, status code 400). Free with mg_review_free, also on failure. */
int mg_review_parse(struct mg_review *r, struct mg_arena *arena, const char *body, size_t len,
                    struct mg_err *err);

/* Drop r's tree with its arena's claim; accepts a zeroed or failed review. */
void mg_review_free(struct mg_review *r);

#endif
