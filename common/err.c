/* SPDX-License-Identifier: Apache-2.0 */
/* err.c - error codes: status and text lookup, and filling struct mg_err.
 * No allocation: a struct mg_err is a fixed-size value the caller owns. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int status;
    const char *text;
} table[] = {
#define MG_ERR_ROW(name, status, text) {#name, status, text},
    MG_ERRORS(MG_ERR_ROW)
#undef MG_ERR_ROW
};

static void vset(struct mg_err *err, int code, const char *file, int line, const char *fmt,
                 va_list ap) __attribute__((format(printf, 5, 0)));

static void vset(struct mg_err *err, int code, const char *file, int line, const char *fmt,
                 va_list ap)
{
    err->code = code;
    err->line = line;
    snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int mg_err_set(struct mg_err *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return code;
    va_start(ap, fmt);
    vset(err, code, NULL, 0, fmt, ap);
    va_end(ap);
    return code;
}

int mg_err_set_at(struct mg_err *err, int code, const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return code;
    va_start(ap, fmt);
    vset(err, code, file, line, fmt, ap);
    va_end(ap);
    return code;
}

void mg_err_clear(struct mg_err *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

int mg_err_http_status(int code)
{
    if (code < 0 || code >= MG_ERR_COUNT)
        return 500;
    return table[code].status;
}

const char *mg_err_text(int code)
{
    if (code < 0 || code >= MG_ERR_COUNT)
        return "internal error";
    return table[code].text;
}

const char *mg_err_name(int code)
{
    if (code < 0 || code >= MG_ERR_COUNT)
        return "MG_EINTERNAL";
    return table[code].name;
}
