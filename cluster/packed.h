/* SPDX-License-Identifier: Apache-2.0 */
/* packed.h - pack an object's JSON text small (zstd against a dictionary of the same
 * kind) and parse it back. Thread-safe: every thread has its own contexts. */
#ifndef MG_PACKED_H
#define MG_PACKED_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

/* At most how many bytes packing len bytes of text can take. */
size_t mg_packed_bound(size_t len);

/* Pack len bytes of text against the dictionary dict (dlen bytes, may be 0) into out
 * (cap bytes, at least mg_packed_bound(len)); *outlen gets the packed size. Returns 0,
 * MG_ENOMEM or MG_ETOOBIG. */
int mg_packed_pack(const char *dict, size_t dlen, const char *text, size_t len, void *out,
                   size_t cap, size_t *outlen);

/* Unpack plen bytes packed against dict into textlen bytes of JSON text and parse
 * them: a tree the caller frees with cJSON_Delete (never in a review's arena), or NULL
 * when the bytes do not unpack or parse, or memory ran out. */
cJSON *mg_packed_parse(const char *dict, size_t dlen, const void *packed, size_t plen,
                       size_t textlen);

/* Free this thread's contexts now (threads that exit free theirs by themselves). */
void mg_packed_thread_done(void);

#endif
