/* SPDX-License-Identifier: Apache-2.0 */
/* jsonpatch.h - the one JSON Patch (RFC 6902) applier: add, remove, replace, move, copy
 * and test over RFC 6901 pointers ("~0" is '~', "~1" is '/'), applied atomically. mutate/
 * builds patches, `check` applies the mutating answer with it, validate/ applies HCO's
 * jsonpatch annotations with it. Pure data transformation: no I/O, no logging. */
#ifndef MG_JSONPATCH_H
#define MG_JSONPATCH_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

/* At most this many values (objects, arrays, members, elements and scalars) are made by
 * the `copy` operations of one patch: each copy of the whole document into itself
 * doubles it, so a few dozen would take all memory. */
#define MG_JSONPATCH_MAX_COPIED 1048576

/* Which operations mg_jsonpatch_apply_some applies: op is the index-th element of the
 * patch (borrowed, any JSON type); true applies it, false passes over it. */
typedef bool (*mg_jsonpatch_keep)(const cJSON *op, size_t index, void *arg);

/* Apply the operations of ops (a JSON array) to doc, in order, all or nothing: they run
 * on a copy of doc that takes doc's place only when every one applied, so on failure
 * doc is unchanged. Member names match case-sensitively; `add` replaces an existing
 * member and inserts into an array at an index or "-" (the end); nothing is created
 * implicitly (the parent must exist); `test` compares by value (objects ignore member
 * order, numbers compare numerically, exactly for integers up to 2^63-1); `move` may
 * not move a value into itself; path "" is the whole document (add and replace swap
 * it, remove refuses it); copies stop at MG_JSONPATCH_MAX_COPIED values. MG_EINVAL with err->msg
 * naming the failing operation as "op[INDEX] (OP PATH): why" (INDEX counts from 0) when ops is not
 * an array or an operation is malformed or cannot apply; MG_ENOMEM when out of memory. doc and ops
 * stay the caller's; doc must own its contents (not a cJSON reference). */
int mg_jsonpatch_apply(cJSON *doc, const cJSON *ops, struct mg_err *err);

/* mg_jsonpatch_apply with only the operations keep(op, index, arg) accepts (keep NULL:
 * all); the others are neither checked nor applied, and indexes in messages stay those
 * of ops. */
int mg_jsonpatch_apply_some(cJSON *doc, const cJSON *ops, mg_jsonpatch_keep keep, void *arg,
                            struct mg_err *err);

/* The value pointer (RFC 6901) names in doc, or NULL when it names nothing or is not a
 * valid pointer; "" is doc itself. Borrowed from doc. */
cJSON *mg_jsonpatch_get(const cJSON *doc, const char *pointer);

#endif
