/* SPDX-License-Identifier: Apache-2.0 */
/* tlsreload.h - the serving certificate as GnuTLS objects, re-read when its files
 * change (issue 6: cert-manager or a Secret update rotates them under a running pod).
 * A poll thread stats both files; a changed pair that loads and matches replaces the
 * current one, atomically for new handshakes. GnuTLS's retrieve callback has no user
 * pointer, so one reloading store may be active per process. */
#ifndef MG_TLSRELOAD_H
#define MG_TLSRELOAD_H

#include <stdatomic.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include "err.h"

struct mg_tlsreload;

/* Check that cert_pem (a chain, leaf first) and key_pem load in GnuTLS and match.
 * MG_ETLS with GnuTLS's reason otherwise. */
int mg_tlsreload_check_pem(const char *cert_pem, const char *key_pem, struct mg_err *err);

/* Read a PEM file (at most 1 MiB) into a NUL-terminated string; caller frees *out with
 * free(). */
int mg_tlsreload_read(const char *path, char **out, struct mg_err *err);

/* Load the pair now (failing as mg_tlsreload_check_pem does, or MG_EIO) and start
 * polling every interval_s seconds. ok and failed (may be NULL) count reloads. Becomes
 * the process's active store; MG_ECONFIG when another one is active. */
int mg_tlsreload_start(struct mg_tlsreload **out, const char *cert_file, const char *key_file,
                       unsigned interval_s, atomic_ulong *ok, atomic_ulong *failed,
                       struct mg_err *err);

/* Stop polling and free every generation; call after the TLS server stopped (no
 * handshake may run). Accepts NULL. */
void mg_tlsreload_stop(struct mg_tlsreload *r);

/* Poll once now (tests; the thread does the same). Returns 1 when it switched, 0 when
 * nothing changed, -1 when a changed pair failed to load (kept the old one). */
int mg_tlsreload_poll(struct mg_tlsreload *r);

/* Send the poll's lines ("tls: reloaded ...", one line without '\n') to fn instead of
 * stderr; fn must not block. */
void mg_tlsreload_set_log(struct mg_tlsreload *r, void (*fn)(void *ctx, const char *line),
                          void *ctx);

/* Also call fn(ctx) after each poll, on the poll thread (the client CA bundles of
 * clientauth.h are re-read this way). fn must not block. */
void mg_tlsreload_also(struct mg_tlsreload *r, void (*fn)(void *ctx), void *ctx);

/* gnutls_certificate_retrieve_function2 for MHD_OPTION_HTTPS_CERT_CALLBACK: hands
 * out the active store's current pair. */
int mg_tlsreload_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn, int nreqs,
                          const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                          gnutls_pcert_st **pcert, unsigned int *pcert_length,
                          gnutls_privkey_t *pkey);

#endif
