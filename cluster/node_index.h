/* SPDX-License-Identifier: Apache-2.0 */
/* node_index.h - the view's Nodes indexed for placement questions (nodefit.h asks
 * them): nodes in dense slots; one table of interned strings holding the postings
 * (label key and key=value -> bitset of slots), the node names (-> slot) and the sets
 * of filtering taints (-> the group of slots with that set). The types are internal
 * to cluster/. Thread-safety: written only by the store hook (under the store's write
 * lock); any number of readers under the read lock, which never write it. */
#ifndef MG_NODE_INDEX_H
#define MG_NODE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodebits.h"
#include "store.h"

#define NX_NONE UINT32_MAX

/* Kinds of interned string: the first byte of its text. */
#define NX_KEY 'K'    /* label key; bits: nodes with it */
#define NX_PAIR 'P'   /* key, NUL, value; bits: nodes with that label */
#define NX_NAME 'N'   /* node name; slot */
#define NX_TAINTS 'T' /* serialized set of filtering taints; bits: the nodes with it */

/* An interned string and its posting; freed with its last node. */
struct nx_str {
    char *s;      /* kind byte, text, NUL; NULL when the record is free */
    uint32_t len; /* bytes of s before the last NUL */
    uint64_t hash;
    struct mg_nodebits bits;
    uint32_t slot; /* NX_NAME: its node; a free record: the next free one */
    uint32_t gpos; /* NX_TAINTS: index in groups */
    bool isint;    /* NX_PAIR: the value parses as an integer (Gt, Lt), ival */
    long long ival;
};

struct nx_label {
    uint32_t key, pair; /* string ids */
};

/* A node slot: copies of what queries read. */
struct nx_node {
    uint32_t name;           /* string id; NX_NONE when the slot is free */
    uint32_t pos;            /* index in order: where mg_store_list has the node */
    uint32_t nextfree;       /* a free slot: the next free one */
    struct nx_label *labels; /* sorted by key */
    uint32_t nlabels;
    uint32_t group; /* string id of its taint set */
    bool cordoned, isint;
    long long ival; /* the name as an integer (matchFields Gt, Lt) */
};

/* One index, the ctx of the store hook. */
struct mg_node_index {
    struct nx_str *strs;
    uint32_t nstrs, capstrs, freestr, live_strs;
    uint32_t *table; /* string id + 1; 0 is an empty bucket */
    uint32_t tcap;   /* power of two */
    struct nx_node *nodes;
    uint32_t nslots, capslots, freeslot, nnodes;
    uint32_t *order; /* slots in the store's list order (a removal moves the last in) */
    uint32_t norder, caporder;
    uint32_t *groups; /* string ids of the taint sets */
    uint32_t ngroups, capgroups;
    struct mg_nodebits live, cordoned, intnames;
    bool stale;
};

/* A string to intern or look up: kind, a[0..la), and for pairs NUL and b[0..lb). */
struct nx_key {
    char kind;
    const char *a, *b;
    size_t la, lb;
};

/* Attach the index to s as a "Node" store hook (mg_view_indexes_attach does), indexing
 * the nodes s already holds. The index keeps copies of what it reads (name, labels,
 * filtering taints, spec.unschedulable), never the objects. 0 or MG_ENOMEM. */
int mg_node_index_attach(struct mg_store *s);

/* The index of s, or NULL when s has none or it gave up (out of memory). Borrowed. */
const struct mg_node_index *nx_of(const struct mg_store *s);

/* The id of the interned string k, NX_NONE when absent. */
uint32_t nx_find(const struct mg_node_index *x, const struct nx_key *k);

/* What the index holds, for tests and metrics. */
struct mg_node_index_stats {
    size_t nodes;    /* nodes indexed */
    size_t slots;    /* node slots allocated (live and free) */
    size_t strings;  /* interned strings: label keys and pairs, names, taint sets */
    size_t postings; /* of those, label keys and pairs */
    size_t groups;   /* distinct sets of filtering taints */
    size_t words;    /* bitset words allocated over all postings */
    size_t table;    /* buckets of the string table */
    bool stale;      /* gave up after running out of memory: queries scan */
};

/* Fill st; all zero but stale when s has no usable index. Read lock. */
void mg_node_index_stats(const struct mg_store *s, struct mg_node_index_stats *st);

#endif
