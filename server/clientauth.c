/* SPDX-License-Identifier: Apache-2.0 */
/* clientauth.c - client certificate checks with GnuTLS trust lists. A generation (one
 * trust list) is immutable once published and kept until free, because a verification
 * that already picked it may still be running (CA rotations are rare and small). A
 * connection's verdict is kept in MHD's socket context. No responses here: server.c
 * asks, and answers 403 with the reason. */
#include "clientauth.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gnutls/x509.h>

#include "tlsreload.h"

#define MAX_PEER_CHAIN 8
#define NAME_MAX_LEN 256
#define HOW_TO_FIX                                                                                 \
    "; configure the API server with a client certificate from the --client-ca "                   \
    "(AdmissionConfiguration kubeConfigFile, see deploy/README.md)"

struct stamp {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
};

struct gen {
    struct gen *older;
    gnutls_x509_trust_list_t tl;
};

struct mg_clientauth {
    char **files;
    size_t n_files;
    char **names;
    size_t n_names;
    struct stamp *seen; /* of the last bundles tried, one per file */
    _Atomic(struct gen *) cur;
    atomic_uint generation; /* bumped after each bundle switch */
};

static void gen_free(struct gen *g)
{
    while (g) {
        struct gen *older = g->older;

        gnutls_x509_trust_list_deinit(g->tl, 1);
        free(g);
        g = older;
    }
}

static int gen_load(const struct mg_clientauth *a, struct gen **out, struct mg_err *err)
{
    struct gen *g = calloc(1, sizeof(*g));
    int rc = 0;

    *out = NULL;
    if (!g || gnutls_x509_trust_list_init(&g->tl, 0) < 0) {
        free(g);
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < a->n_files && rc == 0; i++) {
        char *pem = NULL;
        gnutls_datum_t d;
        int n;

        if ((rc = mg_tlsreload_read(a->files[i], &pem, err)) != 0)
            break;
        d.data = (unsigned char *)pem;
        d.size = (unsigned)strlen(pem);
        n = gnutls_x509_trust_list_add_trust_mem(g->tl, &d, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
        if (n <= 0)
            rc = mg_err_set(err, MG_ETLS, "--client-ca %s holds no PEM certificate%s%s",
                            a->files[i], n < 0 ? ": " : "", n < 0 ? gnutls_strerror(n) : "");
        free(pem);
    }
    if (rc == 0)
        *out = g;
    else
        gen_free(g);
    return rc;
}

static void stamp_files(const struct mg_clientauth *a, struct stamp *s)
{
    for (size_t i = 0; i < a->n_files; i++) {
        struct stat st;

        memset(&s[i], 0, sizeof(s[i]));
        if (stat(a->files[i], &st) != 0)
            continue;
        s[i].dev = st.st_dev;
        s[i].ino = st.st_ino;
        s[i].size = st.st_size;
        s[i].mtime = st.st_mtim;
    }
}

static char **copy_list(const char *const *v, size_t n)
{
    char **out = calloc(n ? n : 1, sizeof(*out));

    for (size_t i = 0; out && i < n; i++) {
        if (!(out[i] = strdup(v[i]))) {
            for (size_t j = 0; j < i; j++)
                free(out[j]);
            free(out);
            return NULL;
        }
    }
    return out;
}

void mg_clientauth_free(struct mg_clientauth *a)
{
    if (!a)
        return;
    gen_free(atomic_load(&a->cur));
    for (size_t i = 0; a->files && i < a->n_files; i++)
        free(a->files[i]);
    for (size_t i = 0; a->names && i < a->n_names; i++)
        free(a->names[i]);
    free(a->files);
    free(a->names);
    free(a->seen);
    free(a);
}

int mg_clientauth_new(struct mg_clientauth **out, const char *const *ca_files, size_t n_ca,
                      const char *const *names, size_t n_names, struct mg_err *err)
{
    struct mg_clientauth *a = calloc(1, sizeof(*a));
    struct gen *g = NULL;
    int rc;

    *out = NULL;
    if (!a)
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    if (n_ca == 0) {
        rc = mg_err_set(err, MG_EINVAL, "client authentication needs a --client-ca file");
        goto fail;
    }
    a->n_files = n_ca;
    a->n_names = n_names;
    a->files = copy_list(ca_files, n_ca);
    a->names = copy_list(names, n_names);
    a->seen = calloc(n_ca, sizeof(*a->seen));
    if (!a->files || !a->names || !a->seen) {
        rc = mg_err_set(err, MG_ENOMEM, "out of memory");
        goto fail;
    }
    stamp_files(a, a->seen);
    if ((rc = gen_load(a, &g, err)) != 0)
        goto fail;
    atomic_store(&a->cur, g);
    *out = a;
    return 0;
fail:
    mg_clientauth_free(a);
    return rc;
}

int mg_clientauth_poll(struct mg_clientauth *a, struct mg_err *err)
{
    struct stamp *s = calloc(a->n_files, sizeof(*s));
    struct gen *g = NULL;
    int rc = 0;

    if (!s)
        return 0; /* out of memory: try again at the next poll */
    stamp_files(a, s);
    if (memcmp(s, a->seen, a->n_files * sizeof(*s)) == 0)
        goto out;
    memcpy(a->seen, s, a->n_files * sizeof(*s));
    if (gen_load(a, &g, err) != 0) {
        rc = -1;
        goto out;
    }
    g->older = atomic_load(&a->cur);
    atomic_store_explicit(&a->cur, g, memory_order_release);
    atomic_fetch_add_explicit(&a->generation, 1, memory_order_release);
    rc = 1;
out:
    free(s);
    return rc;
}

unsigned mg_clientauth_generation(struct mg_clientauth *a)
{
    return atomic_load_explicit(&a->generation, memory_order_acquire);
}

/* Subject CN and SANs (DNS, URI, e-mail) of the leaf against the allowed names. */
static bool name_allowed(const struct mg_clientauth *a, gnutls_x509_crt_t leaf, char *cn,
                         size_t cn_size)
{
    char buf[NAME_MAX_LEN];
    size_t size = cn_size;

    cn[0] = '\0';
    if (gnutls_x509_crt_get_dn_by_oid(leaf, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &size) < 0)
        cn[0] = '\0';
    for (size_t i = 0; i < a->n_names; i++)
        if (cn[0] && strcmp(cn, a->names[i]) == 0)
            return true;
    for (unsigned seq = 0;; seq++) {
        int t;

        size = sizeof(buf) - 1;
        t = gnutls_x509_crt_get_subject_alt_name(leaf, seq, buf, &size, NULL);
        if (t == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            return false;
        if (t < 0 || (t != GNUTLS_SAN_DNSNAME && t != GNUTLS_SAN_URI && t != GNUTLS_SAN_RFC822NAME))
            continue;
        buf[size < sizeof(buf) ? size : sizeof(buf) - 1] = '\0';
        for (size_t i = 0; i < a->n_names; i++)
            if (strcmp(buf, a->names[i]) == 0)
                return true;
    }
}

/* Why the chain does not verify, in GnuTLS's words (quotes taken out for the JSON). */
static void status_text(unsigned status, char *why, size_t n)
{
    gnutls_datum_t out = {0};

    if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0) < 0) {
        snprintf(why, n, "client certificate not trusted (status 0x%x)%s", status, HOW_TO_FIX);
        return;
    }
    while (out.size > 0 && (out.data[out.size - 1] == ' ' || out.data[out.size - 1] == '\0'))
        out.size--;
    snprintf(why, n, "client certificate not trusted: %.*s%s", (int)out.size, out.data, HOW_TO_FIX);
    gnutls_free(out.data);
}

int mg_clientauth_verify(struct mg_clientauth *a, gnutls_session_t session, char *why, size_t n)
{
    struct gen *g = atomic_load_explicit(&a->cur, memory_order_acquire);
    gnutls_x509_crt_t crts[MAX_PEER_CHAIN] = {0};
    gnutls_typed_vdata_st purpose = {GNUTLS_DT_KEY_PURPOSE_OID,
                                     (unsigned char *)(uintptr_t)GNUTLS_KP_TLS_WWW_CLIENT, 0};
    unsigned npeers = 0, ncrt = 0, status = 0;
    const gnutls_datum_t *peers = session ? gnutls_certificate_get_peers(session, &npeers) : NULL;
    char cn[NAME_MAX_LEN];
    int rc = -1;

    if (!peers || npeers == 0 || gnutls_certificate_type_get(session) != GNUTLS_CRT_X509) {
        snprintf(why, n, "a TLS client certificate is required for reviews%s", HOW_TO_FIX);
        return -1;
    }
    for (; ncrt < npeers && ncrt < MAX_PEER_CHAIN; ncrt++) {
        if (gnutls_x509_crt_init(&crts[ncrt]) < 0 ||
            gnutls_x509_crt_import(crts[ncrt], &peers[ncrt], GNUTLS_X509_FMT_DER) < 0) {
            snprintf(why, n, "the client certificate does not parse%s", HOW_TO_FIX);
            ncrt++;
            goto out;
        }
    }
    if (gnutls_x509_trust_list_verify_crt2(g->tl, crts, ncrt, &purpose, 1, 0, &status, NULL) < 0 ||
        status != 0) {
        status_text(status ? status : GNUTLS_CERT_INVALID, why, n);
        goto out;
    }
    if (a->n_names && !name_allowed(a, crts[0], cn, sizeof(cn))) {
        snprintf(why, n,
                 "client certificate %s%s%s is signed by the --client-ca but its subject CN and "
                 "SANs match no --client-name; issue it for an allowed name or add --client-name",
                 cn[0] ? "CN=" : "", cn, cn[0] ? "" : "without a CN");
        goto out;
    }
    rc = 0;
out:
    for (unsigned i = 0; i < ncrt; i++)
        if (crts[i])
            gnutls_x509_crt_deinit(crts[i]);
    return rc;
}

/* A connection's verdict: checked once (a keep-alive API server sends many reviews on
 * one connection) and again when the bundles change. */
struct conn_auth {
    bool ok;
    unsigned gen; /* mg_clientauth_generation when ok was set */
};

void mg_clientauth_notify(void *cls, struct MHD_Connection *c, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode code)
{
    const union MHD_ConnectionInfo *info;

    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        free(*socket_ctx);
        *socket_ctx = NULL;
        return;
    }
    /* GNUTLS_CERT_REQUEST, not REQUIRE: a client without a certificate (the kubelet's
     * probes) still completes the handshake and reaches /healthz and /readyz. */
    info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (info && info->tls_session)
        gnutls_certificate_server_set_request((gnutls_session_t)info->tls_session,
                                              GNUTLS_CERT_REQUEST);
    *socket_ctx = calloc(1, sizeof(struct conn_auth)); /* NULL: checked on every request */
}

int mg_clientauth_check(struct mg_clientauth *a, struct MHD_Connection *c, char *why, size_t n)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn_auth *ca = info ? info->socket_context : NULL;
    unsigned gen = mg_clientauth_generation(a);

    if (ca && ca->ok && ca->gen == gen)
        return 0;
    info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (mg_clientauth_verify(a, info ? (gnutls_session_t)info->tls_session : NULL, why, n) != 0)
        return -1;
    if (ca) {
        ca->ok = true;
        ca->gen = gen;
    }
    return 0;
}
