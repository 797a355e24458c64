/* SPDX-License-Identifier: Apache-2.0 */
/* err.h - the one table of error codes, each with its HTTP status and fixed text.
 * Functions return 0 or a code from this table; details go into a caller's
 * struct mg_err. A denial is not an error: it is a finding in a verdict. */
#ifndef MG_ERR_H
#define MG_ERR_H

#include <stddef.h>

#define MG_ERRORS(X)                                                                               \
    X(MG_OK, 200, "ok")                                                                            \
    X(MG_EINVAL, 400, "invalid input")                                                             \
    X(MG_ETOOBIG, 413, "request body too large")                                                   \
    X(MG_EMEDIA, 415, "unsupported media type")                                                    \
    X(MG_EMETHOD, 405, "method not allowed")                                                       \
    X(MG_ENOTFOUND, 404, "not found")                                                              \
    X(MG_ENOMEM, 500, "out of memory")                                                             \
    X(MG_EIO, 500, "input/output error")                                                           \
    X(MG_ECONFIG, 500, "invalid configuration")                                                    \
    X(MG_ETLS, 500, "TLS or certificate error")                                                    \
    X(MG_EINTERNAL, 500, "internal error")

enum mg_code {
#define MG_ERR_ENUM(name, status, text) name,
    MG_ERRORS(MG_ERR_ENUM)
#undef MG_ERR_ENUM
        MG_ERR_COUNT
};

/* Details of one failure. file/line are set by parsers that know them
 * (line 0: unknown). */
struct mg_err {
    int code;
    int line;
    char file[256];
    char msg[512];
};

/* Record code and a printf-style message in err (err may be NULL); returns code. */
int mg_err_set(struct mg_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like mg_err_set, with the file and line the failure comes from. */
int mg_err_set_at(struct mg_err *err, int code, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Reset err to MG_OK with empty texts. */
void mg_err_clear(struct mg_err *err);

/* HTTP status of a code (500 for unknown codes). */
int mg_err_http_status(int code);

/* Fixed text of a code ("internal error" for unknown codes). Static storage. */
const char *mg_err_text(int code);

/* Symbolic name of a code ("MG_EINVAL"). Static storage. */
const char *mg_err_name(int code);

#endif
