/* correlate.c: the diagnosis. One rule per cause, in the order a human checks a connection:
 * TCP connect -> the client's first bytes -> the server's first bytes -> alerts -> the server's
 * flight and the client's reaction -> after the handshake -> ok. The first rule that decides
 * wins; correlate_tls.c holds the rules from the alerts on. */
#include "tlswhy/correlate.h"

#include <stdio.h>
#include <string.h>

#include "correlate_int.h"
#include "tlswhy/edge.h"
#include "tlswhy/rd.h"

bool tw_corr_is_tls_port(const struct tw_corr_opts *o, uint16_t port)
{
    if (port == 443 || port == 8443)
        return true;
    for (size_t i = 0; o && o->tls_ports && i < o->tls_port_count; i++)
        if (o->tls_ports[i] == port)
            return true;
    return false;
}

/* A capture-time interval for an explanation: "0.412 ms", "5.000 s". */
struct dur {
    char s[32];
};

static struct dur secs(int64_t from_us, int64_t to_us)
{
    struct dur d;
    int64_t us = to_us > from_us ? to_us - from_us : 0;
    if (us < 1000000)
        snprintf(d.s, sizeof d.s, "%.3f ms", (double)us / 1e3);
    else
        snprintf(d.s, sizeof d.s, "%.3f s", (double)us / 1e6);
    return d;
}

/* The evidence of a non-TLS peer: the first line of its first bytes when they are text (HTTP,
 * SSH banners; up to CR, LF or NUL), else their first 12 bytes in hex. Text stays raw here:
 * reporters escape it. */
static const char *first_bytes(const struct tw_probe *p, char *buf, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(p->first, p->len < sizeof p->first ? p->len : sizeof p->first, &e);
    bool text = p->kind == TW_PROBE_HTTP_REQUEST || p->kind == TW_PROBE_HTTP_RESPONSE ||
                p->kind == TW_PROBE_SSH;
    size_t k = (size_t)snprintf(buf, n, text ? "bytes \"" : "bytes");
    for (size_t i = 0; tw_rd_left(&r) > 0 && i < (text ? 48 : 12) && k + 4 < n; i++) {
        uint8_t c = tw_rd_u8(&r);
        if (text && (c == '\r' || c == '\n' || c == '\0'))
            break;
        if (text) {
            buf[k++] = (char)c;
        } else {
            buf[k++] = ' ';
            buf[k++] = hex[c >> 4];
            buf[k++] = hex[c & 15];
        }
    }
    if (text)
        buf[k++] = '"';
    buf[k] = '\0';
    return buf;
}

static bool is_plaintext(enum tw_probe_kind k)
{
    return k == TW_PROBE_HTTP_REQUEST || k == TW_PROBE_HTTP_RESPONSE || k == TW_PROBE_SSH ||
           k == TW_PROBE_OTHER;
}

/* What a non-TLS first flight means, for the explanation. */
static const char *plaintext_meaning(enum tw_probe_kind k, enum tw_dir from)
{
    if (k == TW_PROBE_HTTP_REQUEST)
        return "plain HTTP sent to an HTTPS port";
    if (k == TW_PROBE_HTTP_RESPONSE)
        return "HTTPS sent to a plain-HTTP port";
    if (k == TW_PROBE_SSH)
        return from == TW_DIR_S2C ? "an SSH server listens there" : "an SSH client";
    return from == TW_DIR_S2C ? "the server does not speak TLS on this port"
                              : "the client does not speak TLS to this port";
}

/* SYN answered by RST, or by nothing. A connection that moved bytes connected, even when the
 * capture missed the SYN-ACK. */
static bool rule_tcp_connect(const struct tw_corr_ctx *x)
{
    const struct tw_ev_tcp *tcp = x->tcp;
    struct tw_verdict *v = x->v;
    char srv[TW_ENDPOINT_STRLEN];
    if (!tcp->syn_frame || tcp->mid_stream || tcp->synack_frame || tcp->bytes[0] || tcp->bytes[1])
        return false;
    tw_endpoint_format(&x->ev->server, srv, sizeof srv);
    tw_corr_frame(v, tcp->syn_frame);
    if (tcp->rst_frame[TW_DIR_S2C]) {
        tw_corr_fail(v, TW_CAUSE_TCP_REFUSED, TW_STAGE_TCP_CONNECT);
        tw_corr_say(v,
                    "SYN to %s (frame %llu) was answered by RST (frame %llu): nothing listens "
                    "on port %u",
                    srv, (unsigned long long)tcp->syn_frame,
                    (unsigned long long)tcp->rst_frame[TW_DIR_S2C], (unsigned)x->ev->server.port);
        tw_corr_frame(v, tcp->rst_frame[TW_DIR_S2C]);
        return true;
    }
    if (tcp->close_reason == TW_CLOSE_END && tcp->syn_count <= 1) {
        tw_corr_incomplete(v, TW_STAGE_TCP_CONNECT,
                           "the capture ended %s after the SYN to %s "
                           "(frame %llu), before any answer",
                           secs(tcp->syn_ts, tcp->last_ts).s, srv,
                           (unsigned long long)tcp->syn_frame);
        return true;
    }
    /* Evicted right after its one SYN (a table full of other SYNs): the answer may have come
     * after tlswhy stopped looking, so nothing says the server did not answer. */
    if (tcp->close_reason == TW_CLOSE_EVICTED && tcp->syn_count <= 1) {
        tw_corr_incomplete(v, TW_STAGE_TCP_CONNECT,
                           "tlswhy evicted the connection %s after the SYN to %s (frame %llu), "
                           "before any answer: the connection table was full (max_conns)",
                           secs(tcp->syn_ts, tcp->close_ts).s, srv,
                           (unsigned long long)tcp->syn_frame);
        return true;
    }
    tw_corr_fail(v, TW_CAUSE_TCP_NO_ANSWER, TW_STAGE_TCP_CONNECT);
    char frames[64];
    if (tcp->last_frame > tcp->syn_frame)
        snprintf(frames, sizeof frames, "frames %llu-%llu", (unsigned long long)tcp->syn_frame,
                 (unsigned long long)tcp->last_frame);
    else
        snprintf(frames, sizeof frames, "frame %llu", (unsigned long long)tcp->syn_frame);
    tw_corr_say(v,
                "%u SYN%s to %s (%s) got no SYN-ACK in %s: the server is down, filtered or "
                "unreachable",
                (unsigned)tcp->syn_count, tcp->syn_count == 1 ? "" : "s", srv, frames,
                secs(tcp->syn_ts, tcp->close_ts > tcp->last_ts ? tcp->close_ts : tcp->last_ts).s);
    tw_corr_frame(v, tcp->last_frame);
    return true;
}

/* The client never sent a ClientHello because one side spoke plaintext: HTTP to a TLS port, or
 * a server that speaks first (SSH, SMTP banners). */
static bool rule_plaintext_first(const struct tw_corr_ctx *x)
{
    const struct tw_ev_tls *t = x->tls;
    const struct tw_ev_tcp *tcp = x->tcp;
    struct tw_verdict *v = x->v;
    char line[80];
    if (!t || t->ch.present)
        return false;
    /* Without the SYN the first bytes seen are the middle of a stream, not its start. */
    if (t && !tcp->mid_stream && is_plaintext(t->d[TW_DIR_C2S].probe.kind)) {
        const struct tw_probe *p = &t->d[TW_DIR_C2S].probe;
        tw_corr_fail(v, TW_CAUSE_PLAINTEXT_CLIENT, TW_STAGE_CLIENT_HELLO);
        tw_corr_say(v,
                    "the client sent non-TLS %s (frame %llu) to port %u instead of a "
                    "ClientHello: %s",
                    first_bytes(p, line, sizeof line), (unsigned long long)p->frame,
                    (unsigned)x->ev->server.port, plaintext_meaning(p->kind, TW_DIR_C2S));
        tw_corr_frame(v, p->frame);
        tw_corr_frame(v, t->d[TW_DIR_S2C].probe.frame);
        return true;
    }
    if (t && !tcp->mid_stream && tcp->bytes[TW_DIR_C2S] == 0 &&
        is_plaintext(t->d[TW_DIR_S2C].probe.kind)) {
        const struct tw_probe *p = &t->d[TW_DIR_S2C].probe;
        tw_corr_fail(v, TW_CAUSE_PLAINTEXT_SERVER, TW_STAGE_CLIENT_HELLO);
        tw_corr_say(v, "the server on port %u spoke first with non-TLS %s (frame %llu): %s",
                    (unsigned)x->ev->server.port, first_bytes(p, line, sizeof line),
                    (unsigned long long)p->frame, plaintext_meaning(p->kind, TW_DIR_S2C));
        tw_corr_frame(v, p->frame);
        return true;
    }
    return false;
}

/* No ClientHello, and no plaintext either: a malformed hello the server refused, or nothing
 * that can be decided (a capture that started late, lost bytes, an empty connection). */
static bool rule_no_client_hello(const struct tw_corr_ctx *x)
{
    const struct tw_ev_tls *t = x->tls;
    const struct tw_ev_tcp *tcp = x->tcp;
    struct tw_verdict *v = x->v;
    if (t && t->ch.present)
        return false;
    const struct tw_alert *a = tw_corr_decisive_alert(t);
    if (a && a->dir == TW_DIR_S2C && t->malformed_count && t->malformed.dir == TW_DIR_C2S) {
        char lab[64];
        v->alert = a;
        tw_corr_fail(v, TW_CAUSE_ALERT_OTHER, TW_STAGE_CLIENT_HELLO);
        tw_corr_say(v,
                    "the server refused the client's malformed ClientHello (frame %llu, %s: "
                    "%s) with %s (frame %llu)",
                    (unsigned long long)t->malformed.frame, t->malformed.what, t->malformed.why,
                    tw_corr_alert_label(a, lab, sizeof lab), (unsigned long long)a->frame);
        tw_corr_frame(v, t->malformed.frame);
        tw_corr_frame(v, a->frame);
        return true;
    }
    if (tcp->mid_stream)
        tw_corr_incomplete(v, TW_STAGE_CLIENT_HELLO,
                           "the capture started in the middle of the "
                           "connection (no SYN), after its handshake");
    else if (tcp->gaps[TW_DIR_C2S])
        tw_corr_incomplete(v, TW_STAGE_CLIENT_HELLO,
                           "the capture lost %llu bytes of the client's "
                           "stream (first gap at frame %llu): no ClientHello could be read",
                           (unsigned long long)tcp->gap_bytes[TW_DIR_C2S],
                           (unsigned long long)tcp->first_gap_frame[TW_DIR_C2S]);
    else if (t && t->malformed_count)
        tw_corr_incomplete(v, TW_STAGE_CLIENT_HELLO,
                           "the client's first TLS message (frame %llu) "
                           "is malformed (%s: %s): no ClientHello could be read",
                           (unsigned long long)t->malformed.frame, t->malformed.what,
                           t->malformed.why);
    else if (tcp->bytes[TW_DIR_C2S])
        tw_corr_incomplete(v, TW_STAGE_CLIENT_HELLO,
                           "the client's %llu bytes hold no complete "
                           "ClientHello",
                           (unsigned long long)tcp->bytes[TW_DIR_C2S]);
    else if (tcp->close_reason == TW_CLOSE_END)
        tw_corr_incomplete(v, TW_STAGE_CLIENT_HELLO,
                           "the capture ended before the client sent a "
                           "ClientHello");
    else
        tw_corr_incomplete(v, TW_STAGE_CLIENT_HELLO,
                           "the client connected but sent no byte "
                           "before the connection closed: no TLS was attempted");
    tw_corr_frame(v, tcp->synack_frame);
    tw_corr_frame(v, tcp->close_frame);
    return true;
}

/* HTTPS sent to an HTTP port: the server answers the ClientHello in plaintext (usually
 * "HTTP/1.1 400 Bad Request"). */
static bool rule_plaintext_server(const struct tw_corr_ctx *x)
{
    const struct tw_probe *p = &x->tls->d[TW_DIR_S2C].probe;
    char line[80];
    /* Plaintext before the ClientHello (an SMTP banner, "HTTP/1.1 200 Connection established"
     * to a CONNECT) was the exchange that led to TLS, not an answer to it. */
    if (!is_plaintext(p->kind) || p->frame < x->tls->ch.frame)
        return false;
    tw_corr_fail(x->v, TW_CAUSE_PLAINTEXT_SERVER, TW_STAGE_CLIENT_HELLO);
    tw_corr_say(x->v,
                "the server answered the ClientHello (frame %llu) with non-TLS %s (frame "
                "%llu): %s (port %u)",
                (unsigned long long)x->tls->ch.frame, first_bytes(p, line, sizeof line),
                (unsigned long long)p->frame, plaintext_meaning(p->kind, TW_DIR_S2C),
                (unsigned)x->ev->server.port);
    tw_corr_frame(x->v, p->frame);
    return true;
}

/* Nothing at all came back after the ClientHello. Whoever closed first tells closed_early from
 * silent; a capture that ended while waiting decides nothing. */
static bool rule_no_server_bytes(const struct tw_corr_ctx *x)
{
    const struct tw_ev_tcp *tcp = x->tcp;
    const struct tw_ev_tls *t = x->tls;
    struct tw_verdict *v = x->v;
    const struct tw_dir_tls *s = &t->d[TW_DIR_S2C];
    bool before_hello = s->probe.frame && s->probe.frame < t->ch.frame && s->records == 0;
    if ((tcp->bytes[TW_DIR_S2C] || s->probe.kind != TW_PROBE_NONE) && !before_hello)
        return false;
    uint64_t sfin = tcp->fin_frame[TW_DIR_S2C], srst = tcp->rst_frame[TW_DIR_S2C];
    uint64_t cfin = tcp->fin_frame[TW_DIR_C2S], crst = tcp->rst_frame[TW_DIR_C2S];
    uint64_t sclose = sfin && (!srst || sfin < srst) ? sfin : srst;
    uint64_t cclose = cfin && (!crst || cfin < crst) ? cfin : crst;
    int64_t sts = sclose == sfin ? tcp->fin_ts[TW_DIR_S2C] : tcp->rst_ts[TW_DIR_S2C];
    if (sclose && (!cclose || sclose < cclose)) {
        tw_corr_fail(v, TW_CAUSE_SERVER_CLOSED_EARLY, TW_STAGE_CLIENT_HELLO);
        tw_corr_say(v,
                    "the server closed the connection (%s, frame %llu) %s after the "
                    "ClientHello (frame %llu) without an alert or any byte",
                    sclose == sfin ? "FIN" : "RST", (unsigned long long)sclose,
                    secs(t->ch.ts_us, sts).s, (unsigned long long)t->ch.frame);
        tw_corr_frame(v, sclose);
        return true;
    }
    if (!cclose && tcp->close_reason == TW_CLOSE_END) {
        tw_corr_incomplete(v, TW_STAGE_CLIENT_HELLO,
                           "the capture ended %s after the "
                           "ClientHello (frame %llu), with no answer from the server yet",
                           secs(t->ch.ts_us, tcp->last_ts).s, (unsigned long long)t->ch.frame);
        return true;
    }
    tw_corr_fail(v, TW_CAUSE_SERVER_SILENT, TW_STAGE_CLIENT_HELLO);
    if (cclose) {
        int64_t cts = cclose == cfin ? tcp->fin_ts[TW_DIR_C2S] : tcp->rst_ts[TW_DIR_C2S];
        tw_corr_say(v,
                    "the server sent nothing in %s after the ClientHello (frame %llu); "
                    "the client gave up (%s, frame %llu)",
                    secs(t->ch.ts_us, cts).s, (unsigned long long)t->ch.frame,
                    cclose == cfin ? "FIN" : "RST", (unsigned long long)cclose);
        tw_corr_frame(v, cclose);
    } else {
        tw_corr_say(v,
                    "the server sent nothing in %s after the ClientHello (frame %llu) "
                    "and the connection went idle",
                    secs(t->ch.ts_us, tcp->close_ts).s, (unsigned long long)t->ch.frame);
    }
    return true;
}

/* tlswhy itself stopped following the connection: nothing may be inferred from absence. */
static bool rule_evicted(const struct tw_corr_ctx *x)
{
    if (x->tcp->close_reason != TW_CLOSE_EVICTED || x->v->handshake_done)
        return false;
    tw_corr_incomplete(x->v, x->tls->sh.present ? TW_STAGE_SERVER_FLIGHT : TW_STAGE_CLIENT_HELLO,
                       "tlswhy stopped following the connection before the handshake finished: "
                       "it was evicted because the connection table was full (max_conns)");
    return true;
}

static bool rule_relevant(const struct tw_corr_ctx *x)
{
    if (x->tls && x->tls->ch.present)
        return true;
    return tw_corr_is_tls_port(x->o, x->ev->server.port);
}

static void add_warnings(const struct tw_corr_ctx *x)
{
    const struct tw_ev_tcp *tcp = x->tcp;
    const struct tw_ev_tls *t = x->tls;
    for (int d = 0; d < 2; d++)
        if (tcp->gaps[d] || tcp->ooo_dropped[d] || tcp->snap_lost[d])
            tw_corr_warn(x->v, TW_CAUSE_CAPTURE_LOST_DATA);
    if (t && t->malformed_count)
        tw_corr_warn(x->v, TW_CAUSE_MALFORMED);
    if (t && t->sh.present && !t->sh.is_hrr && !tw_corr_is_tls13(t->sh.version) &&
        t->sh.version < 0x0303)
        tw_corr_warn(x->v, TW_CAUSE_LEGACY_VERSION);
    /* The chain as analysed, even findings the profile tolerates (x->chain may omit them). */
    const struct tw_chain_report *c = x->v->chain;
    for (uint16_t i = 0; c && i < c->finding_count && i < TW_CERT_MAX_FINDINGS; i++)
        tw_corr_warn(x->v, c->findings[i].code);
}

/* Under a profile, the chain as that edge judges it: the findings it tolerates (e.g. the order,
 * under chain_order = any) cannot explain a rejection. */
static const struct tw_chain_report *enforced(const struct tw_chain_report *c,
                                              const struct tw_corr_opts *o,
                                              struct tw_chain_report *copy)
{
    if (!c || !o || !o->profile)
        return c;
    *copy = *c;
    copy->finding_count = 0;
    for (uint16_t i = 0; i < c->finding_count && i < TW_CERT_MAX_FINDINGS; i++) {
        int code = c->findings[i].code;
        if (tw_diag_edge_cert_rule(o->profile, code) || !tw_corr_is_defect(code))
            copy->findings[copy->finding_count++] = c->findings[i];
    }
    return copy;
}

typedef bool (*rule_fn)(const struct tw_corr_ctx *x);

int tw_corr_decide(const struct tw_evidence *ev, const struct tw_chain_report *chain,
                   const struct tw_corr_opts *o, struct tw_verdict *out)
{
    static const struct tw_ev_tcp no_tcp; /* read-only stand-in when the flow gave none */
    /* Rules after rule_no_client_hello may rely on a ClientHello (and so on x->tls). */
    static const rule_fn rules[] = {
        rule_tcp_connect,      rule_plaintext_first,         rule_no_client_hello,
        rule_plaintext_server, tw_corr_rule_alerts,          rule_evicted,
        rule_no_server_bytes,  tw_corr_rule_no_server_hello, tw_corr_rule_done,
        tw_corr_rule_lost,     tw_corr_rule_client_reaction, tw_corr_rule_server_reaction,
        tw_corr_rule_ended,
    };
    if (!ev || !out)
        return TW_E_USAGE;
    memset(out, 0, sizeof *out);
    const struct tw_profile *prof = o ? o->profile : NULL;
    struct tw_chain_report judged;
    struct tw_corr_ctx x = {ev, ev->tcp ? ev->tcp : &no_tcp, ev->tls, enforced(chain, o, &judged),
                            o, out};
    out->ev = ev;
    out->chain = chain;
    out->outcome = TW_OUTCOME_INCOMPLETE;
    if (o && o->host && *o->host)
        out->name = o->host;
    else if (x.tls && x.tls->ch.present && x.tls->ch.has_sni)
        out->name = x.tls->ch.sni;
    out->relevant = rule_relevant(&x);
    out->handshake_done = tw_corr_handshake_done(x.tls);
    tw_fp_connection(x.tls, &out->fp);
    tw_corr_timing(&x);
    if (!out->relevant) {
        tw_corr_incomplete(out, TW_STAGE_NONE, "no ClientHello and not a TLS port");
        return TW_OK;
    }
    if (x.tls && x.tls->ch.present)
        tw_corr_frame(out, x.tls->ch.frame);
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (rules[i](&x))
            break;
    tw_diag_keepalive_verdict(ev, prof, out);
    tw_diag_edge_quote(prof, out);
    add_warnings(&x);
    tw_diag_edge_judge(ev, chain, prof, out);
    tw_corr_sort_frames(out);
    return TW_OK;
}
