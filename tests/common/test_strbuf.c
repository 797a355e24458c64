/* SPDX-License-Identifier: Apache-2.0 */
/* test_strbuf.c - the growing text buffer: appends in order across many growths, an
 * empty buffer finishes as "", and the buffer is reusable after finish. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strbuf.h"

static void test_strbuf_appends_across_growth(void **state)
{
    struct mg_strbuf b;
    char *out;

    (void)state;
    mg_strbuf_init(&b);
    for (int i = 0; i < 10000; i++)
        mg_strbuf_printf(&b, "%04d,", i % 10000);
    out = mg_strbuf_finish(&b);
    assert_non_null(out);
    assert_int_equal(strlen(out), 50000);
    assert_memory_equal(out, "0000,0001,", 10);
    assert_string_equal(out + 49995, "9999,");
    assert_null(b.p);
    free(out);
}

static void test_strbuf_empty_finishes_as_empty_string(void **state)
{
    struct mg_strbuf b;
    char *out;

    (void)state;
    mg_strbuf_init(&b);
    out = mg_strbuf_finish(&b);
    assert_non_null(out);
    assert_string_equal(out, "");
    free(out);
    mg_strbuf_printf(&b, "%s", "again");
    out = mg_strbuf_finish(&b);
    assert_string_equal(out, "again");
    free(out);
    mg_strbuf_free(&b);
}

static void test_strbuf_large_single_append(void **state)
{
    struct mg_strbuf b;
    char *big = malloc(100001), *out;

    (void)state;
    memset(big, 'x', 100000);
    big[100000] = '\0';
    mg_strbuf_init(&b);
    mg_strbuf_printf(&b, "<%s>", big);
    out = mg_strbuf_finish(&b);
    assert_int_equal(strlen(out), 100002);
    assert_int_equal(out[100001], '>');
    free(out);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strbuf_appends_across_growth),
        cmocka_unit_test(test_strbuf_empty_finishes_as_empty_string),
        cmocka_unit_test(test_strbuf_large_single_append),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
