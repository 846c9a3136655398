/* correlate_flight.c: the diagnosis rules once both hellos are in: the completed handshake (ok,
 * or a client that closes right after it, as nginx does on a bad certificate), lost bytes, the
 * client's reaction to the server's flight and the server's reaction to the client's flight. */
#include "correlate_int.h"

#include <stdio.h>

#include "tlswhy/dissector.h"

/* Application data sent by dir. In TLS 1.3 without keys the dissectors already count an
 * alert-sized last record before a FIN/RST as a probable encrypted alert, not as data. */
static bool sent_data(const struct tw_ev_tls *t, enum tw_dir d)
{
    return t->d[d].app_records > 0;
}

/* TLS 1.3: did the server send application data after the client's flight? The dissectors
 * count the server's records before the client's first encrypted one as its handshake flight,
 * and an alert-sized last record before a FIN/RST as an alert, so app_records is the truth
 * (the ladder may still list such a record as data). */
static bool server_data_after(const struct tw_ev_tls *t, uint64_t flight)
{
    const struct tw_dir_tls *s = &t->d[TW_DIR_S2C];
    return s->app_records > 0 && s->first_app_frame >= flight;
}

static const char *suite_of(const struct tw_ev_tls *t, char *buf, size_t n)
{
    const char *s = tw_tls_suite_name(t->sh.cipher_suite);
    if (s)
        snprintf(buf, n, "%s", s);
    else
        snprintf(buf, n, "0x%04x", (unsigned)t->sh.cipher_suite);
    return buf;
}

static void ok(const struct tw_corr_ctx *x, const char *tail)
{
    char ver[32], suite[96];
    x->v->outcome = TW_OUTCOME_OK;
    x->v->cause = TW_CAUSE_NONE;
    x->v->stage = TW_STAGE_NONE;
    tw_corr_say(x->v, "the handshake completed (%s, %s)%s",
                tw_corr_version_label(x->tls->sh.version, ver, sizeof ver),
                suite_of(x->tls, suite, sizeof suite), tail);
}

/* How a side ended: "close_notify (frame 12), FIN (frame 13)". */
static const char *describe_close(const struct tw_corr_ctx *x, enum tw_dir d, char *buf, size_t n)
{
    const struct tw_alert *a = tw_corr_first_alert(x->tls, d);
    struct tw_corr_closing c = tw_corr_close_of(x->tcp, d);
    char lab[64];
    int w = 0;
    buf[0] = '\0';
    if (a && a->visible && a->desc == 0)
        snprintf(lab, sizeof lab, "close_notify");
    else if (a)
        tw_corr_alert_label(a, lab, sizeof lab);
    if (a)
        w = snprintf(buf, n, "%s (frame %llu)", lab, (unsigned long long)a->frame);
    if (c.frame && w >= 0 && (size_t)w < n)
        snprintf(buf + w, n - (size_t)w, "%s%s (frame %llu)", w ? ", " : "", c.what,
                 (unsigned long long)c.frame);
    tw_corr_frame(x->v, a ? a->frame : 0);
    tw_corr_frame(x->v, c.frame);
    return buf;
}

/* The server turned down the client's flight: encrypted alert or close first. Returns false
 * when nothing of the kind happened. */
static bool server_refused_flight(const struct tw_corr_ctx *x, uint64_t cf)
{
    const struct tw_alert *sa = tw_corr_first_alert(x->tls, TW_DIR_S2C);
    struct tw_corr_closing sc = tw_corr_close_of(x->tcp, TW_DIR_S2C);
    struct tw_corr_closing cc = tw_corr_close_of(x->tcp, TW_DIR_C2S);
    char how[128];
    if (sa && sa->frame < cf)
        sa = NULL;
    if (!sa && !(sc.frame && (!cc.frame || sc.frame < cc.frame)))
        return false;
    describe_close(x, TW_DIR_S2C, how, sizeof how);
    if (tw_corr_client_cert_missing(x->tls)) {
        char did[160];
        snprintf(did, sizeof did, "ended the connection with %s", how);
        tw_corr_say_client_cert(x, did, sa ? sa->frame : sc.frame);
    } else if (sa && !sa->visible && tw_corr_is_tls13(x->tls->sh.version)) {
        /* The CertificateRequest and the alert are encrypted; a server that accepted the
         * client's flight would have sent its NewSessionTicket or data instead. */
        x->v->alert = sa;
        tw_corr_fail(x->v, TW_CAUSE_CLIENT_CERT_REQUIRED, TW_STAGE_CLIENT_FLIGHT);
        tw_corr_say(x->v,
                    "the server rejected the client's flight (frame %llu) with %s before "
                    "sending any data: in TLS 1.3 that is almost always a client "
                    "certificate the server requires (certificate_required) or rejects; "
                    "%s would show the CertificateRequest and the alert",
                    (unsigned long long)cf, how, tw_corr_key_hint(x->tls));
    } else if (sa) {
        x->v->alert = sa;
        tw_corr_fail(x->v, TW_CAUSE_ALERT_OTHER, TW_STAGE_CLIENT_FLIGHT);
        tw_corr_say(x->v, "the server rejected the client's flight (frame %llu) with %s",
                    (unsigned long long)cf, how);
    } else {
        tw_corr_fail(x->v, TW_CAUSE_SERVER_CLOSED_EARLY, TW_STAGE_CLIENT_FLIGHT);
        tw_corr_say(x->v,
                    "the server closed with %s after the client's flight (frame %llu) without "
                    "an alert",
                    how, (unsigned long long)cf);
    }
    tw_corr_frame(x->v, cf);
    return true;
}

/* The client finished the handshake and left without a request. nginx does this when it
 * rejects the origin's certificate after its handshake (proxy_ssl_verify): a defect in the
 * chain makes it a failure; against a clean chain it is only a warning. */
static bool closed_without_request(const struct tw_corr_ctx *x)
{
    char how[128];
    const struct tw_cert_finding *f = tw_corr_pick_defect(x->chain, -1);
    describe_close(x, TW_DIR_C2S, how, sizeof how);
    if (f) {
        tw_corr_fail(x->v, f->code, TW_STAGE_AFTER_HANDSHAKE);
        tw_corr_say(x->v,
                    "%s (the client completed the handshake, then closed without a request: "
                    "%s, as a proxy does when it rejects the certificate after the "
                    "handshake)",
                    f->text, how);
        return true;
    }
    char tail[256];
    snprintf(tail, sizeof tail,
             ", then the client closed without sending a request (%s); the "
             "certificate chain shows no defect",
             how);
    ok(x, tail);
    tw_corr_warn(x->v, TW_CAUSE_CLOSED_WITHOUT_REQUEST);
    return true;
}

bool tw_corr_rule_done(const struct tw_corr_ctx *x)
{
    const struct tw_ev_tls *t = x->tls;
    const struct tw_ev_tcp *tcp = x->tcp;
    if (!x->v->handshake_done)
        return false;
    bool tls13 = tw_corr_is_tls13(t->sh.version);
    uint64_t cf = tw_corr_client_flight(t);
    tw_corr_handshake_frames(x->v, t);
    tw_corr_frame(x->v, t->d[TW_DIR_C2S].first_app_frame);
    bool cdata = sent_data(t, TW_DIR_C2S);
    bool sdata = !tls13 || server_data_after(t, cf);
    if (cdata && sdata) {
        tw_corr_frame(x->v, t->d[TW_DIR_S2C].first_app_frame);
        ok(x, " and application data flowed both ways");
        return true;
    }
    /* TLS 1.3: the server still owed an answer (a ticket, data) to the client's flight. */
    if (tls13 && server_refused_flight(x, cf))
        return true;
    if (cdata) {
        if (tcp->close_reason == TW_CLOSE_END)
            tw_corr_incomplete(x->v, TW_STAGE_AFTER_HANDSHAKE,
                               "the capture ended after the "
                               "client's flight (frame %llu), before the server sent data",
                               (unsigned long long)cf);
        else
            ok(x, "; the client sent data, the server sent none before the close");
        return true;
    }
    if (tcp->gaps[TW_DIR_C2S]) {
        tw_corr_incomplete(x->v, TW_STAGE_AFTER_HANDSHAKE,
                           "the capture lost %llu bytes of the "
                           "client's stream after the handshake (first gap at frame %llu)",
                           (unsigned long long)tcp->gap_bytes[TW_DIR_C2S],
                           (unsigned long long)tcp->first_gap_frame[TW_DIR_C2S]);
        return true;
    }
    struct tw_corr_closing cc = tw_corr_close_of(tcp, TW_DIR_C2S);
    struct tw_corr_closing sc = tw_corr_close_of(tcp, TW_DIR_S2C);
    if (tw_corr_first_alert(t, TW_DIR_C2S) || (cc.frame && (!sc.frame || cc.frame < sc.frame)))
        return closed_without_request(x);
    ok(x, tcp->close_reason == TW_CLOSE_END ? "; the capture ended before any application data"
                                            : "; no application data followed before the close");
    return true;
}

/* Bytes the capture missed before anything was decided: nothing below may infer from
 * absence. */
bool tw_corr_rule_lost(const struct tw_corr_ctx *x)
{
    const struct tw_ev_tcp *tcp = x->tcp;
    int d = -1;
    for (int i = 0; i < 2; i++)
        if (tcp->gaps[i] && (d < 0 || tcp->first_gap_frame[i] < tcp->first_gap_frame[d]))
            d = i;
    if (d < 0)
        return false;
    tw_corr_incomplete(x->v, x->tls->sh.present ? TW_STAGE_SERVER_FLIGHT : TW_STAGE_CLIENT_HELLO,
                       "the capture lost %llu bytes of the %s's stream (first gap at frame %llu) "
                       "before the handshake finished",
                       (unsigned long long)tcp->gap_bytes[d], d == TW_DIR_C2S ? "client" : "server",
                       (unsigned long long)tcp->first_gap_frame[d]);
    tw_corr_frame(x->v, tcp->first_gap_frame[d]);
    return true;
}

/* What would show the reason of a silent client rejection. */
static const char *rejection_hint(const struct tw_corr_ctx *x)
{
    if (!x->chain && tw_corr_is_tls13(x->tls->sh.version) && x->tls->dec.keylog)
        return "in TLS 1.3 the certificate and the client's alert are encrypted, and the key "
               "log given did not open them for this connection (see its decryption status)";
    if (!x->chain && tw_corr_is_tls13(x->tls->sh.version))
        return "in TLS 1.3 the certificate and the client's alert are encrypted; a key log "
               "(SSLKEYLOGFILE) would show both";
    if (!x->chain)
        return "the server sent no certificate (session resumption or PSK); the client's own "
               "log names the reason";
    return "the chain verifies against this machine's trust store; the client may trust other "
           "CAs, pin a key or expect another name (judge it with --ca-file and --host as the "
           "client sees it), and the client's own log names the reason";
}

bool tw_corr_rule_client_reaction(const struct tw_corr_ctx *x)
{
    const struct tw_ev_tls *t = x->tls;
    const struct tw_ev_tcp *tcp = x->tcp;
    struct tw_verdict *v = x->v;
    if (tw_corr_client_flight(t))
        return false;
    const struct tw_alert *ca = tw_corr_first_alert(t, TW_DIR_C2S);
    struct tw_corr_closing cc = tw_corr_close_of(tcp, TW_DIR_C2S);
    struct tw_corr_closing sc = tw_corr_close_of(tcp, TW_DIR_S2C);
    uint64_t last = t->cert.present ? t->cert.frame : t->sh.frame;
    last = t->server_hello_done_frame > last ? t->server_hello_done_frame : last;
    tw_corr_handshake_frames(v, t);
    if (!ca && !(cc.frame && (!sc.frame || cc.frame < sc.frame)) &&
        tcp->close_reason != TW_CLOSE_TIMEOUT) {
        if (sc.frame) {
            tw_corr_fail(v, TW_CAUSE_SERVER_CLOSED_EARLY, TW_STAGE_SERVER_FLIGHT);
            tw_corr_say(v,
                        "the server closed (%s, frame %llu) after its own flight (frame %llu) "
                        "without an alert",
                        sc.what, (unsigned long long)sc.frame, (unsigned long long)last);
            tw_corr_frame(v, sc.frame);
        } else {
            tw_corr_incomplete(v, TW_STAGE_SERVER_FLIGHT,
                               "the capture ended after the server's "
                               "flight (frame %llu), before the client answered",
                               (unsigned long long)last);
        }
        return true;
    }
    char how[128];
    if (ca || cc.frame)
        describe_close(x, TW_DIR_C2S, how, sizeof how);
    else
        snprintf(how, sizeof how, "nothing, idle until the timeout");
    const struct tw_cert_finding *f = tw_corr_pick_defect(x->chain, -1);
    if (f) {
        tw_corr_fail(v, f->code, TW_STAGE_SERVER_FLIGHT);
        tw_corr_say(v, "%s (the client answered the server's %s, frame %llu, with %s)", f->text,
                    t->cert.present ? "Certificate" : "flight", (unsigned long long)last, how);
        return true;
    }
    tw_corr_fail(v, TW_CAUSE_CLIENT_REJECTED, TW_STAGE_SERVER_FLIGHT);
    tw_corr_say(v,
                "the client answered the server's flight (frame %llu) with %s, for a reason "
                "the capture does not show: %s",
                (unsigned long long)last, how, rejection_hint(x));
    return true;
}

bool tw_corr_rule_server_reaction(const struct tw_corr_ctx *x)
{
    const struct tw_ev_tcp *tcp = x->tcp;
    uint64_t cf = tw_corr_client_flight(x->tls);
    if (!cf)
        return false;
    tw_corr_handshake_frames(x->v, x->tls);
    if (server_refused_flight(x, cf))
        return true;
    struct tw_corr_closing cc = tw_corr_close_of(tcp, TW_DIR_C2S);
    if (!cc.frame && tcp->close_reason == TW_CLOSE_END) {
        tw_corr_incomplete(x->v, TW_STAGE_CLIENT_FLIGHT,
                           "the capture ended after the client's "
                           "flight (frame %llu), before the server's Finished",
                           (unsigned long long)cf);
        return true;
    }
    tw_corr_fail(x->v, TW_CAUSE_SERVER_SILENT, TW_STAGE_CLIENT_FLIGHT);
    if (cc.frame) {
        tw_corr_say(x->v,
                    "the server did not answer the client's flight (frame %llu); the client "
                    "gave up (%s, frame %llu)",
                    (unsigned long long)cf, cc.what, (unsigned long long)cc.frame);
        tw_corr_frame(x->v, cc.frame);
    } else {
        tw_corr_say(x->v,
                    "the server did not answer the client's flight (frame %llu) and the "
                    "connection went idle",
                    (unsigned long long)cf);
    }
    tw_corr_frame(x->v, cf);
    return true;
}

static const char *close_name(enum tw_close_reason r)
{
    switch (r) {
    case TW_CLOSE_FIN:
        return "FIN both ways";
    case TW_CLOSE_RST:
        return "RST";
    case TW_CLOSE_TIMEOUT:
        return "idle timeout";
    case TW_CLOSE_EVICTED:
        return "evicted: the connection table was full";
    case TW_CLOSE_END:
        return "the capture ended";
    case TW_CLOSE_REUSED:
        return "its ports were reused";
    }
    return "unknown";
}

bool tw_corr_rule_ended(const struct tw_corr_ctx *x)
{
    tw_corr_incomplete(
        x->v, x->tls && x->tls->sh.present ? TW_STAGE_SERVER_FLIGHT : TW_STAGE_CLIENT_HELLO,
        "the connection ended (%s) before the handshake was decided",
        close_name(x->tcp->close_reason));
    return true;
}
