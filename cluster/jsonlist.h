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

/* Typed lists (VirtualMachineList) leave kind and apiVersion off their items: give item
 * (an object without a kind) the list's kind less "List", and api (may be NULL) when it
 * has no apiVersion. Nothing for a plain List, a list_kind not yet known (""), or an
 * item that has a kind. 0 or MG_ENOMEM. */
int mg_jsonlist_fill_kind(cJSON *item, const char *list_kind, const char *api);

/* mg_jsonlist_load, reading files over one_pass_from bytes (64 MiB for
 * mg_jsonlist_load) in one pass: each item is stored as the scan meets it, so the list's
 * kind and apiVersion must come before any item without a kind of its own (kubectl's
 * List has kind last and kinds on every item; the API server's typed lists have it
 * first), and a document found not to be a list after some items were stored is an
 * error. Smaller files are checked whole first. */
int mg_jsonlist_load_from(struct mg_store *st, const char *path, size_t one_pass_from,
                          bool *handled, struct mg_err *err);

#endif
