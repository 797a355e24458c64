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

#include "cjson_fixture.h"
#include "patch.h"

/* mg_patch_add takes ownership of value also on failure: whichever allocation fails,
 * nothing stays allocated after mg_patch_free. */
static void test_patch_add_frees_value_on_every_failure(void **state)
{
    bool failed_once = false;

    (void)state;
    fx_count_hooks(true);
    fx_armed = true;
    for (fx_fail_at = 1; fx_fail_at < 40; fx_fail_at++) {
        struct mg_patch p;
        cJSON *value;
        int rc;

        fx_calls = 0;
        fx_live = 0;
        mg_patch_init(&p);
        value = cJSON_CreateString("v");
        rc = value ? mg_patch_add(&p, "/metadata/annotations", value) : MG_ENOMEM;
        failed_once |= rc != 0;
        mg_patch_free(&p);
        assert_int_equal(fx_live, 0);
    }
    fx_armed = false;
    fx_count_hooks(false);
    assert_true(failed_once);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patch_add_frees_value_on_every_failure),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
