/* SPDX-License-Identifier: Apache-2.0 */
/* json.h - JSON for every layer: the one parser of JSON text (RFC 8259, strict) into
 * cJSON trees, and the small accessors Kubernetes objects are read with. The accessors
 * are pure lookups: no allocation, results borrowed from the tree. */
#ifndef MG_JSON_H
#define MG_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* Nesting limit of mg_json_parse: cJSON's own, so both parsers refuse the same depth. */
#define MG_JSON_MAX_DEPTH 1000

/* What a \u0000 in a JSON string decodes to: the two bytes C0 80 (Java's "modified
 * UTF-8"). No valid UTF-8 text holds them, so a C string keeps its whole length (RULES.md
 * section 8: strings are judged over their whole JSON length), every check of a value's
 * form (names, labels, quantities) fails on it as it fails on a NUL, and mg_json_print
 * writes it back as \u0000. cJSON's own parser would end the string there instead. */
#define MG_JSON_NUL "\xC0\x80"

/* Why mg_json_parse refused its text. */
struct mg_json_error {
    size_t at;        /* byte offset of the problem in the text */
    const char *what; /* fixed text, e.g. "expected ',' or '}' in an object" */
    bool oom;         /* out of memory, not bad text */
    bool too_many;    /* more values than max_values */
};

/* Parse len bytes of text as one JSON value with nothing but whitespace around it,
 * refusing text with more than max_values values (objects, arrays, members and
 * elements each count; 0: no limit): a node takes 64 bytes, so a 7 MiB body of
 * `[0,0,...]` would otherwise take 235 MB.
 * The tree is cJSON's, built in one pass: numbers carry their double (and valueint as
 * cJSON sets it), and those that are not plain integers of at most 15 digits also keep
 * their text in valuestring, as jsonnum.h describes. Strings are decoded to UTF-8
 * (a \u0000 becomes MG_JSON_NUL, below); duplicate member names are kept in order.
 * While this thread's arena is open (arena.h), the tree lives in it (nodes in slabs,
 * strings decoded in place in a copy of the text) and goes with mg_arena_release:
 * never cJSON_Delete it, nor cJSON_SetValuestring its strings; otherwise the caller
 * frees it with cJSON_Delete. NULL with *e filled
 * (e may be NULL) when the text is not JSON or memory ran out. */
cJSON *mg_json_parse(const char *text, size_t len, size_t max_values, struct mg_json_error *e);

/* Parse the one JSON value at the start of text (after whitespace), as mg_json_parse
 * does, and stop after it: *used gets the bytes it took, and text may go on with
 * anything. The text is not copied (strings are decoded into allocations of their own,
 * in this thread's arena while it is open), so text may be a whole mapped file. NULL
 * with *e filled as mg_json_parse. */
cJSON *mg_json_parse_prefix(const char *text, size_t len, size_t max_values, size_t *used,
                            struct mg_json_error *e);

/* JSON text of item, as cJSON_PrintUnformatted (cJSON_Print when formatted), with each
 * MG_JSON_NUL written as \u0000 (so a uid with a NUL is echoed byte for byte). Caller
 * frees with free(); NULL when out of memory. */
char *mg_json_print(const cJSON *item, bool formatted);

/* The member key of obj (case-sensitive; the first of duplicate names), or NULL when
 * obj is NULL or has no such member: cJSON_GetObjectItemCaseSensitive, without a
 * strcmp call for every member whose name starts differently. Borrowed from obj. */
cJSON *mg_json_get(const cJSON *obj, const char *key);

/* The string member key of obj (case-sensitive), or NULL when obj is not an object,
 * the member is absent or it is not a string. Borrowed from obj. */
const char *mg_json_str(const cJSON *obj, const char *key);

/* metadata.name of a Kubernetes object, or NULL (mg_json_name_or: dflt) when it has
 * none or it is not a string. Borrowed from obj. */
const char *mg_json_name(const cJSON *obj);
const char *mg_json_name_or(const cJSON *obj, const char *dflt);

#endif
