/* SPDX-License-Identifier: Apache-2.0 */
/* setup.c - load configuration and state for the subcommands.
 * A bad file stops the command: migguard never runs on half a view. */
#include "setup.h"

#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "yamljson.h"

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
out:
    mg_store_free(store);
    if (rc)
        mg_setup_print_err(&err);
    return rc;
}

int mg_setup_read_input(const char *path, size_t max, char **out, size_t *len, struct mg_err *err)
{
    size_t cap = 65536, n = 0;
    char *buf;

    if (strcmp(path, "-") != 0)
        return mg_read_file(path, max, out, len, err);
    buf = malloc(cap + 1);
    if (!buf)
        return mg_err_set(err, MG_ENOMEM, "out of memory reading standard input");
    for (;;) {
        size_t got;

        if (n == cap) {
            char *nbuf;

            if (cap > max) {
                free(buf);
                return mg_err_set(err, MG_ETOOBIG, "standard input is over %zu bytes", max);
            }
            cap *= 2;
            nbuf = realloc(buf, cap + 1);
            if (!nbuf) {
                free(buf);
                return mg_err_set(err, MG_ENOMEM, "out of memory reading standard input");
            }
            buf = nbuf;
        }
        got = fread(buf + n, 1, cap - n, stdin);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(stdin) || n > max) {
        free(buf);
        return n > max ? mg_err_set(err, MG_ETOOBIG, "standard input is over %zu bytes", max)
                       : mg_err_set(err, MG_EIO, "cannot read standard input");
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}
