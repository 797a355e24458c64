/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_quantity.c - libFuzzer target for mg_quantity_parse: any bytes in, and for
 * every accepted quantity all queries run and their answers must agree with each
 * other (abort on a contradiction). Build with clang -fsanitize=fuzzer,address. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "quantity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct mg_quantity *q)
{
    int64_t v = mg_quantity_value(q);
    int sign = mg_quantity_cmp_int(q, 0);

    if (mg_quantity_cmp(q, q) != 0 || sign != q->sign)
        abort();
    /* value() rounds away from zero: q <= v < q + 1 for q > 0, mirrored below 0. */
    if (sign > 0 &&
        (mg_quantity_cmp_int(q, v) > 0 || (v != INT64_MAX && mg_quantity_cmp_int(q, v - 1) <= 0)))
        abort();
    if (sign < 0 &&
        (mg_quantity_cmp_int(q, v) < 0 || (v > -INT64_MAX && mg_quantity_cmp_int(q, v + 1) >= 0)))
        abort();
    if (mg_quantity_between_zero_and_one(q) != (sign > 0 && mg_quantity_cmp_int(q, 1) < 0))
        abort();
    if (q->capped && mg_quantity_cmp_int(q, sign * INT64_MAX) != 0)
        abort();
    /* KubeVirt's MiB/s: 0 up to 1 byte/s, never more than half a MiB off the value. */
    int64_t mib = mg_quantity_mebibytes(q);
    if (mib < 0 || (sign <= 0 && mib != 0) || (v > 0 && v < 1048576 && mib != 1 && v != 1))
        abort();
    if (v >= 1048576 && (mib > (v >> 20) + 1 || mib < (v >> 20)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct mg_quantity q, other;
    struct mg_err err;

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (mg_quantity_parse(text, &q, &err) == 0) {
        check(&q);
        mg_quantity_from_int(&other, mg_quantity_value(&q));
        if (mg_quantity_cmp(&q, &other) != -mg_quantity_cmp(&other, &q))
            abort();
    }
    free(text);
    return 0;
}
