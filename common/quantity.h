/* SPDX-License-Identifier: Apache-2.0 */
/* quantity.h - Kubernetes resource quantities ("64Mi", "1.5G", "2e3") with exact
 * arithmetic: no floating point in any comparison, bounded exponents, values capped
 * at 2^63-1 as Kubernetes caps them. Pure functions, no allocation. */
#ifndef MG_QUANTITY_H
#define MG_QUANTITY_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

/* value = sign * mant * 10^exp10 * 2^exp2 ("the exact value as written"), capped at
 * 2^63-1 in magnitude. mant holds at most 38 significant decimal digits; a longer
 * mantissa is rejected. */
struct mg_quantity {
    int sign;                             /* -1, 0 or 1; zero (including "-0") has sign 0 */
    __extension__ unsigned __int128 mant; /* __extension__: -Wpedantic clean */
    int exp10;
    int exp2;
    bool capped; /* true when the written value exceeded 2^63-1 and was capped */
};

/* Parse text as a Kubernetes quantity. On failure returns MG_EINVAL with err->msg
 * saying what is wrong (grammar, exponent out of -18..18, fractional exponent, too
 * many digits), in words fit for a user ("exponent 1000 is outside -18..18"). */
int mg_quantity_parse(const char *text, struct mg_quantity *q, struct mg_err *err);

/* A quantity of exactly v bytes (v may be negative). */
void mg_quantity_from_int(struct mg_quantity *q, int64_t v);

/* -1, 0 or 1 as a < b, a == b, a > b, exactly ("1Gi" equals "1024Mi"). */
int mg_quantity_cmp(const struct mg_quantity *a, const struct mg_quantity *b);

/* -1, 0 or 1 as q < v, q == v, q > v, exactly. */
int mg_quantity_cmp_int(const struct mg_quantity *q, int64_t v);

/* True when 0 < q < 1 (KubeVirt silently reads such a bandwidth as unlimited). */
bool mg_quantity_between_zero_and_one(const struct mg_quantity *q);

/* Whole bytes, rounded away from zero as Kubernetes' Value() does, capped at
 * +-(2^63-1). */
int64_t mg_quantity_value(const struct mg_quantity *q);

/* The bandwidth KubeVirt applies for q bytes/s, in whole MiB/s (RULES.md 9.2, KubeVirt's
 * QuantityToMebiByte): 0 for q <= 0 and for 0 < q < 1, 1 for 1 to 1048575 bytes/s,
 * otherwise floor(floor(q) / 2^20 + 0.5). Exact. */
int64_t mg_quantity_mebibytes(const struct mg_quantity *q);

#endif
