/* SPDX-License-Identifier: Apache-2.0 */
/* listen.c - descriptor budget and port checks for server.c's event loops. Opens one
 * probe socket at most; never accepts. */
#include "listen.h"

#include "cpus.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <sys/resource.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#define FD_RESERVE 256u /* descriptors kept for files, the watcher, the listen socket */

/* Raise the soft descriptor limit toward want + FD_RESERVE (the hard limit caps it) and
 * return how many connections fit. */
unsigned mg_listen_fd_budget(unsigned want)
{
    struct rlimit rl;
    rlim_t need = (rlim_t)want + FD_RESERVE;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return want;
    if (rl.rlim_cur < need) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < need)
        return rl.rlim_cur > 2 * FD_RESERVE ? (unsigned)(rl.rlim_cur - FD_RESERVE) : FD_RESERVE;
    return want;
}

/* The port the first loop bound, for the others (a listen port of 0 picks one). */
void mg_listen_set_port(struct mg_addr *a, unsigned port)
{
    a->port = port;
    if (a->ss.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&a->ss)->sin6_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in *)&a->ss)->sin_port = htons((uint16_t)port);
}

/* The loops share one port through SO_REUSEPORT, which would also let another process
 * that sets it (a second migguard) share the port silently, each answering part of the
 * traffic. So first bind the address without it: that fails when anything listens. */
int mg_listen_check_free(const struct mg_addr *a, const char *listen, struct mg_err *err)
{
    struct sockaddr_storage ss = a->ss;
    socklen_t len =
        ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    int one = 1, fd, e = 0;

    if (a->port == 0)
        return 0;
    if (a->any) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;

        memset(&ss, 0, sizeof(ss));
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_ANY);
        in->sin_port = htons((uint16_t)a->port);
        len = sizeof(*in);
    }
    if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return 0; /* no such family here: the daemons will say so */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&ss, len) != 0)
        e = errno;
    close(fd);
    if (e == EADDRINUSE)
        return mg_err_set(err, MG_ECONFIG,
                          "cannot listen on %s: the port is in use (another migguard or "
                          "server is listening there; stop it or choose another --listen)",
                          listen);
    return 0;
}

/* One loop per usable CPU (cpus.h: affinity and cgroup quota), at least two so one slow
 * review never holds every connection, at most max. */
unsigned mg_listen_threads(unsigned max)
{
    unsigned n = mg_cpus_usable();

    if (n < 2)
        return 2;
    return n > max ? max : n;
}
