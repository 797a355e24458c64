/* SPDX-License-Identifier: Apache-2.0 */
/* test_addr.c - listen address parsing: the three accepted forms, port 0, and the
 * malformed inputs that must be refused rather than bound somewhere unexpected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "addr.h"

static void test_addr_parses_ipv4_host_and_port(void **state)
{
    struct mg_addr a;
    struct mg_err err = {0};
    const struct sockaddr_in *a4 = (const struct sockaddr_in *)&a.ss;

    (void)state;
    assert_int_equal(mg_addr_parse("127.0.0.1:8443", &a, &err), 0);
    assert_int_equal(a4->sin_family, AF_INET);
    assert_int_equal(ntohs(a4->sin_port), 8443);
    assert_int_equal(ntohl(a4->sin_addr.s_addr), 0x7f000001);
    assert_int_equal(a.len, sizeof(struct sockaddr_in));
    assert_false(a.any);
    assert_int_equal(a.port, 8443);
}

static void test_addr_parses_bracketed_ipv6(void **state)
{
    struct mg_addr a;
    struct mg_err err = {0};
    const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&a.ss;
    struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;

    (void)state;
    assert_int_equal(mg_addr_parse("[::1]:9443", &a, &err), 0);
    assert_int_equal(a6->sin6_family, AF_INET6);
    assert_int_equal(ntohs(a6->sin6_port), 9443);
    assert_memory_equal(&a6->sin6_addr, &lo, sizeof(lo));
    assert_int_equal(a.len, sizeof(struct sockaddr_in6));
}

static void test_addr_empty_host_is_any_and_port_zero_is_ephemeral(void **state)
{
    struct mg_addr a;
    struct mg_err err = {0};

    (void)state;
    assert_int_equal(mg_addr_parse(":8443", &a, &err), 0);
    assert_true(a.any);
    assert_int_equal(a.port, 8443);
    assert_int_equal(mg_addr_parse("127.0.0.1:0", &a, &err), 0);
    assert_int_equal(a.port, 0);
    assert_int_equal(mg_addr_parse("127.0.0.1:65535", &a, &err), 0);
}

static void test_addr_refuses_malformed(void **state)
{
    static const char *const bad[] = {
        "",
        "8443",
        "127.0.0.1",
        "127.0.0.1:",
        "127.0.0.1:65536",
        "127.0.0.1:-1",
        "127.0.0.1:84a3",
        "::1:8443",
        "[::1]8443",
        "[::1",
        "[127.0.0.1]:8443",
        "localhost:8443",
        "1.2.3.4.5:80",
        "127.0.0.1:000008443",
        " 127.0.0.1:1",
    };
    struct mg_addr a;
    struct mg_err err = {0};

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mg_err_clear(&err);
        assert_int_equal(mg_addr_parse(bad[i], &a, &err), MG_EINVAL);
        assert_true(err.msg[0] != '\0');
    }
    assert_int_equal(mg_addr_parse(NULL, &a, &err), MG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addr_parses_ipv4_host_and_port),
        cmocka_unit_test(test_addr_parses_bracketed_ipv6),
        cmocka_unit_test(test_addr_empty_host_is_any_and_port_zero_is_ephemeral),
        cmocka_unit_test(test_addr_refuses_malformed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
