/* SPDX-License-Identifier: Apache-2.0 */
/* addr.c - listen address parsing for the server. Numeric hosts only (inet_pton):
 * a webhook binds a pod IP or loopback, and a name would need a resolver at start-up.
 * An empty host means every address. */
#include "addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static int parse_port(const char *p, unsigned *out)
{
    unsigned long v = 0;

    if (!*p || strlen(p) > 5)
        return -1;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v > 65535)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int mg_addr_parse(const char *s, struct mg_addr *out, struct mg_err *err)
{
    char host[64];
    const char *colon, *h = s;
    size_t hlen;

    memset(out, 0, sizeof(*out));
    if (!s)
        return mg_err_set(err, MG_EINVAL, "no listen address");
    if (s[0] == '[') {
        const char *close = strchr(s, ']');

        if (!close || close[1] != ':')
            return mg_err_set(err, MG_EINVAL, "listen address '%s': want [IPv6]:PORT", s);
        h = s + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || memchr(s, ':', (size_t)(colon - s)))
            return mg_err_set(err, MG_EINVAL,
                              "listen address '%s': want HOST:PORT, [IPv6]:PORT or :PORT", s);
        hlen = (size_t)(colon - s);
    }
    if (parse_port(colon + 1, &out->port) != 0)
        return mg_err_set(err, MG_EINVAL, "listen address '%s': port must be 0..65535", s);
    if (hlen >= sizeof(host))
        return mg_err_set(err, MG_EINVAL, "listen address '%s': host too long", s);
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    if (s[0] == '[') {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&out->ss;

        if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
            return mg_err_set(err, MG_EINVAL, "listen address '%s': bad IPv6 address", s);
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)out->port);
        out->len = sizeof(*a6);
        return 0;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)&out->ss;

    out->any = hlen == 0;
    if (out->any)
        a4->sin_addr.s_addr = htonl(INADDR_ANY);
    else if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
        return mg_err_set(err, MG_EINVAL,
                          "listen address '%s': host must be a numeric IPv4 address "
                          "(IPv6 in brackets)",
                          s);
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)out->port);
    out->len = sizeof(*a4);
    return 0;
}
