/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_serve.c - `migguard serve`: load config and state, start the HTTPS webhook,
 * reload --state on SIGHUP (a bad file keeps the old view), wait for SIGTERM/SIGINT,
 * then drain and exit 0. Refuses to start on a bad config, a bad state file or
 * unusable certificates. */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "decision.h"
#include "drain_metrics.h"
#include "hco_watch.h"
#include "kube.h"
#include "kubemetrics.h"
#include "lmc.h"
#include "logbuf.h"
#include "server.h"
#include "serve_policy.h"
#include "setup.h"
#include "store.h"

/* Decision log lines reach stderr at most this long after their review. */
#define LOG_FLUSH_MS 100
#define MAX_CLIENT_CA 16
#define MAX_CLIENT_NAMES 64
#define MAX_THREADS 64 /* server.c's MAX_LOOPS */

static void usage(FILE *to)
{
    fprintf(
        to,
        "usage: migguard serve --tls-cert FILE --tls-key FILE [--listen ADDR:PORT]\n"
        "                      [--state DIR | --kube | --kubeconfig FILE] [--config FILE]\n"
        "                      [--client-ca FILE]... [--client-name NAME]...\n"
        "                      [--metrics-listen ADDR:PORT]\n"
        "                      [--threads N] [--timeout S] [--max-conns N] [--quiet]\n\n"
        "Serve the admission webhook over HTTPS: POST /validate, POST /mutate (the\n"
        "request's kind picks the rules), GET /healthz, GET /readyz, GET /metrics (Prometheus "
        "text).\n\n"
        "  --listen ADDR:PORT  address to listen on (default 127.0.0.1:8443; [::1]:8443,\n"
        "                      :8443 for every address; port 0 picks a free port)\n"
        "  --tls-cert FILE     PEM serving certificate (chain)\n"
        "  --tls-key FILE      PEM private key\n"
        "  --state DIR         load the cluster view from the .yaml/.yml/.json files in DIR;\n"
        "                      SIGHUP loads DIR again: every file is read first (a bad one\n"
        "                      keeps the old view), then the view is swapped a kind at a time\n"
        "                      (policies admitted since the last load are dropped)\n"
        "  --kube              list and watch the cluster view from the Kubernetes API with\n"
        "                      the pod's ServiceAccount; /readyz is 503 until every kind\n"
        "                      has been listed once\n"
        "  --kubeconfig FILE   the same, outside a cluster: the current context of FILE\n"
        "  --resync S          with --kube: list every kind again S seconds after its last\n"
        "                      list (default 600; each list is built aside and swapped in)\n"
        "  --drain-metrics S   recompute migguard_drain_blockers and _vmis_not_migratable\n"
        "                      every S seconds in the background (default 60; 0: off)\n"
        "  --pending S, --lease-namespace NS, --lease-duration S, --policy-wait S,\n"
        "  --audit-period S    MigrationPolicy writes: see `migguard serve --help-policy`\n"
        "  --config FILE       migguard configuration (YAML); default: the embedded one\n"
        "  --client-ca FILE    require a TLS client certificate signed by a CA of FILE (a PEM\n"
        "                      bundle; repeatable) on /validate and /mutate: without one the\n"
        "                      answer is 403 and the body is not read; /healthz, /readyz\n"
        "                      stay open. Re-read when the file changes. Reviews then count\n"
        "                      as sent by the API server (README.md \"Who may send reviews\")\n"
        "  --client-name NAME  with --client-ca: the certificate's subject CN or a SAN must be\n"
        "                      NAME (repeatable; default: any name the CA signed)\n"
        "  --metrics-listen ADDR:PORT  serve GET /metrics there in plain HTTP, and no longer\n"
        "                      on the webhook port (e.g. :9090 for a NetworkPolicy that\n"
        "                      admits the monitoring namespace only)\n"
        "  --threads N         event loops, one thread each, 1 to 64; 0 or absent: one per\n"
        "                      usable CPU (the affinity mask and a cgroup CPU limit), at\n"
        "                      least 2\n"
        "  --timeout S         close connections idle for S seconds (default 30)\n"
        "  --max-conns N       open connections at once (default 8192; the open-files\n"
        "                      limit is raised to fit, or caps it)\n"
        "  --quiet             no decision log (default: one JSON line per review on stderr,\n"
        "                      written in batches within 100 ms)\n"
        "  -h, --help          print this help\n\n"
        "On SIGTERM or SIGINT it stops accepting, answers what is in flight, and exits 0.\n"
        "On SIGHUP it reloads --state without dropping requests. Its own messages and the\n"
        "decision log go to stderr in batches; a stderr that blocks drops lines, never\n"
        "reviews, and does not hold a stop for more than about 2 s.\n");
}

/* What the server's hooks see: the engine always, the watcher with --kube. */
struct serve_ctx {
    struct mg_engine *engine;
    struct mg_kube *view;
    struct mg_logbuf *log;          /* the process's lines; the decision log too unless --quiet */
    struct mg_drain_metrics *drain; /* NULL with --drain-metrics 0 */
    struct mg_serve_policy *policy; /* with --kube */
    struct mg_hco_watch *hco;       /* with --kube: which HyperConverged is used, logged */
};

/* One "migguard: ..." line through the log buffer: never blocks on stderr. */
static void serve_line(void *ctx, const char *line)
{
    const struct serve_ctx *sc = ctx;
    char buf[1024];
    int n = snprintf(buf, sizeof(buf), "migguard: %s\n", line);

    if (n < 0)
        return;
    if ((size_t)n >= sizeof(buf)) {
        n = (int)sizeof(buf) - 1;
        buf[n - 1] = '\n';
    }
    mg_logbuf_line(sc->log, buf, (size_t)n);
}

__attribute__((format(printf, 2, 3))) static void say(const struct serve_ctx *sc, const char *fmt,
                                                      ...)
{
    char line[900];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    serve_line((void *)(uintptr_t)sc, line);
}

static bool serve_ready(void *ctx)
{
    const struct serve_ctx *sc = ctx;

    return !sc->view || mg_kube_ready(sc->view);
}

/* Engine counters, the decision log's drops, then the watcher's (when there is one). */
static char *serve_metrics(void *ctx)
{
    const struct serve_ctx *sc = ctx;
    char *engine = mg_engine_metrics(sc->engine);
    char *view = sc->view ? mg_kubemetrics_text(sc->view) : NULL;
    char *drain = sc->drain ? mg_drain_metrics_text(sc->drain) : NULL;
    char *policy = mg_serve_policy_metrics(sc->policy);
    char log[256];
    int n = snprintf(log, sizeof(log),
                     "# HELP migguard_decision_log_dropped_total Decision log lines dropped "
                     "because stderr did not keep up.\n"
                     "# TYPE migguard_decision_log_dropped_total counter\n"
                     "migguard_decision_log_dropped_total %lu\n",
                     sc->log ? mg_logbuf_dropped(sc->log) : 0UL);
    size_t a = engine ? strlen(engine) : 0, b = view ? strlen(view) : 0;
    size_t c = n > 0 && (size_t)n < sizeof(log) ? (size_t)n : 0, d = drain ? strlen(drain) : 0;
    size_t p = policy ? strlen(policy) : 0;
    char *out = malloc(a + b + c + d + p + 1);

    if (out) {
        memcpy(out, engine ? engine : "", a);
        memcpy(out + a, log, c);
        memcpy(out + a + c, view ? view : "", b);
        memcpy(out + a + c + b, drain ? drain : "", d);
        memcpy(out + a + c + b + d, policy ? policy : "", p);
        out[a + b + c + d + p] = '\0';
    }
    free(engine);
    free(view);
    free(drain);
    free(policy);
    return out;
}

/* --kube / --kubeconfig: fill the engine's store from the API. */
static int start_view(const char *kubeconfig, unsigned resync_s, struct serve_ctx *sc,
                      struct mg_kube **out)
{
    struct mg_engine *engine = sc->engine;
    struct mg_kube_opts ko = {.kubeconfig = kubeconfig,
                              .resync_ms = resync_s * 1000u,
                              .log = serve_line,
                              .log_ctx = sc,
                              .changed = mg_serve_policy_changed,
                              .changed_ctx = sc->policy};
    struct mg_err err = {0};

    if (mg_kube_start(out, &ko, mg_engine_store(engine), &err)) {
        mg_setup_print_err(&err);
        return -1;
    }
    return 0;
}

/* One JSON line per decision on stderr, in batches (logbuf.h): written within
 * LOG_FLUSH_MS, and all of them before the process exits. */
static void log_decision(const struct mg_decision *d, void *ctx)
{
    char line[2048];
    size_t n = mg_decision_format(d, line, sizeof(line));

    mg_logbuf_line(ctx, line, n);
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

struct serve_args {
    struct mg_server_opts so;
    const char *client_ca[MAX_CLIENT_CA], *client_names[MAX_CLIENT_NAMES];
    const char *state, *config, *kubeconfig;
    unsigned resync_s, drain_s;
    struct mg_serve_policy_args policy;
    bool kube, quiet;
};

/* Parse argv into a; returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct serve_args *a)
{
    static const struct option opts[] = {{"listen", required_argument, NULL, 'l'},
                                         {"tls-cert", required_argument, NULL, 'C'},
                                         {"tls-key", required_argument, NULL, 'K'},
                                         {"state", required_argument, NULL, 's'},
                                         {"config", required_argument, NULL, 'c'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"timeout", required_argument, NULL, 'T'},
                                         {"max-conns", required_argument, NULL, 'M'},
                                         {"kube", no_argument, NULL, 'u'},
                                         {"kubeconfig", required_argument, NULL, 'f'},
                                         {"resync", required_argument, NULL, 'R'},
                                         {"drain-metrics", required_argument, NULL, 'D'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"client-ca", required_argument, NULL, 'A'},
                                         {"client-name", required_argument, NULL, 'N'},
                                         {"metrics-listen", required_argument, NULL, 'm'},
                                         MG_SERVE_POLICY_LONGOPTS,
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'l': a->so.listen = optarg; break;
        case 'C': a->so.cert_file = optarg; break;
        case 'K': a->so.key_file = optarg; break;
        case 's': a->state = optarg; break;
        case 'c': a->config = optarg; break;
        case 'u': a->kube = true; break;
        case 'f':
            a->kube = true;
            a->kubeconfig = optarg;
            break;
        case 'q': a->quiet = true; break;
        case 't':
            if (parse_uint(optarg, MAX_THREADS, &a->so.threads) == 0)
                break;
            fprintf(stderr,
                    "migguard serve: --threads takes a number from 1 to %u (0: one per "
                    "usable CPU)\n",
                    MAX_THREADS);
            return 2;
        case 'A':
            if (a->so.n_client_ca < MAX_CLIENT_CA && *optarg) {
                a->client_ca[a->so.n_client_ca++] = optarg;
                break;
            }
            fprintf(stderr,
                    "migguard serve: --client-ca takes a file name, at most %d times "
                    "(put more CAs in one bundle)\n",
                    MAX_CLIENT_CA);
            return 2;
        case 'N':
            if (a->so.n_client_names < MAX_CLIENT_NAMES && *optarg) {
                a->client_names[a->so.n_client_names++] = optarg;
                break;
            }
            fprintf(stderr, "migguard serve: --client-name takes a name, at most %d times\n",
                    MAX_CLIENT_NAMES);
            return 2;
        case 'm': a->so.metrics_listen = optarg; break;
        case 'M':
            if (parse_uint(optarg, 1000000, &a->so.max_conns) == 0 && a->so.max_conns > 0)
                break;
            fprintf(stderr, "migguard serve: --max-conns takes a number from 1 to 1000000\n");
            return 2;
        case MG_SERVE_POLICY_OPT:
        case MG_SERVE_POLICY_OPT + 1:
        case MG_SERVE_POLICY_OPT + 2:
        case MG_SERVE_POLICY_OPT + 3:
        case MG_SERVE_POLICY_OPT + 4:
        case MG_SERVE_POLICY_OPT + 5:
            if ((c = mg_serve_policy_option(&a->policy, c - MG_SERVE_POLICY_OPT, optarg)) >= 0)
                return c;
            break;
        case 'R':
            if (parse_uint(optarg, 86400, &a->resync_s) == 0 && a->resync_s > 0)
                break;
            fprintf(stderr, "migguard serve: --resync takes seconds from 1 to 86400\n");
            return 2;
        case 'D':
            if (parse_uint(optarg, 86400, &a->drain_s) == 0)
                break;
            fprintf(stderr, "migguard serve: --drain-metrics takes seconds from 0 to 86400\n");
            return 2;
        case 'T':
            if (parse_uint(optarg, 3600, &a->so.timeout_s) == 0)
                break;
            fprintf(stderr, "migguard serve: --timeout takes seconds from 0 to 3600\n");
            return 2;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc || !a->so.cert_file || !a->so.key_file) {
        fprintf(stderr, "migguard serve: --tls-cert and --tls-key are required "
                        "(make them with 'migguard certs create')\n");
        return 2;
    }
    if (a->kube && a->state) {
        fprintf(stderr, "migguard serve: --state and --kube/--kubeconfig exclude each other\n");
        return 2;
    }
    if (a->so.n_client_names && !a->so.n_client_ca) {
        fprintf(stderr, "migguard serve: --client-name needs --client-ca (the CA that signs "
                        "the API server's client certificate)\n");
        return 2;
    }
    a->so.client_ca = a->client_ca;
    a->so.client_names = a->client_names;
    if (a->resync_s && !a->kube) {
        fprintf(stderr, "migguard serve: --resync needs --kube or --kubeconfig\n");
        return 2;
    }
    if (mg_serve_policy_needs_kube(&a->policy) && !a->kube) {
        fprintf(stderr, "migguard serve: --lease-namespace, --lease-duration, --policy-wait and "
                        "--audit-period need --kube or --kubeconfig\n");
        return 2;
    }
    return -1;
}

/* SIGHUP: load dir again; the engine swaps the view only when every file loads. */
static void reload_state(const struct serve_ctx *sc, const char *dir)
{
    struct mg_err err = {0};
    struct mg_store *s = mg_engine_store(sc->engine);
    char note[1024], jp[1024];
    size_t n;

    if (!dir) {
        say(sc, "SIGHUP: nothing to reload (no --state)");
        return;
    }
    if (mg_engine_reload_state(sc->engine, dir, &err) != 0) {
        if (err.file[0] && err.line > 0)
            say(sc, "state reload failed: %s:%d: %s; keeping the previous view", err.file, err.line,
                err.msg);
        else if (err.file[0] && !strstr(err.msg, err.file))
            say(sc, "state reload failed: %s: %s; keeping the previous view", err.file, err.msg);
        else
            say(sc, "state reload failed: %s; keeping the previous view", err.msg);
        return;
    }
    mg_store_rdlock(s);
    n = mg_store_size(s);
    mg_setup_hco_note(s, note, sizeof(note));
    mg_lmc_jsonpatch_note(s, mg_engine_config(sc->engine), jp, sizeof(jp));
    mg_store_unlock(s);
    say(sc, "reloaded state from %s (%zu objects)", dir, n);
    if (*note)
        say(sc, "%s", note);
    if (*jp)
        say(sc, "%s", jp);
}

/* "https://HOST:PORT" of a listen address and the port bound. */
static void print_listening(const struct serve_ctx *sc, const char *what, const char *scheme,
                            const char *listen, unsigned port)
{
    const char *colon = strrchr(listen, ':');
    int hostlen = colon ? (int)(colon - listen) : 0;

    say(sc, "%s %s://%.*s:%u", what, scheme, hostlen ? hostlen : 7, hostlen ? listen : "0.0.0.0",
        port);
}

/* What a review from an unauthenticated client can do (README.md "Who may send
 * reviews"), said once at start. */
static void say_auth_mode(const struct serve_ctx *sc, const struct mg_server_opts *so)
{
    if (so->n_client_ca)
        say(sc,
            "reviews are authenticated: /validate and /mutate need a client certificate "
            "from --client-ca%s",
            so->n_client_names ? " with a --client-name" : "");
    else
        say(sc, "reviews are NOT authenticated: any client that reaches this port may send "
                "them (an admitted policy counts only while pending, until the watch or a "
                "reload shows it); use --client-ca to accept the API server only");
}

static void serve_cleanup(struct serve_ctx *sc, struct mg_server *srv)
{
    mg_server_stop(srv);
    mg_drain_metrics_stop(sc->drain);
    mg_hco_watch_stop(sc->hco);
    mg_kube_stop(sc->view);
    mg_serve_policy_stop(sc->policy);
    mg_engine_free(sc->engine);
}

int mg_cli_serve(int argc, char **argv)
{
    struct serve_args a = {.so = {.listen = "127.0.0.1:8443"}, .drain_s = 60};
    struct serve_ctx sc = {0};
    struct mg_server *srv = NULL;
    struct mg_err err = {0};
    char note[1024], jp[1024];
    int rc = parse_args(argc, argv, &a);

    if (rc >= 0)
        return rc;
    /* Block the stop signals before any thread exists, so only sigwait sees them. */
    mg_server_block_signals();
    if (mg_setup_engine(a.config, a.state, &sc.engine))
        return 2;
    if (mg_logbuf_start(&sc.log, STDERR_FILENO, LOG_FLUSH_MS)) {
        fprintf(stderr, "migguard serve: out of memory starting the log\n");
        mg_engine_free(sc.engine);
        return 2;
    }
    if (!a.quiet)
        mg_engine_set_log(sc.engine, log_decision, sc.log);
    mg_store_rdlock(mg_engine_store(sc.engine));
    mg_setup_hco_note(mg_engine_store(sc.engine), note, sizeof(note));
    mg_lmc_jsonpatch_note(mg_engine_store(sc.engine), mg_engine_config(sc.engine), jp, sizeof(jp));
    mg_store_unlock(mg_engine_store(sc.engine));
    if (*note)
        say(&sc, "%s", note);
    if (*jp)
        say(&sc, "%s", jp);
    /* Admitted policies: pending unless the watch or an authenticated API server vouches
     * for them (issues 13, 15). */
    mg_engine_set_reviews_authenticated(sc.engine, a.so.n_client_ca > 0);
    mg_engine_set_pending_ms(sc.engine, a.policy.pending_s * 1000u);
    mg_engine_set_watched(sc.engine, a.kube);
    /* Before the server: its threads read sc.drain in /metrics. */
    if (a.drain_s && !(sc.drain = mg_drain_metrics_start(sc.engine, a.drain_s)))
        say(&sc, "the drain metrics could not start (out of memory): they are not exported");
    a.so.ready = serve_ready;
    a.so.metrics = serve_metrics;
    a.so.log = serve_line;
    a.so.hook_ctx = &sc;
    if ((a.kube && (mg_serve_policy_start(&sc.policy, &a.policy, a.kubeconfig, sc.engine, sc.log) ||
                    start_view(a.kubeconfig, a.resync_s, &sc, &sc.view))) ||
        mg_server_start(&srv, &a.so, sc.engine, &err)) {
        serve_cleanup(&sc, NULL);
        mg_logbuf_stop(sc.log);
        if (err.code)
            mg_setup_print_err(&err);
        return 2;
    }
    /* HyperConvergeds come through the watch, after this point: say which one counts. */
    if (a.kube && !(sc.hco = mg_hco_watch_start(sc.engine, 5000, serve_line, &sc)))
        say(&sc, "out of memory: ignored HyperConvergeds will not be logged");
    print_listening(&sc, "listening on", "https", a.so.listen, mg_server_port(srv));
    if (a.so.metrics_listen)
        print_listening(&sc, "metrics on", "http", a.so.metrics_listen,
                        mg_server_metrics_port(srv));
    say_auth_mode(&sc, &a.so);
    while (mg_server_wait_for_signal() == SIGHUP)
        reload_state(&sc, a.state);
    say(&sc, "stopping: draining requests in flight");
    serve_cleanup(&sc, srv);
    say(&sc, "stopped");
    mg_logbuf_stop(sc.log);
    return 0;
}
