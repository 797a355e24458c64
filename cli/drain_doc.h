/* SPDX-License-Identifier: Apache-2.0 */
/* drain_doc.h - the JSON and YAML forms of a drain report (validate/drain.h) for
 * `migguard report -o json|yaml`, as docs/report.md specifies them. Writes only to the
 * FILE given. */
#ifndef MG_DRAIN_DOC_H
#define MG_DRAIN_DOC_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "drain.h"

/* The JSON (yaml false) or YAML document, written one item at a time; conflicts (may be
 * NULL), when a non-empty array, as its policyConflicts. Returns 0, or 2 when out of
 * memory (said on stderr) or out cannot be written. */
int mg_drain_doc_write(FILE *out, const struct mg_drain_report *r, const char *const *nodes,
                       size_t n_nodes, bool yaml, const cJSON *conflicts);

#endif
