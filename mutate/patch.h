/* SPDX-License-Identifier: Apache-2.0 */
/* patch.h - build RFC 6902 JSON Patch documents for mutating responses; the one applier
 * is common/jsonpatch.h (`check` applies the mutating answer with it). Keys are escaped
 * as RFC 6901 pointer tokens ('~' -> "~0", '/' -> "~1").
 * Pure data transformation: no I/O, no logging. */
#ifndef MG_PATCH_H
#define MG_PATCH_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

struct mg_patch {
    cJSON *ops; /* a JSON array, NULL while empty */
};

void mg_patch_init(struct mg_patch *p);
void mg_patch_free(struct mg_patch *p);

/* Append {"op":"add","path":pointer,"value":value}. Takes ownership of value, also on
 * failure. */
int mg_patch_add(struct mg_patch *p, const char *pointer, cJSON *value);

/* Write the pointer made of n tokens (const char *), each escaped, into buf:
 * mg_patch_pointer(buf, sizeof buf, 3, "metadata", "annotations", "a/b") gives
 * "/metadata/annotations/a~1b". MG_EINVAL when it does not fit. */
int mg_patch_pointer(char *buf, size_t len, size_t n, ...);

/* Number of operations. */
size_t mg_patch_len(const struct mg_patch *p);

/* Compact JSON text of the operations, caller frees with free(); NULL when empty or out
 * of memory. */
char *mg_patch_render(const struct mg_patch *p);

#endif
