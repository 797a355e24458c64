/* SPDX-License-Identifier: Apache-2.0 */
/* nodebits.h - internal to cluster/: a set of small integers (node slots of the node
 * index) as the bitset of the words its members span, and the dense-word operations
 * queries combine such sets with. A set of one member takes one word, whatever the
 * slot; an emptied set frees its words. Not thread-safe: callers lock. */
#ifndef MG_NODEBITS_H
#define MG_NODEBITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Members are the set bits of w[0..nw), bit b of w[i] standing for 64 * (lo + i) + b.
 * Zero-initialised: the empty set. */
struct mg_nodebits {
    uint64_t *w;
    uint32_t lo, nw, cap; /* first word, words in use, words allocated */
    uint32_t count;       /* members */
};

/* Add slot (a member already: no change). 0, or MG_ENOMEM with the set unchanged. */
int mg_nodebits_set(struct mg_nodebits *b, uint32_t slot);

/* Remove slot (not a member: no change); the words go when the set empties. */
void mg_nodebits_clear(struct mg_nodebits *b, uint32_t slot);

/* slot is a member. */
bool mg_nodebits_test(const struct mg_nodebits *b, uint32_t slot);

/* Release the words: the set is empty again. Accepts NULL. */
void mg_nodebits_free(struct mg_nodebits *b);

/* Dense sets: dst holds nw words, slot s at bit s % 64 of dst[s / 64]. b may be NULL
 * (the empty set); members of b past dst's words are ignored. */
void mg_nodebits_copy(uint64_t *dst, size_t nw, const struct mg_nodebits *b);   /* dst = b */
void mg_nodebits_and(uint64_t *dst, size_t nw, const struct mg_nodebits *b);    /* dst &= b */
void mg_nodebits_andnot(uint64_t *dst, size_t nw, const struct mg_nodebits *b); /* dst &= ~b */
void mg_nodebits_or(uint64_t *dst, size_t nw, const struct mg_nodebits *b);     /* dst |= b */

#endif
