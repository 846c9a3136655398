/* corr_fixture.h: synthetic connections for the diagnosis and reporter tests. Each helper
 * records one fact the way the flow layer and the dissectors do (frame number, capture time,
 * direction), so a test reads as the ladder of the connection it describes. Frame N is
 * captured at T0 + N ms. Also a small JSON syntax checker for the reporter output. */
#ifndef TLSWHY_CORR_FIXTURE_H
#define TLSWHY_CORR_FIXTURE_H

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "tlswhy/correlate.h"

#define FX_T0 (1795222800LL * 1000000) /* 2026-11-21T01:00:00Z */

struct fx {
    struct tw_evidence ev;
    struct tw_ev_tcp tcp;
    struct tw_ev_tls tls;
    struct tw_chain_report chain;
    struct tw_cert_summary certs[3];
    bool has_chain;
    struct tw_corr_opts o;
    struct tw_verdict v;
};

static inline int64_t fx_ts(uint64_t frame)
{
    return FX_T0 + (int64_t)frame * 1000;
}

/* 203.0.113.7:51234 -> 10.0.1.5:443, connection 1, nothing seen yet. */
static inline void fx_init(struct fx *f)
{
    memset(f, 0, sizeof *f);
    f->ev.conn_id = 1;
    f->ev.client = (struct tw_endpoint){{4, {203, 0, 113, 7}}, 51234};
    f->ev.server = (struct tw_endpoint){{4, {10, 0, 1, 5}}, 443};
    f->ev.tcp = &f->tcp;
    f->ev.tls = &f->tls;
    f->tcp.close_reason = TW_CLOSE_FIN;
}

static inline void fx_seen(struct fx *f, uint64_t frame)
{
    if (!f->tcp.first_frame) {
        f->tcp.first_frame = frame;
        f->tcp.first_ts = fx_ts(frame);
    }
    if (frame > f->tcp.last_frame) {
        f->tcp.last_frame = frame;
        f->tcp.last_ts = fx_ts(frame);
        f->tcp.close_ts = fx_ts(frame);
    }
}

static inline void fx_step(struct fx *f, int dir, int kind, int type, uint64_t frame, uint32_t len)
{
    if (f->tls.step_count < TW_MAX_STEPS)
        f->tls.steps[f->tls.step_count++] =
            (struct tw_step){frame, fx_ts(frame), (uint8_t)dir, (uint8_t)kind, (uint8_t)type, len};
    fx_seen(f, frame);
}

static inline void fx_syn(struct fx *f, uint64_t frame, uint16_t count)
{
    f->tcp.syn_frame = frame;
    f->tcp.syn_ts = fx_ts(frame);
    f->tcp.syn_count = count;
    fx_seen(f, frame + count - 1);
}

static inline void fx_synack(struct fx *f, uint64_t frame)
{
    f->tcp.synack_frame = frame;
    f->tcp.synack_ts = fx_ts(frame);
    f->tcp.synack_count = 1;
    fx_seen(f, frame);
}

static inline void fx_connect(struct fx *f)
{
    fx_syn(f, 1, 1);
    fx_synack(f, 2);
}

static inline void fx_fin(struct fx *f, int dir, uint64_t frame)
{
    f->tcp.fin_frame[dir] = frame;
    f->tcp.fin_ts[dir] = fx_ts(frame);
    f->tcp.close_frame = frame;
    fx_seen(f, frame);
}

static inline void fx_rst(struct fx *f, int dir, uint64_t frame)
{
    f->tcp.rst_frame[dir] = frame;
    f->tcp.rst_ts[dir] = fx_ts(frame);
    f->tcp.rst_after[dir] = f->tcp.bytes[dir];
    f->tcp.close_frame = frame;
    f->tcp.close_reason = TW_CLOSE_RST;
    fx_seen(f, frame);
}

static inline void fx_bytes(struct fx *f, int dir, uint64_t n, uint64_t frame)
{
    if (!f->tcp.first_data_frame[dir]) {
        f->tcp.first_data_frame[dir] = frame;
        f->tcp.first_data_ts[dir] = fx_ts(frame);
    }
    f->tcp.bytes[dir] += n;
    fx_seen(f, frame);
}

static inline void fx_probe(struct fx *f, int dir, enum tw_probe_kind k, const char *first,
                            uint64_t frame)
{
    struct tw_probe *p = &f->tls.d[dir].probe;
    p->kind = k;
    p->frame = frame;
    p->len = (uint16_t)(strlen(first) < TW_FIRST_BYTES ? strlen(first) : TW_FIRST_BYTES);
    memcpy(p->first, first, p->len);
    fx_bytes(f, dir, strlen(first), frame);
    if (k != TW_PROBE_TLS)
        fx_step(f, dir, TW_STEP_PLAINTEXT, 0, frame, (uint32_t)strlen(first));
}

/* A ClientHello offering TLS 1.3 and 1.2 (a GREASE value first in each list), four cipher
 * suites, ALPN h2 and http/1.1, and sni (NULL: no server_name extension). */
static inline void fx_client_hello(struct fx *f, uint64_t frame, const char *sni)
{
    static const uint8_t alpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    struct tw_client_hello *ch = &f->tls.ch;
    ch->present = true;
    ch->frame = frame;
    ch->ts_us = fx_ts(frame);
    ch->record_version = 0x0301;
    ch->legacy_version = 0x0303;
    TW_LIST_PUSH(ch->cipher_suites, 0x0a0a);
    TW_LIST_PUSH(ch->cipher_suites, 0x1301);
    TW_LIST_PUSH(ch->cipher_suites, 0x1302);
    TW_LIST_PUSH(ch->cipher_suites, 0xc02f);
    TW_LIST_PUSH(ch->versions, 0x3a3a);
    TW_LIST_PUSH(ch->versions, 0x0304);
    TW_LIST_PUSH(ch->versions, 0x0303);
    memcpy(ch->alpn, alpn, sizeof alpn);
    ch->alpn_len = sizeof alpn;
    ch->alpn_count = 2;
    if (sni) {
        ch->has_sni = true;
        ch->sni_len = (uint16_t)strlen(sni);
        snprintf(ch->sni, sizeof ch->sni, "%s", sni);
    }
    if (f->tls.d[0].probe.kind == TW_PROBE_NONE)
        fx_probe(f, 0, TW_PROBE_TLS, "\x16\x03\x01", frame);
    fx_bytes(f, 0, 250, frame);
    fx_step(f, 0, TW_STEP_HANDSHAKE, TW_HS_CLIENT_HELLO, frame, 250);
}

static inline void fx_server_hello(struct fx *f, uint64_t frame, uint16_t version, uint16_t suite)
{
    struct tw_server_hello *sh = &f->tls.sh;
    sh->present = true;
    sh->frame = frame;
    sh->ts_us = fx_ts(frame);
    sh->legacy_version = version == 0x0304 ? 0x0303 : version;
    sh->version = version;
    sh->cipher_suite = suite;
    snprintf(sh->alpn, sizeof sh->alpn, "h2");
    if (f->tls.d[1].probe.kind == TW_PROBE_NONE)
        fx_probe(f, 1, TW_PROBE_TLS, "\x16\x03\x03", frame);
    fx_bytes(f, 1, 90, frame);
    fx_step(f, 1, TW_STEP_HANDSHAKE, TW_HS_SERVER_HELLO, frame, 90);
}

/* TLS <= 1.2 server flight in one frame: ServerHello, Certificate, ServerHelloDone. */
static inline void fx_server_flight12(struct fx *f, uint64_t frame, uint16_t version)
{
    fx_server_hello(f, frame, version, 0xc02f);
    f->tls.cert.present = true;
    f->tls.cert.first_frame = f->tls.cert.frame = frame;
    f->tls.cert.ts_us = fx_ts(frame);
    f->tls.cert.count = 1;
    fx_step(f, 1, TW_STEP_HANDSHAKE, TW_HS_CERTIFICATE, frame, 1200);
    f->tls.server_hello_done_frame = frame;
    fx_step(f, 1, TW_STEP_HANDSHAKE, TW_HS_SERVER_HELLO_DONE, frame, 4);
    fx_bytes(f, 1, 1200, frame);
}

/* ChangeCipherSpec + Finished (the first encrypted handshake record) from dir. */
static inline void fx_finished(struct fx *f, int dir, uint64_t frame)
{
    struct tw_dir_tls *d = &f->tls.d[dir];
    d->ccs_frame = frame;
    d->encrypted_from = frame;
    d->finished_frame = frame;
    d->enc_hs_records++;
    fx_step(f, dir, TW_STEP_CCS, 0, frame, 1);
    fx_step(f, dir, TW_STEP_ENC_HANDSHAKE, 0, frame, 40);
    fx_bytes(f, dir, 51, frame);
}

static inline void fx_client_kx(struct fx *f, uint64_t frame)
{
    f->tls.client_kx_frame = frame;
    fx_step(f, 0, TW_STEP_HANDSHAKE, TW_HS_CLIENT_KEY_EXCHANGE, frame, 37);
    fx_bytes(f, 0, 37, frame);
}

static inline void fx_app(struct fx *f, int dir, uint64_t frame, uint32_t len)
{
    struct tw_dir_tls *d = &f->tls.d[dir];
    if (!d->first_app_frame) {
        d->first_app_frame = frame;
        d->first_app_ts = fx_ts(frame);
    }
    d->app_records++;
    d->app_bytes += len;
    fx_step(f, dir, TW_STEP_APP_DATA, 0, frame, len);
    fx_bytes(f, dir, len + 5, frame);
}

/* level 0 with visible false: an encrypted alert. */
static inline void fx_alert(struct fx *f, int dir, uint64_t frame, int level, int desc,
                            bool visible)
{
    struct tw_alert *a = &f->tls.alerts[f->tls.alert_count++];
    *a = (struct tw_alert){.frame = frame,
                           .ts_us = fx_ts(frame),
                           .dir = (uint8_t)dir,
                           .level = (uint8_t)(visible ? level : 0),
                           .desc = (uint8_t)(visible ? desc : 0),
                           .encrypted = !visible || f->tls.d[dir].encrypted_from,
                           .visible = visible,
                           .record_len = visible ? 2 : 26};
    fx_step(f, dir, TW_STEP_ALERT, visible ? desc : 0, frame, a->record_len);
    fx_bytes(f, dir, 5u + a->record_len, frame);
}

/* A one-certificate chain for *.example.com issued by "Example CA", valid 2026-01-01 ..
 * 2027-01-01, with no finding until fx_finding adds one. */
static inline void fx_chain(struct fx *f)
{
    struct tw_cert_summary *c = &f->certs[0];
    f->has_chain = true;
    f->chain.n = 1;
    f->chain.certs = f->certs;
    f->chain.name_checked = true;
    f->chain.name_ok = true;
    f->chain.trusted = true;
    c->parsed = true;
    snprintf(c->subject_cn, sizeof c->subject_cn, "*.example.com");
    snprintf(c->subject_dn, sizeof c->subject_dn, "CN=*.example.com");
    snprintf(c->issuer_cn, sizeof c->issuer_cn, "Example CA");
    snprintf(c->issuer_dn, sizeof c->issuer_dn, "CN=Example CA,O=Example");
    c->san_count = 2;
    snprintf(c->sans[0], sizeof c->sans[0], "*.example.com");
    snprintf(c->sans[1], sizeof c->sans[1], "www.example.com");
    snprintf(c->serial, sizeof c->serial, "01ab");
    c->not_before = 1767225600; /* 2026-01-01T00:00:00Z */
    c->not_after = 1798761600;  /* 2027-01-01T00:00:00Z */
    snprintf(c->key_type, sizeof c->key_type, "RSA");
    c->key_bits = 2048;
    snprintf(c->sig_alg, sizeof c->sig_alg, "sha256WithRSAEncryption");
    snprintf(c->sha256, sizeof c->sha256, "%064d", 7);
}

static inline void fx_finding(struct fx *f, int code, int cert, const char *text)
{
    struct tw_cert_finding *x = &f->chain.findings[f->chain.finding_count++];
    x->code = code;
    x->cert_index = cert;
    snprintf(x->text, sizeof x->text, "%s", text);
}

static inline void fx_decide(struct fx *f)
{
    ck_assert_int_eq(tw_corr_decide(&f->ev, f->has_chain ? &f->chain : NULL, &f->o, &f->v), TW_OK);
}

/* TLS 1.2 up to the server's flight: SYN 1, SYN-ACK 2, ClientHello 4 (sni), server flight 6. */
static inline void fx_to_server_flight12(struct fx *f, const char *sni)
{
    fx_init(f);
    fx_connect(f);
    fx_client_hello(f, 4, sni);
    fx_server_flight12(f, 6, 0x0303);
    fx_chain(f);
}

/* A whole TLS 1.2 handshake: ... client kx + Finished 8, server Finished 9. */
static inline void fx_handshake12(struct fx *f, const char *sni)
{
    fx_to_server_flight12(f, sni);
    fx_client_kx(f, 8);
    fx_finished(f, 0, 8);
    fx_finished(f, 1, 9);
}

/* ---- assertions on a decided fixture ---------------------------------------------------- */

#define HAS(f, s)                                                                                  \
    ck_assert_msg(strstr((f)->v.explanation, (s)) != NULL, "explanation lacks \"%s\": %s", (s),    \
                  (f)->v.explanation)

static inline void fx_frames_are(const struct tw_verdict *v, const uint64_t *want, size_t n)
{
    char got[256] = "";
    for (uint16_t i = 0; i < v->frame_count; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), " %llu",
                 (unsigned long long)v->frames[i]);
    ck_assert_msg(v->frame_count == n, "frames:%s", got);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(v->frames[i] == want[i], "frames:%s", got);
}
#define FRAMES(v, ...)                                                                             \
    fx_frames_are((v), (const uint64_t[]){__VA_ARGS__},                                            \
                  sizeof((const uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t))

static inline bool warned(const struct tw_verdict *v, int code)
{
    for (uint16_t i = 0; i < v->warning_count; i++)
        if (v->warnings[i] == code)
            return true;
    return false;
}

static inline void failed(const struct fx *f, int cause, enum tw_stage st)
{
    ck_assert_msg(f->v.outcome == TW_OUTCOME_FAILED, "outcome %s: %s",
                  tw_outcome_name(f->v.outcome), f->v.explanation);
    ck_assert_msg((int)f->v.cause == cause, "cause %s, want %s: %s", tw_cause_name(f->v.cause),
                  tw_cause_name(cause), f->v.explanation);
    ck_assert_str_eq(tw_stage_name(f->v.stage), tw_stage_name(st));
    ck_assert(f->v.relevant);
    ck_assert(!warned(&f->v, cause)); /* the cause is not repeated as a warning */
}

static inline void incomplete(const struct fx *f, const char *reason_word)
{
    ck_assert_msg(f->v.outcome == TW_OUTCOME_INCOMPLETE, "outcome %s: %s",
                  tw_outcome_name(f->v.outcome), f->v.explanation);
    ck_assert_int_eq(f->v.cause, TW_CAUSE_NONE);
    ck_assert_msg(strstr(f->v.incomplete_reason, reason_word), "reason: %s",
                  f->v.incomplete_reason);
}

/* ---- a JSON syntax checker (RFC 8259) for the reporter tests ---------------------------- */

struct fx_jp {
    const char *p;
    int depth;
};

static inline void fx_jws(struct fx_jp *j)
{
    while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
        j->p++;
}

static inline bool fx_jvalue(struct fx_jp *j);

static inline bool fx_jstring(struct fx_jp *j)
{
    if (*j->p++ != '"')
        return false;
    for (;;) {
        unsigned char c = (unsigned char)*j->p++;
        if (c == '"')
            return true;
        if (c < 0x20)
            return false; /* raw control character (or the end of the text) */
        if (c == '\\') {
            c = (unsigned char)*j->p++;
            if (c == 'u') {
                for (int i = 0; i < 4; i++, j->p++)
                    if (!strchr("0123456789abcdefABCDEF", *j->p) || !*j->p)
                        return false;
            } else if (!strchr("\"\\/bfnrt", c) || !c) {
                return false;
            }
        }
    }
}

static inline bool fx_jnumber(struct fx_jp *j)
{
    const char *s = j->p;
    if (*j->p == '-')
        j->p++;
    while ((*j->p >= '0' && *j->p <= '9') || *j->p == '.' || *j->p == 'e' || *j->p == 'E' ||
           *j->p == '+' || *j->p == '-')
        j->p++;
    return j->p > s;
}

static inline bool fx_jlist(struct fx_jp *j, char close, bool keys)
{
    j->p++;
    fx_jws(j);
    if (*j->p == close) {
        j->p++;
        return true;
    }
    for (;;) {
        fx_jws(j);
        if (keys) {
            if (!fx_jstring(j))
                return false;
            fx_jws(j);
            if (*j->p++ != ':')
                return false;
        }
        if (!fx_jvalue(j))
            return false;
        fx_jws(j);
        if (*j->p == close) {
            j->p++;
            return true;
        }
        if (*j->p++ != ',')
            return false;
    }
}

static inline bool fx_jvalue(struct fx_jp *j)
{
    bool ok;
    fx_jws(j);
    if (++j->depth > 64)
        return false;
    if (*j->p == '{')
        ok = fx_jlist(j, '}', true);
    else if (*j->p == '[')
        ok = fx_jlist(j, ']', false);
    else if (*j->p == '"')
        ok = fx_jstring(j);
    else if (strncmp(j->p, "true", 4) == 0 || strncmp(j->p, "null", 4) == 0)
        ok = (j->p += 4, true);
    else if (strncmp(j->p, "false", 5) == 0)
        ok = (j->p += 5, true);
    else
        ok = fx_jnumber(j);
    j->depth--;
    return ok;
}

/* True when text is exactly one JSON value followed by one newline. */
static inline bool fx_json_line_valid(const char *text)
{
    struct fx_jp j = {text, 0};
    if (!fx_jvalue(&j))
        return false;
    return strcmp(j.p, "\n") == 0;
}

#endif
