/* SPDX-License-Identifier: Apache-2.0 */
/* cjson_fixture.h - what cmocka tests of cJSON trees share: parse a literal, compare a
 * tree with a literal, and cJSON allocation hooks that count what is live and fail one
 * chosen allocation. Include after <cmocka.h>; static inline, one copy per test. */
#ifndef MG_CJSON_FIXTURE_H
#define MG_CJSON_FIXTURE_H

#include <stdbool.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

/* text parsed by cJSON; the test fails when it is not JSON. Caller frees with
 * cJSON_Delete. */
static inline cJSON *fx_parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);

    assert_non_null(j);
    return j;
}

/* Fail the test unless got equals the JSON text want_text (cJSON_Compare). */
static inline void fx_expect_json(const cJSON *got, const char *want_text)
{
    cJSON *want = fx_parse(want_text);

    if (!cJSON_Compare(got, want, 1)) {
        char *g = cJSON_PrintUnformatted(got);

        fail_msg("got %s, want %s", g, want_text);
    }
    cJSON_Delete(want);
}

/* Counting hooks: while fx_armed, the fx_fail_at-th allocation (fx_calls counts them)
 * returns NULL; fx_live counts allocations not yet freed. fx_count_hooks(true) installs
 * them, fx_count_hooks(false) restores malloc and free. */
static long fx_fail_at, fx_calls, fx_live;
static bool fx_armed;

static inline void *fx_count_malloc(size_t n)
{
    void *p;

    if (fx_armed && ++fx_calls == fx_fail_at)
        return NULL;
    p = malloc(n);
    fx_live += p != NULL;
    return p;
}

static inline void fx_count_free(void *p)
{
    fx_live -= p != NULL;
    free(p);
}

static inline void fx_count_hooks(bool on)
{
    cJSON_Hooks hooks = {on ? fx_count_malloc : NULL, on ? fx_count_free : NULL};

    cJSON_InitHooks(&hooks);
}

#endif
