/* SPDX-License-Identifier: Apache-2.0 */
/* store_int.h - the store's tables, shared by store.c (objects) and store_swap.c
 * (hooks, exchanges, filters) only: no other file includes it. */
#ifndef MG_STORE_INT_H
#define MG_STORE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "store.h"

struct entry {
    struct entry *next; /* hash chain */
    uint64_t hash;
    size_t pos;       /* index in kind->ents */
    cJSON *obj;       /* tree kinds; NULL for compact ones */
    uint32_t keylen;  /* ns\0name\0 */
    uint32_t textlen; /* compact kinds: the object's JSON text, packed after the key */
    uint32_t plen;    /* its packed size */
    char key[];
};

struct hook {
    const struct mg_store_hook *h;
    void *ctx;
};

struct kind {
    char *name;
    bool known, compact;
    char *dict; /* compact kinds: the first object's text, what the others pack against */
    size_t dlen;
    struct entry **buckets;
    size_t nbuckets; /* power of two, or 0 before the first put */
    struct entry **ents;
    const cJSON **items; /* tree kinds: ents[i]->obj */
    size_t n, cap;
    struct hook *hooks; /* hooks of this kind: they travel with its objects */
    size_t nhooks;
};

struct mg_store {
    pthread_rwlock_t lock;
    struct mg_store_filter filter; /* want NULL: every kind */
    struct hook *any;              /* hooks of every kind (kind NULL) */
    size_t nany;
    struct kind **kinds;
    size_t nkinds, capkinds;
    size_t count;
    uint64_t version; /* mg_store_version */
};

/* The table of kind name, or NULL; st_kind_get makes it (NULL: out of memory). */
struct kind *st_kind_find(const struct mg_store *s, const char *name);
struct kind *st_kind_get(struct mg_store *s, const char *name);

/* The tree of a packed entry of k, owned by the caller (cJSON_Delete), or NULL. */
cJSON *st_decode(const struct kind *k, const struct entry *e);

/* Tell k's hooks and s's any-kind hooks of a put (old: the replaced object, or NULL)
 * or a remove. */
void st_notify_put(const struct mg_store *s, const struct kind *k, const cJSON *obj,
                   const cJSON *old);
void st_notify_remove(const struct mg_store *s, const struct kind *k, const cJSON *obj);

#endif
