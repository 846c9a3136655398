/* correlate_tls.c: the diagnosis rules from the first alert on: alerts, a missing ServerHello,
 * the completed handshake (ok, or nginx's close after it), lost bytes, the client's reaction
 * to the server's flight and the server's reaction to the client's flight. */
#include "correlate_int.h"

#include <stdio.h>

#include "tlswhy/dissector.h"

struct tw_corr_closing tw_corr_close_of(const struct tw_ev_tcp *tcp, enum tw_dir d)
{
    struct tw_corr_closing c = {0, 0, "FIN"};
    if (tcp->fin_frame[d] && (!tcp->rst_frame[d] || tcp->fin_frame[d] < tcp->rst_frame[d])) {
        c.frame = tcp->fin_frame[d];
        c.ts = tcp->fin_ts[d];
    } else if (tcp->rst_frame[d]) {
        c.frame = tcp->rst_frame[d];
        c.ts = tcp->rst_ts[d];
        c.what = "RST";
    }
    return c;
}

static uint64_t min_nz(uint64_t a, uint64_t b)
{
    if (!a || !b)
        return a ? a : b;
    return a < b ? a : b;
}

uint64_t tw_corr_client_flight(const struct tw_ev_tls *t)
{
    if (!t || !t->sh.present || t->sh.is_hrr)
        return 0;
    const struct tw_dir_tls *c = &t->d[TW_DIR_C2S];
    if (!tw_corr_is_tls13(t->sh.version)) {
        uint64_t f = min_nz(t->client_kx_frame, c->ccs_frame);
        f = min_nz(f, c->finished_frame);
        return min_nz(f, t->client_cert.present ? t->client_cert.first_frame : 0);
    }
    /* TLS 1.3: the client's CCS is a compatibility no-op; its flight is its first encrypted
     * record. Records that were all alerts are a rejection, not a flight. */
    if (c->enc_hs_records == 0 && c->app_records == 0 && !c->finished_frame)
        return 0;
    uint64_t f = min_nz(c->finished_frame, c->first_app_frame);
    f = min_nz(f, c->encrypted_from);
    const struct tw_alert *a = tw_corr_first_alert(t, TW_DIR_C2S);
    if (a && f && a->frame < f)
        return 0;
    return f;
}

bool tw_corr_handshake_done(const struct tw_ev_tls *t)
{
    if (!t || !t->ch.present || !t->sh.present || t->sh.is_hrr)
        return false;
    if (tw_corr_is_tls13(t->sh.version))
        return tw_corr_client_flight(t) != 0;
    return t->d[TW_DIR_C2S].finished_frame && t->d[TW_DIR_S2C].finished_frame;
}

void tw_corr_handshake_frames(struct tw_verdict *v, const struct tw_ev_tls *t)
{
    tw_corr_frame(v, t->sh.frame);
    tw_corr_frame(v, t->cert.present ? t->cert.frame : 0);
    tw_corr_frame(v, t->d[TW_DIR_S2C].finished_frame);
    tw_corr_frame(v, t->d[TW_DIR_C2S].finished_frame);
}

/* ---- alerts -------------------------------------------------------------------------- */

bool tw_corr_client_cert_missing(const struct tw_ev_tls *t)
{
    return t->cert_request_frame && (!t->client_cert.present || t->client_cert.count == 0);
}

void tw_corr_say_client_cert(const struct tw_corr_ctx *x, const char *how, uint64_t frame)
{
    const struct tw_ev_tls *t = x->tls;
    char sent[64];
    if (t->client_cert.present)
        snprintf(sent, sizeof sent, "an empty Certificate (frame %llu)",
                 (unsigned long long)t->client_cert.frame);
    else
        snprintf(sent, sizeof sent, "none");
    tw_corr_fail(x->v, TW_CAUSE_CLIENT_CERT_REQUIRED, TW_STAGE_CLIENT_FLIGHT);
    if (t->cert_request_frame)
        tw_corr_say(x->v,
                    "the server asked for a client certificate (CertificateRequest, frame "
                    "%llu), the client sent %s, and the server %s (frame %llu)",
                    (unsigned long long)t->cert_request_frame, sent, how,
                    (unsigned long long)frame);
    else
        tw_corr_say(x->v, "the server requires a client certificate: it %s (frame %llu)", how,
                    (unsigned long long)frame);
    tw_corr_frame(x->v, t->cert_request_frame);
    tw_corr_frame(x->v, t->client_cert.present ? t->client_cert.frame : 0);
    tw_corr_frame(x->v, frame);
}

/* No ServerHello yet: the server refuses the ClientHello itself. */
static void refuse_hello(const struct tw_corr_ctx *x, const struct tw_alert *a, const char *lab)
{
    const struct tw_client_hello *ch = &x->tls->ch;
    struct tw_verdict *v = x->v;
    char offered[160];
    tw_corr_versions_offered(ch, offered, sizeof offered);
    uint16_t max = tw_corr_max_offered(ch);
    bool old = !tw_corr_is_tls13(max) && max < 0x0303;
    /* OpenSSL at security level 2 answers a TLS 1.0-only hello with 80 internal_error. */
    if (a->desc == 70 || ((a->desc == 40 || a->desc == 71 || a->desc == 80) && old)) {
        tw_corr_fail(v, TW_CAUSE_PROTOCOL_MISMATCH, TW_STAGE_CLIENT_HELLO);
        tw_corr_say(v,
                    "the client offered %s%s and the server refused with %s (frame %llu): no "
                    "TLS version in common",
                    old ? "only " : "", offered, lab, (unsigned long long)a->frame);
    } else if (a->desc == 40 || a->desc == 71) {
        unsigned n = 0;
        for (uint16_t i = 0; i < ch->cipher_suites.n && i < TW_LIST_CAP(ch->cipher_suites); i++)
            n += !tw_tls_is_grease(ch->cipher_suites.v[i]);
        tw_corr_fail(v, TW_CAUSE_CIPHER_MISMATCH, TW_STAGE_CLIENT_HELLO);
        tw_corr_say(v,
                    "the server refused the ClientHello (frame %llu, %s, %u cipher suites) "
                    "with %s (frame %llu) before any ServerHello: no cipher suite (or "
                    "key-exchange group) in common",
                    (unsigned long long)ch->frame, offered, n, lab, (unsigned long long)a->frame);
    } else {
        tw_corr_fail(v, TW_CAUSE_ALERT_OTHER, TW_STAGE_CLIENT_HELLO);
        tw_corr_say(v, "the server refused the ClientHello (frame %llu) with %s (frame %llu)",
                    (unsigned long long)ch->frame, lab, (unsigned long long)a->frame);
    }
}

static bool server_alert(const struct tw_corr_ctx *x, const struct tw_alert *a, const char *lab)
{
    const struct tw_ev_tls *t = x->tls;
    struct tw_verdict *v = x->v;
    bool cert_alert = a->desc == 40 || a->desc == 42 || a->desc == 46;
    if (a->desc == 116 ||
        (cert_alert && tw_corr_client_cert_missing(t) && a->frame > t->cert_request_frame)) {
        char how[96];
        snprintf(how, sizeof how, "refused with %s", lab);
        tw_corr_say_client_cert(x, how, a->frame);
    } else if (a->desc == 112) {
        tw_corr_fail(v, TW_CAUSE_SNI_UNRECOGNIZED, TW_STAGE_CLIENT_HELLO);
        if (t->ch.has_sni)
            tw_corr_say(v,
                        "the server does not serve \"%s\": it answered the ClientHello (frame "
                        "%llu) with %s (frame %llu)",
                        t->ch.sni, (unsigned long long)t->ch.frame, lab,
                        (unsigned long long)a->frame);
        else
            tw_corr_say(v,
                        "the client sent no SNI and the server requires one: it answered the "
                        "ClientHello (frame %llu) with %s (frame %llu)",
                        (unsigned long long)t->ch.frame, lab, (unsigned long long)a->frame);
    } else if (!t->sh.present) {
        refuse_hello(x, a, lab);
    } else {
        uint64_t cf = tw_corr_client_flight(t);
        bool after = cf && a->frame > cf;
        tw_corr_fail(v, TW_CAUSE_ALERT_OTHER,
                     after ? TW_STAGE_CLIENT_FLIGHT : TW_STAGE_SERVER_FLIGHT);
        tw_corr_say(v,
                    "the server aborted the handshake with %s (frame %llu) after %s (frame "
                    "%llu)",
                    lab, (unsigned long long)a->frame,
                    after ? "the client's flight" : "its ServerHello",
                    (unsigned long long)(after ? cf : t->sh.frame));
        tw_corr_frame(v, after ? cf : t->sh.frame);
    }
    return true;
}

/* TLS 1.3 without keys: the certificate is encrypted, but OpenSSL clients send their alert
 * before switching to handshake keys, so it can be plain. Only expiry has an alert of its own
 * (45); the others (42 name, dates, key; 48 self-signed, untrusted, missing intermediate) need
 * the chain to tell apart. */
static void hidden_chain(const struct tw_corr_ctx *x, const struct tw_alert *a, const char *lab,
                         enum tw_stage st)
{
    if (a->desc == 45) {
        tw_corr_fail(x->v, TW_CAUSE_CERT_EXPIRED, st);
        tw_corr_say(x->v,
                    "the client rejected the server's certificate as expired (or not yet "
                    "valid): client %s (frame %llu); TLS 1.3 encrypts the certificate, so "
                    "its dates are not in the capture: %s would show them",
                    lab, (unsigned long long)a->frame, tw_corr_key_hint(x->tls));
        return;
    }
    tw_corr_fail(x->v, TW_CAUSE_CLIENT_REJECTED, st);
    tw_corr_say(x->v,
                "the client rejected the server's flight with %s (frame %llu)%s; TLS 1.3 "
                "encrypts the certificate, so the defect is not in the capture: %s would "
                "show it",
                lab, (unsigned long long)a->frame,
                a->desc == 42   ? " (OpenSSL: name mismatch, dates or weak key)"
                : a->desc == 48 ? " (OpenSSL: self-signed, untrusted root or missing "
                                  "intermediate)"
                                : "",
                tw_corr_key_hint(x->tls));
}

static bool client_alert(const struct tw_corr_ctx *x, const struct tw_alert *a, const char *lab)
{
    const struct tw_ev_tls *t = x->tls;
    struct tw_verdict *v = x->v;
    char offered[160], ver[32];
    enum tw_stage st = x->v->handshake_done ? TW_STAGE_AFTER_HANDSHAKE : TW_STAGE_SERVER_FLIGHT;
    if (!t->sh.present) {
        tw_corr_fail(v, TW_CAUSE_ALERT_OTHER,
                     x->tcp->bytes[TW_DIR_S2C] ? TW_STAGE_SERVER_FLIGHT : TW_STAGE_CLIENT_HELLO);
        tw_corr_say(v, "the client aborted with %s (frame %llu) before any ServerHello%s", lab,
                    (unsigned long long)a->frame,
                    t->hrr.present ? ", after the server's HelloRetryRequest" : "");
        tw_corr_frame(v, t->hrr.present ? t->hrr.frame : 0);
        return true;
    }
    tw_corr_handshake_frames(v, t);
    if (a->desc == 70) {
        tw_corr_fail(v, TW_CAUSE_PROTOCOL_MISMATCH, TW_STAGE_SERVER_FLIGHT);
        tw_corr_say(v,
                    "the server chose %s (ServerHello, frame %llu), which the client (offering "
                    "%s) refused with %s (frame %llu)",
                    tw_corr_version_label(t->sh.version, ver, sizeof ver),
                    (unsigned long long)t->sh.frame,
                    tw_corr_versions_offered(&t->ch, offered, sizeof offered), lab,
                    (unsigned long long)a->frame);
        return true;
    }
    if (x->v->handshake_done && t->ch2.present && !t->hrr.present && t->ch2.frame < a->frame) {
        /* TLS <= 1.2 renegotiation: its ClientHello and the alerts are encrypted, so this is
         * seen with a key log only. */
        const struct tw_alert *sa = tw_corr_first_alert(t, TW_DIR_S2C);
        char sl[96] = "did not renegotiate";
        if (sa && sa->visible && sa->desc == 100 && sa->frame < a->frame)
            snprintf(sl, sizeof sl, "refused it with alert 100 no_renegotiation (frame %llu)",
                     (unsigned long long)sa->frame);
        tw_corr_fail(v, TW_CAUSE_ALERT_OTHER, TW_STAGE_AFTER_HANDSHAKE);
        tw_corr_say(v,
                    "the client asked to renegotiate after the handshake (ClientHello, frame "
                    "%llu), the server %s, and the client aborted with %s (frame %llu)",
                    (unsigned long long)t->ch2.frame, sl, lab, (unsigned long long)a->frame);
        tw_corr_frame(v, t->ch2.frame);
        tw_corr_frame(v, sa && sa->frame < a->frame ? sa->frame : 0);
        return true;
    }
    const struct tw_cert_finding *f = tw_corr_pick_defect(x->chain, a->desc);
    if (f) {
        tw_corr_fail(v, f->code, st);
        tw_corr_say(v, "%s (client %s, frame %llu)", f->text, lab, (unsigned long long)a->frame);
    } else if (a->desc == 48 && x->chain) {
        tw_corr_fail(v, TW_CAUSE_CERT_UNTRUSTED, st);
        tw_corr_say(v,
                    "the client does not trust the CA that issued the certificate (client %s, "
                    "frame %llu), although the chain verifies against this machine's trust "
                    "store: the client uses another store or pins a CA",
                    lab, (unsigned long long)a->frame);
    } else if (!x->chain && tw_corr_is_tls13(t->sh.version)) {
        hidden_chain(x, a, lab, st);
    } else {
        tw_corr_fail(v, TW_CAUSE_ALERT_OTHER, st);
        tw_corr_say(v,
                    "the client aborted the handshake with %s (frame %llu) after the server's "
                    "flight; the certificate chain %s",
                    lab, (unsigned long long)a->frame,
                    x->chain ? "shows no defect" : "was not visible");
    }
    return true;
}

bool tw_corr_rule_alerts(const struct tw_corr_ctx *x)
{
    const struct tw_alert *a = tw_corr_decisive_alert(x->tls);
    char lab[64];
    if (!a)
        return false;
    /* An alert that answers the other side's close (OpenSSL sends 50 decode_error on an
     * unexpected EOF) is not the story: the close is, and the rules below judge it. */
    struct tw_corr_closing sc = tw_corr_close_of(x->tcp, TW_DIR_S2C);
    struct tw_corr_closing cc = tw_corr_close_of(x->tcp, TW_DIR_C2S);
    if (a->dir == TW_DIR_C2S && !x->tls->sh.present && x->tcp->bytes[TW_DIR_S2C] == 0 && sc.frame &&
        sc.frame < a->frame)
        return false;
    if (a->dir == TW_DIR_S2C && cc.frame && cc.frame < a->frame)
        return false;
    tw_corr_alert_label(a, lab, sizeof lab);
    x->v->alert = a;
    tw_corr_frame(x->v, a->frame);
    if (a->dir == TW_DIR_S2C)
        return server_alert(x, a, lab);
    return client_alert(x, a, lab);
}

/* The server answered in TLS but no ServerHello came: a HelloRetryRequest the client did not
 * follow, lost or malformed bytes, or a server that closed mid-message. */
bool tw_corr_rule_no_server_hello(const struct tw_corr_ctx *x)
{
    const struct tw_ev_tls *t = x->tls;
    const struct tw_ev_tcp *tcp = x->tcp;
    struct tw_verdict *v = x->v;
    if (t->sh.present && !t->sh.is_hrr)
        return false;
    struct tw_corr_closing cc = tw_corr_close_of(tcp, TW_DIR_C2S);
    struct tw_corr_closing sc = tw_corr_close_of(tcp, TW_DIR_S2C);
    uint64_t first = t->d[TW_DIR_S2C].probe.frame;
    if (t->hrr.present && !t->ch2.present && cc.frame) {
        const char *g = tw_tls_group_name(t->hrr.key_share_group);
        char gb[16];
        snprintf(gb, sizeof gb, "0x%04x", (unsigned)t->hrr.key_share_group);
        tw_corr_fail(v, TW_CAUSE_CIPHER_MISMATCH, TW_STAGE_SERVER_FLIGHT);
        tw_corr_say(v,
                    "the server asked for key-exchange group %s (HelloRetryRequest, frame "
                    "%llu) and the client closed (%s, frame %llu) instead of retrying: no "
                    "key-exchange group in common",
                    g ? g : gb, (unsigned long long)t->hrr.frame, cc.what,
                    (unsigned long long)cc.frame);
        tw_corr_frame(v, t->hrr.frame);
        tw_corr_frame(v, cc.frame);
    } else if (tcp->gaps[TW_DIR_S2C]) {
        tw_corr_incomplete(v, TW_STAGE_CLIENT_HELLO,
                           "the capture lost %llu bytes of the "
                           "server's stream (first gap at frame %llu) before its ServerHello",
                           (unsigned long long)tcp->gap_bytes[TW_DIR_S2C],
                           (unsigned long long)tcp->first_gap_frame[TW_DIR_S2C]);
        tw_corr_frame(v, tcp->first_gap_frame[TW_DIR_S2C]);
    } else if (t->malformed_count && t->malformed.dir == TW_DIR_S2C) {
        tw_corr_incomplete(v, TW_STAGE_CLIENT_HELLO,
                           "the server's first TLS message (frame %llu) "
                           "is malformed (%s: %s)",
                           (unsigned long long)t->malformed.frame, t->malformed.what,
                           t->malformed.why);
        tw_corr_frame(v, t->malformed.frame);
    } else if (sc.frame && (!cc.frame || sc.frame < cc.frame)) {
        tw_corr_fail(v, TW_CAUSE_SERVER_CLOSED_EARLY, TW_STAGE_CLIENT_HELLO);
        tw_corr_say(v,
                    "the server sent %llu bytes of TLS (from frame %llu) without a ServerHello "
                    "or an alert and closed (%s, frame %llu)",
                    (unsigned long long)tcp->bytes[TW_DIR_S2C], (unsigned long long)first, sc.what,
                    (unsigned long long)sc.frame);
        tw_corr_frame(v, first);
        tw_corr_frame(v, sc.frame);
    } else if (tcp->close_reason == TW_CLOSE_END) {
        tw_corr_incomplete(v, TW_STAGE_CLIENT_HELLO,
                           "the capture ended inside the server's first "
                           "TLS message (from frame %llu), before a complete ServerHello",
                           (unsigned long long)first);
    } else {
        tw_corr_incomplete(v, TW_STAGE_CLIENT_HELLO,
                           "the server's %llu TLS bytes (from frame "
                           "%llu) hold no complete ServerHello",
                           (unsigned long long)tcp->bytes[TW_DIR_S2C], (unsigned long long)first);
    }
    return true;
}
