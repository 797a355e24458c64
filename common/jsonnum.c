/* SPDX-License-Identifier: Apache-2.0 */
/* jsonnum.c - keep the written text of JSON numbers beside cJSON's double, and read
 * whole numbers exactly from it. The parsers (json.c, yamljson.c) mark the numbers;
 * this module only decides which need their text and reads it back. */
#include "jsonnum.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

bool mg_jsonnum_needs_text(const char *t, size_t len)
{
    size_t digits = 0;

    for (size_t i = 0; i < len; i++) {
        /* YAML's 0x1F and 0o17 are exact integers; an 'E' there is a hex digit. */
        if (t[i] == 'x' || t[i] == 'X' || t[i] == 'o')
            return false;
        if (t[i] == '.' || t[i] == 'e' || t[i] == 'E')
            return true;
        digits += t[i] >= '0' && t[i] <= '9';
    }
    return digits > 15;
}

int mg_jsonnum_set_text(cJSON *n, const char *text, size_t len)
{
    char *copy;

    if (!cJSON_IsNumber(n) || !mg_jsonnum_needs_text(text, len))
        return 0;
    copy = malloc(len + 1);
    if (!copy)
        return MG_ENOMEM;
    memcpy(copy, text, len);
    copy[len] = '\0';
    free(n->valuestring);
    n->valuestring = copy;
    return 0;
}

bool mg_jsonnum_int(const cJSON *it, int64_t lo, int64_t hi, int64_t *out)
{
    int64_t v;

    if (!cJSON_IsNumber(it))
        return false;
    if (it->valuestring) {
        const char *t = it->valuestring;
        char *end = NULL;
        long long ll;

        if (strpbrk(t, ".eE"))
            return false;
        errno = 0;
        ll = strtoll(t, &end, 10);
        if (errno == ERANGE || !end || *end)
            return false;
        v = (int64_t)ll;
    } else {
        double d = it->valuedouble;

        /* Built in memory: whole doubles below 2^63 in magnitude. */
        if (!isfinite(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0 ||
            d != (double)(int64_t)d)
            return false;
        v = (int64_t)d;
    }
    if (v < lo || v > hi)
        return false;
    if (out)
        *out = v;
    return true;
}
