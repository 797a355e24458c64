/* SPDX-License-Identifier: Apache-2.0 */
/* quantity.c - parse Kubernetes quantities and compare them exactly, with a small
 * fixed-size bignum instead of floating point. A one-pass parser that follows the
 * grammar of RULES.md section 2 term by term (tests check it against that regex with
 * PCRE2); it needs no allocation and no shared state. No I/O. */
#include "quantity.h"

#include <stddef.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

/* Longest text accepted; keeps every exponent sum far inside int. */
#define MAX_TEXT 1048576u
#define MAX_DIGITS 38
#define MAX_EXP 18

/* 384 bits: the widest exact comparison is a 190-bit mantissa (38 digits times an
 * int64 of seconds) scaled by 2^60 and a few more bits, see mag_cmp. */
#define BN_WORDS 12

struct bn {
    uint32_t w[BN_WORDS];
};

/* sign * m * 10^e10 * 2^e2, the working form of every comparison. */
struct num {
    int sign;
    struct bn m;
    int64_t e10;
    int64_t e2;
};

static void bn_from_u128(struct bn *b, u128 v)
{
    memset(b, 0, sizeof(*b));
    for (int i = 0; i < 4; i++) {
        b->w[i] = (uint32_t)v;
        v >>= 32;
    }
}

static bool bn_is_zero(const struct bn *b)
{
    for (int i = 0; i < BN_WORDS; i++)
        if (b->w[i])
            return false;
    return true;
}

static int64_t bn_bitlen(const struct bn *b)
{
    for (int i = BN_WORDS - 1; i >= 0; i--) {
        if (b->w[i]) {
            int64_t bits = 0;
            for (uint32_t v = b->w[i]; v; v >>= 1)
                bits++;
            return (int64_t)i * 32 + bits;
        }
    }
    return 0;
}

/* b = b * m + add; false when the result does not fit. */
static bool bn_mul_add_small(struct bn *b, uint32_t m, uint32_t add)
{
    uint64_t carry = add;

    for (int i = 0; i < BN_WORDS; i++) {
        uint64_t t = (uint64_t)b->w[i] * m + carry;
        b->w[i] = (uint32_t)t;
        carry = t >> 32;
    }
    return carry == 0;
}

static bool bn_shl(struct bn *b, int64_t bits)
{
    if (bits < 0 || bn_bitlen(b) + bits > (int64_t)BN_WORDS * 32)
        return false;
    int words = (int)(bits / 32), rest = (int)(bits % 32);
    for (int i = BN_WORDS - 1; i >= 0; i--) {
        uint64_t v = i - words >= 0 ? (uint64_t)b->w[i - words] << rest : 0;
        if (rest && i - words - 1 >= 0)
            v |= b->w[i - words - 1] >> (32 - rest);
        b->w[i] = (uint32_t)v;
    }
    return true;
}

static bool bn_mul_pow10(struct bn *b, int64_t k)
{
    if (k < 0)
        return false;
    for (; k >= 9; k -= 9)
        if (!bn_mul_add_small(b, 1000000000u, 0))
            return false;
    static const uint32_t p10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
    return bn_mul_add_small(b, p10[k], 0);
}

/* b = b / d; returns the remainder. */
static uint32_t bn_div_small(struct bn *b, uint32_t d)
{
    uint64_t rem = 0;

    for (int i = BN_WORDS - 1; i >= 0; i--) {
        uint64_t cur = (rem << 32) | b->w[i];
        b->w[i] = (uint32_t)(cur / d);
        rem = cur % d;
    }
    return (uint32_t)rem;
}

static int bn_cmp(const struct bn *a, const struct bn *b)
{
    for (int i = BN_WORDS - 1; i >= 0; i--)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

static void num_from_quantity(struct num *n, const struct mg_quantity *q)
{
    bn_from_u128(&n->m, q->mant);
    n->e10 = q->exp10;
    n->e2 = q->exp2;
    n->sign = bn_is_zero(&n->m) ? 0 : (q->sign < 0 ? -1 : 1);
}

static void num_from_int(struct num *n, int64_t v)
{
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    bn_from_u128(&n->m, mag);
    n->e10 = 0;
    n->e2 = 0;
    n->sign = v < 0 ? -1 : (v > 0 ? 1 : 0);
}

static i128 floor_div(i128 a, i128 b)
{
    i128 q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static i128 ceil_div(i128 a, i128 b)
{
    i128 q = a / b;
    return (a % b != 0 && (a < 0) == (b < 0)) ? q + 1 : q;
}

/* log2 of |n| lies in [*lo, *hi): bit length of m, plus e2, plus e10 * log2(10) with
 * log2(10) bracketed by two 12-digit fractions, so no floating point is involved. */
static void mag_bounds(const struct num *n, i128 *lo, i128 *hi)
{
    static const i128 l_lo = 332192809488, l_hi = 332192809489, scale = 100000000000;
    i128 bits = bn_bitlen(&n->m), e = n->e10;
    i128 lo10 = floor_div(e * (e >= 0 ? l_lo : l_hi), scale);
    i128 hi10 = ceil_div(e * (e >= 0 ? l_hi : l_lo), scale);

    *lo = bits - 1 + n->e2 + lo10;
    *hi = bits + n->e2 + hi10;
}

/* Compare |a| and |b|, both nonzero. Disjoint magnitude brackets decide at once, so the
 * exact path only sees numbers within a few bits of each other: after scaling both to
 * the smaller exponents they stay below about 2^260 for any parsed quantity. */
static int mag_cmp(const struct num *a, const struct num *b)
{
    i128 alo, ahi, blo, bhi;

    mag_bounds(a, &alo, &ahi);
    mag_bounds(b, &blo, &bhi);
    if (ahi <= blo)
        return -1;
    if (bhi <= alo)
        return 1;

    struct bn x = a->m, y = b->m;
    int64_t e10 = a->e10 < b->e10 ? a->e10 : b->e10;
    int64_t e2 = a->e2 < b->e2 ? a->e2 : b->e2;
    if (bn_mul_pow10(&x, a->e10 - e10) && bn_shl(&x, a->e2 - e2) &&
        bn_mul_pow10(&y, b->e10 - e10) && bn_shl(&y, b->e2 - e2))
        return bn_cmp(&x, &y);
    /* Only a hand-built struct with huge exponents gets here; the brackets overlap,
     * so their midpoints are the best answer left. */
    return alo + ahi < blo + bhi ? -1 : (alo + ahi > blo + bhi ? 1 : 0);
}

static int num_cmp(const struct num *a, const struct num *b)
{
    if (a->sign != b->sign)
        return a->sign < b->sign ? -1 : 1;
    if (a->sign == 0)
        return 0;
    int r = mag_cmp(a, b);
    return a->sign > 0 ? r : -r;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* [0-9]+(\.[0-9]*)? or \.[0-9]+ at *pos; sets the digit runs. False when absent. */
static bool scan_number(const char *s, size_t *pos, size_t *i0, size_t *ni, size_t *f0, size_t *nf)
{
    size_t p = *pos;
    bool dot = false;

    *i0 = p;
    while (is_digit(s[p]))
        p++;
    *ni = p - *i0;
    if (s[p] == '.') {
        dot = true;
        p++;
    }
    *f0 = p;
    while (dot && is_digit(s[p]))
        p++;
    *nf = p - *f0;
    if (*ni == 0 && *nf == 0)
        return false;
    *pos = p;
    return true;
}

/* Digit k of the integer digits followed by the fraction digits. */
static char digit_at(const char *s, size_t i0, size_t ni, size_t f0, size_t k)
{
    return k < ni ? s[i0 + k] : s[f0 + k - ni];
}

static int set_mantissa(struct mg_quantity *q, const char *s, size_t i0, size_t ni, size_t f0,
                        size_t nf, struct mg_err *err)
{
    size_t total = ni + nf, first = total, last = 0;

    for (size_t k = 0; k < total; k++) {
        if (digit_at(s, i0, ni, f0, k) != '0') {
            if (first == total)
                first = k;
            last = k;
        }
    }
    q->mant = 0;
    q->exp10 = 0;
    if (first == total)
        return 0;
    if (last - first + 1 > MAX_DIGITS)
        return mg_err_set(err, MG_EINVAL, "quantity has more than %d significant digits",
                          MAX_DIGITS);
    for (size_t k = first; k <= last; k++)
        q->mant = q->mant * 10 + (unsigned)(digit_at(s, i0, ni, f0, k) - '0');
    /* Trailing zeros move into the exponent, so "1" and 50 zeros is 1e50 (capped). */
    q->exp10 = (int)(total - 1 - last) - (int)nf;
    return 0;
}

static bool printable(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x21 || s[i] > 0x7e)
            return false;
    return true;
}

static int bad_suffix(const char *suffix, struct mg_err *err)
{
    size_t n = strlen(suffix);

    if (n <= 16 && printable(suffix, n))
        return mg_err_set(err, MG_EINVAL,
                          "unknown quantity suffix \"%s\": use Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, "
                          "k, M, G, T, P, E or an exponent such as e3",
                          suffix);
    return mg_err_set(err, MG_EINVAL,
                      "unknown quantity suffix: use Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, "
                      "T, P, E or an exponent such as e3");
}

/* The exponent form after 'e'/'E': (\+|-)? then a number; bounded and whole. The
 * digit count is checked before any conversion, so "1e-99999999999" costs nothing. */
static int parse_exponent(const char *s, const char *suffix, int *exp10, struct mg_err *err)
{
    size_t pos = 0, i0, ni, f0, nf;
    bool neg = s[0] == '-';

    if (s[0] == '+' || s[0] == '-')
        pos++;
    if (!scan_number(s, &pos, &i0, &ni, &f0, &nf) || s[pos] != '\0')
        return bad_suffix(suffix, err);
    size_t shown = pos > 24 ? 20 : pos;
    const char *more = pos > 24 ? "..." : "";
    if (s[i0 + ni] == '.')
        return mg_err_set(err, MG_EINVAL,
                          "fractional exponent %.*s%s is not allowed: the exponent must be a "
                          "whole number from -%d to %d",
                          (int)shown, s, more, MAX_EXP, MAX_EXP);
    while (ni > 1 && s[i0] == '0') {
        i0++;
        ni--;
    }
    int v = 0;
    if (ni <= 2)
        for (size_t k = 0; k < ni; k++)
            v = v * 10 + (s[i0 + k] - '0');
    if (ni > 2 || v > MAX_EXP)
        return mg_err_set(err, MG_EINVAL, "exponent %.*s%s is outside -%d..%d", (int)shown, s, more,
                          MAX_EXP, MAX_EXP);
    *exp10 = neg ? -v : v;
    return 0;
}

/* ([KMGTPE]i)|[numkMGTPE]|([eE]exponent), or nothing. "1E" is exa, "1E3" an exponent. */
static int parse_suffix(const char *s, int *exp10, int *exp2, struct mg_err *err)
{
    static const char binary[] = "KMGTPE", decimal[] = "numkMGTPE";
    static const int dec_exp[] = {-9, -6, -3, 3, 6, 9, 12, 15, 18};
    const char *hit;

    *exp10 = 0;
    *exp2 = 0;
    if (s[0] == '\0')
        return 0;
    if (s[0] == 'e' || (s[0] == 'E' && s[1] != '\0' && s[1] != 'i'))
        return parse_exponent(s + 1, s, exp10, err);
    if (s[1] == 'i' && s[2] == '\0' && (hit = strchr(binary, s[0])) != NULL) {
        *exp2 = 10 * (int)(hit - binary + 1);
        return 0;
    }
    if (s[1] == '\0' && (hit = strchr(decimal, s[0])) != NULL) {
        *exp10 = dec_exp[hit - decimal];
        return 0;
    }
    return bad_suffix(s, err);
}

static int bad_number(const char *text, struct mg_err *err)
{
    if (text[strcspn(text, " \t\r\n\v\f")] != '\0')
        return mg_err_set(err, MG_EINVAL, "quantity must not contain spaces");
    return mg_err_set(err, MG_EINVAL,
                      "quantity must start with a number, such as 64Mi, 1.5G, 500m or 2e3");
}

int mg_quantity_parse(const char *text, struct mg_quantity *q, struct mg_err *err)
{
    struct mg_quantity out = {0};
    struct num n, max;
    size_t pos = 0, i0, ni, f0, nf;
    int rc = 0, s10 = 0, s2 = 0;
    bool neg = false;

    if (!text || text[0] == '\0') {
        rc = mg_err_set(err, MG_EINVAL, "quantity is empty");
        goto out;
    }
    if (strnlen(text, MAX_TEXT + 1) > MAX_TEXT) {
        rc = mg_err_set(err, MG_EINVAL, "quantity is longer than %u characters", MAX_TEXT);
        goto out;
    }
    neg = text[0] == '-';
    if (text[0] == '+' || text[0] == '-')
        pos++;
    if (!scan_number(text, &pos, &i0, &ni, &f0, &nf)) {
        rc = bad_number(text, err);
        goto out;
    }
    if (text[strcspn(text, " \t\r\n\v\f")] != '\0') {
        rc = bad_number(text, err);
        goto out;
    }
    rc = parse_suffix(text + pos, &s10, &s2, err);
    if (rc == 0)
        rc = set_mantissa(&out, text, i0, ni, f0, nf, err);
    if (rc != 0)
        goto out;
    if (out.mant == 0) {
        out.exp10 = 0;
        goto out;
    }
    out.sign = neg ? -1 : 1;
    out.exp10 += s10;
    out.exp2 = s2;
    num_from_quantity(&n, &out);
    num_from_int(&max, INT64_MAX);
    if (mag_cmp(&n, &max) > 0) {
        out.mant = INT64_MAX;
        out.exp10 = 0;
        out.exp2 = 0;
        out.capped = true;
    }
out:
    if (q)
        *q = rc == 0 ? out : (struct mg_quantity){0};
    return rc;
}

void mg_quantity_from_int(struct mg_quantity *q, int64_t v)
{
    q->sign = v < 0 ? -1 : (v > 0 ? 1 : 0);
    q->mant = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    q->exp10 = 0;
    q->exp2 = 0;
    q->capped = false;
}

int mg_quantity_cmp(const struct mg_quantity *a, const struct mg_quantity *b)
{
    struct num x, y;

    num_from_quantity(&x, a);
    num_from_quantity(&y, b);
    return num_cmp(&x, &y);
}

int mg_quantity_cmp_int(const struct mg_quantity *q, int64_t v)
{
    struct num x, y;

    num_from_quantity(&x, q);
    num_from_int(&y, v);
    return num_cmp(&x, &y);
}

bool mg_quantity_between_zero_and_one(const struct mg_quantity *q)
{
    return mg_quantity_cmp_int(q, 0) > 0 && mg_quantity_cmp_int(q, 1) < 0;
}

/* |q| as whole bytes rounded toward zero, capped at 2^63-1; *frac says whether a
 * fraction was dropped. Returns 0 for zero. */
static uint64_t whole_magnitude(const struct mg_quantity *q, bool *frac)
{
    struct num n, lim;

    *frac = false;
    num_from_quantity(&n, q);
    if (n.sign == 0)
        return 0;
    num_from_int(&lim, INT64_MAX);
    if (mag_cmp(&n, &lim) >= 0) {
        *frac = mag_cmp(&n, &lim) > 0; /* only its sign is read past the cap */
        return (uint64_t)INT64_MAX;
    }
    /* |n| < 2^63 now, so every exponent below is small and nothing overflows. */
    if (n.e2 >= 0)
        bn_shl(&n.m, n.e2);
    else
        for (int64_t i = 0; i < -n.e2 && !bn_is_zero(&n.m); i++)
            *frac |= bn_div_small(&n.m, 2) != 0;
    if (n.e10 >= 0)
        bn_mul_pow10(&n.m, n.e10);
    else
        for (int64_t i = 0; i < -n.e10 && !bn_is_zero(&n.m); i++)
            *frac |= bn_div_small(&n.m, 10) != 0;
    return (uint64_t)n.m.w[0] | (uint64_t)n.m.w[1] << 32;
}

/* Kubernetes' Value() rounds a fraction away from zero (negativeScaleInt64 in
 * apimachinery's amount.go): "1m" -> 1, "1.5" -> 2, "-1.5" -> -2, "-1m" -> -1. */
int64_t mg_quantity_value(const struct mg_quantity *q)
{
    bool frac;
    uint64_t mag = whole_magnitude(q, &frac);
    int sign = mg_quantity_cmp_int(q, 0);

    if (mag == (uint64_t)INT64_MAX)
        return sign > 0 ? INT64_MAX : (frac ? INT64_MIN : -INT64_MAX);
    mag += frac;
    return sign > 0 ? (int64_t)mag : -(int64_t)(mag - 1) - 1;
}

/* RULES.md 9.2, KubeVirt's QuantityToMebiByte: whole bytes first (a fraction is
 * dropped: ceil(B) - 1), then 0 stays 0, below 1 MiB is 1, and the rest rounds half
 * up, floor(B / 2^20 + 0.5), in integers so 2^63-1 loses nothing. */
int64_t mg_quantity_mebibytes(const struct mg_quantity *q)
{
    bool frac;
    uint64_t b;

    if (mg_quantity_cmp_int(q, 0) <= 0)
        return 0;
    b = whole_magnitude(q, &frac);
    if (b == 0)
        return 0;
    if (b < ((uint64_t)1 << 20))
        return 1;
    return (int64_t)((b + ((uint64_t)1 << 19)) >> 20);
}
