/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_report.c - `migguard report` (also `kubectl migguard report`): the drain question
 * of validate/drain.h over a view read from a state directory or, once, from the
 * Kubernetes API; text like `oc get`, JSON or YAML (docs/report.md) on stdout.
 * Exit status 0, 3 when a VMI would block the drain, 2 for usage and input errors. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "policy_conflicts.h"
#include "cli.h"
#include "drain.h"
#include "drain_doc.h"
#include "drain_render.h"
#include "json.h"
#include "kube.h"
#include "nodematch.h"
#include "setup.h"

#define MAX_NODES 4096

struct args {
    const char *state, *config, *kubeconfig, *context, *ns, *selector, *output;
    const char *nodes[MAX_NODES];
    size_t n_nodes;
    bool kube, all_ns;
    double link_gbps;
    unsigned timeout_s;
};

static void usage(FILE *to)
{
    int pad = (int)strlen(mg_cli_prog) + (int)sizeof("usage:  report");

    fprintf(to,
            "usage: %s report [--node NAME]... [--selector LABELS] [-n NAMESPACE]\n"
            "%*s[--state DIR | --kube | --kubeconfig FILE [--context NAME]]\n"
            "%*s[--config FILE] [--link-gbps N] [-o text|json|yaml]\n\n",
            mg_cli_prog, pad, "", pad, "");
    fprintf(
        to,
        "What happens to the VMs if these nodes are drained: for every VMI on them, will it\n"
        "live-migrate, be shut down, or block the drain; every reason with its fix; which\n"
        "nodes could take it; its MigrationPolicy; and the least time the migrations take.\n"
        "Without --node or --selector: every VMI, as if its own node were drained, and the\n"
        "stopped VMs apart.\n\n"
        "  --node NAME         a node to be drained (repeatable)\n"
        "  --selector LABELS   the nodes with these labels (k=v,k!=v,k,!k), as kubectl -l\n"
        "  -n, --namespace NS  only VMIs and VMs of this namespace\n"
        "  --state DIR         read the view from the .yaml/.yml/.json files in DIR\n"
        "  --kube              read it from the Kubernetes API (in a pod: its ServiceAccount)\n"
        "  --kubeconfig FILE   read it from the API of FILE's current context\n"
        "  --context NAME      with a kubeconfig: this context instead of the current one\n"
        "                      (no source given: $KUBECONFIG, else ~/.kube/config, as kubectl)\n"
        "  --timeout S         give up listing the API after S seconds (default 120)\n"
        "  --config FILE       migguard configuration (YAML); rules set to off are not reported\n"
        "  --link-gbps N       the link speed of an unlimited bandwidthPerMigration (default 10)\n"
        "  -o, --output FMT    text (the default), json or yaml (docs/report.md)\n"
        "  -h, --help          print this help\n\n"
        "exit status: 0 nothing blocks the drain, 3 some VMI would block it,\n"
        "             2 usage error, unknown node, or a view that cannot be read\n");
}

static int parse_args(int argc, char **argv, struct args *a)
{
    static const struct option opts[] = {
        {"state", required_argument, NULL, 's'},    {"config", required_argument, NULL, 'c'},
        {"output", required_argument, NULL, 'o'},   {"node", required_argument, NULL, 'N'},
        {"selector", required_argument, NULL, 'l'}, {"namespace", required_argument, NULL, 'n'},
        {"kube", no_argument, NULL, 'u'},           {"kubeconfig", required_argument, NULL, 'f'},
        {"context", required_argument, NULL, 'x'},  {"link-gbps", required_argument, NULL, 'g'},
        {"timeout", required_argument, NULL, 't'},  {"all-namespaces", no_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    char *end;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:n:l:A", opts, NULL)) != -1) {
        switch (c) {
        case 's': a->state = optarg; break;
        case 'c': a->config = optarg; break;
        case 'o': a->output = optarg; break;
        case 'n': a->ns = optarg; break;
        case 'l': a->selector = optarg; break;
        case 'A': a->all_ns = true; break;
        case 'u': a->kube = true; break;
        case 'f': a->kubeconfig = optarg; break;
        case 'x': a->context = optarg; break;
        case 'N':
            if (a->n_nodes == MAX_NODES) {
                fprintf(stderr, "migguard report: more than %d --node (use --selector)\n",
                        MAX_NODES);
                return 2;
            }
            a->nodes[a->n_nodes++] = optarg;
            break;
        case 'g':
            a->link_gbps = strtod(optarg, &end);
            if (end == optarg || *end || !(a->link_gbps > 0 && a->link_gbps <= 1e6)) {
                fprintf(stderr,
                        "migguard report: --link-gbps must be a number of Gbit/s "
                        "above 0 (e.g. 25), not \"%s\"\n",
                        optarg);
                return 2;
            }
            break;
        case 't':
            a->timeout_s = (unsigned)strtoul(optarg, &end, 10);
            if (end == optarg || *end || a->timeout_s == 0 || a->timeout_s > 86400) {
                fprintf(stderr, "migguard report: --timeout must be 1 to 86400 seconds\n");
                return 2;
            }
            break;
        case 'h': usage(stdout); return -1;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr,
                "migguard report: unexpected argument \"%s\" (nodes are named with "
                "--node NAME)\n",
                argv[optind]);
        return 2;
    }
    if (strcmp(a->output, "text") != 0 && strcmp(a->output, "json") != 0 &&
        strcmp(a->output, "yaml") != 0) {
        fprintf(stderr, "migguard report: -o must be text, json or yaml, not \"%s\"\n", a->output);
        return 2;
    }
    if (a->state && (a->kube || a->kubeconfig || a->context)) {
        fprintf(stderr, "migguard report: --state and --kube/--kubeconfig/--context exclude "
                        "each other\n");
        return 2;
    }
    if (a->ns && a->all_ns) {
        fprintf(stderr, "migguard report: -n and -A exclude each other\n");
        return 2;
    }
    return 0;
}

/* kubectl's rules: $KUBECONFIG (the first file of the list that exists), else
 * ~/.kube/config. NULL when neither exists. */
static const char *default_kubeconfig(char *buf, size_t len)
{
    const char *env = getenv("KUBECONFIG"), *home = getenv("HOME");

    if (env && *env) {
        for (const char *p = env; *p;) {
            size_t n = strcspn(p, ":");

            snprintf(buf, len, "%.*s", (int)n, p);
            if (n && access(buf, R_OK) == 0)
                return buf;
            p += n + (p[n] == ':');
        }
        return NULL;
    }
    if (!home)
        return NULL;
    snprintf(buf, len, "%s/.kube/config", home);
    return access(buf, R_OK) == 0 ? buf : NULL;
}

static void kube_log(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "migguard report: %s\n", line);
}

/* List every kind once into the engine's view; 2 (after saying why) on failure. */
static int read_api(const struct args *a, struct mg_engine *engine)
{
    struct mg_kube_opts ko = {
        .kubeconfig = a->kubeconfig, .context = a->context, .once = true, .log = kube_log};
    struct mg_kube *k = NULL;
    struct mg_err err = {0};
    struct timespec nap = {0, 20 * 1000 * 1000};
    time_t until = time(NULL) + (time_t)(a->timeout_s ? a->timeout_s : 120);
    int rc = 0;

    if (mg_kube_start(&k, &ko, mg_engine_store(engine), &err)) {
        mg_setup_print_err(&err);
        return 2;
    }
    while (!mg_kube_ready(k) && time(NULL) < until)
        nanosleep(&nap, NULL);
    if (!mg_kube_ready(k)) {
        fprintf(stderr,
                "migguard report: the API did not answer every list within %u s "
                "(--timeout); not listed:",
                a->timeout_s ? a->timeout_s : 120);
        for (size_t i = 0; i < mg_kube_kind_count(); i++) {
            struct mg_kube_kind_stats st;

            if (mg_kube_stats(k, i, &st) == 0 && !st.synced)
                fprintf(stderr, " %s (%s)", st.kind, st.path);
        }
        fputc('\n', stderr);
        rc = 2;
    }
    mg_kube_stop(k);
    return rc;
}

/* One selector term against a node's labels: k=v, k==v, k!=v, k, !k. */
static bool term_match(const char *t, size_t n, const cJSON *labels)
{
    char key[320], val[80];
    const char *op = NULL, *have;
    bool neg = n > 0 && t[0] == '!';
    size_t kl;

    for (size_t i = 0; i < n; i++)
        if (t[i] == '=' || (t[i] == '!' && i + 1 < n && t[i + 1] == '=')) {
            op = t + i;
            break;
        }
    kl = op ? (size_t)(op - t) : n;
    if (neg && !op) {
        snprintf(key, sizeof(key), "%.*s", (int)(n - 1), t + 1);
        return mg_json_str(labels, key) == NULL;
    }
    snprintf(key, sizeof(key), "%.*s", (int)kl, t);
    have = mg_json_str(labels, key);
    if (!op)
        return have != NULL;
    {
        size_t skip = op[0] == '!' || (op[0] == '=' && op + 1 < t + n && op[1] == '=') ? 2 : 1;
        size_t vl = n - kl - skip;

        snprintf(val, sizeof(val), "%.*s", (int)vl, op + skip);
        if (op[0] == '!')
            return !have || strcmp(have, val) != 0;
        return have && strcmp(have, val) == 0;
    }
}

static bool selector_match(const char *sel, const cJSON *node)
{
    const cJSON *labels = mg_json_get(mg_json_get(node, "metadata"), "labels");

    for (const char *p = sel; *p;) {
        size_t n = strcspn(p, ",");

        if (n && !term_match(p, n, labels))
            return false;
        p += n + (p[n] == ',');
    }
    return true;
}

/* The nodes --selector names, added to a->nodes. Under the view's read lock. */
static int select_nodes(struct args *a, const struct mg_store *view)
{
    const cJSON *const *nodes = NULL;
    size_t n = mg_store_list(view, "Node", &nodes), before = a->n_nodes;

    for (size_t i = 0; i < n; i++) {
        const char *name = mg_json_name(nodes[i]);

        if (!name || !selector_match(a->selector, nodes[i]))
            continue;
        if (a->n_nodes == MAX_NODES) {
            fprintf(stderr, "migguard report: --selector \"%s\" selects more than %d nodes\n",
                    a->selector, MAX_NODES);
            return 2;
        }
        a->nodes[a->n_nodes++] = name;
    }
    if (a->n_nodes == before) {
        fprintf(stderr,
                "migguard report: no node of %zu matches --selector \"%s\" "
                "(check with `kubectl get nodes -l '%s'`)\n",
                n, a->selector, a->selector);
        return 2;
    }
    return 0;
}

static unsigned term_width(void)
{
    struct winsize ws;
    const char *cols = getenv("COLUMNS");
    unsigned long n;

    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    n = cols ? strtoul(cols, NULL, 10) : 0;
    if (n > 0 && n < 10000)
        return (unsigned)n;
    return 80;
}

static int render(const struct args *a, const struct mg_drain_report *r, const cJSON *conflicts)
{
    int rc;

    if (strcmp(a->output, "text") == 0) {
        rc = mg_drain_render_text(stdout, r, a->nodes, a->n_nodes, term_width());
        mg_policy_conflicts_text(stdout, conflicts, term_width());
        return rc;
    }
    return mg_drain_doc_write(stdout, r, a->nodes, a->n_nodes, strcmp(a->output, "yaml") == 0,
                              conflicts);
}

int mg_cli_report(int argc, char **argv)
{
    struct args a = {.output = "text"};
    struct mg_engine *engine = NULL;
    struct mg_drain_report r = {0};
    struct mg_err err = {0};
    struct mg_store *view;
    char kcbuf[4096];
    int rc;

    if ((rc = parse_args(argc, argv, &a)) != 0)
        return rc < 0 ? 0 : rc;
    if (!a.state && !a.kube && !a.kubeconfig &&
        !(a.kubeconfig = default_kubeconfig(kcbuf, sizeof(kcbuf)))) {
        fprintf(stderr, "migguard report: no cluster to read: give --state DIR, --kubeconfig "
                        "FILE or --kube (or set KUBECONFIG, as for kubectl)\n");
        return 2;
    }
    if (mg_setup_engine(a.config, a.state, &engine))
        return 2;
    if (!a.state && read_api(&a, engine) != 0) {
        mg_engine_free(engine);
        return 2;
    }
    view = mg_engine_store(engine);
    mg_store_rdlock(view);
    mg_setup_note_hcos("report", view, mg_engine_config(engine));
    rc = a.selector ? select_nodes(&a, view) : 0;
    if (rc == 0) {
        struct mg_drain_opts o = {.nodes = a.nodes,
                                  .n_nodes = a.n_nodes,
                                  .ns = a.ns,
                                  .link_gbps = a.link_gbps,
                                  .stopped = a.n_nodes == 0,
                                  .explain = a.n_nodes > 0};

        if (mg_drain_analyze(view, mg_engine_config(engine), &o, &r, &err) != 0) {
            fprintf(stderr, "migguard report: %s\n", err.msg);
            rc = 2;
        } else {
            cJSON *conflicts = mg_policy_conflicts_json(mg_engine_config(engine), view);

            rc = render(&a, &r, conflicts);
            cJSON_Delete(conflicts);
            if (rc == 0 && r.counts[MG_DRAIN_BLOCK] > 0)
                rc = 3;
        }
    }
    mg_drain_free(&r);
    mg_store_unlock(view);
    mg_engine_free(engine);
    return rc;
}
