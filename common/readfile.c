/* SPDX-License-Identifier: Apache-2.0 */
/* readfile.c - mg_read_file (declared in yamljson.h): one regular file, whole, under a
 * byte cap, NUL-terminated. Refuses FIFOs, devices and directories without blocking. */
#include "yamljson.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mg_read_file(const char *path, size_t max, char **out, size_t *len, struct mg_err *err)
{
    struct stat st;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    int rc = 0;
    /* O_NONBLOCK: opening a FIFO must not hang before fstat can refuse it. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    *out = NULL;
    *len = 0;
    if (fd < 0 || fstat(fd, &st) != 0) {
        rc = mg_err_set_at(err, MG_EIO, path, 0, "cannot open %s: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = mg_err_set_at(err, MG_EIO, path, 0, "%s is not a regular file", path);
        goto out;
    }
    for (;;) {
        if (n == cap) {
            size_t want = cap ? cap * 2 : (size_t)st.st_size + 1;
            char *nb;

            if (want > max + 1)
                want = max + 1;
            if (want <= cap) {
                rc = mg_err_set_at(err, MG_ETOOBIG, path, 0, "%s is larger than %zu bytes", path,
                                   max);
                goto out;
            }
            nb = realloc(buf, want + 1);
            if (!nb) {
                rc = mg_err_set_at(err, MG_ENOMEM, path, 0, "out of memory reading %s", path);
                goto out;
            }
            buf = nb;
            cap = want;
        }
        ssize_t r = read(fd, buf + n, cap - n);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = mg_err_set_at(err, MG_EIO, path, 0, "cannot read %s: %s", path, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n > max) {
        rc = mg_err_set_at(err, MG_ETOOBIG, path, 0, "%s is larger than %zu bytes", path, max);
        goto out;
    }
    if (!buf && !(buf = malloc(1))) {
        rc = mg_err_set_at(err, MG_ENOMEM, path, 0, "out of memory reading %s", path);
        goto out;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
out:
    if (fd >= 0)
        close(fd);
    free(buf);
    return rc;
}
