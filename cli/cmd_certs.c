/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_certs.c - `migguard certs create|check|cabundle`: the command-line face of
 * certs/. Parses options, calls mg_certs_*, prints what it did. Exit 0 success,
 * 1 a failed check or operation, 2 a usage error. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certs.h"
#include "cli.h"

#define MAX_NAMES 64
#define EXIT_USAGE 2

static const char create_usage[] =
    "usage: migguard certs create --out DIR [--service NAME --namespace NS]... [--dns NAME]...\n"
    "                             [--ip ADDR]... [--days N] [--ca-days N] [--key-type ec|rsa]\n"
    "  Write DIR/ca.crt, ca.key (a new self-signed CA) and tls.crt, tls.key (a serving\n"
    "  certificate signed by it). --service/--namespace add the SANs NAME.NS.svc,\n"
    "  NAME.NS.svc.cluster.local, NAME.NS and NAME. Key files get mode 0600.\n"
    "  --days: serving lifetime (default 365); --ca-days: CA lifetime (default 3650);\n"
    "  --key-type: ec (P-256, default) or rsa (2048 bits).\n";
static const char check_usage[] =
    "usage: migguard certs check --cert FILE --key FILE [--ca FILE] [--dns NAME] [--ip ADDR]\n"
    "  Check that the key matches the certificate, a SAN covers NAME / ADDR, the\n"
    "  certificate is within its validity and, with --ca, chains to the CA as a TLS server.\n"
    "  Exit 0 when every check passes, 1 naming the check that failed.\n";
static const char cabundle_usage[] =
    "usage: migguard certs cabundle --ca FILE\n"
    "  Print the base64 of the CA PEM file on one line, for a webhook's clientConfig.caBundle.\n";
static const char certs_usage[] =
    "usage: migguard certs create|check|cabundle|webhooks [options]   (--help after each)\n";

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

struct create_args {
    const char *out;
    const char *svc[MAX_NAMES], *ns[MAX_NAMES], *dns[MAX_NAMES], *ip[MAX_NAMES];
    size_t n_svc, n_ns, n_dns, n_ip;
    int days, ca_days;
    enum mg_certs_key key;
};

static bool push(const char **list, size_t *n, const char *v)
{
    if (!v || *n >= MAX_NAMES)
        return false;
    list[(*n)++] = v;
    return true;
}

/* Returns NULL on success, else what is wrong. */
static const char *parse_create(int argc, char **argv, struct create_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        bool ok;

        if (opt_value(argc, argv, &i, "--out", &v))
            ok = (a->out = v) != NULL;
        else if (opt_value(argc, argv, &i, "--service", &v))
            ok = push(a->svc, &a->n_svc, v);
        else if (opt_value(argc, argv, &i, "--namespace", &v))
            ok = push(a->ns, &a->n_ns, v);
        else if (opt_value(argc, argv, &i, "--dns", &v))
            ok = push(a->dns, &a->n_dns, v);
        else if (opt_value(argc, argv, &i, "--ip", &v))
            ok = push(a->ip, &a->n_ip, v);
        else if (opt_value(argc, argv, &i, "--days", &v))
            ok = parse_days(v, &a->days);
        else if (opt_value(argc, argv, &i, "--ca-days", &v))
            ok = parse_days(v, &a->ca_days);
        else if (opt_value(argc, argv, &i, "--key-type", &v)) {
            ok = v && (strcmp(v, "ec") == 0 || strcmp(v, "rsa") == 0);
            a->key = (ok && v[0] == 'r') ? MG_CERTS_KEY_RSA_2048 : MG_CERTS_KEY_EC_P256;
        } else
            return "unknown option";
        if (!ok)
            return "missing or invalid option value (days: 1..36500; at most 64 names each)";
    }
    if (!a->out)
        return "--out DIR is required";
    if (a->n_svc != a->n_ns && !(a->n_ns == 1 && a->n_svc > 0))
        return "each --service needs a --namespace (or one --namespace for all)";
    if (a->n_svc * 4 + a->n_dns > MAX_NAMES)
        return "too many names";
    if (a->n_svc + a->n_dns + a->n_ip == 0)
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
    for (size_t i = 0; i < a->n_dns; i++)
        names[(*n)++] = a->dns[i];
    return 0;
}

static int cmd_create(int argc, char **argv)
{
    struct create_args a = {.days = 365, .ca_days = 3650};
    const char *problem = parse_create(argc, argv, &a);
    const char *names[MAX_NAMES];
    char *owned[MAX_NAMES];
    size_t n = 0, n_owned = 0;
    struct mg_certs_spec ca = {.common_name = "migguard webhook CA"}, tls = {0};
    struct mg_err err = {0};
    int rc = 1;

    if (problem)
        return usage(create_usage, problem);
    if (service_names(&a, owned, &n_owned, names, &n) != 0) {
        fprintf(stderr, "migguard certs create: out of memory\n");
        goto out;
    }
    /* A serving certificate outliving its CA would stop verifying early. */
    ca.days = a.ca_days > a.days ? a.ca_days : a.days;
    ca.key = tls.key = a.key;
    tls.dns = names;
    tls.n_dns = n;
    tls.ips = a.ip;
    tls.n_ips = a.n_ip;
    tls.days = a.days;
    if (mg_certs_create_dir(a.out, &ca, &tls, &err) != 0) {
        fprintf(stderr, "migguard certs create: %s\n", err.msg);
        goto out;
    }
    printf("wrote %s/ca.crt %s/ca.key %s/tls.crt %s/tls.key\n", a.out, a.out, a.out, a.out);
    printf("serving certificate valid %d days for:", a.days);
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
