/* SPDX-License-Identifier: Apache-2.0 */
/* json.c - the JSON parser (RFC 8259) that builds cJSON trees, and cJSON accessors
 * shared by the layers. The parser is ours because cJSON's cost more than every rule
 * of a review together and kept no number text (README, "Decisions"); the tree, the
 * accessors and the printer stay cJSON's. It reads only the bytes it is given, does
 * not recurse past MG_JSON_MAX_DEPTH, and on failure leaves nothing allocated. */
#include "json.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "jsonnum.h"

#define EXPECTED_VALUE "expected a value (an object, array, string, number, true, false or null)"

/* Nodes taken from the arena at once: one allocation per this many nodes. */
#define SLAB_NODES 32

struct parser {
    const unsigned char *p, *end, *start;
    /* Arena mode: a writable copy of the text (start points into it), so strings are
     * decoded in place and end where their closing quote was; nodes come in slabs. */
    unsigned char *insitu;
    cJSON *slab;
    size_t slab_left;
    size_t values, max_values;
    unsigned depth;
    struct mg_json_error err;
    bool failed;
    bool arena; /* nodes and strings from this thread's arena (never freed one by one) */
};

static bool fail(struct parser *ps, const unsigned char *at, const char *what)
{
    if (!ps->failed) {
        ps->failed = true;
        ps->err.at = (size_t)(at - ps->start);
        ps->err.what = what;
    }
    return false;
}

static void *alloc(struct parser *ps, size_t n)
{
    void *p = mg_arena_alloc(n);

    if (!p) {
        fail(ps, ps->p, "out of memory");
        ps->err.oom = true;
    }
    return p;
}

static cJSON *new_item(struct parser *ps)
{
    cJSON *it;

    if (ps->max_values && ++ps->values > ps->max_values) {
        fail(ps, ps->p, "too many JSON values");
        ps->err.too_many = true;
        return NULL;
    }
    if (ps->arena) {
        if (!ps->slab_left) {
            if (!(ps->slab = alloc(ps, SLAB_NODES * sizeof(*it))))
                return NULL;
            ps->slab_left = SLAB_NODES;
        }
        it = ps->slab++;
        ps->slab_left--;
    } else if (!(it = alloc(ps, sizeof(*it)))) {
        return NULL;
    }
    memset(it, 0, sizeof(*it));
    return it;
}

/* Append child to parent's children the way cJSON links them: the first child's prev
 * points at the last, so cJSON_AddItemToArray appends in constant time. */
static void link_child(cJSON *parent, cJSON **last, cJSON *child)
{
    if (*last) {
        (*last)->next = child;
        child->prev = *last;
    } else {
        parent->child = child;
    }
    parent->child->prev = child;
    *last = child;
}

static void skip_ws(struct parser *ps)
{
    const unsigned char *p = ps->p;

    while (p < ps->end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    ps->p = p;
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int hex4(const unsigned char *p)
{
    int v = 0;

    for (int i = 0; i < 4; i++) {
        unsigned char c = p[i];

        v <<= 4;
        if (is_digit(c))
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

static char *put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/* One \uXXXX escape at p (on the backslash), a UTF-16 surrogate pair taken whole;
 * *cp gets the code point. Returns the bytes read, 0 when the escape is invalid. */
static size_t unicode_escape(const unsigned char *p, const unsigned char *end, unsigned long *cp)
{
    int hi, lo;

    if (end - p < 6 || (hi = hex4(p + 2)) < 0)
        return 0;
    if (hi >= 0xDC00 && hi <= 0xDFFF)
        return 0;
    if (hi < 0xD800 || hi > 0xDBFF) {
        *cp = (unsigned long)hi;
        return 6;
    }
    if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || (lo = hex4(p + 8)) < 0 || lo < 0xDC00 ||
        lo > 0xDFFF)
        return 0;
    *cp = 0x10000 + (((unsigned long)hi - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
    return 12;
}

/* Decode the escapes of the raw string s..q into out (never longer than the raw text:
 * every escape is at least as long as the UTF-8 it stands for). */
static bool unescape(struct parser *ps, const unsigned char *s, const unsigned char *q, char *out)
{
    char *o = out;

    while (s < q) {
        unsigned long cp;
        size_t n;

        if (*s != '\\') {
            *o++ = (char)*s++;
            continue;
        }
        switch (s[1]) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u':
            if (!(n = unicode_escape(s, q, &cp)))
                return fail(ps, s, "invalid \\u escape in a string (a lone or broken surrogate?)");
            if (cp == 0) {
                /* RULES.md 8: the string keeps its whole length (see json.h). */
                *o++ = MG_JSON_NUL[0];
                *o++ = MG_JSON_NUL[1];
            } else {
                o = put_utf8(o, cp);
            }
            s += n;
            continue;
        default: return fail(ps, s, "invalid escape in a string");
        }
        s += 2;
    }
    *o = '\0';
    return true;
}

/* The bytes of v (8 bytes of text, little-endian) that are a quote, a backslash or a
 * control character, as the high bit of each: the lowest one set is exact, bits above
 * it may be spurious (borrows), which only the first is read for. */
static uint64_t special8(uint64_t v)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');

    return (((q - ones) & ~q) | ((b - ones) & ~b) | ((v - ones * 0x20) & ~v)) & highs;
}

/* The first quote, backslash or control character in q..end, or end. */
static const unsigned char *scan_string(const unsigned char *q, const unsigned char *end)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (end - q >= 8) {
        uint64_t v, m;

        memcpy(&v, q, 8);
        if ((m = special8(v)) != 0)
            return q + __builtin_ctzll(m) / 8;
        q += 8;
    }
#endif
    while (q < end && *q >= 0x20 && *q != '"' && *q != '\\')
        q++;
    return q;
}

/* The string at ps->p (on its opening quote), decoded and NUL-terminated: in place in
 * arena mode, else in a new copy. */
static char *parse_string(struct parser *ps)
{
    const unsigned char *s = ps->p + 1, *q = s, *end = ps->end;
    bool escaped = false;
    char *out;

    for (;;) {
        q = scan_string(q, end);
        if (q >= end || *q == '"')
            break;
        if (*q < 0x20) {
            fail(ps, q, "control character in a string (write it as an escape, e.g. \\n)");
            return NULL;
        }
        if (*q == '\\') {
            escaped = true;
            if (end - q < 2) {
                q = end;
                break;
            }
            q++;
        }
        q++;
    }
    if (q >= end) {
        fail(ps, ps->p, "string is not closed");
        return NULL;
    }
    if (ps->insitu)
        out = (char *)ps->insitu + (s - ps->start);
    else if (!(out = alloc(ps, (size_t)(q - s) + 1)))
        return NULL;
    if (!escaped) {
        if (!ps->insitu)
            memcpy(out, s, (size_t)(q - s));
        out[q - s] = '\0';
    } else if (!unescape(ps, s, q, out)) {
        if (!ps->arena)
            free(out);
        return NULL;
    }
    ps->p = q + 1;
    return out;
}

static const unsigned char *digits(const unsigned char *p, const unsigned char *end)
{
    while (p < end && is_digit(*p))
        p++;
    return p;
}

static bool parse_number(struct parser *ps, cJSON *item)
{
    const unsigned char *s = ps->p, *q = s, *int_start;
    bool plain = true;
    uint64_t v = 0;
    double d;
    size_t len;

    if (q < ps->end && *q == '-')
        q++;
    int_start = q;
    if (q >= ps->end || !is_digit(*q))
        return fail(ps, q, "expected a digit in a number");
    if (*q == '0' && q + 1 < ps->end && is_digit(q[1]))
        return fail(ps, q, "number has a leading zero");
    for (; q < ps->end && is_digit(*q); q++)
        v = v * 10 + (uint64_t)(*q - '0');
    if (q - int_start > 15)
        plain = false;
    if (q < ps->end && *q == '.') {
        plain = false;
        if (q + 1 >= ps->end || !is_digit(q[1]))
            return fail(ps, q + 1, "expected a digit after '.' in a number");
        q = digits(q + 1, ps->end);
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        plain = false;
        q++;
        if (q < ps->end && (*q == '+' || *q == '-'))
            q++;
        if (q >= ps->end || !is_digit(*q))
            return fail(ps, q, "expected a digit in the exponent of a number");
        q = digits(q, ps->end);
    }
    len = (size_t)(q - s);
    item->type = cJSON_Number;
    if (plain) {
        /* At most 15 digits: exact in a double, no text needed (jsonnum.h). */
        d = (double)v;
        if (*s == '-')
            d = -d;
    } else {
        char *text = alloc(ps, len + 1);

        if (!text)
            return false;
        memcpy(text, s, len);
        text[len] = '\0';
        /* The C locale is never changed, so strtod reads '.' as the decimal point. */
        d = strtod(text, NULL);
        if (mg_jsonnum_needs_text(text, len))
            item->valuestring = text;
        else if (!ps->arena)
            free(text);
    }
    item->valuedouble = d;
    if (d >= INT_MAX)
        item->valueint = INT_MAX;
    else if (d <= (double)INT_MIN)
        item->valueint = INT_MIN;
    else
        item->valueint = (int)d;
    ps->p = q;
    return true;
}

static bool literal(struct parser *ps, cJSON *item, const char *word, int type)
{
    size_t n = strlen(word);

    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return fail(ps, ps->p, EXPECTED_VALUE);
    item->type = type;
    if (type == cJSON_True)
        item->valueint = 1;
    ps->p += n;
    return true;
}

static bool parse_value(struct parser *ps, cJSON *item);

/* The members of an object or the elements of an array, ps->p on its opening bracket. */
static bool parse_container(struct parser *ps, cJSON *item, bool object)
{
    unsigned char close = object ? '}' : ']';
    cJSON *last = NULL;

    item->type = object ? cJSON_Object : cJSON_Array;
    if (++ps->depth > MG_JSON_MAX_DEPTH)
        return fail(ps, ps->p, "JSON is nested too deeply");
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        return true;
    }
    for (;;) {
        cJSON *child = new_item(ps);

        if (!child)
            return false;
        link_child(item, &last, child);
        if (object) {
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != '"')
                return fail(ps, ps->p, "expected a member name in double quotes");
            if (!(child->string = parse_string(ps)))
                return false;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                return fail(ps, ps->p, "expected ':' after a member name");
            ps->p++;
        }
        if (!parse_value(ps, child))
            return false;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close)
            break;
        return fail(ps, ps->p,
                    object ? "expected ',' or '}' in an object"
                           : "expected ',' or ']' in an array");
    }
    ps->p++;
    ps->depth--;
    return true;
}

static bool parse_value(struct parser *ps, cJSON *item)
{
    skip_ws(ps);
    if (ps->p >= ps->end)
        return fail(ps, ps->p, "unexpected end of the JSON text");
    switch (*ps->p) {
    case '{': return parse_container(ps, item, true);
    case '[': return parse_container(ps, item, false);
    case '"': item->type = cJSON_String; return (item->valuestring = parse_string(ps)) != NULL;
    case 't': return literal(ps, item, "true", cJSON_True);
    case 'f': return literal(ps, item, "false", cJSON_False);
    case 'n': return literal(ps, item, "null", cJSON_NULL);
    default:
        if (*ps->p == '-' || is_digit(*ps->p))
            return parse_number(ps, item);
        return fail(ps, ps->p, EXPECTED_VALUE);
    }
}

cJSON *mg_json_parse(const char *text, size_t len, size_t max_values, struct mg_json_error *e)
{
    struct parser ps = {.max_values = max_values};
    bool arena = mg_arena_active();
    cJSON *root;

    ps.arena = arena;
    ps.start = (const unsigned char *)text;
    if (arena && len < SIZE_MAX) {
        if (!(ps.insitu = alloc(&ps, len + 1))) {
            if (e)
                *e = ps.err;
            return NULL;
        }
        memcpy(ps.insitu, text, len);
        ps.start = ps.insitu;
    }
    ps.p = ps.start;
    ps.end = ps.start + len;
    root = new_item(&ps);
    if (root && parse_value(&ps, root)) {
        skip_ws(&ps);
        if (ps.p == ps.end)
            return root;
        fail(&ps, ps.p, "unexpected text after the JSON value");
    }
    /* Every item made so far hangs off root; arena memory goes with the arena. */
    if (!arena)
        cJSON_Delete(root);
    if (e)
        *e = ps.err;
    return NULL;
}

cJSON *mg_json_parse_prefix(const char *text, size_t len, size_t max_values, size_t *used,
                            struct mg_json_error *e)
{
    struct parser ps = {.max_values = max_values};
    cJSON *root;

    /* No copy of the text: it may be the rest of a file of any size. Strings are
     * decoded into their own allocations (the arena's, while it is open). */
    ps.arena = mg_arena_active();
    ps.start = ps.p = (const unsigned char *)text;
    ps.end = ps.start + len;
    skip_ws(&ps);
    root = new_item(&ps);
    if (root && parse_value(&ps, root)) {
        *used = (size_t)(ps.p - ps.start);
        return root;
    }
    if (!ps.arena)
        cJSON_Delete(root);
    if (e)
        *e = ps.err;
    return NULL;
}

cJSON *mg_json_get(const cJSON *obj, const char *key)
{
    if (!obj || !key)
        return NULL;
    for (cJSON *c = obj->child; c && c->string; c = c->next) {
        if (c->string[0] == key[0] && strcmp(c->string, key) == 0)
            return c;
    }
    return NULL;
}

const char *mg_json_str(const cJSON *obj, const char *key)
{
    const cJSON *it = mg_json_get(obj, key);

    return cJSON_IsString(it) ? it->valuestring : NULL;
}

const char *mg_json_name(const cJSON *obj)
{
    return mg_json_str(mg_json_get(obj, "metadata"), "name");
}

const char *mg_json_name_or(const cJSON *obj, const char *dflt)
{
    const char *n = mg_json_name(obj);

    return n ? n : dflt;
}

char *mg_json_print(const cJSON *item, bool formatted)
{
    char *text = formatted ? cJSON_Print(item) : cJSON_PrintUnformatted(item), *out, *o;
    size_t nuls = 0, len;

    if (!text)
        return NULL;
    for (const char *p = text; (p = strstr(p, MG_JSON_NUL)) != NULL; p += 2)
        nuls++;
    if (!nuls)
        return text;
    len = strlen(text);
    out = malloc(len + 4 * nuls + 1);
    if (out) {
        o = out;
        for (const char *p = text; *p;) {
            if (p[0] == MG_JSON_NUL[0] && p[1] == MG_JSON_NUL[1]) {
                memcpy(o, "\\u0000", 6);
                o += 6;
                p += 2;
            } else {
                *o++ = *p++;
            }
        }
        *o = '\0';
    }
    cJSON_free(text);
    return out;
}
