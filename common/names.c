/* SPDX-License-Identifier: Apache-2.0 */
/* names.c - Kubernetes label keys and values and DNS-1123 names, checked as
 * apimachinery's validation does (IsQualifiedName, IsValidLabelValue, IsDNS1123Label,
 * IsDNS1123Subdomain), and the closest-match lookup for "did you mean" messages.
 * Character-class scans only: no allocation, no shared state. */
#include "names.h"

#include <stdio.h>
#include <string.h>

#define NAME_MAX_LEN 63
#define SUBDOMAIN_MAX_LEN 253
/* Candidates longer than this are never suggested; it bounds the one DP row. */
#define CLOSEST_MAX_LEN 255

static const char name_form[] =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
    "an alphanumeric character";

static bool fail(char *why, size_t whylen, const char *msg)
{
    if (why && whylen)
        snprintf(why, whylen, "%s", msg);
    return false;
}

static bool ok(char *why, size_t whylen)
{
    if (why && whylen)
        why[0] = '\0';
    return true;
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])? over s[0..n), n > 0. */
static bool name_chars_ok(const char *s, size_t n)
{
    if (!is_alnum(s[0]) || !is_alnum(s[n - 1]))
        return false;
    for (size_t i = 1; i + 1 < n; i++)
        if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return false;
    return true;
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)* over s[0..n). */
static bool subdomain_chars_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool edge = i == 0 || i + 1 == n || s[i - 1] == '.' || s[i + 1] == '.';
        if (s[i] == '.' ? edge : !(is_lower_alnum(s[i]) || (!edge && s[i] == '-')))
            return false;
    }
    return n > 0;
}

/* Why s[0..n) is not a DNS-1123 subdomain, or NULL when it is one. */
static const char *subdomain_problem(const char *s, size_t n)
{
    if (n == 0)
        return "must not be empty";
    if (n > SUBDOMAIN_MAX_LEN)
        return "must be 253 characters or less";
    if (!subdomain_chars_ok(s, n))
        return "must consist of lower case alphanumeric characters, '-' or '.', and must "
               "start and end with an alphanumeric character";
    return NULL;
}

static bool fail2(char *why, size_t whylen, const char *subject, const char *msg)
{
    if (why && whylen)
        snprintf(why, whylen, "%s%s", subject, msg);
    return false;
}

bool mg_name_label_key_ok(const char *key, char *why, size_t whylen)
{
    if (!key || key[0] == '\0')
        return fail(why, whylen, "label key must not be empty");
    const char *slash = strchr(key, '/');
    const char *name = slash ? slash + 1 : key;
    if (slash && strchr(name, '/'))
        return fail(why, whylen,
                    "label key must be a name with an optional prefix and "
                    "one '/' (prefix/name)");
    if (slash && slash == key)
        return fail(why, whylen, "prefix part must not be empty");
    const char *problem = slash ? subdomain_problem(key, (size_t)(slash - key)) : NULL;
    if (problem)
        return fail2(why, whylen, "prefix must be a DNS-1123 subdomain: ", problem);
    size_t n = strlen(name);
    if (n == 0)
        return fail(why, whylen, "name part must not be empty");
    if (n > NAME_MAX_LEN)
        return fail(why, whylen, "name part must be 63 characters or less");
    if (!name_chars_ok(name, n))
        return fail2(why, whylen, "name part ", name_form);
    return ok(why, whylen);
}

bool mg_name_label_value_ok(const char *value, char *why, size_t whylen)
{
    size_t n = value ? strlen(value) : 0;

    if (n == 0)
        return ok(why, whylen);
    if (n > NAME_MAX_LEN)
        return fail(why, whylen, "label value must be 63 characters or less");
    if (!name_chars_ok(value, n))
        return fail2(why, whylen, "label value ", name_form);
    return ok(why, whylen);
}

bool mg_name_dns1123_label_ok(const char *name, char *why, size_t whylen)
{
    size_t n = name ? strlen(name) : 0;

    if (n == 0)
        return fail(why, whylen, "name must not be empty");
    if (n > NAME_MAX_LEN)
        return fail(why, whylen, "name must be 63 characters or less");
    if (strchr(name, '.') || !subdomain_chars_ok(name, n))
        return fail(why, whylen,
                    "name must consist of lower case alphanumeric characters or "
                    "'-', and must start and end with an alphanumeric character");
    return ok(why, whylen);
}

/* As Kubernetes' IsDNS1123Subdomain: 253 in all; the parts between dots are not
 * limited to 63 each. */
bool mg_name_dns1123_subdomain_ok(const char *name, char *why, size_t whylen)
{
    const char *problem = subdomain_problem(name ? name : "", name ? strlen(name) : 0);

    return problem ? fail2(why, whylen, "name ", problem) : ok(why, whylen);
}

static char fold(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Levenshtein distance of a and b (case-insensitive), or limit + 1 when it is more
 * than limit; blen <= CLOSEST_MAX_LEN. */
static size_t distance(const char *a, size_t alen, const char *b, size_t blen, size_t limit)
{
    size_t row[CLOSEST_MAX_LEN + 1];

    if ((alen > blen ? alen - blen : blen - alen) > limit)
        return limit + 1;
    for (size_t j = 0; j <= blen; j++)
        row[j] = j;
    for (size_t i = 1; i <= alen; i++) {
        size_t diag = row[0], best = i;
        row[0] = i;
        for (size_t j = 1; j <= blen; j++) {
            size_t up = row[j];
            size_t cost = diag + (fold(a[i - 1]) != fold(b[j - 1]));
            size_t del = up + 1, ins = row[j - 1] + 1;
            row[j] = cost < del ? (cost < ins ? cost : ins) : (del < ins ? del : ins);
            diag = up;
            if (row[j] < best)
                best = row[j];
        }
        if (best > limit)
            return limit + 1;
    }
    return row[blen];
}

const char *mg_name_closest(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;

    if (!word || !candidates)
        return NULL;
    size_t wlen = strlen(word);
    size_t limit = wlen / 3 > 2 ? wlen / 3 : 2, best_d = limit + 1;
    for (size_t i = 0; i < n; i++) {
        const char *c = candidates[i];
        size_t clen = c ? strlen(c) : 0;
        if (!c || clen > CLOSEST_MAX_LEN)
            continue;
        size_t d = distance(word, wlen, c, clen, limit);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best;
}
