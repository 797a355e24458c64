/* SPDX-License-Identifier: Apache-2.0 */
/* test_patch.c - the JSON Patch builder: no leak when an allocation fails inside
 * mg_patch_add (the applier's tests are tests/common/test_jsonpatch.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "patch.h"

/* Allocations through cJSON's hooks, failing the fail_at-th one; live counts what is
 * not yet freed. */
static long fail_at, calls, live;

static void *count_malloc(size_t n)
{
    void *p;

    if (++calls == fail_at)
        return NULL;
    p = malloc(n);
    live += p != NULL;
    return p;
}

static void count_free(void *p)
{
    live -= p != NULL;
    free(p);
}

/* mg_patch_add takes ownership of value also on failure: whichever allocation fails,
 * nothing stays allocated after mg_patch_free. */
static void test_patch_add_frees_value_on_every_failure(void **state)
{
    cJSON_Hooks hooks = {count_malloc, count_free}, plain = {NULL, NULL};
    bool failed_once = false;

    (void)state;
    cJSON_InitHooks(&hooks);
    for (fail_at = 1; fail_at < 40; fail_at++) {
        struct mg_patch p;
        cJSON *value;
        int rc;

        calls = 0;
        live = 0;
        mg_patch_init(&p);
        value = cJSON_CreateString("v");
        rc = value ? mg_patch_add(&p, "/metadata/annotations", value) : MG_ENOMEM;
        failed_once |= rc != 0;
        mg_patch_free(&p);
        assert_int_equal(live, 0);
    }
    cJSON_InitHooks(&plain);
    assert_true(failed_once);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patch_add_frees_value_on_every_failure),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
