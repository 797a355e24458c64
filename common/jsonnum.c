/* SPDX-License-Identifier: Apache-2.0 */
/* jsonnum.c - keep the written text of JSON numbers beside cJSON's double, and read
 * whole numbers exactly from it. The walk follows the parsed tree, so it is bounded by
 * cJSON's own nesting limit and never recurses on text cJSON refused. */
#include "jsonnum.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct scan {
    const char *p, *end;
};

static void skip_ws(struct scan *s)
{
    const char *p = s->p;

    while (p < s->end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    s->p = p;
}

/* Past the closing quote: memchr to each '"', which ends the string unless an odd run of
 * backslashes escapes it. */
static int skip_string(struct scan *s)
{
    const char *open = s->p, *p;

    if (open >= s->end || *open != '"')
        return MG_EINVAL;
    for (p = open + 1;;) {
        const char *q = memchr(p, '"', (size_t)(s->end - p));
        const char *b;

        if (!q)
            return MG_EINVAL;
        for (b = q; b > open + 1 && b[-1] == '\\'; b--)
            ;
        if ((q - b) % 2 == 0) {
            s->p = q + 1;
            return 0;
        }
        p = q + 1;
    }
}

/* Plain integers of at most 15 digits are exact as doubles: no text needed. */
static bool needs_text(const char *t, size_t len)
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

    if (!cJSON_IsNumber(n) || !needs_text(text, len))
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

static int walk(struct scan *s, cJSON *node)
{
    const char *start;
    cJSON *child;
    int rc;

    skip_ws(s);
    if (s->p >= s->end)
        return MG_EINVAL;
    if (cJSON_IsObject(node) || cJSON_IsArray(node)) {
        bool obj = cJSON_IsObject(node);

        s->p++; /* '{' or '[' */
        for (child = node->child; child; child = child->next) {
            skip_ws(s);
            if (obj) {
                if ((rc = skip_string(s)))
                    return rc;
                skip_ws(s);
                if (s->p >= s->end || *s->p != ':')
                    return MG_EINVAL;
                s->p++;
            }
            if ((rc = walk(s, child)))
                return rc;
            skip_ws(s);
            if (s->p < s->end && *s->p == ',')
                s->p++;
        }
        skip_ws(s);
        if (s->p >= s->end)
            return MG_EINVAL;
        s->p++; /* '}' or ']' */
        return 0;
    }
    if (cJSON_IsString(node))
        return skip_string(s);
    start = s->p;
    while (s->p < s->end && (strchr("+-.eE", *s->p) || (*s->p >= '0' && *s->p <= '9') ||
                             (*s->p >= 'a' && *s->p <= 'z')))
        s->p++;
    if (s->p == start)
        return MG_EINVAL;
    return cJSON_IsNumber(node) ? mg_jsonnum_set_text(node, start, (size_t)(s->p - start)) : 0;
}

int mg_jsonnum_keep_text(cJSON *root, const char *text, size_t len)
{
    struct scan s = {text, text + len};

    return root ? walk(&s, root) : 0;
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
