/* diag_keepalive.c: the keep-alive race. An edge keeps its connection to the origin open between
 * requests; an origin whose idle timeout is shorter closes it first, and when the edge's next
 * request crosses the origin's FIN, the origin's kernel answers it with a RST: the edge's 502.
 * An edge that saw the FIN in time and just dropped the connection (nginx does, sometimes with
 * a RST of its own) sent nothing after it: no race. */
#include "tlswhy/edge.h"

#include <stdio.h>

#include "correlate_int.h"

/* Up to this long before its FIN, the origin's last record is its close_notify. */
#define CLOSE_NOTIFY_WINDOW_US 100000

/* The origin's close_notify is part of the close, not of the last exchange. The dissectors may
 * have stopped reading once data flowed both ways, so it is known by its alert, or else by
 * coming right before the FIN. */
static bool is_closing_record(const struct tw_ev_tls *t, const struct tw_ev_tcp *tcp)
{
    uint64_t frame = tcp->last_data_frame[TW_DIR_S2C];
    for (uint16_t i = 0; t && i < t->alert_count && i < TW_MAX_ALERTS; i++)
        if (t->alerts[i].dir == TW_DIR_S2C && t->alerts[i].frame == frame)
            return true;
    return tcp->prev_data_frame[TW_DIR_S2C] &&
           tcp->fin_ts[TW_DIR_S2C] - tcp->last_data_ts[TW_DIR_S2C] <= CLOSE_NOTIFY_WINDOW_US;
}

bool tw_diag_keepalive_race(const struct tw_evidence *ev, struct tw_keepalive_race *out)
{
    const struct tw_ev_tcp *tcp = ev ? ev->tcp : NULL;
    const struct tw_ev_tls *t = ev ? ev->tls : NULL;
    if (!tcp || !out)
        return false;
    /* No TLS facts: they were freed with an early ok verdict, which needed both of these. */
    if (t && (!tw_corr_handshake_done(t) || !t->d[TW_DIR_C2S].app_records ||
              !t->d[TW_DIR_S2C].app_records))
        return false;
    uint64_t sfin = tcp->fin_frame[TW_DIR_S2C], late = tcp->late_data_frame[TW_DIR_C2S];
    uint64_t cfin = tcp->fin_frame[TW_DIR_C2S], srst = tcp->rst_frame[TW_DIR_S2C];
    if (!sfin || !late || (cfin && cfin < sfin) || !srst || srst < late)
        return false;
    uint64_t sf = tcp->last_data_frame[TW_DIR_S2C];
    int64_t sts = tcp->last_data_ts[TW_DIR_S2C];
    if (sf && is_closing_record(t, tcp)) {
        sf = tcp->prev_data_frame[TW_DIR_S2C];
        sts = tcp->prev_data_ts[TW_DIR_S2C];
    }
    uint64_t cf = tcp->last_data_frame[TW_DIR_C2S];
    int64_t cts = tcp->last_data_ts[TW_DIR_C2S];
    bool client_last = cf && (!sf || cts > sts);
    out->idle_from_frame = client_last ? cf : sf;
    int64_t from = client_last ? cts : sts;
    if (!out->idle_from_frame || from > tcp->fin_ts[TW_DIR_S2C])
        return false;
    out->idle_us = tcp->fin_ts[TW_DIR_S2C] - from;
    out->close_frame = sfin;
    out->request_frame = late;
    out->request_after_us = tcp->late_data_ts[TW_DIR_C2S] - tcp->fin_ts[TW_DIR_S2C];
    out->rst_frame = srst;
    return true;
}

static const char *seconds(int64_t us, char *buf, size_t n)
{
    snprintf(buf, n, "%.3f s", (double)us / 1e6);
    return buf;
}

bool tw_diag_keepalive_verdict(const struct tw_evidence *ev, const struct tw_profile *p,
                               struct tw_verdict *v)
{
    struct tw_keepalive_race k;
    char idle[32], after[32], limit[32];
    if (!v || v->outcome != TW_OUTCOME_OK || !tw_diag_keepalive_race(ev, &k))
        return false;
    tw_corr_fail(v, TW_CAUSE_ORIGIN_KEEPALIVE_SHORTER, TW_STAGE_AFTER_HANDSHAKE);
    tw_corr_say(v,
                "the origin closed the kept-alive connection (FIN, frame %llu) after %s idle "
                "(last exchange frame %llu); the client's next request (frame %llu) came %s "
                "after that FIN and met a RST (frame %llu)",
                (unsigned long long)k.close_frame, seconds(k.idle_us, idle, sizeof idle),
                (unsigned long long)k.idle_from_frame, (unsigned long long)k.request_frame,
                seconds(k.request_after_us, after, sizeof after),
                (unsigned long long)k.rst_frame);
    if (p && p->keepalive_timeout_us > 0)
        tw_corr_add(v, ": %s keeps idle origin connections %s (keepalive_timeout%s%s), %s than "
                       "the origin's %s",
                    p->name, seconds(p->keepalive_timeout_us, limit, sizeof limit),
                    p->source[TW_PK_KEEPALIVE_TIMEOUT][0] ? ", source: " : "",
                    p->source[TW_PK_KEEPALIVE_TIMEOUT],
                    p->keepalive_timeout_us > k.idle_us ? "longer" : "not longer", idle);
    tw_corr_add(v, "; the origin's keep-alive (idle) timeout must be longer than the edge's");
    tw_corr_frame(v, k.idle_from_frame);
    tw_corr_frame(v, k.close_frame);
    tw_corr_frame(v, k.request_frame);
    tw_corr_frame(v, k.rst_frame);
    return true;
}
