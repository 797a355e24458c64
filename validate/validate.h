/* SPDX-License-Identifier: Apache-2.0 */
/* validate.h - validation entry point: route a request by group and kind to its
 * rule family and collect findings. Functions of (request, view, config) only:
 * no I/O, no locking (the caller holds the view's lock). */
#ifndef MG_VALIDATE_H
#define MG_VALIDATE_H

#include "config.h"
#include "err.h"
#include "request.h"
#include "store.h"
#include "verdict.h"

/* What every rule family gets. All borrowed for the duration of the call. */
struct mg_vctx {
    const struct mg_request *req;
    const struct mg_store *view;
    const struct mg_config *cfg;
    struct mg_verdict *v;
};

/* Validate req into v. A kind migguard does not handle gets no findings. Returns 0, or
 * an error code for an internal failure (the caller denies). */
int mg_validate(const struct mg_request *req, const struct mg_store *view,
                const struct mg_config *cfg, struct mg_verdict *v, struct mg_err *err);

/* True when migguard has rules for this group and kind. */
bool mg_validate_handles(const char *group, const char *kind);

#endif
