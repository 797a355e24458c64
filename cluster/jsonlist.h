/* SPDX-License-Identifier: Apache-2.0 */
/* jsonlist.h - load a JSON list file into the store item by item (load.h uses it for
 * every .json file that is a `kind: List` or typed list), whatever its size. */
#ifndef MG_JSONLIST_H
#define MG_JSONLIST_H

#include <stdbool.h>

#include "err.h"
#include "store.h"

/* When path is a JSON object whose "kind" ends in List and that has an "items" array,
 * store each item (typed list items get kind and apiVersion from the list), with a
 * bound of 250,000 JSON values per item and none on the file, and set *handled.
 * Otherwise *handled is false and nothing is stored (the caller reads the file as a
 * document). Errors name the file and line. */
int mg_jsonlist_load(struct mg_store *st, const char *path, bool *handled, struct mg_err *err);

#endif
