/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_review.c - `migguard review`: one AdmissionReview from a file or stdin, the
 * response the server would send on stdout and nothing else there. Exit 0 allowed,
 * 1 denied, 2 not a review (one line on stderr). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "setup.h"

static void usage(FILE *to)
{
    fprintf(to, "usage: migguard review [--mutate] [--state DIR] [--config FILE] FILE|-\n\n"
                "Read one AdmissionReview (admission.k8s.io/v1) from FILE or standard input and\n"
                "print the response AdmissionReview that `migguard serve` sends for it.\n\n"
                "  --mutate        answer as the mutating endpoint (/mutate) instead of /validate\n"
                "  --state DIR     load the cluster view from the .yaml/.yml/.json files in DIR\n"
                "  --config FILE   migguard configuration (YAML); default: the embedded one\n"
                "  -h, --help      print this help\n\n"
                "exit status: 0 allowed, 1 denied, 2 the input is not an AdmissionReview or a\n"
                "file cannot be read\n");
}

int mg_cli_review(int argc, char **argv)
{
    static const struct option opts[] = {{"mutate", no_argument, NULL, 'm'},
                                         {"state", required_argument, NULL, 's'},
                                         {"config", required_argument, NULL, 'c'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *state = NULL, *config = NULL;
    enum mg_endpoint ep = MG_EP_VALIDATE;
    struct mg_engine *engine = NULL;
    struct mg_reply reply = {0};
    struct mg_err err = {0};
    char *body = NULL;
    size_t len = 0;
    int c, rc = 2;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': ep = MG_EP_MUTATE; break;
        case 's': state = optarg; break;
        case 'c': config = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "migguard review: expected one FILE (or - for standard input)\n");
        usage(stderr);
        return 2;
    }
    if (mg_setup_engine(config, state, &engine))
        return 2;
    if (mg_setup_read_input(argv[optind], MG_REVIEW_MAX_BYTES, &body, &len, &err)) {
        mg_setup_print_err(&err);
        goto out;
    }
    if (mg_engine_review(engine, ep, body, len, &reply, &err)) {
        fprintf(stderr, "migguard review: %s: %s\n", argv[optind], err.msg);
        goto out;
    }
    fwrite(reply.body, 1, reply.len, stdout);
    fputc('\n', stdout);
    rc = reply.allowed ? 0 : 1;
out:
    mg_reply_free(&reply);
    free(body);
    mg_engine_free(engine);
    return rc;
}
