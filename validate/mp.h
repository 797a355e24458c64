/* SPDX-License-Identifier: Apache-2.0 */
/* mp.h - the MigrationPolicy rules (MP001-MP012, RULES.md sections 3 and 9) and the
 * effective settings of a policy: its fields laid over the cluster's.
 * Pure functions of (request, view, config); the caller holds the view's lock. */
#ifndef MG_MP_H
#define MG_MP_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "lmc.h"
#include "policy.h"
#include "validate.h"

/* MigrationPolicy CREATE/UPDATE: MP001-MP012; DELETE: only MP012, as a warning. */
int mg_mp_validate(const struct mg_vctx *ctx);

/* Lay a policy's fields over s (every field it sets, including false and 0). */
void mg_mp_settings_apply(struct mg_lmc_settings *s, const struct mg_policy_fields *f);

/* The effective settings under policy fields f (NULL: no policy applies). */
void mg_mp_settings_effective(struct mg_lmc_settings *s, const struct mg_store *view,
                              const struct mg_config *cfg, const struct mg_policy_fields *f);

/* True when a and b are the same settings by value ("1Gi" equals "1024Mi"). When they
 * differ and diff is not NULL, it gets the first difference ("allowPostCopy true vs
 * false"). */
bool mg_mp_settings_equal(const struct mg_lmc_settings *a, const struct mg_lmc_settings *b,
                          char *diff, size_t difflen);

/* A quantity of bytes as Kubernetes writes it canonically: "0", "64Mi", "100M",
 * "1536". */
void mg_mp_quantity_format(const struct mg_quantity *q, char *buf, size_t len);

/* MP012: how many workloads (VirtualMachines, and VMIs no VirtualMachine owns) resolve
 * to policy `name` before and not after (from), or after and not before (to). before
 * is the policy as the view or old_policy had it (may be NULL); after is new_policy
 * (NULL for a delete). Only workloads one of the two versions matches are resolved:
 * they come from the view's workload index (a walk when it is stale). */
void mg_mp_moves(const struct mg_store *view, const char *name, const cJSON *old_policy,
                 const cJSON *new_policy, size_t *to, size_t *from);

/* mg_mp_moves by a walk over every VM and VMI of the view: the reference for tests. */
void mg_mp_moves_scan(const struct mg_store *view, const char *name, const cJSON *old_policy,
                      const cJSON *new_policy, size_t *to, size_t *from);

#endif
