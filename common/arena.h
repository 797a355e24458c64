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

/* One thread's arena, as reviews hold it: a review's tree lives in the arena it was
 * parsed into until mg_arena_drop, and an arena holds one review at a time (a second
 * mg_arena_hold before the drop fails instead of releasing the first's memory). */
struct mg_arena;

/* This thread's arena (borrowed; it lives until the thread exits). Only the thread
 * that got it may use it. */
struct mg_arena *mg_arena_thread(void);

/* Claim a for one review's tree: false when a already holds one (the caller then
 * answers with an internal error, never parses into it). */
bool mg_arena_hold(struct mg_arena *a);

/* Drop the review tree a holds (mg_arena_release) and end the claim; accepts NULL. */
void mg_arena_drop(struct mg_arena *a);

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
 * used afterwards; the first chunk is kept for the next review. Not while a review
 * holds the arena (mg_arena_hold): use mg_arena_drop for that. */
void mg_arena_release(void);

#endif
