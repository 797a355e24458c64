/* SPDX-License-Identifier: Apache-2.0 */
/* idtab.h - internal to cluster/: the containers the derived indexes are built from.
 * An open-addressing table from a 64-bit hash to slot ids (the caller keeps the keys
 * and compares them), slot arrays with a free list, and reference-counted interned
 * strings. Every removal gives its memory back (a table's buckets stay at their peak),
 * so an index under churn does not grow. Not thread-safe for writes; lookups never
 * modify anything. Zero-initialised structs are empty; the _free functions accept
 * NULL. */
#ifndef MG_IDTAB_H
#define MG_IDTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MG_IDTAB_NONE UINT32_MAX

struct mg_idtab_ent {
    uint64_t hash;
    uint32_t id; /* MG_IDTAB_NONE: an empty bucket */
};

/* hash -> id; linear probing, at most half full, backward-shift deletion. */
struct mg_idtab {
    struct mg_idtab_ent *t;
    uint32_t cap, n;
};

/* An array of elements of one size whose freed slots are reused. The free list is as
 * large as the array, so giving a slot back never allocates. */
struct mg_idslots {
    void *v;
    uint32_t n, cap;
    uint32_t *free;
    uint32_t nfree;
};

/* Interned strings, each with a reference count; live is how many exist. */
struct mg_idstrs {
    struct mg_idtab tab;
    struct mg_idslots slots;
    size_t live;
};

/* FNV-1a of len bytes, mixed: the hash the tables are keyed by. */
uint64_t mg_idtab_hash(const void *p, size_t len);

/* The id whose hash is h and for which eq(ctx, id, key) holds, or MG_IDTAB_NONE. */
uint32_t mg_idtab_find(const struct mg_idtab *t, uint64_t h,
                       bool (*eq)(const void *ctx, uint32_t id, const void *key), const void *ctx,
                       const void *key);

/* Add id under h (the caller made sure it is not there). 0 or MG_ENOMEM. */
int mg_idtab_add(struct mg_idtab *t, uint64_t h, uint32_t id);

/* Remove id, added under h; nothing when it is not there. */
void mg_idtab_del(struct mg_idtab *t, uint64_t h, uint32_t id);

/* Free the buckets and empty t; accepts NULL. */
void mg_idtab_free(struct mg_idtab *t);

/* A free slot of s (elements of size elem), or MG_IDTAB_NONE when out of memory. */
uint32_t mg_idtab_take(struct mg_idslots *s, size_t elem);

/* Give slot id of s back. */
void mg_idtab_give(struct mg_idslots *s, uint32_t id);

/* Free the array and the free list (not what elements point to); accepts NULL. */
void mg_idtab_slots_free(struct mg_idslots *s);

/* The id of str with one more reference (a copy is made the first time), or
 * MG_IDTAB_NONE when out of memory. */
uint32_t mg_idtab_intern(struct mg_idstrs *s, const char *str);

/* The id of str, MG_IDTAB_NONE when it is not interned; no reference taken. */
uint32_t mg_idtab_lookup(const struct mg_idstrs *s, const char *str);

/* Drop one reference; the string goes with the last. MG_IDTAB_NONE is ignored. */
void mg_idtab_release(struct mg_idstrs *s, uint32_t id);

/* The string of id, valid while it is referenced. */
const char *mg_idtab_str(const struct mg_idstrs *s, uint32_t id);

/* Free every string and the table; accepts NULL. */
void mg_idtab_strs_free(struct mg_idstrs *s);

#endif
