/* SPDX-License-Identifier: Apache-2.0 */
/* arena.c - per-thread chunks for cJSON trees of reviews. A free from cJSON is a no-op
 * when the pointer lies in one of this thread's chunks, else it goes to free(): trees
 * built outside an arena (the store's objects, responses) are unaffected. */
#include "arena.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#define CHUNK_SIZE ((size_t)64 * 1024)

struct chunk {
    struct chunk *next;
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
};

struct mg_arena {
    struct chunk *head;
    unsigned nchunks;
    bool open;
    bool held; /* a review's tree lives here (mg_arena_hold) */
};

static _Thread_local struct mg_arena tl;
static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void free_chunks(struct chunk *c)
{
    while (c) {
        struct chunk *next = c->next;

        free(c);
        c = next;
    }
}

/* Thread exit: the kept chunk goes with the thread. */
static void on_thread_exit(void *p)
{
    (void)p;
    free_chunks(tl.head);
    tl.head = NULL;
    tl.nchunks = 0;
}

static void make_key(void)
{
    pthread_key_create(&key, on_thread_exit);
}

void *mg_arena_alloc(size_t n)
{
    struct chunk *c = tl.head;

    if (!tl.open)
        return malloc(n);
    if (n > SIZE_MAX / 2)
        return NULL;
    n = (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
    if (!c || c->size - c->used < n) {
        /* Each chunk twice the last (up to 16 MiB): a free walks the chunks to tell arena
         * memory from malloc's, and a 2.5 MB API page in 64 KB chunks made that walk 40
         * long for every node of the page. */
        size_t grow = CHUNK_SIZE << (tl.nchunks < 8 ? tl.nchunks : 8);
        size_t size = n > grow ? n : grow;

        c = malloc(sizeof(*c) + size);
        if (!c)
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = tl.head;
        if (!tl.head)
            pthread_setspecific(key, &tl);
        tl.head = c;
        tl.nchunks++;
    }
    c->used += n;
    return c->data + c->used - n;
}

static void arena_free(void *p)
{
    for (const struct chunk *c = tl.head; c; c = c->next) {
        if ((const unsigned char *)p >= c->data && (const unsigned char *)p < c->data + c->size)
            return;
    }
    free(p);
}

static pthread_once_t installed = PTHREAD_ONCE_INIT;

static void install(void)
{
    cJSON_Hooks hooks = {mg_arena_alloc, arena_free};

    cJSON_InitHooks(&hooks);
}

void mg_arena_install(void)
{
    pthread_once(&once, make_key);
    pthread_once(&installed, install);
}

void mg_arena_open(void)
{
    pthread_once(&once, make_key);
    tl.open = true;
}

bool mg_arena_active(void)
{
    return tl.open;
}

void mg_arena_close(void)
{
    tl.open = false;
}

void mg_arena_release(void)
{
    struct chunk *c = tl.head;

    tl.open = false;
    if (!c)
        return;
    /* Keep the first chunk made (the last in the list) for the next review, unless it
     * was sized for one huge review. */
    while (c->next) {
        struct chunk *next = c->next;

        free(c);
        c = next;
    }
    if (c->size != CHUNK_SIZE) {
        free(c);
        c = NULL;
    } else {
        c->used = 0;
    }
    tl.head = c;
    tl.nchunks = c ? 1 : 0;
}

struct mg_arena *mg_arena_thread(void)
{
    return &tl;
}

bool mg_arena_hold(struct mg_arena *a)
{
    if (a->held)
        return false;
    a->held = true;
    return true;
}

void mg_arena_drop(struct mg_arena *a)
{
    if (!a)
        return;
    /* Only this thread's arena has chunks the hooks know. */
    if (a == &tl)
        mg_arena_release();
    a->held = false;
}
