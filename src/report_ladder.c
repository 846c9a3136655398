/* report_ladder.c: one connection as the rungs of a ladder diagram (TCP events and TLS steps
 * by frame), shared by the HTML and Markdown reports. Labels are made terminal-safe here
 * (tw_rep_escape); each format escapes them again for itself. */
#include "report_doc.h"

#include "tlswhy/dissector.h"
#include "tlswhy/reporters.h"

struct build {
    struct doc_ladder *l;
    int64_t t0;
};

static void add(struct build *b, uint64_t frame, int64_t ts, int dir, int mark, const char *what)
{
    struct doc_ladder *l = b->l;
    if (l->n >= DOC_RUNGS)
        return;
    struct doc_rung *r = &l->r[l->n];
    *r = (struct doc_rung){.frame = frame, .dir = (uint8_t)dir, .mark = (uint8_t)mark};
    r->ms = b->t0 && ts ? (double)(ts - b->t0) / 1000.0 : 0.0;
    snprintf(r->what, sizeof r->what, "%s", what); /* ASCII: step_label escaped wire bytes */
    l->n++;
}

static void alert_label(const struct tw_ev_tls *t, const struct tw_step *s, char *buf, size_t n)
{
    for (uint16_t i = 0; i < t->alert_count && i < TW_MAX_ALERTS; i++) {
        const struct tw_alert *a = &t->alerts[i];
        if (a->frame != s->frame || a->dir != s->dir)
            continue;
        if (!a->visible)
            break;
        const char *name = tw_tls_alert_name(a->desc);
        snprintf(buf, n, "Alert %s %u %s", a->level == 1 ? "warning" : "fatal", (unsigned)a->desc,
                 name ? name : "?");
        return;
    }
    snprintf(buf, n, "Alert (encrypted)");
}

static int step_label(const struct tw_ev_tls *t, const struct tw_step *s, char *buf, size_t n)
{
    const char *name;
    switch (s->kind) {
    case TW_STEP_HANDSHAKE:
        name = tw_tls_hs_name(s->type);
        if (name)
            snprintf(buf, n, "%s", name);
        else
            snprintf(buf, n, "handshake type %u", (unsigned)s->type);
        return s->type == TW_HS_CERTIFICATE && s->dir == TW_DIR_S2C ? DOC_MARK_CERT : DOC_MARK_NONE;
    case TW_STEP_CCS:
        snprintf(buf, n, "ChangeCipherSpec");
        return DOC_MARK_NONE;
    case TW_STEP_ALERT:
        alert_label(t, s, buf, n);
        return DOC_MARK_ALERT;
    case TW_STEP_ENC_HANDSHAKE:
        snprintf(buf, n, "encrypted handshake (%u bytes)", (unsigned)s->len);
        return DOC_MARK_NONE;
    case TW_STEP_APP_DATA:
        snprintf(buf, n, "application data (%u bytes)", (unsigned)s->len);
        return DOC_MARK_NONE;
    case TW_STEP_PLAINTEXT: {
        const struct tw_probe *p = &t->d[s->dir & 1].probe;
        char first[4 * 20 + 1];
        tw_rep_escape(p->first, p->len < 20 ? p->len : 20, first, sizeof first);
        snprintf(buf, n, "non-TLS bytes \"%s\"", first);
        return DOC_MARK_ALERT;
    }
    default:
        snprintf(buf, n, "malformed (%u bytes)", (unsigned)s->len);
        return DOC_MARK_ALERT;
    }
}

static void tcp_rungs(struct build *b, const struct tw_ev_tcp *c)
{
    char syn[40];
    snprintf(syn, sizeof syn, c->syn_count > 1 ? "SYN (sent %u times)" : "SYN",
             (unsigned)c->syn_count);
    if (c->syn_frame)
        add(b, c->syn_frame, c->syn_ts, TW_DIR_C2S, DOC_MARK_NONE, syn);
    if (c->synack_frame)
        add(b, c->synack_frame, c->synack_ts, TW_DIR_S2C, DOC_MARK_NONE, "SYN-ACK");
    for (int d = 0; d < 2; d++) {
        if (c->fin_frame[d])
            add(b, c->fin_frame[d], c->fin_ts[d], d, DOC_MARK_NONE, "FIN");
        if (c->rst_frame[d])
            add(b, c->rst_frame[d], c->rst_ts[d], d, DOC_MARK_RESET, "RST");
    }
}

/* Stable insertion sort by frame: at most DOC_RUNGS entries, already nearly ordered. */
static void sort(struct doc_ladder *l)
{
    for (uint16_t i = 1; i < l->n; i++) {
        struct doc_rung x = l->r[i];
        uint16_t j = i;
        for (; j > 0 && l->r[j - 1].frame > x.frame; j--)
            l->r[j] = l->r[j - 1];
        l->r[j] = x;
    }
}

void doc_ladder_build(const struct tw_verdict *v, struct doc_ladder *l)
{
    const struct tw_evidence *ev = v->ev;
    const struct tw_ev_tls *tls = ev->tls;
    struct build b = {.l = l};
    l->n = 0;
    l->dropped = tls ? tls->steps_dropped : 0;
    if (ev->tcp && ev->tcp->first_frame)
        b.t0 = ev->tcp->first_ts;
    else if (tls && tls->ch.present)
        b.t0 = tls->ch.ts_us;
    for (uint16_t i = 0; tls && i < tls->step_count && i < TW_MAX_STEPS; i++) {
        char what[sizeof l->r[0].what];
        int mark = step_label(tls, &tls->steps[i], what, sizeof what);
        add(&b, tls->steps[i].frame, tls->steps[i].ts_us, tls->steps[i].dir, mark, what);
    }
    if (ev->tcp)
        tcp_rungs(&b, ev->tcp);
    sort(l);
}
