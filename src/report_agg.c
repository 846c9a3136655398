/* report_agg.c: what the ticket report keeps of the verdicts it saw. Counts per group (cause,
 * ok, incomplete), a few names and certificate chains per group, one example connection per
 * group copied at emit time (the verdict's pointers die after emit), and a fixed number of
 * time buckets whose width doubles as the capture grows: memory is the same for ten
 * connections and for ten million. */
#include "report_doc.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "tlswhy/dissector.h"

#define BASE_WIDTH_US 1000 /* first bucket width: 1 ms, doubled as needed */

static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* A copy of s, or NULL with alloc_failed set (the report then says less, never crashes). */
static char *keep(struct doc_agg *a, const char *s)
{
    char *d = s ? dup(s) : NULL;
    if (s && !d)
        a->alloc_failed = true;
    return d;
}

void doc_agg_init(struct doc_agg *a, bool anonymize)
{
    memset(a, 0, sizeof *a);
    a->anonymize = anonymize;
    a->width_us = BASE_WIDTH_US;
    for (int g = 0; g < DOC_GROUPS; g++)
        a->g[g].ex.chain = -1;
}

const char *doc_group_name(int g)
{
    if (g == DOC_GROUP_OK)
        return "ok";
    if (g == DOC_GROUP_INCOMPLETE)
        return "incomplete";
    return tw_cause_name(g);
}

static int group_of(const struct tw_verdict *v)
{
    if (v->outcome == TW_OUTCOME_OK)
        return DOC_GROUP_OK;
    if (v->outcome == TW_OUTCOME_INCOMPLETE || v->cause <= TW_CAUSE_NONE ||
        v->cause >= TW_CAUSE_COUNT)
        return DOC_GROUP_INCOMPLETE;
    return (int)v->cause;
}

static int64_t start_of(const struct tw_verdict *v)
{
    const struct tw_evidence *ev = v->ev;
    if (ev->tcp && ev->tcp->first_frame)
        return ev->tcp->first_ts;
    return ev->tls && ev->tls->ch.present ? ev->tls->ch.ts_us : 0;
}

/* ---- time buckets ---------------------------------------------------------------------- */

static int64_t floor_div(int64_t x, int64_t d)
{
    int64_t q = x / d;
    return q * d > x ? q - 1 : q;
}

/* Halves the resolution: bucket width doubles, neighbours merge. */
static void coarsen(struct doc_agg *a)
{
    uint32_t old[DOC_BUCKETS][DOC_GROUPS];
    memcpy(old, a->bucket, sizeof old);
    memset(a->bucket, 0, sizeof a->bucket);
    int64_t lo = floor_div(a->lo, 2);
    for (int i = 0; i < DOC_BUCKETS; i++)
        for (int g = 0; g < DOC_GROUPS; g++)
            a->bucket[floor_div(a->lo + i, 2) - lo][g] += old[i][g];
    a->lo = lo;
    a->width_us *= 2;
}

static int64_t highest_used(const struct doc_agg *a)
{
    for (int i = DOC_BUCKETS - 1; i > 0; i--)
        for (int g = 0; g < DOC_GROUPS; g++)
            if (a->bucket[i][g])
                return a->lo + i;
    return a->lo;
}

static void add_time(struct doc_agg *a, int64_t ts, int g)
{
    if (ts <= 0)
        return;
    int64_t idx = floor_div(ts, a->width_us);
    if (!a->any_bucket) {
        a->lo = idx;
        a->any_bucket = true;
    }
    for (;;) {
        int64_t lo = idx < a->lo ? idx : a->lo;
        int64_t hi = highest_used(a);
        hi = idx > hi ? idx : hi;
        if (hi - lo < DOC_BUCKETS)
            break;
        coarsen(a);
        idx = floor_div(ts, a->width_us);
    }
    if (idx < a->lo) { /* shift the contents right; the loop above made room */
        int64_t by = a->lo - idx;
        memmove(a->bucket[by], a->bucket[0], sizeof a->bucket[0] * (size_t)(DOC_BUCKETS - by));
        memset(a->bucket[0], 0, sizeof a->bucket[0] * (size_t)by);
        a->lo = idx;
    }
    uint32_t *c = &a->bucket[idx - a->lo][g];
    if (*c < UINT32_MAX)
        (*c)++;
}

bool doc_agg_span(const struct doc_agg *a, int *from, int *to)
{
    int lo = -1, hi = -1;
    for (int i = 0; i < DOC_BUCKETS; i++)
        for (int g = 0; g < DOC_GROUPS; g++)
            if (a->bucket[i][g]) {
                lo = lo < 0 ? i : lo;
                hi = i;
            }
    *from = lo;
    *to = hi + 1;
    return lo >= 0;
}

/* ---- names and chains -------------------------------------------------------------------- */

static void count_name(struct doc_agg *a, struct doc_group *g, const char *name)
{
    for (uint16_t i = 0; i < g->name_count; i++)
        if (strcmp(g->names[i].name, name) == 0) {
            g->names[i].count++;
            return;
        }
    if (g->name_count == DOC_NAMES) {
        g->names_other++;
        return;
    }
    char *d = keep(a, name);
    if (!d)
        return;
    g->names[g->name_count++] = (struct doc_name){d, 1};
}

static void copy_cert(struct doc_agg *a, struct doc_cert *d, const struct tw_cert_summary *s)
{
    d->parsed = s->parsed;
    memcpy(d->sha256, s->sha256, sizeof d->sha256);
    d->sha256[sizeof d->sha256 - 1] = '\0';
    if (!s->parsed)
        return;
    d->subject = keep(a, s->subject_dn);
    d->issuer = keep(a, s->issuer_dn);
    d->san_count = s->san_count;
    for (uint16_t i = 0; i < s->san_count && i < DOC_SANS && i < TW_CERT_MAX_SANS; i++)
        d->sans[i] = keep(a, s->sans[i]);
    d->not_before = s->not_before;
    d->not_after = s->not_after;
    if (s->key_curve[0])
        snprintf(d->key, sizeof d->key, "%.15s %.31s", s->key_type, s->key_curve);
    else
        snprintf(d->key, sizeof d->key, "%.15s %d", s->key_type, s->key_bits);
    snprintf(d->sig_alg, sizeof d->sig_alg, "%s", s->sig_alg);
    d->self_signed = s->self_signed;
}

static void copy_findings(struct doc_agg *a, const struct tw_chain_report *c,
                          struct doc_finding *out, uint16_t *n)
{
    for (uint16_t i = 0; i < c->finding_count && i < TW_CERT_MAX_FINDINGS && *n < DOC_FINDINGS;
         i++) {
        out[*n] = (struct doc_finding){c->findings[i].code, c->findings[i].cert_index,
                                       keep(a, c->findings[i].text)};
        (*n)++;
    }
}

/* The card for this chain, made on first sight; -1 when every card is taken. */
static int chain_of(struct doc_agg *a, const struct tw_chain_report *c)
{
    char key[sizeof a->chains[0].key];
    if (!c || c->n == 0 || !c->certs)
        return -1;
    snprintf(key, sizeof key, "%.64s/%u", c->certs[0].sha256, (unsigned)c->n);
    for (int i = 0; i < a->chain_count; i++)
        if (strcmp(a->chains[i].key, key) == 0)
            return i;
    if (a->chain_count == DOC_CHAINS) {
        a->chains_other++;
        return -1;
    }
    struct doc_chain *d = &a->chains[a->chain_count];
    memset(d, 0, sizeof *d);
    memcpy(d->key, key, sizeof key);
    d->n = c->n;
    for (uint16_t i = 0; i < c->n && i < DOC_CHAIN_CERTS; i++)
        copy_cert(a, &d->certs[d->kept++], &c->certs[i]);
    copy_findings(a, c, d->findings, &d->finding_count);
    d->trusted = c->trusted;
    return a->chain_count++;
}

static void chain_name(struct doc_agg *a, struct doc_chain *c, const char *name)
{
    for (uint16_t i = 0; i < c->name_count; i++)
        if (strcmp(c->names[i], name) == 0)
            return;
    if (c->name_count == DOC_CHAIN_NAMES) {
        c->names_other++;
        return;
    }
    char *d = keep(a, name);
    if (d)
        c->names[c->name_count++] = d;
}

static void group_chain(struct doc_group *g, int chain)
{
    for (uint16_t i = 0; i < g->chain_count; i++)
        if (g->chains[i] == chain)
            return;
    if (g->chain_count == DOC_GROUP_CHAINS)
        g->chains_other++;
    else
        g->chains[g->chain_count++] = chain;
}

/* ---- the example connection ------------------------------------------------------------- */

/* The client address as the report shows it: "client-N" numbered in order of appearance
 * when anonymizing (stable within the report), else the address. */
static void client_text(struct doc_agg *a, const struct tw_endpoint *ep, char *buf, size_t n)
{
    if (!a->anonymize) {
        tw_endpoint_format(ep, buf, n);
        return;
    }
    unsigned no = 0;
    for (unsigned i = 0; i < a->client_count; i++)
        if (tw_ip_equal(&a->clients[i].ip, &ep->ip))
            no = a->clients[i].no;
    if (!no && a->client_count < DOC_CLIENTS) {
        no = a->client_count + 1;
        a->clients[a->client_count++] = (struct doc_client){ep->ip, no};
    }
    snprintf(buf, n, "client-%u:%u", no, (unsigned)ep->port);
}

static void keep_example(struct doc_agg *a, struct doc_example *x, const struct tw_verdict *v,
                         int chain)
{
    const struct tw_evidence *ev = v->ev;
    const struct tw_ev_tls *tls = ev->tls;
    x->present = true;
    x->conn_id = ev->conn_id;
    x->first_frame = ev->tcp && ev->tcp->first_frame ? ev->tcp->first_frame
                                                     : (v->frame_count ? v->frames[0] : 0);
    x->start_us = start_of(v);
    client_text(a, &ev->client, x->client, sizeof x->client);
    tw_endpoint_format(&ev->server, x->server, sizeof x->server);
    if (tls && tls->ch.present && tls->ch.has_sni)
        x->sni = keep(a, tls->ch.sni);
    x->name = v->name ? keep(a, v->name) : NULL;
    if (tls && tls->sh.present && !tls->sh.is_hrr) {
        const char *name = tw_tls_version_name(tls->sh.version);
        if (name)
            snprintf(x->version, sizeof x->version, "%s", name);
        else
            snprintf(x->version, sizeof x->version, "0x%04x", (unsigned)tls->sh.version);
    }
    x->explanation = keep(a, v->explanation);
    const char *stage = tw_stage_name(v->stage);
    snprintf(x->stage, sizeof x->stage, "%s", stage ? stage : "");
    x->chain = chain;
    if (v->chain)
        copy_findings(a, v->chain, x->findings, &x->finding_count);
    doc_ladder_build(v, &x->ladder);
}

static void count_fp(struct doc_agg *a, const struct tw_verdict *v)
{
    struct doc_fp *r = NULL;
    for (uint16_t i = 0; i < a->fp_count && !r; i++)
        if (strcmp(a->fps[i].ja4, v->fp.ja4) == 0)
            r = &a->fps[i];
    if (!r && a->fp_count < DOC_FPS) {
        r = &a->fps[a->fp_count++];
        snprintf(r->ja4, sizeof r->ja4, "%s", v->fp.ja4);
    }
    if (!r) {
        a->fps_other++;
        return;
    }
    r->conns++;
    if (v->outcome == TW_OUTCOME_FAILED) {
        r->failed++;
        if (v->cause < TW_CAUSE_COUNT)
            r->cause[v->cause]++;
    }
}

bool doc_agg_fp_split(const struct doc_agg *a)
{
    unsigned with = 0;
    for (uint16_t i = 0; i < a->fp_count; i++)
        with += a->fps[i].ja4[0] != '\0';
    return with + (a->fps_other != 0) > 1;
}

void doc_fp_top_causes(const struct doc_fp *r, int top[DOC_FP_CAUSES])
{
    for (int k = 0; k < DOC_FP_CAUSES; k++) {
        top[k] = -1;
        for (int c = 1; c < TW_CAUSE_COUNT; c++) {
            bool taken = false;
            for (int j = 0; j < k; j++)
                taken |= top[j] == c;
            if (!taken && r->cause[c] && (top[k] < 0 || r->cause[c] > r->cause[top[k]]))
                top[k] = c;
        }
    }
}

void doc_agg_add(struct doc_agg *a, const struct tw_verdict *v)
{
    if (!v || !v->ev || !v->relevant)
        return;
    int gi = group_of(v);
    struct doc_group *g = &a->g[gi];
    int64_t ts = start_of(v);
    a->total++;
    a->by_outcome[v->outcome]++;
    g->count++;
    if (ts && (!g->first_us || ts < g->first_us))
        g->first_us = ts;
    if (ts > g->last_us)
        g->last_us = ts;
    add_time(a, ts, gi);
    count_fp(a, v);
    for (uint16_t i = 0; i < v->warning_count && i < TW_MAX_WARNINGS; i++)
        if (v->warnings[i] < TW_CAUSE_COUNT)
            a->warnings[v->warnings[i]]++;
    char ip[TW_ENDPOINT_STRLEN];
    const char *name = v->name ? v->name : tw_ip_format(&v->ev->server.ip, ip, sizeof ip);
    count_name(a, g, name);
    int chain = chain_of(a, v->chain);
    if (chain >= 0) {
        struct doc_chain *c = &a->chains[chain];
        c->conns++;
        c->failed += v->outcome == TW_OUTCOME_FAILED;
        chain_name(a, c, name);
        group_chain(g, chain);
    } else if (v->chain && v->chain->n) {
        g->chains_other++;
    }
    if (!g->ex.present)
        keep_example(a, &g->ex, v, chain);
}

/* ---- order and teardown ---------------------------------------------------------------- */

size_t doc_agg_order(const struct doc_agg *a, int *order)
{
    size_t n = 0;
    for (int g = 0; g < TW_CAUSE_COUNT; g++)
        if (a->g[g].count)
            order[n++] = g;
    for (size_t i = 1; i < n; i++) { /* by count, descending; ties by cause code */
        int x = order[i];
        size_t j = i;
        for (; j > 0 && a->g[order[j - 1]].count < a->g[x].count; j--)
            order[j] = order[j - 1];
        order[j] = x;
    }
    if (a->g[DOC_GROUP_INCOMPLETE].count)
        order[n++] = DOC_GROUP_INCOMPLETE;
    if (a->g[DOC_GROUP_OK].count)
        order[n++] = DOC_GROUP_OK;
    return n;
}

static void free_findings(struct doc_finding *f, uint16_t n)
{
    for (uint16_t i = 0; i < n; i++)
        free(f[i].text);
}

void doc_agg_free(struct doc_agg *a)
{
    for (int gi = 0; gi < DOC_GROUPS; gi++) {
        struct doc_group *g = &a->g[gi];
        for (uint16_t i = 0; i < g->name_count; i++)
            free(g->names[i].name);
        free(g->ex.sni);
        free(g->ex.name);
        free(g->ex.explanation);
        free_findings(g->ex.findings, g->ex.finding_count);
    }
    for (uint16_t i = 0; i < a->chain_count; i++) {
        struct doc_chain *c = &a->chains[i];
        for (uint16_t k = 0; k < c->kept; k++) {
            free(c->certs[k].subject);
            free(c->certs[k].issuer);
            for (uint16_t s = 0; s < c->certs[k].san_count && s < DOC_SANS; s++)
                free(c->certs[k].sans[s]);
        }
        free_findings(c->findings, c->finding_count);
        for (uint16_t k = 0; k < c->name_count; k++)
            free(c->names[k]);
    }
}

/* ---- the command line, for --anonymize ---------------------------------------------------- */

static bool is_address(const char *tok, size_t n)
{
    char buf[64];
    uint8_t bin[16];
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, tok, n);
    buf[n] = '\0';
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    return inet_pton(AF_INET, buf, bin) == 1 || inet_pton(AF_INET6, buf, bin) == 1;
}

char *doc_scrub_command(const char *cmd)
{
    size_t len = strlen(cmd);
    char *out = malloc(len * 4 + 8), *o = out; /* the shortest address, "::", grows 3.5x */
    if (!out)
        return NULL;
    const char *p = cmd;
    while (*p) {
        size_t sep = strcspn(p, " \t'\"()");
        if (sep == 0) {
            *o++ = *p++;
            continue;
        }
        if (is_address(p, sep)) {
            memcpy(o, "ADDRESS", 7);
            o += 7;
        } else {
            memcpy(o, p, sep);
            o += sep;
        }
        p += sep;
    }
    *o = '\0';
    return out;
}
