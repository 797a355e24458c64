/* SPDX-License-Identifier: Apache-2.0 */
/* yamlscalar.c - type one YAML scalar the way go-yaml v2's resolver does for
 * sigs.k8s.io/yaml: YAML 1.1 bools (yes/no/on/off/y/n), Go ParseInt base-0 integers
 * with '_' removed, go-yaml's float pattern. Values JSON cannot hold (.inf, .nan,
 * floats out of range) stay strings; timestamps stay their text. No I/O. */
#include "yamlscalar.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "json.h"
#include "jsonnum.h"

#define YTAG "tag:yaml.org,2002:"

static const char *const true_words[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                         "True", "TRUE", "on",  "On",  "ON",  NULL};
static const char *const false_words[] = {"n",     "N",     "no",  "No",  "NO",  "false",
                                          "False", "FALSE", "off", "Off", "OFF", NULL};
static const char *const null_words[] = {"~", "null", "Null", "NULL", NULL};

static bool in_words(const char *s, size_t len, const char *const *words)
{
    for (; *words; words++)
        if (strlen(*words) == len && memcmp(*words, s, len) == 0)
            return true;
    return false;
}

static int digit_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

/* Go's strconv.ParseInt(s, 0, 64), falling back to ParseUint for large positives. */
static bool parse_goint(const char *s, double *out)
{
    bool neg = false, sign = false;
    unsigned base = 10;
    uint64_t v = 0;

    if (*s == '+' || *s == '-') {
        neg = *s == '-';
        sign = true;
        s++;
    }
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    } else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
        base = 8;
        s += 2;
    } else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2;
        s += 2;
    } else if (s[0] == '0' && s[1]) {
        base = 8;
        s++;
    }
    if (!*s)
        return false;
    for (; *s; s++) {
        unsigned d = (unsigned)digit_val(*s);

        if (d >= base || v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    if (neg ? v > (uint64_t)INT64_MAX + 1 : (sign && v > (uint64_t)INT64_MAX))
        return false;
    *out = v == 0 ? 0.0 : (neg ? -(double)v : (double)v);
    return true;
}

/* go-yaml's ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool float_syntax(const char *s)
{
    size_t n = 0;

    if (*s == '+' || *s == '-')
        s++;
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++)
            n++;
        if (!n)
            return false;
    } else {
        for (; *s >= '0' && *s <= '9'; s++)
            n++;
        if (!n)
            return false;
        if (*s == '.')
            for (s++; *s >= '0' && *s <= '9'; s++)
                ;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

/* 1: a number in *out; 0: not a number; -1: out of memory. */
static int number(const char *s, size_t len, bool allow_float, double *out)
{
    char small[64], *end;
    char *buf = len < sizeof(small) ? small : malloc(len + 1);
    size_t n = 0;
    int r = 0;

    if (!buf)
        return -1;
    for (size_t i = 0; i < len; i++)
        if (s[i] != '_')
            buf[n++] = s[i];
    buf[n] = '\0';
    if (parse_goint(buf, out)) {
        r = 1;
    } else if (allow_float && float_syntax(buf)) {
        double d = strtod(buf, &end);

        r = *end == '\0' && isfinite(d);
        if (r)
            *out = d;
    }
    if (buf != small)
        free(buf);
    return r;
}

/* Callers guarantee text[len] == '\0' and no NUL inside (libyaml's scalars end in one). */
static cJSON *string_of(const char *s, size_t len)
{
    (void)len;
    return cJSON_CreateString(s);
}

static int resolve_plain(const char *s, size_t len, cJSON **out)
{
    double d;
    int r;

    if (len == 0 || in_words(s, len, null_words))
        *out = cJSON_CreateNull();
    else if (in_words(s, len, true_words))
        *out = cJSON_CreateTrue();
    else if (in_words(s, len, false_words))
        *out = cJSON_CreateFalse();
    else if ((s[0] >= '0' && s[0] <= '9') || s[0] == '+' || s[0] == '-' || s[0] == '.') {
        r = number(s, len, true, &d);
        if (r < 0)
            return MG_ENOMEM;
        *out = r ? cJSON_CreateNumber(d) : string_of(s, len);
        if (r && *out && mg_jsonnum_set_text(*out, s, len))
            return MG_ENOMEM;
    } else
        *out = string_of(s, len);
    return *out ? 0 : MG_ENOMEM;
}

static int resolve_tagged(const char *t, const char *s, size_t len, cJSON **out)
{
    double d;
    int r;

    if (strcmp(t, "null") == 0) {
        *out = cJSON_CreateNull();
    } else if (strcmp(t, "bool") == 0) {
        if (in_words(s, len, true_words))
            *out = cJSON_CreateTrue();
        else if (in_words(s, len, false_words))
            *out = cJSON_CreateFalse();
        else
            return MG_EINVAL;
    } else if (strcmp(t, "int") == 0 || strcmp(t, "float") == 0) {
        r = number(s, len, t[0] == 'f', &d);
        if (r < 0)
            return MG_ENOMEM;
        if (r == 0)
            return MG_EINVAL;
        *out = cJSON_CreateNumber(d);
        if (*out && mg_jsonnum_set_text(*out, s, len))
            return MG_ENOMEM;
    } else if (strcmp(t, "map") == 0 || strcmp(t, "seq") == 0) {
        return MG_EINVAL;
    } else {
        /* str, binary, timestamp, and tags we do not know: the text itself. */
        *out = string_of(s, len);
    }
    return *out ? 0 : MG_ENOMEM;
}

int mg_yamlscalar_decode(const char *text, size_t len, const char *tag, bool plain, cJSON **out)
{
    *out = NULL;
    if (tag && strncmp(tag, YTAG, strlen(YTAG)) == 0)
        return resolve_tagged(tag + strlen(YTAG), text, len, out);
    /* A quoted, block or "!"-tagged scalar is a string, whatever it looks like. */
    if (tag || !plain) {
        *out = string_of(text, len);
        return *out ? 0 : MG_ENOMEM;
    }
    return resolve_plain(text, len, out);
}

char *mg_yamlscalar_nul_marks(const char *text, size_t *len)
{
    size_t n = *len, nuls = 0;
    char *out, *o;

    for (size_t i = 0; i < n; i++)
        nuls += text[i] == '\0';
    if (!(out = malloc(n + nuls + 1)))
        return NULL;
    o = out;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '\0') {
            *o++ = MG_JSON_NUL[0];
            *o++ = MG_JSON_NUL[1];
        } else {
            *o++ = text[i];
        }
    }
    *o = '\0';
    *len = n + nuls;
    return out;
}
