/* SPDX-License-Identifier: Apache-2.0 */
/* test_verdict.c - warnings cut to 119 bytes keep their rule id and their fix (the last
 * clause), cut on UTF-8 character boundaries; short messages are left whole. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "verdict.h"

static void expect_valid_utf8(const char *s)
{
    size_t len = strlen(s);

    for (size_t i = 0, n; i < len; i += n) {
        n = mg_utf8_seq((const unsigned char *)s + i, len - i);
        assert_true(n > 0);
    }
}

static void test_verdict_cut_keeps_the_fix(void **state)
{
    const char *msg = "[MIG008] this migration will queue: 2 already leave node "
                      "ip-172-28-114-198.us-east-2.compute.internal.example.com "
                      "(parallelOutboundMigrationsPerNode 2)";
    char *got;

    (void)state;
    assert_true(strlen(msg) > 119);
    got = mg_verdict_cut(msg, 119);
    assert_non_null(got);
    assert_true(strlen(got) <= 119);
    assert_true(strncmp(got, "[MIG008] this migration will queue", 34) == 0);
    assert_non_null(strstr(got, "... (parallelOutboundMigrationsPerNode 2)"));
    assert_string_equal(got + strlen(got) - 37, "(parallelOutboundMigrationsPerNode 2)");
    free(got);

    got = mg_verdict_cut("[LMC003] bandwidthPerMigration 1m is between 0 and 1 byte/s, "
                         "which KubeVirt silently treats as unlimited, and so on and so on; "
                         "write 0 for unlimited",
                         119);
    assert_true(strlen(got) <= 119);
    assert_string_equal(got + strlen(got) - 26, "...; write 0 for unlimited");
    free(got);
}

static void test_verdict_cut_short_or_without_clause(void **state)
{
    char long_word[200];
    char *got;

    (void)state;
    got = mg_verdict_cut("[VM004] short: fix it", 119);
    assert_string_equal(got, "[VM004] short: fix it");
    free(got);
    /* No clause to keep: cut at the end, with "...". */
    memset(long_word, 'x', sizeof(long_word) - 1);
    long_word[sizeof(long_word) - 1] = '\0';
    got = mg_verdict_cut(long_word, 119);
    assert_int_equal(strlen(got), 119);
    assert_string_equal(got + 116, "...");
    free(got);
}

static void test_verdict_cut_on_character_boundaries(void **state)
{
    /* 110 bytes of head then two-byte characters across the cut, and a fix. */
    char msg[400];
    size_t at = 0;
    char *got;

    (void)state;
    at += (size_t)snprintf(msg, sizeof(msg), "[VM006] ");
    for (int i = 0; i < 60; i++)
        at += (size_t)snprintf(msg + at, sizeof(msg) - at, "\xc3\xa9");
    snprintf(msg + at, sizeof(msg) - at, "; add a toleration for the taint");
    for (size_t max = 40; max <= 130; max++) {
        got = mg_verdict_cut(msg, max);
        assert_non_null(got);
        assert_true(strlen(got) <= max);
        expect_valid_utf8(got);
        free(got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdict_cut_keeps_the_fix),
        cmocka_unit_test(test_verdict_cut_short_or_without_clause),
        cmocka_unit_test(test_verdict_cut_on_character_boundaries),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
