/* SPDX-License-Identifier: Apache-2.0 */
/* marks.h - the line table behind struct mg_marks (declared in yamljson.h): a trie of
 * (parent node, key or index) -> line in one hash table, so memory grows with the
 * keys of the document, not with depth times nodes. Used by yamljson.c. */
#ifndef MG_MARKS_H
#define MG_MARKS_H

#include <stddef.h>
#include <stdint.h>

#include "yamljson.h"

#define MG_MARK_NONE UINT32_MAX

/* A new empty table, or NULL when out of memory. Caller frees with mg_marks_free. */
struct mg_marks *mg_marks_new(void);

/* Free a table; accepts NULL. */
void mg_marks_free(struct mg_marks *m);

/* Add the child tok[0..len) of node parent (MG_MARK_NONE for the root) at line.
 * Returns 0 when added, 1 when that child already exists (its index in *idx, nothing
 * changed), -1 when out of memory. */
int mg_marks_put(struct mg_marks *m, uint32_t parent, const char *tok, size_t len, int line,
                 uint32_t *idx);

/* Line of the node with index idx. */
int mg_marks_line_at(const struct mg_marks *m, uint32_t idx);

/* Give back spare capacity once a document is complete. */
void mg_marks_shrink(struct mg_marks *m);

#endif
