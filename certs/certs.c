/* SPDX-License-Identifier: Apache-2.0 */
/* certs.c - issue a CA and a serving certificate, write PEM files, check a
 * cert+key pair and print a caBundle, all with OpenSSL 3. Names go into SANs as
 * GENERAL_NAME values (never through the "DNS:a,IP:b" config string, which a comma
 * in a name could extend). No logging: errors go into struct mg_err. */
#include "certs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define CERT_FILE_MAX ((size_t)1024 * 1024)
#define CLOCK_SKEW_S 300L

static int tls_fail(struct mg_err *err, const char *what)
{
    char buf[256] = "";
    unsigned long e = ERR_get_error();

    if (e)
        ERR_error_string_n(e, buf, sizeof(buf));
    ERR_clear_error();
    return mg_err_set(err, MG_ETLS, "%s%s%s", what, buf[0] ? ": " : "", buf);
}

void mg_certs_pair_free(struct mg_certs_pair *p)
{
    if (!p)
        return;
    free(p->cert_pem);
    if (p->key_pem)
        OPENSSL_cleanse(p->key_pem, strlen(p->key_pem));
    free(p->key_pem);
    p->cert_pem = NULL;
    p->key_pem = NULL;
}

static EVP_PKEY *new_key(enum mg_certs_key kind)
{
    if (kind == MG_CERTS_KEY_RSA_2048)
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* Copy a memory BIO's contents into a malloc'd NUL-terminated string. */
static char *bio_string(BIO *b)
{
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    char *s;

    if (n < 0)
        return NULL;
    s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    return s;
}

static int to_pem(struct mg_certs_pair *out, X509 *x, EVP_PKEY *k, struct mg_err *err)
{
    BIO *cb = BIO_new(BIO_s_mem());
    BIO *kb = BIO_new(BIO_s_mem());
    int rc = 0;

    if (!cb || !kb || !PEM_write_bio_X509(cb, x) ||
        !PEM_write_bio_PrivateKey(kb, k, NULL, NULL, 0, NULL, NULL)) {
        rc = tls_fail(err, "cannot encode PEM");
        goto out;
    }
    out->cert_pem = bio_string(cb);
    out->key_pem = bio_string(kb);
    if (!out->cert_pem || !out->key_pem) {
        mg_certs_pair_free(out);
        rc = mg_err_set(err, MG_ENOMEM, "out of memory encoding PEM");
    }
out:
    BIO_free(cb);
    BIO_free_all(kb);
    return rc;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext)
        return 0;
    ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

static const char *default_cn(const struct mg_certs_spec *spec)
{
    if (spec->common_name)
        return spec->common_name;
    if (spec->n_dns)
        return spec->dns[0];
    if (spec->n_ips)
        return spec->ips[0];
    return "migguard";
}

/* Serial, validity, subject, issuer and public key of a new certificate. */
static int fill_base(X509 *x, const X509_NAME *issuer, EVP_PKEY *pub,
                     const struct mg_certs_spec *spec)
{
    X509_NAME *name = X509_get_subject_name(x);
    BIGNUM *bn = BN_new();
    long after = (long)spec->days * 86400L;
    long before = -CLOCK_SKEW_S;
    int ok;

    if (spec->days <= 0)
        after -= 60;
    if (before > after - 3600)
        before = after - 3600;
    /* 159 random bits: positive, unique, and under RFC 5280's 20 octets. */
    ok = bn && BN_rand(bn, 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
         BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) && X509_set_version(x, 2) &&
         X509_gmtime_adj(X509_getm_notBefore(x), before) &&
         X509_gmtime_adj(X509_getm_notAfter(x), after) &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                    (const unsigned char *)default_cn(spec), -1, -1, 0) &&
         X509_set_issuer_name(x, issuer ? issuer : name) && X509_set_pubkey(x, pub);
    BN_free(bn);
    return ok;
}

int mg_certs_make_ca(struct mg_certs_pair *out, const struct mg_certs_spec *spec,
                     struct mg_err *err)
{
    EVP_PKEY *k = new_key(spec->key);
    X509 *x = X509_new();
    int rc = 0;

    out->cert_pem = out->key_pem = NULL;
    if (!k || !x) {
        rc = tls_fail(err, "cannot generate CA key");
        goto out;
    }
    if (!fill_base(x, NULL, k, spec) || !add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") ||
        !add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !add_ext(x, x, NID_subject_key_identifier, "hash") || !X509_sign(x, k, EVP_sha256())) {
        rc = tls_fail(err, "cannot build CA certificate");
        goto out;
    }
    rc = to_pem(out, x, k, err);
out:
    X509_free(x);
    EVP_PKEY_free(k);
    return rc;
}

/* RFC 1123 host name, lowercase or not, optionally with a leading "*." wildcard. */
static bool dns_name_ok(const char *s)
{
    size_t n = strlen(s), label = 0;

    if (n == 0 || n > 253)
        return false;
    if (s[0] == '*' && s[1] == '.')
        s += 2;
    for (; *s; s++) {
        char c = *s;
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

        if (c == '.') {
            if (label == 0 || s[-1] == '-')
                return false;
            label = 0;
        } else if (alnum || (c == '-' && label > 0)) {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return label > 0 && s[-1] != '-';
}

static int push_name(GENERAL_NAMES *gens, int type, ASN1_STRING *v)
{
    GENERAL_NAME *g = GENERAL_NAME_new();

    if (!g || !v) {
        GENERAL_NAME_free(g);
        ASN1_STRING_free(v);
        return 0;
    }
    GENERAL_NAME_set0_value(g, type, v);
    if (!sk_GENERAL_NAME_push(gens, g)) {
        GENERAL_NAME_free(g);
        return 0;
    }
    return 1;
}

static int build_sans(GENERAL_NAMES *gens, const struct mg_certs_spec *spec, struct mg_err *err)
{
    for (size_t i = 0; i < spec->n_dns; i++) {
        ASN1_IA5STRING *v;

        if (!dns_name_ok(spec->dns[i]))
            return mg_err_set(err, MG_EINVAL, "invalid DNS name '%s'", spec->dns[i]);
        v = ASN1_IA5STRING_new();
        if (v && !ASN1_STRING_set(v, spec->dns[i], -1)) {
            ASN1_IA5STRING_free(v);
            v = NULL;
        }
        if (!push_name(gens, GEN_DNS, v))
            return tls_fail(err, "cannot add DNS SAN");
    }
    for (size_t i = 0; i < spec->n_ips; i++) {
        ASN1_OCTET_STRING *v = a2i_IPADDRESS(spec->ips[i]);

        if (!v) {
            ERR_clear_error();
            return mg_err_set(err, MG_EINVAL, "invalid IP address '%s'", spec->ips[i]);
        }
        if (!push_name(gens, GEN_IPADD, v))
            return tls_fail(err, "cannot add IP SAN");
    }
    return 0;
}

/* Parse the CA pair back into objects. */
static int load_ca(const struct mg_certs_pair *ca, X509 **cx, EVP_PKEY **ck, struct mg_err *err)
{
    BIO *cb = BIO_new_mem_buf(ca->cert_pem, -1);
    BIO *kb = BIO_new_mem_buf(ca->key_pem, -1);
    int rc = 0;

    *cx = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
    *ck = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
    if (!*cx || !*ck)
        rc = tls_fail(err, "cannot read CA certificate or key");
    else if (X509_check_private_key(*cx, *ck) != 1)
        rc = tls_fail(err, "CA key does not match CA certificate");
    BIO_free(cb);
    BIO_free(kb);
    return rc;
}

/* A leaf signed by ca: serverAuth (a serving certificate, which needs a SAN) or
 * clientAuth (a client certificate, named by its CN; SANs optional). */
static int make_leaf(struct mg_certs_pair *out, const struct mg_certs_pair *ca,
                     const struct mg_certs_spec *spec, bool client, struct mg_err *err)
{
    X509 *cx = NULL, *x = X509_new();
    EVP_PKEY *ck = NULL, *k = NULL;
    GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
    const char *ku = spec->key == MG_CERTS_KEY_RSA_2048
                         ? "critical,digitalSignature,keyEncipherment"
                         : "critical,digitalSignature";
    int rc = 0;

    out->cert_pem = out->key_pem = NULL;
    if (!client && spec->n_dns + spec->n_ips == 0) {
        rc = mg_err_set(err, MG_EINVAL, "a serving certificate needs a DNS name or IP address");
        goto out;
    }
    if (client && !spec->common_name && spec->n_dns + spec->n_ips == 0) {
        rc = mg_err_set(err, MG_EINVAL, "a client certificate needs a name");
        goto out;
    }
    if (!x || !gens) {
        rc = mg_err_set(err, MG_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = build_sans(gens, spec, err)) != 0 || (rc = load_ca(ca, &cx, &ck, err)) != 0)
        goto out;
    k = new_key(spec->key);
    if (!k) {
        rc = tls_fail(err, "cannot generate key");
        goto out;
    }
    if (!fill_base(x, X509_get_subject_name(cx), k, spec) ||
        !add_ext(x, cx, NID_basic_constraints, "critical,CA:FALSE") ||
        !add_ext(x, cx, NID_key_usage, ku) ||
        !add_ext(x, cx, NID_ext_key_usage, client ? "clientAuth" : "serverAuth") ||
        !add_ext(x, cx, NID_subject_key_identifier, "hash") ||
        !add_ext(x, cx, NID_authority_key_identifier, "keyid:always") ||
        (sk_GENERAL_NAME_num(gens) > 0 &&
         !X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT)) ||
        !X509_sign(x, ck, EVP_sha256())) {
        rc = tls_fail(err, client ? "cannot build client certificate"
                                  : "cannot build serving certificate");
        goto out;
    }
    rc = to_pem(out, x, k, err);
out:
    GENERAL_NAMES_free(gens);
    X509_free(x);
    X509_free(cx);
    EVP_PKEY_free(k);
    EVP_PKEY_free(ck);
    return rc;
}

int mg_certs_make_serving(struct mg_certs_pair *out, const struct mg_certs_pair *ca,
                          const struct mg_certs_spec *spec, struct mg_err *err)
{
    return make_leaf(out, ca, spec, false, err);
}

int mg_certs_make_client(struct mg_certs_pair *out, const struct mg_certs_pair *ca,
                         const struct mg_certs_spec *spec, struct mg_err *err)
{
    return make_leaf(out, ca, spec, true, err);
}

int mg_certs_write_file(const char *path, const char *text, bool secret, struct mg_err *err)
{
    char tmp[4096];
    size_t len = strlen(text), done = 0;
    int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    int fd, rc = 0;

    if (n < 0 || (size_t)n >= sizeof(tmp))
        return mg_err_set(err, MG_EINVAL, "path too long: %s", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, secret ? 0600 : 0644);
    if (fd < 0)
        return mg_err_set(err, MG_EIO, "cannot create %s: %s", tmp, strerror(errno));
    /* open() honours the umask; the mode of a key file must not depend on it. */
    if (fchmod(fd, secret ? 0600 : 0644) != 0)
        rc = mg_err_set(err, MG_EIO, "cannot chmod %s: %s", tmp, strerror(errno));
    while (rc == 0 && done < len) {
        ssize_t w = write(fd, text + done, len - done);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            rc = mg_err_set(err, MG_EIO, "cannot write %s: %s", tmp, strerror(errno));
        else
            done += (size_t)w;
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = mg_err_set(err, MG_EIO, "cannot sync %s: %s", tmp, strerror(errno));
    if (close(fd) != 0 && rc == 0)
        rc = mg_err_set(err, MG_EIO, "cannot close %s: %s", tmp, strerror(errno));
    if (rc == 0 && rename(tmp, path) != 0)
        rc = mg_err_set(err, MG_EIO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (rc != 0)
        unlink(tmp);
    return rc;
}

static int write_in(const char *dir, const char *name, const char *text, bool secret,
                    struct mg_err *err)
{
    char path[4096];
    int n = snprintf(path, sizeof(path), "%s/%s", dir, name);

    if (n < 0 || (size_t)n >= sizeof(path))
        return mg_err_set(err, MG_EINVAL, "path too long: %s", dir);
    return mg_certs_write_file(path, text, secret, err);
}

int mg_certs_create_dir(const char *dir, const struct mg_certs_spec *ca_spec,
                        const struct mg_certs_spec *spec, struct mg_err *err)
{
    struct mg_certs_pair ca = {0}, tls = {0};
    int rc;

    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return mg_err_set(err, MG_EIO, "cannot create %s: %s", dir, strerror(errno));
    if ((rc = mg_certs_make_ca(&ca, ca_spec, err)) != 0 ||
        (rc = mg_certs_make_serving(&tls, &ca, spec, err)) != 0)
        goto out;
    /* Keys first: a reader that sees the new tls.crt also finds its tls.key. */
    if ((rc = write_in(dir, "ca.key", ca.key_pem, true, err)) != 0 ||
        (rc = write_in(dir, "ca.crt", ca.cert_pem, false, err)) != 0 ||
        (rc = write_in(dir, "tls.key", tls.key_pem, true, err)) != 0 ||
        (rc = write_in(dir, "tls.crt", tls.cert_pem, false, err)) != 0)
        goto out;
out:
    mg_certs_pair_free(&ca);
    mg_certs_pair_free(&tls);
    return rc;
}

int mg_certs_read_file(const char *path, char **out, size_t *len, struct mg_err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;

    *out = NULL;
    if (!f)
        return mg_err_set(err, MG_EIO, "cannot open %s: %s", path, strerror(errno));
    for (;;) {
        size_t got;

        if (n + 4096 + 1 > cap) {
            char *nb;

            cap = cap ? cap * 2 : 8192;
            nb = realloc(buf, cap);
            if (!nb) {
                rc = mg_err_set(err, MG_ENOMEM, "out of memory reading %s", path);
                goto out;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n > CERT_FILE_MAX) {
            rc = mg_err_set(err, MG_EINVAL, "%s is larger than 1 MiB", path);
            goto out;
        }
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        rc = mg_err_set(err, MG_EIO, "cannot read %s", path);
        goto out;
    }
    buf[n] = '\0';
    *out = buf;
    buf = NULL;
    if (len)
        *len = n;
out:
    fclose(f);
    free(buf);
    return rc;
}

int mg_certs_cabundle_mem(const char *pem, size_t len, char **out, struct mg_err *err)
{
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    X509 *x = NULL;
    unsigned char *enc;

    *out = NULL;
    if (len > CERT_FILE_MAX)
        return mg_err_set(err, MG_EINVAL, "CA bundle larger than 1 MiB");
    x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (!x)
        return tls_fail(err, "CA bundle holds no PEM certificate");
    X509_free(x);
    /* EVP_EncodeBlock writes 4 bytes per 3 started, plus a NUL, and no newlines. */
    enc = malloc(4 * ((len + 2) / 3) + 1);
    if (!enc)
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    EVP_EncodeBlock(enc, (const unsigned char *)pem, (int)len);
    *out = (char *)enc;
    return 0;
}

int mg_certs_cabundle(const char *ca_file, char **out, struct mg_err *err)
{
    char *pem = NULL;
    size_t len = 0;
    int rc = mg_certs_read_file(ca_file, &pem, &len, err);

    if (rc == 0)
        rc = mg_certs_cabundle_mem(pem, len, out, err);
    free(pem);
    return rc;
}

const char *mg_certs_check_name(enum mg_certs_check_id id)
{
    static const char *const names[] = {"none",   "load",   "key-match", "san-dns",
                                        "san-ip", "expiry", "ca-verify"};

    if ((unsigned)id >= sizeof(names) / sizeof(names[0]))
        return "unknown";
    return names[id];
}

static int check_fail(struct mg_certs_report *rep, enum mg_certs_check_id id, struct mg_err *err,
                      const char *msg, const char *arg)
{
    rep->failed = id;
    ERR_clear_error();
    return mg_err_set(err, MG_ETLS, "%s: %s%s", mg_certs_check_name(id), msg, arg ? arg : "");
}

/* The leaf (first certificate) and the rest of a PEM chain file, and the key. */
static int load_pair(const struct mg_certs_check_opts *o, X509 **leaf, STACK_OF(X509) * *rest,
                     EVP_PKEY **key, struct mg_certs_report *rep, struct mg_err *err)
{
    char *pem = NULL, *kpem = NULL;
    BIO *b = NULL;
    X509 *x;
    int rc;

    rep->failed = MG_CERTS_CHECK_LOAD;
    if ((rc = mg_certs_read_file(o->cert_file, &pem, NULL, err)) != 0 ||
        (rc = mg_certs_read_file(o->key_file, &kpem, NULL, err)) != 0)
        goto out;
    b = BIO_new_mem_buf(pem, -1);
    *leaf = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    if (!*leaf) {
        rc = check_fail(rep, MG_CERTS_CHECK_LOAD, err, "no PEM certificate in ", o->cert_file);
        goto out;
    }
    *rest = sk_X509_new_null();
    while (*rest && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
        if (!sk_X509_push(*rest, x))
            X509_free(x);
    ERR_clear_error();
    BIO_free(b);
    b = BIO_new_mem_buf(kpem, -1);
    *key = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    if (!*key) {
        rc = check_fail(rep, MG_CERTS_CHECK_LOAD, err, "no unencrypted PEM private key in ",
                        o->key_file);
        goto out;
    }
    rep->failed = MG_CERTS_CHECK_NONE;
out:
    BIO_free(b);
    free(pem);
    if (kpem)
        OPENSSL_cleanse(kpem, strlen(kpem));
    free(kpem);
    return rc;
}

static void describe(X509 *leaf, struct mg_certs_report *rep)
{
    BIO *b = BIO_new(BIO_s_mem());
    int days = 0, secs = 0;
    char *s;

    if (b && ASN1_TIME_print(b, X509_get0_notAfter(leaf)) && (s = bio_string(b)) != NULL) {
        snprintf(rep->not_after, sizeof(rep->not_after), "%s", s);
        free(s);
    }
    BIO_free(b);
    X509_NAME_oneline(X509_get_subject_name(leaf), rep->subject, (int)sizeof(rep->subject));
    if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(leaf))) {
        rep->days_left = days;
        rep->seconds_left = (long)days * 86400L + secs;
    }
    ERR_clear_error();
}

static int verify_chain(X509 *leaf, STACK_OF(X509) * rest, const char *ca_file,
                        struct mg_certs_report *rep, struct mg_err *err)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    int rc = 0;

    if (!store || !ctx || X509_STORE_load_file(store, ca_file) != 1) {
        rc = check_fail(rep, MG_CERTS_CHECK_CA, err, "cannot load CA file ", ca_file);
        goto out;
    }
    if (!X509_STORE_CTX_init(ctx, store, leaf, rest) ||
        !X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER)) {
        rc = check_fail(rep, MG_CERTS_CHECK_CA, err, "cannot set up verification", NULL);
        goto out;
    }
    if (X509_verify_cert(ctx) != 1)
        rc = check_fail(rep, MG_CERTS_CHECK_CA, err, "does not verify against the CA: ",
                        X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
out:
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return rc;
}

int mg_certs_check(const struct mg_certs_check_opts *o, struct mg_certs_report *rep,
                   struct mg_err *err)
{
    X509 *leaf = NULL;
    STACK_OF(X509) *rest = NULL;
    EVP_PKEY *key = NULL;
    int rc;

    memset(rep, 0, sizeof(*rep));
    if ((rc = load_pair(o, &leaf, &rest, &key, rep, err)) != 0)
        goto out;
    describe(leaf, rep);
    if (X509_check_private_key(leaf, key) != 1)
        rc = check_fail(rep, MG_CERTS_CHECK_KEY, err, "private key does not match ", o->cert_file);
    else if (o->dns &&
             X509_check_host(leaf, o->dns, 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) != 1)
        rc = check_fail(rep, MG_CERTS_CHECK_DNS, err, "no SAN covers DNS name ", o->dns);
    else if (o->ip && X509_check_ip_asc(leaf, o->ip, 0) != 1)
        rc = check_fail(rep, MG_CERTS_CHECK_IP, err, "no SAN covers IP address ", o->ip);
    else if (X509_cmp_current_time(X509_get0_notBefore(leaf)) >= 0)
        rc = check_fail(rep, MG_CERTS_CHECK_EXPIRY, err, "not valid yet", NULL);
    else if (X509_cmp_current_time(X509_get0_notAfter(leaf)) <= 0)
        rc = check_fail(rep, MG_CERTS_CHECK_EXPIRY, err, "expired on ", rep->not_after);
    else if (o->ca_file)
        rc = verify_chain(leaf, rest, o->ca_file, rep, err);
out:
    X509_free(leaf);
    sk_X509_pop_free(rest, X509_free);
    EVP_PKEY_free(key);
    return rc;
}
