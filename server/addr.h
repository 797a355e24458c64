/* SPDX-License-Identifier: Apache-2.0 */
/* addr.h - parse a listen address ("127.0.0.1:8443", "[::1]:8443", ":8443") into a
 * socket address. Pure: no sockets are opened, no names are resolved. */
#ifndef MG_ADDR_H
#define MG_ADDR_H

#include <stdbool.h>
#include <sys/socket.h>

#include "err.h"

struct mg_addr {
    struct sockaddr_storage ss; /* AF_INET or AF_INET6 with the port set */
    socklen_t len;
    bool any;      /* ":PORT": every address (the server tries dual stack) */
    unsigned port; /* 0..65535; 0 asks for an ephemeral port */
};

/* Parse s. The host must be a numeric IPv4 address, a bracketed numeric IPv6 address or
 * empty; the port is decimal 0..65535. MG_EINVAL with a message otherwise. */
int mg_addr_parse(const char *s, struct mg_addr *out, struct mg_err *err);

#endif
