/* SPDX-License-Identifier: Apache-2.0 */
/* drain_render.h - the text form of a drain report (validate/drain.h) for `migguard
 * report`: a table like `oc get` that fits a terminal's width, reasons with their fix,
 * a summary (the JSON/YAML form is drain_doc.h's). Writes only to the FILE given. */
#ifndef MG_DRAIN_RENDER_H
#define MG_DRAIN_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "drain.h"

/* The text report, every line at most width columns (width < 60 counts as 60) where
 * a name allows it (cells are cut with '~', messages wrapped). nodes are the drained
 * nodes as named (sorted or not). Returns 0, or 2 when out cannot be written. */
int mg_drain_render_text(FILE *out, const struct mg_drain_report *r, const char *const *nodes,
                         size_t n_nodes, unsigned width);

/* A finding's message without its "[RULE] " prefix (the rule is shown apart). Borrowed
 * from f. */
const char *mg_drain_render_message(const struct mg_finding *f);

/* The fix for a reason of rule, one sentence. Static storage. */
const char *mg_drain_render_fix(enum mg_rule rule);

#endif
