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

#endif
