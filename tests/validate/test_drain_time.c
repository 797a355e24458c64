/* SPDX-License-Identifier: Apache-2.0 */
/* test_drain_time.c - the drain estimate's arithmetic against hand-computed cases:
 * KubeVirt's MiB/s rounding (RULES.md 9.2), the 10^9-byte deadline units, the fate at
 * the deadline by allowWorkloadDisruption/allowPostCopy (9.18), and the queue of the
 * parallel limits (MIG008). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "drain_time.h"

static int64_t mib(const char *text)
{
    struct mg_quantity q;

    assert_int_equal(mg_quantity_parse(text, &q, NULL), 0);
    return mg_quantity_mebibytes(&q);
}

static void test_drain_time_mib_rounds_as_kubevirt(void **state)
{
    (void)state;
    assert_int_equal(mib("0"), 0);
    assert_int_equal(mib("0.5"), 0);
    assert_int_equal(mib("1"), 1);
    assert_int_equal(mib("512Ki"), 1);
    assert_int_equal(mib("1048575"), 1);
    assert_int_equal(mib("1Mi"), 1);
    assert_int_equal(mib("1.4Mi"), 1);
    assert_int_equal(mib("1.5Mi"), 2);
    assert_int_equal(mib("1.6Mi"), 2);
    assert_int_equal(mib("64Mi"), 64);
    assert_int_equal(mib("1Gi"), 1024);
    assert_int_equal(mib("100M"), 95); /* 100,000,000 / 1,048,576 = 95.37 */
}

static void test_drain_time_deadline_counts_started_1e9_units(void **state)
{
    (void)state;
    assert_int_equal(mg_drain_time_deadline(1000000000u, 150), 150);
    assert_int_equal(mg_drain_time_deadline(1000000001u, 150), 300);
    assert_int_equal(mg_drain_time_deadline(2147483648u, 150), 450); /* 2Gi: 3 units */
    assert_int_equal(mg_drain_time_deadline(1u, 7), 7);
    assert_int_equal(mg_drain_time_deadline(2147483648u, 0), 0);
    assert_int_equal(mg_drain_time_deadline(0, 150), 0);
    assert_int_equal(mg_drain_time_deadline(UINT64_MAX, INT64_MAX), INT64_MAX);
}

static struct mg_drain_mig mig(uint64_t bytes, int64_t e, int64_t t, bool awd, bool pc)
{
    struct mg_drain_mig m;

    memset(&m, 0, sizeof(m));
    m.bytes = bytes;
    m.bandwidth_mib = e;
    m.timeout_per_gib = t;
    m.allow_disruption = awd;
    m.allow_post_copy = pc;
    mg_drain_time_one(&m, 10);
    return m;
}

static void test_drain_time_fate_at_the_deadline(void **state)
{
    (void)state;
    /* RULES.md 9.2's cases: 100Mi at 10 s moves 1,048,576,000 bytes, more than 10^9. */
    assert_int_equal(mig(1000000000u, 100, 10, false, false).fate, MG_FATE_IN_TIME);
    /* 1 MiB/s: 953 s move 999,292,928 bytes (late), 954 s 1,000,341,504 (in time). */
    assert_int_equal(mig(1000000000u, 1, 953, false, false).fate, MG_FATE_CANCELLED);
    assert_int_equal(mig(1000000000u, 1, 954, false, false).fate, MG_FATE_IN_TIME);
    assert_int_equal(mig(1000000000u, 1, 953, true, true).fate, MG_FATE_POST_COPY);
    /* Paused and the deadline doubled: 1906 s is enough, 2 x 400 s is not. */
    assert_int_equal(mig(1000000000u, 1, 953, true, false).fate, MG_FATE_PAUSED);
    assert_int_equal(mig(1000000000u, 1, 400, true, false).fate, MG_FATE_CANCELLED);
    /* No deadline. */
    assert_int_equal(mig(1000000000u, 1, 0, false, false).fate, MG_FATE_IN_TIME);
    /* Unlimited at 10 Gbit/s: 1.25e9 bytes/s; 2.5e9 bytes need 2 s, deadline 3 x 1 s. */
    assert_int_equal(mig(2500000000u, 0, 1, false, false).fate, MG_FATE_IN_TIME);
    assert_int_equal(mig(4000000000u, 0, 1, false, false).fate, MG_FATE_IN_TIME);
    {
        /* At 4 Gbit/s (5e8 bytes/s) 10^9 bytes need 2 s: past a 1 s deadline. */
        struct mg_drain_mig m = mig(1000000000u, 0, 1, false, false);

        mg_drain_time_one(&m, 4);
        assert_int_equal(m.fate, MG_FATE_CANCELLED);
        assert_true(m.seconds == 2.0);
    }
}

static void test_drain_time_seconds_of_one_copy(void **state)
{
    (void)state;
    assert_true(mig(1073741824u, 64, 150, false, false).seconds == 16.0);
    assert_true(mig(2500000000u, 0, 150, false, false).seconds == 2.0);
    assert_int_equal(mig(1073741824u, 64, 150, false, false).deadline, 300);
}

/* m[i] of sources src[i], each secs[i] long. */
static double queue(struct mg_drain_mig *m, const size_t *src, const double *secs, size_t n,
                    size_t sources, int64_t pc, int64_t pn)
{
    double total = -1;

    for (size_t i = 0; i < n; i++) {
        memset(&m[i], 0, sizeof(m[i]));
        m[i].source = src[i];
        m[i].seconds = secs[i];
    }
    assert_int_equal(mg_drain_time_schedule(m, n, sources, pc, pn, &total), 0);
    return total;
}

static void test_drain_time_queue_by_cluster_and_node_limits(void **state)
{
    static const size_t src[] = {0, 0, 0, 1, 1};
    static const double ten[] = {10, 10, 10, 10, 10};
    static const double mixed[] = {5, 20, 1, 30, 2};
    struct mg_drain_mig m[5];

    (void)state;
    /* 2 at once, 1 per node: A0|B3 at 0, A1|B4 at 10, A2 at 20: 30 s. */
    assert_true(queue(m, src, ten, 5, 2, 2, 1) == 30);
    assert_true(m[1].start == 10 && m[4].start == 10 && m[2].start == 20);
    /* 3 at once, 2 per node: A0 A1 B3 at 0, then A2 and B4 at 10: 20 s. */
    assert_true(queue(m, src, ten, 5, 2, 3, 2) == 20);
    assert_true(m[3].start == 0 && m[2].start == 10 && m[4].start == 10);
    /* One at a time: the sum. */
    assert_true(queue(m, src, mixed, 5, 2, 1, 5) == 58);
    /* Unbounded: the longest. */
    assert_true(queue(m, src, mixed, 5, 2, 100, 100) == 30);
    /* A full node does not hold back another node's migration: 1 per node, 5 in all:
     * A: 5, 20, 1 in a row (26 s); B: 30, 2 (32 s). */
    assert_true(queue(m, src, mixed, 5, 2, 5, 1) == 32);
    assert_true(m[2].start == 25 && m[4].start == 30);
    /* Limits below 1 count as 1; no migration takes no time. */
    assert_true(queue(m, src, ten, 5, 2, 0, 0) == 50);
    assert_true(queue(m, src, ten, 0, 2, 5, 2) == 0);
}

static void test_drain_time_schedule_refuses_a_bad_source(void **state)
{
    struct mg_drain_mig m;
    double total;

    (void)state;
    memset(&m, 0, sizeof(m));
    m.source = 3;
    assert_int_equal(mg_drain_time_schedule(&m, 1, 2, 5, 2, &total), MG_EINVAL);
}

static void test_drain_time_format(void **state)
{
    char b[32];

    (void)state;
    mg_drain_time_format(0.44, b, sizeof(b));
    assert_string_equal(b, "0.4s");
    mg_drain_time_format(42, b, sizeof(b));
    assert_string_equal(b, "42s");
    mg_drain_time_format(250, b, sizeof(b));
    assert_string_equal(b, "4m10s");
    mg_drain_time_format(7380, b, sizeof(b));
    assert_string_equal(b, "2h03m");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drain_time_mib_rounds_as_kubevirt),
        cmocka_unit_test(test_drain_time_deadline_counts_started_1e9_units),
        cmocka_unit_test(test_drain_time_fate_at_the_deadline),
        cmocka_unit_test(test_drain_time_seconds_of_one_copy),
        cmocka_unit_test(test_drain_time_queue_by_cluster_and_node_limits),
        cmocka_unit_test(test_drain_time_schedule_refuses_a_bad_source),
        cmocka_unit_test(test_drain_time_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
