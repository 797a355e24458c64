/* SPDX-License-Identifier: Apache-2.0 */
/* drain_render.h - `migguard report` output of a drain report (validate/drain.h): a
 * table like `oc get` that fits a terminal's width, reasons with their fix, a summary;
 * or the JSON/YAML document of docs/report.md. Writes only to the FILE given. */
#ifndef MG_DRAIN_RENDER_H
#define MG_DRAIN_RENDER_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "drain.h"

/* The text report, every line at most width columns (width < 60 counts as 60) where
 * a name allows it (cells are cut with '~', messages wrapped). nodes are the drained
 * nodes as named (sorted or not). Returns 0, or 2 when out cannot be written. */
int mg_drain_render_text(FILE *out, const struct mg_drain_report *r, const char *const *nodes,
                         size_t n_nodes, unsigned width);

/* The JSON document of docs/report.md. Caller frees with cJSON_Delete; NULL: out of
 * memory. */
cJSON *mg_drain_render_json(const struct mg_drain_report *r, const char *const *nodes,
                            size_t n_nodes);

/* doc as YAML (block style, strings double-quoted). Returns 0, or 2 on a write error. */
int mg_drain_render_yaml(FILE *out, const cJSON *doc);

/* The fix for a reason of rule, one sentence. Static storage. */
const char *mg_drain_render_fix(enum mg_rule rule);

#endif
