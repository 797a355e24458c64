/* SPDX-License-Identifier: Apache-2.0 */
/* arena.h - a per-thread bump allocator for the cJSON tree of one review: parsing a
 * 3 KB review makes hundreds of small allocations, and freeing them one by one cost
 * more than the rules. While a thread's arena is open, cJSON allocates from it; its
 * frees of arena memory are no-ops, and mg_arena_release drops it all at once.
 * Everything else (and every other thread) still uses malloc. */
#ifndef MG_ARENA_H
#define MG_ARENA_H

#include <stdbool.h>
#include <stddef.h>

/* Route cJSON's allocations through the arena hooks (once per process: later calls do
 * nothing, so any thread may call it; with no arena open, the hooks are malloc and
 * free). */
void mg_arena_install(void);

/* Open this thread's arena: cJSON allocations go there until mg_arena_close. */
void mg_arena_open(void);

/* Stop allocating from the arena (its memory stays valid until mg_arena_release). */
void mg_arena_close(void);

/* n bytes from this thread's arena while it is open (aligned for any type), else from
 * malloc. NULL when out of memory. */
void *mg_arena_alloc(size_t n);

/* True while this thread's arena is open. */
bool mg_arena_active(void);

/* Drop everything allocated from this thread's arena. Nothing allocated from it may be
 * used afterwards; the first chunk is kept for the next review. */
void mg_arena_release(void);

#endif
