/* SPDX-License-Identifier: Apache-2.0 */
/* jsonnum.h - JSON numbers as written. cJSON keeps only a double, so `5.0` and `5`
 * look alike and integers past 2^53 lose digits; RULES.md 9.1 needs the difference.
 * Parsers (mg_json_parse, the YAML loader) keep the text of such numbers in the node's
 * valuestring (cJSON_Delete frees it, cJSON_Print ignores it); mg_jsonnum_int reads it
 * exactly. */
#ifndef MG_JSONNUM_H
#define MG_JSONNUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "err.h"

/* True when a number written as t (len bytes) needs its text kept: it is not a plain
 * integer of at most 15 digits (those are exact as doubles). A fraction, an exponent
 * or more digits need it; YAML's 0x1F and 0o17 do not. */
bool mg_jsonnum_needs_text(const char *t, size_t len);

/* Keep text as the written form of number node n (malloc'd: for trees freed with
 * cJSON_Delete), when mg_jsonnum_needs_text says so. MG_ENOMEM. */
int mg_jsonnum_set_text(cJSON *n, const char *text, size_t len);

/* True when it is a JSON number written as a whole number (no fraction or exponent:
 * `5.0` and `1e3` are not) within lo..hi, exactly; *out gets it (out may be NULL).
 * Numbers built in memory (no text kept) count when their double is whole. */
bool mg_jsonnum_int(const cJSON *it, int64_t lo, int64_t hi, int64_t *out);

#endif
