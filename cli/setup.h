/* SPDX-License-Identifier: Apache-2.0 */
/* setup.h - what every subcommand does first: load --config and --state into an
 * engine, all or nothing, with one-line errors that name the file and line.
 * Only the CLI prints; the layers below return errors. */
#ifndef MG_SETUP_H
#define MG_SETUP_H

#include <stdio.h>

#include "engine.h"

/* Build an engine from an optional config file and an optional state directory.
 * On failure prints "migguard: FILE:LINE: message" to stderr and returns non-zero. */
int mg_setup_engine(const char *config_path, const char *state_dir, struct mg_engine **out);

/* RULES.md 9.3: when view holds several HyperConvergeds, one line into buf ("3
 * HyperConvergeds: the migration settings come from NS/NAME (RULES.md 9.3); ignored:
 * ...") saying which one the cluster's migration settings come from and which were
 * ignored; "" for one or none. The caller holds the view's lock, if any. */
void mg_setup_hco_note(const struct mg_store *view, char *buf, size_t len);

/* mg_setup_hco_note and mg_lmc_jsonpatch_note (the chosen HyperConverged's jsonpatch
 * annotation is ignored) printed to stderr as "migguard CMD: ...", when there is one. */
void mg_setup_note_hcos(const char *cmd, const struct mg_store *view, const struct mg_config *cfg);

/* Print err as one line to stderr, prefixed with "migguard: " and the file and line
 * when known. */
void mg_setup_print_err(const struct mg_err *err);

/* Read a whole file, or standard input for "-", capped at max bytes (MG_ETOOBIG
 * past it); a path that is a pipe or terminal (/dev/stdin, process substitution) is
 * read as a stream. Caller frees *out with free(). */
int mg_setup_read_input(const char *path, size_t max, char **out, size_t *len, struct mg_err *err);

#endif
