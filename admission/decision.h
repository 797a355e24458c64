/* SPDX-License-Identifier: Apache-2.0 */
/* decision.h - the decision log line: one JSON object per decided review (uid, kind,
 * namespace/name, operation, verdict, rule ids, microseconds), formatted into a
 * caller's buffer without allocating, so logging stays cheap on the review path. */
#ifndef MG_DECISION_H
#define MG_DECISION_H

#include <stddef.h>

#include "engine.h"

/* Write d as one JSON line ending in '\n' into buf (at most cap bytes, NUL-terminated).
 * Strings are JSON-escaped; a line that would not fit has its strings cut, never its
 * structure. Returns the length written (without the NUL), 0 when cap < 256. */
size_t mg_decision_format(const struct mg_decision *d, char *buf, size_t cap);

#endif
