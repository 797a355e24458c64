/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_serve.c - `migguard serve`: load config and state, start the HTTPS webhook,
 * wait for SIGTERM/SIGINT, then drain and exit 0. Refuses to start on a bad config,
 * a bad state file or unusable certificates. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kube.h"
#include "kubemetrics.h"
#include "server.h"
#include "setup.h"

static void usage(FILE *to)
{
    fprintf(to,
            "usage: migguard serve --tls-cert FILE --tls-key FILE [--listen ADDR:PORT]\n"
            "                      [--state DIR | --kube | --kubeconfig FILE] [--config FILE]\n"
            "                      [--threads N] [--timeout S]\n\n"
            "Serve the admission webhook over HTTPS: POST /validate, POST /mutate (the\n"
            "request's kind picks the rules), GET /healthz, GET /readyz.\n\n"
            "  --listen ADDR:PORT  address to listen on (default 127.0.0.1:8443; [::1]:8443,\n"
            "                      :8443 for every address; port 0 picks a free port)\n"
            "  --tls-cert FILE     PEM serving certificate (chain)\n"
            "  --tls-key FILE      PEM private key\n"
            "  --state DIR         load the cluster view from the .yaml/.yml/.json files in DIR\n"
            "  --kube              list and watch the cluster view from the Kubernetes API with\n"
            "                      the pod's ServiceAccount; /readyz is 503 until every kind\n"
            "                      has been listed once\n"
            "  --kubeconfig FILE   the same, outside a cluster: the current context of FILE\n"
            "  --config FILE       migguard configuration (YAML); default: the embedded one\n"
            "  --threads N         worker threads (default: the server's choice)\n"
            "  --timeout S         close connections idle for S seconds (default 30)\n"
            "  -h, --help          print this help\n\n"
            "On SIGTERM or SIGINT it stops accepting, answers what is in flight, and exits 0.\n");
}

static bool view_ready(void *ctx)
{
    return mg_kube_ready(ctx);
}

static char *view_metrics(void *ctx)
{
    return mg_kubemetrics_text(ctx);
}

static void view_log(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "migguard: %s\n", line);
}

/* --kube / --kubeconfig: fill the engine's store from the API, and tie /readyz and
 * /metrics to the watcher. */
static int start_view(const char *kubeconfig, struct mg_engine *engine,
                      struct mg_server_opts *so, struct mg_kube **out)
{
    struct mg_kube_opts ko = {.kubeconfig = kubeconfig, .log = view_log};
    struct mg_err err = {0};

    if (mg_kube_start(out, &ko, mg_engine_store(engine), &err)) {
        mg_setup_print_err(&err);
        return -1;
    }
    so->ready = view_ready;
    so->metrics = view_metrics;
    so->hook_ctx = *out;
    return 0;
}

static int parse_uint(const char *text, unsigned max, unsigned *out)
{
    char *end = NULL;
    unsigned long v = strtoul(text, &end, 10);

    if (!*text || *end || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int mg_cli_serve(int argc, char **argv)
{
    static const struct option opts[] = {{"listen", required_argument, NULL, 'l'},
                                         {"tls-cert", required_argument, NULL, 'C'},
                                         {"tls-key", required_argument, NULL, 'K'},
                                         {"state", required_argument, NULL, 's'},
                                         {"config", required_argument, NULL, 'c'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"timeout", required_argument, NULL, 'T'},
                                         {"kube", no_argument, NULL, 'u'},
                                         {"kubeconfig", required_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct mg_server_opts so = {.listen = "127.0.0.1:8443"};
    const char *state = NULL, *config = NULL, *kubeconfig = NULL;
    bool kube = false;
    struct mg_kube *view = NULL;
    struct mg_engine *engine = NULL;
    struct mg_server *srv = NULL;
    struct mg_err err = {0};
    sigset_t set;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            so.listen = optarg;
            break;
        case 'C':
            so.cert_file = optarg;
            break;
        case 'K':
            so.key_file = optarg;
            break;
        case 's':
            state = optarg;
            break;
        case 'c':
            config = optarg;
            break;
        case 't':
            if (parse_uint(optarg, 256, &so.threads)) {
                fprintf(stderr, "migguard serve: --threads takes a number from 0 to 256\n");
                return 2;
            }
            break;
        case 'T':
            if (parse_uint(optarg, 3600, &so.timeout_s)) {
                fprintf(stderr, "migguard serve: --timeout takes seconds from 0 to 3600\n");
                return 2;
            }
            break;
        case 'u':
            kube = true;
            break;
        case 'f':
            kube = true;
            kubeconfig = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc || !so.cert_file || !so.key_file) {
        fprintf(stderr, "migguard serve: --tls-cert and --tls-key are required "
                        "(make them with 'migguard certs create')\n");
        return 2;
    }
    if (kube && state) {
        fprintf(stderr, "migguard serve: --state and --kube/--kubeconfig exclude each other\n");
        return 2;
    }
    /* Block the stop signals before any thread exists, so only sigwait sees them. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (mg_setup_engine(config, state, &engine))
        return 2;
    if (kube && start_view(kubeconfig, engine, &so, &view)) {
        mg_engine_free(engine);
        return 2;
    }
    if (mg_server_start(&srv, &so, engine, &err)) {
        mg_setup_print_err(&err);
        mg_kube_stop(view);
        mg_engine_free(engine);
        return 2;
    }
    {
        const char *colon = strrchr(so.listen, ':');
        int hostlen = colon ? (int)(colon - so.listen) : 0;

        fprintf(stderr, "migguard: listening on https://%.*s:%u\n", hostlen ? hostlen : 7,
                hostlen ? so.listen : "0.0.0.0", mg_server_port(srv));
    }
    mg_server_wait_for_signal();
    fprintf(stderr, "migguard: stopping: draining requests in flight\n");
    mg_server_stop(srv);
    mg_kube_stop(view);
    mg_engine_free(engine);
    fprintf(stderr, "migguard: stopped\n");
    return 0;
}
