/* SPDX-License-Identifier: Apache-2.0 */
/* marks.c - JSON pointer -> source line, stored as a trie: every node is (parent,
 * token, line) and one open-addressing table finds a child from its parent and token.
 * Tokens are kept unescaped in one string buffer; lookups unescape RFC 6901 ("~0"
 * for '~', "~1" for '/'). No I/O. */
#include "marks.h"

#include <stdlib.h>
#include <string.h>

struct mark {
    uint32_t parent, off, len;
    int32_t line;
};

/* The hash sits beside the index so probes rarely touch the marks themselves. */
struct slot {
    uint32_t idx; /* index + 1, 0 for free */
    uint32_t hash;
};

struct mg_marks {
    struct mark *v;
    uint32_t n, cap;
    char *strs;
    size_t slen, scap;
    struct slot *slots;
    uint32_t nslots; /* power of two */
};

static uint32_t hash_tok(uint32_t parent, const char *tok, size_t len)
{
    uint64_t h = 1469598103934665603ULL;

    for (int i = 0; i < 4; i++)
        h = (h ^ ((parent >> (8 * i)) & 0xff)) * 1099511628211ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)tok[i]) * 1099511628211ULL;
    /* FNV's low bits mix poorly and the table indexes by low bits: finish as murmur3. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (uint32_t)h;
}

struct mg_marks *mg_marks_new(void)
{
    return calloc(1, sizeof(struct mg_marks));
}

void mg_marks_free(struct mg_marks *m)
{
    if (!m)
        return;
    free(m->v);
    free(m->strs);
    free(m->slots);
    free(m);
}

static bool same(const struct mg_marks *m, uint32_t i, uint32_t parent, const char *tok, size_t len)
{
    const struct mark *k = &m->v[i];

    return k->parent == parent && k->len == len &&
           (len == 0 || memcmp(m->strs + k->off, tok, len) == 0);
}

/* The slot holding (parent, tok), or the free slot where it would go. */
static struct slot *find_slot(const struct mg_marks *m, uint32_t parent, const char *tok,
                              size_t len, uint32_t h)
{
    uint32_t i = h & (m->nslots - 1);
    const struct slot *sl;

    while ((sl = &m->slots[i])->idx && (sl->hash != h || !same(m, sl->idx - 1, parent, tok, len)))
        i = (i + 1) & (m->nslots - 1);
    return &m->slots[i];
}

static int rehash(struct mg_marks *m)
{
    uint32_t n = m->nslots ? m->nslots * 2 : 64;
    struct slot *old = m->slots;
    uint32_t oldn = m->nslots;

    if (n == 0)
        return -1;
    m->slots = calloc(n, sizeof(*m->slots));
    if (!m->slots) {
        m->slots = old;
        return -1;
    }
    m->nslots = n;
    for (uint32_t i = 0; i < oldn; i++) {
        uint32_t j = old[i].hash & (n - 1);

        if (!old[i].idx)
            continue;
        while (m->slots[j].idx)
            j = (j + 1) & (n - 1);
        m->slots[j] = old[i];
    }
    free(old);
    return 0;
}

static int reserve(struct mg_marks *m, size_t len)
{
    if (m->n == m->cap) {
        uint32_t cap = m->cap ? m->cap * 2 : 32;
        struct mark *v;

        if (cap <= m->cap || !(v = realloc(m->v, (size_t)cap * sizeof(*v))))
            return -1;
        m->v = v;
        m->cap = cap;
    }
    if (len > UINT32_MAX - m->slen || m->slen + len > UINT32_MAX)
        return -1;
    if (m->slen + len > m->scap) {
        size_t cap = m->scap ? m->scap : 256;
        char *s;

        while (cap < m->slen + len)
            cap *= 2;
        if (!(s = realloc(m->strs, cap)))
            return -1;
        m->strs = s;
        m->scap = cap;
    }
    if (((size_t)m->n + 1) * 2 > m->nslots && rehash(m) != 0)
        return -1;
    return 0;
}

int mg_marks_put(struct mg_marks *m, uint32_t parent, const char *tok, size_t len, int line,
                 uint32_t *idx)
{
    uint32_t h = hash_tok(parent, tok, len);
    struct slot *slot;
    struct mark *k;

    if (reserve(m, len) != 0)
        return -1;
    slot = find_slot(m, parent, tok, len, h);
    if (slot->idx) {
        *idx = slot->idx - 1;
        return 1;
    }
    k = &m->v[m->n];
    k->parent = parent;
    k->off = (uint32_t)m->slen;
    k->len = (uint32_t)len;
    k->line = line;
    if (len)
        memcpy(m->strs + m->slen, tok, len);
    m->slen += len;
    *idx = m->n++;
    slot->idx = *idx + 1;
    slot->hash = h;
    return 0;
}

int mg_marks_line_at(const struct mg_marks *m, uint32_t idx)
{
    return m && idx < m->n ? m->v[idx].line : 0;
}

void mg_marks_shrink(struct mg_marks *m)
{
    struct mark *v;
    char *s;

    if (!m || m->n == 0)
        return;
    if ((v = realloc(m->v, (size_t)m->n * sizeof(*v)))) {
        m->v = v;
        m->cap = m->n;
    }
    if (m->slen && (s = realloc(m->strs, m->slen))) {
        m->strs = s;
        m->scap = m->slen;
    }
}

/* Unescape one RFC 6901 token of p (up to '/' or the end) into buf; returns its
 * length and sets *next past it. */
static size_t unescape(const char *p, char *buf, const char **next)
{
    size_t n = 0;

    while (*p && *p != '/') {
        if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
            buf[n++] = p[1] == '0' ? '~' : '/';
            p += 2;
        } else {
            buf[n++] = *p++;
        }
    }
    *next = p;
    return n;
}

int mg_marks_line(const struct mg_marks *marks, const char *pointer)
{
    const struct slot *slot;
    const char *p = pointer;
    uint32_t cur;
    char *buf;
    int line;

    if (!marks || !marks->nslots)
        return 0;
    slot = find_slot(marks, MG_MARK_NONE, "", 0, hash_tok(MG_MARK_NONE, "", 0));
    if (!slot->idx)
        return 0;
    cur = slot->idx - 1;
    line = marks->v[cur].line;
    if (!p || !*p)
        return line;
    buf = malloc(strlen(p) + 1);
    if (!buf)
        return line;
    if (*p == '/')
        p++;
    for (;;) {
        size_t len = unescape(p, buf, &p);

        slot = find_slot(marks, cur, buf, len, hash_tok(cur, buf, len));
        if (!slot->idx)
            break;
        cur = slot->idx - 1;
        line = marks->v[cur].line;
        if (*p != '/')
            break;
        p++;
    }
    free(buf);
    return line;
}
