/* SPDX-License-Identifier: Apache-2.0 */
/* nodebits.c - sets of node slots as the bitset of the words they span: the node
 * index's postings. Setting a bit outside the span grows it (geometrically, so a
 * posting that every new node joins costs amortized O(1)); clearing one trims zero
 * words at both ends and frees the words of an emptied set. */
#include "nodebits.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

/* Room for need words. */
static int reserve(struct mg_nodebits *b, uint32_t need)
{
    uint32_t cap = b->cap ? b->cap : 1;
    uint64_t *w;

    if (need <= b->cap)
        return 0;
    while (cap < need)
        cap *= 2;
    w = realloc(b->w, (size_t)cap * sizeof(*w));
    if (!w)
        return MG_ENOMEM;
    b->w = w;
    b->cap = cap;
    return 0;
}

int mg_nodebits_set(struct mg_nodebits *b, uint32_t slot)
{
    uint32_t word = slot / 64;
    uint64_t bit = (uint64_t)1 << (slot % 64);

    if (b->nw == 0) {
        if (reserve(b, 1))
            return MG_ENOMEM;
        b->lo = word;
        b->nw = 1;
        b->w[0] = 0;
    } else if (word < b->lo) {
        uint32_t shift = b->lo - word;

        if (reserve(b, b->nw + shift))
            return MG_ENOMEM;
        memmove(b->w + shift, b->w, (size_t)b->nw * sizeof(*b->w));
        memset(b->w, 0, (size_t)shift * sizeof(*b->w));
        b->lo = word;
        b->nw += shift;
    } else if (word >= b->lo + b->nw) {
        uint32_t need = word - b->lo + 1;

        if (reserve(b, need))
            return MG_ENOMEM;
        memset(b->w + b->nw, 0, (size_t)(need - b->nw) * sizeof(*b->w));
        b->nw = need;
    }
    if (!(b->w[word - b->lo] & bit)) {
        b->w[word - b->lo] |= bit;
        b->count++;
    }
    return 0;
}

void mg_nodebits_clear(struct mg_nodebits *b, uint32_t slot)
{
    uint32_t word = slot / 64, skip = 0;
    uint64_t bit = (uint64_t)1 << (slot % 64);

    if (!mg_nodebits_test(b, slot))
        return;
    b->w[word - b->lo] &= ~bit;
    if (--b->count == 0) {
        mg_nodebits_free(b);
        return;
    }
    while (b->w[b->nw - 1] == 0)
        b->nw--;
    while (b->w[skip] == 0)
        skip++;
    if (skip) {
        memmove(b->w, b->w + skip, (size_t)(b->nw - skip) * sizeof(*b->w));
        b->lo += skip;
        b->nw -= skip;
    }
    /* Give back what churn left unused; a failed shrink keeps the larger block. */
    if (b->cap >= 16 && b->nw <= b->cap / 4) {
        uint64_t *w = realloc(b->w, (size_t)(b->cap / 2) * sizeof(*w));

        if (w) {
            b->w = w;
            b->cap /= 2;
        }
    }
}

bool mg_nodebits_test(const struct mg_nodebits *b, uint32_t slot)
{
    uint32_t word = slot / 64;

    return b && word >= b->lo && word < b->lo + b->nw &&
           (b->w[word - b->lo] >> (slot % 64) & 1) != 0;
}

void mg_nodebits_free(struct mg_nodebits *b)
{
    if (!b)
        return;
    free(b->w);
    memset(b, 0, sizeof(*b));
}

/* How many words of b fall inside dst[0..nw), from dst index *from on. */
static size_t overlap(const struct mg_nodebits *b, size_t nw, size_t *from)
{
    if (!b || b->nw == 0 || b->lo >= nw) {
        *from = nw;
        return 0;
    }
    *from = b->lo;
    return b->lo + b->nw <= nw ? b->nw : nw - b->lo;
}

void mg_nodebits_copy(uint64_t *dst, size_t nw, const struct mg_nodebits *b)
{
    size_t from, n = overlap(b, nw, &from);

    memset(dst, 0, nw * sizeof(*dst));
    if (n)
        memcpy(dst + from, b->w, n * sizeof(*dst));
}

void mg_nodebits_and(uint64_t *dst, size_t nw, const struct mg_nodebits *b)
{
    size_t from, n = overlap(b, nw, &from);

    memset(dst, 0, from * sizeof(*dst));
    for (size_t i = 0; i < n; i++)
        dst[from + i] &= b->w[i];
    if (from + n < nw)
        memset(dst + from + n, 0, (nw - from - n) * sizeof(*dst));
}

void mg_nodebits_andnot(uint64_t *dst, size_t nw, const struct mg_nodebits *b)
{
    size_t from, n = overlap(b, nw, &from);

    for (size_t i = 0; i < n; i++)
        dst[from + i] &= ~b->w[i];
}

void mg_nodebits_or(uint64_t *dst, size_t nw, const struct mg_nodebits *b)
{
    size_t from, n = overlap(b, nw, &from);

    for (size_t i = 0; i < n; i++)
        dst[from + i] |= b->w[i];
}
