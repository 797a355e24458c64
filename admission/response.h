/* SPDX-License-Identifier: Apache-2.0 */
/* response.h - render the response AdmissionReview: verdict (422 Invalid with one
 * cause per finding), warnings, base64 JSON Patch, or an error status.
 * No I/O: structs in, JSON text out. */
#ifndef MG_RESPONSE_H
#define MG_RESPONSE_H

#include "patch.h"
#include "review.h"
#include "verdict.h"

/* The response for a verdict and an optional patch (patch may be NULL). Caller frees
 * with free(); NULL when out of memory. */
char *mg_response_render(const struct mg_review *r, const struct mg_verdict *v,
                         const struct mg_patch *patch);

/* A response denying with status code and message; uid "" when unknown. Caller frees
 * with free(); NULL when out of memory. */
char *mg_response_render_error(const char *uid, int code, const char *message);

/* Kubernetes' status reason for an HTTP status code ("RequestEntityTooLarge" for 413,
 * "BadRequest" for 400, ...; "InternalError" for 500 and codes it does not know).
 * Static storage. */
const char *mg_response_reason(int code);

#endif
