/* run_conn.c: per-connection consumer. TLS state is allocated at the first payload byte, so a
 * SYN-only connection (a scan, a flood, a refused port) costs only its flow-table entry. A
 * verdict that nothing later can change (a completed handshake that carried data both ways) is
 * reported as soon as it is known and the TLS state freed: from then on the connection costs
 * only its flow-table entry, which watches for FIN/RST for the post-verdict checks. */
#include "run_conn.h"

#include <stdlib.h>

#include "tlswhy/correlate.h"
#include "tlswhy/dissector.h"
#include "tlswhy/flow.h"
#include "tlswhy/probe.h"

struct conn_app {
    struct tw_ev_tls tls;
    struct tw_tls_conn *framer;
};

/* The app pointer of a connection whose verdict was already reported. */
static char reported_early;
#define REPORTED_EARLY ((void *)&reported_early)

static struct conn_app *app_of(struct tw_run_conns *r, struct tw_conn *c)
{
    struct conn_app *a = tw_conn_app(c);
    if (a)
        return a;
    a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->framer = tw_tls_new(r->lim);
    if (!a->framer) {
        free(a);
        return NULL;
    }
    tw_tls_set_keylog(a->framer, r->keys);
    tw_conn_set_app(c, a);
    return a;
}

static void evidence_of(struct tw_conn *c, struct conn_app *a, struct tw_evidence *ev)
{
    ev->conn_id = tw_conn_id(c);
    ev->client = *tw_conn_client(c);
    ev->server = *tw_conn_server(c);
    ev->tcp = tw_conn_tcp(c);
    ev->tls = a ? &a->tls : NULL;
}

static void decide_early(struct tw_run_conns *r, struct tw_conn *c, struct conn_app *a,
                         struct tw_evidence *ev);

static void on_open(void *ctx, struct tw_conn *c, const struct tw_pkt *p)
{
    (void)ctx, (void)c, (void)p;
}

static int on_data(void *ctx, struct tw_conn *c, enum tw_dir d, const uint8_t *data, size_t len,
                   uint64_t frame, int64_t ts_us)
{
    if (tw_conn_app(c) == REPORTED_EARLY)
        return TW_STREAM_DONE;
    struct conn_app *a = app_of(ctx, c);
    if (!a)
        return TW_STREAM_DONE; /* out of memory: stop spending on this connection */
    struct tw_evidence ev;
    evidence_of(c, a, &ev);
    int rc = tw_tls_data(a->framer, &ev, d, data, len, frame, ts_us);
    if (rc == TW_STREAM_DONE && tw_tls_settled(a->framer, &ev)) {
        tw_tls_end(a->framer, &ev); /* settled: changes nothing but the summaries (key log) */
        decide_early(ctx, c, a, &ev);
    }
    return rc;
}

static void on_gap(void *ctx, struct tw_conn *c, enum tw_dir d, uint64_t off, uint64_t len,
                   uint64_t frame, int64_t ts_us)
{
    (void)off;
    if (tw_conn_app(c) == REPORTED_EARLY)
        return;
    struct conn_app *a = app_of(ctx, c);
    if (!a)
        return;
    struct tw_evidence ev;
    evidence_of(c, a, &ev);
    tw_tls_gap(a->framer, &ev, d, len, frame, ts_us);
}

static void on_event(void *ctx, struct tw_conn *c, const struct tw_tcp_event *e)
{
    (void)ctx, (void)c, (void)e; /* the same facts are in the connection's tw_ev_tcp */
}

/* The chain as the server sent it, judged for the name the client wanted at capture time. */
static struct tw_chain_report *judge_chain(struct tw_run_conns *r, const struct tw_ev_tls *t)
{
    const struct tw_cert_msg *m = &t->cert;
    if (!m->present || m->kept == 0)
        return NULL;
    const uint8_t *der[TW_MAX_CERTS];
    uint32_t len[TW_MAX_CERTS];
    for (size_t i = 0; i < m->kept; i++) {
        der[i] = m->der[i].der;
        len[i] = m->der[i].len;
    }
    const char *name = r->corr.host;
    if (!name && t->ch.present && t->ch.has_sni)
        name = t->ch.sni;
    return tw_cert_analyse(r->certs, der, len, m->kept, name, m->ts_us / 1000000);
}

/* Every verdict goes to the reporters: they skip those not relevant (reporters.h), and -w
 * frees the frames it held for them. */
static void report(struct tw_run_conns *r, const struct tw_verdict *v)
{
    r->reported += v->relevant;
    if (v->relevant && v->outcome == TW_OUTCOME_FAILED)
        r->failed++;
    for (size_t i = 0; i < r->rep_count; i++) {
        int rc = r->reps[i]->emit(r->reps[i]->self, v);
        if (rc != TW_OK && r->error == TW_OK)
            r->error = rc;
    }
}

static void free_app(struct tw_conn *c, struct conn_app *a, void *next)
{
    tw_tls_free(a->framer);
    tw_ev_tls_clear(&a->tls);
    free(a);
    tw_conn_set_app(c, next);
}

/* Called once the TLS facts are settled on an open connection: if the verdict is already
 * final, report it now and keep nothing but the flow entry. */
static void decide_early(struct tw_run_conns *r, struct tw_conn *c, struct conn_app *a,
                         struct tw_evidence *ev)
{
    struct tw_chain_report *chain = judge_chain(r, &a->tls);
    struct tw_verdict v;
    bool final = tw_corr_decide(ev, chain, &r->corr, &v) == TW_OK && tw_corr_final(&v);
    v.early = true;
    if (final)
        report(r, &v);
    tw_chain_report_free(chain);
    if (final) {
        free_app(c, a, REPORTED_EARLY);
        tw_conn_settle(c); /* the close only adds the keep-alive race check */
    }
}

static void on_close(void *ctx, struct tw_conn *c)
{
    struct tw_run_conns *r = ctx;
    struct conn_app *a = tw_conn_app(c);
    struct tw_evidence ev;
    struct tw_verdict v;
    if (a == REPORTED_EARLY) {
        evidence_of(c, NULL, &ev);
        if (!tw_corr_after_verdict(&ev, TW_OUTCOME_OK, &r->corr, &v)) {
            /* Nothing to add: reporters skip it, and -w lets go of what it still held. */
            v.ev = &ev;
            v.relevant = false;
        }
        report(r, &v);
        tw_conn_set_app(c, NULL);
        return;
    }
    evidence_of(c, a, &ev);
    if (a)
        tw_tls_end(a->framer, &ev);
    struct tw_chain_report *chain = a ? judge_chain(r, &a->tls) : NULL;
    if (tw_corr_decide(&ev, chain, &r->corr, &v) == TW_OK) {
        /* --probe: only the server this connection went to, and only when the capture cannot
         * say why the client gave up */
        if (r->probes && v.relevant && v.outcome == TW_OUTCOME_FAILED &&
            v.cause == TW_CAUSE_CLIENT_REJECTED && a)
            v.probe = tw_probe_once(r->probes, &ev.server, &a->tls.ch, r->corr.host);
        report(r, &v);
    }
    tw_chain_report_free(chain);
    if (a)
        free_app(c, a, NULL);
}

const struct tw_stream_ops tw_run_conn_ops = {
    .on_open = on_open,
    .on_data = on_data,
    .on_gap = on_gap,
    .on_event = on_event,
    .on_close = on_close,
};
