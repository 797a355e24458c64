/* SPDX-License-Identifier: Apache-2.0 */
/* kubeconf.c - resolve the API server address and credentials from the in-cluster
 * ServiceAccount or a kubeconfig file (parsed with libyaml through mg_yaml_parse).
 * OpenSSL only for EVP_DecodeBlock: the base64 of the *-data fields. No network. */
#include "kubeconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "json.h"
#include "yamljson.h"

/* A kubeconfig, a token or a CA bundle larger than this is not one. */
#define KUBECONF_MAX_BYTES ((size_t)4 * 1024 * 1024)

void mg_kubeconf_free(struct mg_kubeconf *kc)
{
    if (!kc)
        return;
    free(kc->server);
    free(kc->token);
    free(kc->token_file);
    free(kc->ca_file);
    free(kc->ca_data);
    free(kc->cert_file);
    free(kc->cert_data);
    free(kc->key_file);
    free(kc->key_data);
    memset(kc, 0, sizeof(*kc));
}

static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p;

    if (name[0] == '/' || !dir[0])
        return strdup(name);
    p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static char *trim_dup(const char *s, size_t len)
{
    char *out;

    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    out = malloc(len + 1);
    if (out) {
        memcpy(out, s, len);
        out[len] = '\0';
    }
    return out;
}

char *mg_kubeconf_token(const struct mg_kubeconf *kc, struct mg_err *err)
{
    char *text = NULL, *tok;
    size_t len = 0;

    if (kc->token)
        return strdup(kc->token);
    if (!kc->token_file)
        return NULL;
    if (mg_read_file(kc->token_file, KUBECONF_MAX_BYTES, &text, &len, err))
        return NULL;
    tok = trim_dup(text, len);
    free(text);
    return tok;
}

int mg_kubeconf_in_cluster(struct mg_kubeconf *kc, const char *sa_dir, struct mg_err *err)
{
    const char *host = getenv("KUBERNETES_SERVICE_HOST");
    const char *port = getenv("KUBERNETES_SERVICE_PORT");
    bool v6;
    size_t n;

    memset(kc, 0, sizeof(*kc));
    if (!sa_dir)
        sa_dir = MG_KUBECONF_SA_DIR;
    if (!host || !host[0] || !port || !port[0])
        return mg_err_set(err, MG_ECONFIG,
                          "not in a cluster: KUBERNETES_SERVICE_HOST and "
                          "KUBERNETES_SERVICE_PORT are not set (use --kubeconfig)");
    v6 = strchr(host, ':') != NULL;
    n = strlen(host) + strlen(port) + 16;
    kc->server = malloc(n);
    kc->token_file = join_path(sa_dir, "token");
    kc->ca_file = join_path(sa_dir, "ca.crt");
    if (!kc->server || !kc->token_file || !kc->ca_file) {
        mg_kubeconf_free(kc);
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    }
    snprintf(kc->server, n, v6 ? "https://[%s]:%s" : "https://%s:%s", host, port);
    return 0;
}

/* base64 text (whitespace ignored) to bytes, NUL-terminated for PEM consumers. */
static int b64_decode(const char *text, char **out, size_t *outlen, const char *what,
                      struct mg_err *err)
{
    size_t n = strlen(text), m = 0, pad = 0;
    char *clean = malloc(n + 1), *bin = NULL;
    int got;

    if (!clean)
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (!isspace((unsigned char)text[i]))
            clean[m++] = text[i];
    clean[m] = '\0';
    if (m == 0 || m % 4 != 0 || m > (size_t)0x7fffffff)
        goto bad;
    bin = malloc(m / 4 * 3 + 1);
    if (!bin) {
        free(clean);
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    }
    got = EVP_DecodeBlock((unsigned char *)bin, (const unsigned char *)clean, (int)m);
    if (got < 0)
        goto bad;
    /* EVP_DecodeBlock counts the padding as zero bytes. */
    pad = (clean[m - 1] == '=') + (clean[m - 2] == '=');
    *outlen = (size_t)got - pad;
    bin[*outlen] = '\0';
    *out = bin;
    free(clean);
    return 0;
bad:
    free(clean);
    free(bin);
    return mg_err_set(err, MG_ECONFIG, "%s is not valid base64", what);
}

static const char *str_item(const cJSON *obj, const char *key)
{
    const cJSON *v = mg_json_get(obj, key);

    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/* The `inner` object of the entry called name in the list at key ("clusters" etc.). */
static const cJSON *named(const cJSON *root, const char *key, const char *inner, const char *name)
{
    const cJSON *it;

    cJSON_ArrayForEach (it, mg_json_get(root, key)) {
        const char *n = str_item(it, "name");

        if (n && strcmp(n, name) == 0) {
            const cJSON *v = mg_json_get(it, inner);

            return cJSON_IsObject(v) ? v : NULL;
        }
    }
    return NULL;
}

/* One file-or-data pair: key "certificate-authority" and "certificate-authority-data". */
static int take_pair(const cJSON *obj, const char *key, const char *dir, char **file, char **data,
                     size_t *len, struct mg_err *err)
{
    char dkey[64];
    const char *f = str_item(obj, key), *d;

    snprintf(dkey, sizeof(dkey), "%s-data", key);
    d = str_item(obj, dkey);
    if (d)
        return b64_decode(d, data, len, dkey, err);
    if (f && !(*file = join_path(dir, f)))
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    return 0;
}

static int fill_cluster(struct mg_kubeconf *kc, const cJSON *cl, const char *dir,
                        struct mg_err *err)
{
    const char *server = str_item(cl, "server");
    const cJSON *insecure = mg_json_get(cl, "insecure-skip-tls-verify");
    size_t n;

    if (!server || (strncmp(server, "https://", 8) != 0 && strncmp(server, "http://", 7) != 0))
        return mg_err_set(err, MG_ECONFIG,
                          "the cluster's server is missing or not an "
                          "http(s):// URL");
    if (!(kc->server = strdup(server)))
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    n = strlen(kc->server);
    while (n > 0 && kc->server[n - 1] == '/')
        kc->server[--n] = '\0';
    kc->insecure = cJSON_IsTrue(insecure);
    return take_pair(cl, "certificate-authority", dir, &kc->ca_file, &kc->ca_data, &kc->ca_len,
                     err);
}

static int fill_user(struct mg_kubeconf *kc, const cJSON *user, const char *dir, struct mg_err *err)
{
    const char *tok = str_item(user, "token"), *tf = str_item(user, "tokenFile");
    int rc;

    if (mg_json_get(user, "exec") || mg_json_get(user, "auth-provider"))
        return mg_err_set(err, MG_ECONFIG,
                          "the user's exec or auth-provider credentials are "
                          "not supported: give a token or a client certificate");
    if (tok && !(kc->token = strdup(tok)))
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    if (!tok && tf && !(kc->token_file = join_path(dir, tf)))
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    rc = take_pair(user, "client-certificate", dir, &kc->cert_file, &kc->cert_data, &kc->cert_len,
                   err);
    if (!rc)
        rc = take_pair(user, "client-key", dir, &kc->key_file, &kc->key_data, &kc->key_len, err);
    if (!rc && !(kc->cert_file || kc->cert_data) != !(kc->key_file || kc->key_data))
        rc = mg_err_set(err, MG_ECONFIG,
                        "the user has a client certificate without a key "
                        "or a key without a certificate");
    return rc;
}

static int resolve(struct mg_kubeconf *kc, const cJSON *root, const char *dir, const char *context,
                   struct mg_err *err)
{
    const char *cur = context ? context : str_item(root, "current-context"), *cname, *uname;
    const cJSON *ctx, *cl, *user = NULL;
    int rc;

    if (!cur)
        return mg_err_set(err, MG_ECONFIG, "no current-context");
    ctx = named(root, "contexts", "context", cur);
    if (!ctx)
        return mg_err_set(err, MG_ECONFIG, "context \"%.200s\" is not in contexts", cur);
    cname = str_item(ctx, "cluster");
    uname = str_item(ctx, "user");
    cl = cname ? named(root, "clusters", "cluster", cname) : NULL;
    if (!cl)
        return mg_err_set(err, MG_ECONFIG,
                          "context \"%.200s\": cluster \"%.200s\" is not in "
                          "clusters",
                          cur, cname ? cname : "");
    if (uname) {
        user = named(root, "users", "user", uname);
        if (!user)
            return mg_err_set(err, MG_ECONFIG,
                              "context \"%.200s\": user \"%.200s\" is not "
                              "in users",
                              cur, uname);
    }
    rc = fill_cluster(kc, cl, dir, err);
    if (!rc && user)
        rc = fill_user(kc, user, dir, err);
    return rc;
}

int mg_kubeconf_load_file(struct mg_kubeconf *kc, const char *path, struct mg_err *err)
{
    return mg_kubeconf_load_context(kc, path, NULL, err);
}

int mg_kubeconf_load_context(struct mg_kubeconf *kc, const char *path, const char *context,
                             struct mg_err *err)
{
    struct mg_yaml_docs docs = {0};
    char *text = NULL, *dir = NULL, *slash;
    size_t len = 0;
    int rc;

    memset(kc, 0, sizeof(*kc));
    rc = mg_read_file(path, KUBECONF_MAX_BYTES, &text, &len, err);
    if (rc)
        goto out;
    rc = mg_yaml_parse(text, len, path, false, &docs, err);
    if (rc)
        goto out;
    if (docs.n != 1 || !cJSON_IsObject(docs.docs[0])) {
        rc = mg_err_set(err, MG_ECONFIG, "%.200s: a kubeconfig is one YAML mapping", path);
        goto out;
    }
    dir = strdup(path);
    if (!dir) {
        rc = mg_err_set(err, MG_ENOMEM, "out of memory");
        goto out;
    }
    slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir ? 1 : 0] = '\0';
    else
        dir[0] = '\0';
    rc = resolve(kc, docs.docs[0], dir, context, err);
    if (rc && err && !err->file[0])
        snprintf(err->file, sizeof(err->file), "%s", path);
out:
    if (rc)
        mg_kubeconf_free(kc);
    mg_yaml_docs_free(&docs);
    free(text);
    free(dir);
    return rc;
}
