/* SPDX-License-Identifier: Apache-2.0 */
/* mutate.h - mutation entry point: route a request by group and kind and collect
 * JSON Patch operations (defaults for HyperConverged, annotations for VMs).
 * Functions of (request, view, config) only: no I/O, no locking. */
#ifndef MG_MUTATE_H
#define MG_MUTATE_H

#include "config.h"
#include "err.h"
#include "patch.h"
#include "request.h"
#include "store.h"

struct mg_mctx {
    const struct mg_request *req;
    const struct mg_store *view;
    const struct mg_config *cfg;
    struct mg_patch *patch;
};

/* Mutate req into patch (left empty when nothing would change). */
int mg_mutate(const struct mg_request *req, const struct mg_store *view,
              const struct mg_config *cfg, struct mg_patch *patch, struct mg_err *err);

/* HyperConverged CREATE/UPDATE: add every absent or null liveMigrationConfig field
 * with the defaults table's value (mutate/hco.c). */
int mg_hco_mutate(const struct mg_mctx *ctx);

/* VirtualMachine and VirtualMachineInstance CREATE/UPDATE: set the annotations
 * migguard.io/migration-policy and migguard.io/migration-config (RULES.md section 7);
 * no operation when both already hold the right values (mutate/annotate.c). */
int mg_annotate_mutate(const struct mg_mctx *ctx);

/* The compact JSON of the effective settings a workload gets, in RULES.md section 7's
 * field order, into buf; *policy gets the resolved policy's name or "none" (borrowed
 * from the view). MG_EINVAL when buf is too small. */
int mg_annotate_values(const struct mg_mctx *ctx, const char **policy, char *buf, size_t len);

#endif
