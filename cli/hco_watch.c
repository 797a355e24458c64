/* SPDX-License-Identifier: Apache-2.0 */
/* hco_watch.c - log which HyperConverged the migration settings come from when the
 * watched view holds several, once per change (RULES.md 9.3). The look is a read lock
 * over the HyperConverged table only (a handful of objects), so reviews never wait on it. */
#include "hco_watch.h"

#include <stdlib.h>
#include <string.h>

#include "setup.h"
#include "store.h"
#include "ticker.h"

#define NOTE_LEN 1024

struct mg_hco_watch {
    struct mg_engine *engine;
    void (*line)(void *ctx, const char *text);
    void *ctx;
    struct mg_ticker *ticker;
    char last[NOTE_LEN]; /* only the ticker's thread touches it */
};

static void look(void *arg)
{
    struct mg_hco_watch *w = arg;
    struct mg_store *s = mg_engine_store(w->engine);
    char note[NOTE_LEN];

    mg_store_rdlock(s);
    mg_setup_hco_note(s, note, sizeof(note));
    mg_store_unlock(s);
    if (strcmp(note, w->last) == 0)
        return;
    if (*note)
        w->line(w->ctx, note);
    else
        w->line(w->ctx, "one HyperConverged again: the migration settings come from it "
                        "(RULES.md 9.3)");
    memcpy(w->last, note, sizeof(note));
}

struct mg_hco_watch *mg_hco_watch_start(struct mg_engine *engine, unsigned period_ms,
                                        void (*line)(void *ctx, const char *text), void *ctx)
{
    struct mg_hco_watch *w = calloc(1, sizeof(*w));

    if (!w)
        return NULL;
    w->engine = engine;
    w->line = line;
    w->ctx = ctx;
    if (!(w->ticker = mg_ticker_start(period_ms, look, w))) {
        free(w);
        return NULL;
    }
    return w;
}

void mg_hco_watch_stop(struct mg_hco_watch *w)
{
    if (!w)
        return;
    mg_ticker_stop(w->ticker);
    free(w);
}
