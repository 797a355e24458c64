/* SPDX-License-Identifier: Apache-2.0 */
/* load.h - fill a store from manifest files: every .yaml, .yml and .json file of a
 * directory (sorted by name, not recursive), multi-document YAML, single objects
 * and `kind: List`. All or nothing: on any error the caller discards the store. */
#ifndef MG_LOAD_H
#define MG_LOAD_H

#include <cjson/cJSON.h>

#include "err.h"
#include "store.h"

/* Load every manifest file of dir into s. On failure err names the file and line. */
int mg_load_dir(struct mg_store *s, const char *dir, struct mg_err *err);

/* Load one manifest file into s. */
int mg_load_file(struct mg_store *s, const char *path, struct mg_err *err);

/* Add one decoded document: a `kind: List` adds each of its items. Takes ownership
 * of doc, also on failure. where/line name the source for errors. */
int mg_load_doc(struct mg_store *s, cJSON *doc, const char *where, int line, struct mg_err *err);

/* The objects of one decoded document, without storing them (`migguard check`): fn is
 * called for each item of a `kind: List` or typed list (FooList items without kind get
 * kind and apiVersion from the list), with its index, or once for doc itself with index
 * -1. obj is borrowed from doc. Returns fn's first non-zero result, MG_ENOMEM when
 * filling a kind fails, else 0. */
int mg_load_each(cJSON *doc, int (*fn)(void *ctx, cJSON *obj, int index), void *ctx);

/* Call fn for every object of the manifest files of dir (the files mg_load_dir reads,
 * in the same order), whole: nothing is pruned or stored. obj is borrowed for the call.
 * `check` takes an UPDATE's oldObject from here, as the view keeps some kinds compacted.
 * Returns fn's first non-zero result, or an error naming the file. */
int mg_load_dir_each(const char *dir, int (*fn)(void *ctx, cJSON *obj, int index), void *ctx,
                     struct mg_err *err);

#endif
