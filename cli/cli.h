/* SPDX-License-Identifier: Apache-2.0 */
/* cli.h - the subcommands of the migguard command, one function each, called by
 * main.c with argv starting at the subcommand's name. Exit codes are the command's:
 * 0 success/allowed, 1 denied or a failed check, 2 usage or unreadable input. */
#ifndef MG_CLI_H
#define MG_CLI_H

/* How the user called the command, for help texts: "migguard", or "kubectl migguard" /
 * "oc migguard" when run as the kubectl-migguard / oc-migguard plugin. Set once by main
 * before any subcommand runs; read-only after. */
extern const char *mg_cli_prog;

int mg_cli_serve(int argc, char **argv);
int mg_cli_review(int argc, char **argv);
int mg_cli_certs(int argc, char **argv);

/* `migguard certs webhooks` (cmd_webhooks.c), dispatched by mg_cli_certs. */
int mg_cli_certs_webhooks(int argc, char **argv);
extern const char mg_cli_webhooks_usage[];
int mg_cli_resolve(int argc, char **argv);
int mg_cli_report(int argc, char **argv);
int mg_cli_check(int argc, char **argv);

#endif
