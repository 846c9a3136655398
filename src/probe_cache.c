/* probe_cache.c: one probe per (address, port, SNI) per run, TW_PROBE_MAX in all; a server
 * past the cap gets a result saying it was skipped. */
#include <stdlib.h>
#include <string.h>

#include "tlswhy/probe.h"

struct tw_probe_cache {
    struct tw_cert_ctx *certs;
    struct tw_probe_opts o;
    size_t n;
    struct tw_probe_result r[TW_PROBE_MAX];
    struct tw_probe_result skipped;
};

struct tw_probe_cache *tw_probe_cache_new(struct tw_cert_ctx *certs, const struct tw_probe_opts *o)
{
    struct tw_probe_cache *pc = calloc(1, sizeof *pc);
    if (!pc)
        return NULL;
    pc->certs = certs;
    if (o)
        pc->o = *o;
    pc->skipped.status = TW_PROBE_SKIPPED;
    return pc;
}

static bool same(const struct tw_probe_result *r, const struct tw_endpoint *s, const char *sni)
{
    return r->server.port == s->port && r->server.ip.family == s->ip.family &&
           memcmp(r->server.ip.b, s->ip.b, s->ip.family == 4 ? 4 : 16) == 0 &&
           strcmp(r->sni, sni) == 0;
}

const struct tw_probe_result *tw_probe_once(struct tw_probe_cache *pc,
                                            const struct tw_endpoint *server,
                                            const struct tw_client_hello *ch, const char *name)
{
    const char *sni = ch && ch->present && ch->has_sni ? ch->sni : "";
    for (size_t i = 0; i < pc->n; i++)
        if (same(&pc->r[i], server, sni))
            return &pc->r[i];
    if (pc->n >= TW_PROBE_MAX)
        return &pc->skipped;
    struct tw_probe_result *r = &pc->r[pc->n++];
    tw_probe_server(server, ch, NULL, name, pc->certs, &pc->o, r);
    return r;
}

void tw_probe_cache_free(struct tw_probe_cache *pc)
{
    if (!pc)
        return;
    for (size_t i = 0; i < pc->n; i++)
        tw_probe_result_clear(&pc->r[i]);
    free(pc);
}
