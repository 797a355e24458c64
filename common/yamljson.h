/* SPDX-License-Identifier: Apache-2.0 */
/* yamljson.h - YAML and JSON text to cJSON trees (libyaml), one tree per document,
 * with the line each node came from. Scalars are typed as sigs.k8s.io/yaml types
 * them (kubectl's rules): quoted scalars are strings; plain true/false/null/~ and
 * numbers get their JSON types. No I/O beyond the helper that reads a file. */
#ifndef MG_YAMLJSON_H
#define MG_YAMLJSON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

/* Where the nodes of one document came from: JSON pointer (RFC 6901) -> line. */
struct mg_marks;

struct mg_yaml_docs {
    size_t n;
    cJSON **docs;            /* n trees, caller owns through mg_yaml_docs_free */
    int *lines;              /* n start lines (1-based) */
    struct mg_marks **marks; /* n mark tables, or NULL when marks were not asked for */
};

/* Parse YAML (or JSON, a subset) text into documents. Empty documents are skipped.
 * On failure returns MG_EINVAL with err->file = filename and err->line set, and out
 * is left empty. Anchors/aliases are expanded; a document nested deeper than 256
 * levels or over 1,000,000 nodes is an error, not a crash. */
int mg_yaml_parse(const char *text, size_t len, const char *filename, bool want_marks,
                  struct mg_yaml_docs *out, struct mg_err *err);

/* Free all documents and marks; accepts an empty or zeroed struct. */
void mg_yaml_docs_free(struct mg_yaml_docs *docs);

/* Line of the node at pointer ("/spec/selectors/x"), or of its nearest ancestor
 * that has one; 0 when nothing is known. marks may be NULL. */
int mg_marks_line(const struct mg_marks *marks, const char *pointer);

/* Read a whole file (at most max bytes) into a NUL-terminated buffer the caller
 * frees with free(). MG_ETOOBIG past max, MG_EIO when it cannot be read. */
int mg_read_file(const char *path, size_t max, char **out, size_t *len, struct mg_err *err);

#endif
