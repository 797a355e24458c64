/* SPDX-License-Identifier: Apache-2.0 */
/* test_kubeconf.c - kubeconfig and in-cluster resolution: the current context picks
 * cluster and user, *-data fields are base64-decoded, relative files are relative to
 * the kubeconfig, unsupported or inconsistent users are refused, tokens are re-read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kubeconf.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/mg-test-kubeconf-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *write_file(const char *name, const char *text)
{
    static char path[128];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* "-----BEGIN X-----\n" and "key\n" in base64. */
#define PEM_B64 "LS0tLS1CRUdJTiBYLS0tLS0K"
#define KEY_B64 "a2V5Cg=="

static const char two_contexts[] =
    "apiVersion: v1\nkind: Config\ncurrent-context: prod\n"
    "clusters:\n"
    "- name: dev\n  cluster: {server: 'https://dev.example:6443'}\n"
    "- name: prod\n  cluster:\n    server: https://api.prod.example:6443/\n"
    "    certificate-authority-data: " PEM_B64 "\n"
    "contexts:\n"
    "- name: dev\n  context: {cluster: dev, user: dev}\n"
    "- name: prod\n  context: {cluster: prod, user: admin}\n"
    "users:\n"
    "- name: dev\n  user: {token: dev-token}\n"
    "- name: admin\n  user:\n    client-certificate: certs/admin.crt\n"
    "    client-key-data: " KEY_B64 "\n";

static void test_kubeconf_current_context_picks_cluster_and_user(void **state)
{
    struct mg_kubeconf kc;
    struct mg_err err = {0};
    char want[160];

    (void)state;
    assert_int_equal(mg_kubeconf_load_file(&kc, write_file("kc", two_contexts), &err), 0);
    assert_string_equal(kc.server, "https://api.prod.example:6443");
    assert_int_equal(kc.ca_len, strlen("-----BEGIN X-----\n"));
    assert_string_equal(kc.ca_data, "-----BEGIN X-----\n");
    assert_null(kc.ca_file);
    snprintf(want, sizeof(want), "%s/certs/admin.crt", dir);
    assert_string_equal(kc.cert_file, want);
    assert_int_equal(kc.key_len, 4);
    assert_memory_equal(kc.key_data, "key\n", 4);
    assert_null(kc.token);
    assert_null(mg_kubeconf_token(&kc, &err));
    assert_false(kc.insecure);
    mg_kubeconf_free(&kc);
    mg_kubeconf_free(&kc); /* zeroed: a second free is harmless */
}

static void expect_config_error(const char *text, const char *needle)
{
    struct mg_kubeconf kc;
    struct mg_err err = {0};

    assert_int_equal(mg_kubeconf_load_file(&kc, write_file("bad", text), &err), MG_ECONFIG);
    if (!strstr(err.msg, needle))
        fail_msg("message \"%s\" does not say \"%s\"", err.msg, needle);
    assert_null(kc.server);
}

static void test_kubeconf_refuses_what_it_cannot_use(void **state)
{
    (void)state;
    expect_config_error("current-context: x\ncontexts: []\n", "context \"x\"");
    expect_config_error("clusters: []\n", "current-context");
    expect_config_error("current-context: c\ncontexts:\n- {name: c, context: {cluster: k}}\n"
                        "clusters:\n- {name: k, cluster: {server: 'ftp://x'}}\n",
                        "http(s)://");
    expect_config_error("current-context: c\n"
                        "contexts:\n- {name: c, context: {cluster: k, user: u}}\n"
                        "clusters:\n- {name: k, cluster: {server: 'https://x'}}\n"
                        "users:\n- {name: u, user: {exec: {command: aws}}}\n",
                        "exec");
    expect_config_error("current-context: c\n"
                        "contexts:\n- {name: c, context: {cluster: k, user: u}}\n"
                        "clusters:\n- {name: k, cluster: {server: 'https://x'}}\n"
                        "users:\n- {name: u, user: {client-certificate: a.crt}}\n",
                        "without a key");
    expect_config_error("current-context: c\ncontexts:\n- {name: c, context: {cluster: k}}\n"
                        "clusters:\n- {name: k, cluster: {server: 'https://x', "
                        "certificate-authority-data: 'no*base64'}}\n",
                        "base64");
}

static void test_kubeconf_token_file_is_read_again_each_time(void **state)
{
    struct mg_kubeconf kc;
    struct mg_err err = {0};
    char *tok;

    (void)state;
    write_file("token", "first\n");
    assert_int_equal(
        mg_kubeconf_load_file(
            &kc,
            write_file(
                "kc", "current-context: c\ncontexts:\n- {name: c, context: {cluster: k, user: u}}\n"
                      "clusters:\n- {name: k, cluster: {server: 'http://127.0.0.1:1', "
                      "insecure-skip-tls-verify: true, certificate-authority: /etc/ca.pem}}\n"
                      "users:\n- {name: u, user: {tokenFile: token}}\n"),
            &err),
        0);
    assert_true(kc.insecure);
    assert_string_equal(kc.ca_file, "/etc/ca.pem");
    tok = mg_kubeconf_token(&kc, &err);
    assert_string_equal(tok, "first");
    free(tok);
    write_file("token", "  second  \n");
    tok = mg_kubeconf_token(&kc, &err);
    assert_string_equal(tok, "second");
    free(tok);
    mg_kubeconf_free(&kc);
}

static void test_kubeconf_in_cluster_uses_env_and_service_account(void **state)
{
    struct mg_kubeconf kc;
    struct mg_err err = {0};
    char want[128], *tok;

    (void)state;
    write_file("token", "sa-token");
    setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    assert_int_equal(mg_kubeconf_in_cluster(&kc, dir, &err), 0);
    assert_string_equal(kc.server, "https://[fd00::1]:443");
    snprintf(want, sizeof(want), "%s/ca.crt", dir);
    assert_string_equal(kc.ca_file, want);
    tok = mg_kubeconf_token(&kc, &err);
    assert_string_equal(tok, "sa-token");
    free(tok);
    mg_kubeconf_free(&kc);
    setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
    assert_int_equal(mg_kubeconf_in_cluster(&kc, NULL, &err), 0);
    assert_string_equal(kc.server, "https://10.96.0.1:443");
    assert_string_equal(kc.token_file, MG_KUBECONF_SA_DIR "/token");
    mg_kubeconf_free(&kc);
    unsetenv("KUBERNETES_SERVICE_HOST");
    assert_int_equal(mg_kubeconf_in_cluster(&kc, dir, &err), MG_ECONFIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kubeconf_current_context_picks_cluster_and_user),
        cmocka_unit_test(test_kubeconf_refuses_what_it_cannot_use),
        cmocka_unit_test(test_kubeconf_token_file_is_read_again_each_time),
        cmocka_unit_test(test_kubeconf_in_cluster_uses_env_and_service_account),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
