/* SPDX-License-Identifier: Apache-2.0 */
/* test_cpus.c - usable CPUs: cgroup v2 cpu.max text parses ("max", a quota, a period,
 * malformed), a quota caps the CPU count rounded up and never below one, and the
 * machine's own answer is at least one and at most its online CPUs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "cpus.h"

static void test_cpus_parse_max_reads_quota_and_period(void **state)
{
    long q = 0, p = 0;

    (void)state;
    assert_int_equal(mg_cpus_parse_max("max 100000\n", &q, &p), 0);
    assert_int_equal(q, -1);
    assert_int_equal(p, 100000);
    assert_int_equal(mg_cpus_parse_max("50000 100000\n", &q, &p), 0);
    assert_int_equal(q, 50000);
    assert_int_equal(p, 100000);
    assert_int_equal(mg_cpus_parse_max("250000 50000", &q, &p), 0);
    assert_int_equal(q, 250000);
    assert_int_equal(p, 50000);
    assert_int_equal(mg_cpus_parse_max("max", &q, &p), 0);
    assert_int_equal(q, -1);
    assert_int_equal(mg_cpus_parse_max("", &q, &p), -1);
    assert_int_equal(mg_cpus_parse_max("fifty 100000", &q, &p), -1);
    assert_int_equal(mg_cpus_parse_max("0 100000", &q, &p), -1);
    assert_int_equal(mg_cpus_parse_max("50000 0", &q, &p), -1);
    assert_int_equal(mg_cpus_parse_max("50000 100000 7", &q, &p), -1);
}

static void test_cpus_cap_rounds_up_and_keeps_one(void **state)
{
    (void)state;
    assert_int_equal(mg_cpus_cap(64, 50000, 100000), 1);  /* 500m */
    assert_int_equal(mg_cpus_cap(64, 150000, 100000), 2); /* 1500m */
    assert_int_equal(mg_cpus_cap(64, 400000, 100000), 4);
    assert_int_equal(mg_cpus_cap(2, 800000, 100000), 2); /* quota above the mask */
    assert_int_equal(mg_cpus_cap(8, -1, 100000), 8);     /* no quota */
    assert_int_equal(mg_cpus_cap(8, 1, 100000), 1);
    assert_int_equal(mg_cpus_cap(0, -1, 100000), 1);
}

static void test_cpus_usable_is_within_the_online_cpus(void **state)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = mg_cpus_usable();

    (void)state;
    assert_true(n >= 1);
    if (online > 0)
        assert_true(n <= (unsigned)online);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpus_parse_max_reads_quota_and_period),
        cmocka_unit_test(test_cpus_cap_rounds_up_and_keeps_one),
        cmocka_unit_test(test_cpus_usable_is_within_the_online_cpus),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
