/* SPDX-License-Identifier: Apache-2.0 */
/* jsonlist.c - a JSON list file (`kubectl get -A -o json`, an API list response) read
 * item by item: the file is mapped, a scanner finds each element of the top-level
 * "items" array, and each element alone is parsed and stored, so a file of 100,000
 * VMs never becomes one tree. Pages already read are dropped from memory as the scan
 * goes on. Reads files only. */
#define _DEFAULT_SOURCE /* madvise */
#include "jsonlist.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "background.h"
#include "json.h"

/* One object of a list: far more than any real Kubernetes object has. */
#define MAX_ITEM_VALUES 250000
/* Files larger than this are read in one pass, the items stored as the scan meets them
 * (kind and apiVersion must then come before any item that lacks its own); smaller ones
 * are checked whole first. The document reader's own cap, so nothing it read before
 * changes. */
#define ONE_PASS_FROM ((size_t)64 << 20)
/* Bytes read between two drops of the pages behind the scan. */
#define DROP_EVERY ((size_t)4 << 20)

struct scan {
    const char *p, *end;
    const char *dropped; /* pages before this are given back: page-aligned */
    bool hold;           /* no drops: the scan will come back to this item */
};

/* Give back the pages of the mapping behind the scan: both passes read the whole file,
 * and a 566 MB list must not stay resident. The mapping is private and read-only, so
 * a page read again (an error's line count) comes back from the file. */
static void drop_behind(struct scan *s)
{
    long page = sysconf(_SC_PAGESIZE);
    const char *upto;

    if (page <= 0 || s->hold || (size_t)(s->p - s->dropped) < DROP_EVERY)
        return;
    upto = s->dropped + ((size_t)(s->p - s->dropped) / (size_t)page) * (size_t)page;
    madvise((void *)(uintptr_t)s->dropped, (size_t)(upto - s->dropped), MADV_DONTNEED);
    s->dropped = upto;
}

static void skip_ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
        s->p++;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* The high bit of each byte of v equal to b: the lowest one set is exact (a borrow only
 * reaches the bytes above), which is the only one read. */
static uint64_t bytes_eq(uint64_t v, unsigned char b)
{
    uint64_t x = v ^ (ONES * b);

    return (x - ONES) & ~x & HIGHS;
}

static bool structural(unsigned char c)
{
    return c == '"' || (c | 0x20) == '{' || (c | 0x20) == '}';
}

/* The next quote or bracket at or after p ('[' | 0x20 is '{', ']' | 0x20 is '}'),
 * eight bytes at a time; end when there is none. */
static const char *next_structural(const char *p, const char *end)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (end - p >= 8) {
        uint64_t v, lower, m;

        memcpy(&v, p, 8);
        lower = v | (ONES * 0x20);
        m = bytes_eq(v, '"') | bytes_eq(lower, '{') | bytes_eq(lower, '}');
        if (m)
            return p + __builtin_ctzll(m) / 8;
        p += 8;
    }
#endif
    while (p < end && !structural((unsigned char)*p))
        p++;
    return p;
}

/* The next quote or backslash at or after p, or end. */
static const char *next_in_string(const char *p, const char *end)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (end - p >= 8) {
        uint64_t v, m;

        memcpy(&v, p, 8);
        m = bytes_eq(v, '"') | bytes_eq(v, '\\');
        if (m)
            return p + __builtin_ctzll(m) / 8;
        p += 8;
    }
#endif
    while (p < end && *p != '"' && *p != '\\')
        p++;
    return p;
}

static bool skip_string(struct scan *s)
{
    for (s->p++; (s->p = next_in_string(s->p, s->end)) < s->end; s->p += 2) {
        if (*s->p == '"')
            return ++s->p <= s->end;
    }
    s->p = s->end;
    return false;
}

/* Past one value (validated later by the parser); false when the text ends first. */
static bool skip_value(struct scan *s)
{
    size_t depth = 0;

    skip_ws(s);
    if (s->p >= s->end)
        return false;
    if (*s->p == '"')
        return skip_string(s);
    if (*s->p != '{' && *s->p != '[') {
        while (s->p < s->end && !strchr(",}] \n\r\t", *s->p))
            s->p++;
        return true;
    }
    while ((s->p = next_structural(s->p, s->end)) < s->end) {
        char c = *s->p;

        if (c == '"') {
            if (!skip_string(s))
                return false;
            continue;
        }
        if (c == '{' || c == '[') {
            depth++;
            if ((size_t)(s->p - s->dropped) >= DROP_EVERY)
                drop_behind(s);
        } else if (--depth == 0) {
            s->p++;
            return true;
        }
        s->p++;
    }
    return false;
}

/* The text from..to is one JSON value, as strict as the items are parsed. */
static bool valid(const char *from, const char *to)
{
    cJSON *v = mg_json_parse(from, (size_t)(to - from), MAX_ITEM_VALUES, NULL);

    cJSON_Delete(v);
    return v != NULL;
}

static int line_at(const char *start, const char *at)
{
    int line = 1;

    for (const char *q = start; q < at; q++)
        line += *q == '\n';
    return line;
}

/* Finds the top-level members kind and apiVersion, and where the items array starts.
 * False when the text is not an object with an "items" array. */
struct stream;
static int stream_items(struct stream *sm, const char *text, size_t len, const char *items,
                        const char *kind, const char *api, const char **endp);

static bool find_members(const char *text, size_t len, char *kind, size_t klen, char *api,
                         size_t alen, const char **items, struct stream *sm)
{
    struct scan s = {text, text + len, text, false};

    *items = NULL;
    skip_ws(&s);
    if (s.p >= s.end || *s.p != '{')
        return false;
    s.p++;
    skip_ws(&s);
    if (s.p < s.end && *s.p == '}')
        return false; /* {}: no items */
    for (;;) {
        const char *key;
        size_t kl;

        skip_ws(&s);
        if (s.p >= s.end || *s.p != '"' || !(key = s.p + 1, skip_string(&s)) ||
            !valid(key - 1, s.p))
            return false;
        kl = (size_t)(s.p - 1 - key);
        skip_ws(&s);
        if (s.p >= s.end || *s.p++ != ':')
            return false;
        skip_ws(&s);
        if (kl == 5 && memcmp(key, "items", 5) == 0) {
            /* Two items members: not a list this reader takes whole. */
            if (*items || s.p >= s.end || *s.p != '[')
                return false;
            *items = s.p;
            /* One pass: kubectl writes kind after items, and the items carry their own
             * kinds; a typed list from the API server has its kind first. */
            if (sm) {
                const char *endp = NULL;

                if (stream_items(sm, text, len, s.p, kind, api, &endp) != 0)
                    return false;
                s.p = endp;
            }
        }
        if (sm && kl == 5 && memcmp(key, "items", 5) == 0) {
            /* read above */
        } else if (((kl == 4 && memcmp(key, "kind", 4) == 0) ||
                    (kl == 10 && memcmp(key, "apiVersion", 10) == 0)) &&
                   s.p < s.end && *s.p == '"') {
            const char *v = s.p + 1;
            char *dst = kl == 4 ? kind : api;
            size_t max = kl == 4 ? klen : alen;

            if (!skip_string(&s) || (size_t)(s.p - 1 - v) >= max)
                return false;
            for (const char *c = v; c < s.p - 1; c++)
                if (*c == '\\' || (unsigned char)*c < 0x20)
                    return false; /* escapes: left to the document reader */
            memcpy(dst, v, (size_t)(s.p - 1 - v));
            dst[s.p - 1 - v] = '\0';
        } else {
            /* metadata and the rest: small, and checked as strictly as the items. */
            const char *v = s.p;

            if (!skip_value(&s) || (!(kl == 5 && memcmp(key, "items", 5) == 0) && !valid(v, s.p)))
                return false;
        }
        skip_ws(&s);
        if (s.p < s.end && *s.p == ',') {
            s.p++;
            continue;
        }
        if (s.p >= s.end || *s.p != '}')
            return false;
        break;
    }
    /* Nothing but whitespace after the object. */
    s.p++;
    skip_ws(&s);
    if (s.p != s.end)
        return false;
    return *items != NULL && strlen(kind) >= 4 && strcmp(kind + strlen(kind) - 4, "List") == 0;
}

int mg_jsonlist_fill_kind(cJSON *item, const char *list_kind, const char *api)
{
    size_t len = strlen(list_kind), n = len > 4 ? len - 4 : 0;
    char buf[128], *kind = n < sizeof(buf) ? buf : malloc(n + 1);
    cJSON *v;

    /* A kind not yet known (""), or a plain List: the items carry their own. */
    if (len <= 4 || strcmp(list_kind, "List") == 0 || !cJSON_IsObject(item) ||
        mg_json_get(item, "kind")) {
        if (kind != buf)
            free(kind);
        return 0;
    }
    if (!kind)
        return MG_ENOMEM;
    memcpy(kind, list_kind, n);
    kind[n] = '\0';
    v = cJSON_AddStringToObject(item, "kind", kind);
    if (kind != buf)
        free(kind);
    if (!v)
        return MG_ENOMEM;
    if (api && !mg_json_get(item, "apiVersion") &&
        !cJSON_AddStringToObject(item, "apiVersion", api))
        return MG_ENOMEM;
    return 0;
}

/* Parse the item at the scan (past it), in this thread's arena when *arena (then the
 * caller puts it with mg_store_put_arena and releases the arena): the packed kinds are
 * packed and dropped at once, a thousand small mallocs and frees an item saved. */
static cJSON *parse_item(struct scan *s, const char *kind, const char *api, bool *arena,
                         struct mg_json_error *je)
{
    cJSON *item;
    size_t used = 0;

    *arena = !mg_arena_active();
    if (*arena) {
        mg_arena_install();
        mg_arena_open();
    }
    item = mg_json_parse_prefix(s->p, (size_t)(s->end - s->p), MAX_ITEM_VALUES, &used, je);
    if (item) {
        s->p += used;
        if (mg_jsonlist_fill_kind(item, kind, api[0] ? api : NULL) != 0) {
            item = NULL;
            je->oom = true;
        }
    }
    if (*arena)
        mg_arena_close();
    return item;
}

/* The kind of the item at..end as its "kind" member says without escapes (the list's
 * kind less "List" for a typed list's items without one) in buf, or NULL when it takes
 * a parse to tell. Reads the members of the item, not their insides. */
static const char *peek_kind(const char *at, const char *end, const char *list_kind, char *buf,
                             size_t len)
{
    struct scan s = {at, end, at, false};

    skip_ws(&s);
    if (s.p >= s.end || *s.p++ != '{')
        return NULL;
    for (;;) {
        const char *key, *v;

        skip_ws(&s);
        if (s.p >= s.end || *s.p != '"' || !(key = s.p + 1, skip_string(&s)))
            return NULL;
        skip_ws(&s);
        if (s.p >= s.end || *s.p++ != ':')
            return NULL;
        skip_ws(&s);
        v = s.p + 1;
        if (s.p - 1 - key == 4 && memcmp(key, "kind", 4) == 0) {
            if (s.p >= s.end || *s.p != '"' || !skip_string(&s) || (size_t)(s.p - 1 - v) >= len ||
                memchr(v, '\\', (size_t)(s.p - 1 - v)))
                return NULL;
            memcpy(buf, v, (size_t)(s.p - 1 - v));
            buf[s.p - 1 - v] = '\0';
            return buf;
        }
        if (!skip_value(&s))
            return NULL;
        skip_ws(&s);
        if (s.p < s.end && *s.p == ',') {
            s.p++;
            continue;
        }
        break;
    }
    if (strcmp(list_kind, "List") == 0 || strlen(list_kind) - 4 >= len)
        return NULL;
    memcpy(buf, list_kind, strlen(list_kind) - 4);
    buf[strlen(list_kind) - 4] = '\0';
    return buf;
}

static int put_item(struct mg_store *st, const char *path, const char *text, struct scan *s,
                    const char *kind, const char *api, struct mg_err *err)
{
    const char *at = s->p, *k;
    struct mg_json_error je = {0};
    bool arena = false, skip = false;
    char kbuf[128];
    cJSON *item;
    int rc;

    /* A load of some kinds only (mg_store_set_filter) passes over the others. */
    if (mg_store_skips(st)) {
        bool ok;

        /* No drop inside the item: a wanted one is parsed from its start again, and a
         * page given back and faulted in again behind the last drop stays resident
         * (with large folios, a whole folio each time: a reload of 100,000 VMs kept up
         * to 200 MB of its files mapped). The drop after the item gives them back. */
        s->hold = true;
        ok = skip_value(s);
        s->hold = false;
        if (!ok)
            return mg_err_set_at(err, MG_EINVAL, path, line_at(text, at),
                                 "the items array does not end");
        if ((k = peek_kind(at, s->p, kind, kbuf, sizeof(kbuf))) && !mg_store_wants(st, k, &skip) &&
            skip)
            return 0;
        s->p = at;
    }
    item = parse_item(s, kind, api, &arena, &je);
    if (!item) {
        rc = mg_err_set_at(err, je.oom || !je.what ? MG_ENOMEM : MG_EINVAL, path,
                           line_at(text, at + je.at), "%s",
                           je.too_many ? "an item has more than 250000 values"
                                       : (je.what ? je.what : "out of memory"));
    } else if (!cJSON_IsObject(item)) {
        cJSON_Delete(item); /* a no-op for arena memory */
        rc = mg_err_set_at(err, MG_EINVAL, path, line_at(text, at), "an item is not an object");
    } else {
        rc = arena ? mg_store_put_arena(st, item, err) : mg_store_put(st, item, err);
        if (rc && err) {
            snprintf(err->file, sizeof(err->file), "%s", path);
            err->line = line_at(text, at);
        }
    }
    if (arena)
        mg_arena_release();
    mg_background_pace();
    return rc;
}

static int load_items(struct mg_store *st, const char *path, const char *text, size_t len,
                      const char *items, const char *kind, const char *api, const char **endp,
                      struct mg_err *err)
{
    struct scan s = {items + 1, text + len, text, false}; /* text: page-aligned */
    int rc = 0;

    skip_ws(&s);
    if (s.p < s.end && *s.p == ']') {
        *endp = s.p + 1;
        return 0;
    }
    for (;;) {
        skip_ws(&s);
        if ((rc = put_item(st, path, text, &s, kind, api, err)) != 0)
            return rc;
        skip_ws(&s);
        if (s.p < s.end && *s.p == ']') {
            *endp = s.p + 1;
            return 0;
        }
        if (s.p >= s.end || *s.p != ',')
            return mg_err_set_at(err, MG_EINVAL, path, line_at(text, s.p),
                                 "expected ',' or ']' in the items array");
        s.p++;
        drop_behind(&s);
    }
}

/* One pass over a big file: the items are stored as the scan meets them. */
struct stream {
    struct mg_store *st;
    const char *path;
    struct mg_err *err;
    int rc;
};

static int stream_items(struct stream *sm, const char *text, size_t len, const char *items,
                        const char *kind, const char *api, const char **endp)
{
    sm->rc = load_items(sm->st, sm->path, text, len, items, kind, api, endp, sm->err);
    return sm->rc;
}

int mg_jsonlist_load(struct mg_store *st, const char *path, bool *handled, struct mg_err *err)
{
    return mg_jsonlist_load_from(st, path, ONE_PASS_FROM, handled, err);
}

int mg_jsonlist_load_from(struct mg_store *st, const char *path, size_t one_pass_from,
                          bool *handled, struct mg_err *err)
{
    char kind[128] = "", api[256] = "";
    const char *items = NULL;
    struct stat sb;
    void *map = MAP_FAILED;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

    *handled = false;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0)
        goto out;
    map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED)
        goto out;
    madvise(map, (size_t)sb.st_size, MADV_SEQUENTIAL);
    if ((size_t)sb.st_size > one_pass_from) {
        struct stream sm = {st, path, err, 0};

        if (find_members(map, (size_t)sb.st_size, kind, sizeof(kind), api, sizeof(api), &items,
                         &sm)) {
            *handled = true;
        } else if (sm.rc) {
            *handled = true;
            rc = sm.rc;
        } else if (items) {
            /* Objects may be stored already: this file cannot be read as a document. */
            *handled = true;
            rc = mg_err_set_at(err, MG_EINVAL, path, 0,
                               "a document with an items array that is not a Kubernetes list "
                               "(kind \"%.100s\"), or not JSON around its items",
                               kind);
        }
        goto out;
    }
    if (!find_members(map, (size_t)sb.st_size, kind, sizeof(kind), api, sizeof(api), &items, NULL))
        goto out;
    *handled = true;
    {
        const char *endp;

        rc = load_items(st, path, map, (size_t)sb.st_size, items, kind, api, &endp, err);
    }
out:
    if (map != MAP_FAILED)
        munmap(map, (size_t)sb.st_size);
    if (fd >= 0)
        close(fd);
    return rc;
}
