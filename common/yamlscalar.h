/* SPDX-License-Identifier: Apache-2.0 */
/* yamlscalar.h - one YAML scalar to a cJSON value, typed as sigs.k8s.io/yaml (go-yaml
 * v2) types it for kubectl: quoted and block scalars are strings; plain ones may be
 * null, bool, int or float; explicit !!tags are honoured. Pure function. */
#ifndef MG_YAMLSCALAR_H
#define MG_YAMLSCALAR_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* Decode text[0..len): text[len] is a NUL and none is inside. tag is the resolved tag
 * ("tag:yaml.org,2002:int",
 * "!") or NULL when none was written; plain is true for an unquoted, non-block scalar.
 * Returns 0 and a new value in *out (caller frees with cJSON_Delete), MG_EINVAL when the
 * text does not fit its explicit tag (or is .inf/.nan under !!float), MG_ENOMEM. */
int mg_yamlscalar_decode(const char *text, size_t len, const char *tag, bool plain, cJSON **out);

/* A copy of the len bytes of text with each NUL written as MG_JSON_NUL (json.h), the
 * way a YAML "\0" escape reaches the tree; *len becomes the copy's length. Caller frees
 * with free(); NULL when out of memory. */
char *mg_yamlscalar_nul_marks(const char *text, size_t *len);

#endif
