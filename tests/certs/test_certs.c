/* SPDX-License-Identifier: Apache-2.0 */
/* test_certs.c - the certificate tool: files and modes written by create_dir, each
 * check of mg_certs_check passing and failing on its own, and caBundle round trip.
 * Every test works in its own mkdtemp directory under /tmp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "certs.h"

struct fixture {
    char dir[64];
    char ca[128], ca_key[128], crt[128], key[128];
};

static const char *const dns[] = {"migguard.kubevirt.svc", "localhost"};
static const char *const ips[] = {"127.0.0.1", "::1"};

static void paths(struct fixture *f)
{
    snprintf(f->ca, sizeof(f->ca), "%s/ca.crt", f->dir);
    snprintf(f->ca_key, sizeof(f->ca_key), "%s/ca.key", f->dir);
    snprintf(f->crt, sizeof(f->crt), "%s/tls.crt", f->dir);
    snprintf(f->key, sizeof(f->key), "%s/tls.key", f->dir);
}

static struct mg_certs_spec serving_spec(int days, enum mg_certs_key key)
{
    struct mg_certs_spec s = {
        .dns = dns, .n_dns = 2, .ips = ips, .n_ips = 2, .days = days, .key = key};
    return s;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct mg_certs_spec ca = {.common_name = "migguard test CA", .days = 30};
    struct mg_certs_spec tls = serving_spec(10, MG_CERTS_KEY_EC_P256);
    struct mg_err err = {0};

    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/mg-certs-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    paths(f);
    assert_int_equal(mg_certs_create_dir(f->dir, &ca, &tls, &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    const char *names[] = {f->ca, f->ca_key, f->crt, f->key};

    for (size_t i = 0; i < 4; i++)
        unlink(names[i]);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void test_create_dir_writes_keys_0600_and_certs_0644(void **state)
{
    struct fixture *f = *state;
    struct stat st;

    assert_int_equal(stat(f->key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(f->ca_key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(f->crt, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(stat(f->ca, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
}

static void test_check_passes_for_good_pair_with_ca_dns_ip(void **state)
{
    struct fixture *f = *state;
    struct mg_certs_check_opts o = {
        .cert_file = f->crt, .key_file = f->key, .ca_file = f->ca, .dns = "localhost", .ip = "::1"};
    struct mg_certs_report rep;
    struct mg_err err = {0};

    assert_int_equal(mg_certs_check(&o, &rep, &err), 0);
    assert_int_equal(rep.failed, MG_CERTS_CHECK_NONE);
    /* 10 days minus the seconds this test took. */
    assert_true(rep.days_left == 9 || rep.days_left == 10);
    assert_true(rep.seconds_left > 9 * 86400L);
    assert_non_null(strstr(rep.subject, "migguard.kubevirt.svc"));
    o.ip = "127.0.0.1";
    o.dns = "migguard.kubevirt.svc";
    assert_int_equal(mg_certs_check(&o, &rep, &err), 0);
}

static void test_check_names_wrong_dns_san(void **state)
{
    struct fixture *f = *state;
    struct mg_certs_check_opts o = {
        .cert_file = f->crt, .key_file = f->key, .dns = "migguard.other.svc"};
    struct mg_certs_report rep;
    struct mg_err err = {0};

    assert_int_equal(mg_certs_check(&o, &rep, &err), MG_ETLS);
    assert_int_equal(rep.failed, MG_CERTS_CHECK_DNS);
    assert_non_null(strstr(err.msg, "san-dns"));
    assert_non_null(strstr(err.msg, "migguard.other.svc"));
}

static void test_check_names_wrong_ip_san(void **state)
{
    struct fixture *f = *state;
    struct mg_certs_check_opts o = {.cert_file = f->crt, .key_file = f->key, .ip = "10.0.0.1"};
    struct mg_certs_report rep;
    struct mg_err err = {0};

    assert_int_equal(mg_certs_check(&o, &rep, &err), MG_ETLS);
    assert_int_equal(rep.failed, MG_CERTS_CHECK_IP);
    assert_non_null(strstr(err.msg, "san-ip"));
}

static void test_check_names_key_mismatch(void **state)
{
    struct fixture *f = *state;
    /* The CA key is a valid key, just not the serving certificate's. */
    struct mg_certs_check_opts o = {.cert_file = f->crt, .key_file = f->ca_key};
    struct mg_certs_report rep;
    struct mg_err err = {0};

    assert_int_equal(mg_certs_check(&o, &rep, &err), MG_ETLS);
    assert_int_equal(rep.failed, MG_CERTS_CHECK_KEY);
    assert_non_null(strstr(err.msg, "key-match"));
}

static void test_check_fails_against_another_ca(void **state)
{
    struct fixture *f = *state;
    struct mg_certs_pair other = {0};
    struct mg_certs_spec spec = {.common_name = "other CA", .days = 5};
    struct mg_certs_check_opts o = {.cert_file = f->crt, .key_file = f->key};
    struct mg_certs_report rep;
    struct mg_err err = {0};
    char path[160];

    assert_int_equal(mg_certs_make_ca(&other, &spec, &err), 0);
    snprintf(path, sizeof(path), "%s/other.crt", f->dir);
    assert_int_equal(mg_certs_write_file(path, other.cert_pem, false, &err), 0);
    o.ca_file = path;
    assert_int_equal(mg_certs_check(&o, &rep, &err), MG_ETLS);
    assert_int_equal(rep.failed, MG_CERTS_CHECK_CA);
    assert_non_null(strstr(err.msg, "ca-verify"));
    unlink(path);
    mg_certs_pair_free(&other);
}

static void test_check_names_expired_certificate(void **state)
{
    struct fixture *f = *state;
    struct mg_certs_spec ca = {.days = 30, .key = MG_CERTS_KEY_RSA_2048};
    struct mg_certs_spec tls = serving_spec(0, MG_CERTS_KEY_RSA_2048);
    struct mg_certs_check_opts o = {.cert_file = f->crt, .key_file = f->key, .dns = "localhost"};
    struct mg_certs_report rep;
    struct mg_err err = {0};

    assert_int_equal(mg_certs_create_dir(f->dir, &ca, &tls, &err), 0);
    assert_int_equal(mg_certs_check(&o, &rep, &err), MG_ETLS);
    assert_int_equal(rep.failed, MG_CERTS_CHECK_EXPIRY);
    assert_non_null(strstr(err.msg, "expiry"));
    assert_true(rep.seconds_left < 0);
}

static void test_cabundle_decodes_back_to_pem(void **state)
{
    struct fixture *f = *state;
    char *b64 = NULL, *pem = NULL;
    size_t len = 0;
    unsigned char *dec;
    int n;
    struct mg_err err = {0};

    assert_int_equal(mg_certs_cabundle(f->ca, &b64, &err), 0);
    assert_null(strchr(b64, '\n'));
    assert_int_equal(mg_certs_read_file(f->ca, &pem, &len, &err), 0);
    dec = malloc(strlen(b64));
    assert_non_null(dec);
    n = EVP_DecodeBlock(dec, (const unsigned char *)b64, (int)strlen(b64));
    /* EVP_DecodeBlock counts the '=' padding as zero bytes. */
    assert_true(n >= (int)len && n <= (int)len + 2);
    assert_memory_equal(dec, pem, len);
    free(dec);
    free(pem);
    free(b64);
}

static void test_cabundle_refuses_non_pem(void **state)
{
    char *b64 = NULL;
    struct mg_err err = {0};

    (void)state;
    assert_int_equal(mg_certs_cabundle_mem("hello", 5, &b64, &err), MG_ETLS);
    assert_null(b64);
}

static void test_serving_refuses_bad_names(void **state)
{
    struct fixture *f = *state;
    struct mg_certs_pair ca = {0}, tls = {0};
    struct mg_certs_spec spec = {.days = 1};
    const char *const bad_dns[] = {"a,IP:1.2.3.4"};
    const char *const bad_ip[] = {"300.1.1.1"};
    struct mg_err err = {0};

    (void)f;
    assert_int_equal(mg_certs_make_ca(&ca, &spec, &err), 0);
    assert_int_equal(mg_certs_make_serving(&tls, &ca, &spec, &err), MG_EINVAL);
    spec.dns = bad_dns;
    spec.n_dns = 1;
    assert_int_equal(mg_certs_make_serving(&tls, &ca, &spec, &err), MG_EINVAL);
    assert_non_null(strstr(err.msg, "invalid DNS name"));
    spec.n_dns = 0;
    spec.ips = bad_ip;
    spec.n_ips = 1;
    assert_int_equal(mg_certs_make_serving(&tls, &ca, &spec, &err), MG_EINVAL);
    assert_non_null(strstr(err.msg, "invalid IP"));
    assert_null(tls.cert_pem);
    mg_certs_pair_free(&ca);
    mg_certs_pair_free(NULL);
}

static void test_check_reports_missing_file(void **state)
{
    struct mg_certs_check_opts o = {.cert_file = "/nonexistent/tls.crt", .key_file = "/x"};
    struct mg_certs_report rep;
    struct mg_err err = {0};

    (void)state;
    assert_int_equal(mg_certs_check(&o, &rep, &err), MG_EIO);
    assert_int_equal(rep.failed, MG_CERTS_CHECK_LOAD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_dir_writes_keys_0600_and_certs_0644, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_check_passes_for_good_pair_with_ca_dns_ip, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_check_names_wrong_dns_san, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_names_wrong_ip_san, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_names_key_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_fails_against_another_ca, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_names_expired_certificate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cabundle_decodes_back_to_pem, setup, teardown),
        cmocka_unit_test(test_cabundle_refuses_non_pem),
        cmocka_unit_test_setup_teardown(test_serving_refuses_bad_names, setup, teardown),
        cmocka_unit_test(test_check_reports_missing_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
