/* SPDX-License-Identifier: Apache-2.0 */
/* check_input.c - read `migguard check`'s input: files, directories, standard input
 * and pipes into documents, then objects. A broken file is reported and the rest read;
 * a document that is not a Kubernetes object is skipped with a note; a directory that
 * loops back through a symlink is reported as a loop. Prints only to stderr. */
#include "check_input.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json.h"
#include "load.h"
#include "manifest.h"
#include "setup.h"

/* One input file can hold many objects; each object is capped at review size. */
#define MAX_INPUT ((size_t)64 << 20)

static bool has_manifest_ext(const char *path)
{
    const char *dot = strrchr(path, '.');

    return dot &&
           (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0 || strcmp(dot, ".json") == 0);
}

/* Read and parse one file (or standard input for "-") into a new input. */
static int read_input(struct mg_check_inputs *c, const char *path, struct mg_err *err)
{
    struct mg_check_input *in;
    size_t len = 0;
    int rc;

    if (c->n_inputs == c->cap_inputs) {
        size_t cap = c->cap_inputs ? c->cap_inputs * 2 : 8;
        struct mg_check_input *ni = realloc(c->inputs, cap * sizeof(*ni));

        if (!ni)
            return mg_err_set(err, MG_ENOMEM, "out of memory");
        c->inputs = ni;
        c->cap_inputs = cap;
    }
    in = &c->inputs[c->n_inputs];
    memset(in, 0, sizeof(*in));
    in->name = strdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
    if (!in->name)
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    c->n_inputs++;
    rc = mg_setup_read_input(path, MAX_INPUT, &in->text, &len, err);
    if (rc == 0)
        rc = mg_yaml_parse(in->text, len, in->name, true, &in->docs, err);
    if (rc) {
        /* Nothing of a file that does not parse is checked. */
        if (!err->file[0])
            snprintf(err->file, sizeof(err->file), "%s", in->name);
        mg_yaml_docs_free(&in->docs);
        memset(&in->docs, 0, sizeof(in->docs));
    }
    return rc;
}

/* An input that cannot be read or parsed: one line on stderr naming it, counted for
 * the exit status, and the rest is still checked. Out of memory stops everything. */
static int broken(struct mg_check_inputs *c, int rc, struct mg_err *err)
{
    if (rc == 0 || rc == MG_ENOMEM)
        return rc;
    mg_setup_print_err(err);
    mg_err_clear(err);
    c->broken++;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_path(struct mg_check_inputs *c, const char *path, int depth, struct mg_err *err);

/* Every manifest file under dir, by name; hidden entries (ConfigMap ..data) skipped. */
static int read_dir(struct mg_check_inputs *c, const char *dir, int depth, struct mg_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;

    if (!d)
        return broken(
            c, mg_err_set_at(err, MG_EIO, dir, 0, "cannot read directory: %s", strerror(errno)),
            err);
    while (rc == 0 && (de = readdir(d)) != NULL) {
        size_t len = strlen(dir) + strlen(de->d_name) + 2;

        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **nn = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*nn));

            if (!nn) {
                rc = mg_err_set(err, MG_ENOMEM, "out of memory");
                break;
            }
            names = nn;
        }
        if (!(names[n] = malloc(len))) {
            rc = mg_err_set(err, MG_ENOMEM, "out of memory");
            break;
        }
        snprintf(names[n++], len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
                 de->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = read_path(c, names[i], depth + 1, err);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

/* A directory that is one of those above it (a symlink back up): the ancestor, or -1. */
static int loop_of(const struct mg_check_inputs *c, const struct stat *st, int depth)
{
    for (int i = 0; i < depth; i++) {
        if (c->dirs[i].dev == st->st_dev && c->dirs[i].ino == st->st_ino)
            return i;
    }
    return -1;
}

/* A path named on the command line (depth 0) is read whatever its name (a pipe such as
 * /dev/stdin or <(...) too); inside a directory only .yaml, .yml and .json files are.
 * What cannot be read is reported and skipped (broken); only MG_ENOMEM is returned. */
static int read_path(struct mg_check_inputs *c, const char *path, int depth, struct mg_err *err)
{
    struct stat st;

    if (strcmp(path, "-") == 0)
        return broken(c, read_input(c, path, err), err);
    if (stat(path, &st) != 0)
        return broken(c,
                      mg_err_set_at(err, MG_EIO, path, 0, "cannot read: %s",
                                    errno == ELOOP ? "a symlink loop" : strerror(errno)),
                      err);
    if (S_ISDIR(st.st_mode)) {
        if (loop_of(c, &st, depth) >= 0)
            return broken(c,
                          mg_err_set_at(err, MG_EINVAL, path, 0,
                                        "a symlink loop: this is the directory it is in, or "
                                        "one above it; skipped"),
                          err);
        if (depth >= MG_CHECK_MAX_DEPTH)
            return broken(c,
                          mg_err_set_at(err, MG_EINVAL, path, 0,
                                        "directories nested more than %d deep; skipped",
                                        MG_CHECK_MAX_DEPTH),
                          err);
        c->dirs[depth].dev = st.st_dev;
        c->dirs[depth].ino = st.st_ino;
        return read_dir(c, path, depth, err);
    }
    if (depth > 0 && (!S_ISREG(st.st_mode) || !has_manifest_ext(path)))
        return 0;
    return broken(c, read_input(c, path, err), err);
}

static bool str_member(const cJSON *o, const char *key)
{
    const cJSON *v = mg_json_get(o, key);

    return cJSON_IsString(v) && v->valuestring[0];
}

/* Why a document is not a Kubernetes object for the API server (kustomize's own files,
 * patches, lists of anything), or NULL when it is one. */
static const char *not_an_object(const cJSON *obj)
{
    const char *av = mg_json_str(obj, "apiVersion");

    if (!cJSON_IsObject(obj))
        return "not a mapping";
    /* One of the two is a manifest with a mistake: that is reported, not skipped. */
    if (!str_member(obj, "apiVersion") && !str_member(obj, "kind"))
        return "no apiVersion or kind";
    if (strncmp(av, "kustomize.config.k8s.io/", 24) == 0 ||
        strncmp(av, "config.kubernetes.io/", 21) == 0)
        return "a kustomize file";
    return NULL;
}

/* mg_load_each callback: queue one object; a document that is not a Kubernetes object
 * is skipped with a note, an object without a name is reported (broken). */
static int add_pending(void *ctx, cJSON *obj, int item)
{
    struct mg_check_inputs *c = ctx;
    const cJSON *md = mg_json_get(obj, "metadata");
    const char *why = not_an_object(obj);
    char ptr[48];
    int line = c->cur_line;
    struct mg_check_pending *p;

    if (item >= 0 && c->cur_marks) {
        snprintf(ptr, sizeof(ptr), "/items/%d", item);
        line = mg_marks_line(c->cur_marks, ptr);
    }
    if (why) {
        fprintf(stderr, "migguard check: note: %s:%d: %s skipped: %s, not a Kubernetes object\n",
                c->cur->name, line, item >= 0 ? "list item" : "document", why);
        return 0;
    }
    if (!str_member(obj, "apiVersion") || !str_member(obj, "kind"))
        return broken(c,
                      mg_err_set_at(c->err, MG_EINVAL, c->cur->name, line,
                                    "object has no apiVersion or kind; skipped"),
                      c->err);
    if (!cJSON_IsObject(md) || (!str_member(md, "name") && !str_member(md, "generateName")))
        return broken(c,
                      mg_err_set_at(c->err, MG_EINVAL, c->cur->name, line,
                                    "object has no metadata.name or metadata.generateName "
                                    "(kind %.100s); skipped",
                                    mg_json_get(obj, "kind")->valuestring),
                      c->err);
    if (c->n_objs == c->cap_objs) {
        size_t cap = c->cap_objs ? c->cap_objs * 2 : 16;
        struct mg_check_pending *np = realloc(c->objs, cap * sizeof(*np));

        if (!np)
            return mg_err_set(c->err, MG_ENOMEM, "out of memory");
        c->objs = np;
        c->cap_objs = cap;
    }
    p = &c->objs[c->n_objs++];
    p->obj = obj;
    p->in = c->cur;
    p->marks = c->cur_marks;
    p->line = line;
    p->item = item;
    return 0;
}

int mg_check_inputs_collect(struct mg_check_inputs *c, struct mg_err *err)
{
    int rc = 0;

    c->err = err;
    for (size_t i = 0; i < c->n_inputs && rc == 0; i++) {
        const struct mg_check_input *in = &c->inputs[i];

        for (size_t d = 0; d < in->docs.n && rc == 0; d++) {
            c->cur = in;
            c->cur_marks = in->docs.marks ? in->docs.marks[d] : NULL;
            c->cur_line = in->docs.lines[d];
            rc = mg_load_each(in->docs.docs[d], add_pending, c);
            if (rc == MG_ENOMEM && !err->msg[0])
                mg_err_set(err, MG_ENOMEM, "out of memory");
        }
    }
    return rc;
}

int mg_check_inputs_read(struct mg_check_inputs *c, const char *path, struct mg_err *err)
{
    c->named++;
    return read_path(c, path, 0, err);
}

/* The identity check gives obj: kind, namespace (its own or default_ns; "" when
 * cluster-scoped) and name; false when obj has none (no kind or name). */
static bool identity(const cJSON *obj, const char *default_ns, const char **kind, const char **ns,
                     const char **name)
{
    const cJSON *md = mg_json_get(obj, "metadata");
    const char *own = mg_json_str(md, "namespace");

    *kind = mg_json_str(obj, "kind");
    *name = mg_json_str(md, "name");
    if (!*kind || !*name)
        return false;
    *ns = mg_manifest_cluster_scoped(*kind) ? "" : own && own[0] ? own : default_ns;
    return true;
}

static struct mg_check_whole *find_whole(const struct mg_check_inputs *c, const char *kind,
                                         const char *ns, const char *name)
{
    for (size_t i = 0; i < c->n_whole; i++) {
        const struct mg_check_whole *w = &c->whole[i];

        if (strcmp(w->name, name) == 0 && strcmp(w->kind, kind) == 0 && strcmp(w->ns, ns) == 0)
            return &c->whole[i];
    }
    return NULL;
}

const cJSON *mg_check_inputs_whole(const struct mg_check_inputs *c, const char *kind,
                                   const char *ns, const char *name)
{
    const struct mg_check_whole *w = find_whole(c, kind, ns, name);

    return w ? w->obj : NULL;
}

int mg_check_inputs_remember(struct mg_check_inputs *c, const char *kind, const char *ns,
                             const char *name, const cJSON *obj)
{
    struct mg_check_whole *w = find_whole(c, kind, ns, name);
    cJSON *copy = cJSON_Duplicate(obj, 1);

    if (!copy)
        return MG_ENOMEM;
    if (w) {
        cJSON_Delete(w->obj);
        w->obj = copy;
        return 0;
    }
    if (c->n_whole == c->cap_whole) {
        size_t cap = c->cap_whole ? c->cap_whole * 2 : 8;
        struct mg_check_whole *nw = realloc(c->whole, cap * sizeof(*nw));

        if (!nw) {
            cJSON_Delete(copy);
            return MG_ENOMEM;
        }
        c->whole = nw;
        c->cap_whole = cap;
    }
    w = &c->whole[c->n_whole];
    w->kind = strdup(kind);
    w->ns = strdup(ns);
    w->name = strdup(name);
    w->obj = copy;
    if (!w->kind || !w->ns || !w->name) {
        free(w->kind);
        free(w->ns);
        free(w->name);
        cJSON_Delete(copy);
        return MG_ENOMEM;
    }
    c->n_whole++;
    return 0;
}

/* mg_load_dir_each callback: keep a state object that an input object will update. */
static int keep_if_checked(void *ctx, cJSON *obj, int item)
{
    struct mg_check_inputs *c = ctx;
    const char *kind, *ns, *name;

    (void)item;
    /* A state object's namespace is its own: the view has no default for it. */
    if (!cJSON_IsObject(obj) || !identity(obj, "", &kind, &ns, &name))
        return 0;
    for (size_t i = 0; i < c->n_objs; i++) {
        const char *k, *n, *nm;

        if (identity(c->objs[i].obj, c->default_ns, &k, &n, &nm) && strcmp(nm, name) == 0 &&
            strcmp(k, kind) == 0 && strcmp(n, ns) == 0)
            return mg_check_inputs_remember(c, kind, ns, name, obj);
    }
    return 0;
}

int mg_check_inputs_keep_state(struct mg_check_inputs *c, const char *state_dir,
                               const char *default_ns, struct mg_err *err)
{
    c->default_ns = default_ns;
    return mg_load_dir_each(state_dir, keep_if_checked, c, err);
}

void mg_check_inputs_free(struct mg_check_inputs *c)
{
    for (size_t i = 0; i < c->n_inputs; i++) {
        free(c->inputs[i].name);
        free(c->inputs[i].text);
        mg_yaml_docs_free(&c->inputs[i].docs);
    }
    for (size_t i = 0; i < c->n_whole; i++) {
        free(c->whole[i].kind);
        free(c->whole[i].ns);
        free(c->whole[i].name);
        cJSON_Delete(c->whole[i].obj);
    }
    free(c->inputs);
    free(c->objs);
    free(c->whole);
    memset(c, 0, sizeof(*c));
}
