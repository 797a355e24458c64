/* SPDX-License-Identifier: Apache-2.0 */
/* test_server.c - the server's start-up refusals, ephemeral port and stop, the
 * one-reloading-server rule, certificate reload switching only to a pair that matches,
 * and the --client-ca bundles: refusals at start, re-read only when they change and
 * load (clientauth.h). No HTTP here (tests/server/test_https.sh speaks to the real binary); the
 * engine is never called, so NULL stands in for it. Pairs are made with GnuTLS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/x509.h>

#include "clientauth.h"
#include "server.h"
#include "tlsreload.h"

static char dir[64];

/* A self-signed EC pair written to dir/NAME.crt and dir/NAME.key. */
static void make_pair(const char *name)
{
    gnutls_x509_privkey_t key;
    gnutls_x509_crt_t crt;
    gnutls_datum_t pem;
    char path[128];
    unsigned char serial[8] = {1, 2, 3, 4, 5, 6, 7, (unsigned char)name[0]};
    FILE *f;

    assert_int_equal(gnutls_x509_privkey_init(&key), 0);
    assert_int_equal(gnutls_x509_privkey_generate(
                         key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
                     0);
    assert_int_equal(gnutls_x509_crt_init(&crt), 0);
    assert_int_equal(gnutls_x509_crt_set_version(crt, 3), 0);
    assert_int_equal(gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)), 0);
    assert_int_equal(gnutls_x509_crt_set_activation_time(crt, time(NULL) - 60), 0);
    assert_int_equal(gnutls_x509_crt_set_expiration_time(crt, time(NULL) + 86400), 0);
    assert_int_equal(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, name,
                                                   (unsigned)strlen(name)),
                     0);
    assert_int_equal(gnutls_x509_crt_set_key(crt, key), 0);
    assert_int_equal(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), 0);

    snprintf(path, sizeof(path), "%s/%s.crt", dir, name);
    assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem), 0);
    assert_non_null(f = fopen(path, "wb"));
    assert_int_equal(fwrite(pem.data, 1, pem.size, f), pem.size);
    fclose(f);
    gnutls_free(pem.data);
    snprintf(path, sizeof(path), "%s/%s.key", dir, name);
    assert_int_equal(gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, 0, &pem), 0);
    assert_non_null(f = fopen(path, "wb"));
    assert_int_equal(fwrite(pem.data, 1, pem.size, f), pem.size);
    fclose(f);
    gnutls_free(pem.data);
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(key);
}

static const char *file(const char *name)
{
    static char bufs[8][128];
    static int next;
    char *b = bufs[next++ % 8];

    snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
    return b;
}

/* Copy dir/from over dir/to with a rename, as a Secret update or `certs create` does. */
static void replace(const char *from, const char *to)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "cp '%s' '%s.tmp' && mv '%s.tmp' '%s'", file(from), file(to),
             file(to), file(to));
    assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/mg-server-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    make_pair("a");
    make_pair("b");
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_start_refuses_missing_cert(void **state)
{
    struct mg_server_opts o = {
        .listen = "127.0.0.1:0", .cert_file = file("none.crt"), .key_file = file("a.key")};
    struct mg_server *s = (struct mg_server *)&o;
    struct mg_err err = {0};

    (void)state;
    assert_int_equal(mg_server_start(&s, &o, NULL, &err), MG_EIO);
    assert_null(s);
    assert_non_null(strstr(err.msg, "none.crt"));
    o.no_reload = true;
    assert_int_equal(mg_server_start(&s, &o, NULL, &err), MG_EIO);
}

static void test_start_refuses_key_of_another_cert(void **state)
{
    struct mg_server_opts o = {
        .listen = "127.0.0.1:0", .cert_file = file("a.crt"), .key_file = file("b.key")};
    struct mg_server *s = NULL;
    struct mg_err err = {0};

    (void)state;
    assert_int_equal(mg_server_start(&s, &o, NULL, &err), MG_ETLS);
    assert_null(s);
    assert_non_null(strstr(err.msg, "do not match"));
    o.no_reload = true;
    assert_int_equal(mg_server_start(&s, &o, NULL, &err), MG_ETLS);
}

static void test_start_refuses_bad_listen_address(void **state)
{
    struct mg_server_opts o = {
        .listen = "localhost:8443", .cert_file = file("a.crt"), .key_file = file("a.key")};
    struct mg_server *s = NULL;
    struct mg_err err = {0};

    (void)state;
    assert_int_equal(mg_server_start(&s, &o, NULL, &err), MG_EINVAL);
    assert_null(s);
}

static void test_start_binds_ephemeral_port_and_stops_fast(void **state)
{
    struct mg_server_opts o = {.listen = "127.0.0.1:0",
                               .cert_file = file("a.crt"),
                               .key_file = file("a.key"),
                               .threads = 2};
    struct mg_server *s = NULL;
    struct mg_err err = {0};
    struct timespec t0, t1;

    (void)state;
    assert_int_equal(mg_server_start(&s, &o, NULL, &err), 0);
    assert_true(mg_server_port(s) > 0 && mg_server_port(s) < 65536);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    mg_server_stop(s);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* Nothing in flight: no drain wait. */
    assert_true(t1.tv_sec - t0.tv_sec < 2);
    assert_int_equal(mg_server_port(NULL), 0);
    mg_server_stop(NULL);
}

static void test_only_one_server_reloads_per_process(void **state)
{
    struct mg_server_opts o = {
        .listen = "127.0.0.1:0", .cert_file = file("a.crt"), .key_file = file("a.key")};
    struct mg_server *s1 = NULL, *s2 = NULL;
    struct mg_err err = {0};

    (void)state;
    assert_int_equal(mg_server_start(&s1, &o, NULL, &err), 0);
    assert_int_equal(mg_server_start(&s2, &o, NULL, &err), MG_ECONFIG);
    assert_null(s2);
    o.no_reload = true;
    assert_int_equal(mg_server_start(&s2, &o, NULL, &err), 0);
    assert_int_not_equal(mg_server_port(s1), mg_server_port(s2));
    mg_server_stop(s2);
    mg_server_stop(s1);
    /* The slot is free again. */
    o.no_reload = false;
    assert_int_equal(mg_server_start(&s1, &o, NULL, &err), 0);
    mg_server_stop(s1);
}

static gnutls_privkey_t current_key(void)
{
    gnutls_pcert_st *pc = NULL;
    unsigned n = 0;
    gnutls_privkey_t k = NULL;

    assert_int_equal(mg_tlsreload_retrieve(NULL, NULL, 0, NULL, 0, &pc, &n, &k), 0);
    assert_true(n == 1);
    return k;
}

static void test_reload_switches_only_to_a_matching_pair(void **state)
{
    struct mg_tlsreload *r = NULL;
    atomic_ulong ok = 0, failed = 0;
    struct mg_err err = {0};
    gnutls_privkey_t k0, k1;

    (void)state;
    replace("a.crt", "tls.crt");
    replace("a.key", "tls.key");
    /* A long interval: the test drives the polls. */
    assert_int_equal(
        mg_tlsreload_start(&r, file("tls.crt"), file("tls.key"), 3600, &ok, &failed, &err), 0);
    k0 = current_key();
    assert_int_equal(mg_tlsreload_poll(r), 0);
    /* Half a rotation: the new key arrives before the new certificate. */
    replace("b.key", "tls.key");
    assert_int_equal(mg_tlsreload_poll(r), -1);
    assert_int_equal(atomic_load(&failed), 1);
    assert_ptr_equal(current_key(), k0);
    /* Not retried while nothing changes. */
    assert_int_equal(mg_tlsreload_poll(r), 0);
    replace("b.crt", "tls.crt");
    assert_int_equal(mg_tlsreload_poll(r), 1);
    assert_int_equal(atomic_load(&ok), 1);
    k1 = current_key();
    assert_ptr_not_equal(k1, k0);
    /* A file that disappears keeps the last good pair. */
    assert_int_equal(unlink(file("tls.crt")), 0);
    assert_int_equal(mg_tlsreload_poll(r), -1);
    assert_ptr_equal(current_key(), k1);
    mg_tlsreload_stop(r);
    mg_tlsreload_stop(NULL);
}

static void test_client_ca_refusals_name_the_file(void **state)
{
    const char *none[] = {file("none.crt")}, *key[] = {file("a.key")};
    struct mg_clientauth *a = (struct mg_clientauth *)&a;
    struct mg_err err = {0};

    (void)state;
    assert_int_equal(mg_clientauth_new(&a, NULL, 0, NULL, 0, &err), MG_EINVAL);
    assert_null(a);
    assert_int_equal(mg_clientauth_new(&a, none, 1, NULL, 0, &err), MG_EIO);
    assert_non_null(strstr(err.msg, "none.crt"));
    assert_int_equal(mg_clientauth_new(&a, key, 1, NULL, 0, &err), MG_ETLS);
    assert_non_null(strstr(err.msg, "a.key holds no PEM certificate"));
    mg_clientauth_free(NULL);
}

static void test_client_ca_reread_only_when_changed_and_good(void **state)
{
    const char *files[] = {file("a.crt"), file("ca.crt")};
    const char *names[] = {"kube-apiserver"};
    struct mg_clientauth *a = NULL;
    struct mg_err err = {0};
    char why[512];

    (void)state;
    replace("b.crt", "ca.crt");
    assert_int_equal(mg_clientauth_new(&a, files, 2, names, 1, &err), 0);
    assert_int_equal(mg_clientauth_poll(a, &err), 0);
    replace("a.crt", "ca.crt");
    assert_int_equal(mg_clientauth_poll(a, &err), 1);
    assert_int_equal(mg_clientauth_poll(a, &err), 0);
    /* A key where the bundle was: the previous bundles stay, and it is not retried
     * until the file changes again. */
    replace("b.key", "ca.crt");
    assert_int_equal(mg_clientauth_poll(a, &err), -1);
    assert_non_null(strstr(err.msg, "ca.crt holds no PEM certificate"));
    assert_int_equal(mg_clientauth_poll(a, &err), 0);
    /* No session (or no certificate in it): refused, with the fix named. */
    assert_int_equal(mg_clientauth_verify(a, NULL, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "client certificate is required"));
    assert_non_null(strstr(why, "deploy/README.md"));
    mg_clientauth_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_refuses_missing_cert),
        cmocka_unit_test(test_start_refuses_key_of_another_cert),
        cmocka_unit_test(test_start_refuses_bad_listen_address),
        cmocka_unit_test(test_start_binds_ephemeral_port_and_stops_fast),
        cmocka_unit_test(test_only_one_server_reloads_per_process),
        cmocka_unit_test(test_reload_switches_only_to_a_matching_pair),
        cmocka_unit_test(test_client_ca_refusals_name_the_file),
        cmocka_unit_test(test_client_ca_reread_only_when_changed_and_good),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
