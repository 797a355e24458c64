/* SPDX-License-Identifier: Apache-2.0 */
/* json.h - the small cJSON accessors every layer reads Kubernetes objects with.
 * Pure lookups: no allocation, results borrowed from the tree. */
#ifndef MG_JSON_H
#define MG_JSON_H

#include <cjson/cJSON.h>

/* The string member key of obj (case-sensitive), or NULL when obj is not an object,
 * the member is absent or it is not a string. Borrowed from obj. */
const char *mg_json_str(const cJSON *obj, const char *key);

#endif
