/* SPDX-License-Identifier: Apache-2.0 */
/* policy_conflicts.h - the conflicting MigrationPolicy pairs of a view (the audit's
 * finder, admission/audit.h) for `migguard report`: as JSON for -o json/yaml, and as a
 * section of the text output. */
#ifndef MG_POLICY_CONFLICTS_H
#define MG_POLICY_CONFLICTS_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "store.h"

/* [{"rule","policy","other","message"}] for every conflicting pair of view's policies
 * (the caller holds its read lock). Caller frees with cJSON_Delete; NULL when out of
 * memory. */
cJSON *mg_policy_conflicts_json(const struct mg_config *cfg, const struct mg_store *view);

/* "Policy conflicts: N", then each pair and its finding, cut to width columns;
 * nothing when there is none. */
void mg_policy_conflicts_text(FILE *out, const cJSON *conflicts, unsigned width);

#endif
