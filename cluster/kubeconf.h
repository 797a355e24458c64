/* SPDX-License-Identifier: Apache-2.0 */
/* kubeconf.h - where the Kubernetes API is and how to authenticate to it: the
 * in-cluster ServiceAccount (KUBERNETES_SERVICE_HOST/PORT, token, ca.crt) or the
 * current context of a kubeconfig file. Reads files only; no network. */
#ifndef MG_KUBECONF_H
#define MG_KUBECONF_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* Where the in-cluster ServiceAccount files are mounted. */
#define MG_KUBECONF_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

/* A resolved connection. Every pointer is owned by the struct (mg_kubeconf_free).
 * A *_file and the matching *_data are never both set. */
struct mg_kubeconf {
    char *server;     /* "https://host:port" (http:// accepted, for tests), no trailing '/' */
    char *token;      /* static bearer token, or NULL */
    char *token_file; /* bearer token file, re-read for every request (tokens rotate) */
    char *ca_file;    /* PEM CA bundle path, or NULL */
    char *ca_data;    /* PEM CA bundle (decoded certificate-authority-data), or NULL */
    size_t ca_len;
    char *cert_file; /* client certificate (PEM) path, or NULL */
    char *cert_data; /* decoded client-certificate-data, or NULL */
    size_t cert_len;
    char *key_file; /* client key (PEM) path, or NULL */
    char *key_data; /* decoded client-key-data, or NULL */
    size_t key_len;
    bool insecure; /* insecure-skip-tls-verify: true */
};

/* The in-cluster configuration: $KUBERNETES_SERVICE_HOST, $KUBERNETES_SERVICE_PORT
 * (an IPv6 host is bracketed) and the token and ca.crt under sa_dir (NULL:
 * MG_KUBECONF_SA_DIR). MG_ECONFIG when not running in a cluster. */
int mg_kubeconf_in_cluster(struct mg_kubeconf *kc, const char *sa_dir, struct mg_err *err);

/* The current-context of the kubeconfig at path: its cluster's server,
 * certificate-authority(-data) and insecure-skip-tls-verify, its user's token,
 * tokenFile, client-certificate(-data) and client-key(-data). Relative file names are
 * relative to the kubeconfig's directory. exec and auth-provider users are refused
 * (MG_ECONFIG), as is a context, cluster or user that is not there. */
int mg_kubeconf_load_file(struct mg_kubeconf *kc, const char *path, struct mg_err *err);

/* mg_kubeconf_load_file with the context named context (NULL: the current-context),
 * as kubectl's --context. */
int mg_kubeconf_load_context(struct mg_kubeconf *kc, const char *path, const char *context,
                             struct mg_err *err);

/* The bearer token to send now (static, or read from token_file and trimmed), NULL
 * when there is none. Caller frees with free(). */
char *mg_kubeconf_token(const struct mg_kubeconf *kc, struct mg_err *err);

/* Free every member and zero the struct; accepts NULL and a zeroed struct. */
void mg_kubeconf_free(struct mg_kubeconf *kc);

#endif
