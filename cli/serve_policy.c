/* SPDX-License-Identifier: Apache-2.0 */
/* serve_policy.c - the replica's name and namespace (the Downward API's POD_NAME and
 * POD_NAMESPACE, else the host name and the ServiceAccount's namespace), then the
 * policy-write Lease on the engine and the audit thread. */
#include "serve_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "kubeconf.h"
#include "logbuf.h"
#include "policywrite.h"
#include "setup.h"

struct mg_serve_policy {
    struct mg_engine *engine;
    struct mg_audit *audit;
};

/* $POD_NAMESPACE, the in-cluster ServiceAccount's namespace file, or "migguard". */
static void find_namespace(const char *flag, char *out, size_t len)
{
    const char *env = getenv("POD_NAMESPACE");
    FILE *f;

    if (flag || (env && env[0])) {
        snprintf(out, len, "%s", flag ? flag : env);
        return;
    }
    snprintf(out, len, "migguard");
    if ((f = fopen(MG_KUBECONF_SA_DIR "/namespace", "r")) != NULL) {
        char buf[256];

        if (fgets(buf, sizeof(buf), f) && buf[0]) {
            buf[strcspn(buf, "\r\n")] = '\0';
            if (buf[0])
                snprintf(out, len, "%s", buf);
        }
        fclose(f);
    }
}

/* "<pod or host>_<pid>": unique even for two processes on one host (the tests). */
static void find_identity(char *out, size_t len)
{
    const char *env = getenv("POD_NAME");
    char host[256] = "migguard";

    if (env && env[0])
        snprintf(host, sizeof(host), "%s", env);
    else if (gethostname(host, sizeof(host) - 1) != 0)
        snprintf(host, sizeof(host), "migguard");
    snprintf(out, len, "%.200s_%ld", host, (long)getpid());
}

static void log_line(void *ctx, const char *line)
{
    char buf[4096];
    int n = snprintf(buf, sizeof(buf), "%s\n", line);

    if (n > 0 && (size_t)n < sizeof(buf))
        mg_logbuf_line(ctx, buf, (size_t)n);
}

static int parse_secs(const char *arg, unsigned lo, unsigned hi, unsigned *out, const char *flag,
                      const char *why)
{
    char *end = NULL;
    unsigned long v = strtoul(arg, &end, 10);

    if (*arg && !*end && v >= lo && v <= hi) {
        *out = (unsigned)v;
        return -1;
    }
    fprintf(stderr, "migguard serve: %s takes seconds from %u to %u%s\n", flag, lo, hi, why);
    return 2;
}

int mg_serve_policy_option(struct mg_serve_policy_args *a, int which, const char *arg)
{
    switch (which) {
    case 0: return parse_secs(arg, 1, 10, &a->pending_s, "--pending", " (issue 13's bound)");
    case 1:
        if (!*arg || strlen(arg) > 63) {
            fprintf(stderr, "migguard serve: --lease-namespace takes a namespace name\n");
            return 2;
        }
        a->namespace_ = arg;
        return -1;
    case 2: return parse_secs(arg, 1, 60, &a->lease_s, "--lease-duration", "");
    case 3:
        return parse_secs(arg, 1, 29, &a->wait_s, "--policy-wait",
                          " (under the webhook's timeoutSeconds, at most 30)");
    case 4: return parse_secs(arg, 1, 86400, &a->audit_s, "--audit-period", "");
    default:
        printf("MigrationPolicy writes (migguard serve; deploy/README.md \"Policy writes with "
               "several replicas\"):\n"
               "  --pending S         an admitted MigrationPolicy change counts for S seconds (1 "
               "to\n"
               "                      10, default 10) unless the watch reports it; without --kube\n"
               "                      and without --client-ca, the same bound (docs/view.md)\n"
               "  --lease-namespace NS  with --kube: the namespace of the policy Leases and audit\n"
               "                      Events (default $POD_NAMESPACE, else the ServiceAccount's)\n"
               "  --lease-duration S  with --kube: leaseDurationSeconds of the policy-write Lease\n"
               "                      (default 2; a dead holder is passed over after it)\n"
               "  --policy-wait S     with --kube: a policy CREATE/UPDATE that cannot take its "
               "turn\n"
               "                      within S seconds is refused as retryable (default 4, under "
               "the\n"
               "                      webhook's timeoutSeconds of 5)\n"
               "  --audit-period S    with --kube: the elected replica re-checks the stored "
               "policies\n"
               "                      for conflicting pairs every S seconds (default 300) and "
               "when\n"
               "                      they change\n");
        return 0;
    }
}

bool mg_serve_policy_needs_kube(const struct mg_serve_policy_args *a)
{
    return a->namespace_ || a->lease_s || a->wait_s || a->audit_s;
}

int mg_serve_policy_start(struct mg_serve_policy **out, const struct mg_serve_policy_args *a,
                          const char *kubeconfig, struct mg_engine *engine, struct mg_logbuf *log)
{
    struct mg_serve_policy *p = calloc(1, sizeof(*p));
    char ns[256], id[300];
    struct mg_policywrite *pw = NULL;
    struct mg_err err = {0};
    struct mg_policywrite_opts po;
    struct mg_audit_opts ao;

    *out = NULL;
    if (!p) {
        fprintf(stderr, "migguard serve: out of memory\n");
        return -1;
    }
    find_namespace(a->namespace_, ns, sizeof(ns));
    find_identity(id, sizeof(id));
    po = (struct mg_policywrite_opts){kubeconfig, ns, NULL, id, a->lease_s, a->pending_s * 1000u};
    ao = (struct mg_audit_opts){kubeconfig, ns, id, a->audit_s, 0, engine, log_line, log};
    if (mg_policywrite_new(&pw, &po, &err) != 0 || mg_audit_start(&p->audit, &ao, &err) != 0) {
        mg_setup_print_err(&err);
        mg_policywrite_free(pw);
        free(p);
        return -1;
    }
    mg_engine_set_policywrite(engine, pw, a->wait_s * 1000u);
    p->engine = engine;
    *out = p;
    return 0;
}

void mg_serve_policy_stop(struct mg_serve_policy *p)
{
    if (!p)
        return;
    mg_audit_stop(p->audit);
    free(p);
}

void mg_serve_policy_changed(void *ctx, const char *kind, const char *name)
{
    struct mg_serve_policy *p = ctx;

    mg_engine_view_changed(p->engine, kind, name);
    if (strcmp(kind, "MigrationPolicy") == 0)
        mg_audit_poke(p->audit);
}

char *mg_serve_policy_metrics(struct mg_serve_policy *p)
{
    return p ? mg_audit_metrics(p->audit) : strdup("");
}
