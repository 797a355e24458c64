/* SPDX-License-Identifier: Apache-2.0 */
/* certs.h - the webhook's own certificate tool: a self-signed CA, a serving
 * certificate signed by it with DNS and IP SANs, PEM files, checks of a cert+key
 * pair (key match, SAN, expiry, chain) and the base64 caBundle. OpenSSL 3 only here;
 * this header holds no OpenSSL types, so callers see PEM text and plain structs. */
#ifndef MG_CERTS_H
#define MG_CERTS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

enum mg_certs_key { MG_CERTS_KEY_EC_P256 = 0, MG_CERTS_KEY_RSA_2048 };

/* What to issue. days is the lifetime from now; days <= 0 issues a certificate that is
 * already expired (notAfter = now + days*86400 - 60 s), for tests only: the CLI refuses it. */
struct mg_certs_spec {
    const char *common_name; /* subject CN; NULL: first DNS name, first IP or "migguard" */
    const char *const *dns;  /* SAN DNS names (not in a CA) */
    size_t n_dns;
    const char *const *ips; /* SAN IP addresses, IPv4 or IPv6 text (not in a CA) */
    size_t n_ips;
    int days;
    enum mg_certs_key key;
};

/* A certificate and its private key as NUL-terminated PEM text; caller frees with
 * mg_certs_pair_free. key_pem is unencrypted PKCS#8. */
struct mg_certs_pair {
    char *cert_pem;
    char *key_pem;
};

/* Free both strings and zero the pair; accepts NULL and a zeroed pair. */
void mg_certs_pair_free(struct mg_certs_pair *p);

/* A self-signed CA (basicConstraints critical CA:TRUE, keyCertSign|cRLSign). */
int mg_certs_make_ca(struct mg_certs_pair *out, const struct mg_certs_spec *spec,
                     struct mg_err *err);

/* A serving certificate (CA:FALSE, EKU serverAuth, SANs from spec) signed by ca.
 * At least one DNS name or IP is required; invalid names or addresses are MG_EINVAL. */
int mg_certs_make_serving(struct mg_certs_pair *out, const struct mg_certs_pair *ca,
                          const struct mg_certs_spec *spec, struct mg_err *err);

/* A client certificate (CA:FALSE, EKU clientAuth) signed by ca, for the API server to
 * present to `serve --client-ca`: subject CN spec->common_name (or the first SAN), SANs
 * from spec (optional). MG_EINVAL without any name. */
int mg_certs_make_client(struct mg_certs_pair *out, const struct mg_certs_pair *ca,
                         const struct mg_certs_spec *spec, struct mg_err *err);

/* Write text to path atomically (temporary file + rename, so a reloading server never
 * reads half a file), mode 0600 when secret, else 0644. */
int mg_certs_write_file(const char *path, const char *text, bool secret, struct mg_err *err);

/* Make dir (0755) if absent and write dir/ca.crt, ca.key, tls.crt, tls.key: a new CA
 * from ca_spec and a serving certificate from spec signed by it. */
int mg_certs_create_dir(const char *dir, const struct mg_certs_spec *ca_spec,
                        const struct mg_certs_spec *spec, struct mg_err *err);

/* The checks of mg_certs_check, in the order they run. */
enum mg_certs_check_id {
    MG_CERTS_CHECK_NONE = 0, /* nothing failed */
    MG_CERTS_CHECK_LOAD,     /* files readable and PEM */
    MG_CERTS_CHECK_KEY,      /* private key matches the certificate */
    MG_CERTS_CHECK_DNS,      /* SAN covers the DNS name */
    MG_CERTS_CHECK_IP,       /* SAN covers the IP address */
    MG_CERTS_CHECK_EXPIRY,   /* inside notBefore..notAfter */
    MG_CERTS_CHECK_CA        /* chains to the CA file, purpose TLS server */
};

/* Short name of a check ("key-match", "san-dns", ...). Static storage. */
const char *mg_certs_check_name(enum mg_certs_check_id id);

struct mg_certs_check_opts {
    const char *cert_file; /* required; a chain is allowed (leaf first) */
    const char *key_file;  /* required */
    const char *ca_file;   /* NULL: no chain check */
    const char *dns;       /* NULL: no DNS SAN check */
    const char *ip;        /* NULL: no IP SAN check */
};

/* What mg_certs_check found (filled as far as it got). */
struct mg_certs_report {
    enum mg_certs_check_id failed; /* MG_CERTS_CHECK_NONE when every check passed */
    char subject[256];             /* one-line subject of the leaf */
    char not_after[64];            /* e.g. "Dec  1 17:51:25 2027 GMT" */
    long days_left;                /* whole days to notAfter, negative when expired */
    long seconds_left;             /* seconds to notAfter, negative when expired */
};

/* Run the checks on opts' files. Returns 0 when all pass; otherwise the first failed check
 * is in rep->failed and err->msg starts with its name ("san-dns: ..."): MG_ETLS for a
 * failed check, MG_EIO when a file cannot be read. */
int mg_certs_check(const struct mg_certs_check_opts *opts, struct mg_certs_report *rep,
                   struct mg_err *err);

/* The base64 (one line, no newlines) of a PEM CA bundle, as a webhook's
 * clientConfig.caBundle wants it; pem must hold at least one certificate.
 * Caller frees *out with free(). */
int mg_certs_cabundle_mem(const char *pem, size_t len, char **out, struct mg_err *err);

/* mg_certs_cabundle_mem of a file's contents. */
int mg_certs_cabundle(const char *ca_file, char **out, struct mg_err *err);

/* Read a whole (small, at most 1 MiB) file into a NUL-terminated buffer; caller frees
 * *out with free(). *len may be NULL. */
int mg_certs_read_file(const char *path, char **out, size_t *len, struct mg_err *err);

#endif
