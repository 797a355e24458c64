/* SPDX-License-Identifier: Apache-2.0 */
/* tlsreload.c - certificate generations for the GnuTLS retrieve callback. A
 * generation is immutable once published; old ones are kept until stop, because a
 * handshake that already picked one may still be signing with its key (rotations are
 * rare, a generation is a few KiB). Files are compared by device, inode, size and
 * mtime of both, following symlinks (a Kubernetes Secret volume swaps ..data). */
#include "tlsreload.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ticker.h"

#define MAX_CHAIN 8
#define PEM_MAX ((size_t)1024 * 1024)

struct gen {
    struct gen *older;
    gnutls_pcert_st pcerts[MAX_CHAIN];
    unsigned n;
    gnutls_privkey_t key;
};

struct sig {
    dev_t dev[2];
    ino_t ino[2];
    off_t size[2];
    struct timespec mtime[2];
};

struct mg_tlsreload {
    char *cert_file, *key_file;
    _Atomic(struct gen *) cur;
    struct sig seen; /* of the last pair tried, loaded or not */
    unsigned interval_s;
    atomic_ulong *ok, *failed;
    struct mg_ticker *ticker;
    pthread_mutex_t mu;                       /* guards also and also_ctx */
    pthread_mutex_t poll_mu;                  /* one poll at a time: guards seen */
    void (*also)(void *ctx);                  /* guarded by mu, with also_ctx */
    void (*log)(void *ctx, const char *line); /* guarded by poll_mu, with log_ctx */
    void *log_ctx;
    void *also_ctx;
};

static _Atomic(struct mg_tlsreload *) active;

static int read_pem(const char *path, gnutls_datum_t *out, struct mg_err *err)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t n;

    out->data = NULL;
    out->size = 0;
    if (!f)
        return mg_err_set(err, MG_EIO, "cannot open %s: %s", path, strerror(errno));
    buf = malloc(PEM_MAX + 1);
    n = buf ? fread(buf, 1, PEM_MAX + 1, f) : 0;
    fclose(f);
    if (!buf)
        return mg_err_set(err, MG_ENOMEM, "out of memory reading %s", path);
    if (n == 0 || n > PEM_MAX) {
        free(buf);
        return mg_err_set(err, MG_EIO, "%s is empty or larger than 1 MiB", path);
    }
    buf[n] = '\0';
    out->data = buf;
    out->size = (unsigned)n;
    return 0;
}

int mg_tlsreload_read(const char *path, char **out, struct mg_err *err)
{
    gnutls_datum_t d;
    int rc = read_pem(path, &d, err);

    *out = (char *)d.data;
    return rc;
}

static int check_datum(const gnutls_datum_t *c, const gnutls_datum_t *k, const char *what,
                       struct mg_err *err)
{
    gnutls_certificate_credentials_t cred = NULL;
    int g = gnutls_certificate_allocate_credentials(&cred);

    /* The same call MHD makes for MHD_OPTION_HTTPS_MEM_CERT/KEY; it also refuses a key
     * that does not match the certificate (GNUTLS_E_CERTIFICATE_KEY_MISMATCH). */
    if (g >= 0)
        g = gnutls_certificate_set_x509_key_mem2(cred, c, k, GNUTLS_X509_FMT_PEM, NULL, 0);
    gnutls_certificate_free_credentials(cred);
    if (g < 0)
        return mg_err_set(err, MG_ETLS, "%s: certificate or key does not load: %s", what,
                          gnutls_strerror(g));
    return 0;
}

int mg_tlsreload_check_pem(const char *cert_pem, const char *key_pem, struct mg_err *err)
{
    gnutls_datum_t c = {(unsigned char *)(uintptr_t)cert_pem, (unsigned)strlen(cert_pem)};
    gnutls_datum_t k = {(unsigned char *)(uintptr_t)key_pem, (unsigned)strlen(key_pem)};

    return check_datum(&c, &k, "TLS pair", err);
}

static void gen_free(struct gen *g)
{
    while (g) {
        struct gen *older = g->older;

        for (unsigned i = 0; i < g->n; i++)
            gnutls_pcert_deinit(&g->pcerts[i]);
        if (g->key)
            gnutls_privkey_deinit(g->key);
        free(g);
        g = older;
    }
}

static int gen_load(struct gen **out, const char *cert_file, const char *key_file,
                    struct mg_err *err)
{
    gnutls_datum_t c = {0}, k = {0};
    struct gen *g = calloc(1, sizeof(*g));
    int rc, gr;

    *out = NULL;
    if (!g)
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    if ((rc = read_pem(cert_file, &c, err)) != 0 || (rc = read_pem(key_file, &k, err)) != 0 ||
        (rc = check_datum(&c, &k, cert_file, err)) != 0)
        goto out;
    g->n = MAX_CHAIN;
    gr = gnutls_pcert_list_import_x509_raw(g->pcerts, &g->n, &c, GNUTLS_X509_FMT_PEM, 0);
    if (gr < 0) {
        g->n = 0;
        rc = mg_err_set(err, MG_ETLS, "%s: %s", cert_file, gnutls_strerror(gr));
        goto out;
    }
    gr = gnutls_privkey_init(&g->key);
    if (gr >= 0)
        gr = gnutls_privkey_import_x509_raw(g->key, &k, GNUTLS_X509_FMT_PEM, NULL, 0);
    if (gr < 0) {
        rc = mg_err_set(err, MG_ETLS, "%s: %s", key_file, gnutls_strerror(gr));
        goto out;
    }
    *out = g;
    g = NULL;
out:
    gen_free(g);
    if (k.data)
        memset(k.data, 0, k.size);
    free(c.data);
    free(k.data);
    return rc;
}

static void stat_pair(const struct mg_tlsreload *r, struct sig *s)
{
    const char *files[2] = {r->cert_file, r->key_file};

    memset(s, 0, sizeof(*s));
    for (int i = 0; i < 2; i++) {
        struct stat st;

        if (stat(files[i], &st) != 0)
            continue;
        s->dev[i] = st.st_dev;
        s->ino[i] = st.st_ino;
        s->size[i] = st.st_size;
        s->mtime[i] = st.st_mtim;
    }
}

static bool sig_equal(const struct sig *a, const struct sig *b)
{
    for (int i = 0; i < 2; i++)
        if (a->dev[i] != b->dev[i] || a->ino[i] != b->ino[i] || a->size[i] != b->size[i] ||
            a->mtime[i].tv_sec != b->mtime[i].tv_sec || a->mtime[i].tv_nsec != b->mtime[i].tv_nsec)
            return false;
    return true;
}

__attribute__((format(printf, 2, 3))) static void say(const struct mg_tlsreload *r, const char *fmt,
                                                      ...)
{
    char line[640];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (r->log)
        r->log(r->log_ctx, line);
    else
        fprintf(stderr, "migguard: %s\n", line);
}

static int poll_locked(struct mg_tlsreload *r)
{
    struct sig now;
    struct gen *g = NULL;
    struct mg_err err = {0};

    stat_pair(r, &now);
    if (sig_equal(&now, &r->seen))
        return 0;
    /* Remember the attempt: a half-rotated pair (new key, old cert) fails once and is
     * retried when the second file changes too. */
    r->seen = now;
    if (gen_load(&g, r->cert_file, r->key_file, &err) != 0) {
        say(r, "tls: keeping the current certificate: %s", err.msg);
        if (r->failed)
            atomic_fetch_add(r->failed, 1);
        return -1;
    }
    g->older = atomic_load(&r->cur);
    atomic_store_explicit(&r->cur, g, memory_order_release);
    say(r, "tls: reloaded certificate %s", r->cert_file);
    if (r->ok)
        atomic_fetch_add(r->ok, 1);
    return 1;
}

int mg_tlsreload_poll(struct mg_tlsreload *r)
{
    int rc;

    pthread_mutex_lock(&r->poll_mu);
    rc = poll_locked(r);
    pthread_mutex_unlock(&r->poll_mu);
    return rc;
}

/* The ticker's call, every interval: poll, then the also function. */
static void poll_tick(void *arg)
{
    struct mg_tlsreload *r = arg;
    void (*also)(void *);
    void *also_ctx;

    pthread_mutex_lock(&r->mu);
    also = r->also;
    also_ctx = r->also_ctx;
    pthread_mutex_unlock(&r->mu);
    mg_tlsreload_poll(r);
    if (also)
        also(also_ctx);
}

int mg_tlsreload_start(struct mg_tlsreload **out, const char *cert_file, const char *key_file,
                       unsigned interval_s, atomic_ulong *ok, atomic_ulong *failed,
                       struct mg_err *err)
{
    struct mg_tlsreload *r = calloc(1, sizeof(*r)), *none = NULL;
    struct gen *g = NULL;
    int rc;

    *out = NULL;
    if (!r)
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    pthread_mutex_init(&r->mu, NULL);
    pthread_mutex_init(&r->poll_mu, NULL);
    r->cert_file = strdup(cert_file);
    r->key_file = strdup(key_file);
    r->interval_s = interval_s ? interval_s : 2;
    /* The ticker's period is in ms, an unsigned: about 49 days at most. */
    if (r->interval_s > UINT_MAX / 1000u)
        r->interval_s = UINT_MAX / 1000u;
    r->ok = ok;
    r->failed = failed;
    if (!r->cert_file || !r->key_file) {
        rc = mg_err_set(err, MG_ENOMEM, "out of memory");
        goto fail;
    }
    stat_pair(r, &r->seen);
    if ((rc = gen_load(&g, cert_file, key_file, err)) != 0)
        goto fail;
    atomic_store(&r->cur, g);
    if (!atomic_compare_exchange_strong(&active, &none, r)) {
        rc = mg_err_set(err, MG_ECONFIG, "another server in this process reloads certificates");
        goto fail;
    }
    /* The pair was just loaded: the first poll is an interval away. */
    if (!(r->ticker = mg_ticker_start_at(mg_ticker_now_ms() + r->interval_s * 1000LL,
                                         r->interval_s * 1000u, poll_tick, r))) {
        atomic_store(&active, NULL);
        rc = mg_err_set(err, MG_EINTERNAL, "cannot start the certificate poll thread");
        goto fail;
    }
    *out = r;
    return 0;
fail:
    mg_tlsreload_stop(r);
    return rc;
}

void mg_tlsreload_stop(struct mg_tlsreload *r)
{
    struct mg_tlsreload *self = r;

    if (!r)
        return;
    mg_ticker_stop(r->ticker);
    atomic_compare_exchange_strong(&active, &self, NULL);
    gen_free(atomic_load(&r->cur));
    pthread_mutex_destroy(&r->mu);
    pthread_mutex_destroy(&r->poll_mu);
    free(r->cert_file);
    free(r->key_file);
    free(r);
}

void mg_tlsreload_set_log(struct mg_tlsreload *r, void (*fn)(void *ctx, const char *line),
                          void *ctx)
{
    pthread_mutex_lock(&r->poll_mu);
    r->log = fn;
    r->log_ctx = ctx;
    pthread_mutex_unlock(&r->poll_mu);
}

void mg_tlsreload_also(struct mg_tlsreload *r, void (*fn)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&r->mu);
    r->also = fn;
    r->also_ctx = ctx;
    pthread_mutex_unlock(&r->mu);
}

int mg_tlsreload_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn, int nreqs,
                          const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                          gnutls_pcert_st **pcert, unsigned int *pcert_length,
                          gnutls_privkey_t *pkey)
{
    struct mg_tlsreload *r = atomic_load(&active);
    struct gen *g = r ? atomic_load_explicit(&r->cur, memory_order_acquire) : NULL;

    (void)session;
    (void)req_ca_rdn;
    (void)nreqs;
    (void)pk_algos;
    (void)pk_algos_length;
    if (!g)
        return -1;
    *pcert = g->pcerts;
    *pcert_length = g->n;
    *pkey = g->key;
    return 0;
}
