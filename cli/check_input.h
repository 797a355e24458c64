/* SPDX-License-Identifier: Apache-2.0 */
/* check_input.h - what `migguard check` reads: manifest files, directories (loops and
 * broken files reported, the rest read on), standard input and pipes, expanded into the
 * objects to check; documents that are not Kubernetes objects skipped with a note. And
 * the whole objects an UPDATE's oldObject comes from (the view keeps some kinds
 * compacted). No rules: the engine decides. */
#ifndef MG_CHECK_INPUT_H
#define MG_CHECK_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "marks.h"
#include "yamljson.h"

/* Directories nested deeper than this are not read. */
#define MG_CHECK_MAX_DEPTH 32

struct mg_check_input {
    char *name; /* as given or found, "<stdin>" for - */
    char *text;
    struct mg_yaml_docs docs;
};

/* One object to check, borrowed from its input's documents. */
struct mg_check_pending {
    cJSON *obj;
    const struct mg_check_input *in;
    const struct mg_marks *marks;
    int line;
    int item; /* index in a List, -1 for a whole document */
};

/* A whole object by identity (kind, namespace, name), owned. */
struct mg_check_whole {
    char *kind, *ns, *name;
    cJSON *obj;
};

struct mg_check_inputs {
    struct mg_check_input *inputs;
    size_t n_inputs, cap_inputs;
    struct mg_check_pending *objs;
    size_t n_objs, cap_objs;
    size_t broken; /* inputs or objects that could not be read: exit 2 at the end */
    size_t named;  /* paths given on the command line */
    struct mg_check_whole *whole;
    size_t n_whole, cap_whole;
    /* while reading directories: the ones open above the current path, for loops */
    struct {
        dev_t dev;
        ino_t ino;
    } dirs[MG_CHECK_MAX_DEPTH + 1];
    /* while collecting: the document being expanded */
    const struct mg_check_input *cur;
    const struct mg_marks *cur_marks;
    int cur_line;
    const char *default_ns;
    struct mg_err *err;
};

/* Read a path named on the command line: a file (any name; a pipe such as /dev/stdin
 * too), "-" for standard input, or a directory (recursively, .yaml/.yml/.json files).
 * What cannot be read is reported on stderr and counted in c->broken; only MG_ENOMEM is
 * returned. */
int mg_check_inputs_read(struct mg_check_inputs *c, const char *path, struct mg_err *err);

/* Expand every document read into c->objs (lists into their items). Returns MG_ENOMEM
 * or 0; what is not an object is skipped with a note, broken objects are counted. */
int mg_check_inputs_collect(struct mg_check_inputs *c, struct mg_err *err);

/* Keep whole copies of the objects of the manifest files of state_dir that have the
 * identity of an object to check (its namespace: its own, else default_ns; none for
 * cluster-scoped kinds). Returns 0 or an error naming the file. */
int mg_check_inputs_keep_state(struct mg_check_inputs *c, const char *state_dir,
                               const char *default_ns, struct mg_err *err);

/* Keep (a copy of) obj as the whole object of its identity, replacing an older one. */
int mg_check_inputs_remember(struct mg_check_inputs *c, const char *kind, const char *ns,
                             const char *name, const cJSON *obj);

/* The whole object of an identity (borrowed), or NULL. */
const cJSON *mg_check_inputs_whole(const struct mg_check_inputs *c, const char *kind,
                                   const char *ns, const char *name);

/* Free everything; accepts a zeroed struct. */
void mg_check_inputs_free(struct mg_check_inputs *c);

#endif
