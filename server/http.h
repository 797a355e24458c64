/* SPDX-License-Identifier: Apache-2.0 */
/* http.h - what every libmicrohttpd daemon of server/ shares: responses (copied
 * buffers, Kubernetes Status bodies) and MHD's own log lines turned into the project's
 * one-line "migguard: http: ..." form. Internal to server/. */
#ifndef MG_HTTP_H
#define MG_HTTP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

/* Where server/ writes its log lines (one line, no '\n'); NULL ctx is allowed. */
struct mg_http_log {
    void (*fn)(void *ctx, const char *line); /* NULL: stderr */
    void *ctx;
};

/* Queue a response with a copy of body; allow: an Allow header or NULL; close: add
 * "Connection: close". */
enum MHD_Result mg_http_send(struct MHD_Connection *c, int status, const char *ctype,
                             const char *body, size_t len, const char *allow, bool close);

/* Queue a Kubernetes Status (JSON) with message JSON-escaped. */
enum MHD_Result mg_http_status(struct MHD_Connection *c, int status, const char *message,
                               const char *allow, bool close);

/* Content-Type application/json, any case, optionally followed by parameters. */
bool mg_http_is_json(const char *ct);

/* Log one line through log (printf-style). */
void mg_http_logf(const struct mg_http_log *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* MHD_OPTION_EXTERNAL_LOGGER: cls is a struct mg_http_log *. MHD's message becomes one
 * line: "http: " and the text with newlines and control characters turned to spaces. */
void mg_http_mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#endif
