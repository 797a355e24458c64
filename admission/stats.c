/* SPDX-License-Identifier: Apache-2.0 */
/* stats.c - decision counters and their Prometheus text. Series with a zero value are
 * left out of the findings family to keep /metrics short; review series always show
 * for the kinds with rules so dashboards see them from the start. */
#include "stats.h"

#include <time.h>

#include <string.h>

#include "strbuf.h"

static const char *const kinds[MG_STATS_KINDS] = {"HyperConverged",
                                                  "MigrationPolicy",
                                                  "VirtualMachine",
                                                  "VirtualMachineInstance",
                                                  "VirtualMachineInstanceMigration",
                                                  "other"};

void mg_stats_init(struct mg_stats *s)
{
    memset(s, 0, sizeof(*s));
}

static int kind_index(const char *kind)
{
    for (int i = 0; i < MG_STATS_KINDS - 1; i++) {
        if (strcmp(kinds[i], kind) == 0)
            return i;
    }
    return MG_STATS_KINDS - 1;
}

void mg_stats_record(struct mg_stats *s, int endpoint, const struct mg_request *req, bool allowed,
                     const struct mg_verdict *v)
{
    unsigned op = (unsigned)req->op < MG_STATS_OPS ? (unsigned)req->op : MG_OP_OTHER;

    atomic_fetch_add(&s->reviews[endpoint ? 1 : 0][kind_index(req->kind)][op][allowed], 1);
    for (size_t i = 0; v && i < v->n; i++)
        atomic_fetch_add(&s->findings[v->items[i].rule][v->items[i].action == MG_ACT_DENY], 1);
}

void mg_stats_error(struct mg_stats *s)
{
    atomic_fetch_add(&s->errors, 1);
}

void mg_stats_reload(struct mg_stats *s, bool ok)
{
    if (ok)
        atomic_store(&s->reload_success, (long long)time(NULL));
    else
        atomic_fetch_add(&s->reload_failures, 1);
}

char *mg_stats_render(struct mg_stats *s)
{
    static const char *const eps[2] = {"validate", "mutate"};
    struct mg_strbuf b;

    mg_strbuf_init(&b);
    mg_strbuf_printf(
        &b, "# HELP migguard_reviews_total Reviews decided, by endpoint, kind, operation and "
            "verdict.\n# TYPE migguard_reviews_total counter\n");
    for (int e = 0; e < 2; e++) {
        for (int k = 0; k < MG_STATS_KINDS; k++) {
            for (int o = 0; o < MG_STATS_OPS; o++) {
                for (int a = 1; a >= 0; a--) {
                    unsigned long n = atomic_load(&s->reviews[e][k][o][a]);

                    if (n == 0 && (o > MG_OP_DELETE || k == MG_STATS_KINDS - 1))
                        continue;
                    mg_strbuf_printf(
                        &b,
                        "migguard_reviews_total{endpoint=\"%s\",kind=\"%s\",operation=\"%s\","
                        "verdict=\"%s\"} %lu\n",
                        eps[e], kinds[k], mg_op_name((enum mg_op)o), a ? "allowed" : "denied", n);
                }
            }
        }
    }
    mg_strbuf_printf(&b,
                     "# HELP migguard_findings_total Findings reported, by rule id and action.\n"
                     "# TYPE migguard_findings_total counter\n");
    for (int r = 0; r < MG_RULE_COUNT; r++) {
        for (int d = 0; d < 2; d++) {
            unsigned long n = atomic_load(&s->findings[r][d]);

            if (n)
                mg_strbuf_printf(&b, "migguard_findings_total{rule=\"%s\",action=\"%s\"} %lu\n",
                                 mg_rule_id((enum mg_rule)r), d ? "deny" : "warn", n);
        }
    }
    mg_strbuf_printf(
        &b,
        "# HELP migguard_review_errors_total Reviews that could not be decided.\n"
        "# TYPE migguard_review_errors_total counter\nmigguard_review_errors_total %lu\n",
        atomic_load(&s->errors));
    mg_strbuf_printf(
        &b,
        "# HELP migguard_state_reload_failures_total State reloads (--state, SIGHUP) that "
        "failed; the previous view stays.\n"
        "# TYPE migguard_state_reload_failures_total counter\n"
        "migguard_state_reload_failures_total %lu\n"
        "# HELP migguard_state_reload_last_success_timestamp_seconds Unix time of the last "
        "--state load or reload that succeeded (0: none).\n"
        "# TYPE migguard_state_reload_last_success_timestamp_seconds gauge\n"
        "migguard_state_reload_last_success_timestamp_seconds %lld\n",
        atomic_load(&s->reload_failures), (long long)atomic_load(&s->reload_success));
    return mg_strbuf_finish(&b);
}
