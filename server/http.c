/* SPDX-License-Identifier: Apache-2.0 */
/* http.c - responses and log lines for server/'s libmicrohttpd daemons. Bodies are
 * copied into the response (MHD_RESPMEM_MUST_COPY), so callers may pass stack buffers.
 * No routing and no admission logic here. */
#include "http.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum MHD_Result mg_http_send(struct MHD_Connection *c, int status, const char *ctype,
                             const char *body, size_t len, const char *allow, bool close)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;

    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    if (allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    if (close)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* JSON string contents of s: quotes and backslashes escaped, control bytes as spaces. */
static size_t escape(char *out, size_t cap, const char *s)
{
    size_t n = 0;

    for (; *s && n + 2 < cap; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch == '"' || ch == '\\')
            out[n++] = '\\';
        out[n++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
    }
    out[n] = '\0';
    return n;
}

enum MHD_Result mg_http_status(struct MHD_Connection *c, int status, const char *message,
                               const char *allow, bool close)
{
    char msg[1024], body[1280];
    int n;

    escape(msg, sizeof(msg), message);
    n = snprintf(body, sizeof(body),
                 "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                 "\"status\":\"Failure\",\"message\":\"%s\",\"code\":%d}",
                 msg, status);
    if (n < 0 || (size_t)n >= sizeof(body))
        n = (int)strlen(body);
    return mg_http_send(c, status, "application/json", body, (size_t)n, allow, close);
}

static void emit(const struct mg_http_log *log, char *line)
{
    size_t n = strlen(line);

    for (size_t i = 0; i < n; i++)
        if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
            line[i] = ' ';
    while (n > 0 && line[n - 1] == ' ')
        line[--n] = '\0';
    if (n == 0)
        return;
    if (log && log->fn)
        log->fn(log->ctx, line);
    else
        fprintf(stderr, "migguard: %s\n", line);
}

__attribute__((format(printf, 2, 0))) static void vlog(const struct mg_http_log *log,
                                                       const char *fmt, va_list ap)
{
    char line[512];

    vsnprintf(line, sizeof(line), fmt, ap);
    emit(log, line);
}

void mg_http_logf(const struct mg_http_log *log, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog(log, fmt, ap);
    va_end(ap);
}

/* MHD quotes the HTML body of its own error pages (431, 414, 400) in its message: keep
 * the status, drop the page. */
static void drop_html(char *text)
{
    char *open = strstr(text, " ('<html>"), *close = open ? strstr(open, "</html>')") : NULL;

    if (close)
        memmove(open, close + 9, strlen(close + 9) + 1);
}

void mg_http_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char text[480], line[512];

    vsnprintf(text, sizeof(text), fmt, ap);
    drop_html(text);
    snprintf(line, sizeof(line), "http: %s", text);
    emit(cls, line);
}

/* application/json, any case, optionally followed by parameters. */
bool mg_http_is_json(const char *ct)
{
    static const char want[] = "application/json";
    size_t n = sizeof(want) - 1;

    if (!ct)
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (strncasecmp(ct, want, n) != 0)
        return false;
    ct += n;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}
