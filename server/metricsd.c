/* SPDX-License-Identifier: Apache-2.0 */
/* metricsd.c - the plain-HTTP /metrics listener: one libmicrohttpd daemon with one
 * polling thread, GET and HEAD /metrics only, no request bodies. The counters it
 * renders belong to server.c. */
#include "metricsd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

#define METRICS_TIMEOUT_S 10u
#define METRICS_CONNS 64u

struct mg_metricsd {
    struct MHD_Daemon *d;
    char *(*render)(void *ctx);
    void *ctx;
    unsigned port;
};

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *data_size, void **con_cls)
{
    struct mg_metricsd *m = cls;
    enum MHD_Result ret;
    char *text;

    (void)version;
    (void)data;
    (void)data_size;
    (void)con_cls;
    if (strcmp(url, "/metrics") != 0)
        return mg_http_status(c, 404, "not found: this address serves GET /metrics only", NULL,
                              false);
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return mg_http_status(c, 405, "method not allowed: use GET", "GET, HEAD", true);
    text = m->render(m->ctx);
    if (!text)
        return mg_http_status(c, 500, "out of memory", NULL, false);
    ret = mg_http_send(c, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text), NULL,
                       false);
    free(text);
    return ret;
}

int mg_metricsd_start(struct mg_metricsd **out, const char *listen, char *(*render)(void *ctx),
                      void *ctx, const struct mg_http_log *log, struct mg_err *err)
{
    struct mg_metricsd *m = calloc(1, sizeof(*m));
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    const union MHD_DaemonInfo *info;
    struct mg_addr a;
    int rc;

    *out = NULL;
    if (!m)
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    if ((rc = mg_addr_parse(listen, &a, err)) != 0) {
        char why[sizeof(err->msg)];

        free(m);
        snprintf(why, sizeof(why), "%s", err ? err->msg : "");
        return mg_err_set(err, rc, "--metrics-listen: %s (e.g. :9090 or 127.0.0.1:9090)", why);
    }
    m->render = render;
    m->ctx = ctx;
    if (a.any)
        flags |= MHD_USE_DUAL_STACK;
    else if (a.ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* (void *) for MHD's varargs; MHD only reads the address and the log context. */
    m->d = MHD_start_daemon(flags, (uint16_t)a.port, NULL, NULL, handle, m,
                            MHD_OPTION_EXTERNAL_LOGGER, mg_http_mhd_log, (void *)(uintptr_t)log,
                            MHD_OPTION_CONNECTION_TIMEOUT, METRICS_TIMEOUT_S,
                            MHD_OPTION_CONNECTION_LIMIT, METRICS_CONNS, MHD_OPTION_SOCK_ADDR,
                            a.any ? NULL : (void *)(uintptr_t)&a.ss, MHD_OPTION_END);
    if (!m->d && a.any) /* no IPv6 here: IPv4 only */
        m->d = MHD_start_daemon(flags & ~(unsigned)MHD_USE_DUAL_STACK, (uint16_t)a.port, NULL, NULL,
                                handle, m, MHD_OPTION_EXTERNAL_LOGGER, mg_http_mhd_log,
                                (void *)(uintptr_t)log, MHD_OPTION_CONNECTION_TIMEOUT,
                                METRICS_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT, METRICS_CONNS,
                                MHD_OPTION_END);
    if (!m->d) {
        free(m);
        return mg_err_set(err, MG_ECONFIG,
                          "cannot listen on %s for --metrics-listen (in use, or not an address "
                          "of this host; see the message above)",
                          listen);
    }
    info = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_BIND_PORT);
    m->port = info ? info->port : a.port;
    *out = m;
    return 0;
}

unsigned mg_metricsd_port(const struct mg_metricsd *d)
{
    return d ? d->port : 0;
}

void mg_metricsd_stop(struct mg_metricsd *d)
{
    if (!d)
        return;
    MHD_stop_daemon(d->d);
    free(d);
}
