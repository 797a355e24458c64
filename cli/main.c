/* SPDX-License-Identifier: Apache-2.0 */
/* main.c - the migguard command: dispatch to a subcommand.
 * Every subcommand answers --help; the top level answers --help and --version. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

const char *mg_cli_prog = "migguard";

/* kubectl and oc run a plugin as kubectl-NAME / oc-NAME: its help says how it was called. */
static const char *prog_of(const char *argv0)
{
    const char *base = argv0 ? strrchr(argv0, '/') : NULL;

    base = base ? base + 1 : argv0 ? argv0 : "";
    if (strcmp(base, "kubectl-migguard") == 0)
        return "kubectl migguard";
    if (strcmp(base, "oc-migguard") == 0)
        return "oc migguard";
    return "migguard";
}

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"serve", mg_cli_serve, "run the HTTPS admission webhook"},
    {"review", mg_cli_review, "answer one AdmissionReview offline, as the server would"},
    {"certs", mg_cli_certs, "create and check TLS certificates, print the caBundle"},
    {"resolve", mg_cli_resolve, "which MigrationPolicy applies to a VM, its settings, and why"},
    {"report", mg_cli_report, "what a node drain moves, shuts down or is blocked by, and why"},
    {"check", mg_cli_check, "check manifests offline before oc apply, as the webhook would"},
};

static void usage(FILE *to)
{
    fprintf(to, "usage: %s COMMAND [OPTIONS]\n\n", mg_cli_prog);
    fprintf(to, "migguard guards KubeVirt live migration: an admission webhook and an offline\n"
                "validator for HyperConverged liveMigrationConfig, MigrationPolicies, VMs and\n"
                "migrations.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(to, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(to, "\n'%s COMMAND --help' describes a command's options.\n", mg_cli_prog);
    fprintf(to, "  --version   print the version\n  --help      print this help\n");
}

int main(int argc, char **argv)
{
    mg_cli_prog = prog_of(argc > 0 ? argv[0] : NULL);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("migguard %s\n", MG_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "migguard: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
