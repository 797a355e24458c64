/* SPDX-License-Identifier: Apache-2.0 */
/* packed.c - the compact form of the view's big kinds: an object's pruned JSON text,
 * compressed with zstd against a dictionary that is the text of the first object of
 * the same kind table. Objects of one kind share most of their keys and many values
 * (a VM repeats its name in labels, volumes and templates), so a 1.3 KB VM packs to
 * about 150 bytes. Contexts and the decode buffer are per thread. No I/O. */
#include "packed.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "arena.h"
#include "json.h"

/* Level 1: a put costs a few microseconds, and higher levels gain little on objects of
 * a kilobyte or two. */
#define LEVEL 1

struct ctxs {
    ZSTD_CCtx *c;
    ZSTD_DCtx *d;
    char *buf; /* decoded text */
    size_t cap;
};

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void ctxs_free(void *p)
{
    struct ctxs *x = p;

    if (!x)
        return;
    ZSTD_freeCCtx(x->c);
    ZSTD_freeDCtx(x->d);
    free(x->buf);
    free(x);
}

static void make_key(void)
{
    (void)pthread_key_create(&key, ctxs_free);
}

/* This thread's contexts, freed when it exits (or by mg_packed_thread_done). */
static struct ctxs *ctxs(void)
{
    struct ctxs *x;

    pthread_once(&once, make_key);
    x = pthread_getspecific(key);
    if (x)
        return x;
    x = calloc(1, sizeof(*x));
    if (!x)
        return NULL;
    x->c = ZSTD_createCCtx();
    x->d = ZSTD_createDCtx();
    if (!x->c || !x->d || pthread_setspecific(key, x) != 0) {
        ctxs_free(x);
        return NULL;
    }
    /* The frame needs neither a checksum nor the dictionary's id: the entry knows both
     * sizes, and the dictionary is the kind table's. */
    ZSTD_CCtx_setParameter(x->c, ZSTD_c_compressionLevel, LEVEL);
    ZSTD_CCtx_setParameter(x->c, ZSTD_c_checksumFlag, 0);
    ZSTD_CCtx_setParameter(x->c, ZSTD_c_dictIDFlag, 0);
    ZSTD_CCtx_setParameter(x->c, ZSTD_c_contentSizeFlag, 0);
    return x;
}

void mg_packed_thread_done(void)
{
    struct ctxs *x;

    pthread_once(&once, make_key);
    x = pthread_getspecific(key);
    if (x) {
        pthread_setspecific(key, NULL);
        ctxs_free(x);
    }
}

int mg_packed_pack(const char *dict, size_t dlen, const char *text, size_t len, void *out,
                   size_t cap, size_t *outlen)
{
    struct ctxs *x = ctxs();
    size_t n;

    if (!x)
        return MG_ENOMEM;
    if (ZSTD_isError(ZSTD_CCtx_refPrefix(x->c, dict, dlen)))
        return MG_EINVAL;
    n = ZSTD_compress2(x->c, out, cap, text, len);
    if (ZSTD_isError(n))
        return MG_ETOOBIG;
    *outlen = n;
    return 0;
}

size_t mg_packed_bound(size_t len)
{
    return ZSTD_compressBound(len);
}

cJSON *mg_packed_parse(const char *dict, size_t dlen, const void *packed, size_t plen,
                       size_t textlen)
{
    struct ctxs *x = ctxs();
    bool arena = mg_arena_active();
    cJSON *obj;
    size_t n;

    if (!x)
        return NULL;
    if (x->cap < textlen + 1) {
        char *b = realloc(x->buf, textlen + 1);

        if (!b)
            return NULL;
        x->buf = b;
        x->cap = textlen + 1;
    }
    if (ZSTD_isError(ZSTD_DCtx_refPrefix(x->d, dict, dlen)))
        return NULL;
    n = ZSTD_decompressDCtx(x->d, x->buf, textlen, packed, plen);
    if (ZSTD_isError(n) || n != textlen)
        return NULL;
    /* The caller frees the tree with cJSON_Delete: never from a review's arena. */
    if (arena)
        mg_arena_close();
    obj = mg_json_parse(x->buf, textlen, 0, NULL);
    if (arena)
        mg_arena_open();
    /* A big object must not keep its buffer for the life of the thread. */
    if (x->cap > ((size_t)1 << 20)) {
        free(x->buf);
        x->buf = NULL;
        x->cap = 0;
    }
    return obj;
}
