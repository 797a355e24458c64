/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_certs.c - `migguard certs create|client|check|cabundle`: the command-line face of
 * certs/. Parses options, calls mg_certs_*, prints what it did. Never replaces a CA
 * without --force. Exit 0 success, 1 a failed check or operation, 2 a usage error. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certs.h"
#include "cli.h"

#define MAX_NAMES 64
#define EXIT_USAGE 2

static const char create_usage[] =
    "usage: migguard certs create [--out DIR] [--service NAME --namespace NS]... [--dns NAME]...\n"
    "                             [--ip ADDR]... [--days N] [--ca-days N] [--key-type ec|rsa]\n"
    "                             [--force]\n"
    "  Write DIR/ca.crt, ca.key (a new self-signed CA) and tls.crt, tls.key (a serving\n"
    "  certificate signed by it). --service/--namespace add the SANs NAME.NS.svc,\n"
    "  NAME.NS.svc.cluster.local, NAME.NS and NAME. Key files get mode 0600.\n"
    "  DIR defaults to $MIGGUARD_CERTS_DIR, else $XDG_CONFIG_HOME/migguard/certs\n"
    "  (~/.config/migguard/certs): outside any source tree, so a CA key never lands in\n"
    "  git or an image build context. A DIR that already holds a CA is refused unless\n"
    "  --force (a new CA invalidates every certificate and caBundle made from the old).\n"
    "  --days: serving lifetime (default 365); --ca-days: CA lifetime (default 3650);\n"
    "  --key-type: ec (P-256, default) or rsa (2048 bits).\n";
static const char client_usage[] =
    "usage: migguard certs client --name NAME [--ca-dir DIR] [--out DIR] [--dns NAME]...\n"
    "                             [--days N] [--key-type ec|rsa] [--force]\n"
    "  Write OUT/NAME.crt and OUT/NAME.key: a TLS client certificate (CN NAME, EKU\n"
    "  clientAuth) signed by the CA in DIR (ca.crt, ca.key; default: the directory\n"
    "  'certs create' uses), for the API server to present to 'serve --client-ca\n"
    "  DIR/ca.crt --client-name NAME' (deploy/README.md shows its kubeconfig). OUT\n"
    "  defaults to DIR; existing files are kept unless --force. --days default 365.\n";
static const char check_usage[] =
    "usage: migguard certs check --cert FILE --key FILE [--ca FILE] [--dns NAME] [--ip ADDR]\n"
    "  Check that the key matches the certificate, a SAN covers NAME / ADDR, the\n"
    "  certificate is within its validity and, with --ca, chains to the CA as a TLS server.\n"
    "  Exit 0 when every check passes, 1 naming the check that failed.\n";
static const char cabundle_usage[] =
    "usage: migguard certs cabundle --ca FILE\n"
    "  Print the base64 of the CA PEM file on one line, for a webhook's clientConfig.caBundle.\n";
static const char certs_usage[] =
    "usage: migguard certs create|client|check|cabundle|webhooks [options]   (--help after "
    "each)\n";

static int usage(const char *text, const char *problem)
{
    if (problem)
        fprintf(stderr, "migguard certs: %s\n", problem);
    fputs(text, stderr);
    return EXIT_USAGE;
}

static bool is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

/* "--name VALUE" or "--name=VALUE" at argv[*i]; advances *i past the value. */
static bool opt_value(int argc, char **argv, int *i, const char *name, const char **val)
{
    size_t n = strlen(name);
    const char *a = argv[*i];

    if (strncmp(a, name, n) != 0)
        return false;
    if (a[n] == '=') {
        *val = a + n + 1;
        return true;
    }
    if (a[n] != '\0')
        return false;
    *val = (*i + 1 < argc) ? argv[++*i] : NULL;
    return true;
}

static bool parse_days(const char *s, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = s ? strtol(s, &end, 10) : 0;
    if (!s || errno || end == s || *end || v < 1 || v > 36500)
        return false;
    *out = (int)v;
    return true;
}

/* The options create and client share. */
struct leaf_args {
    const char *out;
    const char *dns[MAX_NAMES];
    size_t n_dns;
    int days;
    enum mg_certs_key key;
    bool force;
};

struct create_args {
    struct leaf_args l;
    const char *svc[MAX_NAMES], *ns[MAX_NAMES], *ip[MAX_NAMES];
    size_t n_svc, n_ns, n_ip;
    int ca_days;
};

static bool push(const char **list, size_t *n, const char *v)
{
    if (!v || *n >= MAX_NAMES)
        return false;
    list[(*n)++] = v;
    return true;
}

/* One of the shared options at argv[*i]: 1 taken, 0 not one of them, -1 bad value. */
static int leaf_opt(int argc, char **argv, int *i, struct leaf_args *l)
{
    const char *v = NULL;
    bool ok;

    if (strcmp(argv[*i], "--force") == 0)
        ok = l->force = true;
    else if (opt_value(argc, argv, i, "--out", &v))
        ok = (l->out = v) != NULL;
    else if (opt_value(argc, argv, i, "--dns", &v))
        ok = push(l->dns, &l->n_dns, v);
    else if (opt_value(argc, argv, i, "--days", &v))
        ok = parse_days(v, &l->days);
    else if (opt_value(argc, argv, i, "--key-type", &v)) {
        ok = v && (strcmp(v, "ec") == 0 || strcmp(v, "rsa") == 0);
        l->key = (ok && v[0] == 'r') ? MG_CERTS_KEY_RSA_2048 : MG_CERTS_KEY_EC_P256;
    } else
        return 0;
    return ok ? 1 : -1;
}

/* Returns NULL on success, else what is wrong. */
static const char *parse_create(int argc, char **argv, struct create_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        int taken = leaf_opt(argc, argv, &i, &a->l);
        bool ok = taken > 0;

        if (taken != 0)
            ;
        else if (opt_value(argc, argv, &i, "--service", &v))
            ok = push(a->svc, &a->n_svc, v);
        else if (opt_value(argc, argv, &i, "--namespace", &v))
            ok = push(a->ns, &a->n_ns, v);
        else if (opt_value(argc, argv, &i, "--ip", &v))
            ok = push(a->ip, &a->n_ip, v);
        else if (opt_value(argc, argv, &i, "--ca-days", &v))
            ok = parse_days(v, &a->ca_days);
        else
            return "unknown option";
        if (!ok)
            return "missing or invalid option value (days: 1..36500; at most 64 names each)";
    }
    if (a->n_svc != a->n_ns && !(a->n_ns == 1 && a->n_svc > 0))
        return "each --service needs a --namespace (or one --namespace for all)";
    if (a->n_svc * 4 + a->l.n_dns > MAX_NAMES)
        return "too many names";
    if (a->n_svc + a->l.n_dns + a->n_ip == 0)
        return "give --service/--namespace, --dns or --ip";
    return NULL;
}

/* The four in-cluster names of each service, then the --dns names. */
static int service_names(struct create_args *a, char **owned, size_t *n_owned, const char **names,
                         size_t *n)
{
    static const char *const suffix[] = {".svc", ".svc.cluster.local", "", NULL};

    for (size_t s = 0; s < a->n_svc; s++) {
        const char *ns = a->n_ns == 1 ? a->ns[0] : a->ns[s];

        for (size_t f = 0; f < 4; f++) {
            size_t len = strlen(a->svc[s]) + strlen(ns) + 32;
            char *name = malloc(len);

            if (!name)
                return -1;
            if (suffix[f])
                snprintf(name, len, "%s.%s%s", a->svc[s], ns, suffix[f]);
            else
                snprintf(name, len, "%s", a->svc[s]);
            owned[(*n_owned)++] = name;
            names[(*n)++] = name;
        }
    }
    for (size_t i = 0; i < a->l.n_dns; i++)
        names[(*n)++] = a->l.dns[i];
    return 0;
}

/* mkdir -p path (mode for each directory made). */
static int make_dirs(const char *path, mode_t mode)
{
    char buf[PATH_MAX];
    int n = snprintf(buf, sizeof(buf), "%s", path);

    if (n < 0 || (size_t)n >= sizeof(buf))
        return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, mode) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, mode) != 0 && errno != EEXIST ? -1 : 0;
}

/* The default certificate directory (see create_usage), made when absent; NULL when
 * there is no home to put it in. */
static const char *default_dir(char *buf, size_t n)
{
    const char *env = getenv("MIGGUARD_CERTS_DIR"), *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    int k;

    if (env && *env)
        k = snprintf(buf, n, "%s", env);
    else if (xdg && *xdg == '/')
        k = snprintf(buf, n, "%s/migguard/certs", xdg);
    else if (home && *home == '/')
        k = snprintf(buf, n, "%s/.config/migguard/certs", home);
    else
        return NULL;
    if (k < 0 || (size_t)k >= n || make_dirs(buf, 0700) != 0)
        return NULL;
    return buf;
}

static bool exists_in(const char *dir, const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    int n = snprintf(path, sizeof(path), "%s/%s", dir, name);

    return n > 0 && (size_t)n < sizeof(path) && lstat(path, &st) == 0;
}

static int cmd_create(int argc, char **argv)
{
    struct create_args a = {.l.days = 365, .ca_days = 3650};
    const char *problem = parse_create(argc, argv, &a);
    const char *names[MAX_NAMES];
    char *owned[MAX_NAMES];
    size_t n = 0, n_owned = 0;
    struct mg_certs_spec ca = {.common_name = "migguard webhook CA"}, tls = {0};
    struct mg_err err = {0};
    char dirbuf[PATH_MAX];
    int rc = 1;

    if (problem)
        return usage(create_usage, problem);
    if (!a.l.out && !(a.l.out = default_dir(dirbuf, sizeof(dirbuf)))) {
        fprintf(stderr, "migguard certs create: no --out DIR and no default directory (set "
                        "HOME or MIGGUARD_CERTS_DIR, or give --out)\n");
        return 1;
    }
    if (!a.l.force && (exists_in(a.l.out, "ca.key") || exists_in(a.l.out, "ca.crt"))) {
        fprintf(stderr,
                "migguard certs create: %s already holds a CA (ca.crt/ca.key); a new one "
                "would invalidate every certificate and caBundle made from it. Use --force "
                "to replace it, or 'certs client' to issue from it\n",
                a.l.out);
        return 1;
    }
    if (service_names(&a, owned, &n_owned, names, &n) != 0) {
        fprintf(stderr, "migguard certs create: out of memory\n");
        goto out;
    }
    /* A serving certificate outliving its CA would stop verifying early. */
    ca.days = a.ca_days > a.l.days ? a.ca_days : a.l.days;
    ca.key = tls.key = a.l.key;
    tls.dns = names;
    tls.n_dns = n;
    tls.ips = a.ip;
    tls.n_ips = a.n_ip;
    tls.days = a.l.days;
    if (mg_certs_create_dir(a.l.out, &ca, &tls, &err) != 0) {
        fprintf(stderr, "migguard certs create: %s\n", err.msg);
        goto out;
    }
    printf("wrote %s/ca.crt %s/ca.key %s/tls.crt %s/tls.key\n", a.l.out, a.l.out, a.l.out, a.l.out);
    printf("serving certificate valid %d days for:", a.l.days);
    for (size_t i = 0; i < n; i++)
        printf(" DNS:%s", names[i]);
    for (size_t i = 0; i < a.n_ip; i++)
        printf(" IP:%s", a.ip[i]);
    printf("\n");
    rc = 0;
out:
    for (size_t i = 0; i < n_owned; i++)
        free(owned[i]);
    return rc;
}

struct client_args {
    struct leaf_args l;
    const char *name, *ca_dir;
};

static const char *parse_client(int argc, char **argv, struct client_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        int taken = leaf_opt(argc, argv, &i, &a->l);
        bool ok = taken > 0;

        if (taken != 0)
            ;
        else if (opt_value(argc, argv, &i, "--name", &v))
            ok = (a->name = v) != NULL && *v && !strchr(v, '/');
        else if (opt_value(argc, argv, &i, "--ca-dir", &v))
            ok = (a->ca_dir = v) != NULL;
        else
            return "unknown option";
        if (!ok)
            return "missing or invalid option value (--name without '/'; days: 1..36500)";
    }
    return a->name ? NULL
                   : "--name NAME is required (the CN the server's --client-name "
                     "accepts, e.g. kube-apiserver)";
}

/* Read DIR/ca.crt and DIR/ca.key into ca. */
static int read_ca(const char *dir, struct mg_certs_pair *ca, struct mg_err *err)
{
    char crt[PATH_MAX], key[PATH_MAX];

    snprintf(crt, sizeof(crt), "%s/ca.crt", dir);
    snprintf(key, sizeof(key), "%s/ca.key", dir);
    if (mg_certs_read_file(crt, &ca->cert_pem, NULL, err) != 0 ||
        mg_certs_read_file(key, &ca->key_pem, NULL, err) != 0)
        return mg_err_set(err, MG_EIO, "%s (make the CA with 'certs create', or give --ca-dir)",
                          err->msg);
    return 0;
}

static int cmd_client(int argc, char **argv)
{
    struct client_args a = {.l.days = 365};
    const char *problem = parse_client(argc, argv, &a);
    struct mg_certs_pair ca = {0}, leaf = {0};
    struct mg_certs_spec spec = {0};
    struct mg_err err = {0};
    char dirbuf[PATH_MAX], crt[PATH_MAX], key[PATH_MAX];
    int rc = 1;

    if (problem)
        return usage(client_usage, problem);
    if (!a.ca_dir && !(a.ca_dir = default_dir(dirbuf, sizeof(dirbuf)))) {
        fprintf(stderr, "migguard certs client: no --ca-dir and no default directory\n");
        return 1;
    }
    if (!a.l.out)
        a.l.out = a.ca_dir;
    snprintf(crt, sizeof(crt), "%s/%s.crt", a.l.out, a.name);
    snprintf(key, sizeof(key), "%s/%s.key", a.l.out, a.name);
    if (!a.l.force && (access(crt, F_OK) == 0 || access(key, F_OK) == 0)) {
        fprintf(stderr, "migguard certs client: %s or %s exists; use --force to replace it\n", crt,
                key);
        return 1;
    }
    spec.common_name = a.name;
    spec.dns = a.l.dns;
    spec.n_dns = a.l.n_dns;
    spec.days = a.l.days;
    spec.key = a.l.key;
    if (read_ca(a.ca_dir, &ca, &err) != 0 || mg_certs_make_client(&leaf, &ca, &spec, &err) != 0 ||
        make_dirs(a.l.out, 0700) != 0 || mg_certs_write_file(key, leaf.key_pem, true, &err) != 0 ||
        mg_certs_write_file(crt, leaf.cert_pem, false, &err) != 0) {
        fprintf(stderr, "migguard certs client: %s\n", err.msg[0] ? err.msg : "cannot write");
        goto out;
    }
    printf("wrote %s %s\nclient certificate CN=%s valid %d days, signed by %s/ca.crt\n", crt, key,
           a.name, a.l.days, a.ca_dir);
    printf("serve with: --client-ca %s/ca.crt --client-name %s\n", a.ca_dir, a.name);
    rc = 0;
out:
    mg_certs_pair_free(&ca);
    mg_certs_pair_free(&leaf);
    return rc;
}

static void print_check(enum mg_certs_check_id id, const struct mg_certs_report *rep,
                        const char *arg)
{
    const char *state = "ok";

    if (rep->failed == id)
        state = "FAILED";
    else if (rep->failed != MG_CERTS_CHECK_NONE && rep->failed < id)
        state = "not run";
    printf("%-10s %s", mg_certs_check_name(id), state);
    if (arg)
        printf(" (%s)", arg);
    printf("\n");
}

static int cmd_check(int argc, char **argv)
{
    struct mg_certs_check_opts o = {0};
    struct mg_certs_report rep;
    struct mg_err err = {0};
    char expiry[128];
    int rc;

    for (int i = 1; i < argc; i++) {
        const char *v = NULL, **dst;

        if (opt_value(argc, argv, &i, "--cert", &v))
            dst = &o.cert_file;
        else if (opt_value(argc, argv, &i, "--key", &v))
            dst = &o.key_file;
        else if (opt_value(argc, argv, &i, "--ca", &v))
            dst = &o.ca_file;
        else if (opt_value(argc, argv, &i, "--dns", &v))
            dst = &o.dns;
        else if (opt_value(argc, argv, &i, "--ip", &v))
            dst = &o.ip;
        else
            return usage(check_usage, "unknown option");
        if (!v)
            return usage(check_usage, "missing option value");
        *dst = v;
    }
    if (!o.cert_file || !o.key_file)
        return usage(check_usage, "--cert FILE and --key FILE are required");
    rc = mg_certs_check(&o, &rep, &err);
    printf("certificate %s, key %s\n", o.cert_file, o.key_file);
    if (rep.failed == MG_CERTS_CHECK_LOAD) {
        print_check(MG_CERTS_CHECK_LOAD, &rep, NULL);
    } else {
        printf("subject    %s\n", rep.subject);
        print_check(MG_CERTS_CHECK_KEY, &rep, NULL);
        if (o.dns)
            print_check(MG_CERTS_CHECK_DNS, &rep, o.dns);
        if (o.ip)
            print_check(MG_CERTS_CHECK_IP, &rep, o.ip);
        snprintf(expiry, sizeof(expiry), "notAfter %s, %ld days left", rep.not_after,
                 rep.days_left);
        print_check(MG_CERTS_CHECK_EXPIRY, &rep, expiry);
        if (o.ca_file)
            print_check(MG_CERTS_CHECK_CA, &rep, o.ca_file);
    }
    if (rc != 0) {
        fprintf(stderr, "migguard certs check: %s\n", err.msg);
        return 1;
    }
    return 0;
}

static int cmd_cabundle(int argc, char **argv)
{
    const char *ca = NULL;
    char *b64 = NULL;
    struct mg_err err = {0};

    for (int i = 1; i < argc; i++) {
        if (!opt_value(argc, argv, &i, "--ca", &ca))
            return usage(cabundle_usage, "unknown option");
        if (!ca)
            return usage(cabundle_usage, "missing option value");
    }
    if (!ca)
        return usage(cabundle_usage, "--ca FILE is required");
    if (mg_certs_cabundle(ca, &b64, &err) != 0) {
        fprintf(stderr, "migguard certs cabundle: %s\n", err.msg);
        return 1;
    }
    printf("%s\n", b64);
    free(b64);
    return 0;
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (is_help(argv[i]))
            return true;
    return false;
}

int mg_cli_certs(int argc, char **argv)
{
    static const struct {
        const char *name;
        const char *usage;
        int (*run)(int, char **);
    } cmds[] = {{"create", create_usage, cmd_create},
                {"client", client_usage, cmd_client},
                {"check", check_usage, cmd_check},
                {"cabundle", cabundle_usage, cmd_cabundle},
                {"webhooks", mg_cli_webhooks_usage, mg_cli_certs_webhooks}};

    if (argc < 2)
        return usage(certs_usage, "missing subcommand");
    if (is_help(argv[1])) {
        fputs(certs_usage, stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (strcmp(argv[1], cmds[i].name) != 0)
            continue;
        if (wants_help(argc - 1, argv + 1)) {
            fputs(cmds[i].usage, stdout);
            return 0;
        }
        return cmds[i].run(argc - 1, argv + 1);
    }
    return usage(certs_usage, "unknown subcommand");
}
