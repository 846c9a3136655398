/* report_text.c: the default reporter, one line per connection as tcpdump users expect;
 * -v adds the ladder (every handshake message, alert, FIN/RST) and the certificate chain.
 * Every wire string is escaped for the terminal (tw_rep_escape). */
#include "tlswhy/reporters.h"

#include <stdlib.h>
#include <string.h>

#include "report_dec.h"
#include "tlswhy/dissector.h"
#include "tlswhy/keylog.h"
#include "tlswhy/probe.h"
#include "tlswhy/json.h"
#include "tlswhy/rd.h"

struct text {
    FILE *out;
    struct tw_rep_text_opts o;
};

size_t tw_rep_escape(const void *s, size_t n, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(s, n, &e);
    size_t len = 0;
    while (tw_rd_left(&r) > 0) {
        uint8_t c = tw_rd_u8(&r);
        char tmp[4];
        size_t k = 0;
        if (c == '\\') {
            tmp[k++] = '\\';
            tmp[k++] = '\\';
        } else if (c >= 0x20 && c < 0x7f) {
            tmp[k++] = (char)c;
        } else {
            tmp[k++] = '\\';
            tmp[k++] = 'x';
            tmp[k++] = hex[c >> 4];
            tmp[k++] = hex[c & 15];
        }
        for (size_t i = 0; i < k; i++, len++)
            if (len + 1 < cap)
                out[len] = tmp[i];
    }
    if (cap)
        out[len + 1 < cap ? len : cap - 1] = '\0';
    return len;
}

/* Escapes a NUL-terminated string into a buffer the caller sized 4x + 1. */
static const char *esc(const char *s, char *buf, size_t cap)
{
    tw_rep_escape(s, strlen(s), buf, cap);
    return buf;
}

static const char *colour_of(const struct text *t, enum tw_outcome o)
{
    if (!t->o.colour)
        return "";
    return o == TW_OUTCOME_OK ? "\033[32m" : o == TW_OUTCOME_FAILED ? "\033[1;31m" : "\033[33m";
}

static const char *upper_outcome(enum tw_outcome o)
{
    return o == TW_OUTCOME_OK ? "OK" : o == TW_OUTCOME_FAILED ? "FAILED" : "INCOMPLETE";
}

static int64_t start_ts(const struct tw_verdict *v)
{
    const struct tw_evidence *ev = v->ev;
    if (ev->tcp && ev->tcp->first_frame)
        return ev->tcp->first_ts;
    return ev->tls && ev->tls->ch.present ? ev->tls->ch.ts_us : 0;
}

/* --edge: " [edge cloudfront rejects: chain_order=cert_chain_misordered]"; with -v, each rule's
 * text follows on its own line. A rule judged from the origin's choice for this client is
 * marked "?" (another offer might have worked). */
static void print_edge(struct text *t, const struct tw_edge_verdict *e)
{
    char buf[4 * sizeof e->rules[0].text + 1];
    if (!e->profile)
        return;
    fprintf(t->out, " [edge %s %s", e->profile,
            e->accepts == 1   ? "accepts"
            : e->accepts == 0 ? "rejects"
            : e->rule_count   ? "may reject"
                              : "cannot tell");
    for (uint16_t i = 0; i < e->rule_count; i++)
        fprintf(t->out, "%s%s=%s%s", i ? ", " : ": ", e->rules[i].rule,
                tw_cause_name(e->rules[i].code), e->rules[i].certain ? "" : "?");
    fputs("]", t->out);
    for (uint16_t i = 0; t->o.verbosity > 0 && i < e->rule_count; i++) {
        const char *src = e->rules[i].source;
        fprintf(t->out, "\n    edge %s %s: %s", e->profile, e->rules[i].rule,
                esc(e->rules[i].text, buf, sizeof buf));
        if (*src)
            fprintf(t->out, " (source: %s)", src);
    }
}

static void print_line(struct text *t, const struct tw_verdict *v)
{
    const struct tw_evidence *ev = v->ev;
    const struct tw_ev_tls *tls = ev->tls;
    char ts[TW_JSON_TIME_LEN], cli[TW_ENDPOINT_STRLEN], srv[TW_ENDPOINT_STRLEN];
    char sni[4 * TW_SNI_MAX + 1], ver[16], why[4 * sizeof v->explanation + 1];
    const char *vname = NULL;
    if (tls && tls->sh.present && !tls->sh.is_hrr) {
        vname = tw_tls_version_name(tls->sh.version);
        if (!vname)
            vname = (snprintf(ver, sizeof ver, "0x%04x", (unsigned)tls->sh.version), ver);
    }
    if (tls && tls->ch.present && tls->ch.has_sni) /* by its length: a NUL hides nothing */
        tw_rep_escape(tls->ch.sni, tls->ch.sni_len, sni, sizeof sni);
    fprintf(t->out, "%s %s > %s sni=%s %s %s%s%s", tw_json_time(start_ts(v), ts, sizeof ts),
            tw_endpoint_format(&ev->client, cli, sizeof cli),
            tw_endpoint_format(&ev->server, srv, sizeof srv),
            tls && tls->ch.present && tls->ch.has_sni ? sni : "-",
            vname ? vname : "-", colour_of(t, v->outcome), upper_outcome(v->outcome),
            t->o.colour ? "\033[0m" : "");
    if (v->outcome == TW_OUTCOME_FAILED)
        fprintf(t->out, " %s", tw_cause_name(v->cause));
    fprintf(t->out, ": %s", esc(v->explanation, why, sizeof why));
    for (uint16_t i = 0; i < v->warning_count; i++)
        fprintf(t->out, "%s%s", i ? "," : " [warnings: ", tw_cause_name(v->warnings[i]));
    if (v->warning_count)
        fputs("]", t->out);
    print_edge(t, &v->edge);
    const char *dec = tw_rep_dec_status(tls);
    if (dec && (strcmp(dec, "failed") == 0 || strcmp(dec, "unsupported") == 0)) {
        char r[256];
        fprintf(t->out, " [decryption %s: %s]", dec, tw_rep_dec_reason(tls, r, sizeof r));
    }
    fputs("\n", t->out);
}

/* -v: what the key log did, with the secrets it held for this connection. */
static void print_decryption(struct text *t, const struct tw_ev_tls *tls)
{
    const char *dec = tw_rep_dec_status(tls);
    char r[256];
    if (!dec)
        return;
    fprintf(t->out, "    decryption %s: %s; secrets:", dec, tw_rep_dec_reason(tls, r, sizeof r));
    for (int i = 0; i < TW_SEC_COUNT; i++)
        if (tls->dec.secrets & (1u << i))
            fprintf(t->out, " %s", tw_secret_label((enum tw_secret)i));
    fputs(tls->dec.secrets ? "\n" : " none\n", t->out);
}

/* One ladder entry: a TCP event or a TLS step. */
struct rung {
    uint64_t frame;
    int64_t ts;
    int dir;
    char what[200];
    size_t order; /* ties within a frame: TLS records in wire order, then FIN/RST */
};

static void add_rung(struct rung *r, size_t *n, uint64_t frame, int64_t ts, int dir,
                     const char *what)
{
    r[*n] = (struct rung){.frame = frame, .ts = ts, .dir = dir, .order = *n};
    snprintf(r[*n].what, sizeof r[*n].what, "%s", what);
    (*n)++;
}

static void tcp_rungs(const struct tw_ev_tcp *c, struct rung *r, size_t *n)
{
    char syn[32];
    snprintf(syn, sizeof syn, c->syn_count > 1 ? "SYN (sent %u times)" : "SYN",
             (unsigned)c->syn_count);
    if (c->syn_frame)
        add_rung(r, n, c->syn_frame, c->syn_ts, TW_DIR_C2S, syn);
    if (c->synack_frame)
        add_rung(r, n, c->synack_frame, c->synack_ts, TW_DIR_S2C, "SYN-ACK");
    for (int d = 0; d < 2; d++) {
        if (c->fin_frame[d])
            add_rung(r, n, c->fin_frame[d], c->fin_ts[d], d, "FIN");
        if (c->rst_frame[d])
            add_rung(r, n, c->rst_frame[d], c->rst_ts[d], d, "RST");
    }
}

static void step_label(const struct tw_ev_tls *t, const struct tw_step *s, char *buf, size_t n)
{
    const char *name;
    switch (s->kind) {
    case TW_STEP_HANDSHAKE:
        name = tw_tls_hs_name(s->type);
        if (name)
            snprintf(buf, n, "%s", name);
        else
            snprintf(buf, n, "handshake type %u", (unsigned)s->type);
        return;
    case TW_STEP_CCS:
        snprintf(buf, n, "ChangeCipherSpec");
        return;
    case TW_STEP_ALERT:
        for (uint16_t i = 0; i < t->alert_count && i < TW_MAX_ALERTS; i++) {
            const struct tw_alert *a = &t->alerts[i];
            if (a->frame != s->frame || a->dir != s->dir)
                continue;
            if (!a->visible)
                break;
            name = tw_tls_alert_name(a->desc);
            snprintf(buf, n, "Alert %s %u %s", a->level == 1 ? "warning" : "fatal",
                     (unsigned)a->desc, name ? name : "?");
            return;
        }
        snprintf(buf, n, "Alert (encrypted)");
        return;
    case TW_STEP_ENC_HANDSHAKE:
        snprintf(buf, n, "encrypted handshake record (%u bytes)", (unsigned)s->len);
        return;
    case TW_STEP_APP_DATA:
        snprintf(buf, n, "application data (%u bytes)", (unsigned)s->len);
        return;
    case TW_STEP_PLAINTEXT: {
        const struct tw_probe *p = &t->d[s->dir & 1].probe;
        char first[4 * 32 + 1];
        tw_rep_escape(p->first, p->len < 32 ? p->len : 32, first, sizeof first);
        snprintf(buf, n, "non-TLS bytes \"%s\"", first);
        return;
    }
    default:
        snprintf(buf, n, "malformed (%u bytes)", (unsigned)s->len);
        return;
    }
}

static int by_frame(const void *a, const void *b)
{
    const struct rung *x = a, *y = b;
    if (x->frame != y->frame)
        return x->frame < y->frame ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void print_ladder(struct text *t, const struct tw_verdict *v)
{
    const struct tw_ev_tls *tls = v->ev->tls;
    struct rung r[TW_MAX_STEPS + 8];
    size_t n = 0;
    for (uint16_t i = 0; tls && i < tls->step_count && i < TW_MAX_STEPS; i++) {
        char what[sizeof r[0].what];
        step_label(tls, &tls->steps[i], what, sizeof what);
        if ((tls->steps_decrypted >> i & 1) && strlen(what) + 13 < sizeof what)
            strcat(what, " (decrypted)");
        add_rung(r, &n, tls->steps[i].frame, tls->steps[i].ts_us, tls->steps[i].dir, what);
    }
    if (v->ev->tcp)
        tcp_rungs(v->ev->tcp, r, &n);
    qsort(r, n, sizeof r[0], by_frame);
    int64_t t0 = start_ts(v);
    for (size_t i = 0; i < n; i++)
        fprintf(t->out, "    frame %-7llu %+10.3f ms  %s  %s\n", (unsigned long long)r[i].frame,
                (double)(r[i].ts - t0) / 1000.0, r[i].dir == TW_DIR_C2S ? "C>S" : "S>C", r[i].what);
    if (tls && tls->steps_dropped)
        fprintf(t->out, "    (%u more TLS records not listed)\n", (unsigned)tls->steps_dropped);
}

/* -v: the fingerprints ("-" for one that could not be computed), and with --ja4-raw the raw
 * and original-order JA4 forms. Nothing for a connection without a hello. */
static void print_fingerprints(struct text *t, const struct tw_verdict *v)
{
    const struct tw_fingerprints *fp = &v->fp;
    char buf[TW_JA4_RAW_MAX];
    if (!fp->ja4[0] && !fp->ja3[0] && !fp->ja3s[0])
        return;
    fprintf(t->out, "    ja4 %s  ja3 %s  ja3s %s\n", fp->ja4[0] ? fp->ja4 : "-",
            fp->ja3[0] ? fp->ja3 : "-", fp->ja3s[0] ? fp->ja3s : "-");
    if (!t->o.ja4_raw || !fp->ja4[0] || !v->ev->tls)
        return;
    if (tw_fp_ja4_raw(&v->ev->tls->ch, false, buf, sizeof buf))
        fprintf(t->out, "    ja4_r %s\n", buf);
    fprintf(t->out, "    ja4_o %s\n", fp->ja4_o);
    if (tw_fp_ja4_raw(&v->ev->tls->ch, true, buf, sizeof buf))
        fprintf(t->out, "    ja4_ro %s\n", buf);
}

static void print_chain(struct text *t, const struct tw_chain_report *c, uint64_t cert_frame)
{
    char a[4 * TW_CERT_NAME_MAX + 1], b[4 * TW_CERT_NAME_MAX + 1];
    char nb[TW_JSON_TIME_LEN], na[TW_JSON_TIME_LEN], txt[4 * 400 + 1];
    for (uint16_t i = 0; i < c->n; i++) {
        const struct tw_cert_summary *s = &c->certs[i];
        if (!s->parsed) {
            fprintf(t->out, "    cert[%u] unparseable, sha256 %s\n", (unsigned)i, s->sha256);
            continue;
        }
        fprintf(t->out, "    cert[%u] CN=%s issuer CN=%s valid %s .. %s %s %d%s\n", (unsigned)i,
                esc(s->subject_cn, a, sizeof a), esc(s->issuer_cn, b, sizeof b),
                tw_json_time(s->not_before * 1000000, nb, sizeof nb),
                tw_json_time(s->not_after * 1000000, na, sizeof na),
                esc(s->key_type, txt, sizeof txt), s->key_bits,
                s->self_signed ? " self-signed" : "");
        for (uint16_t k = 0; k < s->san_count && k < TW_CERT_MAX_SANS; k++)
            fprintf(t->out, "%s%s", k ? ", " : "            SAN ", esc(s->sans[k], a, sizeof a));
        if (s->san_count)
            fputc('\n', t->out);
    }
    for (uint16_t i = 0; i < c->finding_count && i < TW_CERT_MAX_FINDINGS; i++) {
        char where[48] = "probe"; /* cert_frame 0: a probe's chain, not from the capture */
        if (cert_frame)
            snprintf(where, sizeof where, "Certificate frame %llu", (unsigned long long)cert_frame);
        fprintf(t->out, "    finding %s (cert %d, %s): %s\n", tw_cause_name(c->findings[i].code),
                c->findings[i].cert_index, where, esc(c->findings[i].text, txt, sizeof txt));
    }
}

/* --probe: what a connection from this machine found, apart from the wire evidence. */
static void print_probe(struct text *t, const struct tw_probe_result *r, bool chain)
{
    char ts[TW_JSON_TIME_LEN], ep[TW_ENDPOINT_STRLEN], why[4 * 400 + 1];
    if (r->status == TW_PROBE_SKIPPED) {
        fprintf(t->out, "    probe: not run (more than %d servers to probe in this run)\n",
                TW_PROBE_MAX);
        return;
    }
    fprintf(t->out, "    probe of %s sni=%s at %s (from this machine, judged at that time; not from "
            "the capture): ",
            tw_endpoint_format(&r->server, ep, sizeof ep), r->sni[0] ? esc(r->sni, why, sizeof why) : "-",
            tw_json_time(r->at_s * 1000000, ts, sizeof ts));
    if (r->status == TW_PROBE_DONE)
        fprintf(t->out, "%s %s, ", r->version, r->cipher);
    else
        fprintf(t->out, "%s (%s), ", tw_probe_status_name(r->status), esc(r->error, why, sizeof why));
    if (r->defect)
        fprintf(t->out, "confirmed %s: %s", tw_cause_name(r->defect->code),
                esc(r->defect->text, why, sizeof why));
    else if (r->chain)
        fputs("the presented chain shows no defect", t->out);
    else
        fputs("no certificate presented", t->out);
    if (r->not_offered[0])
        fprintf(t->out, "; not offered (this OpenSSL lacks them): %s", r->not_offered);
    fputc('\n', t->out);
    if (chain && r->chain)
        print_chain(t, r->chain, 0);
}

int tw_rep_text_probe(FILE *out, const struct tw_probe_result *r, int verbosity)
{
    struct text t = {.out = out, .o = {.verbosity = verbosity}};
    print_probe(&t, r, true);
    return ferror(out) ? TW_E_IO : TW_OK;
}

static int text_begin(void *self, const struct tw_run_info *run)
{
    (void)self;
    (void)run;
    return TW_OK;
}

static int text_emit(void *self, const struct tw_verdict *v)
{
    struct text *t = self;
    if (!v || !v->ev || !v->relevant)
        return TW_OK;
    if (t->o.verbosity < 0 && v->outcome != TW_OUTCOME_FAILED)
        return TW_OK;
    print_line(t, v);
    if (v->probe)
        print_probe(t, v->probe, t->o.verbosity > 0);
    if (t->o.verbosity > 0) {
        print_ladder(t, v);
        print_fingerprints(t, v);
        print_decryption(t, v->ev->tls);
        if (v->chain)
            print_chain(t, v->chain, v->ev->tls ? v->ev->tls->cert.frame : 0);
        const struct tw_ev_tls *tls = v->ev->tls;
        if (tls && tls->malformed_count) /* what was skipped, e.g. a message over a cap */
            fprintf(t->out, "    malformed %s from the %s, frame %llu: %s (%u in all)\n",
                    tls->malformed.what, tls->malformed.dir == TW_DIR_C2S ? "client" : "server",
                    (unsigned long long)tls->malformed.frame, tls->malformed.why,
                    (unsigned)tls->malformed_count);
        const struct tw_cert_msg *cm = tls ? &tls->cert : NULL;
        if (cm && cm->present && cm->count > cm->kept)
            fprintf(t->out, "    (%u certificates sent, the first %u analysed: cap on certificates "
                            "kept)\n",
                    (unsigned)cm->count, (unsigned)cm->kept);
    }
    return ferror(t->out) ? TW_E_IO : TW_OK;
}

static int text_end(void *self, const struct tw_run_info *run)
{
    struct text *t = self;
    (void)run;
    return fflush(t->out) == 0 ? TW_OK : TW_E_IO;
}

static void text_free(void *self)
{
    free(self);
}

struct tw_reporter *tw_rep_text_new(FILE *out, const struct tw_rep_text_opts *o)
{
    struct text *t = calloc(1, sizeof *t);
    if (t) {
        t->out = out;
        if (o)
            t->o = *o;
    }
    return tw_rep_new(t, text_begin, text_emit, text_end, text_free);
}

struct tw_reporter *tw_rep_new(void *self, int (*begin)(void *, const struct tw_run_info *),
                               int (*emit)(void *, const struct tw_verdict *),
                               int (*end)(void *, const struct tw_run_info *),
                               void (*free_self)(void *))
{
    struct tw_reporter *r = self ? calloc(1, sizeof *r) : NULL;
    if (!r) {
        if (self)
            free_self(self);
        return NULL;
    }
    *r = (struct tw_reporter){self, begin, emit, end, free_self};
    return r;
}

void tw_rep_free(struct tw_reporter *r)
{
    if (!r)
        return;
    if (r->free)
        r->free(r->self);
    free(r);
}
