/* SPDX-License-Identifier: Apache-2.0 */
/* clientauth.h - who may send reviews (issue 15): the TLS client certificate of a
 * connection, checked with GnuTLS against the --client-ca bundles (purpose TLS client)
 * and, when names are given, against its subject CN and SANs. The bundles are re-read
 * when their files change; a bundle that does not load keeps the previous one. */
#ifndef MG_CLIENTAUTH_H
#define MG_CLIENTAUTH_H

#include <stddef.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "err.h"

struct mg_clientauth;

/* Load every PEM bundle in ca_files (each must hold at least one certificate) and keep
 * names (none: any certificate the CAs signed). Both arrays are copied. MG_EIO for a
 * file that cannot be read, MG_ETLS for one without a certificate, MG_EINVAL for no
 * file. Caller frees *out with mg_clientauth_free. */
int mg_clientauth_new(struct mg_clientauth **out, const char *const *ca_files, size_t n_ca,
                      const char *const *names, size_t n_names, struct mg_err *err);

/* Free every generation; no verification may run. Accepts NULL. */
void mg_clientauth_free(struct mg_clientauth *a);

/* Re-read the bundles when a file changed (device, inode, size or mtime). Returns 1 when
 * the new bundles are in use, 0 when nothing changed, -1 when a changed bundle failed
 * (err says why; the previous bundles stay). One poll at a time (the caller serialises). */
int mg_clientauth_poll(struct mg_clientauth *a, struct mg_err *err);

/* A number that changes whenever poll switched bundles: a verdict cached with one
 * generation is stale under another. Thread-safe. */
unsigned mg_clientauth_generation(struct mg_clientauth *a);

/* Check the peer certificate of a handshaken session. 0 when it chains to a CA for TLS
 * client use and carries an allowed name; otherwise -1 and why (NUL-terminated, at most
 * n bytes) says what was wrong and what to do. Thread-safe. */
int mg_clientauth_verify(struct mg_clientauth *a, gnutls_session_t session, char *why, size_t n);

/* MHD_OPTION_NOTIFY_CONNECTION for the TLS daemons (cls unused): asks each new
 * connection's client for a certificate (requested, not required, so probes without one
 * still connect) and keeps a small verdict cache per connection, freed when it closes. */
void mg_clientauth_notify(void *cls, struct MHD_Connection *c, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode code);

/* mg_clientauth_verify for a connection, once per connection (when mg_clientauth_notify
 * is its notifier) and again after the bundles changed. 0 or -1 with why. Called from
 * the connection's own thread. */
int mg_clientauth_check(struct mg_clientauth *a, struct MHD_Connection *c, char *why, size_t n);

#endif
