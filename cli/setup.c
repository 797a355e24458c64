/* SPDX-License-Identifier: Apache-2.0 */
/* setup.c - load configuration and state for the subcommands.
 * A bad file stops the command: migguard never runs on half a view. */
#include "setup.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json.h"
#include "lmc.h"
#include "load.h"
#include "yamljson.h"

/* How many ignored HyperConvergeds one note names before "and N more". */
#define NOTE_MAX 8

static const char *ns_of(const cJSON *o)
{
    const char *ns = mg_json_str(mg_json_get(o, "metadata"), "namespace");

    return ns ? ns : "";
}

void mg_setup_hco_note(const struct mg_store *view, char *buf, size_t len)
{
    const cJSON *ignored[NOTE_MAX], *used = mg_lmc_hco_pick(view);
    size_t n = mg_lmc_hco_ignored(view, ignored, NOTE_MAX), at;

    buf[0] = '\0';
    if (!n)
        return;
    at = (size_t)snprintf(buf, len,
                          "%zu HyperConvergeds: the migration settings come from %.63s/%.253s "
                          "(RULES.md 9.3); ignored:",
                          n + 1, ns_of(used), mg_json_name_or(used, ""));
    for (size_t i = 0; i < n && i < NOTE_MAX && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, "%s %.63s/%.253s", i ? "," : "",
                               ns_of(ignored[i]), mg_json_name_or(ignored[i], ""));
    if (n > NOTE_MAX && at < len)
        snprintf(buf + at, len - at, " and %zu more", n - NOTE_MAX);
}

void mg_setup_note_hcos(const char *cmd, const struct mg_store *view, const struct mg_config *cfg)
{
    char note[2048];

    mg_setup_hco_note(view, note, sizeof(note));
    if (*note)
        fprintf(stderr, "migguard %s: %s\n", cmd, note);
    mg_lmc_jsonpatch_note(view, cfg, note, sizeof(note));
    if (*note)
        fprintf(stderr, "migguard %s: %s\n", cmd, note);
}

void mg_setup_print_err(const struct mg_err *err)
{
    if (err->file[0] && err->line > 0)
        fprintf(stderr, "migguard: %s:%d: %s\n", err->file, err->line, err->msg);
    else if (err->file[0] && !strstr(err->msg, err->file))
        fprintf(stderr, "migguard: %s: %s\n", err->file, err->msg);
    else
        fprintf(stderr, "migguard: %s\n", err->msg);
}

int mg_setup_engine(const char *config_path, const char *state_dir, struct mg_engine **out)
{
    struct mg_config cfg;
    struct mg_store *store = NULL;
    struct mg_err err = {0};
    int rc = 0;

    *out = NULL;
    mg_config_init(&cfg);
    if (config_path) {
        rc = mg_config_load_file(&cfg, config_path, &err);
        if (rc)
            goto out;
    }
    store = mg_store_new();
    if (!store) {
        rc = mg_err_set(&err, MG_ENOMEM, "out of memory");
        goto out;
    }
    if (state_dir) {
        rc = mg_load_dir(store, state_dir, &err);
        if (rc)
            goto out;
    }
    rc = mg_engine_new(out, &cfg, store, &err);
    store = NULL;
    if (rc == 0 && state_dir)
        mg_engine_state_loaded(*out);
out:
    mg_store_free(store);
    if (rc)
        mg_setup_print_err(&err);
    return rc;
}

int mg_setup_read_input(const char *path, size_t max, char **out, size_t *len, struct mg_err *err)
{
    bool std = strcmp(path, "-") == 0;
    const char *name = std ? "standard input" : path;
    size_t cap = 65536, n = 0;
    struct stat st;
    FILE *f;
    char *buf;
    int rc = 0;

    /* A pipe or terminal (/dev/stdin, <(...) process substitution) is read as a stream;
     * a regular file through mg_read_file. */
    if (!std && (stat(path, &st) != 0 || S_ISREG(st.st_mode)))
        return mg_read_file(path, max, out, len, err);
    if (!(f = std ? stdin : fopen(path, "rb")))
        return mg_err_set(err, MG_EIO, "cannot read %s: %s", name, strerror(errno));
    if (!(buf = malloc(cap + 1))) {
        rc = mg_err_set(err, MG_ENOMEM, "out of memory reading %s", name);
        goto out;
    }
    for (;;) {
        size_t got;

        if (n == cap) {
            char *nbuf;

            if (cap > max) {
                rc = mg_err_set(err, MG_ETOOBIG, "%s is over %zu bytes", name, max);
                goto out;
            }
            cap *= 2;
            if (!(nbuf = realloc(buf, cap + 1))) {
                rc = mg_err_set(err, MG_ENOMEM, "out of memory reading %s", name);
                goto out;
            }
            buf = nbuf;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f) || n > max) {
        rc = n > max ? mg_err_set(err, MG_ETOOBIG, "%s is over %zu bytes", name, max)
                     : mg_err_set(err, MG_EIO, "cannot read %s", name);
        goto out;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
out:
    free(buf);
    if (!std)
        fclose(f);
    return rc;
}
