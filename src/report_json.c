/* report_json.c: --json, JSON Lines: one object per connection, flushed per line. The schema
 * is docs/json.md; every wire string goes through the escaping writer (json.c). */
#include "tlswhy/reporters.h"

#include <stdlib.h>
#include <string.h>

#include "report_dec.h"
#include "tlswhy/dissector.h"
#include "tlswhy/json.h"
#include "tlswhy/keylog.h"
#include "tlswhy/probe.h"
#include "tlswhy/rd.h"

/* Keys are literals, quoted by the compiler: K("conn") is the pair ("\"conn\":", 7). */
#define K(lit) TW_JSON_QKEY(lit)

struct jrep {
    FILE *out;
    struct tw_rep_json_opts o;
    struct tw_json j; /* one writer for the run, so its timestamp cache spans connections */
};

static void kstr(struct tw_json *j, const char *k, size_t kn, const char *v)
{
    tw_json_key_quoted(j, k, kn);
    tw_json_str(j, v);
}

static void kframe(struct tw_json *j, const char *k, size_t kn, uint64_t frame)
{
    tw_json_key_quoted(j, k, kn);
    if (frame)
        tw_json_uint(j, frame);
    else
        tw_json_null(j);
}

static void ktime(struct tw_json *j, const char *k, size_t kn, bool known, int64_t us)
{
    tw_json_key_quoted(j, k, kn);
    if (known)
        tw_json_time_value(j, us);
    else
        tw_json_null(j);
}

/* "0x1301"; by hand, as a ClientHello lists dozens of suites and snprintf was a sixth of this
 * reporter's time. */
static void hex16(struct tw_json *j, uint16_t v)
{
    static const char hex[] = "0123456789abcdef";
    char b[7] = {'0', 'x', hex[v >> 12], hex[(v >> 8) & 15], hex[(v >> 4) & 15], hex[v & 15]};
    tw_json_strn_plain(j, b, 6);
}

/* An IANA name, or "0x1234" when the table does not know the value. */
static void named(struct tw_json *j, const char *name, uint16_t v)
{
    if (name)
        tw_json_str(j, name);
    else
        hex16(j, v);
}

static void endpoint(struct tw_json *j, const char *k, size_t kn, const struct tw_endpoint *ep)
{
    char ip[TW_ENDPOINT_STRLEN];
    tw_json_key_quoted(j, k, kn);
    tw_json_obj_begin(j);
    kstr(j, K("ip"), tw_ip_format(&ep->ip, ip, sizeof ip));
    TW_JSON_KEY(j, "port");
    tw_json_uint(j, ep->port);
    tw_json_obj_end(j);
}

static void alert(struct tw_json *j, const struct tw_alert *a)
{
    if (!a) {
        tw_json_null(j);
        return;
    }
    tw_json_obj_begin(j);
    kstr(j, K("from"), a->dir == TW_DIR_C2S ? "client" : "server");
    kstr(j, K("level"),
         !a->visible     ? NULL
         : a->level == 1 ? "warning"
         : a->level == 2 ? "fatal"
                         : NULL);
    TW_JSON_KEY(j, "code");
    if (a->visible)
        tw_json_uint(j, a->desc);
    else
        tw_json_null(j);
    kstr(j, K("name"), a->visible ? tw_tls_alert_name(a->desc) : NULL);
    TW_JSON_KEY(j, "encrypted");
    tw_json_bool(j, a->encrypted);
    kframe(j, K("frame"), a->frame);
    tw_json_obj_end(j);
}

static void cert(struct tw_json *j, const struct tw_cert_summary *s)
{
    tw_json_obj_begin(j);
    TW_JSON_KEY(j, "parsed");
    tw_json_bool(j, s->parsed);
    kstr(j, K("subject_cn"), s->parsed ? s->subject_cn : NULL);
    kstr(j, K("subject_dn"), s->parsed ? s->subject_dn : NULL);
    TW_JSON_KEY(j, "sans");
    tw_json_arr_begin(j);
    for (uint16_t i = 0; s->parsed && i < s->san_count && i < TW_CERT_MAX_SANS; i++)
        tw_json_str(j, s->sans[i]);
    tw_json_arr_end(j);
    kstr(j, K("issuer_cn"), s->parsed ? s->issuer_cn : NULL);
    kstr(j, K("issuer_dn"), s->parsed ? s->issuer_dn : NULL);
    kstr(j, K("serial"), s->parsed ? s->serial : NULL);
    ktime(j, K("not_before"), s->parsed, s->parsed ? s->not_before * 1000000 : 0);
    ktime(j, K("not_after"), s->parsed, s->parsed ? s->not_after * 1000000 : 0);
    kstr(j, K("key_type"), s->parsed ? s->key_type : NULL);
    TW_JSON_KEY(j, "key_bits");
    if (s->parsed)
        tw_json_int(j, s->key_bits);
    else
        tw_json_null(j);
    kstr(j, K("sig_alg"), s->parsed ? s->sig_alg : NULL);
    kstr(j, K("sha256"), s->sha256);
    TW_JSON_KEY(j, "self_signed");
    tw_json_bool(j, s->parsed && s->self_signed);
    TW_JSON_KEY(j, "is_ca");
    tw_json_bool(j, s->parsed && s->is_ca);
    tw_json_obj_end(j);
}

/* cert_frame: the frame that completed the Certificate message, cited by every finding. */
static void certs(struct tw_json *j, const struct tw_chain_report *c, uint64_t cert_frame)
{
    TW_JSON_KEY(j, "cert");
    if (c && c->n > 0 && c->certs)
        cert(j, &c->certs[0]);
    else
        tw_json_null(j);
    TW_JSON_KEY(j, "chain");
    tw_json_arr_begin(j);
    for (uint16_t i = 0; c && c->certs && i < c->n; i++)
        cert(j, &c->certs[i]);
    tw_json_arr_end(j);
    TW_JSON_KEY(j, "findings");
    tw_json_arr_begin(j);
    for (uint16_t i = 0; c && i < c->finding_count && i < TW_CERT_MAX_FINDINGS; i++) {
        tw_json_obj_begin(j);
        kstr(j, K("code"), tw_cause_name(c->findings[i].code));
        TW_JSON_KEY(j, "cert_index");
        tw_json_int(j, c->findings[i].cert_index);
        kstr(j, K("text"), c->findings[i].text);
        kframe(j, K("frame"), cert_frame); /* null for a probe's chain: not from the capture */
        tw_json_obj_end(j);
    }
    tw_json_arr_end(j);
}

/* ALPN protocol_name_list, RFC 7301 §3.1: ProtocolName protocol_name_list<2..2^16-1>, each
 * opaque ProtocolName<1..2^8-1>; the evidence keeps the list body as sent. */
static void alpn_offered(struct tw_json *j, const struct tw_client_hello *ch)
{
    struct tw_rd_err e;
    size_t len = ch->alpn_len < sizeof ch->alpn ? ch->alpn_len : sizeof ch->alpn;
    struct tw_rd r = tw_rd_make(ch->alpn, len, &e);
    tw_json_arr_begin(j);
    while (tw_rd_left(&r) > 0) {
        struct tw_rd name = tw_rd_vec(&r, 1);
        size_t n = tw_rd_left(&name);
        const uint8_t *p = tw_rd_take(&name, n);
        if (e.code != TW_OK)
            break;
        tw_json_strn(j, p, n);
    }
    tw_json_arr_end(j);
}

static void hello(struct tw_json *j, const struct tw_ev_tls *t)
{
    const struct tw_client_hello *ch = t && t->ch.present ? &t->ch : NULL;
    const struct tw_server_hello *sh = t && t->sh.present && !t->sh.is_hrr ? &t->sh : NULL;
    TW_JSON_KEY(j, "sni"); /* by its length: a NUL in the name must not hide the rest */
    if (ch && ch->has_sni)
        tw_json_strn(j, ch->sni, ch->sni_len);
    else
        tw_json_str(j, NULL);
    kstr(j, K("alpn"), sh && sh->alpn[0] ? sh->alpn : NULL);
    TW_JSON_KEY(j, "alpn_offered");
    if (ch)
        alpn_offered(j, ch);
    else
        tw_json_null(j);
    TW_JSON_KEY(j, "versions_offered");
    if (!ch) {
        tw_json_null(j);
    } else {
        tw_json_arr_begin(j);
        for (uint16_t i = 0; i < ch->versions.n && i < TW_LIST_CAP(ch->versions); i++)
            named(j, tw_tls_version_name(ch->versions.v[i]), ch->versions.v[i]);
        if (ch->versions.n == 0)
            named(j, tw_tls_version_name(ch->legacy_version), ch->legacy_version);
        tw_json_arr_end(j);
    }
    TW_JSON_KEY(j, "version");
    if (sh)
        named(j, tw_tls_version_name(sh->version), sh->version);
    else
        tw_json_null(j);
    TW_JSON_KEY(j, "cipher_suites_offered");
    if (!ch) {
        tw_json_null(j);
    } else {
        tw_json_arr_begin(j);
        for (uint16_t i = 0; i < ch->cipher_suites.n && i < TW_LIST_CAP(ch->cipher_suites); i++)
            hex16(j, ch->cipher_suites.v[i]);
        tw_json_arr_end(j);
    }
    TW_JSON_KEY(j, "cipher");
    if (sh)
        named(j, tw_tls_suite_name(sh->cipher_suite), sh->cipher_suite);
    else
        tw_json_null(j);
}

static void timing(struct tw_json *j, const struct tw_verdict *v)
{
    TW_JSON_KEY(j, "timing");
    tw_json_obj_begin(j);
    TW_JSON_KEY(j, "syn_to_synack_ms");
    tw_json_num(j, v->syn_to_synack_ms, 3, true);
    TW_JSON_KEY(j, "hello_to_server_hello_ms");
    tw_json_num(j, v->hello_to_server_hello_ms, 3, true);
    TW_JSON_KEY(j, "handshake_ms");
    tw_json_num(j, v->handshake_ms, 3, true);
    tw_json_obj_end(j);
}

static void timestamps(struct tw_json *j, const struct tw_verdict *v)
{
    const struct tw_ev_tcp *c = v->ev->tcp;
    const struct tw_ev_tls *t = v->ev->tls;
    TW_JSON_KEY(j, "timestamps");
    tw_json_obj_begin(j);
    ktime(j, K("first"), c && c->first_frame, c ? c->first_ts : 0);
    ktime(j, K("last"), c && c->last_frame, c ? c->last_ts : 0);
    ktime(j, K("syn"), c && c->syn_frame, c ? c->syn_ts : 0);
    ktime(j, K("synack"), c && c->synack_frame, c ? c->synack_ts : 0);
    ktime(j, K("client_hello"), t && t->ch.present, t ? t->ch.ts_us : 0);
    ktime(j, K("server_hello"), t && t->sh.present, t ? t->sh.ts_us : 0);
    ktime(j, K("certificate"), t && t->cert.present, t ? t->cert.ts_us : 0);
    ktime(j, K("close"), c && c->close_reason, c ? c->close_ts : 0);
    tw_json_obj_end(j);
}

static void tcp(struct tw_json *j, const struct tw_ev_tcp *c)
{
    static const char *const reasons[] = {NULL,      "fin", "rst",   "timeout",
                                          "evicted", "end", "reused"};
    TW_JSON_KEY(j, "tcp");
    if (!c) {
        tw_json_null(j);
        return;
    }
    tw_json_obj_begin(j);
    TW_JSON_KEY(j, "syn_count");
    tw_json_uint(j, c->syn_count);
    kframe(j, K("syn_frame"), c->syn_frame);
    kframe(j, K("synack_frame"), c->synack_frame);
    kframe(j, K("client_fin_frame"), c->fin_frame[TW_DIR_C2S]);
    kframe(j, K("client_rst_frame"), c->rst_frame[TW_DIR_C2S]);
    kframe(j, K("server_fin_frame"), c->fin_frame[TW_DIR_S2C]);
    kframe(j, K("server_rst_frame"), c->rst_frame[TW_DIR_S2C]);
    TW_JSON_KEY(j, "bytes_c2s");
    tw_json_uint(j, c->bytes[TW_DIR_C2S]);
    TW_JSON_KEY(j, "bytes_s2c");
    tw_json_uint(j, c->bytes[TW_DIR_S2C]);
    TW_JSON_KEY(j, "gap_bytes");
    tw_json_uint(j, c->gap_bytes[0] + c->gap_bytes[1]);
    TW_JSON_KEY(j, "mid_stream");
    tw_json_bool(j, c->mid_stream);
    kstr(j, K("close"),
         (unsigned)c->close_reason < sizeof reasons / sizeof reasons[0] ? reasons[c->close_reason]
                                                                        : NULL);
    tw_json_obj_end(j);
}

/* Fingerprints: null when not computed (fingerprint.h says when); the raw JA4 forms only when
 * asked for (--ja4-raw). */
static void fingerprints(struct tw_json *j, const struct tw_verdict *v, bool raw)
{
    const struct tw_fingerprints *fp = &v->fp;
    const struct tw_client_hello *ch = v->ev->tls ? &v->ev->tls->ch : NULL;
    char buf[TW_JA4_RAW_MAX];
    kstr(j, K("ja4"), fp->ja4[0] ? fp->ja4 : NULL);
    if (raw) {
        kstr(j, K("ja4_r"), tw_fp_ja4_raw(ch, false, buf, sizeof buf) ? buf : NULL);
        kstr(j, K("ja4_o"), fp->ja4_o[0] ? fp->ja4_o : NULL);
        kstr(j, K("ja4_ro"), tw_fp_ja4_raw(ch, true, buf, sizeof buf) ? buf : NULL);
    }
    kstr(j, K("ja3"), fp->ja3[0] ? fp->ja3 : NULL);
    kstr(j, K("ja3s"), fp->ja3s[0] ? fp->ja3s : NULL);
}

/* "decryption": what the key log did for this connection (docs/json.md). */
static void decryption(struct tw_json *j, const struct tw_ev_tls *t)
{
    static const char hex[] = "0123456789abcdef";
    const char *st = tw_rep_dec_status(t);
    char why[256], cr[65];
    if (!t || !t->dec.keylog)
        return; /* no key log given: the field is left out */
    TW_JSON_KEY(j, "decryption");
    if (!st) {
        tw_json_null(j);
        return;
    }
    const struct tw_decryption *d = &t->dec;
    tw_json_obj_begin(j);
    kstr(j, K("status"), st);
    kstr(j, K("reason"), tw_rep_dec_reason(t, why, sizeof why));
    for (int i = 0; i < 32; i++) {
        cr[2 * i] = hex[t->ch.random[i] >> 4];
        cr[2 * i + 1] = hex[t->ch.random[i] & 15];
    }
    cr[64] = '\0';
    kstr(j, K("client_random"), cr);
    TW_JSON_KEY(j, "secrets");
    tw_json_arr_begin(j);
    for (int i = 0; i < TW_SEC_COUNT; i++)
        if (d->secrets & (1u << i))
            tw_json_str(j, tw_secret_label((enum tw_secret)i));
    tw_json_arr_end(j);
    TW_JSON_KEY(j, "records_client");
    tw_json_uint(j, d->records[TW_DIR_C2S]);
    TW_JSON_KEY(j, "records_server");
    tw_json_uint(j, d->records[TW_DIR_S2C]);
    kframe(j, K("failed_frame"), d->failed_frame);
    kstr(j, K("failed_from"),
         !d->failed_frame ? NULL : d->failed_dir == TW_DIR_C2S ? "client" : "server");
    tw_json_obj_end(j);
}

/* "probe": --probe's connection from this machine (docs/json.md); left out when not probed. */
static void probe(struct tw_json *j, const struct tw_probe_result *r)
{
    char ts[TW_JSON_TIME_LEN], ep[TW_ENDPOINT_STRLEN];
    if (!r)
        return;
    TW_JSON_KEY(j, "probe");
    tw_json_obj_begin(j);
    kstr(j, K("status"), tw_probe_status_name(r->status));
    kstr(j, K("server"), tw_endpoint_format(&r->server, ep, sizeof ep));
    kstr(j, K("sni"), r->sni[0] ? r->sni : NULL);
    kstr(j, K("at"), r->status == TW_PROBE_SKIPPED ? NULL : tw_json_time(r->at_s * 1000000, ts, sizeof ts));
    kstr(j, K("version"), r->version[0] ? r->version : NULL);
    kstr(j, K("cipher"), r->cipher[0] ? r->cipher : NULL);
    kstr(j, K("error"), r->error[0] ? r->error : NULL);
    kstr(j, K("not_offered"), r->not_offered[0] ? r->not_offered : NULL);
    kstr(j, K("cause"), r->defect ? tw_cause_name(r->defect->code) : NULL);
    kstr(j, K("explanation"), r->defect ? r->defect->text : NULL);
    certs(j, r->chain, 0);
    tw_json_obj_end(j);
}

static void verdict(struct tw_json *j, const struct tw_verdict *v)
{
    const struct tw_ev_tls *t = v->ev->tls;
    TW_JSON_KEY(j, "outcome");
    tw_json_str(j, tw_outcome_name(v->outcome));
    kstr(j, K("cause"), v->outcome == TW_OUTCOME_FAILED ? tw_cause_name(v->cause) : NULL);
    kstr(j, K("stage"), tw_stage_name(v->stage));
    kstr(j, K("explanation"), v->explanation);
    kstr(j, K("incomplete_reason"), v->outcome == TW_OUTCOME_INCOMPLETE ? v->incomplete_reason : NULL);
    TW_JSON_KEY(j, "alert");
    alert(j, v->alert);
    TW_JSON_KEY(j, "alerts");
    tw_json_arr_begin(j);
    for (uint16_t i = 0; t && i < t->alert_count && i < TW_MAX_ALERTS; i++)
        alert(j, &t->alerts[i]);
    tw_json_arr_end(j);
    TW_JSON_KEY(j, "warnings");
    tw_json_arr_begin(j);
    for (uint16_t i = 0; i < v->warning_count; i++)
        tw_json_str(j, tw_cause_name(v->warnings[i]));
    tw_json_arr_end(j);
    TW_JSON_KEY(j, "frames");
    tw_json_arr_begin(j);
    for (uint16_t i = 0; i < v->frame_count; i++)
        tw_json_uint(j, v->frames[i]);
    tw_json_arr_end(j);
}

/* --edge only: without a profile the object is absent, so the default output is unchanged. */
static void edge(struct tw_json *j, const struct tw_edge_verdict *e)
{
    if (!e->profile)
        return;
    TW_JSON_KEY(j, "edge");
    tw_json_obj_begin(j);
    kstr(j, K("profile"), e->profile);
    TW_JSON_KEY(j, "accepts");
    if (e->accepts < 0)
        tw_json_null(j);
    else
        tw_json_bool(j, e->accepts == 1);
    TW_JSON_KEY(j, "rules");
    tw_json_arr_begin(j);
    for (uint16_t i = 0; i < e->rule_count && i < TW_MAX_EDGE_RULES; i++) {
        const struct tw_edge_rule *r = &e->rules[i];
        tw_json_obj_begin(j);
        kstr(j, K("rule"), r->rule);
        kstr(j, K("code"), tw_cause_name(r->code));
        TW_JSON_KEY(j, "certain");
        tw_json_bool(j, r->certain);
        kstr(j, K("text"), r->text);
        kstr(j, K("source"), r->source && *r->source ? r->source : NULL);
        tw_json_obj_end(j);
    }
    tw_json_arr_end(j);
    tw_json_obj_end(j);
}

static int json_emit(void *self, const struct tw_verdict *v)
{
    struct jrep *r = self;
    struct tw_json *j = &r->j;
    if (!v || !v->ev || !v->relevant)
        return TW_OK;
    const struct tw_evidence *ev = v->ev;
    const struct tw_ev_tcp *c = ev->tcp;
    int64_t first = c && c->first_frame ? c->first_ts : ev->tls ? ev->tls->ch.ts_us : 0;
    tw_json_restart(j);
    tw_json_obj_begin(j);
    TW_JSON_KEY(j, "conn");
    tw_json_uint(j, ev->conn_id);
    ktime(j, K("ts"), true, first);
    kframe(j, K("first_frame"), c ? c->first_frame : 0);
    kframe(j, K("last_frame"), c ? c->last_frame : 0);
    endpoint(j, K("client"), &ev->client);
    endpoint(j, K("server"), &ev->server);
    hello(j, ev->tls);
    kstr(j, K("name"), v->name);
    verdict(j, v);
    edge(j, &v->edge);
    fingerprints(j, v, r->o.ja4_raw);
    certs(j, v->chain, ev->tls ? ev->tls->cert.frame : 0);
    decryption(j, ev->tls);
    probe(j, v->probe);
    timing(j, v);
    timestamps(j, v);
    tcp(j, c);
    tw_json_obj_end(j);
    return tw_json_line_end(j);
}

static int json_begin(void *self, const struct tw_run_info *run)
{
    (void)self;
    (void)run;
    return TW_OK;
}

static int json_end(void *self, const struct tw_run_info *run)
{
    struct jrep *r = self;
    (void)run;
    return fflush(r->out) == 0 ? TW_OK : TW_E_IO;
}

static void json_free(void *self)
{
    free(self);
}

struct tw_reporter *tw_rep_json_new_with(FILE *out, const struct tw_rep_json_opts *o)
{
    struct jrep *s = calloc(1, sizeof *s);
    if (s) {
        s->out = out;
        tw_json_init(&s->j, out);
        if (o)
            s->o = *o;
    }
    return tw_rep_new(s, json_begin, json_emit, json_end, json_free);
}

struct tw_reporter *tw_rep_json_new(FILE *out)
{
    return tw_rep_json_new_with(out, NULL);
}
