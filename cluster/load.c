/* SPDX-License-Identifier: Apache-2.0 */
/* load.c - fill a store from manifest files as `kubectl get -o yaml|json` writes them:
 * multi-document YAML, single objects, `kind: List` and typed lists (FooList, whose
 * items may lack kind). Reads files only; every error names the file and line. */
#include "load.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json.h"
#include "jsonlist.h"
#include "memtrim.h"
#include "yamljson.h"

/* A state file is written by kubectl, not by an attacker, but still has a cap. */
#define MAX_FILE ((size_t)64 << 20)

static bool ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);

    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

static const char *type_name(const cJSON *v)
{
    if (cJSON_IsArray(v))
        return "a sequence";
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsBool(v))
        return "a boolean";
    return "null";
}

/* Store one object; takes ownership of obj. */
static int put_one(struct mg_store *s, cJSON *obj, const char *where, int line, struct mg_err *err)
{
    const cJSON *kind = mg_json_get(obj, "kind");
    const cJSON *md = mg_json_get(obj, "metadata");
    const cJSON *name = mg_json_get(md, "name");
    int rc;

    if (!cJSON_IsObject(obj)) {
        rc = mg_err_set_at(err, MG_EINVAL, where, line, "object is %s, not a mapping",
                           type_name(obj));
    } else if (!cJSON_IsString(kind) || !kind->valuestring[0]) {
        rc = mg_err_set_at(err, MG_EINVAL, where, line, "object has no kind");
    } else if (!cJSON_IsString(name) || !name->valuestring[0]) {
        rc = mg_err_set_at(err, MG_EINVAL, where, line, "object has no metadata.name (kind %.100s)",
                           kind->valuestring);
    } else {
        rc = mg_store_put(s, obj, err);
        if (rc && err) {
            snprintf(err->file, sizeof(err->file), "%s", where ? where : "");
            err->line = line;
        }
        return rc;
    }
    cJSON_Delete(obj);
    return rc;
}

static int load_list(struct mg_store *s, cJSON *doc, const char *where, int line,
                     const struct mg_marks *marks, struct mg_err *err)
{
    const char *kind = mg_json_get(doc, "kind")->valuestring;
    const cJSON *api = mg_json_get(doc, "apiVersion");
    cJSON *items = mg_json_get(doc, "items");
    cJSON *item;
    char ptr[48];
    size_t i = 0;
    int rc = 0;

    while (cJSON_IsArray(items) && (item = items->child) != NULL) {
        int at = line;

        cJSON_DetachItemViaPointer(items, item);
        if (marks) {
            snprintf(ptr, sizeof(ptr), "/items/%zu", i);
            at = mg_marks_line(marks, ptr);
        }
        i++;
        if (mg_jsonlist_fill_kind(item, kind, cJSON_GetStringValue(api)) != 0) {
            cJSON_Delete(item);
            rc = mg_err_set_at(err, MG_ENOMEM, where, at, "out of memory");
            break;
        }
        rc = put_one(s, item, where, at, err);
        if (rc)
            break;
    }
    cJSON_Delete(doc);
    return rc;
}

static int load_doc(struct mg_store *s, cJSON *doc, const char *where, int line,
                    const struct mg_marks *marks, struct mg_err *err)
{
    const cJSON *kind = mg_json_get(doc, "kind");
    const cJSON *items = mg_json_get(doc, "items");

    if (!cJSON_IsObject(doc)) {
        int rc = mg_err_set_at(err, MG_EINVAL, where, line, "document is %s, not a mapping",
                               type_name(doc));

        cJSON_Delete(doc);
        return rc;
    }
    /* `kubectl get -o yaml` of nothing writes `kind: List` with `items: []` (or none). */
    if (cJSON_IsString(kind) && ends_with(kind->valuestring, "List") &&
        (cJSON_IsArray(items) ||
         (strcmp(kind->valuestring, "List") == 0 && (!items || cJSON_IsNull(items)))))
        return load_list(s, doc, where, line, marks, err);
    return put_one(s, doc, where, line, err);
}

int mg_load_doc(struct mg_store *s, cJSON *doc, const char *where, int line, struct mg_err *err)
{
    return load_doc(s, doc, where, line, NULL, err);
}

int mg_load_each(cJSON *doc, int (*fn)(void *ctx, cJSON *obj, int index), void *ctx)
{
    const cJSON *kind = mg_json_get(doc, "kind");
    const cJSON *api = mg_json_get(doc, "apiVersion");
    cJSON *items = mg_json_get(doc, "items");
    cJSON *item;
    int i = 0, rc;

    /* The same test as load_doc: a `kind: List` without items is an empty list. */
    if (!cJSON_IsObject(doc) || !cJSON_IsString(kind) || !ends_with(kind->valuestring, "List") ||
        !(cJSON_IsArray(items) ||
          (strcmp(kind->valuestring, "List") == 0 && (!items || cJSON_IsNull(items)))))
        return fn(ctx, doc, -1);
    cJSON_ArrayForEach (item, items) {
        if (mg_jsonlist_fill_kind(item, kind->valuestring, cJSON_GetStringValue(api)))
            return MG_ENOMEM;
        if ((rc = fn(ctx, item, i++)) != 0)
            return rc;
    }
    return 0;
}

int mg_load_file(struct mg_store *s, const char *path, struct mg_err *err)
{
    struct mg_yaml_docs docs = {0};
    char *text = NULL;
    size_t len = 0;
    bool streamed = false;
    int rc = 0;

    /* A JSON list of any size is read item by item; everything else is a document. */
    if (ends_with(path, ".json")) {
        rc = mg_jsonlist_load(s, path, &streamed, err);
        if (streamed || rc)
            return rc;
    }
    rc = mg_read_file(path, MAX_FILE, &text, &len, err);
    if (rc)
        goto out;
    rc = mg_yaml_parse(text, len, path, true, &docs, err);
    if (rc)
        goto out;
    for (size_t i = 0; i < docs.n && rc == 0; i++) {
        cJSON *doc = docs.docs[i];

        docs.docs[i] = NULL;
        rc = load_doc(s, doc, path, docs.lines[i], docs.marks[i], err);
    }
out:
    mg_yaml_docs_free(&docs);
    free(text);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the manifest files of dir, sorted; caller frees each and the array. */
static int list_dir(const char *dir, char ***out, size_t *n, struct mg_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t cap = 0;
    int rc = 0;

    *n = 0;
    if (!d)
        return mg_err_set_at(err, MG_EIO, dir, 0, "cannot read directory %s: %s", dir,
                             strerror(errno));
    for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
        const char *nm = de->d_name;

        if (!ends_with(nm, ".yaml") && !ends_with(nm, ".yml") && !ends_with(nm, ".json"))
            continue;
        if (*n == cap) {
            char **nn = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*nn));

            if (!nn)
                break;
            names = nn;
        }
        if (!(names[*n] = strdup(nm)))
            break;
        (*n)++;
    }
    if (de || errno)
        rc = de ? mg_err_set_at(err, MG_ENOMEM, dir, 0, "out of memory listing %s", dir)
                : mg_err_set_at(err, MG_EIO, dir, 0, "cannot read directory %s: %s", dir,
                                strerror(errno));
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof(*names), cmp_names);
    *out = names;
    return rc;
}

/* Call file_fn for every regular manifest file of dir, by name. */
static int each_file(const char *dir,
                     int (*file_fn)(void *ctx, const char *path, struct mg_err *err), void *ctx,
                     struct mg_err *err)
{
    char **names = NULL, *path = NULL;
    size_t n = 0;
    int rc = list_dir(dir, &names, &n, err);

    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        struct stat st;

        free(path);
        if (!(path = malloc(len))) {
            rc = mg_err_set_at(err, MG_ENOMEM, dir, 0, "out of memory");
            break;
        }
        snprintf(path, len, "%s/%s", dir, names[i]);
        /* stat, not lstat: ConfigMap volumes present files as symlinks into ..data. */
        if (stat(path, &st) != 0) {
            rc = mg_err_set_at(err, MG_EIO, path, 0, "cannot read %s: %s", path, strerror(errno));
            break;
        }
        if (S_ISREG(st.st_mode))
            rc = file_fn(ctx, path, err);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(path);
    return rc;
}

static int load_wanted_file(void *ctx, const char *path, struct mg_err *err)
{
    struct mg_store *s = ctx;

    return mg_store_wants_file(s, path) ? mg_load_file(s, path, err) : 0;
}

int mg_load_dir(struct mg_store *s, const char *dir, struct mg_err *err)
{
    int rc = each_file(dir, load_wanted_file, s, err);

    mg_mem_trim();
    return rc;
}

struct each {
    int (*fn)(void *ctx, cJSON *obj, int index);
    void *ctx;
};

/* Every object of one file, whole, to the caller's fn. */
static int each_in_file(void *ctx, const char *path, struct mg_err *err)
{
    const struct each *e = ctx;
    struct mg_yaml_docs docs = {0};
    char *text = NULL;
    size_t len = 0;
    int rc = mg_read_file(path, MAX_FILE, &text, &len, err);

    if (rc == 0)
        rc = mg_yaml_parse(text, len, path, false, &docs, err);
    for (size_t i = 0; i < docs.n && rc == 0; i++)
        rc = mg_load_each(docs.docs[i], e->fn, e->ctx);
    mg_yaml_docs_free(&docs);
    free(text);
    return rc;
}

int mg_load_dir_each(const char *dir, int (*fn)(void *ctx, cJSON *obj, int index), void *ctx,
                     struct mg_err *err)
{
    struct each e = {fn, ctx};

    return each_file(dir, each_in_file, &e, err);
}
