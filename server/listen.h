/* SPDX-License-Identifier: Apache-2.0 */
/* listen.h - the sockets side of starting the webhook's loops: the descriptor budget,
 * a port nobody else listens on, the port one loop bound handed to the others. Internal
 * to server/; no HTTP. */
#ifndef MG_LISTEN_H
#define MG_LISTEN_H

#include "addr.h"
#include "err.h"

/* Raise the soft descriptor limit toward want plus a reserve (the hard limit caps it)
 * and return how many connections fit. */
unsigned mg_listen_fd_budget(unsigned want);

/* Event loops by default: one per usable CPU (cpus.h), at least 2, at most max. */
unsigned mg_listen_threads(unsigned max);

/* Set a's port (after port 0 picked one). */
void mg_listen_set_port(struct mg_addr *a, unsigned port);

/* MG_ECONFIG naming listen when something already listens on a's port (the loops bind
 * with SO_REUSEPORT, which would otherwise share the port with a second migguard). */
int mg_listen_check_free(const struct mg_addr *a, const char *listen, struct mg_err *err);

#endif
