/* SPDX-License-Identifier: Apache-2.0 */
/* patch.h - build RFC 6902 JSON Patch documents for mutating responses, and the one
 * applier of JSON Patch operations (`check` applies the mutating answer with it).
 * Keys are escaped as RFC 6901 pointer tokens ('~' -> "~0", '/' -> "~1").
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

/* Apply the RFC 6902 operations ops (a JSON array; `add`, `replace` and `remove`) to obj
 * in place. Member names match case-sensitively (`spec.Foo` is not `spec.foo`); `add`
 * replaces an existing member and inserts into an array (index or "-"); nothing is
 * created implicitly: the parent must exist. MG_EINVAL with err->msg naming the
 * operation's path when an operation cannot apply, MG_ENOMEM when out of memory. On
 * failure obj may be partly patched: apply to a copy. ops and obj stay the caller's. */
int mg_patch_apply(cJSON *obj, const cJSON *ops, struct mg_err *err);

#endif
